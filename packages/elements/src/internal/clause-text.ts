import { html, type TemplateResult } from 'lit';
import { parseClauseText, type TextRun } from '@countersign/core';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/**
 * Clause text (core's clause text format) as lit templates: paragraphs, numbered and bulleted
 * lists, bold and italic. Each run's text goes through `content` (text with chips, merged
 * values…); nothing is ever read as HTML. Shared by the clause library's preview, the clause
 * document editor and the composer.
 */
export function renderClauseBlocks(source: string, content: (text: string) => unknown): TemplateResult[] {
  const runs = (items: TextRun[]) => items.map((run) => styled(run, content(run.text)));
  return parseClauseText(source).map((block) => {
    if (block.kind === 'paragraph') return html`<p>${runs(block.runs)}</p>`;
    const items = block.items.map((item) => html`<li>${runs(item)}</li>`);
    return block.ordered
      ? html`<ol>
          ${items}
        </ol>`
      : html`<ul>
          ${items}
        </ul>`;
  });
}

function styled(run: TextRun, content: unknown): unknown {
  if (run.bold && run.italic) return html`<strong><em>${content}</em></strong>`;
  if (run.bold) return html`<strong>${content}</strong>`;
  if (run.italic) return html`<em>${content}</em>`;
  return content;
}

/** Text with each `{{key}}` replaced by `chip(key)`; the rest stays text (lit escapes it). */
export function withPlaceholders(text: string, chip: (key: string) => TemplateResult): Array<string | TemplateResult> {
  const out: Array<string | TemplateResult> = [];
  let at = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    if (match.index > at) out.push(text.slice(at, match.index));
    out.push(chip(match[1]!));
    at = match.index + match[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}
