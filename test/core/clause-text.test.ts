import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clauseBlocksToText, parseClauseText, parseInline } from '@countersign/core';

describe('clause text format', () => {
  it('reads paragraphs, numbered and bulleted lists', () => {
    const blocks = parseClauseText(
      'The **Provider** shall deliver\nthe *Service*.\n\n1. Uptime of 99.9%.\n2) Support within\n   four hours.\n\n- one\n* two',
    );
    assert.deepEqual(blocks, [
      {
        kind: 'paragraph',
        runs: [
          { text: 'The ' },
          { text: 'Provider', bold: true },
          { text: ' shall deliver the ' },
          { text: 'Service', italic: true },
          { text: '.' },
        ],
      },
      {
        kind: 'list',
        ordered: true,
        items: [[{ text: 'Uptime of 99.9%.' }], [{ text: 'Support within four hours.' }]],
      },
      { kind: 'list', ordered: false, items: [[{ text: 'one' }], [{ text: 'two' }]] },
    ]);
  });

  it('nests italic in bold and leaves unmatched markers as text', () => {
    assert.deepEqual(parseInline('**all *of* it** and 2 * 3 *'), [
      { text: 'all ', bold: true },
      { text: 'of', bold: true, italic: true },
      { text: ' it', bold: true },
      { text: ' and 2 * 3 *' },
    ]);
  });

  it('treats HTML and script as text, in any script', () => {
    const blocks = parseClauseText('<script>alert(1)</script> Юлия 山田太郎 محمد {{customer_name}}');
    assert.equal(clauseBlocksToText(blocks), '<script>alert(1)</script> Юлия 山田太郎 محمد {{customer_name}}');
  });
});
