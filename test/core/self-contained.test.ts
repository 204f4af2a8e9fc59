import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findOutsidePaths } from '../support/check-self-contained.ts';

// The lint step that keeps the repository working from a lone clone.
describe('self-contained check', () => {
  const outside = ['..', 'shared', 'fixtures', 'pdfs', 'normal.pdf'].join('/');

  it('names each file and line that reads from beside the repository or a home directory', () => {
    const problems = findOutsidePaths([
      { file: 'server/src/seed.ts', text: `const a = 1;\nreadFile(path.resolve(root, '${outside}'));` },
      { file: 'bench/x.ts', text: `const home = '${['/home', 'alice', '.cache'].join('/')}';` },
      { file: 'demo/a.js', text: `fetch('${['~', '.countersign'].join('/')}')` },
    ]);
    assert.equal(problems.length, 3);
    assert.match(problems[0]!, /^server\/src\/seed\.ts:2: names a sibling folder/);
    assert.match(problems[1]!, /^bench\/x\.ts:1: names a home directory/);
    assert.match(problems[2]!, /^demo\/a\.js:1: names a home directory/);
  });

  it('passes paths inside the repository and ordinary prose', () => {
    const problems = findOutsidePaths([
      { file: 'server/src/seed.ts', text: "path.resolve(repoRoot, 'test/fixtures/pdfs')\n// shared by every badge\n" },
      { file: 'README.md', text: 'Values shared between the builder and the pad; ~30 ms.' },
    ]);
    assert.deepEqual(problems, []);
  });
});
