import { css } from 'lit';
import { buttons, controlLook, focusRing, hostBase, links, tokens } from '../internal/styles.ts';

const own = css`
  :host {
    --_muted: color-mix(in srgb, var(--_text) 68%, var(--_surface));
    --_border: color-mix(in srgb, var(--_text) 22%, var(--_surface));
    --_backdrop: color-mix(in srgb, var(--_text) 8%, var(--_surface));
    --_signature-font: var(
      --cs-signature-font,
      'Segoe Script',
      'Brush Script MT',
      'Snell Roundhand',
      'URW Chancery L',
      cursive
    );
    container-type: inline-size;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    overflow: hidden;
  }
  /* Only there to disable every control at once (disabled, or a disabled <fieldset> outside). */
  fieldset.controls {
    display: contents;
  }
  h2 {
    margin: 0;
    font-size: 1.125rem;
  }
  .muted {
    color: var(--_muted);
  }

  /* the dialogs' inputs: the buttons' control look */
  .stack input,
  .stack textarea {
    ${controlLook}
  }
  .button.danger {
    color: var(--_danger);
    border-color: color-mix(in srgb, var(--_danger) 60%, var(--_surface));
  }
  form .button.danger[type='submit'] {
    color: #fff;
    background: var(--_danger);
  }
  .button.icon {
    padding: 0;
    font-size: 1.25rem;
  }

  /* states */
  .message,
  .skeleton {
    padding: 2rem 1.25rem;
    display: grid;
    gap: 0.75rem;
    justify-items: start;
  }
  .message p {
    margin: 0;
  }
  .message[role='alert'] .message-title {
    color: var(--_danger);
  }
  .message[data-state='done'] .message-title,
  .message[data-state='signed'] .message-title {
    color: color-mix(in srgb, #1b7f3b 80%, var(--_text));
  }
  .skeleton-text {
    margin: 0;
    color: var(--_muted);
  }
  .skeleton-bar,
  .skeleton-page {
    width: 100%;
    border-radius: var(--_radius);
    background: linear-gradient(
      90deg,
      var(--_backdrop) 25%,
      color-mix(in srgb, var(--_text) 3%, var(--_surface)) 50%,
      var(--_backdrop) 75%
    );
    background-size: 200% 100%;
    animation: shimmer 1.4s infinite linear;
  }
  .skeleton-bar {
    height: 44px;
  }
  .skeleton-page {
    aspect-ratio: 8.5 / 11;
    max-height: 50vh;
  }
  @keyframes shimmer {
    to {
      background-position: -200% 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .skeleton-bar,
    .skeleton-page {
      animation: none;
    }
  }

  /* toolbar */
  .toolbar {
    position: sticky;
    top: 0;
    z-index: 2;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem 1rem;
    padding: 0.75rem 1rem;
    background: var(--_surface);
    border-bottom: 1px solid var(--_border);
  }
  .title {
    flex: 1 1 6rem;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .progress {
    /* a sentence with numbers in it keeps its own direction inside an RTL page */
    unicode-bidi: plaintext;
    order: 2;
    margin: 0;
    color: var(--_muted);
    font-size: 0.9375rem;
  }
  .next {
    order: 3;
    white-space: nowrap;
  }
  .badge {
    padding: 0 0.5rem;
    border-radius: 999px;
    color: var(--_accent);
    background: var(--_accent-contrast);
    font-size: 0.875rem;
  }
  .zoom {
    order: 4;
    display: flex;
    align-items: center;
    gap: 0.25rem;
  }
  .zoom-level {
    min-width: 3.5ch;
    text-align: center;
    font-variant-numeric: tabular-nums;
    color: var(--_muted);
  }
  .banner {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem 1rem;
    justify-content: space-between;
    margin: 0.5rem 1rem;
    padding: 0.5rem 0.75rem;
    color: var(--_danger);
    border: 1px solid color-mix(in srgb, var(--_danger) 50%, var(--_surface));
    border-radius: var(--_radius);
    background: color-mix(in srgb, var(--_danger) 6%, var(--_surface));
  }

  /* document */
  .viewer {
    height: var(--cs-viewer-height, min(75vh, 60rem));
    overflow: auto;
    overscroll-behavior: contain;
    background: var(--_backdrop);
    padding: 0.75rem;
  }
  .pages {
    display: flex;
    flex-direction: column;
    gap: 0.75rem;
    min-width: 100%;
    margin-inline: auto;
  }
  .page {
    position: relative;
    width: 100%;
    background: #fff;
    box-shadow: 0 1px 3px rgb(0 0 0 / 0.25);
  }
  .page > canvas {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
  }
  .overlay {
    position: absolute;
    inset: 0;
  }

  /* fields */
  .field {
    position: absolute;
    display: flex;
    align-items: center;
    justify-content: center;
    margin: 0;
    padding: 0;
    container-type: size;
    font: inherit;
    color: var(--cs-field-ink, #14213d);
    border: 2px dashed color-mix(in srgb, var(--_accent) 75%, #000);
    border-radius: 3px;
    background: color-mix(in srgb, var(--cs-field-optional, #e3ebff) 85%, transparent);
    cursor: pointer;
    overflow: visible;
  }
  .field.required {
    background: color-mix(in srgb, var(--cs-field-required, #ffe9a8) 88%, transparent);
    border-color: #9a6a00;
  }
  .field.filled {
    border-style: solid;
    border-color: color-mix(in srgb, #1b7f3b 70%, transparent);
    background: color-mix(in srgb, var(--cs-field-filled, #d8f3e0) 55%, transparent);
  }
  .field.invalid {
    border: 2px solid var(--_danger);
    background: color-mix(in srgb, var(--_danger) 14%, #fff);
  }
  /* a touch target of at least 44 × 44 px however small the box on the page */
  .field::before {
    content: '';
    position: absolute;
    left: 50%;
    top: 50%;
    width: max(100%, 44px);
    height: max(100%, 44px);
    transform: translate(-50%, -50%);
  }
  /* the control itself stays on top of its enlarged hit area */
  .field > input {
    position: relative;
    z-index: 1;
  }
  .field:focus-visible,
  .field:focus-within {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
    box-shadow: none;
    z-index: 1;
  }
  .field .cta {
    font-size: clamp(9px, 45cqh, 18px);
    font-weight: 600;
    white-space: nowrap;
    overflow: hidden;
  }
  .field .star {
    position: absolute;
    top: -0.1em;
    right: 0.15em;
    color: #8a4b00;
    font-weight: 700;
    font-size: clamp(10px, 40cqh, 16px);
  }
  .field img {
    max-width: 100%;
    max-height: 100%;
    object-fit: contain;
  }
  .field .typed {
    font-family: var(--_signature-font);
    /* as large as the box allows, shrinking long names to fit its width */
    font-size: clamp(8px, min(70cqh, calc(190cqw / var(--chars, 12))), 40px);
    white-space: nowrap;
    overflow: hidden;
  }
  .field.type-text input {
    width: 100%;
    height: 100%;
    padding: 0 0.25em;
    font: inherit;
    font-size: clamp(10px, 60cqh, 20px);
    color: inherit;
    background: transparent;
    border: 0;
    outline: none;
  }
  .field.type-text input::placeholder {
    color: color-mix(in srgb, currentColor 55%, transparent);
  }
  .field.type-checkbox input {
    width: 100%;
    height: 100%;
    margin: 0;
    accent-color: var(--_accent);
    cursor: pointer;
  }
  .field.type-date_signed {
    cursor: default;
    border-style: dotted;
    border-color: #888;
    background: color-mix(in srgb, #f2f2f2 80%, transparent);
  }
  .field.type-date_signed::before {
    content: none;
  }
  .date-text {
    font-size: clamp(8px, 40cqh, 14px);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    padding: 0 0.25em;
  }

  /* a value the agent set: text, not a control, marked with a lock and a dotted frame */
  .field.readonly {
    justify-content: flex-start;
    gap: 0.25em;
    padding: 0 0.25em;
    cursor: default;
    border: 1px dotted color-mix(in srgb, var(--_text) 45%, transparent);
    background: color-mix(in srgb, #eef0f4 85%, transparent);
    white-space: nowrap;
    overflow: hidden;
  }
  /* sized by the field's own box (cq units resolve against the field, the children's container):
     on a page scaled to a phone the value stays inside its frame, as small as the document's own
     text; the zoom buttons and the editor sheet show it full size */
  .field.readonly > .readonly-value,
  .field.readonly > .lock {
    font-size: clamp(4px, 60cqh, 20px);
  }
  .field.readonly::before {
    content: none;
  }
  .readonly-value {
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .lock {
    flex: none;
    width: 0.8em;
    height: 0.8em;
    margin-inline-start: auto;
    opacity: 0.7;
  }

  /* guided mode: each field is a button opening the sheet; its ::before keeps a 44 px target */
  .field.guided {
    overflow: visible;
  }
  .field.guided .cta {
    font-size: clamp(4px, 45cqh, 18px);
  }
  .guided-value {
    font-size: clamp(4px, 60cqh, 16px);
    max-width: 100%;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    padding: 0 0.2em;
  }
  .field.guided.type-text .guided-value {
    align-self: center;
    margin-inline-end: auto;
  }
  .field.guided.type-text:not(.filled) .guided-value {
    color: color-mix(in srgb, currentColor 60%, transparent);
  }

  /* the editor sheet: a dialog along the bottom edge, full-size controls */
  .dialog.sheet {
    width: 100%;
    max-width: 40rem;
    margin: auto auto 0;
    border-radius: var(--_radius) var(--_radius) 0 0;
    max-height: 70dvh;
  }
  .dialog.sheet::backdrop {
    background: rgb(10 15 30 / 0.25);
  }
  .sheet-body {
    font-size: 1rem;
  }
  .sheet-body h2 {
    overflow-wrap: anywhere;
  }
  .sheet-label {
    font-weight: 600;
  }
  .sheet-input {
    ${controlLook}
    width: 100%;
    box-sizing: border-box;
    padding: 0.5rem 0.75rem;
    font-size: 16px;
  }
  .sheet-input[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .sheet-check {
    font-size: 16px;
    font-weight: 600;
  }
  .sheet-check input {
    width: 28px;
    height: 28px;
  }
  .sheet-sign {
    justify-self: start;
  }
  .sheet-preview img {
    max-height: 4rem;
  }
  .sheet-nav {
    display: flex;
    gap: 0.5rem;
  }
  .sheet-nav .button {
    flex: 1 1 0;
    min-height: 44px;
  }

  /* consent and actions */
  .actions {
    display: grid;
    gap: 0.75rem;
    padding: 0.75rem 1rem 1rem;
    border-top: 1px solid var(--_border);
  }
  .consent {
    display: grid;
    gap: 0.5rem;
  }
  .consent summary {
    min-height: 44px;
    display: flex;
    align-items: center;
    font-weight: 600;
    cursor: pointer;
  }
  .consent-text {
    max-height: 9rem;
    overflow: auto;
    padding: 0.5rem 0.75rem;
    font-size: 0.875rem;
    white-space: pre-wrap;
    color: var(--_muted);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .check {
    display: flex;
    align-items: center;
    gap: 0.75rem;
    min-height: 44px;
    cursor: pointer;
  }
  .check input {
    width: 1.375rem;
    height: 1.375rem;
    margin: 0;
    flex: none;
    accent-color: var(--_accent);
  }
  .consent.invalid .check {
    color: var(--_danger);
  }
  .error-text {
    margin: 0;
    color: var(--_danger);
    font-weight: 600;
  }
  .missing {
    color: var(--_danger);
    border-left: 4px solid var(--_danger);
    padding-left: 0.75rem;
  }
  .missing p,
  .missing ul {
    margin: 0;
  }
  .missing ul {
    padding-inline-start: 1.25rem;
  }
  .missing-title {
    font-weight: 600;
  }
  .missing-item {
    min-height: 24px;
    text-align: start;
  }
  .buttons {
    display: flex;
    justify-content: flex-end;
    gap: 0.75rem;
    flex-wrap: wrap;
  }
  @container (max-width: 480px) {
    .buttons > .button {
      flex: 1 1 8rem;
    }
    .title {
      flex-basis: 100%;
    }
    .progress {
      flex: 1;
    }
    .zoom {
      order: 2;
    }
    .next {
      flex-basis: 100%;
    }
    .toolbar {
      padding: 0.5rem 0.75rem;
    }
    .viewer {
      padding: 0.375rem;
    }
  }

  /* dialogs */
  .dialog {
    width: min(34rem, calc(100vw - 1rem));
    max-height: calc(100dvh - 1rem);
    padding: 0;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    box-shadow: 0 12px 40px rgb(0 0 0 / 0.3);
  }
  .dialog::backdrop {
    background: rgb(10 15 30 / 0.55);
  }
  .dialog-body {
    display: grid;
    gap: 0.75rem;
    padding: 1rem;
  }
  .dialog-body p {
    margin: 0;
  }
  .tabs {
    display: flex;
    gap: 0.25rem;
    border-bottom: 1px solid var(--_border);
  }
  .tab {
    min-height: 44px;
    min-width: 5rem;
    padding: 0 1rem;
    font: inherit;
    font-weight: 600;
    color: var(--_muted);
    background: none;
    border: 0;
    border-bottom: 3px solid transparent;
    cursor: pointer;
  }
  .tab[aria-selected='true'] {
    color: var(--_accent);
    border-bottom-color: var(--_accent);
  }
  [role='tabpanel'] {
    display: grid;
    gap: 0.5rem;
  }
  [role='tabpanel'][hidden] {
    display: none;
  }
  canvas.draw {
    width: 100%;
    aspect-ratio: 3 / 1;
    touch-action: none;
    background: #fff;
    border: 1px solid var(--_border);
    border-bottom: 2px solid var(--_muted);
    border-radius: var(--_radius);
    cursor: crosshair;
  }
  canvas.draw.initials {
    aspect-ratio: 2 / 1;
  }
  .hint,
  .legal {
    font-size: 0.8125rem;
    color: var(--_muted);
  }
  .row {
    display: flex;
    gap: 0.5rem;
    flex-wrap: wrap;
  }
  .row.end {
    justify-content: flex-end;
  }
  .stack {
    display: grid;
    gap: 0.25rem;
    font-weight: 600;
  }
  .stack input,
  .stack textarea {
    padding: 0.5rem 0.75rem;
    font-weight: 400;
  }
  .stack textarea[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .preview {
    min-height: 4.5rem;
    display: flex;
    align-items: center;
    padding: 0 1rem;
    overflow: hidden;
    color: var(--cs-field-ink, #14213d);
    background: #fff;
    border: 1px dashed var(--_border);
    border-radius: var(--_radius);
    font-family: var(--_signature-font);
    font-size: 2rem;
    white-space: nowrap;
  }
`;

export const styles = [tokens, hostBase, buttons, links, focusRing, own];
