/**
 * The pattern engine in browsers: re2js is about 46 KB gzip, more than the signer pad's whole
 * budget, so it arrives as its own chunk, fetched as soon as core loads, while the element
 * fetches its envelope. Until then a value's pattern goes unchecked in the browser; the server
 * (which loads the engine eagerly, see eager.ts) checks it anyway.
 */
import type { compileSource } from './compile.ts';

export type Compile = typeof compileSource;

let compiler: Compile | undefined;

/** Resolves once the engine is loaded; rejects if its chunk could not be fetched. */
export const engineReady: Promise<void> = import('./compile.ts').then((m) => {
  compiler = m.compileSource;
});
// A failed fetch leaves patterns unchecked here, not an unhandled rejection on every page.
engineReady.catch(() => undefined);

export function loadedCompiler(): Compile | undefined {
  return compiler;
}
