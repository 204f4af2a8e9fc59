import { css } from 'lit';

/** `.visually-hidden`: text for screen readers only, shared by every element. */
export const visuallyHidden = css`
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;

/**
 * The design tokens every element reads: the `--cs-*` custom properties a host sets (with their
 * defaults) as private `--_*` ones. An element adds its own mixes of them (`--_muted`,
 * `--_border`, …) in its own `:host` rule.
 */
export const tokens = css`
  :host {
    --_accent: var(--cs-accent, #2450d3);
    --_accent-contrast: var(--cs-accent-contrast, #fff);
    --_surface: var(--cs-surface, #fff);
    --_text: var(--cs-text, #1b2230);
    --_radius: var(--cs-radius, 8px);
    --_danger: var(--cs-danger, #b3261e);
    --_focus: 0 0 0 3px var(--_surface), 0 0 0 5px var(--_accent);
  }
`;

/** The host's box: a block in the host's font (`--cs-font`), gone when `hidden`, border-box inside. */
export const hostBase = css`
  :host {
    display: block;
    color: var(--_text);
    font-family: var(--cs-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: 1rem;
    line-height: 1.4;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
`;

/**
 * The declarations of a control's box (44 px high, the host's font and colours, the border
 * and radius), to put inside a rule: css`button { ${controlLook} }`.
 */
export const controlLook = css`
  min-height: 44px;
  font: inherit;
  color: var(--_text);
  background: var(--_surface);
  border: 1px solid var(--_border);
  border-radius: var(--_radius);
`;

/** `.button` (44 px target) and `.button.primary`, with their hover and disabled looks. */
export const buttons = css`
  .button {
    ${controlLook}
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.5rem;
    min-width: 44px;
    padding: 0.5rem 1rem;
    font-weight: 600;
    cursor: pointer;
    text-decoration: none;
  }
  .button:hover:not(:disabled) {
    background: color-mix(in srgb, var(--_accent) 8%, var(--_surface));
  }
  .button.primary {
    color: var(--_accent-contrast);
    background: var(--_accent);
    border-color: var(--_accent);
  }
  .button.primary:hover:not(:disabled) {
    background: color-mix(in srgb, var(--_accent) 85%, black);
  }
  .button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
`;

/** `.link`: a button that reads as a link (underlined text) with a 44 px target. */
export const links = css`
  .link {
    font: inherit;
    color: inherit;
    background: none;
    border: 0;
    padding: 0.25rem 0;
    min-height: 44px;
    text-decoration: underline;
    cursor: pointer;
  }
`;

/** Text inputs, selects and text areas: one control look, 44 px high (padding and width are each element's). */
export const fields = css`
  input:not([type='checkbox'], [type='radio']),
  select,
  textarea {
    ${controlLook}
  }
`;

/** Checkboxes and radio buttons at 1.25rem in the accent colour. */
export const checks = css`
  input[type='checkbox'],
  input[type='radio'] {
    width: 1.25rem;
    height: 1.25rem;
    margin: 0;
    accent-color: var(--_accent);
  }
`;

/** The focus ring (`--_focus`, drawn with box-shadow) on whatever takes keyboard focus. */
export const focusRing = css`
  :is(button, a, input, select, textarea, summary, [tabindex]):focus-visible {
    outline: none;
    box-shadow: var(--_focus);
  }
`;
