import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { live } from 'lit/directives/live.js';
import {
  ApiError,
  evaluateCondition,
  type Clause,
  type ClauseVersion,
  type ClauseRefInput,
  type Condition,
  type InlineClauseInput,
  type MergeData,
  type TemplateSourceInput,
  type Variable,
} from '@countersign/core';
import { renderClauseBlocks, withPlaceholders } from '../internal/clause-text.ts';
import { CsConnectedElement } from '../internal/connected.ts';
import type { CsErrorDetail } from '../internal/cs-element.ts';
import { define } from '../internal/define.ts';
import { toErrorDetail } from '../internal/error-code.ts';
import { translatePlural } from '../internal/localize.ts';
import { visuallyHidden } from '../internal/styles.ts';
import '../internal/condition-input.ts';
import type { ConditionChangeDetail } from '../internal/condition-input.ts';
import { PdfPagesController } from '../controllers/pdf-pages.ts';
import { editorBase } from './variables-editor.styles.ts';
import { clauseDocumentEditorStyles } from './clause-document-editor.styles.ts';
import './clause-document-editor.strings.ts';

/** A template version's source made of clauses. */
export type ClausesSource = Extract<TemplateSourceInput, { kind: 'clauses' }>;
type Entry = InlineClauseInput | ClauseRefInput;

/** `detail` of `cs-source-change`. */
export interface SourceChangeDetail {
  source: ClausesSource;
}

declare module '../internal/cs-element.ts' {
  interface CsEventMap {
    'cs-source-change': SourceChangeDetail;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cs-clause-document-editor': CsClauseDocumentEditor;
  }
  interface GlobalEventHandlersEventMap {
    'cs-source-change': CustomEvent<SourceChangeDetail>;
    'cs-error': CustomEvent<CsErrorDetail>;
  }
}

/** What the preview shows. */
export type PreviewState = 'off' | 'loading' | 'ready' | 'error';

const isRef = (entry: Entry): entry is ClauseRefInput => 'clauseId' in entry;
const KEY = /^[A-Za-z0-9_.-]+$/;
const SEARCH_DELAY_MS = 250;
const PREVIEW_DELAY_MS = 500;

let nextId = 0;

/** The version a reference stands for: its pin, else the latest published one (what saving pins). */
function versionOf(entry: ClauseRefInput, clause: Clause): number {
  return entry.version ?? clause.latestPublishedVersion ?? clause.version;
}

/** A sample value of a variable's type, within its constraints, for the preview. */
function sampleValue(variable: Variable): string | number | boolean {
  const clamp = (n: number, min?: number, max?: number) => Math.min(max ?? Infinity, Math.max(min ?? -Infinity, n));
  switch (variable.type) {
    case 'text': {
      const text = `Sample ${variable.label || variable.key}`;
      return variable.maxLength ? text.slice(0, variable.maxLength) : text;
    }
    case 'number':
      return clamp(variable.integer ? 12 : 12.5, variable.min, variable.max);
    case 'money':
      return clamp(1250, variable.min, variable.max);
    case 'date': {
      const today = new Date().toISOString().slice(0, 10);
      return variable.min && today < variable.min
        ? variable.min
        : variable.max && today > variable.max
          ? variable.max
          : today;
    }
    case 'email':
      return 'sample@example.com';
    case 'phone':
      return '+1 202 555 0143';
    case 'enum':
      return variable.options[0]?.value ?? '';
    case 'boolean':
      return true;
  }
}

/**
 * @summary Edits a contract made of clauses: its title and party blocks, and clauses picked from
 * the library or written here, ordered, locked and conditioned, with the PDF previewed on sample data.
 *
 * @csspart document - The title and parties section.
 * @csspart clauses - The list of clauses.
 * @csspart clause - One clause's card.
 * @csspart body-preview - A clause's text as it reads (formatted, variables as chips).
 * @csspart library - The "Add a clause" panel with the library search.
 * @csspart preview - The preview section (sample data and the PDF).
 * @csspart viewer - The scrollable PDF pages of the preview.
 * @csspart page - One page of the preview.
 * @csspart canvas - A page's canvas.
 *
 * @cssprop [--cs-accent=#2450d3] - Buttons, chips and focus ring.
 * @cssprop [--cs-accent-contrast=#fff] - Text on accent buttons.
 * @cssprop [--cs-text=#1b2230] - Text colour.
 * @cssprop [--cs-surface=#fff] - Background of cards and controls.
 * @cssprop [--cs-danger=#b3261e] - Problems and failures.
 * @cssprop [--cs-radius=8px] - Corner radius.
 * @cssprop [--cs-font=system-ui] - Font family.
 * @cssprop [--cs-preview-height=32rem] - Height of the PDF preview.
 *
 * @event {CustomEvent<SourceChangeDetail>} cs-source-change - After every edit, with the whole source.
 * @event {CustomEvent<CsErrorDetail>} cs-error - The library or the preview could not be loaded
 *   (`unauthorized`, `forbidden`, `not-found`, `network`, `server`, `preview-failed`).
 */
export class CsClauseDocumentEditor extends CsConnectedElement {
  static override styles = [visuallyHidden, editorBase, clauseDocumentEditorStyles];

  /** The clauses source being edited. */
  @property({ attribute: false }) source: ClausesSource = { kind: 'clauses', title: '', clauses: [] };
  /** The template's variables: the condition picker, the chips and the sample data use them. */
  @property({ attribute: false }) variables: Variable[] = [];

  @state() private _search = '';
  @state() private _library?: Clause[];
  @state() private _libraryError?: CsErrorDetail;
  @state() private _searching = false;
  @state() private _known = new Map<string, Clause | 'loading' | 'missing'>();
  /** Versions of library clauses, by `id@version`, for references pinned to an older one. */
  @state() private _versions = new Map<string, ClauseVersion | 'loading' | 'missing'>();
  @state() private _samples: Record<string, string | number | boolean> = {};
  @state() private _preview: PreviewState = 'off';
  @state() private _previewError?: CsErrorDetail;
  @state() private _previewUrl?: string;
  @state() private _announcement = '';
  @state() private _previewHeld = false;
  /** Index of the clause a dragged clause would land on. */
  @state() private _dropAt?: number;

  @query('.viewer') private viewerEl?: HTMLElement;

  #ids: number[] = [];
  #own?: string;
  #libraryKey?: string;
  #libraryAbort?: AbortController;
  #searchTimer?: ReturnType<typeof setTimeout>;
  #previewTimer?: ReturnType<typeof setTimeout>;
  #previewAbort?: AbortController;
  #previewKey?: string;
  #dragFrom?: number;

  readonly #pages = new PdfPagesController(this, {
    firstPaint: () => undefined,
    error: () => undefined,
  });

  /** What the preview shows. */
  get previewState(): PreviewState {
    return this._preview;
  }

  /** An object URL of the last preview PDF (also offered as a download), while there is one. */
  get previewUrl(): string | undefined {
    return this._previewUrl;
  }

  /** Number of pages of the preview, once rendered. */
  get previewPages(): number {
    return this._preview === 'ready' ? this.#pages.sizes.length : 0;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#libraryAbort?.abort();
    this.#previewAbort?.abort();
    clearTimeout(this.#searchTimer);
    clearTimeout(this.#previewTimer);
    this.#libraryKey = undefined;
    this.#previewKey = undefined;
    if (this._previewUrl) URL.revokeObjectURL(this._previewUrl);
    this._previewUrl = undefined;
    if (this._preview !== 'off') this._preview = 'off';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('source')) {
      this.source ??= { kind: 'clauses', title: '', clauses: [] };
      if (JSON.stringify(this.source) !== this.#own || this.#ids.length !== this.source.clauses.length) {
        this.#ids = this.source.clauses.map(() => nextId++);
        this.#own = JSON.stringify(this.source);
      }
    }
    this.variables ??= [];
    const client = this.client;
    const key = client ? `${client.server}\n${client.token}` : '';
    if (key !== this.#libraryKey) {
      this.#libraryKey = key;
      this._known = new Map();
      this._versions = new Map();
      this._library = undefined;
      this.#loadLibrary(0);
    }
    if (this._preview !== 'off' && (changed.has('source') || changed.has('variables'))) this.#schedulePreview();
    this.#ensureKnown();
  }

  protected override updated(): void {
    this.#pages.setRoot(this.viewerEl ?? null);
    if (this.viewerEl) {
      for (const box of this.renderRoot.querySelectorAll<HTMLElement>('.page')) {
        this.#pages.observe(box, Number(box.dataset['page']));
      }
    }
  }

  // -- the library -------------------------------------------------------------------------

  #loadLibrary(delay: number): void {
    clearTimeout(this.#searchTimer);
    this.#libraryAbort?.abort();
    const client = this.client;
    if (!client) return;
    const search = this._search.trim();
    this.#searchTimer = setTimeout(async () => {
      const controller = new AbortController();
      this.#libraryAbort = controller;
      // The last results stay while a new search runs (no flicker as one types).
      this._searching = true;
      this._libraryError = undefined;
      try {
        const { items } = await client.listClauses(search ? { search } : {}, controller.signal);
        if (controller.signal.aborted) return;
        this._searching = false;
        this._library = items;
        const known = new Map(this._known);
        for (const clause of items) known.set(clause.id, clause);
        this._known = known;
      } catch (error) {
        if (controller.signal.aborted) return;
        this._searching = false;
        this._libraryError = toErrorDetail(error);
        this.emit('cs-error', this._libraryError);
      }
    }, delay);
  }

  /** Loads the library clauses (and pinned versions) the source uses that the list did not bring. */
  #ensureKnown(): void {
    const client = this.client;
    if (!client || this._library === undefined) return;
    for (const entry of this.source.clauses) {
      if (!isRef(entry)) continue;
      const id = entry.clauseId;
      const clause = this._known.get(id);
      if (!clause) {
        this._known = new Map(this._known).set(id, 'loading');
        client.getClause(id).then(
          (found) => (this._known = new Map(this._known).set(id, found)),
          () => (this._known = new Map(this._known).set(id, 'missing')),
        );
        continue;
      }
      if (typeof clause !== 'object') continue;
      const target = versionOf(entry, clause);
      const pinned = `${id}@${target}`;
      if (target === clause.version || this._versions.has(pinned)) continue;
      this._versions = new Map(this._versions).set(pinned, 'loading');
      client.listClauseVersions(id).then(
        ({ items }) => {
          const versions = new Map(this._versions);
          for (const version of items) versions.set(`${id}@${version.version}`, version);
          if (versions.get(pinned) === 'loading') versions.set(pinned, 'missing');
          this._versions = versions;
        },
        () => (this._versions = new Map(this._versions).set(pinned, 'missing')),
      );
    }
  }

  /** The text a reference stands for: its pinned version, else the clause as the library has it. */
  #content(entry: ClauseRefInput): Pick<Clause, 'title' | 'body' | 'locked' | 'condition'> | undefined {
    const clause = this._known.get(entry.clauseId);
    if (typeof clause !== 'object') return undefined;
    const target = versionOf(entry, clause);
    if (target === clause.version) return clause;
    const version = this._versions.get(`${entry.clauseId}@${target}`);
    return typeof version === 'object' ? version : undefined;
  }

  // -- edits -------------------------------------------------------------------------------

  #commit(source: ClausesSource, ids = this.#ids): void {
    this.#ids = ids;
    this.#own = JSON.stringify(source);
    this.source = source;
    this.emit('cs-source-change', { source });
  }

  #setClauses(clauses: Entry[], ids = this.#ids): void {
    this.#commit({ ...this.source, clauses }, ids);
  }

  #patchClause(index: number, patch: Partial<InlineClauseInput & ClauseRefInput>): void {
    this.#setClauses(
      this.source.clauses.map((entry, i) => {
        if (i !== index) return entry;
        const next = { ...entry, ...patch } as Record<string, unknown>;
        for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
        return next as unknown as Entry;
      }),
    );
  }

  #title(entry: Entry): string {
    if (!isRef(entry)) return entry.title || this.t('clauseDoc.newClause');
    return this.#content(entry)?.title ?? entry.clauseId;
  }

  #keyOf(entry: Entry): string | undefined {
    if (!isRef(entry)) return entry.key;
    const clause = this._known.get(entry.clauseId);
    return typeof clause === 'object' ? clause.key : undefined;
  }

  #addFromLibrary(clause: Clause): void {
    this.#setClauses([...this.source.clauses, { clauseId: clause.id }], [...this.#ids, nextId++]);
    this._announcement = this.t('clauseDoc.added', { title: clause.title, n: this.source.clauses.length });
  }

  #writeClause(): void {
    const keys = new Set(this.source.clauses.map((c) => this.#keyOf(c)));
    let n = this.source.clauses.length + 1;
    while (keys.has(`clause_${n}`)) n++;
    const entry: InlineClauseInput = { key: `clause_${n}`, title: this.t('clauseDoc.newClause'), body: '' };
    this.#setClauses([...this.source.clauses, entry], [...this.#ids, nextId++]);
    this._announcement = this.t('clauseDoc.added', { title: entry.title, n: this.source.clauses.length });
    void this.updateComplete.then(() => {
      const cards = this.renderRoot.querySelectorAll<HTMLElement>('.clause');
      const input = cards[cards.length - 1]?.querySelector<HTMLInputElement>('[data-control="title"]');
      input?.focus();
      input?.select();
    });
  }

  #remove(index: number): void {
    const title = this.#title(this.source.clauses[index]!);
    this.#setClauses(
      this.source.clauses.filter((_, i) => i !== index),
      this.#ids.filter((_, i) => i !== index),
    );
    this._announcement = this.t('clauseDoc.removed', { title });
    void this.updateComplete.then(() => {
      const cards = this.renderRoot.querySelectorAll<HTMLElement>('.clause');
      const target = cards[Math.min(index, cards.length - 1)]?.querySelector<HTMLElement>('[data-action="remove"]');
      (target ?? this.renderRoot.querySelector<HTMLElement>('[data-action="write"]'))?.focus();
    });
  }

  /** Moves clause `index` by one; focus goes back to `control` (or a move button) of the moved card. */
  #move(index: number, by: -1 | 1, control?: string): void {
    const to = index + by;
    if (to < 0 || to >= this.source.clauses.length) return;
    this.#moveTo(index, to, by < 0 ? 'down' : 'up', control);
  }

  /** Moves clause `from` to position `to`; focus goes to `control` of the moved card, else `fallback`. */
  #moveTo(from: number, to: number, fallbackAction: 'up' | 'down', control?: string): void {
    if (from === to || to < 0 || to >= this.source.clauses.length) return;
    const clauses = [...this.source.clauses];
    const ids = [...this.#ids];
    clauses.splice(to, 0, ...clauses.splice(from, 1));
    ids.splice(to, 0, ...ids.splice(from, 1));
    this.#setClauses(clauses, ids);
    this._announcement = this.t('clauseDoc.moved', { title: this.#title(clauses[to]!), n: to + 1 });
    void this.updateComplete.then(() => {
      const card = this.renderRoot.querySelectorAll<HTMLElement>('.clause')[to];
      const wanted = control
        ? card?.querySelector<HTMLElement>(`[data-control="${control}"], [data-action="${control}"]`)
        : null;
      const usable = (el: HTMLElement | null | undefined) => el && !(el as HTMLButtonElement).disabled;
      const fallback = card?.querySelector<HTMLElement>(`[data-action="${fallbackAction}"]`);
      (usable(wanted) ? wanted : fallback)?.focus();
    });
  }

  #onDragStart(event: DragEvent, index: number): void {
    this.#dragFrom = index;
    if (event.dataTransfer) {
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', this.#title(this.source.clauses[index]!));
      const card = (event.target as HTMLElement).closest('.clause');
      if (card) event.dataTransfer.setDragImage(card, 16, 16);
    }
  }

  #onDragOver(event: DragEvent, index: number): void {
    if (this.#dragFrom === undefined) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
    this._dropAt = index;
  }

  #onDrop(event: DragEvent, index: number): void {
    const from = this.#dragFrom;
    this.#onDragEnd();
    if (from === undefined) return;
    event.preventDefault();
    this.#moveTo(from, index, from < index ? 'up' : 'down', 'drag');
  }

  #onDragEnd(): void {
    this.#dragFrom = undefined;
    this._dropAt = undefined;
  }

  #onCardKey(event: KeyboardEvent, index: number): void {
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    event.preventDefault();
    const active = this.renderRoot instanceof ShadowRoot ? (this.renderRoot.activeElement as HTMLElement | null) : null;
    this.#move(index, event.key === 'ArrowUp' ? -1 : 1, active?.dataset['control'] ?? active?.dataset['action']);
  }

  #setCondition(index: number, detail: ConditionChangeDetail): void {
    if (!detail.valid) return;
    const entry = this.source.clauses[index]!;
    let condition: Condition | undefined = detail.value;
    if (isRef(entry) && condition === undefined) {
      // A library clause with its own condition: "always" has to be said, or its own applies.
      if (this.#content(entry)?.condition !== undefined) condition = true;
    }
    this.#patchClause(index, { condition });
  }

  // -- preview -----------------------------------------------------------------------------

  #mergeData(): MergeData {
    const data: MergeData = {};
    for (const variable of this.variables) {
      const value = this._samples[variable.key] ?? sampleValue(variable);
      data[variable.key] =
        (variable.type === 'number' || variable.type === 'money') && typeof value === 'string'
          ? value.trim() === ''
            ? null
            : Number(value)
          : value;
    }
    return data;
  }

  #schedulePreview(): void {
    clearTimeout(this.#previewTimer);
    // The server would refuse what the editor already flags: keep the last preview meanwhile.
    this._previewHeld = this.#problems().size > 0;
    if (this._previewHeld) return;
    this.#previewTimer = setTimeout(() => void this.renderPreview(), PREVIEW_DELAY_MS);
  }

  /** Renders the preview now (it then follows every edit on its own). */
  async renderPreview(force = false): Promise<void> {
    clearTimeout(this.#previewTimer);
    const client = this.client;
    if (!client) return;
    const request = { source: this.source, variables: this.variables, mergeData: this.#mergeData() };
    const key = JSON.stringify(request);
    if (!force && key === this.#previewKey && this._preview !== 'error') return;
    this.#previewKey = key;
    this.#previewAbort?.abort();
    const controller = new AbortController();
    this.#previewAbort = controller;
    this._preview = 'loading';
    this._previewError = undefined;
    try {
      const blob = await client.previewSource(
        request.source,
        { variables: request.variables, mergeData: request.mergeData },
        controller.signal,
      );
      if (controller.signal.aborted) return;
      const url = URL.createObjectURL(blob);
      await this.#pages.open({ url });
      if (controller.signal.aborted) return void URL.revokeObjectURL(url);
      if (this.#pages.status === 'error') throw this.#pages.error;
      if (this._previewUrl) URL.revokeObjectURL(this._previewUrl);
      this._previewUrl = url;
      this._preview = 'ready';
      this._announcement = translatePlural(this.effectiveLocale, 'clauseDoc.previewPages', this.#pages.sizes.length);
    } catch (error) {
      if (controller.signal.aborted) return;
      // The client wraps every HTTP and network failure in an ApiError; anything else is pdf.js.
      const detail: CsErrorDetail =
        error instanceof ApiError
          ? toErrorDetail(error)
          : { code: 'preview-failed', message: (error as Error)?.message || String(error) };
      this._previewError = detail;
      this._preview = 'error';
      this.#previewKey = undefined;
      this.emit('cs-error', detail);
    }
  }

  // -- rendering ---------------------------------------------------------------------------

  #problems(): Map<number, Map<string, string>> {
    const counts = new Map<string, number>();
    for (const entry of this.source.clauses) {
      const key = this.#keyOf(entry);
      if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const all = new Map<number, Map<string, string>>();
    this.source.clauses.forEach((entry, i) => {
      const problems = new Map<string, string>();
      const key = this.#keyOf(entry);
      if (!isRef(entry)) {
        if (!entry.key.trim()) problems.set('key', this.t('clauseDoc.error.keyEmpty'));
        else if (!KEY.test(entry.key)) problems.set('key', this.t('clauseDoc.error.keyChars'));
        if (!entry.title.trim()) problems.set('title', this.t('clauseDoc.error.titleEmpty'));
        if (!entry.body.trim()) problems.set('body', this.t('clauseDoc.error.bodyEmpty'));
      }
      if (key && (counts.get(key) ?? 0) > 1 && !problems.has('key'))
        problems.set('key', this.t('clauseDoc.error.keyDuplicate', { key }));
      if (problems.size) all.set(i, problems);
    });
    return all;
  }

  override render() {
    const problems = this.#problems();
    const sample = this.#mergeData();
    return html`<div class="layout">
      <div>
        ${this.#renderDocument()}
        <section aria-labelledby="clauses-heading">
          <h2 id="clauses-heading">${this.t('clauseDoc.clauses')}</h2>
          <p class="hint" id="reorder-hint">${this.t('clauseDoc.reorderHint')}</p>
          ${this.source.clauses.length === 0 ? html`<p class="muted">${this.t('clauseDoc.noClauses')}</p>` : nothing}
          <ol part="clauses" class="clauses">
            ${repeat(
              this.source.clauses,
              (_, i) => this.#ids[i] ?? i,
              (entry, i) => this.#renderClause(entry, i, sample, problems.get(i)),
            )}
          </ol>
        </section>
        ${this.#renderLibrary()}
      </div>
      ${this.#renderPreview()}
      <p class="visually-hidden" role="status">${this._announcement}</p>
    </div>`;
  }

  #renderDocument(): TemplateResult {
    const parties = this.source.parties ?? [];
    const setParties = (next: typeof parties) => {
      const { parties: _old, ...rest } = this.source;
      this.#commit(next.length ? { ...rest, parties: next } : rest);
    };
    return html`<section part="document" aria-labelledby="document-heading">
      <h2 id="document-heading">${this.t('clauseDoc.document')}</h2>
      <label class="field">
        <span>${this.t('clauseDoc.title')}</span>
        <input
          data-control="document-title"
          autocomplete="off"
          .value=${live(this.source.title)}
          @input=${(e: Event) => this.#commit({ ...this.source, title: (e.target as HTMLInputElement).value })}
        />
      </label>
      <h3 class="field" style="margin-top:0.75rem">${this.t('clauseDoc.parties')}</h3>
      <ul class="parties">
        ${parties.map((party, i) => {
          const n = i + 1;
          return html`<li class="party">
            <div role="group" aria-labelledby=${`p-${i}`}>
              <div class="party-head">
                <strong id=${`p-${i}`}>${this.t('clauseDoc.party', { n })}</strong>
                <button
                  type="button"
                  class="button icon"
                  data-action="remove-party"
                  aria-label=${this.t('clauseDoc.removeParty', { n })}
                  title=${this.t('clauseDoc.removeParty', { n })}
                  @click=${() => setParties(parties.filter((_, j) => j !== i))}
                >
                  ✕
                </button>
              </div>
              <div class="stack">
                <label class="field">
                  <span>${this.t('clauseDoc.partyLabel')}</span>
                  <input
                    data-control="party-label"
                    autocomplete="off"
                    .value=${live(party.label)}
                    @input=${(e: Event) =>
                      setParties(
                        parties.map((p, j) => (j === i ? { ...p, label: (e.target as HTMLInputElement).value } : p)),
                      )}
                  />
                </label>
                <label class="field">
                  <span>${this.t('clauseDoc.partyLines')}</span>
                  <textarea
                    data-control="party-lines"
                    .value=${live(party.lines.join('\n'))}
                    @input=${(e: Event) =>
                      setParties(
                        parties.map((p, j) =>
                          j === i ? { ...p, lines: (e.target as HTMLTextAreaElement).value.split('\n') } : p,
                        ),
                      )}
                  ></textarea>
                </label>
              </div>
            </div>
          </li>`;
        })}
      </ul>
      <button
        type="button"
        class="button"
        data-action="add-party"
        @click=${() => {
          setParties([...parties, { label: '', lines: [] }]);
          void this.updateComplete.then(() =>
            [...this.renderRoot.querySelectorAll<HTMLInputElement>('[data-control="party-label"]')].at(-1)?.focus(),
          );
        }}
      >
        + ${this.t('clauseDoc.addParty')}
      </button>
    </section>`;
  }

  #renderClause(entry: Entry, i: number, sample: MergeData, problems?: Map<string, string>): TemplateResult {
    const id = this.#ids[i] ?? i;
    const n = i + 1;
    const title = this.#title(entry);
    const ref = isRef(entry) ? entry : undefined;
    const clause = ref ? this._known.get(ref.clauseId) : undefined;
    const library = typeof clause === 'object' ? clause : undefined;
    const content = ref ? this.#content(ref) : undefined;
    const pinnedMissing =
      !!ref && !!library && this._versions.get(`${ref.clauseId}@${versionOf(ref, library)}`) === 'missing';
    const latest = library?.latestPublishedVersion ?? undefined;
    const newer = ref?.version !== undefined && latest !== undefined && latest > ref.version ? latest : undefined;
    // The server locks a library clause when the library or the reference says so.
    const lockedInLibrary = !!content?.locked;
    const locked = lockedInLibrary || (entry.locked ?? false);
    const body = ref ? content?.body : (entry as InlineClauseInput).body;
    const condition = entry.condition ?? content?.condition;
    const last = i === this.source.clauses.length - 1;
    const errorId = (what: string) => `e-${id}-${what}`;
    const tool = (action: string, label: string, symbol: string, onClick: () => void, disabled = false) =>
      html`<button
        type="button"
        class="button icon"
        data-action=${action}
        aria-label=${label}
        title=${label}
        ?disabled=${disabled}
        @click=${onClick}
      >
        ${symbol}
      </button>`;
    const inlineField = (what: 'title' | 'key', label: string, value: string, wide = false) =>
      html`<label class="field ${wide ? 'wide' : ''}">
        <span>${label}</span>
        <input
          data-control=${what}
          autocomplete="off"
          spellcheck=${what === 'key' ? 'false' : nothing}
          aria-invalid=${problems?.has(what) ? 'true' : 'false'}
          aria-describedby=${problems?.has(what) ? errorId(what) : nothing}
          .value=${live(value)}
          @input=${(e: Event) => this.#patchClause(i, { [what]: (e.target as HTMLInputElement).value })}
        />
        ${problems?.has(what) ? html`<span class="error" id=${errorId(what)}>${problems.get(what)}</span>` : nothing}
      </label>`;
    return html`<li
      class="clause"
      part="clause"
      data-key=${this.#keyOf(entry) ?? ''}
      ?data-invalid=${!!problems}
      ?data-drop=${this._dropAt === i}
      aria-labelledby=${`c-${id}`}
      aria-describedby="reorder-hint"
      @keydown=${(e: KeyboardEvent) => this.#onCardKey(e, i)}
      @dragover=${(e: DragEvent) => this.#onDragOver(e, i)}
      @drop=${(e: DragEvent) => this.#onDrop(e, i)}
    >
      <div class="clause-head">
        <span
          class="handle"
          data-action="drag"
          draggable="true"
          aria-hidden="true"
          title=${this.t('clauseDoc.drag')}
          @dragstart=${(e: DragEvent) => this.#onDragStart(e, i)}
          @dragend=${() => this.#onDragEnd()}
          >⠿</span
        >
        <h3 id=${`c-${id}`}>${this.t('clauseDoc.clause', { n, title })}</h3>
        <div class="tools">
          ${tool('up', this.t('clauseDoc.moveUp', { title }), '↑', () => this.#move(i, -1, 'up'), i === 0)}
          ${tool('down', this.t('clauseDoc.moveDown', { title }), '↓', () => this.#move(i, 1, 'down'), last)}
          ${tool('remove', this.t('clauseDoc.remove', { title }), '✕', () => this.#remove(i))}
        </div>
      </div>
      <div class="meta">
        <span class="tag">${ref ? this.t('clauseDoc.library') : this.t('clauseDoc.inline')}</span>
        ${library ? html`<span class="tag">${library.key}</span>` : nothing}
        ${
          ref && library
            ? html`<span class="tag"
                >${
                  ref.version !== undefined
                    ? this.t('clauseDoc.pinned', { version: ref.version })
                    : this.t('clauseDoc.latest', { version: library.latestPublishedVersion ?? '–' })
                }</span
              >`
            : nothing
        }
        ${locked ? html`<span class="tag locked">${this.t('clauseDoc.lockedBadge')}</span>` : nothing}
        ${
          condition !== undefined && !evaluateCondition(condition, sample)
            ? html`<span class="tag left-out" data-left-out>${this.t('clauseDoc.leftOut')}</span>`
            : nothing
        }
      </div>
      ${
        ref && (clause === 'missing' || pinnedMissing)
          ? html`<p class="error">${this.t('clauseDoc.missingClause')}</p>`
          : nothing
      }
      ${
        newer
          ? html`<p class="row">
              <span>${this.t('clauseDoc.newer', { version: newer })}</span>
              <button
                type="button"
                class="button"
                data-action="use-latest"
                @click=${() => this.#patchClause(i, { version: undefined })}
              >
                ${this.t('clauseDoc.useLatest', { version: newer })}
              </button>
            </p>`
          : nothing
      }
      ${
        ref && !content && clause !== 'missing' && !pinnedMissing
          ? html`<p class="muted">${this.t('clauseDoc.loadingClause')}</p>`
          : nothing
      }
      ${ref && problems?.has('key') ? html`<p class="error">${problems.get('key')}</p>` : nothing}
      ${
        !ref
          ? html`<div class="grid">
              ${inlineField('title', this.t('clauseDoc.clauseTitle'), (entry as InlineClauseInput).title)}
              ${inlineField('key', this.t('clauseDoc.clauseKey'), (entry as InlineClauseInput).key)}
              <label class="field wide">
                <span>${this.t('clauseDoc.clauseBody')}</span>
                <textarea
                  class="body"
                  data-control="body"
                  aria-invalid=${problems?.has('body') ? 'true' : 'false'}
                  aria-describedby=${[problems?.has('body') ? errorId('body') : '', `h-${id}`].filter(Boolean).join(' ')}
                  .value=${live((entry as InlineClauseInput).body)}
                  @input=${(e: Event) => this.#patchClause(i, { body: (e.target as HTMLTextAreaElement).value })}
                ></textarea>
                <span class="hint" id=${`h-${id}`}>${this.t('clauseDoc.bodyHint')}</span>
                ${problems?.has('body') ? html`<span class="error" id=${errorId('body')}>${problems.get('body')}</span>` : nothing}
              </label>
            </div>`
          : nothing
      }
      ${
        body
          ? html`<div
              part="body-preview"
              class="body-preview"
              role="group"
              aria-label=${this.t('clauseDoc.bodyPreview')}
            >
              ${this.#renderBody(body)}
            </div>`
          : nothing
      }
      <label class="check">
        <input
          type="checkbox"
          data-control="locked"
          .checked=${live(locked)}
          ?disabled=${lockedInLibrary}
          aria-describedby=${lockedInLibrary ? `l-${id}` : nothing}
          @change=${(e: Event) => this.#patchClause(i, { locked: (e.target as HTMLInputElement).checked || undefined })}
        />${this.t('clauseDoc.locked')}
      </label>
      ${lockedInLibrary ? html`<p class="hint" id=${`l-${id}`}>${this.t('clauseDoc.lockedInLibrary')}</p>` : nothing}
      <cs-condition-input
        data-control="condition"
        .label=${this.t('clauseDoc.conditionOf', { title })}
        .variables=${this.variables}
        .value=${condition}
        locale=${this.effectiveLocale}
        @cs-condition-change=${(e: CustomEvent<ConditionChangeDetail>) => {
          e.stopPropagation();
          this.#setCondition(i, e.detail);
        }}
      ></cs-condition-input>
    </li>`;
  }

  /** Clause text as it reads: paragraphs, lists, bold and italic, variables as chips. Never HTML. */
  #renderBody(body: string): TemplateResult[] {
    return renderClauseBlocks(body, (text) => withPlaceholders(text, (key) => this.#chip(key)));
  }

  #chip(key: string): TemplateResult {
    const variable = this.variables.find((v) => v.key === key);
    return variable
      ? html`<span class="chip" data-variable=${key} title=${`{{${key}}}`}>${variable.label || key}</span>`
      : html`<span class="chip" data-variable=${key} data-unknown title=${this.t('clauseDoc.unknownVariable', { key })}
          >${key}<span class="visually-hidden"> (${this.t('clauseDoc.unknownVariable', { key })})</span></span
        >`;
  }

  #renderLibrary(): TemplateResult {
    const used = new Set(this.source.clauses.filter(isRef).map((c) => c.clauseId));
    const list = this._library;
    let results: unknown;
    if (this._libraryError) {
      results = html`<div class="alert" role="alert">
        <span>${this.t('clauseDoc.libraryFailed', { message: this._libraryError.message })}</span>
        <button type="button" class="button" data-action="retry-library" @click=${() => this.#loadLibrary(0)}>
          ${this.t('clauseDoc.retry')}
        </button>
      </div>`;
    } else if (!list) {
      results = this.client ? html`<p class="muted">${this.t('clauseDoc.searching')}</p>` : nothing;
    } else {
      results = html`<ul
        class="results"
        aria-label=${this.t('clauseDoc.search')}
        aria-busy=${this._searching ? 'true' : 'false'}
      >
        ${list.map((clause) => {
          const published = clause.latestPublishedVersion !== null;
          const added = used.has(clause.id);
          return html`<li class="result" data-clause-id=${clause.id}>
            <span class="result-text">
              <strong>${clause.title}</strong>
              <span class="meta">
                <span class="tag">${clause.key}</span>
                ${
                  published
                    ? html`<span class="tag"
                        >${this.t('clauseDoc.version', { version: clause.latestPublishedVersion! })}</span
                      >`
                    : html`<span class="tag">${this.t('clauseDoc.unpublished')}</span>`
                }
                ${clause.locked ? html`<span class="tag locked">${this.t('clauseDoc.lockedBadge')}</span>` : nothing}
              </span>
            </span>
            <button
              type="button"
              class="button"
              data-action="add-clause"
              aria-label=${published && !added ? this.t('clauseDoc.addNamed', { title: clause.title }) : nothing}
              ?disabled=${!published || added}
              @click=${() => this.#addFromLibrary(clause)}
            >
              ${added ? this.t('clauseDoc.alreadyAdded') : published ? this.t('clauseDoc.add') : this.t('clauseDoc.unpublished')}
            </button>
          </li>`;
        })}
      </ul>`;
    }
    const count = list?.length ?? 0;
    return html`<section part="library" class="panel" aria-labelledby="add-heading">
      <h2 id="add-heading">${this.t('clauseDoc.addHeading')}</h2>
      <div class="stack">
        <button type="button" class="button" data-action="write" @click=${() => this.#writeClause()}>
          + ${this.t('clauseDoc.writeClause')}
        </button>
        <label class="field">
          <span>${this.t('clauseDoc.search')}</span>
          <input
            type="search"
            data-control="search"
            autocomplete="off"
            .value=${live(this._search)}
            @input=${(e: Event) => {
              this._search = (e.target as HTMLInputElement).value;
              this.#loadLibrary(SEARCH_DELAY_MS);
            }}
          />
        </label>
        <p class="hint" aria-live="polite">
          ${
            list
              ? count === 0
                ? this.t('clauseDoc.noResults')
                : translatePlural(this.effectiveLocale, 'clauseDoc.results', count)
              : ''
          }
        </p>
        ${results}
      </div>
    </section>`;
  }

  #renderSampleInput(variable: Variable): TemplateResult {
    const value = this._samples[variable.key] ?? sampleValue(variable);
    const set = (v: string | number | boolean) => {
      this._samples = { ...this._samples, [variable.key]: v };
      if (this._preview !== 'off') this.#schedulePreview();
    };
    const label = variable.label || variable.key;
    if (variable.type === 'boolean') {
      return html`<label class="check"
        ><input
          type="checkbox"
          data-sample=${variable.key}
          .checked=${live(value === true)}
          @change=${(e: Event) => set((e.target as HTMLInputElement).checked)}
        />${label}</label
      >`;
    }
    if (variable.type === 'enum') {
      return html`<label class="field"
        ><span>${label}</span>
        <select data-sample=${variable.key} @change=${(e: Event) => set((e.target as HTMLSelectElement).value)}>
          ${variable.options.map(
            (o) => html`<option value=${o.value} ?selected=${o.value === value}>${o.label || o.value}</option>`,
          )}
        </select></label
      >`;
    }
    const type = { number: 'number', money: 'number', date: 'date', email: 'email', phone: 'tel', text: 'text' }[
      variable.type
    ];
    return html`<label class="field"
      ><span>${label}${variable.type === 'money' ? ` (${variable.currency})` : ''}</span>
      <input
        type=${type}
        data-sample=${variable.key}
        step=${type === 'number' ? 'any' : nothing}
        autocomplete="off"
        .value=${live(String(value))}
        @input=${(e: Event) => set((e.target as HTMLInputElement).value)}
    /></label>`;
  }

  #renderPreview(): TemplateResult {
    const sizes = this.#pages.sizes;
    const state = this._preview;
    return html`<section part="preview" class="panel" aria-labelledby="preview-heading" data-state=${state}>
      <h2 id="preview-heading">${this.t('clauseDoc.preview')}</h2>
      <fieldset style="border:0;padding:0">
        <legend class="field"><span>${this.t('clauseDoc.sampleData')}</span></legend>
        ${
          this.variables.length
            ? html`<div class="samples">${this.variables.map((v) => this.#renderSampleInput(v))}</div>`
            : html`<p class="muted">${this.t('clauseDoc.noVariables')}</p>`
        }
      </fieldset>
      <div class="row">
        <button
          type="button"
          class="button primary"
          data-action="preview"
          ?disabled=${!this.client || state === 'loading'}
          @click=${() => void this.renderPreview(true)}
        >
          ${state === 'off' ? this.t('clauseDoc.showPreview') : this.t('clauseDoc.refresh')}
        </button>
        ${
          this._previewUrl && state === 'ready'
            ? html`<a class="button" href=${this._previewUrl} download="preview.pdf" data-action="download"
                >${translatePlural(this.effectiveLocale, 'clauseDoc.download', sizes.length)}</a
              >`
            : nothing
        }
      </div>
      ${
        this._previewHeld && state !== 'off'
          ? html`<p class="hint" data-held>${this.t('clauseDoc.previewHeld')}</p>`
          : nothing
      }
      ${state === 'loading' ? html`<p class="muted" role="status">${this.t('clauseDoc.rendering')}</p>` : nothing}
      ${
        state === 'error' && this._previewError
          ? html`<div class="alert" role="alert" data-error=${this._previewError.code}>
              <span>${this.t('clauseDoc.previewFailed', { message: this._previewError.message })}</span>
              <button
                type="button"
                class="button"
                data-action="retry-preview"
                @click=${() => void this.renderPreview(true)}
              >
                ${this.t('clauseDoc.retry')}
              </button>
            </div>`
          : nothing
      }
      ${
        state === 'ready' || (state === 'loading' && sizes.length)
          ? html`<div
              part="viewer"
              class="viewer"
              role="region"
              tabindex="0"
              aria-busy=${state === 'loading' ? 'true' : 'false'}
              aria-label=${this.t('clauseDoc.previewDocument', { title: this.source.title })}
            >
              ${repeat(
                sizes.map((_, i) => i + 1),
                (n) => n,
                (n) => {
                  const size = sizes[n - 1]!;
                  return html`<div
                    part="page"
                    class="page"
                    data-page=${n}
                    role="img"
                    aria-label=${this.t('clauseDoc.page', { n })}
                    style="aspect-ratio:${size.width} / ${size.height}"
                  ></div>`;
                },
              )}
            </div>`
          : nothing
      }
    </section>`;
  }
}

define('cs-clause-document-editor', CsClauseDocumentEditor);
