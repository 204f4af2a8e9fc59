// `npm run serve`: the bare API server, configured by the environment, no demo data.
import { openCountersign } from './bootstrap.ts';
import { configOrExit, listen } from './env.ts';

const config = configOrExit();
const cs = await openCountersign(config.options);

if (cs.adminKeyGenerated) {
  // Printed once: only its hash is stored.
  console.log(`[countersign] generated admin API key (shown once, store it now): ${cs.adminKey}`);
}

listen(
  config,
  cs.app.fetch,
  () => cs.close(),
  (info) => {
    console.log(`[countersign] listening on http://${info.address}:${info.port}`);
  },
);
