import { css } from 'lit';

export const auditViewerStyles = css`
  :host {
    --_fg: var(--cs-audit-viewer-color, #1f2328);
    --_muted: var(--cs-audit-viewer-muted-color, #555c66);
    --_bg: var(--cs-audit-viewer-background, #ffffff);
    --_border: var(--cs-audit-viewer-border-color, #d4d8de);
    --_radius: var(--cs-audit-viewer-radius, var(--cs-radius, 8px));
    --_ok-fg: var(--cs-audit-viewer-success-color, #0d5a2c);
    --_ok-bg: var(--cs-audit-viewer-success-background, #e1f4e7);
    --_bad-fg: var(--cs-audit-viewer-danger-color, #962020);
    --_bad-bg: var(--cs-audit-viewer-danger-background, #fce7e7);
    --_accent: var(--cs-audit-viewer-accent-color, var(--cs-accent-color, #1a56c4));
    --_focus: var(--cs-focus-ring-color, #1a56c4);
    display: block;
    color: var(--_fg);
    font-family: var(--cs-audit-viewer-font-family, var(--cs-font-family, system-ui, sans-serif));
    font-size: var(--cs-audit-viewer-font-size, 0.9375rem);
    line-height: 1.45;
  }
  :host([hidden]) {
    display: none;
  }
  .viewer {
    container-type: inline-size;
    box-sizing: border-box;
    max-width: 100%;
    padding: var(--cs-audit-viewer-padding, 1rem 1.25rem);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
  }
  .header {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    align-items: center;
    justify-content: space-between;
    margin-block-end: 0.75rem;
  }
  h2 {
    margin: 0;
    font-size: 1.125em;
  }
  button {
    font: inherit;
    color: inherit;
    cursor: pointer;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.75);
    background: var(--_bg);
  }
  button:hover {
    border-color: var(--_accent);
  }
  button:focus-visible,
  .event:focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  .download {
    min-height: 2.75rem;
    padding: 0 1rem;
    font-weight: 600;
    color: var(--_accent);
  }
  .copy {
    min-height: 1.75rem;
    padding: 0 0.5rem;
    font-size: 0.875em;
    margin-inline-start: 0.375rem;
  }
  @media (pointer: coarse) {
    .copy {
      min-height: 44px;
      min-width: 44px;
    }
  }
  .banner:empty {
    display: none;
  }
  .banner {
    margin-block-end: 1rem;
    padding: 0.625rem 0.875rem;
    border-radius: calc(var(--_radius) * 0.75);
    border: 1px solid var(--_border);
    color: var(--_muted);
  }
  .banner[data-state='verified'] {
    color: var(--_ok-fg);
    background: var(--_ok-bg);
    border-color: color-mix(in srgb, var(--_ok-fg) 30%, transparent);
  }
  .banner[data-state='broken'],
  .banner[data-state='error'] {
    color: var(--_bad-fg);
    background: var(--_bad-bg);
    border-color: color-mix(in srgb, var(--_bad-fg) 30%, transparent);
  }
  .banner strong {
    display: block;
  }
  .banner p {
    margin: 0.25rem 0 0;
    font-size: 0.9375em;
  }
  .note {
    margin-block-end: 1rem;
    padding: 0.5rem 0.875rem;
    border-inline-start: 4px solid var(--_bad-fg);
    color: var(--_fg);
  }
  .empty {
    margin: 0;
    color: var(--_muted);
  }
  ol {
    list-style: none;
    margin: 0;
    padding: 0;
    max-height: var(--cs-audit-viewer-max-height, none);
    overflow: auto;
  }
  .event {
    position: relative;
    padding: 0 0 1rem 1.75rem;
    border-inline-start: 2px solid var(--_border);
    margin-inline-start: 0.5rem;
    scroll-margin: 1rem;
  }
  .event:last-child {
    border-inline-start-color: transparent;
    padding-block-end: 0;
  }
  .event::before {
    content: '';
    position: absolute;
    inset-inline-start: -0.4375rem;
    top: 0.3rem;
    width: 0.625rem;
    height: 0.625rem;
    border-radius: 50%;
    background: var(--_bg);
    border: 2px solid var(--_accent);
  }
  .event.broken::before {
    border-color: var(--_bad-fg);
    background: var(--_bad-fg);
  }
  .event.broken .body {
    background: var(--_bad-bg);
    outline: 2px solid var(--_bad-fg);
    border-radius: calc(var(--_radius) * 0.75);
    padding: 0.5rem 0.75rem;
  }
  /* After the break nothing can be trusted: the timeline's line turns dashed. */
  .event.broken,
  .event.after-break {
    border-inline-start-style: dashed;
    border-inline-start-color: var(--_bad-fg);
  }
  h3 {
    margin: 0;
    font-size: 1em;
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .seq {
    display: inline-block;
    min-width: 1.75em;
    margin-inline-end: 0.375rem;
    color: var(--_muted);
    font-weight: 400;
    font-variant-numeric: tabular-nums;
  }
  time {
    display: block;
    color: var(--_muted);
    font-size: 0.875em;
  }
  .breaks-here {
    margin: 0.25rem 0;
    color: var(--_bad-fg);
    font-weight: 700;
  }
  dl {
    display: grid;
    /* One label width for every event, so the values line up down the whole timeline. */
    grid-template-columns: minmax(0, var(--cs-audit-viewer-label-width, 9.5rem)) minmax(0, 1fr);
    gap: 0.125rem 0.75rem;
    margin: 0.375rem 0 0;
    font-size: 0.875em;
  }
  dl > div {
    display: contents;
  }
  /* On a narrow screen each label sits above its value, so values get the whole width. */
  @container (max-width: 26rem) {
    dl {
      grid-template-columns: minmax(0, 1fr);
    }
    div + div > dt {
      margin-block-start: 0.25rem;
    }
  }
  dt {
    color: var(--_muted);
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  code {
    /* A shortened hash (17 characters) stays on one line; the full one is in its title. */
    white-space: nowrap;
    font-family: var(--cs-audit-viewer-mono-font-family, ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace);
    font-size: 0.9375em;
  }
`;
