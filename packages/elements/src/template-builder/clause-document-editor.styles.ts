import { css } from 'lit';

export const clauseDocumentEditorStyles = css`
  section {
    margin-block: 0 1.25rem;
  }
  section > h2 {
    margin-bottom: 0.5rem;
  }
  .stack {
    display: grid;
    gap: 0.5rem;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  .parties {
    list-style: none;
    margin: 0.5rem 0;
    padding: 0;
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
    gap: 0.5rem;
  }
  .party,
  .clause,
  .panel {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    padding: 0.75rem;
  }
  .party textarea {
    min-height: 5rem;
    resize: vertical;
  }
  .party-head {
    display: flex;
    justify-content: space-between;
    align-items: center;
    gap: 0.5rem;
  }
  .clauses {
    list-style: none;
    margin: 0.5rem 0;
    padding: 0;
    display: grid;
    gap: 0.75rem;
  }
  .clause[data-invalid] {
    border-color: var(--_danger);
  }
  .clause-head {
    display: flex;
    align-items: flex-start;
    justify-content: space-between;
    gap: 0.5rem;
  }
  .handle {
    flex: none;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: 1.5rem;
    min-height: 44px;
    margin-block: -0.625rem;
    color: var(--_muted);
    cursor: grab;
    user-select: none;
  }
  .clause[data-drop] {
    outline: 2px dashed var(--_accent);
    outline-offset: 2px;
  }
  .clause-head h3 {
    flex: 1;
    overflow-wrap: anywhere;
    min-width: 0;
  }
  .meta {
    display: flex;
    flex-wrap: wrap;
    gap: 0.375rem;
    margin: 0.25rem 0 0.5rem;
    font-size: 0.8125rem;
  }
  .tag {
    display: inline-block;
    padding: 0 0.5rem;
    border-radius: 999px;
    background: var(--_subtle);
    border: 1px solid var(--_border);
    overflow-wrap: anywhere;
  }
  .tag.locked {
    font-weight: 600;
  }
  .tag.left-out {
    border-style: dashed;
    font-style: italic;
  }
  .grid {
    display: grid;
    grid-template-columns: minmax(0, 2fr) minmax(0, 1fr);
    gap: 0.5rem 0.75rem;
    align-items: start;
  }
  .grid .wide {
    grid-column: 1 / -1;
  }
  textarea.body {
    min-height: 8rem;
    resize: vertical;
  }
  .body-preview {
    margin: 0.5rem 0;
    padding: 0.5rem 0.75rem;
    border-left: 3px solid var(--_border);
    background: var(--_subtle);
    overflow-wrap: anywhere;
  }
  .body-preview p,
  .body-preview ol,
  .body-preview ul {
    margin: 0 0 0.5rem;
  }
  .body-preview > :last-child {
    margin-bottom: 0;
  }
  .chip {
    display: inline-block;
    padding: 0 0.375rem;
    border-radius: 4px;
    background: color-mix(in srgb, var(--_accent) 12%, var(--_surface));
    color: color-mix(in srgb, var(--_accent) 75%, var(--_text));
    font-size: 0.875em;
    font-weight: 600;
    font-style: normal;
  }
  .chip[data-unknown] {
    background: color-mix(in srgb, var(--_danger) 10%, var(--_surface));
    color: var(--_danger);
    text-decoration: underline wavy;
  }
  details {
    margin-top: 0.5rem;
  }
  summary {
    display: flex;
    align-items: center;
    min-height: 44px;
    cursor: pointer;
    border-radius: var(--_radius);
  }
  .results {
    list-style: none;
    margin: 0.5rem 0 0;
    padding: 0;
    display: grid;
    gap: 0.375rem;
    max-height: 22rem;
    overflow: auto;
  }
  .result {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem;
    padding: 0.375rem 0.5rem;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .result-text {
    min-width: 0;
    overflow-wrap: anywhere;
  }
  .result-text strong {
    display: block;
  }
  .alert {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    justify-content: space-between;
    padding: 0.5rem 0.75rem;
    border: 1px solid var(--_danger);
    border-radius: var(--_radius);
    color: var(--_danger);
    overflow-wrap: anywhere;
  }
  .samples {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
    gap: 0.5rem 0.75rem;
    margin: 0.5rem 0;
  }
  .viewer {
    margin-top: 0.5rem;
    height: var(--cs-preview-height, 32rem);
    overflow: auto;
    background: color-mix(in srgb, var(--_text) 8%, var(--_surface));
    border-radius: var(--_radius);
    padding: 0.5rem;
  }
  .page {
    position: relative;
    margin: 0 auto 0.5rem;
    background: #fff;
    box-shadow: 0 1px 3px rgb(0 0 0 / 0.25);
  }
  .page canvas {
    display: block;
    width: 100%;
    height: 100%;
  }
  .layout {
    display: grid;
    gap: 1.25rem;
  }
  @container (min-width: 60rem) {
    .layout {
      grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
      align-items: start;
    }
    .layout > [part='preview'] {
      position: sticky;
      top: 0.5rem;
    }
  }
  @container (max-width: 26rem) {
    .grid {
      grid-template-columns: minmax(0, 1fr);
    }
    .clause-head {
      flex-wrap: wrap;
    }
  }
`;
