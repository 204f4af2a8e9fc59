/**
 * Patterns that legal or admin write (a text variable's `pattern`, a field's pattern
 * validation) run against what agents and signers type, on the server and in the browser. A
 * backtracking engine (RegExp) can take exponential time on a near miss (`(a+)+` against 27 a's
 * and a `!` took 9 s), so they run on re2js, a linear-time engine, and only through here.
 *
 * The language is JavaScript's (`u` flag), less what a linear-time engine cannot do:
 * backreferences and lookaround are refused with a message that says so. A pattern always
 * matches the whole value.
 */
import { engineReady, loadedCompiler } from '#pattern-engine';

/** A pattern that compiled: `matches` says whether the whole of `text` matches it. */
export interface PatternMatcher {
  readonly ok: true;
  readonly source: string;
  matches(text: string): boolean;
}

/** Why a pattern cannot be used: not a regular expression at all, or one the engine refuses. */
export interface PatternError {
  readonly ok: false;
  readonly code: 'pattern-invalid' | 'pattern-unsupported';
  readonly message: string;
}

/** Only in a browser, until the engine's chunk has arrived (see `patternEngineReady`). */
export interface PatternPending {
  readonly ok: 'pending';
}

/** Resolves once patterns can be checked (at once on the server). */
export const patternEngineReady: Promise<void> = engineReady;

const INVALID: PatternError = {
  ok: false,
  code: 'pattern-invalid',
  message: 'The pattern is not a valid regular expression',
};

const cache = new Map<string, PatternMatcher | PatternError>();
const CACHE_LIMIT = 500;

/**
 * Compiles a legal- or admin-written pattern for full-value matching in linear time; the
 * result is cached by source. In a browser it is `{ ok: 'pending' }` until the engine has
 * loaded; on the server never.
 */
export function compilePattern(source: string): PatternMatcher | PatternError | PatternPending {
  const known = cache.get(source);
  if (known) return known;
  try {
    // Compiled by RegExp only to know that it is JavaScript's syntax (nothing is matched): the
    // two languages overlap, and a pattern RE2 alone accepts, like (?i)a, is not ours.
    new RegExp(source, 'u');
  } catch {
    return INVALID;
  }
  const compile = loadedCompiler();
  if (!compile) return { ok: 'pending' };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  const compiled = compile(source);
  cache.set(source, compiled);
  return compiled;
}

/** Whether all of `text` matches `source`; undefined when the pattern cannot say (see compilePattern). */
export function matchesPattern(source: string, text: string): boolean | undefined {
  const pattern = compilePattern(source);
  return pattern.ok === true ? pattern.matches(text) : undefined;
}

/** Why `source` cannot be a pattern, or undefined when it can (or the browser's engine is still loading). */
export function patternError(source: string): PatternError | undefined {
  const pattern = compilePattern(source);
  return pattern.ok === false ? pattern : undefined;
}
