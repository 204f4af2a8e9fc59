/**
 * Pattern benchmark: 10 KB of input (10,239 a's and a `!`, the near miss that makes a
 * backtracking engine take exponential time) against each pattern of the security review,
 * through core's compilePattern as the server runs it. Goal: each median under 5 ms. The ratio
 * to a trivial pattern (`a*`) on the same input, in the same run, shows the engine's cost does
 * not depend on the pattern's shape. Run: `node --import tsx bench/patterns.ts`.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compilePattern } from '@countersign/core';

export const GOALS = { matchMs: 5 };

const TRIVIAL = 'a*';
const HOSTILE = ['(a+)+', '(a|a)*', '(a|aa)+', 'a*a*a*a*', '\\w*\\d*\\w*\\d*\\w*\\d*\\w*'];
const INPUT = `${'a'.repeat(10 * 1024 - 1)}!`;
const RUNS = 51;

interface Row {
  pattern: string;
  firstMs: number;
  medianMs: number;
  maxMs: number;
  ratioToTrivial: number;
  goal: string;
  ok: boolean;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Each run's time for one full match of INPUT; the first includes compiling the pattern. */
function time(source: string): number[] {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const pattern = compilePattern(source);
    if (pattern.ok !== true) throw new Error(`${source} does not compile`);
    if (pattern.matches(INPUT)) throw new Error(`${source} matched a near miss`);
    times.push(performance.now() - started);
  }
  return times;
}

const median = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;

export function benchPatterns(): Row[] {
  const trivial = time(TRIVIAL);
  const trivialMedian = median(trivial);
  const row = (source: string, times: number[]): Row => {
    const medianMs = median(times);
    return {
      pattern: source,
      firstMs: round(times[0]!),
      medianMs: round(medianMs),
      maxMs: round(Math.max(...times)),
      ratioToTrivial: Math.round((medianMs / trivialMedian) * 100) / 100,
      goal: source === TRIVIAL ? 'baseline' : `< ${GOALS.matchMs} ms`,
      ok: medianMs < GOALS.matchMs,
    };
  };
  return [row(TRIVIAL, trivial), ...HOSTILE.map((source) => row(source, time(source)))];
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  console.table(benchPatterns());
}
