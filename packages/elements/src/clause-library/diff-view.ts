import { html, type TemplateResult } from 'lit';
import type { DiffPart } from '@countersign/core';

export interface DiffLabels {
  before: string;
  after: string;
  deleted: string;
  inserted: string;
  end: string;
}

/**
 * One field of a diff as two columns: the old text with deletions struck out, the new text
 * with insertions underlined. <del>/<ins> plus hidden "[deleted: …]" markers, so the change
 * is not told by colour alone and screen readers announce it.
 */
export function renderDiffColumns(parts: readonly DiffPart[], labels: DiffLabels): TemplateResult {
  const before = parts
    .filter((p) => p.op !== 'insert')
    .map((p) =>
      p.op === 'delete'
        ? html`<del part="diff-delete"
            ><span class="visually-hidden">${labels.deleted}</span>${p.text}<span class="visually-hidden"
              >${labels.end}</span
            ></del
          >`
        : p.text,
    );
  const after = parts
    .filter((p) => p.op !== 'delete')
    .map((p) =>
      p.op === 'insert'
        ? html`<ins part="diff-insert"
            ><span class="visually-hidden">${labels.inserted}</span>${p.text}<span class="visually-hidden"
              >${labels.end}</span
            ></ins
          >`
        : p.text,
    );
  return html`<div class="diff-columns">
    <div class="diff-column before">
      <div class="diff-label">${labels.before}</div>
      <div class="diff-text">${before}</div>
    </div>
    <div class="diff-column after">
      <div class="diff-label">${labels.after}</div>
      <div class="diff-text">${after}</div>
    </div>
  </div>`;
}
