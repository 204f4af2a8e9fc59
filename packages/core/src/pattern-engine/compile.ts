/**
 * Compiling a pattern with re2js, with the reasons it refuses one. Loaded with the engine
 * (lazily in browsers, see lazy.ts), so none of it weighs on the elements' first load.
 */
import { RE2JS } from 're2js';
import type { PatternError, PatternMatcher } from '../patterns.ts';

/** What a linear-time engine cannot do, named for the person who wrote it. */
const UNSUPPORTED: Array<[RegExp, string]> = [
  [/\\[1-9]|\\k</, 'Backreferences (\\1, \\k<name>) are not supported'],
  [/\(\?<?[=!]/, 'Lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported'],
];
const WHY = 'patterns are checked by a linear-time engine, so that no value can take long to check';

function unsupported(source: string, engineSaid: string): PatternError {
  // Outside character classes only: [\1] or [(?=] are plain characters.
  const bare = source.replace(/\\./gs, (escape) => (escape === '\\k' || /^\\[1-9]$/.test(escape) ? escape : '__'));
  const outside = bare.replace(/\[(?:[^\]\\]|\\.)*\]/g, '');
  const found = UNSUPPORTED.find(([shape]) => shape.test(outside));
  const what = found
    ? found[1]
    : `This pattern is not supported (${engineSaid.replace(/^error parsing regexp: /, '')})`;
  return { ok: false, code: 'pattern-unsupported', message: `${what}: ${WHY}` };
}

/** Compiles a source that is already known to be JavaScript's syntax (see compilePattern). */
export function compileSource(source: string): PatternMatcher | PatternError {
  // translateRegExp reads \k<name> as a literal k; a backreference must be refused instead.
  if (/(?:^|[^\\])(?:\\\\)*\\k</.test(source)) return unsupported(source, '');
  try {
    const re = RE2JS.compile(RE2JS.translateRegExp(source));
    return { ok: true, source, matches: (text) => re.testExact(text) };
  } catch (error) {
    return unsupported(source, error instanceof Error ? error.message : String(error));
  }
}
