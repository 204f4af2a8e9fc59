import { css } from 'lit';

export const statusBadgeStyles = css`
  :host {
    display: inline-block;
    vertical-align: middle;
  }
  :host([hidden]) {
    display: none;
  }
  .badge {
    --_fg: var(--cs-status-badge-loading-color, #4b5058);
    --_bg: var(--cs-status-badge-loading-background, #f3f4f6);
    display: inline-flex;
    align-items: baseline;
    gap: 0.375em;
    box-sizing: border-box;
    padding: var(--cs-status-badge-padding, 0.125em 0.625em);
    border: var(--cs-status-badge-border-width, 1px) solid color-mix(in srgb, var(--_fg) 35%, transparent);
    border-radius: var(--cs-status-badge-radius, var(--cs-radius-pill, 999px));
    color: var(--_fg);
    background: var(--_bg);
    font-family: var(--cs-status-badge-font-family, var(--cs-font-family, inherit));
    font-size: var(--cs-status-badge-font-size, 0.8125rem);
    font-weight: var(--cs-status-badge-font-weight, 600);
    line-height: 1.5;
    white-space: nowrap;
  }
  .badge[data-status='draft'] {
    --_fg: var(--cs-status-badge-draft-color, #3d434b);
    --_bg: var(--cs-status-badge-draft-background, #eceef1);
  }
  .badge[data-status='sent'] {
    --_fg: var(--cs-status-badge-sent-color, #0a4c96);
    --_bg: var(--cs-status-badge-sent-background, #e5effb);
  }
  .badge[data-status='completed'] {
    --_fg: var(--cs-status-badge-completed-color, #0d5a2c);
    --_bg: var(--cs-status-badge-completed-background, #e1f4e7);
  }
  .badge[data-status='declined'] {
    --_fg: var(--cs-status-badge-declined-color, #962020);
    --_bg: var(--cs-status-badge-declined-background, #fce7e7);
  }
  .badge[data-status='voided'] {
    --_fg: var(--cs-status-badge-voided-color, #474b52);
    --_bg: var(--cs-status-badge-voided-background, #eeeeee);
  }
  .badge[data-status='expired'] {
    --_fg: var(--cs-status-badge-expired-color, #6f4300);
    --_bg: var(--cs-status-badge-expired-background, #fcefd9);
  }
  .badge[data-state='error'] {
    --_fg: var(--cs-status-badge-error-color, #962020);
    --_bg: var(--cs-status-badge-error-background, #ffffff);
    border-style: dashed;
  }
  .progress {
    font-weight: 400;
    font-variant-numeric: tabular-nums;
  }
`;
