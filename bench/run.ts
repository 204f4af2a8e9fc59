/**
 * `npm run bench`: every performance goal of the product, measured on this machine and
 * printed as medians and ratios to goal. Run one part with `npm run bench -- seal|compose|store|pad|builder|attachments|patterns`.
 */
const parts = {
  seal: async () => (await import('./seal.ts')).benchSeal(),
  compose: async () => (await import('./compose.ts')).benchCompose(),
  store: async () => (await import('./store.ts')).benchStore(),
  pad: async () => (await import('./pad.ts')).benchPad(),
  builder: async () => (await import('./builder.ts')).benchBuilder(),
  attachments: async () => (await import('./attachments.ts')).benchAttachments(),
  patterns: async () => (await import('./patterns.ts')).benchPatterns(),
} as const;

type Part = keyof typeof parts;

const wanted = process.argv.slice(2).filter((arg): arg is Part => arg in parts);
const run = wanted.length ? wanted : (Object.keys(parts) as Part[]);

let failed = false;
for (const part of run) {
  console.log(`\n== ${part}`);
  try {
    const rows: unknown = await parts[part]();
    if (Array.isArray(rows) && rows.length) console.table(rows);
  } catch (error) {
    failed = true;
    console.error(`bench ${part} failed:`, error);
  }
}
process.exitCode = failed ? 1 : 0;

export {};
