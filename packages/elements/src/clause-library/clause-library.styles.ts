import { css } from 'lit';

export const clauseLibraryStyles = css`
  :host {
    --_fg: var(--cs-clause-library-color, #1f2328);
    --_muted: var(--cs-clause-library-muted-color, #555c66);
    --_bg: var(--cs-clause-library-background, #ffffff);
    --_border: var(--cs-clause-library-border-color, #c4c9d0);
    --_radius: var(--cs-clause-library-radius, var(--cs-radius, 8px));
    --_accent: var(--cs-clause-library-accent-color, var(--cs-accent-color, #1a56c4));
    --_bad-fg: var(--cs-clause-library-danger-color, #962020);
    --_bad-bg: var(--cs-clause-library-danger-background, #fce7e7);
    --_ok-fg: var(--cs-clause-library-success-color, #0d5a2c);
    --_ok-bg: var(--cs-clause-library-success-background, #e1f4e7);
    --_var-bg: var(--cs-clause-library-variable-background, #e8eefb);
    --_focus: var(--cs-focus-ring-color, #1a56c4);
    display: block;
    container-type: inline-size;
    color: var(--_fg);
    font-family: var(--cs-clause-library-font-family, var(--cs-font-family, system-ui, sans-serif));
    font-size: 0.9375rem;
    line-height: 1.45;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  .base {
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.75rem;
  }
  .layout {
    display: grid;
    gap: 1rem;
    grid-template-columns: minmax(0, 1fr);
  }
  @container (min-width: 720px) {
    .layout {
      grid-template-columns: minmax(15rem, 20rem) minmax(0, 1fr);
    }
  }
  h3,
  h4,
  h5 {
    margin: 0 0 0.5rem;
  }
  h3 {
    font-size: 1.125em;
  }
  h4 {
    font-size: 1em;
  }
  h5 {
    font-size: 0.875em;
    color: var(--_muted);
  }
  h3:focus {
    outline: none;
  }
  h3:focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  .muted {
    color: var(--_muted);
  }
  p {
    margin: 0 0 0.5rem;
  }
  code {
    font-family: ui-monospace, monospace;
    font-size: 0.875em;
  }
  button {
    font: inherit;
    color: var(--_accent);
    background: var(--_bg);
    border: 1px solid var(--_accent);
    border-radius: calc(var(--_radius) * 0.75);
    min-height: 2.75rem;
    padding: 0 1rem;
    cursor: pointer;
  }
  button.primary {
    color: #fff;
    background: var(--_accent);
    font-weight: 600;
  }
  button[disabled] {
    opacity: 0.6;
    cursor: default;
  }
  button:focus-visible,
  input:focus-visible,
  textarea:focus-visible,
  select:focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  input:not([type='checkbox']),
  textarea,
  select {
    font: inherit;
    color: inherit;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.5);
    min-height: 2.75rem;
    padding: 0.375rem 0.5rem;
    width: 100%;
  }
  textarea {
    resize: vertical;
  }
  .mono {
    font-family: ui-monospace, monospace;
    font-size: 0.875em;
  }
  input[aria-invalid='true'],
  textarea[aria-invalid='true'] {
    border-color: var(--_bad-fg);
    border-width: 2px;
  }
  .field {
    display: grid;
    gap: 0.25rem;
    margin-block-end: 0.75rem;
  }
  .field > span:first-child {
    font-weight: 600;
  }
  .field.inline {
    display: inline-grid;
    min-width: 8rem;
    margin-inline-end: 0.5rem;
  }
  .hint {
    font-size: 0.875em;
    color: var(--_muted);
  }
  .field-error {
    font-size: 0.875em;
    color: var(--_bad-fg);
    font-weight: 600;
  }
  .field-error::before {
    content: '⚠ ';
  }
  .check {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    min-height: 2.75rem;
  }
  .check input {
    width: 1.25rem;
    height: 1.25rem;
    margin: 0;
  }
  fieldset {
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.5);
    margin: 0 0 0.75rem;
    padding: 0.5rem 0.75rem;
  }
  legend {
    font-weight: 600;
    padding: 0 0.25rem;
  }
  .list-header,
  .detail-header {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    justify-content: space-between;
    margin-block-end: 0.5rem;
  }
  .detail-header {
    display: block;
  }
  .list {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.375rem;
  }
  .item {
    display: grid;
    gap: 0.25rem;
    width: 100%;
    text-align: start;
    color: var(--_fg);
    border-color: var(--_border);
    padding: 0.5rem 0.75rem;
  }
  .item.selected {
    border: 2px solid var(--_accent);
    box-shadow: inset 4px 0 0 var(--_accent);
  }
  .item-title {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .item-meta {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 0.5rem;
    font-size: 0.8125em;
    color: var(--_muted);
  }
  .badge {
    border: 1px solid currentColor;
    border-radius: 999px;
    padding: 0 0.5rem;
    font-size: 0.8125rem;
  }
  .badge.pending {
    color: #7a4b00;
    font-weight: 600;
  }
  .badge.published,
  .badge.approved {
    color: var(--_ok-fg);
  }
  .badge.rejected {
    color: var(--_bad-fg);
  }
  .lock {
    vertical-align: -0.125em;
    margin-inline-end: 0.3em;
  }
  .tag {
    border: 1px solid var(--_border);
    border-radius: 999px;
    padding: 0 0.5rem;
    font-size: 0.8125em;
  }
  .detail {
    min-width: 0;
  }
  .detail.empty {
    display: grid;
    place-items: center;
    min-height: 8rem;
    border: 1px dashed var(--_border);
    border-radius: var(--_radius);
    padding: 1rem;
  }
  .tabs {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem;
    border-block-end: 1px solid var(--_border);
    margin-block-end: 0.75rem;
  }
  .tab {
    border: 0;
    border-block-end: 3px solid transparent;
    border-radius: 0;
    color: var(--_fg);
  }
  .tab[aria-pressed='true'] {
    border-block-end-color: var(--_accent);
    font-weight: 700;
  }
  .notice {
    border-radius: calc(var(--_radius) * 0.5);
    padding: 0.5rem 0.75rem;
    margin-block-end: 0.75rem;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
  }
  .notice.error {
    color: var(--_bad-fg);
    background: var(--_bad-bg);
    border-inline-start: 4px solid var(--_bad-fg);
  }
  .notice.success {
    color: var(--_ok-fg);
    background: var(--_ok-bg);
    border-inline-start: 4px solid var(--_ok-fg);
  }
  .notice-detail {
    overflow-wrap: anywhere;
  }
  .locked-note {
    font-weight: 600;
  }
  .editor-grid {
    display: grid;
    gap: 1rem;
    grid-template-columns: minmax(0, 1fr);
  }
  @container (min-width: 1000px) {
    .editor-grid {
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
    }
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    margin-block: 0.5rem;
  }
  .preview {
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.5);
    padding: 0.75rem 1rem;
    font-family: Georgia, 'Times New Roman', serif;
    overflow-wrap: anywhere;
  }
  .preview ol,
  .preview ul {
    margin: 0 0 0.5rem;
    padding-inline-start: 1.5rem;
  }
  .variable {
    font-family: var(--cs-clause-library-font-family, var(--cs-font-family, system-ui, sans-serif));
    font-size: 0.875em;
    background: var(--_var-bg);
    border: 1px solid var(--_accent);
    border-radius: 999px;
    padding: 0 0.4rem;
    white-space: nowrap;
  }
  .variable::before {
    content: '{ ';
    color: var(--_muted);
  }
  .variable::after {
    content: ' }';
    color: var(--_muted);
  }
  .versions,
  .proposals {
    list-style: none;
    padding: 0;
    margin: 0 0 0.75rem;
    display: grid;
    gap: 0.5rem;
  }
  .version,
  .proposal {
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.5);
    padding: 0.5rem 0.75rem;
  }
  .proposal.pending {
    border-inline-start: 4px solid var(--_accent);
  }
  .version-head {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    justify-content: space-between;
  }
  .comment {
    margin: 0.5rem 0;
  }
  .comment figcaption {
    font-size: 0.875em;
    color: var(--_muted);
  }
  blockquote {
    margin: 0.25rem 0 0;
    padding-inline-start: 0.75rem;
    border-inline-start: 3px solid var(--_border);
    overflow-wrap: anywhere;
  }
  .diff-field {
    margin-block: 0.5rem;
  }
  .diff-columns {
    display: grid;
    gap: 0.5rem;
    grid-template-columns: minmax(0, 1fr);
  }
  @container (min-width: 480px) {
    .diff-columns {
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
    }
  }
  .diff-column {
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.5);
    padding: 0.5rem;
  }
  .diff-label {
    font-size: 0.8125em;
    font-weight: 600;
    color: var(--_muted);
  }
  .diff-text {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  del {
    color: var(--_bad-fg);
    background: var(--_bad-bg);
    text-decoration: line-through 2px;
  }
  ins {
    color: var(--_ok-fg);
    background: var(--_ok-bg);
    text-decoration: underline 2px;
  }
  @media (pointer: coarse) {
    button,
    input:not([type='checkbox']),
    select {
      min-height: 44px;
    }
    .check input {
      width: 1.5rem;
      height: 1.5rem;
    }
  }
`;
