/**
 * The pattern engine where bundle size does not matter (Node: the server, tests, scripts):
 * loaded with the module, so a pattern is always checked.
 */
import { compileSource } from './compile.ts';

export type Compile = typeof compileSource;

/** Resolves once the engine is loaded (already, here). */
export const engineReady: Promise<void> = Promise.resolve();

export function loadedCompiler(): Compile | undefined {
  return compileSource;
}
