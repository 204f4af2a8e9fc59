/**
 * `npm start`: the Countersign server on its embedded store, seeded once with demo data, plus
 * the Northwind Fibre demo site (demo/) and the built elements, all on one origin.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { openCountersign } from './bootstrap.ts';
import { seedDemo } from './demo/seed-demo.ts';
import { createDemoSite, demoPaths } from './demo/site.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// The same variables as main.ts (see README "Server configuration").
const env = process.env;
const port = Number(env.PORT ?? 8787);
const host = env.HOST ?? '127.0.0.1';
const publicUrl = (env.COUNTERSIGN_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
const dataDir = path.resolve(env.COUNTERSIGN_DATA_DIR ?? './data');

const cs = await openCountersign({
  dataDir,
  adminKey: env.COUNTERSIGN_ADMIN_KEY || undefined,
  allowedOrigins: (env.COUNTERSIGN_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  publicUrl,
  signingUrl: env.COUNTERSIGN_SIGNING_URL || `${publicUrl}/demo/account.html#token={token}`,
  p12Path: env.COUNTERSIGN_SIGNING_P12 || undefined,
  passphrase: env.COUNTERSIGN_SIGNING_PASSPHRASE || undefined,
  trustProxy: env.COUNTERSIGN_TRUST_PROXY === '1' || env.COUNTERSIGN_TRUST_PROXY === 'true',
});

let state;
try {
  state = await seedDemo(cs.app, {
    dataDir,
    adminKey: cs.adminKey,
    log: (line) => console.log(`[countersign] ${line}`),
  });
} catch (err) {
  console.error(`[countersign] ${(err as Error).message}`);
  await cs.close();
  process.exit(1);
}

const site = createDemoSite({ app: cs.app, state, ...demoPaths(repoRoot) });

const server = serve({ fetch: site.fetch, port, hostname: host }, (info) => {
  const lines = [
    '',
    `  Countersign demo — Northwind Fibre (data in ${dataDir})`,
    `    start page      ${publicUrl}/demo/`,
    `    customer        ${publicUrl}/demo/account.html`,
    `    agent console   ${publicUrl}/demo/agent.html`,
    `    evidence        ${publicUrl}/demo/evidence.html`,
    `    API             ${publicUrl}/api/v1/openapi.json`,
  ];
  if (cs.adminKeyGenerated) lines.push('', `  Admin API key (shown once, only its hash is stored): ${cs.adminKey}`);
  lines.push('', `[countersign] listening on http://${info.address}:${info.port}`);
  console.log(lines.join('\n'));
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`[countersign] ${signal}: closing`);
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  server.close();
  await cs.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
