import { css } from 'lit';
import { controlLook, fields, focusRing, hostBase, tokens } from './styles.ts';

const own = css`
  :host {
    --_muted: color-mix(in srgb, var(--_text) 68%, var(--_surface));
    --_border: color-mix(in srgb, var(--_text) 35%, var(--_surface));
  }
  fieldset {
    margin: 0;
    padding: 0;
    border: 0;
    min-width: 0;
  }
  legend {
    padding: 0;
    font-weight: 600;
    margin-bottom: 0.25rem;
  }
  .modes {
    display: flex;
    flex-wrap: wrap;
    gap: 0 1rem;
  }
  .modes label {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    min-height: 44px;
    cursor: pointer;
  }
  input[type='radio'] {
    width: 1.125rem;
    height: 1.125rem;
    margin: 0;
    accent-color: var(--_accent);
  }
  button {
    ${controlLook}
  }
  select,
  input:not([type='radio'], [type='checkbox']),
  textarea,
  button {
    padding: 0.375rem 0.5rem;
  }
  textarea {
    width: 100%;
    min-height: 7rem;
    font-family: var(--cs-mono-font, ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace);
    font-size: 0.875rem;
    resize: vertical;
  }
  button {
    cursor: pointer;
  }
  [aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .rules {
    list-style: none;
    margin: 0.5rem 0;
    padding: 0;
    display: grid;
    gap: 0.5rem;
  }
  .rule {
    display: grid;
    grid-template-columns: minmax(0, 1.2fr) minmax(0, 1fr) minmax(0, 1.2fr) auto;
    gap: 0.375rem;
    align-items: end;
  }
  .rule label {
    display: grid;
    gap: 0.125rem;
    font-size: 0.8125rem;
    color: var(--_muted);
    min-width: 0;
  }
  .rule :is(select, input:not([type='checkbox'])) {
    width: 100%;
    min-width: 0;
    font-size: 1rem;
    color: var(--_text);
  }
  .choices {
    display: flex;
    flex-wrap: wrap;
    gap: 0 0.75rem;
    min-width: 0;
  }
  .choices legend {
    font-weight: 400;
    font-size: 0.8125rem;
    color: var(--_muted);
    margin-bottom: 0.125rem;
  }
  .rule .choices label.choice {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    min-height: 44px;
    font-size: 1rem;
    color: var(--_text);
    cursor: pointer;
  }
  .choice input {
    width: 1.125rem;
    height: 1.125rem;
    margin: 0;
    accent-color: var(--_accent);
  }
  .combinator {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
    margin-top: 0.5rem;
  }
  .remove {
    min-width: 44px;
  }
  .add {
    border-style: dashed;
  }
  .summary {
    margin: 0.5rem 0 0;
    color: var(--_muted);
    font-size: 0.875rem;
  }
  .error {
    margin: 0.375rem 0 0;
    color: var(--_danger);
    font-size: 0.875rem;
  }
  .error:empty {
    display: none;
  }
  .note {
    margin: 0.25rem 0;
    font-size: 0.875rem;
    color: var(--_muted);
  }
  @container (max-width: 30rem) {
    .rule {
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) auto;
      grid-template-areas: 'variable operator operator' 'value value remove';
    }
    .rule + .rule {
      border-top: 1px solid var(--_border);
      padding-top: 0.5rem;
    }
    .rule > .variable {
      grid-area: variable;
    }
    .rule > .operator {
      grid-area: operator;
    }
    .rule > .value {
      grid-area: value;
    }
    .rule > .remove {
      grid-area: remove;
    }
  }
  .wrap {
    container-type: inline-size;
  }
`;

export const conditionInputStyles = [tokens, hostBase, fields, focusRing, own];
