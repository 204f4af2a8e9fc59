import { css } from 'lit';
import { buttons, controlLook, focusRing, hostBase, links, tokens } from '../internal/styles.ts';

const own = css`
  :host {
    --_muted: color-mix(in srgb, var(--_text) 72%, var(--_surface));
    --_border: color-mix(in srgb, var(--_text) 22%, var(--_surface));
    --_backdrop: color-mix(in srgb, var(--_text) 8%, var(--_surface));
    container-type: inline-size;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  :host([dragging]) {
    user-select: none;
    -webkit-user-select: none;
  }
  h2 {
    margin: 0 0 0.5rem;
    font-size: 1rem;
  }
  p {
    margin: 0;
  }
  [hidden] {
    display: none !important;
  }
  .hint {
    color: var(--_muted);
    font-size: 0.875rem;
  }

  input[type='text'],
  select {
    ${controlLook}
    padding: 0.375rem 0.5rem;
    min-width: 0;
  }
  .button {
    padding: 0.5rem 0.875rem;
  }
  input:disabled,
  select:disabled {
    color: var(--_muted);
    background: var(--_backdrop);
    cursor: not-allowed;
  }
  .button.icon {
    padding: 0;
    font-size: 1.125rem;
  }
  .link {
    text-align: start;
  }
  .link[aria-current='true'] {
    font-weight: 700;
  }
  label.file:focus-visible,
  label.file:focus-within {
    outline: none;
    box-shadow: var(--_focus);
  }

  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem 0.75rem;
    padding: 0.75rem;
    border-bottom: 1px solid var(--_border);
  }
  .toolbar .name {
    flex: 1 1 12rem;
    display: flex;
  }
  .toolbar .name input {
    flex: 1;
    font-weight: 600;
  }
  .group {
    display: flex;
    gap: 0.5rem;
  }
  .status {
    color: var(--_muted);
    font-size: 0.875rem;
  }

  .banner {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem 1rem;
    margin: 0.75rem;
    padding: 0.75rem;
    border-radius: var(--_radius);
    background: var(--_backdrop);
  }
  .banner.error {
    border: 1px solid var(--_danger);
    background: color-mix(in srgb, var(--_danger) 7%, var(--_surface));
  }
  .banner ul {
    margin: 0.25rem 0 0;
    padding-inline-start: 1.25rem;
  }
  .error-title {
    font-weight: 700;
    color: var(--_danger);
  }
  .message {
    padding: 2rem 1rem;
  }

  .tabs {
    display: flex;
    gap: 0.25rem;
    padding: 0 0.75rem;
    border-bottom: 1px solid var(--_border);
    overflow-x: auto;
  }
  .tab {
    min-height: 44px;
    padding: 0 1rem;
    font: inherit;
    color: var(--_text);
    background: none;
    border: 0;
    border-bottom: 3px solid transparent;
    cursor: pointer;
  }
  .tab[aria-selected='true'] {
    border-bottom-color: var(--_accent);
    font-weight: 600;
  }

  #panel-clauses,
  #panel-variables {
    padding: 0.75rem;
  }
  .dropzone {
    display: grid;
    justify-items: center;
    gap: 0.75rem;
    margin: 1rem;
    padding: 3rem 1rem;
    text-align: center;
    border: 2px dashed var(--_border);
    border-radius: var(--_radius);
  }
  .dropzone.over {
    border-color: var(--_accent);
    background: color-mix(in srgb, var(--_accent) 6%, var(--_surface));
  }
  label.file {
    position: relative;
  }

  .workspace {
    display: grid;
    grid-template-columns: minmax(12rem, 16rem) minmax(0, 1fr) minmax(13rem, 17rem);
    gap: 0.75rem;
    padding: 0.75rem;
    align-items: start;
  }
  @container (max-width: 52rem) {
    .workspace {
      grid-template-columns: minmax(0, 1fr);
    }
  }
  .side {
    display: grid;
    gap: 1rem;
    min-width: 0;
  }
  .palette-items {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(7.5rem, 1fr));
    gap: 0.5rem;
    margin-top: 0.5rem;
  }
  .palette-item {
    touch-action: none;
    justify-content: flex-start;
    cursor: grab;
  }
  .import {
    margin-top: 0.5rem;
    width: 100%;
  }

  .role-list {
    list-style: none;
    margin: 0 0 0.5rem;
    padding: 0;
    display: grid;
    gap: 0.5rem;
  }
  .role {
    display: grid;
    grid-template-columns: auto minmax(0, 1fr) auto;
    gap: 0.375rem;
    align-items: center;
    padding: 0.375rem;
    border-left: 4px solid var(--role);
    background: var(--_backdrop);
    border-radius: 4px;
  }
  .role .role-action {
    grid-column: 2 / 4;
  }
  .role .role-label {
    grid-column: 2 / 4;
  }
  .role-buttons {
    grid-column: 1 / 4;
    display: flex;
    gap: 0.25rem;
    justify-content: flex-end;
  }
  .swatch {
    display: inline-block;
    width: 0.875rem;
    height: 0.875rem;
    border-radius: 50%;
    background: var(--role);
  }
  .legend {
    list-style: none;
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 1rem;
    margin: 0 0 0.5rem;
    padding: 0;
    font-size: 0.875rem;
  }
  .legend li {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
  }

  .viewer-wrap {
    min-width: 0;
  }
  .viewer {
    height: var(--cs-viewer-height, min(75vh, 60rem));
    overflow: auto;
    padding: 0.75rem;
    background: var(--_backdrop);
    border-radius: var(--_radius);
  }
  .pages {
    display: grid;
    gap: 0.75rem;
  }
  .page {
    position: relative;
    width: 100%;
    background: #fff;
    box-shadow: 0 1px 3px rgb(0 0 0 / 0.25);
  }
  .page canvas {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
  }
  .overlay,
  .guides {
    position: absolute;
    inset: 0;
  }
  .guides {
    pointer-events: none;
  }
  .guide {
    position: absolute;
    background: var(--_accent);
  }
  .guide-x {
    top: 0;
    bottom: 0;
    width: 1px;
    margin-left: -0.5px;
  }
  .guide-y {
    left: 0;
    right: 0;
    height: 1px;
    margin-top: -0.5px;
  }

  .field {
    position: absolute;
    display: flex;
    align-items: center;
    padding: 0 0.25rem;
    margin: 0;
    font: inherit;
    font-size: 0.75rem;
    line-height: 1.1;
    text-align: start;
    color: #1b2230;
    background: color-mix(in srgb, var(--role) 16%, #fff);
    border: 2px solid var(--role);
    border-radius: 3px;
    cursor: move;
    touch-action: none;
    will-change: transform;
  }
  .field.selected {
    border-style: solid;
    box-shadow:
      0 0 0 2px #fff,
      0 0 0 4px var(--role);
    z-index: 1;
  }
  .field:focus-visible {
    box-shadow: var(--_focus);
    z-index: 1;
  }
  .field[aria-disabled='true'] {
    cursor: default;
  }
  .field-text {
    flex: 1;
    min-width: 0;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    pointer-events: none;
  }
  .handle {
    position: absolute;
    right: 0;
    bottom: 0;
    width: 12px;
    height: 12px;
    background: var(--role);
    cursor: nwse-resize;
  }
  @media (pointer: coarse) {
    .handle {
      width: 22px;
      height: 22px;
    }
    /* A 44 px target for a finger, drawn at 22 px. */
    .handle::after {
      content: '';
      position: absolute;
      inset: -11px;
    }
  }
  .ghost {
    position: fixed;
    left: 0;
    top: 0;
    z-index: 10;
    pointer-events: none;
    display: flex;
    align-items: center;
    padding: 0 0.25rem;
    font-size: 0.75rem;
    color: #1b2230;
    background: color-mix(in srgb, var(--_accent) 16%, #fff);
    border: 2px dashed var(--_accent);
    border-radius: 3px;
    opacity: 0.9;
  }

  .panel,
  .versions {
    display: grid;
    gap: 0.5rem;
    align-content: start;
  }
  .stack {
    display: grid;
    gap: 0.25rem;
  }
  .check {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    min-height: 44px;
  }
  .check input {
    width: 1.25rem;
    height: 1.25rem;
  }
  .versions ol {
    margin: 0;
    padding: 0;
    list-style: none;
  }
`;

export const styles = [tokens, hostBase, buttons, links, focusRing, own];
