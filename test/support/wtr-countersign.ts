/**
 * A web-test-runner plugin that runs the real Countersign server (lowdb on a temp dir) beside
 * the browser tests, and answers `executeServerCommand()` calls from them:
 *
 * - `cs-server` → `{ server, adminKey }`
 * - `cs-seed` (options of seedSigningEnvelope, plus `pdf`: a {@link PdfVariant} made on the
 *   fly) → the seeded envelope with a signing session
 * - `cs-api` `{ method, path, body?, token? }` → `{ status, body }` (admin key unless `token`)
 * - `cs-fixture` {@link FixtureRequest} → `{ name, base64 }`: a shared fixture (or a generated
 *   document of N pages), for a test to hand to an element as a File
 * - `cs-upload` {@link FixtureRequest} → the stored document (`POST /api/v1/documents`, admin key)
 * - `cs-clock` `{ advanceMs }` → moves the server's clock forward (expiring sessions)
 * - `cs-event-streams` `{ close? }` → `{ open }`: the open `GET /api/v1/events` streams, counted on
 *   the server (after ending them all when `close`)
 * - `cs-sealed-words` `{ envelopeId, page }` → {@link SealedPage}: waits for the sealed PDF and
 *   reads one page's words with `pdftotext -bbox`, in the page's visible (cropped, turned) box
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';

/** A copy of a test fixture with every page turned and/or cropped, for placement tests. */
export interface PdfVariant {
  /** File name under test/fixtures/pdfs; default us_constitution.pdf. */
  fixture?: string;
  /** /Rotate set on every page. */
  rotate?: 0 | 90 | 180 | 270;
  /** CropBox `[x0, y0, x1, y1]` in user space set on every page. */
  cropBox?: [number, number, number, number];
}

/** A file for a test: a test fixture by name, or a plain generated PDF of `pages` pages. */
export interface FixtureRequest {
  fixture?: string;
  /** Generate a PDF of this many numbered Letter pages instead of reading a fixture. */
  pages?: number;
}

/** One page of a sealed PDF as a viewer shows it: size in points and words, origin top-left. */
export interface SealedPage {
  width: number;
  height: number;
  words: Array<{ text: string; xMin: number; yMin: number; xMax: number; yMax: number }>;
}

const run = promisify(execFile);

interface Running {
  server: ServerType;
  url: string;
  adminKey: string;
  dataDir: string;
  app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> };
  advanceClock: (ms: number) => void;
  events: { streamCount: number; closeStreams(): number };
  close: () => Promise<void>;
}

async function start(origin: string): Promise<Running> {
  const { openCountersign } = await import('../../server/src/bootstrap.ts');
  const dataDir = await mkdtemp(join(tmpdir(), 'cs-wtr-'));
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };
  const adminKey = `cs_test_${randomBytes(24).toString('base64url')}`;
  const opened = await openCountersign({ dataDir, clock, adminKey, allowedOrigins: [origin] });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: opened.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    adminKey,
    dataDir,
    app: opened.app,
    advanceClock: (ms) => {
      offset += ms;
    },
    events: opened.deps.events,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await opened.close?.();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function countersignServerPlugin() {
  const running = new Map<string, Promise<Running>>();
  // The origin the test pages are served from: the only one the test servers allow (CORS).
  let origin = 'http://localhost:8000';
  const get = (testFile: string) => {
    let server = running.get(testFile);
    if (!server) running.set(testFile, (server = start(origin)));
    return server;
  };
  return {
    name: 'countersign-server',
    serverStart({ config }: { config: { hostname?: string; port?: number; protocol?: string } }) {
      origin = `${config.protocol ?? 'http:'}//${config.hostname ?? 'localhost'}:${config.port ?? 8000}`;
    },
    async serverStop() {
      await Promise.all([...running.values()].map(async (server) => (await server).close()));
    },
    async executeCommand({
      command,
      payload,
      session,
    }: {
      command: string;
      payload?: unknown;
      session: { testFile: string };
    }) {
      if (!command.startsWith('cs-')) return undefined;
      const cs = await get(session.testFile);
      switch (command) {
        case 'cs-server':
          return { server: cs.url, adminKey: cs.adminKey };
        case 'cs-seed': {
          const { seedSigningEnvelope } = await import('../../server/src/seed.ts');
          const { pdf, ...options } = (payload ?? {}) as { pdf?: PdfVariant; pdfPath?: string };
          if (pdf) options.pdfPath = await makeVariant(pdf, cs.dataDir);
          const seeded = await seedSigningEnvelope(cs.app, cs.adminKey, options as never);
          return { server: cs.url, ...seeded };
        }
        case 'cs-api': {
          const {
            method = 'GET',
            path,
            body,
            token,
          } = payload as {
            method?: string;
            path: string;
            body?: unknown;
            token?: string;
          };
          const response = await cs.app.request(path, {
            method,
            headers: {
              authorization: `Bearer ${token ?? cs.adminKey}`,
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          const text = await response.text();
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON: keep the text */
          }
          return { status: response.status, body: parsed };
        }
        case 'cs-fixture': {
          const file = await fixtureFile(payload as FixtureRequest);
          return { name: file.name, base64: Buffer.from(file.bytes).toString('base64') };
        }
        case 'cs-upload': {
          const file = await fixtureFile(payload as FixtureRequest);
          const form = new FormData();
          form.append('file', new Blob([file.bytes], { type: 'application/pdf' }), file.name);
          const response = await cs.app.request('/api/v1/documents', {
            method: 'POST',
            headers: { authorization: `Bearer ${cs.adminKey}` },
            body: form,
          });
          if (!response.ok) throw new Error(`upload failed: ${response.status} ${await response.text()}`);
          return response.json();
        }
        case 'cs-clock':
          cs.advanceClock((payload as { advanceMs: number }).advanceMs);
          return { ok: true };
        case 'cs-event-streams':
          if ((payload as { close?: boolean } | undefined)?.close) cs.events.closeStreams();
          return { open: cs.events.streamCount };
        case 'cs-sealed-words': {
          const { envelopeId, page } = payload as { envelopeId: string; page: number };
          return sealedWords(cs, envelopeId, page);
        }
        default:
          throw new Error(`unknown command ${command}`);
      }
    },
  };
}

async function fixtureFile(request: FixtureRequest = {}): Promise<{ name: string; bytes: Uint8Array<ArrayBuffer> }> {
  if (request.pages) {
    const { PDFDocument, StandardFonts } = await import('pdf-lib');
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    for (let i = 1; i <= request.pages; i++) {
      const page = pdf.addPage([612, 792]);
      page.drawText(`Generated page ${i} of ${request.pages}`, { x: 72, y: 720, size: 14, font });
      for (let line = 0; line < 40; line++) {
        page.drawText(`Line ${line + 1}: terms and conditions of service, schedule ${i}.`, {
          x: 72,
          y: 690 - line * 15,
          size: 10,
          font,
        });
      }
    }
    return { name: `generated-${request.pages}-pages.pdf`, bytes: new Uint8Array(await pdf.save()) };
  }
  const { fixturesDir } = await import('../../server/src/seed.ts');
  const name = request.fixture ?? 'us_constitution.pdf';
  if (basename(name) !== name) throw new Error(`fixture names are plain file names: ${name}`);
  return { name, bytes: new Uint8Array(await readFile(join(fixturesDir(), name))) as Uint8Array<ArrayBuffer> };
}

let variants = 0;

/** Writes a turned/cropped copy of a fixture into the server's temp dir (never into the repo). */
async function makeVariant(variant: PdfVariant, dir: string): Promise<string> {
  const { fixturesDir } = await import('../../server/src/seed.ts');
  const { PDFDocument, degrees } = await import('pdf-lib');
  const name = variant.fixture ?? 'us_constitution.pdf';
  const pdf = await PDFDocument.load(await readFile(join(fixturesDir(), name)), { updateMetadata: false });
  for (const page of pdf.getPages()) {
    if (variant.rotate !== undefined) page.setRotation(degrees(variant.rotate));
    if (variant.cropBox) {
      const [x0, y0, x1, y1] = variant.cropBox;
      page.setCropBox(x0, y0, x1 - x0, y1 - y0);
    }
  }
  const file = join(dir, `${basename(name, '.pdf')}-variant-${++variants}.pdf`);
  await writeFile(file, await pdf.save());
  return file;
}

async function sealedWords(cs: Running, envelopeId: string, page: number): Promise<SealedPage> {
  let bytes: Uint8Array | undefined;
  for (let i = 0; i < 100 && !bytes; i++) {
    const response = await cs.app.request(`/api/v1/envelopes/${envelopeId}/document`, {
      headers: { authorization: `Bearer ${cs.adminKey}` },
    });
    if (response.ok) bytes = new Uint8Array(await response.arrayBuffer());
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!bytes) throw new Error(`envelope ${envelopeId} was not sealed within 10 s`);
  const file = join(cs.dataDir, `sealed-${envelopeId}.pdf`);
  await writeFile(file, bytes);
  const range = ['-f', String(page), '-l', String(page)];
  // The visible box: the crop box, turned by /Rotate (pdftotext -cropbox reports words in it).
  const info = (await run('pdfinfo', ['-box', ...range, file])).stdout;
  const crop = new RegExp(`^Page\\s+${page} CropBox:\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)`, 'm').exec(info);
  const rot = new RegExp(`^Page\\s+${page} rot:\\s+(\\d+)`, 'm').exec(info);
  if (!crop || !rot) throw new Error(`pdfinfo did not describe page ${page}: ${info}`);
  const w = Number(crop[3]) - Number(crop[1]);
  const h = Number(crop[4]) - Number(crop[2]);
  const sideways = Number(rot[1]) % 180 === 90;
  const out = (await run('pdftotext', ['-cropbox', '-bbox', ...range, file, '-'])).stdout;
  const words = [
    ...out.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g),
  ].map((m) => ({ xMin: +m[1]!, yMin: +m[2]!, xMax: +m[3]!, yMax: +m[4]!, text: m[5]! }));
  return { width: sideways ? h : w, height: sideways ? w : h, words };
}
