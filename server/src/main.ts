import { serve } from '@hono/node-server';
import { openCountersign } from './bootstrap.ts';

const env = process.env;
const port = Number(env.PORT ?? 8787);
const publicUrl = env.COUNTERSIGN_PUBLIC_URL ?? `http://localhost:${port}`;

const cs = await openCountersign({
  dataDir: env.COUNTERSIGN_DATA_DIR ?? './data',
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
});

if (cs.adminKeyGenerated) {
  // Printed once: only its hash is stored.
  console.log(`[countersign] generated admin API key (shown once, store it now): ${cs.adminKey}`);
}

const server = serve({ fetch: cs.app.fetch, port, hostname: env.HOST ?? '127.0.0.1' }, (info) => {
  console.log(`[countersign] listening on http://${info.address}:${info.port}`);
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
