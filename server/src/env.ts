/**
 * The server's configuration from the environment (README "Server configuration") and the
 * listen/shutdown loop, shared by `npm run serve` (main.ts) and `npm start` (demo-main.ts).
 */
import path from 'node:path';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { openCountersign } from './bootstrap.ts';

type OpenOptions = Parameters<typeof openCountersign>[0];

export interface EnvConfig {
  port: number;
  host: string;
  publicUrl: string;
  options: OpenOptions;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const port = Number(env.PORT ?? 8787);
  const publicUrl = (env.COUNTERSIGN_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    publicUrl,
    options: {
      dataDir: path.resolve(env.COUNTERSIGN_DATA_DIR ?? './data'),
      adminKey: env.COUNTERSIGN_ADMIN_KEY || undefined,
      allowedOrigins: (env.COUNTERSIGN_ALLOWED_ORIGINS ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      publicUrl,
      signingUrl: env.COUNTERSIGN_SIGNING_URL || undefined,
      p12Path: env.COUNTERSIGN_SIGNING_P12 || undefined,
      passphrase: env.COUNTERSIGN_SIGNING_PASSPHRASE || undefined,
      trustProxy: env.COUNTERSIGN_TRUST_PROXY === '1' || env.COUNTERSIGN_TRUST_PROXY === 'true',
    },
  };
}

/** Serves `fetch` until SIGTERM/SIGINT, then closes the server and the store. */
export function listen(
  config: Pick<EnvConfig, 'port' | 'host'>,
  fetch: (request: Request) => Response | Promise<Response>,
  close: () => Promise<void>,
  onListening: (info: AddressInfo) => void,
): void {
  const server = serve({ fetch, port: config.port, hostname: config.host }, onListening);
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`[countersign] ${signal}: closing`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close();
    await close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
