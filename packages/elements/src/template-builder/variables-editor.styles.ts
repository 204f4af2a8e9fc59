import { css } from 'lit';
import { checks, controlLook, fields, focusRing, hostBase, tokens } from '../internal/styles.ts';

const editorOwn = css`
  :host {
    --_muted: color-mix(in srgb, var(--_text) 70%, var(--_surface));
    --_border: color-mix(in srgb, var(--_text) 35%, var(--_surface));
    --_subtle: color-mix(in srgb, var(--_text) 5%, var(--_surface));
    container-type: inline-size;
  }
  h2,
  h3 {
    margin: 0;
    font-size: 1.0625rem;
  }
  fieldset {
    margin: 0;
    min-width: 0;
  }
  .button {
    ${controlLook}
  }
  select,
  input:not([type='checkbox']),
  textarea,
  .button {
    padding: 0.375rem 0.5rem;
  }
  input,
  select,
  textarea {
    width: 100%;
    min-width: 0;
  }
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.375rem;
    padding: 0.375rem 0.875rem;
    cursor: pointer;
  }
  .button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_accent-contrast);
  }
  .button.icon {
    min-width: 44px;
    padding: 0.375rem;
  }
  .button:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }
  [aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .field {
    display: grid;
    gap: 0.125rem;
    min-width: 0;
    font-size: 0.875rem;
  }
  .field > span {
    font-weight: 600;
  }
  .check {
    display: inline-flex;
    align-items: center;
    gap: 0.5rem;
    min-height: 44px;
    font-size: 0.875rem;
    cursor: pointer;
  }
  .hint {
    color: var(--_muted);
    font-size: 0.8125rem;
  }
  .error {
    margin: 0;
    color: var(--_danger);
    font-size: 0.8125rem;
  }
  .muted {
    color: var(--_muted);
  }
  /* a clause's or variable's move and remove buttons */
  .tools {
    display: flex;
    gap: 0.25rem;
    flex: none;
  }
`;

/** Tokens and control look shared by the template builder's editors. */
export const editorBase = [tokens, hostBase, fields, checks, focusRing, editorOwn];

export const variablesEditorStyles = css`
  .list {
    list-style: none;
    margin: 0.75rem 0;
    padding: 0;
    display: grid;
    gap: 0.75rem;
  }
  .variable {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.75rem;
    background: var(--_surface);
  }
  .variable[data-invalid] {
    border-color: var(--_danger);
  }
  .variable > fieldset {
    border: 0;
    padding: 0;
  }
  .head h3 {
    font-size: 1rem;
    overflow-wrap: anywhere;
    min-width: 0;
  }
  .head {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem;
    margin-bottom: 0.5rem;
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr));
    gap: 0.5rem 0.75rem;
    align-items: start;
  }
  .wide {
    grid-column: 1 / -1;
  }
  .options {
    list-style: none;
    margin: 0.25rem 0;
    padding: 0;
    display: grid;
    gap: 0.375rem;
  }
  .option {
    display: grid;
    grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) auto;
    gap: 0.375rem;
    align-items: center;
  }
  .errors {
    margin: 0.5rem 0 0;
    padding: 0;
    list-style: none;
    display: grid;
    gap: 0.125rem;
  }
  .empty {
    margin: 0.75rem 0;
  }
  @container (max-width: 24rem) {
    .head {
      flex-wrap: wrap;
    }
    .grid {
      grid-template-columns: minmax(0, 1fr);
    }
  }
`;
