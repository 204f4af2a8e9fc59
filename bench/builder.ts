/**
 * Template builder benchmark: frame times while a field is dragged across a page of a 50-page
 * document and while it is held at the edge so the pages scroll under it, in headless Chromium against the real server (in-process, loopback). The document
 * is generated with pdf-lib and uploaded through the builder's own upload path; a rAF loop in
 * the page records every frame while the pointer moves. Goal: 16.7 ms a frame (60 fps).
 *
 * Run: `node --import tsx bench/builder.ts` (or import `benchBuilder`). It bundles the element
 * itself (Vite, into a temp dir), so it needs no `npm run build`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { build, type Plugin } from 'vite';
import { openCountersign } from '../server/src/bootstrap.ts';
import { hostPage, launchChromium, listenOnLoopback } from './support.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const elements = path.join(root, 'packages/elements');
const pdfjsBuild = path.join(root, 'node_modules/pdfjs-dist/build');

export const GOALS = { frameMs: 1000 / 60 };

const PAGE = hostPage(
  'Template builder',
  `  await import('/bundle/template-builder.js');
  const params = new URLSearchParams(location.search);
  const el = document.createElement('cs-template-builder');
  el.server = location.origin;
  el.token = params.get('token');
  el.style.cssText = '--cs-viewer-height:' + (params.get('height') || '760') + 'px';
  document.body.append(el);
  window.builder = el;
  if (params.get('pdf')) {
    const bytes = await (await fetch(params.get('pdf'))).arrayBuffer();
    await el.updateComplete;
    await el.upload(new File([bytes], params.get('name') || 'document.pdf', { type: 'application/pdf' }));
  }`,
);

/** Vite's `?url` import of pdf.js's worker, answered with the copy the harness serves. */
function workerUrl(): Plugin {
  const id = '\0cs-bench-worker-url';
  return {
    name: 'cs-bench-worker-url',
    enforce: 'pre',
    resolveId: (source) => (source === 'pdfjs-dist/build/pdf.worker.min.mjs?url' ? id : undefined),
    load: (source) => (source === id ? `export default '/pdfjs/pdf.worker.min.mjs';` : undefined),
  };
}

/** A PDF of `pages` Letter pages with some text on each (what legal uploads, roughly). */
export async function generatedPdf(pages: number): Promise<Uint8Array<ArrayBuffer>> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const page = pdf.addPage([612, 792]);
    page.drawText(`Master services agreement — page ${i} of ${pages}`, { x: 72, y: 720, size: 14, font });
    for (let line = 0; line < 40; line++) {
      page.drawText(`${i}.${line + 1} The supplier shall provide the services described in schedule ${i}.`, {
        x: 72,
        y: 690 - line * 15,
        size: 10,
        font,
      });
    }
  }
  return new Uint8Array(await pdf.save());
}

export interface BuilderHarness {
  url: string;
  /** A legal embed token for the builder. */
  token: string;
  /** The host page: the builder, and (with `pdf`) a document uploaded through it. */
  pageUrl(options?: { pdf?: string; name?: string; height?: number }): string;
  close(): Promise<void>;
}

/** The real server (temp data dir), the element bundled by Vite, a host page and PDFs, on loopback. */
export async function startBuilderHarness(
  files: Record<string, Uint8Array<ArrayBuffer>> = {},
): Promise<BuilderHarness> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cs-bench-builder-'));
  const bundle = path.join(dataDir, 'bundle');
  await build({
    configFile: false,
    root: elements,
    logLevel: 'warn',
    plugins: [workerUrl()],
    build: {
      outDir: bundle,
      emptyOutDir: true,
      target: 'es2022',
      minify: true,
      reportCompressedSize: false,
      lib: {
        entry: { 'template-builder': path.join(elements, 'src/template-builder/define.ts') },
        formats: ['es'],
        fileName: (_format, name) => `${name}.js`,
      },
    },
  });
  const cs = await openCountersign({ dataDir: path.join(dataDir, 'data'), allowedOrigins: ['*'] });
  const response = await cs.app.request('/api/v1/embed-tokens', {
    method: 'POST',
    headers: { authorization: `Bearer ${cs.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'legal', user: { id: 'u_bench', name: 'Ἀθηνᾶ', email: 'legal@example.com' } }),
  });
  if (!response.ok) throw new Error(`embed token: ${response.status} ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };

  const host = new Hono();
  host.get('/builder.html', (c) => c.html(PAGE));
  host.get('/bundle/*', async (c) => {
    const file = path.join(bundle, path.normalize(c.req.path.slice('/bundle/'.length)));
    if (!file.startsWith(bundle)) return c.notFound();
    return c.body(await readFile(file), 200, { 'content-type': 'text/javascript' });
  });
  host.get('/pdfjs/:file', async (c) => {
    const file = path.join(pdfjsBuild, path.basename(c.req.param('file')));
    return c.body(await readFile(file), 200, { 'content-type': 'text/javascript' });
  });
  host.get('/files/:name', (c) => {
    const bytes = files[c.req.param('name')];
    return bytes ? c.body(bytes, 200, { 'content-type': 'application/pdf' }) : c.notFound();
  });
  host.all('/api/*', (c) => cs.app.fetch(c.req.raw));
  const { url, close } = await listenOnLoopback(host);
  return {
    url,
    token,
    pageUrl: (options = {}) => {
      const query = new URLSearchParams({ token });
      if (options.pdf) query.set('pdf', `/files/${options.pdf}`);
      if (options.name) query.set('name', options.name);
      if (options.height) query.set('height', String(options.height));
      return `${url}/builder.html?${query}`;
    },
    close: async () => {
      await close();
      await cs.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// Strings, not functions: tsx's name helpers do not exist in the page.
const START_FRAMES = `(() => {
  window.__frames = [];
  let last = performance.now();
  window.__recording = true;
  const tick = (now) => {
    window.__frames.push(now - last);
    last = now;
    if (window.__recording) requestAnimationFrame(tick);
  };
  requestAnimationFrame((now) => { last = now; requestAnimationFrame(tick); });
})()`;
const STOP_FRAMES = `(() => { window.__recording = false; return window.__frames; })()`;

/** Frame times of one way of dragging. */
export interface FrameStats {
  what: string;
  frames: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  ratioMedian: number;
  ratioP95: number;
}

function stats(what: string, frames: number[]): FrameStats {
  const medianMs = percentile(frames, 50);
  const p95Ms = percentile(frames, 95);
  return {
    what,
    frames: frames.length,
    medianMs: Math.round(medianMs * 10) / 10,
    p95Ms: Math.round(p95Ms * 10) / 10,
    maxMs: Math.round(Math.max(...frames) * 10) / 10,
    ratioMedian: Math.round((medianMs / GOALS.frameMs) * 100) / 100,
    ratioP95: Math.round((p95Ms / GOALS.frameMs) * 100) / 100,
  };
}

/**
 * Two drags on a 50-page document: (1) across page 1 and back, one pointer move a step;
 * (2) held at the viewer's bottom edge, so the builder scrolls the pages under the field
 * (pages are drawn as they come into view) until it reaches page `pages / 2`.
 */
export async function benchBuilder(options: { pages?: number; moves?: number } = {}): Promise<FrameStats[]> {
  const pages = options.pages ?? 50;
  const moves = options.moves ?? 240;
  const harness = await startBuilderHarness({ 'msa.pdf': await generatedPdf(pages) });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(harness.pageUrl({ pdf: 'msa.pdf', name: 'msa.pdf' }));
    const builder = page.locator('cs-template-builder');
    await builder.locator('.page[data-page="1"][data-rendered]').waitFor({ timeout: 20_000 });
    const count = await builder.locator('.page').count();
    if (count !== pages) throw new Error(`expected ${pages} pages, the builder shows ${count}`);
    // A field on page 1, from the palette (keyboard path: it lands in the middle of the page).
    await builder.locator('.palette-item[data-type="signature"]').click();
    const field = builder.locator('.field').first();
    const box = (await field.boundingBox())!;
    const pageBox = (await builder.locator('.page[data-page="1"]').boundingBox())!;
    const viewer = (await builder.locator('.viewer').boundingBox())!;
    const from = { x: box.x + box.width / 2, y: box.y + box.height / 2 };

    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.evaluate(START_FRAMES);
    for (let i = 0; i <= moves; i++) {
      const t = i / moves;
      const swing = Math.sin(t * Math.PI * 2);
      // Kept clear of the viewer's edges, where a drag scrolls the pages (measured next).
      await page.mouse.move(
        pageBox.x + pageBox.width * (0.5 + 0.45 * swing),
        viewer.y + 80 + (viewer.height - 180) * t,
      );
    }
    const across = ((await page.evaluate(STOP_FRAMES)) as number[]).slice(1);
    await page.mouse.up();

    const target = Math.floor(pages / 2);
    await field.scrollIntoViewIfNeeded();
    const start = (await field.boundingBox())!;
    await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
    await page.mouse.down();
    await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2 + 10);
    await page.evaluate(START_FRAMES);
    await page.mouse.move(start.x + start.width / 2, viewer.y + viewer.height + 60, { steps: 10 });
    await page.waitForFunction(
      (n) => {
        const root = document.querySelector('cs-template-builder')!.shadowRoot!;
        const p = root.querySelector(`.page[data-page="${n}"]`)!.getBoundingClientRect();
        return p.top < root.querySelector('.viewer')!.getBoundingClientRect().bottom;
      },
      target,
      { timeout: 60_000, polling: 100 },
    );
    const scrolled = ((await page.evaluate(STOP_FRAMES)) as number[]).slice(1);
    await page.mouse.move(start.x + start.width / 2, viewer.y + viewer.height - 150, { steps: 2 });
    await page.mouse.up();
    await context.close();

    const rows = [
      stats(`drag across page 1 of ${pages} (${moves} pointer moves)`, across),
      stats(`drag held at the edge, pages scrolling 1 → ${target}`, scrolled),
    ];
    for (const r of rows) {
      console.log(
        `${r.what}: ${r.frames} frames, median ${r.medianMs} ms, p95 ${r.p95Ms} ms, max ${r.maxMs} ms ` +
          `(goal ${GOALS.frameMs.toFixed(1)} ms; ratio median ${r.ratioMedian}, p95 ${r.ratioP95})`,
      );
    }
    return rows;
  } finally {
    await browser.close();
    await harness.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await benchBuilder();
}
