/**
 * Signer pad benchmark: (1) gzip size of the built `signer-pad` entry and everything it loads
 * statically (all that arrives before pdf.js), goal ≤ 35 KB; (2) time from the element being
 * connected to its first page painted (`performance.mark('cs-first-page')`) for the 19-page
 * us_constitution.pdf, in headless Chromium against the real server on loopback, goal ≤ 400 ms
 * (median of warm runs).
 *
 * Run: `npm run build && node --import tsx bench/pad.ts` (or import `benchPad`).
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { openCountersign } from '../server/src/bootstrap.ts';
import { fixturesDir, seedSigningEnvelope, type SeedOptions, type SeededEnvelope } from '../server/src/seed.ts';
import { hostPage, launchChromium, listenOnLoopback } from './support.ts';

export { launchChromium };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'packages/elements/dist');
const pdfjsBuild = path.join(path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'build');

export const GOALS = { entryGzipBytes: 35 * 1024, firstPageMs: 400 };

export interface BundleSize {
  files: Array<{ file: string; gzip: number }>;
  gzipBytes: number;
}

/** The entry and its static imports, transitively; dynamic `import()`s (pdf.js) are left out. */
export async function entryGzipSize(entry = 'signer-pad.js'): Promise<BundleSize> {
  const seen = new Set<string>();
  const files: BundleSize['files'] = [];
  const visit = async (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = await readFile(path.join(dist, file), 'utf8');
    files.push({ file, gzip: gzipSync(code, { level: 9 }).length });
    const statics = /(?:^|[;\s}])(?:import|export)\s*(?:[^'"`()]*?from\s*)?["'`](\.{1,2}\/[^"'`]+)["'`]/g;
    for (const match of code.matchAll(statics)) {
      await visit(path.posix.normalize(path.posix.join(path.posix.dirname(file), match[1]!)));
    }
  };
  await visit(entry);
  return { files, gzipBytes: files.reduce((sum, f) => sum + f.gzip, 0) };
}

export interface PadHarness {
  url: string;
  adminKey: string;
  seed(options?: SeedOptions): Promise<SeededEnvelope>;
  /** A page that loads the built signer pad with `token` (query `token`, `width`). */
  pageUrl(token: string): string;
  /** The same document painted by bare pdf.js: the floor the pad is measured against. */
  bareUrl(token: string): string;
  close(): Promise<void>;
}

const PAGE = hostPage(
  'Signer pad',
  `  await import('/dist/signer-pad.js');
  const params = new URLSearchParams(location.search);
  const el = document.createElement('cs-signer-pad');
  el.server = location.origin;
  el.token = params.get('token');
  if (params.get('theme') === 'dark') {
    document.body.style.background = '#0d1117';
    el.style.cssText = '--cs-surface:#161b22;--cs-text:#e6edf3;--cs-accent:#4c8dff';
  }
  window.__connectedAt = performance.now();
  document.body.append(el);`,
);

/**
 * The floor: bare pdf.js (the same pdfjs-dist the pad bundles) fetching the same signing document
 * with the same token and painting page 1 at the pad's width, from the moment the page asks for
 * pdf.js. What the pad adds on top is its own cost.
 */
const BARE_PAGE = hostPage(
  'Bare pdf.js',
  `  window.__connectedAt = performance.now();
  const pdfjs = await import('/pdfjs/pdf.min.mjs');
  pdfjs.GlobalWorkerOptions.workerSrc = '/pdfjs/pdf.worker.min.mjs';
  const token = new URLSearchParams(location.search).get('token');
  const doc = await pdfjs.getDocument({
    url: '/api/v1/signing/document',
    httpHeaders: { authorization: 'Bearer ' + token },
  }).promise;
  const page = await doc.getPage(1);
  const base = page.getViewport({ scale: 1 });
  const viewport = page.getViewport({ scale: ((document.body.clientWidth - 24) / base.width) * devicePixelRatio });
  const canvas = document.createElement('canvas');
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  document.body.append(canvas);
  await page.render({ canvasContext: canvas.getContext('2d'), viewport }).promise;
  performance.mark('cs-first-page');`,
);

/** The real server (temp data dir) plus the built elements and a host page, on loopback. */
export async function startPadHarness(): Promise<PadHarness> {
  if (!existsSync(path.join(dist, 'signer-pad.js'))) throw new Error('Build first: npm run build');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cs-bench-'));
  const cs = await openCountersign({ dataDir, allowedOrigins: ['*'] });
  const adminKey = cs.adminKey!;
  const host = new Hono();
  host.get('/pad.html', (c) => c.html(PAGE));
  host.get('/bare.html', (c) => c.html(BARE_PAGE));
  host.use(
    '/pdfjs/*',
    serveStatic({
      root: path.relative(process.cwd(), pdfjsBuild),
      rewriteRequestPath: (p) => p.replace(/^\/pdfjs/, ''),
    }),
  );
  host.use('/dist/*', serveStatic({ root: path.relative(process.cwd(), path.join(dist, '..')) }));
  host.all('/api/*', (c) => cs.app.fetch(c.req.raw));
  const { url, close } = await listenOnLoopback(host);
  return {
    url,
    adminKey,
    seed: (options) => seedSigningEnvelope(cs.app, adminKey, options),
    pageUrl: (token) => `${url}/pad.html?token=${encodeURIComponent(token)}`,
    bareUrl: (token) => `${url}/bare.html?token=${encodeURIComponent(token)}`,
    close: async () => {
      await close();
      await cs.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const FIRST_PAGE_SCRIPT = `new Promise((resolve, reject) => {
  const timeout = setTimeout(() => reject(new Error('no first page within 15 s')), 15000);
  const check = () => {
    const start = window.__connectedAt;
    const mark = performance.getEntriesByName('cs-first-page')[0];
    if (mark && start !== undefined) { clearTimeout(timeout); resolve(mark.startTime - start); }
    else requestAnimationFrame(check);
  };
  check();
})`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface PadBenchResult {
  entry: BundleSize;
  firstPage: { runs: number[]; medianMs: number };
  bare: { runs: number[]; medianMs: number };
  ratios: { entry: number; firstPage: number; toBare: number };
}

export async function benchPad(options: { runs?: number; warmups?: number } = {}): Promise<PadBenchResult> {
  const runs = options.runs ?? 9;
  const warmups = options.warmups ?? 2;
  const entry = await entryGzipSize();
  const harness = await startPadHarness();
  const browser = await launchChromium();
  try {
    const seeded = await harness.seed({ pdfPath: path.join(fixturesDir(), 'us_constitution.pdf') });
    const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
    const page = await context.newPage();
    const times: number[] = [];
    const bare: number[] = [];
    // Pad and bare pdf.js alternate, so both see the same machine at the same moment.
    for (let i = 0; i < warmups + runs; i++) {
      for (const [url, into] of [
        [harness.pageUrl(seeded.session.token), times],
        [harness.bareUrl(seeded.session.token), bare],
      ] as const) {
        await page.goto(url);
        // A string, not a function: tsx's name helpers do not exist in the page.
        const ms = (await page.evaluate(FIRST_PAGE_SCRIPT)) as number;
        if (i >= warmups) into.push(ms);
      }
    }
    await context.close();
    const medianMs = median(times);
    const bareMs = median(bare);
    const result = {
      entry,
      firstPage: { runs: times.map((t) => Math.round(t)), medianMs },
      bare: { runs: bare.map((t) => Math.round(t)), medianMs: bareMs },
      ratios: {
        entry: entry.gzipBytes / GOALS.entryGzipBytes,
        firstPage: medianMs / GOALS.firstPageMs,
        toBare: medianMs / bareMs,
      },
    };
    printPadResult(result);
    return result;
  } finally {
    await browser.close();
    await harness.close();
  }
}

function printPadResult(result: PadBenchResult): void {
  for (const f of result.entry.files) console.log(`  ${f.file.padEnd(40)} ${(f.gzip / 1024).toFixed(1)} KB gzip`);
  console.log(
    `signer-pad entry before pdf.js: ${(result.entry.gzipBytes / 1024).toFixed(1)} KB gzip ` +
      `(goal ${GOALS.entryGzipBytes / 1024} KB, ratio ${result.ratios.entry.toFixed(2)})`,
  );
  console.log(
    `first page painted (us_constitution.pdf, 19 pages): median ${result.firstPage.medianMs.toFixed(0)} ms ` +
      `of ${result.firstPage.runs.length} warm runs [${result.firstPage.runs.join(', ')}] ` +
      `(goal ${GOALS.firstPageMs} ms, ratio ${result.ratios.firstPage.toFixed(2)})`,
  );
  console.log(
    `bare pdf.js, same document and token, same run: median ${result.bare.medianMs.toFixed(0)} ms ` +
      `[${result.bare.runs.join(', ')}]; the pad takes ${result.ratios.toBare.toFixed(2)}× the floor`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await benchPad();
}
