import { html, nothing, type TemplateResult } from 'lit';
import { parseClauseText, type TextRun } from '@countersign/core';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/** Text with its {{variables}} as chips; everything else stays text (lit escapes it). */
function withVariables(text: string, variableLabel: string): Array<string | TemplateResult> {
  const out: Array<string | TemplateResult> = [];
  let at = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    if (match.index > at) out.push(text.slice(at, match.index));
    out.push(
      html`<span class="variable" part="variable"
        ><span class="visually-hidden">${variableLabel} </span>${match[1]}</span
      >`,
    );
    at = match.index + match[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

function run(r: TextRun, variableLabel: string): TemplateResult | Array<string | TemplateResult> {
  const content = withVariables(r.text, variableLabel);
  if (r.bold && r.italic) return html`<strong><em>${content}</em></strong>`;
  if (r.bold) return html`<strong>${content}</strong>`;
  if (r.italic) return html`<em>${content}</em>`;
  return content;
}

/**
 * Clause text (core's clause text format) as formatted DOM: paragraphs, lists, bold, italic
 * and {{variables}} as chips. Built from parseClauseText's blocks, never from HTML strings.
 */
export function renderClauseText(source: string, variableLabel: string): TemplateResult | typeof nothing {
  const blocks = parseClauseText(source);
  if (!blocks.length) return nothing;
  return html`${blocks.map((block) => {
    if (block.kind === 'paragraph') return html`<p>${block.runs.map((r) => run(r, variableLabel))}</p>`;
    const items = block.items.map((item) => html`<li>${item.map((r) => run(r, variableLabel))}</li>`);
    return block.ordered
      ? html`<ol>
          ${items}
        </ol>`
      : html`<ul>
          ${items}
        </ul>`;
  })}`;
}
