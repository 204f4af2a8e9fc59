import { css } from 'lit';
import { buttons, checks, fields, focusRing, hostBase, tokens } from '../internal/styles.ts';

const own = css`
  :host {
    --_muted: color-mix(in srgb, var(--_text) 68%, var(--_surface));
    --_border: color-mix(in srgb, var(--_text) 30%, var(--_surface));
    --_backdrop: color-mix(in srgb, var(--_text) 6%, var(--_surface));
    container-type: inline-size;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  h2,
  h3,
  h4 {
    margin: 0;
  }
  h2 {
    font-size: 1.125rem;
  }
  h3 {
    font-size: 1rem;
  }
  h4 {
    font-size: 0.9375rem;
  }
  p {
    margin: 0;
  }
  .muted {
    color: var(--_muted);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  .row.end {
    justify-content: flex-end;
  }

  /* controls */
  input:not([type='checkbox'], [type='radio']),
  select,
  textarea {
    width: 100%;
    padding: 0.5rem 0.75rem;
  }
  [aria-invalid='true'] {
    border-color: var(--_danger);
    box-shadow: inset 0 0 0 1px var(--_danger);
  }
  .button.subtle {
    border-color: transparent;
    color: var(--_accent);
    background: transparent;
  }
  .choose-files-label:focus-within {
    outline: none;
    box-shadow: var(--_focus);
  }

  /* Panels that take focus to be read out are not controls: no ring around them. */
  [tabindex='-1']:focus {
    outline: none;
    box-shadow: none;
  }

  /* states */
  .message {
    padding: 2rem 1.25rem;
    display: grid;
    gap: 0.75rem;
    justify-items: start;
  }
  .message[role='alert'] h2 {
    color: var(--_danger);
  }
  .message[data-state='sent'] h2 {
    color: color-mix(in srgb, #1b7f3b 80%, var(--_text));
  }
  .spinner {
    display: inline-block;
    width: 1rem;
    height: 1rem;
    margin-inline-end: 0.5rem;
    border: 2px solid var(--_border);
    border-top-color: var(--_accent);
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
    vertical-align: -0.15rem;
  }
  @keyframes spin {
    to {
      transform: rotate(1turn);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation: none;
    }
  }

  /* choosing a template */
  .templates {
    padding: 1rem;
    display: grid;
    gap: 0.75rem;
  }
  .template-list {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.5rem;
  }
  .button.template {
    width: 100%;
    justify-content: space-between;
    text-align: start;
    flex-wrap: wrap;
  }
  .button.template .muted {
    font-weight: 400;
  }

  /* composing */
  .header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.25rem 0.75rem;
    padding: 0.75rem 1rem;
    border-bottom: 1px solid var(--_border);
  }
  .header h2 {
    overflow-wrap: anywhere;
  }
  .header .change {
    margin-inline-start: auto;
  }
  .layout {
    display: grid;
    gap: 1rem;
    padding: 1rem;
  }
  @container (min-width: 760px) {
    .layout {
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      align-items: start;
    }
    .preview {
      position: sticky;
      top: 0;
    }
  }
  .form {
    display: grid;
    gap: 1.25rem;
    min-width: 0;
  }
  .section {
    display: grid;
    gap: 0.75rem;
    min-width: 0;
  }
  .field {
    display: grid;
    gap: 0.25rem;
    min-width: 0;
  }
  .field > label,
  .field legend {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  fieldset {
    margin: 0;
    padding: 0;
    border: 0;
    min-width: 0;
  }
  .field.radios legend {
    padding: 0 0 0.25rem;
  }
  .radio,
  .check label {
    display: flex;
    align-items: center;
    gap: 0.625rem;
    min-height: 44px;
    cursor: pointer;
  }
  .check label span {
    font-weight: 600;
  }
  .opt {
    font-weight: 400;
    color: var(--_muted);
  }
  .req {
    color: var(--_danger);
  }
  .help {
    font-size: 0.875rem;
    color: var(--_muted);
  }
  .error-text {
    font-size: 0.875rem;
    color: var(--_danger);
    font-weight: 600;
  }
  .input-wrap {
    display: flex;
    align-items: stretch;
  }
  .currency {
    display: flex;
    align-items: center;
    padding: 0 0.625rem;
    border: 1px solid var(--_border);
    border-inline-end: 0;
    border-radius: var(--_radius) 0 0 var(--_radius);
    background: var(--_backdrop);
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
  }
  .currency + input {
    border-start-start-radius: 0;
    border-end-start-radius: 0;
  }

  /* clauses */
  .clause-list {
    margin: 0;
    padding: 0;
    list-style: none;
    display: grid;
    gap: 0.75rem;
  }
  .clause {
    padding: 0.75rem;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    display: grid;
    gap: 0.5rem;
  }
  .clause.locked {
    background: var(--_backdrop);
  }
  .clause-head {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.25rem 0.75rem;
  }
  .clause-head h4 {
    overflow-wrap: anywhere;
  }
  .lock,
  .proposed {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    font-size: 0.875rem;
    color: var(--_muted);
  }
  .clause-body {
    font-size: 0.9375rem;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    display: grid;
    gap: 0.5rem;
  }
  .clause-body :is(ol, ul) {
    margin: 0;
    padding-inline-start: 1.5rem;
    white-space: normal;
  }

  /* attachments */
  .dropzone {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem 1rem;
    padding: 1rem;
    border: 2px dashed var(--_border);
    border-radius: var(--_radius);
  }
  .dropzone.dragging {
    border-color: var(--_accent);
    background: color-mix(in srgb, var(--_accent) 6%, var(--_surface));
  }
  .choose-files-label {
    position: relative;
  }
  .attachment-list {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.375rem;
  }
  .attachment {
    display: grid;
    grid-template-columns: minmax(0, 1fr) auto;
    align-items: center;
    gap: 0 0.5rem;
    padding: 0.25rem 0.25rem 0.25rem 0.75rem;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .attachment.error {
    border-color: var(--_danger);
  }
  .attachment .name {
    overflow-wrap: anywhere;
    font-weight: 600;
  }
  .attachment .meta {
    grid-column: 1;
    font-size: 0.875rem;
  }
  .attachment .remove {
    grid-column: 2;
    grid-row: 1 / span 2;
    font-size: 1.25rem;
    padding: 0;
  }

  /* recipients */
  .recipient {
    display: grid;
    grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) 5.5rem;
    align-items: start;
    gap: 0.5rem;
    padding: 0.75rem;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .recipient legend {
    padding: 0 0.25rem;
    display: flex;
    gap: 0.5rem;
    flex-wrap: wrap;
  }
  .recipient .role {
    font-weight: 600;
  }
  @container (max-width: 480px) {
    .recipient {
      grid-template-columns: minmax(0, 1fr) 5.5rem;
    }
    .recipient .field.name {
      grid-column: 1 / -1;
    }
  }

  /* send */
  .banner {
    padding: 0.75rem;
    border: 1px solid var(--_danger);
    border-radius: var(--_radius);
    color: var(--_danger);
    background: color-mix(in srgb, var(--_danger) 6%, var(--_surface));
    display: grid;
    gap: 0.5rem;
    justify-items: start;
  }
  .banner ul {
    margin: 0;
    padding-inline-start: 1.25rem;
  }
  .button.send {
    justify-self: start;
    min-width: 12rem;
  }

  /* preview */
  .preview {
    display: grid;
    gap: 0.5rem;
    min-width: 0;
  }
  .preview-head {
    display: flex;
    flex-wrap: wrap;
    justify-content: space-between;
    gap: 0.5rem;
  }
  .viewer {
    position: relative;
    height: var(--cs-preview-height, min(70vh, 48rem));
    overflow: auto;
    background: var(--_backdrop);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.75rem;
  }
  .viewer.stale .pages.front {
    opacity: 0.6;
    transition: opacity 0.2s;
  }
  .viewer .empty {
    padding: 1rem;
  }
  .pages {
    display: grid;
    gap: 0.75rem;
  }
  .pages.back {
    position: absolute;
    inset: 0.75rem 0.75rem auto;
    visibility: hidden;
  }
  .page {
    position: relative;
    width: 100%;
    background: #fff;
    box-shadow: 0 1px 3px rgb(0 0 0 / 0.2);
  }
  .page canvas {
    display: block;
    width: 100%;
    height: 100%;
  }

  /* proposal dialog */
  .dialog {
    width: min(40rem, calc(100vw - 1rem));
    max-height: calc(100vh - 2rem);
    padding: 0;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .dialog::backdrop {
    background: rgb(0 0 0 / 0.45);
  }
  .dialog-body {
    display: grid;
    gap: 0.75rem;
    padding: 1rem;
  }
  textarea {
    resize: vertical;
    white-space: pre-wrap;
  }
`;

export const styles = [tokens, hostBase, buttons, fields, checks, focusRing, own];
