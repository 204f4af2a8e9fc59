import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  ApiError,
  type AuditActor,
  type Clause,
  type ClauseDiff,
  type ClauseInput,
  type ClausePatch,
  type ClauseProposal,
  type ClauseVersion,
  type Condition,
  type Variable,
  placeholders,
} from '@countersign/core';
import { CsConnectedElement } from '../internal/connected.ts';
import type { CsErrorDetail } from '../internal/cs-element.ts';
import { toErrorDetail } from '../internal/error-code.ts';
import { visuallyHidden } from '../internal/styles.ts';
import '../internal/condition-input.ts';
import type { ConditionChangeDetail } from '../internal/condition-input.ts';
import { renderClauseText } from './render-clause-text.ts';
import { renderDiffColumns } from './diff-view.ts';
import { clauseLibraryStyles } from './clause-library.styles.ts';
import './clause-library.strings.ts';

/** `detail` of `cs-clause-save`: a clause was created (version 1) or saved as a new draft version. */
export interface ClauseSaveDetail {
  clauseId: string;
  version: number;
}
/** `detail` of `cs-clause-publish`: a clause version was published. */
export interface ClausePublishDetail {
  clauseId: string;
  version: number;
}
/** `detail` of `cs-proposal-decide`: legal approved or rejected a proposed change. */
export interface ProposalDecideDetail {
  clauseId: string;
  proposalId: string;
  decision: 'approved' | 'rejected';
  /** The new draft version an approval created. */
  version?: number;
}

declare module '../internal/cs-element.ts' {
  interface CsEventMap {
    'cs-clause-save': ClauseSaveDetail;
    'cs-clause-publish': ClausePublishDetail;
    'cs-proposal-decide': ProposalDecideDetail;
  }
}

/** `manage`: legal edits, publishes and reviews; `browse`: read published clauses and propose changes. */
export type ClauseLibraryMode = 'manage' | 'browse';
/** The views of a clause in manage mode. */
export type ClauseLibraryTab = 'edit' | 'history' | 'proposals';

interface Draft {
  key: string;
  title: string;
  body: string;
  locked: boolean;
  category: string;
  tags: string;
  condition: string;
}
type DraftField = keyof Draft;
interface ProposalDraft {
  title: string;
  body: string;
  comment: string;
}
interface Notice {
  kind: 'error' | 'success';
  text: string;
  detail?: string;
}

const EMPTY_DRAFT: Draft = { key: '', title: '', body: '', locked: false, category: '', tags: '', condition: '' };

function draftOf(c: Clause): Draft {
  return {
    key: c.key,
    title: c.title,
    body: c.body,
    locked: c.locked,
    category: c.category ?? '',
    tags: (c.tags ?? []).join(', '),
    condition: c.condition === undefined ? '' : JSON.stringify(c.condition),
  };
}

const parseTags = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

/** Error codes of this element's `cs-error`: the loading ones plus `conflict` (409) and `invalid` (422). */
function errorDetail(error: unknown): CsErrorDetail {
  const base = toErrorDetail(error);
  if (base.status === 409) return { ...base, code: 'conflict' };
  if (base.status === 422) return { ...base, code: 'invalid' };
  return base;
}

/**
 * @summary Legal's clause library: search and filter clauses, edit one beside a live preview,
 *   save new draft versions, publish, compare versions side by side and review proposed
 *   changes. With `mode="browse"` (agents), read published clauses and propose changes.
 *
 * Configure with `server` and `token` (an embed token for a legal or agent user), or an
 * enclosing `<cs-provider>`. The server enforces every role; the element only hides what the
 * server would refuse.
 *
 * @csspart base - The frame around everything.
 * @csspart list - The list of clauses.
 * @csspart item - One clause button in the list.
 * @csspart search - The search field.
 * @csspart detail - The pane with the selected clause.
 * @csspart editor - The edit form.
 * @csspart preview - The formatted preview of the clause text.
 * @csspart variable - A {{variable}} chip in the preview.
 * @csspart diff-delete - Deleted words in a diff.
 * @csspart diff-insert - Inserted words in a diff.
 * @csspart error - The error message.
 * @csspart status - The success message.
 * @csspart lock - The lock icon of a locked clause.
 *
 * @cssprop [--cs-clause-library-font-family=system-ui] - Font family (falls back to `--cs-font-family`).
 * @cssprop [--cs-clause-library-color=#1f2328] - Text colour.
 * @cssprop [--cs-clause-library-muted-color=#555c66] - Secondary text.
 * @cssprop [--cs-clause-library-background=#ffffff] - Background.
 * @cssprop [--cs-clause-library-border-color=#c4c9d0] - Borders.
 * @cssprop [--cs-clause-library-radius=8px] - Corner radius (falls back to `--cs-radius`).
 * @cssprop [--cs-clause-library-accent-color=#1a56c4] - Buttons and the selected clause (falls back to `--cs-accent-color`).
 * @cssprop [--cs-clause-library-danger-color=#962020] - Errors and deletions.
 * @cssprop [--cs-clause-library-danger-background=#fce7e7] - Background of errors and deletions.
 * @cssprop [--cs-clause-library-success-color=#0d5a2c] - Success messages and insertions.
 * @cssprop [--cs-clause-library-success-background=#e1f4e7] - Background of success messages and insertions.
 * @cssprop [--cs-clause-library-variable-background=#e8eefb] - Background of variable chips.
 * @cssprop [--cs-focus-ring-color=#1a56c4] - Focus outline.
 *
 * @event {CustomEvent<ClauseSaveDetail>} cs-clause-save - A clause was created or saved as a new draft version.
 * @event {CustomEvent<ClausePublishDetail>} cs-clause-publish - A version was published.
 * @event {CustomEvent<ProposalDecideDetail>} cs-proposal-decide - A proposal was approved or rejected.
 * @event {CustomEvent<ProposalSubmitDetail>} cs-proposal-submit - A proposed change was sent (browse mode).
 * @event {CustomEvent<CsErrorDetail>} cs-error - A call failed (`unauthorized`, `forbidden`,
 *   `not-found`, `network`, `conflict`, `invalid`, `server`); the message is shown and edits are kept.
 */
export class CsClauseLibrary extends CsConnectedElement {
  static override styles = [visuallyHidden, clauseLibraryStyles];

  /** `manage` (legal: edit, publish, review) or `browse` (read published clauses, propose changes). */
  @property({ reflect: true }) mode: ClauseLibraryMode = 'manage';
  /** Id of a clause to open once the list has loaded. */
  @property({ attribute: 'clause-id' }) clauseId?: string;
  /** Milliseconds to wait after typing before searching the server. */
  @property({ type: Number, attribute: 'search-delay' }) searchDelay = 250;

  @state() private _clauses?: Clause[];
  @state() private _listError?: CsErrorDetail;
  @state() private _search = '';
  @state() private _category = '';
  @state() private _tag = '';
  @state() private _onlyLocked = false;
  @state() private _onlyPending = false;
  @state() private _pending = new Map<string, number>();
  @state() private _selectedId?: string;
  /** The open clause, kept when a search leaves it out of the list. */
  @state() private _current?: Clause;
  @state() private _creating = false;
  @state() private _tab: ClauseLibraryTab = 'edit';
  @state() private _draft?: Draft;
  @state() private _base?: Draft;
  @state() private _fieldErrors: Partial<Record<DraftField | 'comment', string>> = {};
  @state() private _notice?: Notice;
  @state() private _busy = false;
  /** False while the condition input holds something that is not a usable condition. */
  @state() private _conditionValid = true;
  @state() private _versions?: ClauseVersion[];
  @state() private _diffFrom = 0;
  @state() private _diffTo = 0;
  @state() private _diff?: ClauseDiff;
  @state() private _proposals?: ClauseProposal[];
  @state() private _decisionComments: Record<string, string> = {};
  @state() private _decisionErrors: Record<string, string> = {};
  @state() private _approved?: { clauseId: string; version: number };
  @state() private _proposal?: ProposalDraft;

  /** Unsaved edits of clauses the user moved away from, restored when they come back. */
  #stash = new Map<string, Draft>();
  #listAbort?: AbortController;
  #searchTimer?: ReturnType<typeof setTimeout>;
  #loadedFor?: string;

  /** The clauses the list shows now (after search and filters). */
  get visibleClauses(): Clause[] {
    return (this._clauses ?? []).filter(
      (c) =>
        (!this._category || c.category === this._category) &&
        (!this._tag || (c.tags ?? []).includes(this._tag)) &&
        (!this._onlyLocked || c.locked) &&
        (!this._onlyPending || (this._pending.get(c.id) ?? 0) > 0),
    );
  }

  /** True when the form holds edits not saved yet. */
  get dirty(): boolean {
    return !!this._draft && !!this._base && JSON.stringify(this._draft) !== JSON.stringify(this._base);
  }

  /** Opens a clause of the list on one of its tabs (`history` and `proposals` are for legal). */
  async show(clauseId: string, tab: ClauseLibraryTab = 'edit'): Promise<void> {
    await this.#select(clauseId);
    if (this._selectedId === clauseId && !this.#browse) this.#openTab(tab);
  }

  /** Loads the list (and the counts of pending proposals) again from the server. */
  reload(): Promise<void> {
    this._pending = new Map();
    return this.#loadList();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#searchTimer);
    this.#listAbort?.abort();
    this.#loadedFor = undefined;
  }

  protected override willUpdate(): void {
    const key = `${this.effectiveServer}|${this.effectiveToken}|${this.mode}`;
    if (this.client && key !== this.#loadedFor) {
      this.#loadedFor = key;
      void this.#loadList();
    }
  }

  get #browse(): boolean {
    return this.mode === 'browse';
  }

  get #selected(): Clause | undefined {
    return this._selectedId ? this._current : undefined;
  }

  async #loadList(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.#listAbort?.abort();
    const abort = (this.#listAbort = new AbortController());
    this._listError = undefined;
    try {
      const { items } = await client.listClauses(
        this._search.trim() ? { search: this._search.trim() } : {},
        abort.signal,
      );
      if (abort.signal.aborted) return;
      this._clauses = items;
      if (!this.#browse) void this.#loadPendingCounts(items);
      if (this.clauseId && !this._selectedId && !this._creating) void this.#select(this.clauseId);
    } catch (error) {
      if (abort.signal.aborted) return;
      this._listError = errorDetail(error);
      this.emit('cs-error', this._listError);
    }
  }

  async #loadPendingCounts(items: Clause[]): Promise<void> {
    const client = this.client;
    if (!client) return;
    // Counts change only through proposals, which this element refreshes when it shows them.
    const unknown = items.filter((c) => !this._pending.has(c.id));
    const counts = await Promise.all(
      unknown.map(async (c) => {
        try {
          const { items: proposals } = await client.listProposals(c.id);
          return [c.id, proposals.filter((p) => p.status === 'pending').length] as const;
        } catch {
          return undefined; // The count is a hint; the list works without it.
        }
      }),
    );
    this._pending = new Map([...this._pending, ...counts.filter((c) => c !== undefined)]);
  }

  #onSearch(e: Event): void {
    this._search = (e.target as HTMLInputElement).value;
    clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => void this.#loadList(), this.searchDelay);
  }

  #resetDetail(): void {
    this._conditionValid = true;
    this._fieldErrors = {};
    this._notice = undefined;
    this._versions = undefined;
    this._diff = undefined;
    this._proposals = undefined;
    this._decisionComments = {};
    this._decisionErrors = {};
    this._approved = undefined;
    this._proposal = undefined;
  }

  async #select(id: string): Promise<void> {
    const clause = this._clauses?.find((c) => c.id === id);
    if (!clause) return;
    this.#stashDraft();
    this.#resetDetail();
    this._selectedId = id;
    this._current = clause;
    this._creating = false;
    this._tab = 'edit';
    this._base = draftOf(clause);
    this._draft = this.#stash.get(id) ?? draftOf(clause);
    this.#stash.delete(id);
    if (!this.#browse) {
      void this.#loadVersions(id);
      void this.#loadProposals(id);
    }
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#detail-heading')?.focus();
  }

  #stashDraft(): void {
    if (this._selectedId && this.dirty && !this.#browse) this.#stash.set(this._selectedId, this._draft!);
  }

  async #startCreate(): Promise<void> {
    this.#stashDraft();
    this.#resetDetail();
    this._selectedId = undefined;
    this._creating = true;
    this._tab = 'edit';
    this._draft = { ...EMPTY_DRAFT };
    this._base = { ...EMPTY_DRAFT };
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#detail-heading')?.focus();
  }

  #openTab(tab: ClauseLibraryTab): void {
    this._tab = tab;
    // History opens on what changed last.
    if (tab === 'history' && !this._diff && (this._versions?.length ?? 0) > 1) void this.#showDiff();
  }

  async #loadVersions(id: string): Promise<void> {
    try {
      const { items } = await this.client!.listClauseVersions(id);
      if (this._selectedId !== id) return;
      this._versions = items;
      const last = items.at(-1)?.version ?? 1;
      this._diffTo = last;
      this._diffFrom = Math.max(1, last - 1);
      if (this._tab === 'history' && !this._diff && items.length > 1) void this.#showDiff();
    } catch (error) {
      this.#fail(error);
    }
  }

  async #loadProposals(id: string): Promise<void> {
    try {
      const { items } = await this.client!.listProposals(id);
      if (this._selectedId !== id) return;
      this._proposals = items;
      this._pending = new Map(this._pending).set(id, items.filter((p) => p.status === 'pending').length);
    } catch (error) {
      this.#fail(error);
    }
  }

  #replaceClause(updated: Clause): void {
    if (updated.id === this._current?.id) this._current = updated;
    const list = this._clauses ?? [];
    this._clauses = list.some((c) => c.id === updated.id)
      ? list.map((c) => (c.id === updated.id ? updated : c))
      : [...list, updated].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Shows a failed call: a message, the server's field errors beside their fields, and `cs-error`. */
  #fail(error: unknown): void {
    const detail = errorDetail(error);
    const fieldErrors: Partial<Record<DraftField | 'comment', string>> = {};
    if (error instanceof ApiError) {
      for (const item of error.problem.errors ?? []) {
        const field = (item.path ?? '').split('.')[0] as DraftField | 'comment';
        if (field && (field in EMPTY_DRAFT || field === 'comment')) fieldErrors[field] ??= item.message;
      }
    }
    this._fieldErrors = fieldErrors;
    const serverSays = detail.code === 'network' ? undefined : detail.message;
    this._notice = {
      kind: 'error',
      text: this.t(`clauseLibrary.error.${detail.code}`),
      ...(serverSays && !Object.keys(fieldErrors).length ? { detail: serverSays } : {}),
    };
    this.emit('cs-error', detail);
    if (Object.keys(fieldErrors).length) {
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"], [data-invalid] cs-condition-input')?.focus(),
      );
    }
  }

  /** Checks the form before sending it; returns the parsed condition, null for none, or false when invalid. */
  #validate(draft: Draft): Condition | null | false {
    const errors: Partial<Record<DraftField, string>> = {};
    const required = this.t('clauseLibrary.field.required');
    if (this._creating && !draft.key.trim()) errors.key = required;
    if (!draft.title.trim()) errors.title = required;
    if (!draft.body.trim()) errors.body = required;
    const condition = draft.condition ? (JSON.parse(draft.condition) as Condition) : null;
    if (!this._conditionValid) errors.condition = this.t('clauseLibrary.field.conditionInvalid');
    this._fieldErrors = errors;
    if (Object.keys(errors).length) {
      this._notice = { kind: 'error', text: this.t('clauseLibrary.error.invalid') };
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"], [data-invalid] cs-condition-input')?.focus(),
      );
      return false;
    }
    return condition;
  }

  async #save(e: Event): Promise<void> {
    e.preventDefault();
    const draft = this._draft;
    const client = this.client;
    if (!draft || !client || this._busy) return;
    const condition = this.#validate(draft);
    if (condition === false) return;
    this._busy = true;
    this._notice = undefined;
    try {
      if (this._creating) {
        const input: ClauseInput = {
          key: draft.key.trim(),
          title: draft.title,
          body: draft.body,
          locked: draft.locked,
        };
        if (draft.category.trim()) input.category = draft.category.trim();
        if (parseTags(draft.tags).length) input.tags = parseTags(draft.tags);
        if (condition !== null) input.condition = condition;
        const created = await client.createClause(input);
        this.#replaceClause(created);
        await this.#select(created.id);
        this._notice = { kind: 'success', text: this.t('clauseLibrary.created', { title: created.title }) };
        this.emit('cs-clause-save', { clauseId: created.id, version: created.version });
        return;
      }
      const clause = this.#selected!;
      const base = this._base!;
      const patch: ClausePatch = {};
      if (draft.title !== base.title) patch.title = draft.title;
      if (draft.body !== base.body) patch.body = draft.body;
      if (draft.locked !== base.locked) patch.locked = draft.locked;
      if (draft.category !== base.category) patch.category = draft.category.trim() || null;
      if (draft.tags !== base.tags) patch.tags = parseTags(draft.tags);
      if (draft.condition !== base.condition) patch.condition = condition;
      if (!Object.keys(patch).length) {
        this._notice = { kind: 'error', text: this.t('clauseLibrary.nothingChanged') };
        return;
      }
      const updated = await client.updateClause(clause.id, patch);
      this.#replaceClause(updated);
      this._draft = draftOf(updated);
      this._base = draftOf(updated);
      this._fieldErrors = {};
      this._diff = undefined;
      this._notice = { kind: 'success', text: this.t('clauseLibrary.saved', { version: updated.version }) };
      this.emit('cs-clause-save', { clauseId: updated.id, version: updated.version });
      void this.#loadVersions(updated.id);
    } catch (error) {
      this.#fail(error);
    } finally {
      this._busy = false;
    }
  }

  async #publish(version: number): Promise<void> {
    const clause = this.#selected;
    const client = this.client;
    if (!clause || !client || this._busy) return;
    this._busy = true;
    try {
      await client.publishClauseVersion(clause.id, version);
      const fresh = await client.getClause(clause.id);
      this.#replaceClause(fresh);
      if (!this.dirty) {
        this._draft = draftOf(fresh);
        this._base = draftOf(fresh);
      }
      this._approved = undefined;
      this._fieldErrors = {};
      this._notice = { kind: 'success', text: this.t('clauseLibrary.publishedMessage', { version }) };
      this.emit('cs-clause-publish', { clauseId: clause.id, version });
      void this.#loadVersions(clause.id);
    } catch (error) {
      this.#fail(error);
    } finally {
      this._busy = false;
    }
  }

  async #showDiff(): Promise<void> {
    const clause = this.#selected;
    if (!clause || !this.client) return;
    try {
      this._diff = await this.client.diffClauseVersions(clause.id, this._diffFrom, this._diffTo);
    } catch (error) {
      this.#fail(error);
    }
  }

  async #decide(proposal: ClauseProposal, decision: 'approve' | 'reject'): Promise<void> {
    const clause = this.#selected;
    const client = this.client;
    if (!clause || !client || this._busy) return;
    const comment = (this._decisionComments[proposal.id] ?? '').trim();
    if (decision === 'reject' && !comment) {
      this._decisionErrors = {
        ...this._decisionErrors,
        [proposal.id]: this.t('clauseLibrary.proposal.rejectNeedsComment'),
      };
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`#decision-${CSS.escape(proposal.id)}`)?.focus();
      return;
    }
    this._decisionErrors = { ...this._decisionErrors, [proposal.id]: '' };
    this._busy = true;
    try {
      const result =
        decision === 'approve'
          ? await client.approveProposal(clause.id, proposal.id, comment || undefined)
          : await client.rejectProposal(clause.id, proposal.id, comment);
      this._proposals = (this._proposals ?? []).map((p) => (p.id === proposal.id ? result.proposal : p));
      this._pending = new Map(this._pending).set(
        clause.id,
        this._proposals.filter((p) => p.status === 'pending').length,
      );
      const version = result.version?.version;
      if (decision === 'approve' && version !== undefined) {
        this._approved = { clauseId: clause.id, version };
        this._diff = undefined;
        this._notice = { kind: 'success', text: this.t('clauseLibrary.proposal.approved', { version }) };
        const fresh = await client.getClause(clause.id);
        this.#replaceClause(fresh);
        if (!this.dirty) {
          this._draft = draftOf(fresh);
          this._base = draftOf(fresh);
        }
        void this.#loadVersions(clause.id);
      } else {
        this._notice = { kind: 'success', text: this.t('clauseLibrary.proposal.rejected') };
      }
      this.emit('cs-proposal-decide', {
        clauseId: clause.id,
        proposalId: proposal.id,
        decision: decision === 'approve' ? 'approved' : 'rejected',
        ...(version !== undefined ? { version } : {}),
      });
    } catch (error) {
      this.#fail(error);
    } finally {
      this._busy = false;
    }
  }

  async #openProposal(): Promise<void> {
    const clause = this.#selected;
    if (!clause) return;
    this._proposal = { title: clause.title, body: clause.body, comment: '' };
    this._notice = undefined;
    this._fieldErrors = {};
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#proposal-body')?.focus();
  }

  async #submitProposal(e: Event): Promise<void> {
    e.preventDefault();
    const clause = this.#selected;
    const client = this.client;
    const proposal = this._proposal;
    if (!clause || !client || !proposal || this._busy) return;
    const errors: Partial<Record<DraftField | 'comment', string>> = {};
    if (!proposal.body.trim()) errors.body = this.t('clauseLibrary.field.required');
    else if (proposal.body === clause.body && proposal.title === clause.title)
      errors.body = this.t('clauseLibrary.proposeUnchanged');
    if (!proposal.comment.trim()) errors.comment = this.t('clauseLibrary.proposeNeedsComment');
    if (!proposal.title.trim()) errors.title = this.t('clauseLibrary.field.required');
    this._fieldErrors = errors;
    if (Object.keys(errors).length) {
      this._notice = { kind: 'error', text: this.t('clauseLibrary.error.invalid') };
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"], [data-invalid] cs-condition-input')?.focus();
      return;
    }
    this._busy = true;
    this._notice = undefined;
    try {
      const sent = await client.proposeClauseChange(clause.id, {
        body: proposal.body,
        comment: proposal.comment.trim(),
        ...(proposal.title !== clause.title ? { title: proposal.title } : {}),
      });
      this._proposal = undefined;
      this._notice = { kind: 'success', text: this.t('clauseLibrary.proposeSent') };
      this.emit('cs-proposal-submit', { clauseId: clause.id, clauseKey: clause.key, proposalId: sent.id });
    } catch (error) {
      this.#fail(error);
    } finally {
      this._busy = false;
    }
  }

  // ---------------------------------------------------------------- rendering

  #lock(): TemplateResult {
    return html`<svg class="lock" part="lock" aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
        <path
          fill="currentColor"
          d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2h.5A1 1 0 0 1 13 8v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h.5Zm1.5 0h4V5a2 2 0 0 0-4 0v2Z"
        /></svg
      ><span class="visually-hidden">${this.t('clauseLibrary.locked')}: </span>`;
  }

  #actor(actor?: AuditActor): string {
    return actor?.name || actor?.email || actor?.id || this.t('clauseLibrary.someone');
  }

  #date(iso?: string): string {
    if (!iso) return '';
    return new Intl.DateTimeFormat(this.effectiveLocale, { dateStyle: 'medium', timeStyle: 'short' }).format(
      new Date(iso),
    );
  }

  #setDraft<K extends DraftField>(field: K, value: Draft[K]): void {
    if (!this._draft) return;
    this._draft = { ...this._draft, [field]: value };
    if (this._fieldErrors[field]) this._fieldErrors = { ...this._fieldErrors, [field]: undefined };
  }

  protected override render(): TemplateResult {
    return html`<div class="base" part="base">
      <h2 class="visually-hidden">${this.t('clauseLibrary.title')}</h2>
      <div class="layout">${this.#renderListPane()} ${this.#renderDetail()}</div>
    </div>`;
  }

  #renderListPane(): TemplateResult {
    const all = this._clauses ?? [];
    const categories = [...new Set(all.map((c) => c.category).filter((c): c is string => !!c))].sort();
    const tags = [...new Set(all.flatMap((c) => c.tags ?? []))].sort();
    const visible = this.visibleClauses;
    return html`<section class="list-pane" aria-labelledby="list-heading">
      <div class="list-header">
        <h3 id="list-heading">${this.t('clauseLibrary.title')}</h3>
        ${
          this.#browse
            ? nothing
            : html`<button type="button" class="primary" @click=${() => void this.#startCreate()}>
                ${this.t('clauseLibrary.new')}
              </button>`
        }
      </div>
      <label class="field">
        <span>${this.t('clauseLibrary.search')}</span>
        <input type="search" part="search" .value=${this._search} @input=${this.#onSearch} />
      </label>
      <fieldset class="filters">
        <legend>${this.t('clauseLibrary.filters')}</legend>
        <label class="field inline">
          <span>${this.t('clauseLibrary.filter.category')}</span>
          <select @change=${(e: Event) => (this._category = (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${!this._category}>${this.t('clauseLibrary.filter.any')}</option>
            ${categories.map((c) => html`<option .value=${c} ?selected=${c === this._category}>${c}</option>`)}
          </select>
        </label>
        <label class="field inline">
          <span>${this.t('clauseLibrary.filter.tag')}</span>
          <select @change=${(e: Event) => (this._tag = (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${!this._tag}>${this.t('clauseLibrary.filter.any')}</option>
            ${tags.map((t) => html`<option .value=${t} ?selected=${t === this._tag}>${t}</option>`)}
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            .checked=${this._onlyLocked}
            @change=${(e: Event) => (this._onlyLocked = (e.target as HTMLInputElement).checked)}
          />
          ${this.t('clauseLibrary.filter.locked')}
        </label>
        ${
          this.#browse
            ? nothing
            : html`<label class="check">
                <input
                  type="checkbox"
                  .checked=${this._onlyPending}
                  @change=${(e: Event) => (this._onlyPending = (e.target as HTMLInputElement).checked)}
                />
                ${this.t('clauseLibrary.filter.pending')}
              </label>`
        }
      </fieldset>
      ${
        this._listError
          ? html`<div class="notice error" role="alert" part="error">
              ${this.t(`clauseLibrary.listError.${this._listError.code}`)}
              <button type="button" @click=${() => void this.#loadList()}>${this.t('clauseLibrary.retry')}</button>
            </div>`
          : nothing
      }
      ${
        this._clauses === undefined && !this._listError
          ? html`<p class="muted" role="status">${this.t('clauseLibrary.loading')}</p>`
          : nothing
      }
      ${
        this._clauses
          ? html`<p class="muted count" role="status">
                ${
                  visible.length === 1
                    ? this.t('clauseLibrary.countOne')
                    : this.t('clauseLibrary.count', { count: visible.length })
                }
              </p>
              ${visible.length === 0 ? html`<p class="muted">${this.t('clauseLibrary.empty')}</p>` : nothing}
              <ul class="list" part="list">
                ${visible.map((c) => this.#renderItem(c))}
              </ul>`
          : nothing
      }
    </section>`;
  }

  #renderItem(c: Clause): TemplateResult {
    const pending = this._pending.get(c.id) ?? 0;
    const selected = c.id === this._selectedId;
    return html`<li>
      <button
        type="button"
        part="item"
        class="item ${selected ? 'selected' : ''}"
        aria-current=${selected ? 'true' : 'false'}
        data-clause-id=${c.id}
        @click=${() => void this.#select(c.id)}
      >
        <span class="item-title">${c.locked ? this.#lock() : nothing}<bdi>${c.title}</bdi></span>
        <span class="item-meta">
          <code>${c.key}</code>
          ${c.category ? html`<span>${c.category}</span>` : nothing}
          ${
            this.#browse
              ? nothing
              : html`<span class="badge ${c.status}"
                  >${this.t('clauseLibrary.versionStatus', {
                    version: c.version,
                    status: this.t(`clauseLibrary.${c.status}`),
                  })}</span
                >`
          }
          ${
            pending > 0
              ? html`<span class="badge pending">${this.t('clauseLibrary.pendingCount', { count: pending })}</span>`
              : nothing
          }
        </span>
      </button>
    </li>`;
  }

  #renderNotice(): TemplateResult {
    const n = this._notice;
    return html`<div class="notice-slot">
      <div role="alert" part="error" class=${n?.kind === 'error' ? 'notice error' : ''}>
        ${
          n?.kind === 'error'
            ? html`${n.text} ${n.detail ? html`<span class="notice-detail">${n.detail}</span>` : nothing}`
            : nothing
        }
      </div>
      <div role="status" part="status" class=${n?.kind === 'success' ? 'notice success' : ''}>
        ${n?.kind === 'success' ? n.text : nothing}
        ${
          n?.kind === 'success' && this._approved && this._approved.clauseId === this._selectedId
            ? html`<button type="button" class="primary" @click=${() => void this.#publish(this._approved!.version)}>
                ${this.t('clauseLibrary.proposal.publishNow')}
              </button>`
            : nothing
        }
      </div>
    </div>`;
  }

  #renderDetail(): TemplateResult {
    const clause = this.#selected;
    if (!clause && !this._creating) {
      return html`<section class="detail empty" part="detail">
        <p class="muted">${this.t(this.#browse ? 'clauseLibrary.browsePrompt' : 'clauseLibrary.selectPrompt')}</p>
      </section>`;
    }
    if (this.#browse) return this.#renderBrowseDetail(clause!);
    const heading = this._creating ? this.t('clauseLibrary.new') : clause!.title;
    const proposalsPending = clause ? (this._pending.get(clause.id) ?? 0) : 0;
    return html`<section class="detail" part="detail" aria-labelledby="detail-heading">
      <div class="detail-header">
        <h3 id="detail-heading" tabindex="-1">${clause?.locked ? this.#lock() : nothing}<bdi>${heading}</bdi></h3>
        ${
          clause
            ? html`<p class="muted">
                <code>${clause.key}</code> ·
                ${this.t('clauseLibrary.versionStatus', {
                  version: clause.version,
                  status: this.t(`clauseLibrary.${clause.status}`),
                })}
              </p>`
            : nothing
        }
      </div>
      ${
        clause
          ? html`<div class="tabs" role="group" aria-label=${this.t('clauseLibrary.title')}>
              ${(['edit', 'history', 'proposals'] as const).map(
                (tab) =>
                  html`<button
                    type="button"
                    class="tab"
                    aria-pressed=${this._tab === tab ? 'true' : 'false'}
                    @click=${() => this.#openTab(tab)}
                  >
                    ${
                      tab === 'proposals' && proposalsPending > 0
                        ? this.t('clauseLibrary.tab.proposalsCount', { count: proposalsPending })
                        : this.t(`clauseLibrary.tab.${tab}`)
                    }
                  </button>`,
              )}
            </div>`
          : nothing
      }
      ${this.#renderNotice()}
      ${
        this._tab === 'edit' || !clause
          ? this.#renderEditor(clause)
          : this._tab === 'history'
            ? this.#renderHistory()
            : this.#renderProposals()
      }
    </section>`;
  }

  #fieldError(field: DraftField | 'comment'): TemplateResult | typeof nothing {
    const message = this._fieldErrors[field];
    return message ? html`<span class="field-error" id="error-${field}">${message}</span>` : nothing;
  }

  #describedBy(field: DraftField | 'comment', hint = false): string {
    return [hint ? `hint-${field}` : '', this._fieldErrors[field] ? `error-${field}` : ''].filter(Boolean).join(' ');
  }

  #textInput(field: 'key' | 'title' | 'category' | 'tags', hint = false): TemplateResult {
    const draft = this._draft!;
    return html`<label class="field">
      <span>${this.t(`clauseLibrary.field.${field}`)}</span>
      <input
        name=${field}
        .value=${draft[field]}
        aria-invalid=${this._fieldErrors[field] ? 'true' : 'false'}
        aria-describedby=${this.#describedBy(field, hint)}
        @input=${(e: Event) => this.#setDraft(field, (e.target as HTMLInputElement).value)}
      />
      ${hint ? html`<span class="hint" id="hint-${field}">${this.t(`clauseLibrary.field.${field}Hint`)}</span>` : nothing}
      ${this.#fieldError(field)}
    </label>`;
  }

  #renderPreview(body: string): TemplateResult {
    const rendered = renderClauseText(body, this.t('clauseLibrary.variable'));
    return html`<section class="preview-pane" aria-labelledby="preview-heading">
      <h4 id="preview-heading">${this.t('clauseLibrary.preview')}</h4>
      <div class="preview" part="preview">
        ${rendered === nothing ? html`<p class="muted">${this.t('clauseLibrary.previewEmpty')}</p>` : rendered}
      </div>
    </section>`;
  }

  #renderEditor(clause: Clause | undefined): TemplateResult {
    const draft = this._draft!;
    return html`<div class="editor-grid">
      <form class="editor" part="editor" novalidate @submit=${this.#save}>
        ${this._creating ? this.#textInput('key', true) : nothing} ${this.#textInput('title')}
        <label class="field">
          <span>${this.t('clauseLibrary.field.body')}</span>
          <textarea
            name="body"
            rows="10"
            .value=${draft.body}
            aria-invalid=${this._fieldErrors.body ? 'true' : 'false'}
            aria-describedby=${this.#describedBy('body', true)}
            @input=${(e: Event) => this.#setDraft('body', (e.target as HTMLTextAreaElement).value)}
          ></textarea>
          <span class="hint" id="hint-body">${this.t('clauseLibrary.field.bodyHint')}</span>
          ${this.#fieldError('body')}
        </label>
        <label class="check">
          <input
            type="checkbox"
            name="locked"
            .checked=${draft.locked}
            @change=${(e: Event) => this.#setDraft('locked', (e.target as HTMLInputElement).checked)}
          />
          ${this.t('clauseLibrary.field.locked')}
        </label>
        ${this.#textInput('category')} ${this.#textInput('tags', true)}
        <div class="field condition" ?data-invalid=${!!this._fieldErrors.condition}>
          <cs-condition-input
            label=${this.t('clauseLibrary.field.condition')}
            locale=${this.effectiveLocale}
            .value=${draft.condition ? (JSON.parse(draft.condition) as Condition) : undefined}
            .variables=${placeholders(draft.body).map((key): Variable => ({ key, label: key, type: 'text' }))}
            @cs-condition-change=${(e: CustomEvent<ConditionChangeDetail>) => {
              this._conditionValid = e.detail.valid;
              this.#setDraft('condition', e.detail.value === undefined ? '' : JSON.stringify(e.detail.value));
            }}
          ></cs-condition-input>
          <span class="hint">${this.t('clauseLibrary.field.conditionHint')}</span>
          ${this.#fieldError('condition')}
        </div>
        <div class="actions">
          <button type="submit" class="primary" ?disabled=${this._busy}>
            ${
              this._busy
                ? this.t('clauseLibrary.saving')
                : this.t(this._creating ? 'clauseLibrary.create' : 'clauseLibrary.save')
            }
          </button>
          ${
            clause && clause.status === 'draft'
              ? html`<button
                  type="button"
                  class="publish"
                  ?disabled=${this._busy}
                  @click=${() => void this.#publish(clause.version)}
                >
                  ${this.t('clauseLibrary.publish', { version: clause.version })}
                </button>`
              : nothing
          }
          ${this.dirty ? html`<span class="muted unsaved">${this.t('clauseLibrary.unsaved')}</span>` : nothing}
        </div>
      </form>
      ${this.#renderPreview(draft.body)}
    </div>`;
  }

  #renderHistory(): TemplateResult {
    const versions = this._versions;
    if (!versions) return html`<p class="muted" role="status">${this.t('clauseLibrary.historyLoading')}</p>`;
    return html`<section aria-labelledby="history-heading">
      <h4 id="history-heading">${this.t('clauseLibrary.history')}</h4>
      <ol class="versions" reversed>
        ${[...versions].reverse().map(
          (v) =>
            html`<li class="version" data-version=${v.version}>
              <div class="version-head">
                <strong
                  >${this.t('clauseLibrary.versionStatus', {
                    version: v.version,
                    status: this.t(`clauseLibrary.${v.status}`),
                  })}</strong
                >
                ${
                  v.status === 'draft'
                    ? html`<button
                        type="button"
                        class="publish"
                        ?disabled=${this._busy}
                        @click=${() => void this.#publish(v.version)}
                      >
                        ${this.t('clauseLibrary.publish', { version: v.version })}
                      </button>`
                    : nothing
                }
              </div>
              <div class="muted">
                <bdi
                  >${this.t('clauseLibrary.createdBy', { name: this.#actor(v.createdBy), date: this.#date(v.createdAt) })}</bdi
                >
              </div>
              ${
                v.approvedBy
                  ? html`<div class="muted">
                      ${this.t('clauseLibrary.approvedBy', { name: this.#actor(v.approvedBy) })}
                    </div>`
                  : nothing
              }
              ${
                v.publishedAt
                  ? html`<div class="muted">
                      ${this.t('clauseLibrary.publishedBy', {
                        name: this.#actor(v.publishedBy),
                        date: this.#date(v.publishedAt),
                      })}
                    </div>`
                  : nothing
              }
            </li>`,
        )}
      </ol>
      ${versions.length > 1 ? this.#renderCompare(versions) : nothing}
      ${this._diff ? this.#renderDiff(this._diff, this.t('clauseLibrary.diff.after', { version: this._diff.to })) : nothing}
    </section>`;
  }

  #renderCompare(versions: ClauseVersion[]): TemplateResult {
    const select = (label: string, value: number, set: (n: number) => void) =>
      html`<label class="field inline">
        <span>${label}</span>
        <select @change=${(e: Event) => set(Number((e.target as HTMLSelectElement).value))}>
          ${versions.map((v) => html`<option .value=${String(v.version)} ?selected=${v.version === value}>${v.version}</option>`)}
        </select>
      </label>`;
    return html`<fieldset class="compare">
      <legend>${this.t('clauseLibrary.compare')}</legend>
      ${select(this.t('clauseLibrary.compareFrom'), this._diffFrom, (n) => (this._diffFrom = n))}
      ${select(this.t('clauseLibrary.compareTo'), this._diffTo, (n) => (this._diffTo = n))}
      <button type="button" @click=${() => void this.#showDiff()}>${this.t('clauseLibrary.showDiff')}</button>
    </fieldset>`;
  }

  #renderDiff(diff: ClauseDiff, afterLabel: string, caption = true): TemplateResult {
    const labels = {
      before: this.t('clauseLibrary.diff.before', { version: diff.from }),
      after: afterLabel,
      deleted: this.t('clauseLibrary.diff.deleted'),
      inserted: this.t('clauseLibrary.diff.inserted'),
      end: this.t('clauseLibrary.diff.end'),
    };
    const fields = (['title', 'body', 'locked', 'condition'] as const).filter(
      (f) => diff.changed.includes(f) || f === 'body',
    );
    return html`<section class="diff" aria-label=${this.t('clauseLibrary.diffTitle', { from: diff.from, to: diff.to })}>
      ${caption ? html`<h4>${this.t('clauseLibrary.diffTitle', { from: diff.from, to: diff.to })}</h4>` : nothing}
      ${diff.changed.length === 0 ? html`<p class="muted">${this.t('clauseLibrary.diffNone')}</p>` : nothing}
      ${fields.map(
        (f) =>
          html`<div class="diff-field" data-field=${f}>
            <h5>${this.t(`clauseLibrary.diff.${f}`)}</h5>
            ${renderDiffColumns(diff[f], labels)}
          </div>`,
      )}
    </section>`;
  }

  #renderProposals(): TemplateResult {
    const proposals = this._proposals;
    if (!proposals) return html`<p class="muted" role="status">${this.t('clauseLibrary.proposalsLoading')}</p>`;
    const order = { pending: 0, approved: 1, rejected: 1 } as const;
    const sorted = [...proposals].sort(
      (a, b) => order[a.status] - order[b.status] || (a.proposedAt < b.proposedAt ? 1 : -1),
    );
    return html`<section aria-labelledby="proposals-heading">
      <h4 id="proposals-heading">${this.t('clauseLibrary.proposals')}</h4>
      ${sorted.length === 0 ? html`<p class="muted">${this.t('clauseLibrary.proposalsEmpty')}</p>` : nothing}
      <ul class="proposals">
        ${sorted.map((p) => this.#renderProposal(p))}
      </ul>
    </section>`;
  }

  #renderProposal(p: ClauseProposal): TemplateResult {
    const error = this._decisionErrors[p.id];
    return html`<li class="proposal ${p.status}" data-proposal-id=${p.id}>
      <div class="version-head">
        <span class="badge ${p.status}">${this.t(`clauseLibrary.proposal.status.${p.status}`)}</span>
        <span class="muted"
          ><bdi
            >${this.t('clauseLibrary.proposal.by', {
              name: this.#actor(p.proposedBy),
              date: this.#date(p.proposedAt),
              version: p.baseVersion,
            })}</bdi
          ></span
        >
      </div>
      <figure class="comment">
        <figcaption>${this.t('clauseLibrary.proposal.comment')}</figcaption>
        <blockquote><bdi>${p.comment}</bdi></blockquote>
      </figure>
      ${p.diff ? this.#renderDiff(p.diff, this.t('clauseLibrary.diff.proposed'), false) : nothing}
      ${
        p.status === 'pending'
          ? html`<div class="decision">
              <label class="field">
                <span>${this.t('clauseLibrary.proposal.decisionComment')}</span>
                <textarea
                  id="decision-${p.id}"
                  rows="2"
                  .value=${this._decisionComments[p.id] ?? ''}
                  aria-invalid=${error ? 'true' : 'false'}
                  aria-describedby=${error ? `decision-error-${p.id}` : ''}
                  @input=${(e: Event) => {
                    this._decisionComments = {
                      ...this._decisionComments,
                      [p.id]: (e.target as HTMLTextAreaElement).value,
                    };
                    if (this._decisionErrors[p.id]) this._decisionErrors = { ...this._decisionErrors, [p.id]: '' };
                  }}
                ></textarea>
                ${error ? html`<span class="field-error" id="decision-error-${p.id}">${error}</span>` : nothing}
              </label>
              <div class="actions">
                <button
                  type="button"
                  class="primary approve"
                  ?disabled=${this._busy}
                  @click=${() => void this.#decide(p, 'approve')}
                >
                  ${this.t('clauseLibrary.proposal.approve')}
                </button>
                <button
                  type="button"
                  class="reject"
                  ?disabled=${this._busy}
                  @click=${() => void this.#decide(p, 'reject')}
                >
                  ${this.t('clauseLibrary.proposal.reject')}
                </button>
              </div>
            </div>`
          : html`<p class="muted">
              <bdi
                >${this.t('clauseLibrary.proposal.decided', {
                  status: this.t(`clauseLibrary.proposal.status.${p.status}`),
                  name: this.#actor(p.decidedBy),
                })}</bdi
              >${p.decisionComment ? html`: <q><bdi>${p.decisionComment}</bdi></q>` : nothing}
            </p>`
      }
    </li>`;
  }

  #renderBrowseDetail(clause: Clause): TemplateResult {
    const proposal = this._proposal;
    return html`<section class="detail" part="detail" aria-labelledby="detail-heading">
      <div class="detail-header">
        <h3 id="detail-heading" tabindex="-1">${clause.locked ? this.#lock() : nothing}<bdi>${clause.title}</bdi></h3>
        <p class="muted">
          <code>${clause.key}</code>${clause.category ? html` · ${clause.category}` : nothing}
          ${(clause.tags ?? []).map((t) => html` <span class="tag">${t}</span>`)}
        </p>
      </div>
      ${this.#renderNotice()}
      ${clause.locked ? html`<p class="locked-note">${this.t('clauseLibrary.lockedNote')}</p>` : nothing}
      ${
        proposal
          ? html`<div class="editor-grid">
              <form class="editor" part="editor" novalidate @submit=${this.#submitProposal}>
                <p class="muted">${this.t('clauseLibrary.proposeHint')}</p>
                <label class="field">
                  <span>${this.t('clauseLibrary.field.title')}</span>
                  <input
                    name="title"
                    .value=${proposal.title}
                    aria-invalid=${this._fieldErrors.title ? 'true' : 'false'}
                    aria-describedby=${this.#describedBy('title')}
                    @input=${(e: Event) => (this._proposal = { ...proposal, title: (e.target as HTMLInputElement).value })}
                  />
                  ${this.#fieldError('title')}
                </label>
                <label class="field">
                  <span>${this.t('clauseLibrary.field.body')}</span>
                  <textarea
                    id="proposal-body"
                    name="body"
                    rows="10"
                    .value=${proposal.body}
                    aria-invalid=${this._fieldErrors.body ? 'true' : 'false'}
                    aria-describedby=${this.#describedBy('body', true)}
                    @input=${(e: Event) =>
                      (this._proposal = { ...proposal, body: (e.target as HTMLTextAreaElement).value })}
                  ></textarea>
                  <span class="hint" id="hint-body">${this.t('clauseLibrary.field.bodyHint')}</span>
                  ${this.#fieldError('body')}
                </label>
                <label class="field">
                  <span>${this.t('clauseLibrary.proposeComment')}</span>
                  <textarea
                    name="comment"
                    rows="3"
                    .value=${proposal.comment}
                    aria-invalid=${this._fieldErrors.comment ? 'true' : 'false'}
                    aria-describedby=${this.#describedBy('comment')}
                    @input=${(e: Event) =>
                      (this._proposal = { ...proposal, comment: (e.target as HTMLTextAreaElement).value })}
                  ></textarea>
                  ${this.#fieldError('comment')}
                </label>
                <div class="actions">
                  <button type="submit" class="primary" ?disabled=${this._busy}>
                    ${this.t('clauseLibrary.proposeSubmit')}
                  </button>
                  <button type="button" @click=${() => (this._proposal = undefined)}>
                    ${this.t('clauseLibrary.cancel')}
                  </button>
                </div>
              </form>
              ${this.#renderPreview(proposal.body)}
            </div>`
          : html`${this.#renderPreview(clause.body)}
            ${
              clause.locked
                ? nothing
                : html`<div class="actions">
                    <button type="button" class="primary" @click=${() => void this.#openProposal()}>
                      ${this.t('clauseLibrary.propose')}
                    </button>
                  </div>`
            }`
      }
    </section>`;
  }
}
