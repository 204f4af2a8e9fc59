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
  adminKey: string;
  /** Everything the child printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `server/src/demo-main.ts` as a child process (the same entry as `npm start`) and waits
 * until it listens. `stop()` sends SIGTERM, then SIGKILL after a grace period.
 */
export async function startDemo(opts: { dataDir: string; adminKey: string; port?: number; timeoutMs?: number }) {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'server/src/demo-main.ts')],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        COUNTERSIGN_DATA_DIR: opts.dataDir,
        COUNTERSIGN_ADMIN_KEY: opts.adminKey,
        COUNTERSIGN_PUBLIC_URL: url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));

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
    while (!log.includes('listening on')) {
      if (child.exitCode !== null) throw new Error(`demo-main exited with ${child.exitCode}:\n${log}`);
      if (Date.now() > deadline) throw new Error(`demo-main did not start in time:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, dataDir: opts.dataDir, adminKey: opts.adminKey, output: () => log, stop } satisfies DemoServer;
}
