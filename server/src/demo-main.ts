/**
 * `npm start`: the Countersign server on its embedded store, seeded once with demo data, plus
 * the Northwind Fibre demo site (demo/) and the built elements, all on one origin.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCountersign } from './bootstrap.ts';
import { configOrExit, listen } from './env.ts';
import { clearPendingAdminKey, readPendingAdminKey, seedDemo, writePendingAdminKey } from './demo/seed-demo.ts';
import { createDemoSite, demoPaths } from './demo/site.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const config = configOrExit();
const { publicUrl } = config;
const dataDir = config.options.dataDir;
// A first start that failed before it printed its generated admin key left the key pending: this
// start finishes the setup with it and prints it (see pendingAdminKeyFile).
const pendingKey = config.options.adminKey ? undefined : await readPendingAdminKey(dataDir);
const cs = await openCountersign(pendingKey ? { ...config.options, adminKey: pendingKey } : config.options);
if (cs.adminKeyGenerated && cs.adminKey) await writePendingAdminKey(dataDir, cs.adminKey);
const keyToPrint = cs.adminKeyGenerated ? cs.adminKey : pendingKey;

let state;
try {
  state = await seedDemo(cs.app, {
    dataDir,
    adminKey: cs.adminKey,
    log: (line) => console.log(`[countersign] ${line}`),
  });
} catch (err) {
  console.error(`[countersign] ${(err as Error).message}`);
  if (keyToPrint) {
    console.error('[countersign] The demo is not set up yet: the next start finishes it and prints the admin key.');
  }
  await cs.close();
  process.exit(1);
}

const site = createDemoSite({ app: cs.app, state, ...demoPaths(repoRoot) });

listen(
  config,
  site.fetch,
  () => cs.close(),
  (info) => {
    const lines = [
      '',
      `  Countersign demo — Northwind Fibre (data in ${dataDir})`,
      `    start page      ${publicUrl}/demo/`,
      `    customer        ${publicUrl}/demo/account.html`,
      `    agent console   ${publicUrl}/demo/agent.html`,
      `    evidence        ${publicUrl}/demo/evidence.html`,
      `    API             ${publicUrl}/api/v1/openapi.json`,
    ];
    if (keyToPrint) lines.push('', `  Admin API key (shown once, only its hash is stored): ${keyToPrint}`);
    lines.push('', `[countersign] listening on http://${info.address}:${info.port}`);
    console.log(lines.join('\n'));
    if (keyToPrint) {
      clearPendingAdminKey(dataDir).catch((err: Error) => console.error(`[countersign] ${err.message}`));
    }
  },
);
