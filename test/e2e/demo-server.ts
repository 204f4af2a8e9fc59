import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { repoRoot } from './support.ts';

/** A free loopback port (bound, read and released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export interface DemoServer {
  url: string;
  port: number;
  dataDir: string;
  /** The key passed in, or the one the start printed (a first start generates one). */
  adminKey: string;
  /** Everything the child printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

interface DemoProcessOptions {
  dataDir: string;
  /** The checkout whose demo-main.ts runs, in its own folder (default: this one). */
  root?: string;
  /** Node options after `--import tsx`, before the entry (a loader hook, for example). */
  nodeArgs?: string[];
  env?: Record<string, string>;
}

/** Spawns `<root>/server/src/demo-main.ts` on a loopback port and collects what it prints. */
function spawnDemo(opts: DemoProcessOptions & { port: number; adminKey?: string }) {
  const root = opts.root ?? repoRoot;
  const entry = path.join(root, 'server/src/demo-main.ts');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', ...(opts.nodeArgs ?? []), entry], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(opts.port),
      HOST: '127.0.0.1',
      COUNTERSIGN_DATA_DIR: opts.dataDir,
      COUNTERSIGN_ADMIN_KEY: opts.adminKey ?? '',
      COUNTERSIGN_PUBLIC_URL: `http://127.0.0.1:${opts.port}`,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  return { child, output: () => log };
}

/**
 * Starts `server/src/demo-main.ts` as a child process (the same entry as `npm start`) and waits
 * until it listens. `stop()` sends SIGTERM, then SIGKILL after a grace period.
 */
export async function startDemo(
  opts: DemoProcessOptions & {
    /** Omitted: the start generates its own and prints it (read back into `adminKey`). */
    adminKey?: string;
    port?: number;
    timeoutMs?: number;
  },
) {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const { child, output } = spawnDemo({ ...opts, port });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  try {
    while (!output().includes('listening on')) {
      if (child.exitCode !== null) throw new Error(`demo-main exited with ${child.exitCode}:\n${output()}`);
      if (Date.now() > deadline) throw new Error(`demo-main did not start in time:\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  // A start of a data dir already set up prints no key: then adminKey is ''.
  const adminKey = opts.adminKey ?? printedAdminKey(output()) ?? '';
  return { url, port, dataDir: opts.dataDir, adminKey, output, stop } satisfies DemoServer;
}

/** The admin key a start printed, if it printed one. */
export function printedAdminKey(output: string): string | undefined {
  return /Admin API key \(shown once[^)]*\): (\S+)/.exec(output)?.[1];
}

/** Runs demo-main to its exit (a start that fails) and returns its exit code and output. */
export async function runDemoToExit(opts: DemoProcessOptions & { timeoutMs?: number }) {
  const { child, output } = spawnDemo({ ...opts, port: await freePort() });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output: output() };
}

/** Calls the demo's API with a bearer token (its admin key unless told) and returns the JSON it answers. */
export async function demoApi<T>(
  demo: Pick<DemoServer, 'url' | 'adminKey'>,
  method: string,
  url: string,
  token = demo.adminKey,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${demo.url}${url}`, {
    method,
    headers,
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${url} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
