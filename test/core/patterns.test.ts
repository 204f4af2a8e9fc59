import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { compilePattern, fieldValueProblem, validateMergeData } from '@countersign/core';

/** The security review's patterns: each takes a backtracking engine exponential time on a near miss. */
const HOSTILE_PATTERNS = ['(a+)+', '(a|a)*', '(a|aa)+', 'a*a*a*a*', '\\w*\\d*\\w*\\d*\\w*\\d*\\w*'];

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

function matcher(source: string) {
  const compiled = compilePattern(source);
  assert.equal(compiled.ok, true, `${source} compiles`);
  return compiled as Extract<typeof compiled, { ok: true }>;
}

/** Near misses (all a's, then one `!`) of 28 characters, 40 characters and 10 KB; then a match. */
const INPUTS = [`${'a'.repeat(27)}!`, `${'a'.repeat(39)}!`, `${'a'.repeat(10 * 1024 - 1)}!`, 'a'.repeat(10 * 1024)];

/**
 * Runs each pattern against each input through compilePattern, a field validation and a text
 * variable, in a child process: a backtracking engine never returns from a near miss, which
 * would block this process, and its timeout, for good. Killed at `timeout`, it fails instead.
 */
async function matchInChild(
  timeout: number,
): Promise<Array<{ compiled: boolean[]; field: boolean[]; variable: boolean[] }>> {
  const script = `
    import { compilePattern, fieldValueProblem, validateMergeData } from '@countersign/core';
    const { patterns, inputs } = JSON.parse(process.argv[1]);
    const rows = patterns.map((pattern) => ({
      compiled: inputs.map((input) => compilePattern(pattern).matches(input)),
      field: inputs.map((input) => !fieldValueProblem({ type: 'text', validation: { kind: 'pattern', pattern } }, input)),
      variable: inputs.map((input) => !validateMergeData([{ key: 'k', type: 'text', pattern }], { k: input }).length),
    }));
    process.stdout.write(JSON.stringify(rows));`;
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
      JSON.stringify({ patterns: HOSTILE_PATTERNS, inputs: INPUTS }),
    ],
    { cwd: root, timeout, maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as Awaited<ReturnType<typeof matchInChild>>;
}

// With RegExp each of these hangs (27 a's and a ! took 8.9 s; 40 never finished).
describe('hostile patterns run in linear time', () => {
  it(
    "refuse near misses of 28, 40 and 10 KB characters and accept 10 KB of a's, everywhere",
    { timeout: 30_000 },
    async () => {
      const rows = await matchInChild(25_000);
      const expected = [false, false, false, true];
      rows.forEach((row, i) => {
        assert.deepEqual(row.compiled, expected, `compilePattern ${HOSTILE_PATTERNS[i]}`);
        assert.deepEqual(row.field, expected, `field validation ${HOSTILE_PATTERNS[i]}`);
        assert.deepEqual(row.variable, expected, `variable ${HOSTILE_PATTERNS[i]}`);
      });
      assert.equal(rows.length, HOSTILE_PATTERNS.length);
    },
  );
});

describe('compilePattern', () => {
  it('matches the whole value, as the anchored RegExp did', () => {
    const rma = matcher('RMA-[0-9]{5}');
    assert.equal(rma.matches('RMA-12345'), true);
    assert.equal(rma.matches('RMA-1234'), false);
    assert.equal(rma.matches('xRMA-12345'), false);
    assert.equal(rma.matches('RMA-12345x'), false);
    assert.equal(rma.matches('RMA-12345\n'), false);
    const alt = matcher('a|b');
    assert.equal(alt.matches('ab'), false);
    assert.equal(alt.matches('b'), true);
  });

  it('keeps ordinary patterns working: email-ish, unicode classes and escapes, named groups', () => {
    const email = matcher('[^\\s@]+@[^\\s@]+\\.[a-z]{2,}');
    assert.equal(email.matches('ana@example.com'), true);
    assert.equal(email.matches('ana@example'), false);
    const name = matcher('\\p{Lu}\\p{Ll}+(?: \\p{L}+)*');
    assert.equal(name.matches('Zoë Ørsted'), true);
    assert.equal(name.matches('zoë'), false);
    assert.equal(matcher('caf\\u00e9').matches('café'), true);
    assert.equal(matcher('\\u{1F600}+').matches('😀😀'), true);
    assert.equal(matcher('.').matches('😀'), true, 'one code point, as with the u flag');
    assert.equal(matcher('(?<year>\\d{4})-\\d{2}').matches('2026-12'), true);
    assert.equal(matcher('PO-\\d{4}|N/A').matches('N/A'), true);
    assert.equal(matcher('').matches(''), true);
  });

  it('refuses what is not a JavaScript regular expression, even where RE2 would take it', () => {
    for (const source of ['([a-z', 'a)|(b', '*', '(?i)abc', 'a{,3}', '\\x{41}'])
      assert.deepEqual(compilePattern(source), {
        ok: false,
        code: 'pattern-invalid',
        message: 'The pattern is not a valid regular expression',
      });
  });

  it('refuses backreferences and lookaround and says why', () => {
    const why = (source: string) => {
      const compiled = compilePattern(source);
      assert.equal(compiled.ok, false, source);
      assert.equal((compiled as { code: string }).code, 'pattern-unsupported', source);
      return (compiled as { message: string }).message;
    };
    for (const source of ['(a)\\1', '(?<y>\\d)-\\k<y>'])
      assert.match(why(source), /^Backreferences \(\\1, \\k<name>\) are not supported: .*linear-time engine/);
    for (const source of ['a(?=b)', 'a(?!b)', '(?<=a)b', '(?<!a)b'])
      assert.match(why(source), /^Lookahead and lookbehind .* are not supported: .*linear-time engine/);
    // Anything else RE2 refuses is named by its own words.
    assert.match(why('\\p{Script=Greek}'), /^This pattern is not supported \(invalid character class range/);
    // Inside a class or escaped, these are plain characters.
    assert.equal(matcher('[(?=]+\\(\\?=').matches('?=(?='), true);
  });

  it('leaves a stored pattern it cannot use unchecked, as an invalid one always was', () => {
    const validation = { kind: 'pattern' as const, pattern: 'a(?=b)' };
    assert.equal(fieldValueProblem({ type: 'text', validation }, 'anything'), undefined);
    assert.deepEqual(validateMergeData([{ key: 'k', type: 'text', pattern: '(a)\\1' }], { k: 'x' }), []);
  });
});
