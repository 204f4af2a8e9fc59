import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shapeLine, subsetFor } from '../src/pdf/fonts.ts';

// Runs in its own process (node --test), so the font caches start empty, as in a fresh server.
describe('the text each printed glyph stands for (ToUnicode)', () => {
  it('keeps Latin letters whose glyphs were first loaded as components of Cyrillic ones', async () => {
    // Cyrillic А, Р, М… are composites of the Latin glyphs in Noto Sans: subsetting them loads
    // the Latin glyphs by id, with no code points, into fontkit's per-font glyph cache.
    const cyrillic = shapeLine('АРМ', 'regular').flatMap((run) => run.glyphs.map((g) => g.id));
    await subsetFor('sans', cyrillic);
    const latin = shapeLine('PLACEDMARK', 'regular').flatMap((run) => run.glyphs);
    assert.equal(latin.map((g) => g.text).join(''), 'PLACEDMARK');
  });

  it('still gives a ligature or shaped glyph the text it stands for', () => {
    const arabic = shapeLine('محمد', 'regular').flatMap((run) => run.glyphs);
    assert.equal(
      arabic
        .map((g) => g.text)
        .sort()
        .join(''),
      [...'محمد'].sort().join(''),
    );
  });
});
