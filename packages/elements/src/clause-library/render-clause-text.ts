import { html, nothing, type TemplateResult } from 'lit';
import { renderClauseBlocks, withPlaceholders } from '../internal/clause-text.ts';

/**
 * Clause text as formatted DOM for the library's preview: paragraphs, lists, bold, italic and
 * {{variables}} as chips. Built from parseClauseText's blocks, never from HTML strings.
 */
export function renderClauseText(source: string, variableLabel: string): TemplateResult | typeof nothing {
  const blocks = renderClauseBlocks(source, (text) =>
    withPlaceholders(
      text,
      (key) =>
        html`<span class="variable" part="variable"
          ><span class="visually-hidden">${variableLabel} </span>${key}</span
        >`,
    ),
  );
  return blocks.length ? html`${blocks}` : nothing;
}
