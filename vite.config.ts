// Library build of @countersign/elements: one ESM entry per element (its side-effect
// `define.ts`), an all-in-one `index`, shared code (lit, the client) in common chunks, and
// pdf.js as a lazy chunk with its worker emitted as an asset.
// Run from the elements workspace: `vite build --config ../../vite.config.ts`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const elements = fileURLToPath(new URL('./packages/elements/', import.meta.url));
const src = `${elements}src/`;

const WORKER_ID = 'pdfjs-dist/build/pdf.worker.min.mjs?url';

/**
 * Library mode inlines every asset as a data: URL, which would put pdf.js's 1.6 MB worker
 * inside a chunk. Emit it as a file instead and export its URL (resolved against the chunk).
 */
function pdfWorkerAsset(): Plugin {
  const resolved = '\0cs-pdf-worker-url';
  return {
    name: 'cs-pdf-worker-asset',
    enforce: 'pre',
    resolveId: (id) => (id === WORKER_ID ? resolved : undefined),
    load(id) {
      if (id !== resolved) return undefined;
      const file = createRequire(`${elements}package.json`).resolve('pdfjs-dist/build/pdf.worker.min.mjs');
      const ref = this.emitFile({ type: 'asset', name: 'pdf.worker.min.mjs', source: readFileSync(file) });
      return `export default import.meta.ROLLUP_FILE_URL_${ref};`;
    },
  };
}

/** Every `src/<element>/define.ts` present, keyed by the element's folder name. */
function elementEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const dir of readdirSync(src, { withFileTypes: true })) {
    const define = `${src}${dir.name}/define.ts`;
    if (dir.isDirectory() && dir.name !== 'internal' && existsSync(define)) entries[dir.name] = define;
  }
  return entries;
}

export default defineConfig({
  root: elements,
  // Relative asset URLs (resolved against import.meta.url), wherever a host serves dist/ from.
  base: './',
  plugins: [pdfWorkerAsset()],
  logLevel: 'warn',
  build: {
    outDir: `${elements}dist`,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    minify: true,
    // Never inline the pdf.js worker (or anything else) into a chunk as a data: URL.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    lib: {
      entry: { ...elementEntries(), index: `${src}index.ts` },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rollupOptions: {
      output: {
        chunkFileNames: 'chunks/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
        // Library mode keeps whitespace by default; ship it fully minified.
        minify: true,
      },
    },
  },
});
