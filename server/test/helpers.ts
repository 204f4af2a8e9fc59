import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openCountersign, type Countersign, type OpenOptions } from '../src/bootstrap.ts';
import { loadSealSigner, type SealSigner } from '../src/pdf/index.ts';
import { fixturesDir, seedSigningEnvelope, type SeedOptions } from '../src/seed.ts';
import type { SettableClock } from '../src/deps.ts';

export { fixturesDir, seedSigningEnvelope };

/** Seeds on the two-page normal.pdf instead of the default 19-page document. */
export const smallDocument = { pdfPath: path.join(fixturesDir(), 'normal.pdf') } satisfies SeedOptions;

/** One name in each of five scripts: Latin with diacritics, Greek, Cyrillic, Japanese, Arabic. */
export const NAMES = ['Zoë Łukasz-Müller', 'Ἀθηνᾶ', 'Юлия', '山田太郎', 'محمد'];

/** Runs `fn` with console.error silenced: for failures the server is expected to log. */
export async function quietly<T>(fn: () => T | Promise<T>): Promise<T> {
  const original = console.error;
  console.error = () => {};
  try {
    return await fn();
  } finally {
    console.error = original;
  }
}

/** A valid 1×1 PNG. */
export const PNG_DATA_URL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

let sharedSigner: Promise<SealSigner> | undefined;

export async function tempDir(prefix = 'cs-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export interface TestServer extends Countersign {
  dataDir: string;
  adminKey: string;
  clock: SettableClock;
  /** fetch-like call with an optional bearer and JSON body. */
  call(
    method: string,
    url: string,
    opts?: { key?: string; json?: unknown; headers?: Record<string, string>; body?: RequestInit['body'] },
  ): Promise<Response>;
  keyFor(role: 'admin' | 'legal' | 'agent' | 'manager', name?: string): Promise<string>;
}

export async function makeServer(opts: Partial<OpenOptions> = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? (await tempDir());
  sharedSigner ??= tempDir('cs-signer-').then((d) => loadSealSigner({ dataDir: d }));
  const cs = await openCountersign({ signer: await sharedSigner, ...opts, dataDir });
  const call: TestServer['call'] = (method, url, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.key) headers.Authorization = `Bearer ${o.key}`;
    let body = o.body;
    if (o.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(o.json);
    }
    return Promise.resolve(cs.app.request(url, { method, headers, body }));
  };
  const server: TestServer = {
    ...cs,
    dataDir,
    adminKey: cs.adminKey!,
    clock: cs.clock as SettableClock,
    call,
    keyFor: async (role, name = `${role} key`) => {
      const res = await call('POST', '/api/v1/api-keys', { key: cs.adminKey!, json: { name, role } });
      if (res.status !== 201) throw new Error(`key: ${res.status}`);
      return ((await res.json()) as { key: string }).key;
    },
  };
  return server;
}

export async function fixture(name: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path.join(fixturesDir(), name)));
}

export function pdfForm(bytes: Uint8Array, name: string): FormData {
  const form = new FormData();
  form.append('file', new File([bytes as Uint8Array<ArrayBuffer>], name, { type: 'application/pdf' }));
  return form;
}

/** Uploads a fixture PDF with the admin key; returns the document id. */
export async function uploadFixture(s: TestServer, name = 'normal.pdf'): Promise<string> {
  const res = await expectOk(
    s.call('POST', '/api/v1/documents', { key: s.adminKey, body: pdfForm(await fixture(name), name) }),
  );
  return ((await res.json()) as { id: string }).id;
}

export async function seed(s: TestServer, opts?: SeedOptions) {
  return seedSigningEnvelope(s.app, s.adminKey, opts);
}

/** Fills every field the signer may fill (not the agent's read-only values), consents, completes. */
export async function signAsCustomer(s: TestServer, token: string, role = 'customer'): Promise<Response> {
  await fillAsCustomer(s, token, { role });
  return s.call('POST', '/api/v1/signing/complete', { key: token });
}

/**
 * What signAsCustomer does short of completing: every field the signer may fill, drawn ones with
 * `image` (a PNG data URL), then consent.
 */
export async function fillAsCustomer(
  s: TestServer,
  token: string,
  { role = 'customer', image = PNG_DATA_URL }: { role?: string; image?: string } = {},
): Promise<void> {
  const put = (id: string, value: unknown) =>
    s.call('PUT', `/api/v1/signing/fields/${id}`, { key: token, json: { value } });
  const view = (await (await s.call('GET', '/api/v1/signing', { key: token })).json()) as {
    fields: Array<{ id: string; type: string; readOnly: boolean }>;
  };
  for (const f of view.fields) {
    if (f.readOnly) continue;
    if (f.type === 'signature' || f.type === 'initials') await expectOk(put(f.id, { kind: 'drawn', image }));
    else if (f.type === 'text') await expectOk(put(f.id, `Name of ${role}`));
    else if (f.type === 'checkbox') await expectOk(put(f.id, true));
  }
  await expectOk(s.call('POST', '/api/v1/signing/consent', { key: token, json: { accepted: true } }));
}

/** Where the blob store keeps the bytes with this SHA-256 under a data dir. */
export const blobPath = (dataDir: string, sha256: string) => path.join(dataDir, 'blobs', sha256.slice(0, 2), sha256);

/** Runs `pdfsig` on a PDF and returns its report. */
export async function pdfsigReport(pdf: Uint8Array): Promise<string> {
  const file = path.join(await tempDir('cs-pdfsig-'), 'sealed.pdf');
  await writeFile(file, pdf);
  return (await promisify(execFile)('pdfsig', [file])).stdout;
}

export async function expectOk(p: Promise<Response>): Promise<Response> {
  const res = await p;
  if (!res.ok) throw new Error(`expected 2xx, got ${res.status}: ${await res.text()}`);
  return res;
}

export async function session(s: TestServer, envelopeId: string, recipientId: string, key = s.adminKey) {
  return s.call('POST', `/api/v1/envelopes/${envelopeId}/recipients/${recipientId}/signing-session`, { key });
}

export async function problemOf(res: Response) {
  return (await res.json()) as {
    type: string;
    title: string;
    status: number;
    detail?: string;
    errors?: Array<{ path?: string; fieldId?: string; message: string }>;
  };
}

/** Serves the app on an ephemeral loopback port (a real socket: IPs, streaming, disconnects). */
export async function listen(s: TestServer): Promise<{ base: string; close(): Promise<void> }> {
  const { serve } = await import('@hono/node-server');
  return new Promise((resolve) => {
    const server = serve({ fetch: s.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({
        base: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            (server as import('node:http').Server).closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Every file under dir, recursively. */
export async function filesUnder(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  }
  return out;
}

export type StaffRole = 'admin' | 'legal' | 'agent' | 'manager';

/** Mints an embed token for `role` with the admin key (`POST /api/v1/embed-tokens`). */
export async function embedToken(
  s: TestServer,
  role: StaffRole,
  user = { id: `u-${role}`, name: `${role} user`, email: `${role}@example.com` },
): Promise<string> {
  const res = await s.call('POST', '/api/v1/embed-tokens', { key: s.adminKey, json: { role, user } });
  if (res.status !== 201) throw new Error(`embed token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * Role matrices: every kind of caller (an API key and an embed token of each staff role, a
 * signer's session token, no credential) against every operation of an area.
 */
export const MATRIX_CALLERS = [
  'agent key',
  'manager key',
  'legal key',
  'admin key',
  'agent embed',
  'manager embed',
  'legal embed',
  'admin embed',
  'signer token',
  'no credential',
] as const;
export type MatrixCaller = (typeof MATRIX_CALLERS)[number];
/** What a role-matrix rule expects of a call: success, or the refusal's status. */
export type MatrixOutcome = 'ok' | 401 | 403 | 404;

/** The credential of each matrix caller on `s` (undefined for 'no credential'). */
export async function matrixCredentials(s: TestServer): Promise<Record<MatrixCaller, string | undefined>> {
  const credentials: Partial<Record<MatrixCaller, string | undefined>> = {};
  for (const role of ['agent', 'manager', 'legal'] as const) credentials[`${role} key`] = await s.keyFor(role);
  credentials['admin key'] = s.adminKey;
  for (const role of ['agent', 'manager', 'legal', 'admin'] as const)
    credentials[`${role} embed`] = await embedToken(s, role);
  credentials['signer token'] = (await seed(s)).session.token;
  credentials['no credential'] = undefined;
  return credentials as Record<MatrixCaller, string | undefined>;
}

/** The staff role a matrix caller acts as ('signer' and 'no' for the others). */
export const callerRole = (caller: string) => caller.split(' ')[0]!;
/** Whether a matrix caller is staff (an API key or an embed token). */
export const isStaffCaller = (caller: string) => caller.endsWith(' key') || caller.endsWith(' embed');
/** Whether a matrix caller may edit templates and clauses (legal or admin staff). */
export const isEditorCaller = (caller: string) =>
  isStaffCaller(caller) && ['legal', 'admin'].includes(callerRole(caller));

/** The operations (`METHOD /path`) of the server's OpenAPI document whose path `matches`. */
export async function openApiOperations(s: TestServer, matches: (path: string) => boolean): Promise<string[]> {
  const doc = (await (await s.call('GET', '/api/v1/openapi.json')).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths)
    .filter(([p]) => matches(p))
    .flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
}

/** Where the store keeps an envelope's file in a data dir. */
export const envelopeFile = (dataDir: string, id: string) => path.join(dataDir, 'store', 'envelopes', `${id}.json`);

/** Runs `fn` and returns what it logged with console.error (kept off the test output). */
export async function errorsLoggedBy<T>(fn: () => T | Promise<T>): Promise<{ result: T; logged: string[] }> {
  const original = console.error;
  const logged: string[] = [];
  console.error = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
  try {
    return { result: await fn(), logged };
  } finally {
    console.error = original;
  }
}

export interface ServerProcess {
  child: import('node:child_process').ChildProcess;
  base: string;
  /** fetch against the server, failing after 60 s instead of hanging the test. */
  request(p: string, init?: RequestInit): Promise<Response>;
  /** Sends `signal` and resolves with the exit code (null when killed by the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const serverProcesses = new Set<import('node:child_process').ChildProcess>();
process.on('exit', () => serverProcesses.forEach((c) => c.kill('SIGKILL')));

/**
 * Starts `server/src/main.ts` as its own process on an ephemeral loopback port over dataDir
 * (for kill -9 tests); whatever happens, it does not outlive the test process.
 */
export async function startServerProcess(dataDir: string, adminKey: string): Promise<ServerProcess> {
  const { spawn } = await import('node:child_process');
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', COUNTERSIGN_DATA_DIR: dataDir, COUNTERSIGN_ADMIN_KEY: adminKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  serverProcesses.add(child);
  child.once('exit', () => serverProcesses.delete(child));
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  // Cold tsx compiles on a loaded 2-core machine have taken over 20 s.
  const startTimeoutMs = 90_000;
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${startTimeoutMs} ms: ${out} ${stderr}`));
    }, startTimeoutMs);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}: ${stderr}`));
    });
  });
  return {
    child,
    base,
    request: (p, init) => fetch(base + p, { signal: AbortSignal.timeout(60_000), ...init }),
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

/** A text field for the `customer` role on page 1 at height `y`, with an optional validation. */
export function textFieldPlacement(id: string, opts: { y?: number; validation?: object; label?: string } = {}) {
  return {
    id,
    type: 'text',
    role: 'customer',
    page: 1,
    x: 0.1,
    y: opts.y ?? 0.1,
    width: 0.4,
    height: 0.04,
    required: false,
    ...(opts.label !== undefined ? { label: opts.label } : {}),
    ...(opts.validation ? { validation: opts.validation } : {}),
  };
}
