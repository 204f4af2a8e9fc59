/**
 * A web-test-runner plugin that runs the real Countersign server (lowdb on a temp dir) beside
 * the browser tests, and answers `executeServerCommand()` calls from them:
 *
 * - `cs-server` → `{ server, adminKey }`
 * - `cs-seed` (options of seedSigningEnvelope) → the seeded envelope with a signing session
 * - `cs-api` `{ method, path, body?, token? }` → `{ status, body }` (admin key unless `token`)
 * - `cs-clock` `{ advanceMs }` → moves the server's clock forward (expiring sessions)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';

interface Running {
  server: ServerType;
  url: string;
  adminKey: string;
  dataDir: string;
  app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> };
  advanceClock: (ms: number) => void;
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
          const seeded = await seedSigningEnvelope(cs.app, cs.adminKey, (payload ?? {}) as never);
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
        case 'cs-clock':
          cs.advanceClock((payload as { advanceMs: number }).advanceMs);
          return { ok: true };
        default:
          throw new Error(`unknown command ${command}`);
      }
    },
  };
}
