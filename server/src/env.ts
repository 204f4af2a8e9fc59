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

/** A setting the environment got wrong; start-up stops with its message. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A whole number in [min, max] from an environment variable, or `undefined` when it is unset or empty. */
function wholeNumber(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(env[name])}`);
  }
  return n;
}

/** Throws ConfigError for a value it cannot use, naming the variable. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const port = wholeNumber(env, 'PORT', 0, 65535) ?? 8787;
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
      sessionTtlMinutes: wholeNumber(env, 'COUNTERSIGN_SESSION_MINUTES', 1, 1440),
    },
  };
}

/**
 * The configuration for a start from the command line: a setting it cannot use stops the
 * process with its message (no stack trace) and exit code 2, before anything is created.
 */
export function configOrExit(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  try {
    return configFromEnv(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`[countersign] ${err.message}`);
    process.exit(2);
  }
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
