import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { Task } from '@lit/task';
import {
  ApiError,
  evaluateCondition,
  interpolate,
  type MergeData,
  type Template,
  type TemplateClause,
  type TemplateSummary,
  type TemplateVersion,
  type UploadedDocument,
  type Variable,
} from '@countersign/core';
import { renderClauseBlocks } from '../internal/clause-text.ts';
import { CsConnectedElement } from '../internal/connected.ts';
import { toErrorDetail } from '../internal/error-code.ts';
import { visuallyHidden } from '../internal/styles.ts';
import { PdfPagesController } from '../controllers/pdf-pages.ts';
import {
  isRowUsed,
  parseNumber,
  recipientErrors,
  recipientRows,
  toMergeData,
  toRaw,
  variableErrors,
  type RawValue,
  type RecipientInput,
  type RecipientRow,
} from './form.ts';
import { styles } from './envelope-composer.styles.ts';
import './envelope-composer.strings.ts';

export type { RecipientInput } from './form.ts';

export interface EnvelopeSentDetail {
  envelopeId: string;
  title: string;
}

declare module '../internal/cs-element.ts' {
  interface CsEventMap {
    'cs-envelope-sent': EnvelopeSentDetail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'cs-envelope-sent': CustomEvent<EnvelopeSentDetail>;
  }
}

/** Where the composer is: choosing a template, filling it in, or done. */
export type ComposerPhase = 'choose' | 'compose' | 'sent';

interface Loaded {
  template: Template;
  version: TemplateVersion | undefined;
}

interface Attachment {
  id: number;
  name: string;
  status: 'uploading' | 'ready' | 'error';
  doc?: UploadedDocument;
  message?: string;
  upload?: Promise<void>;
}

interface Proposal {
  clause: TemplateClause;
  text: string;
  comment: string;
  showErrors: boolean;
  busy: boolean;
  error?: string;
}

/** Templates beyond this many get a search box. */
const SEARCH_FROM = 7;
const ACCEPTED_TYPES = ['application/pdf', 'image/png', 'image/jpeg'];
const ACCEPTED_EXTENSIONS = /\.(pdf|png|jpe?g)$/i;

/**
 * @summary The agent's composer: choose a published template, fill its typed details, see the
 * clauses that apply and the rendered preview, attach supporting documents, add recipients per
 * role and send for signature, in the host's page.
 *
 * Keyboard: the first detail is focused once a template is loaded; Enter in a field moves to the
 * next one, and from the last one to Send. The host can prefill from its CRM record with the
 * `mergeData` and `recipients` properties.
 *
 * @event cs-envelope-sent - The envelope was created and sent. `detail: { envelopeId, title }`.
 * @event cs-proposal-submit - A change to a library clause was proposed to legal.
 *   `detail: { clauseId, clauseKey, proposalId }`.
 * @event cs-error - Something failed and is shown in the composer. `detail: { code, message, status }`.
 *
 * @csspart base - The outer wrapper.
 * @csspart header - The bar with the template name and "Change template".
 * @csspart templates - The list of templates to choose from.
 * @csspart section - Each section of the form (details, clauses, documents, recipients).
 * @csspart field - Each labelled control with its help and error text.
 * @csspart error - Every error message.
 * @csspart clause - One clause (also `clause-locked`).
 * @csspart dropzone - The area files can be dropped on.
 * @csspart preview - The preview panel.
 * @csspart page - One preview page box.
 * @csspart canvas - A preview page's canvas.
 * @csspart button - Every button (also `primary`).
 * @csspart dialog - The "Propose a change" dialog.
 * @csspart message - The panel of a state (loading, errors, sent).
 *
 * @cssprop [--cs-accent=#2450d3] - Brand colour of buttons, focus rings and links.
 * @cssprop [--cs-accent-contrast=#fff] - Text on accent-coloured buttons.
 * @cssprop [--cs-surface=#fff] - Background (set with --cs-text for dark mode).
 * @cssprop [--cs-text=#1b2230] - Text colour.
 * @cssprop [--cs-font=system-ui, sans-serif] - Font family.
 * @cssprop [--cs-radius=8px] - Corner radius of controls and panels.
 * @cssprop [--cs-danger=#b3261e] - Errors.
 * @cssprop [--cs-preview-height=min(70vh, 48rem)] - Height of the scrolling preview.
 */
export class CsEnvelopeComposer extends CsConnectedElement {
  static override styles = [visuallyHidden, styles];

  /** Id of the template to compose; when unset the agent chooses from the published templates. */
  @property({ attribute: 'template-id' }) templateId?: string;
  /** Merge values to start from (e.g. the host's CRM record), by variable key. */
  @property({ attribute: false }) mergeData: MergeData = {};
  /** Recipients to start from, by role key. */
  @property({ attribute: false }) recipients: RecipientInput[] = [];
  /** Milliseconds of quiet typing before the preview is rendered again. */
  @property({ type: Number, attribute: 'preview-delay' }) previewDelay = 400;

  @state() private chosenId?: string;
  @state() private phase: ComposerPhase = 'choose';
  @state() private search = '';
  @state() private raw: Record<string, RawValue> = {};
  @state() private envelopeTitle = '';
  @state() private touched = new Set<string>();
  @state() private submitted = false;
  @state() private serverErrors = new Map<string, string>();
  @state() private generalErrors: string[] = [];
  @state() private rows: RecipientRow[] = [];
  @state() private attachments: Attachment[] = [];
  @state() private dragging = false;
  @state() private previewState: 'idle' | 'loading' | 'ready' | 'error' = 'idle';
  @state() private previewError = '';
  @state() private front = 0;
  @state() private sending = false;
  @state() private sendError = '';
  @state() private sent?: EnvelopeSentDetail & { recipients: string };
  @state() private proposal?: Proposal;
  @state() private proposed = new Set<string>();
  @state() private announcement = '';

  @query('dialog.proposal') private proposalDialog?: HTMLDialogElement;
  @query('.viewer') private viewerEl?: HTMLElement;

  private loadedFor?: string;
  /** Controls the agent has typed in (see leave()). */
  private edited = new Set<string>();
  private focusPending = false;
  private nextAttachmentId = 1;
  private previewTimer?: ReturnType<typeof setTimeout>;
  private previewSeq = 0;
  private previewKey?: string;
  private previewAbort?: AbortController;
  /** Preview renders swapped in, for tests and diagnostics. */
  private renders = 0;
  private readonly bufferUrls: Array<string | undefined> = [undefined, undefined];
  private readonly observed = [0, 0];
  /** Two page stacks: the visible one stays while the next preview paints behind it. */
  private readonly buffers = [0, 1].map(
    (i) =>
      new PdfPagesController(this, {
        firstPaint: () => this.onBufferPainted(i),
        error: (error) => this.onBufferFailed(i, error),
      }),
  );

  private readonly templatesTask = new Task(this, {
    args: () => [this.effectiveServer, this.effectiveToken, this.chosenId] as const,
    task: async ([server, token, chosen], { signal }) => {
      if (!server || !token || chosen) return undefined;
      const { items } = await this.client!.listTemplates(signal);
      return items.filter((t) => t.latestPublishedVersion !== null);
    },
    onError: (error) => this.reportError(error),
  });

  private readonly templateTask = new Task(this, {
    args: () => [this.effectiveServer, this.effectiveToken, this.chosenId] as const,
    task: async ([server, token, id], { signal }): Promise<Loaded | undefined> => {
      if (!server || !token || !id) return undefined;
      const template = await this.client!.getTemplate(id, signal);
      const version =
        template.latestPublishedVersion === null
          ? undefined
          : template.versions.find((v) => v.version === template.latestPublishedVersion);
      return { template, version: version && { ...version, templateId: template.id } };
    },
    onComplete: (loaded) => {
      if (loaded?.version && this.loadedFor !== `${loaded.template.id}@${loaded.version.version}`) {
        this.loadedFor = `${loaded.template.id}@${loaded.version.version}`;
        this.startCompose(loaded);
      }
    },
    onError: (error) => this.reportError(error),
  });

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('templateId')) {
      this.chosenId = this.templateId || undefined;
      if (!this.chosenId) this.phase = 'choose';
    }
    // A host that sets its CRM record after the form is up (it loaded later) fills it in.
    if (this.phase === 'compose' && this.version) {
      if (changed.has('mergeData') && changed.get('mergeData') !== undefined) this.applyMergeData();
      if (changed.has('recipients') && changed.get('recipients') !== undefined) this.applyRecipients();
    }
  }

  private applyMergeData(): void {
    const raw = { ...this.raw };
    for (const v of this.variables) if (v.key in this.mergeData) raw[v.key] = toRaw(v, this.mergeData[v.key]);
    this.raw = raw;
    this.schedulePreview();
  }

  private applyRecipients(): void {
    const given = recipientRows(this.version!.roles, this.recipients);
    this.rows = this.rows.map((row, i) =>
      this.recipients.some((r) => r.role === row.role) ? { ...row, ...given[i]!, label: row.label } : row,
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.previewTimer);
    this.previewAbort?.abort();
    for (let i = 0; i < 2; i++) this.dropBuffer(i);
  }

  override updated(): void {
    const viewer = this.viewerEl ?? null;
    this.buffers.forEach((buffer, i) => {
      buffer.setRoot(viewer);
      if (!viewer) return;
      const boxes = this.renderRoot.querySelectorAll<HTMLElement>(`.page[data-buffer="${i}"]`);
      for (const box of boxes) buffer.observe(box, Number(box.dataset['page']));
      for (let n = boxes.length + 1; n <= this.observed[i]!; n++) buffer.unobserve(n);
      this.observed[i] = boxes.length;
    });
    if (this.focusPending && this.phase === 'compose') {
      const first = this.renderRoot.querySelector<HTMLElement>('[data-nav]');
      if (first) {
        this.focusPending = false;
        first.focus();
      }
    }
  }

  // ---- state of the form

  private get loaded(): Loaded | undefined {
    return this.templateTask.value;
  }

  private get version(): TemplateVersion | undefined {
    return this.loaded?.version;
  }

  private get variables(): Variable[] {
    return this.version?.variables ?? [];
  }

  /** The merge data the form holds now. */
  private get data(): MergeData {
    return toMergeData(this.variables, this.raw, this.mergeData, this.effectiveLocale);
  }

  private startCompose({ template, version }: Loaded): void {
    if (!version) return;
    const raw: Record<string, RawValue> = {};
    for (const v of version.variables) raw[v.key] = toRaw(v, this.mergeData[v.key]);
    this.raw = raw;
    this.rows = recipientRows(version.roles, this.recipients);
    this.envelopeTitle = template.name;
    this.touched = new Set();
    this.edited = new Set();
    this.submitted = false;
    this.serverErrors = new Map();
    this.generalErrors = [];
    this.sendError = '';
    this.attachments = [];
    this.proposed = new Set();
    this.sent = undefined;
    this.phase = 'compose';
    this.focusPending = true;
    this.previewKey = undefined;
    this.schedulePreview(0);
  }

  private choose(summary: TemplateSummary): void {
    this.loadedFor = undefined;
    this.chosenId = summary.id;
  }

  private changeTemplate(): void {
    this.loadedFor = undefined;
    this.chosenId = undefined;
    this.phase = 'choose';
    this.previewAbort?.abort();
    clearTimeout(this.previewTimer);
    for (let i = 0; i < 2; i++) this.dropBuffer(i);
    this.previewState = 'idle';
    this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>('.templates input, .templates button')?.focus(),
    );
  }

  private setRaw(key: string, value: RawValue): void {
    this.edited.add(`var:${key}`);
    this.raw = { ...this.raw, [key]: value };
    this.dropServerError(`var:${key}`);
    this.schedulePreview();
  }

  /** A text control left after typing in it shows its problems from then on; one only passed through does not. */
  private leave(key: string): void {
    if (this.edited.has(key)) this.touch(key);
  }

  private touch(key: string): void {
    if (this.touched.has(key)) return;
    this.touched = new Set(this.touched).add(key);
  }

  private dropServerError(key: string): void {
    if (!this.serverErrors.has(key)) return;
    const next = new Map(this.serverErrors);
    next.delete(key);
    this.serverErrors = next;
  }

  private setRow(index: number, patch: Partial<RecipientRow>): void {
    for (const key of Object.keys(patch)) this.edited.add(`rcp:${index}:${key}`);
    this.rows = this.rows.map((row, i) => (i === index ? { ...row, ...patch } : row));
    for (const key of Object.keys(patch)) this.dropServerError(`rcp:${index}:${key}`);
  }

  /** The message to show for a control now: the server's, else the client's once touched or submitted. */
  private variableError(variable: Variable, clientErrors: Map<string, string>): string | undefined {
    const key = `var:${variable.key}`;
    const server = this.serverErrors.get(key);
    if (server) return server;
    return this.touched.has(key) || this.submitted ? clientErrors.get(variable.key) : undefined;
  }

  private rowError(index: number, field: 'name' | 'email' | 'order'): string | undefined {
    const key = `rcp:${index}:${field}`;
    const server = this.serverErrors.get(key);
    if (server) return server;
    if (!this.touched.has(key) && !this.submitted) return undefined;
    const message = recipientErrors(this.rows[index]!).get(field);
    return message && this.t(message);
  }

  // ---- preview

  private schedulePreview(delay = this.previewDelay): void {
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => void this.refreshPreview(), delay);
  }

  /** Renders the preview for the current data; answers to older requests are dropped. */
  private async refreshPreview(force = false): Promise<void> {
    const client = this.client;
    const version = this.version;
    if (!client || !version) return;
    const seq = this.previewSeq + 1;
    // Only values that pass validation: the preview shows blanks for the rest.
    const data = this.data;
    const errors = variableErrors(this.variables, data);
    for (const key of errors.keys()) delete data[key];
    // The same data as the preview shown or on its way (a keystroke that left a value invalid): nothing to do.
    const key = JSON.stringify(data);
    if (!force && key === this.previewKey && this.previewState !== 'error') return;
    this.previewKey = key;
    this.previewSeq = seq;
    this.previewAbort?.abort();
    const abort = new AbortController();
    this.previewAbort = abort;
    this.previewState = 'loading';
    try {
      const blob = await client.previewTemplateVersion(version.templateId, version.version, data, abort.signal);
      if (seq !== this.previewSeq) return;
      const back = 1 - this.front;
      this.dropBuffer(back);
      const url = URL.createObjectURL(blob);
      this.bufferUrls[back] = url;
      void this.buffers[back]!.open({ url });
    } catch (error) {
      if (seq !== this.previewSeq || (error as Error)?.name === 'AbortError') return;
      this.previewFailed(error);
    }
  }

  private onBufferPainted(index: number): void {
    if (index === this.front) return;
    const old = this.front;
    this.front = index;
    this.renders++;
    this.previewState = 'ready';
    this.dropBuffer(old);
  }

  private onBufferFailed(index: number, error: unknown): void {
    if (index === this.front && this.renders > 0) return;
    this.previewFailed(error);
  }

  private previewFailed(error: unknown): void {
    const detail = toErrorDetail(error);
    this.previewState = 'error';
    this.previewError = detail.message;
    this.emit('cs-error', { ...detail, code: 'preview-failed' });
  }

  private dropBuffer(index: number): void {
    this.buffers[index]!.close();
    const url = this.bufferUrls[index];
    if (url) URL.revokeObjectURL(url);
    this.bufferUrls[index] = undefined;
  }

  // ---- attachments

  private addFiles(files: Iterable<File>): void {
    for (const file of files) {
      const item: Attachment = { id: this.nextAttachmentId++, name: file.name, status: 'uploading' };
      if (!ACCEPTED_TYPES.includes(file.type) && !ACCEPTED_EXTENSIONS.test(file.name)) {
        item.status = 'error';
        item.message = this.t('composer.attachments.wrongType');
        this.attachments = [...this.attachments, item];
        continue;
      }
      item.upload = this.upload(item.id, file);
      this.attachments = [...this.attachments, item];
    }
  }

  private async upload(id: number, file: File): Promise<void> {
    const update = (patch: Partial<Attachment>) =>
      (this.attachments = this.attachments.map((a) => (a.id === id ? { ...a, ...patch } : a)));
    try {
      const doc = await this.client!.uploadDocument(file, file.name);
      update({ status: 'ready', doc, upload: undefined });
      this.announcement = this.t('composer.attachments.added', { name: file.name });
    } catch (error) {
      const detail = toErrorDetail(error);
      const problem = error instanceof ApiError ? error.problem : undefined;
      const reason = problem?.detail ?? problem?.title ?? detail.message;
      update({
        status: 'error',
        message: this.t('composer.attachments.failed', { message: reason }),
        upload: undefined,
      });
      this.emit('cs-error', { ...detail, code: 'upload-failed' });
    }
  }

  private removeAttachment(item: Attachment): void {
    const index = this.attachments.indexOf(item);
    this.attachments = this.attachments.filter((a) => a !== item);
    this.announcement = this.t('composer.attachments.removed', { name: item.name });
    // Focus the next remove button, or the file picker when none is left.
    void this.updateComplete.then(() => {
      const buttons = this.renderRoot.querySelectorAll<HTMLElement>('.attachment .remove');
      (
        buttons[Math.min(index, buttons.length - 1)] ?? this.renderRoot.querySelector<HTMLElement>('.choose-files')
      )?.focus();
    });
  }

  private onDrop(event: DragEvent): void {
    event.preventDefault();
    this.dragging = false;
    if (event.dataTransfer?.files.length) this.addFiles(event.dataTransfer.files);
  }

  // ---- proposals

  private openProposal(clause: TemplateClause): void {
    this.proposal = { clause, text: clause.body, comment: '', showErrors: false, busy: false };
    void this.updateComplete.then(() => {
      this.proposalDialog?.showModal();
      this.renderRoot.querySelector<HTMLTextAreaElement>('#proposal-text')?.focus();
    });
  }

  private async submitProposal(event: Event): Promise<void> {
    event.preventDefault();
    const proposal = this.proposal;
    if (!proposal || proposal.busy) return;
    if (!proposal.text.trim() || !proposal.comment.trim()) {
      this.proposal = { ...proposal, showErrors: true };
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('dialog [aria-invalid="true"]')?.focus();
      return;
    }
    const { clause } = proposal;
    this.proposal = { ...proposal, busy: true, error: undefined };
    try {
      const result = await this.client!.proposeClauseChange(clause.clauseId!, {
        body: proposal.text,
        comment: proposal.comment.trim(),
      });
      this.proposed = new Set(this.proposed).add(clause.key);
      this.proposalDialog?.close();
      this.announcement = this.t('composer.clause.proposed');
      this.emit('cs-proposal-submit', { clauseId: clause.clauseId!, clauseKey: clause.key, proposalId: result.id });
    } catch (error) {
      const detail = toErrorDetail(error);
      this.proposal = {
        ...proposal,
        busy: false,
        error: this.t('composer.proposal.failed', { message: detail.message }),
      };
      this.emit('cs-error', { ...detail, code: 'proposal-failed' });
    }
  }

  private onProposalClosed(): void {
    const key = this.proposal?.clause.key;
    this.proposal = undefined;
    if (key) this.renderRoot.querySelector<HTMLElement>(`[data-clause="${CSS.escape(key)}"] button`)?.focus();
  }

  // ---- keyboard

  /** Enter in a field moves to the next one; from the last one, to Send. */
  private onFormKeydown(event: KeyboardEvent): void {
    const target = event.composedPath()[0] as HTMLElement;
    if (event.key !== 'Enter' || event.isComposing || !target.matches('input:not([type="file"])')) return;
    event.preventDefault();
    const controls = [...this.renderRoot.querySelectorAll<HTMLElement>('[data-nav]')];
    // A radio group has one stop (its first radio); any radio of it counts as that stop.
    const group = target.closest('.field');
    const at = controls.findIndex((c) => c === target || (group !== null && c.closest('.field') === group));
    const next = at >= 0 ? controls[at + 1] : undefined;
    (next ?? this.renderRoot.querySelector<HTMLElement>('button.send'))?.focus();
  }

  // ---- sending

  private async send(event?: Event): Promise<void> {
    event?.preventDefault();
    const version = this.version;
    if (this.sending || !version) return;
    this.submitted = true;
    this.serverErrors = new Map();
    this.generalErrors = [];
    this.sendError = '';
    await this.updateComplete;
    const invalid = this.renderRoot.querySelectorAll<HTMLElement>('[aria-invalid="true"]');
    if (invalid.length) {
      const count = this.renderRoot.querySelectorAll('.field > .error-text').length;
      this.sendError = this.t('composer.invalid', { count });
      await this.updateComplete;
      invalid[0]!.focus();
      return;
    }
    this.sending = true;
    try {
      await Promise.all(this.attachments.map((a) => a.upload));
      const chosen = this.rows.filter(isRowUsed);
      const attachments = this.attachments.filter((a) => a.status === 'ready').map((a) => a.doc!.id);
      const envelope = await this.client!.createEnvelope({
        templateId: version.templateId,
        version: version.version,
        title: this.envelopeTitle.trim() || this.loaded!.template.name,
        mergeData: this.data,
        recipients: chosen.map((row) => ({
          role: row.role,
          name: row.name.trim(),
          email: row.email.trim(),
          order: Number(row.order),
        })),
        ...(attachments.length ? { attachments } : {}),
        send: true,
      });
      this.sent = {
        envelopeId: envelope.id,
        title: envelope.title,
        recipients: new Intl.ListFormat(this.effectiveLocale, { type: 'conjunction' }).format(
          chosen.map((row) => row.name.trim()),
        ),
      };
      this.phase = 'sent';
      this.emit('cs-envelope-sent', { envelopeId: envelope.id, title: envelope.title });
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.sent')?.focus();
    } catch (error) {
      void this.sendFailed(error, usedRowIndexes(this.rows));
    } finally {
      this.sending = false;
    }
  }

  private async sendFailed(error: unknown, rowIndexes: number[]): Promise<void> {
    const detail = toErrorDetail(error);
    const problem = error instanceof ApiError ? error.problem : undefined;
    if (problem?.errors?.length) {
      const mapped = new Map<string, string>();
      const general: string[] = [];
      for (const item of problem.errors) {
        const path = item.path ?? '';
        const variable = /^mergeData\.(.+)$/.exec(path);
        const recipient = /^recipients\.(\d+)\.(name|email|order)$/.exec(path);
        if (variable && this.variables.some((v) => v.key === variable[1]))
          mapped.set(`var:${variable[1]}`, item.message);
        else if (recipient && rowIndexes[Number(recipient[1])] !== undefined)
          mapped.set(`rcp:${rowIndexes[Number(recipient[1])]}:${recipient[2]}`, item.message);
        else general.push(item.message);
      }
      this.serverErrors = mapped;
      this.generalErrors = general;
    }
    this.sendError =
      detail.code === 'network'
        ? this.t('composer.sendOffline')
        : this.t('composer.sendFailed', { message: detail.message });
    this.emit('cs-error', {
      ...detail,
      code: detail.code === 'network' ? 'network' : detail.status === 422 ? 'invalid' : 'send-failed',
    });
    await this.updateComplete;
    (
      this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      this.renderRoot.querySelector<HTMLElement>('.send-error')
    )?.focus();
  }

  private sendAnother(): void {
    const loaded = this.loaded;
    this.loadedFor = undefined;
    if (loaded) this.startCompose(loaded);
  }

  private reportError(error: unknown): void {
    if ((error as Error)?.name === 'AbortError') return;
    this.emit('cs-error', toErrorDetail(error));
  }

  // ---- rendering

  override render(): TemplateResult {
    return html`<div part="base" class="base" role="region" aria-label=${this.t('composer.label')}>
      ${this.renderBody()}
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    </div>`;
  }

  private renderBody(): TemplateResult {
    if (!this.effectiveServer || !this.effectiveToken) {
      return this.message('unconfigured', this.t('composer.unconfigured.title'), this.t('composer.unconfigured.body'));
    }
    if (!this.chosenId) return this.renderChooser();
    return this.templateTask.render({
      initial: () => this.loading(this.t('composer.template.loading')),
      pending: () =>
        this.loaded?.version ? this.renderComposer(this.loaded) : this.loading(this.t('composer.template.loading')),
      complete: (loaded) => {
        if (!loaded?.version) return this.message('unpublished', this.t('composer.template.unpublished'), '', true);
        return this.phase === 'sent' ? this.renderSent() : this.renderComposer(loaded);
      },
      error: (error) =>
        this.message('template-error', this.t('composer.template.failed'), toErrorDetail(error).message, true, () =>
          this.templateTask.run(),
        ),
    });
  }

  private loading(text: string): TemplateResult {
    return html`<div part="message" class="message" data-state="loading" role="status">
      <span class="spinner" aria-hidden="true"></span>${text}
    </div>`;
  }

  private message(
    state: string,
    title: string,
    body: string,
    canChange = false,
    retry?: () => unknown,
  ): TemplateResult {
    return html`<div part="message" class="message" data-state=${state} role=${retry ? 'alert' : 'status'}>
      <h2>${title}</h2>
      ${body ? html`<p>${body}</p>` : nothing}
      <div class="row">
        ${retry ? html`<button part="button" class="button" @click=${retry}>${this.t('composer.retry')}</button>` : nothing}
        ${
          canChange && !this.templateId
            ? html`<button part="button" class="button" @click=${this.changeTemplate}>
                ${this.t('composer.template.change')}
              </button>`
            : nothing
        }
      </div>
    </div>`;
  }

  private renderChooser(): TemplateResult {
    return this.templatesTask.render({
      initial: () => this.loading(this.t('composer.templates.loading')),
      pending: () => this.loading(this.t('composer.templates.loading')),
      error: (error) =>
        this.message('templates-error', this.t('composer.templates.failed'), toErrorDetail(error).message, false, () =>
          this.templatesTask.run(),
        ),
      complete: (templates) => {
        const all = templates ?? [];
        const query = this.search.trim().toLocaleLowerCase(this.effectiveLocale);
        const shown = query ? all.filter((t) => t.name.toLocaleLowerCase(this.effectiveLocale).includes(query)) : all;
        return html`<section part="templates" class="templates" data-state="choose" aria-labelledby="choose-heading">
          <h2 id="choose-heading">${this.t('composer.templates.heading')}</h2>
          ${
            all.length >= SEARCH_FROM
              ? html`<label class="field search">
                  <span>${this.t('composer.templates.search')}</span>
                  <input
                    type="search"
                    autocomplete="off"
                    .value=${this.search}
                    @input=${(e: Event) => (this.search = (e.target as HTMLInputElement).value)}
                  />
                </label>`
              : nothing
          }
          ${
            !all.length
              ? html`<p class="muted">${this.t('composer.templates.none')}</p>`
              : !shown.length
                ? html`<p class="muted" role="status">
                    ${this.t('composer.templates.noMatch', { query: this.search })}
                  </p>`
                : html`<ul class="template-list" role="list">
                    ${repeat(
                      shown,
                      (t) => t.id,
                      (t) =>
                        html`<li>
                          <button
                            part="button"
                            class="button template"
                            data-template-id=${t.id}
                            @click=${() => this.choose(t)}
                          >
                            <span class="name">${t.name}</span>
                            <span class="muted"
                              >${this.t('composer.templates.version', { version: t.latestPublishedVersion! })}</span
                            >
                          </button>
                        </li>`,
                    )}
                  </ul>`
          }
        </section>`;
      },
    });
  }

  private renderComposer({ template, version }: Loaded): TemplateResult {
    const v = version!;
    const data = this.data;
    const errors = variableErrors(v.variables, data);
    return html`<div part="header" class="header">
        <h2 id="composer-heading">${template.name}</h2>
        <span class="muted">${this.t('composer.templates.version', { version: v.version })}</span>
        ${
          this.templateId
            ? nothing
            : html`<button part="button" class="button subtle change" @click=${this.changeTemplate}>
                ${this.t('composer.template.change')}
              </button>`
        }
      </div>
      <div class="layout" data-state="compose">
        <form
          class="form"
          novalidate
          aria-labelledby="composer-heading"
          @submit=${this.send}
          @keydown=${this.onFormKeydown}
        >
          ${this.renderDetails(v, errors)} ${this.renderClauses(v, data)} ${this.renderAttachments()}
          ${this.renderRecipients()} ${this.renderSend()}
        </form>
        ${this.renderPreview(template)}
      </div>
      ${this.renderProposalDialog()}`;
  }

  private renderDetails(version: TemplateVersion, errors: Map<string, string>): TemplateResult {
    return html`<section part="section" class="section details" aria-labelledby="details-heading">
      <h3 id="details-heading">${this.t('composer.details.heading')}</h3>
      ${
        version.variables.length
          ? version.variables.map((variable) => this.renderVariable(variable, this.variableError(variable, errors)))
          : html`<p class="muted">${this.t('composer.details.none')}</p>`
      }
    </section>`;
  }

  private renderVariable(variable: Variable, error: string | undefined): TemplateResult {
    const id = `var-${variable.key}`;
    const label = variable.label ?? variable.key;
    const value = this.raw[variable.key];
    const text = typeof value === 'string' ? value : '';
    const helpId = variable.help ? `${id}-help` : '';
    const errorId = error ? `${id}-error` : '';
    const describedBy = [errorId, helpId].filter(Boolean).join(' ') || nothing;
    const touchKey = `var:${variable.key}`;
    const onInput = (e: Event) => this.setRaw(variable.key, (e.target as HTMLInputElement).value);
    const onBlur = () => this.leave(touchKey);
    const invalid = error ? 'true' : 'false';
    const labelText = html`${label}${
      variable.required
        ? html`<span class="req" aria-hidden="true"> *</span>`
        : html`<span class="opt"> (${this.t('composer.optional')})</span>`
    }`;
    const help = variable.help ? html`<span class="help" id=${helpId}>${variable.help}</span>` : nothing;
    const errorText = error ? html`<span part="error" class="error-text" id=${errorId}>${error}</span>` : nothing;

    if (variable.type === 'boolean') {
      return html`<div part="field" class="field check" data-key=${variable.key}>
        <label>
          <input
            id=${id}
            type="checkbox"
            data-nav
            .checked=${value === true}
            aria-invalid=${invalid}
            aria-describedby=${describedBy}
            @change=${(e: Event) => {
              this.touch(touchKey);
              this.setRaw(variable.key, (e.target as HTMLInputElement).checked);
            }}
          />
          <span>${labelText}</span>
        </label>
        ${help}${errorText}
      </div>`;
    }

    if (variable.type === 'enum' && variable.options.length <= 4) {
      return html`<fieldset part="field" class="field radios" data-key=${variable.key} aria-describedby=${describedBy}>
        <legend>${labelText}</legend>
        ${variable.options.map(
          (option, i) =>
            html`<label class="radio">
              <input
                type="radio"
                name=${id}
                id=${i === 0 ? id : `${id}-${i}`}
                value=${option.value}
                ?data-nav=${i === 0}
                .checked=${text === option.value}
                ?required=${variable.required}
                aria-invalid=${invalid}
                @change=${() => {
                  this.touch(touchKey);
                  this.setRaw(variable.key, option.value);
                }}
              />
              <span>${option.label ?? option.value}</span>
            </label>`,
        )}
        ${help}${errorText}
      </fieldset>`;
    }

    let control: TemplateResult;
    if (variable.type === 'enum') {
      control = html`<select
        id=${id}
        data-nav
        ?required=${variable.required}
        aria-invalid=${invalid}
        aria-describedby=${describedBy}
        @change=${(e: Event) => {
          this.touch(touchKey);
          this.setRaw(variable.key, (e.target as HTMLSelectElement).value);
        }}
        @blur=${onBlur}
      >
        <option value="" ?selected=${!text}>${this.t('composer.select')}</option>
        ${variable.options.map(
          (o) => html`<option value=${o.value} ?selected=${text === o.value}>${o.label ?? o.value}</option>`,
        )}
      </select>`;
    } else {
      const type =
        variable.type === 'date'
          ? 'date'
          : variable.type === 'email'
            ? 'email'
            : variable.type === 'phone'
              ? 'tel'
              : 'text';
      const inputMode =
        variable.type === 'number'
          ? variable.integer
            ? 'numeric'
            : 'decimal'
          : variable.type === 'money'
            ? 'decimal'
            : nothing;
      const autocomplete = variable.type === 'email' ? 'email' : variable.type === 'phone' ? 'tel' : 'off';
      control = html`<span class="input-wrap">
        ${variable.type === 'money' ? html`<span class="currency" aria-hidden="true">${variable.currency}</span>` : nothing}
        <input
          id=${id}
          type=${type}
          data-nav
          inputmode=${inputMode}
          autocomplete=${autocomplete}
          min=${variable.type === 'date' && variable.min ? variable.min : nothing}
          max=${variable.type === 'date' && variable.max ? variable.max : nothing}
          .value=${text}
          ?required=${variable.required}
          aria-invalid=${invalid}
          aria-describedby=${describedBy}
          @input=${onInput}
          @blur=${onBlur}
        />
      </span>`;
    }
    const amount = variable.type === 'money' && !error ? parseNumber(text, this.effectiveLocale) : undefined;
    const reads =
      variable.type === 'money' && amount !== undefined
        ? html`<span class="help reads"
            >${this.t('composer.money.reads', {
              amount: new Intl.NumberFormat(this.effectiveLocale, {
                style: 'currency',
                currency: variable.currency,
              }).format(amount),
            })}</span
          >`
        : nothing;
    return html`<div part="field" class="field" data-key=${variable.key}>
      <label for=${id}
        >${labelText}${
          variable.type === 'money' ? html`<span class="visually-hidden"> (${variable.currency})</span>` : nothing
        }</label
      >
      ${control} ${help} ${reads} ${errorText}
    </div>`;
  }

  private renderClauses(version: TemplateVersion, data: MergeData): TemplateResult | typeof nothing {
    if (version.source.kind !== 'clauses') return nothing;
    const all = version.source.clauses;
    const shown = all.filter((c) => evaluateCondition(c.condition, data));
    return html`<section part="section" class="section clauses" aria-labelledby="clauses-heading">
      <h3 id="clauses-heading">${this.t('composer.clauses.heading')}</h3>
      <p class="muted" aria-live="polite">
        ${this.t('composer.clauses.count', { shown: shown.length, total: all.length })}
      </p>
      <ol class="clause-list">
        ${repeat(
          shown,
          (c) => c.key,
          (c) => this.renderClause(c, data, version.variables),
        )}
      </ol>
    </section>`;
  }

  private renderClause(clause: TemplateClause, data: MergeData, variables: Variable[]): TemplateResult {
    // Details not filled in yet read as their label in brackets, as in the rendered preview.
    const filled: MergeData = { ...data };
    for (const v of variables) if (!(v.key in filled)) filled[v.key] = `[${v.label ?? v.key}]`;
    const proposed = this.proposed.has(clause.key);
    return html`<li
      part=${clause.locked ? 'clause clause-locked' : 'clause'}
      class="clause ${clause.locked ? 'locked' : ''}"
      data-clause=${clause.key}
    >
      <div class="clause-head">
        <h4>${clause.title}</h4>
        ${
          clause.locked
            ? html`<span class="lock"
                ><svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
                  <path fill="currentColor" d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z" /></svg
                >${this.t('composer.clause.locked')}</span
              >`
            : clause.clauseId
              ? proposed
                ? html`<span class="proposed">${this.t('composer.clause.proposed')}</span>`
                : html`<button
                    type="button"
                    part="button"
                    class="button subtle propose"
                    @click=${() => this.openProposal(clause)}
                  >
                    ${this.t('composer.clause.propose')}<span class="visually-hidden">: ${clause.title}</span>
                  </button>`
              : nothing
        }
      </div>
      <div class="clause-body">
        ${renderClauseBlocks(clause.body, (text) => interpolate(text, filled, variables, this.effectiveLocale))}
      </div>
    </li>`;
  }

  private renderAttachments(): TemplateResult {
    return html`<section part="section" class="section attachments" aria-labelledby="attachments-heading">
      <h3 id="attachments-heading">${this.t('composer.attachments.heading')}</h3>
      <div
        part="dropzone"
        class="dropzone ${this.dragging ? 'dragging' : ''}"
        @dragover=${(e: DragEvent) => {
          e.preventDefault();
          this.dragging = true;
        }}
        @dragleave=${() => (this.dragging = false)}
        @drop=${this.onDrop}
      >
        <label part="button" class="button choose-files-label">
          <input
            class="choose-files visually-hidden"
            type="file"
            multiple
            accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"
            @change=${(e: Event) => {
              const input = e.target as HTMLInputElement;
              if (input.files) this.addFiles([...input.files]);
              input.value = '';
            }}
          />
          ${this.t('composer.attachments.choose')}
        </label>
        <span class="muted">${this.t('composer.attachments.drop')}</span>
      </div>
      ${
        this.attachments.length
          ? html`<ul class="attachment-list" role="list">
              ${repeat(
                this.attachments,
                (a) => a.id,
                (a) =>
                  html`<li class="attachment ${a.status}" data-status=${a.status}>
                    <span class="name">${a.name}</span>
                    <span
                      class="meta ${a.status === 'error' ? 'error-text' : 'muted'}"
                      part=${a.status === 'error' ? 'error' : nothing}
                    >
                      ${
                        a.status === 'uploading'
                          ? this.t('composer.attachments.uploading')
                          : a.status === 'error'
                            ? a.message
                            : a.doc!.pages === 1
                              ? this.t('composer.attachments.onePage')
                              : this.t('composer.attachments.manyPages', { pages: a.doc!.pages })
                      }
                    </span>
                    <button
                      type="button"
                      part="button"
                      class="button subtle remove"
                      aria-label=${this.t('composer.attachments.remove', { name: a.name })}
                      ?disabled=${a.status === 'uploading'}
                      @click=${() => this.removeAttachment(a)}
                    >
                      <span aria-hidden="true">×</span>
                    </button>
                  </li>`,
              )}
            </ul>`
          : nothing
      }
    </section>`;
  }

  private renderRecipients(): TemplateResult {
    return html`<section part="section" class="section recipients" aria-labelledby="recipients-heading">
      <h3 id="recipients-heading">${this.t('composer.recipients.heading')}</h3>
      <p class="muted" id="order-hint">${this.t('composer.recipients.hint')}</p>
      ${this.rows.map((row, i) => {
        const input = (field: 'name' | 'email' | 'order', type: string, autocomplete: string) => {
          const error = this.rowError(i, field);
          const id = `rcp-${i}-${field}`;
          return html`<div part="field" class="field ${field}">
            <label for=${id}>${this.t(`composer.recipient.${field}`)}</label>
            <input
              id=${id}
              type=${type}
              data-nav
              autocomplete=${autocomplete}
              inputmode=${field === 'order' ? 'numeric' : nothing}
              min=${field === 'order' ? 1 : nothing}
              max=${field === 'order' ? 100 : nothing}
              .value=${row[field]}
              ?required=${field !== 'order' && row.action !== 'view'}
              aria-invalid=${error ? 'true' : 'false'}
              aria-describedby=${[error ? `${id}-error` : '', field === 'order' ? 'order-hint' : ''].filter(Boolean).join(' ') || nothing}
              @input=${(e: Event) => this.setRow(i, { [field]: (e.target as HTMLInputElement).value })}
              @blur=${() => this.leave(`rcp:${i}:${field}`)}
            />
            ${error ? html`<span part="error" class="error-text" id="${id}-error">${error}</span>` : nothing}
          </div>`;
        };
        return html`<fieldset class="recipient" data-role=${row.role}>
          <legend>
            <span class="role">${row.label}</span>
            <span class="muted">${this.t(`composer.recipient.action.${row.action}`)}</span>
          </legend>
          ${input('name', 'text', 'off')} ${input('email', 'email', 'off')} ${input('order', 'number', 'off')}
        </fieldset>`;
      })}
    </section>`;
  }

  private renderSend(): TemplateResult {
    return html`<section part="section" class="section send-section">
      <div part="field" class="field">
        <label for="title">${this.t('composer.title')}</label>
        <input
          id="title"
          type="text"
          data-nav
          autocomplete="off"
          .value=${this.envelopeTitle}
          @input=${(e: Event) => (this.envelopeTitle = (e.target as HTMLInputElement).value)}
        />
      </div>
      ${
        this.sendError
          ? html`<div part="error" class="banner send-error" role="alert" tabindex="-1">
              <p>${this.sendError}</p>
              ${
                this.generalErrors.length
                  ? html`<ul>
                      ${this.generalErrors.map((m) => html`<li>${m}</li>`)}
                    </ul>`
                  : nothing
              }
            </div>`
          : nothing
      }
      <button
        type="submit"
        part="button primary"
        class="button primary send"
        ?disabled=${this.sending}
        aria-busy=${this.sending ? 'true' : 'false'}
      >
        ${this.sending ? this.t('composer.sending') : this.t('composer.send')}
      </button>
    </section>`;
  }

  private renderPreview(template: Template): TemplateResult {
    const stacks = [0, 1].map((i) => ({ i, pages: this.buffers[i]!.status === 'ready' ? this.buffers[i]!.sizes : [] }));
    return html`<aside part="preview" class="preview" aria-labelledby="preview-heading">
      <div class="preview-head">
        <h3 id="preview-heading">${this.t('composer.preview.heading')}</h3>
        <span class="preview-status muted" role="status">
          ${this.previewState === 'loading' ? this.t('composer.preview.loading') : ''}
        </span>
      </div>
      ${
        this.previewState === 'error'
          ? html`<div part="error" class="banner preview-error" role="alert">
              <p>${this.t('composer.preview.failed', { message: this.previewError })}</p>
              <button type="button" part="button" class="button" @click=${() => this.refreshPreview(true)}>
                ${this.t('composer.retry')}
              </button>
            </div>`
          : nothing
      }
      <div
        class="viewer ${this.previewState === 'loading' ? 'stale' : ''}"
        role="region"
        tabindex="0"
        aria-label=${this.t('composer.preview.document', { title: template.name })}
        data-renders=${this.renders}
      >
        ${this.renders === 0 && this.previewState !== 'loading' ? html`<p class="muted empty">${this.t('composer.preview.empty')}</p>` : nothing}
        ${stacks.map(
          ({ i, pages }) =>
            html`<div
              class="pages ${i === this.front ? 'front' : 'back'}"
              data-url=${(i === this.front && this.bufferUrls[i]) || nothing}
              aria-hidden=${i === this.front ? nothing : 'true'}
            >
              ${repeat(
                pages,
                (_, n) => n,
                (size, n) =>
                  html`<div
                    part="page"
                    class="page"
                    data-buffer=${i}
                    data-page=${n + 1}
                    role="img"
                    aria-label=${this.t('composer.preview.page', { page: n + 1, pages: pages.length })}
                    style="aspect-ratio:${size.width} / ${size.height}"
                  ></div>`,
              )}
            </div>`,
        )}
      </div>
    </aside>`;
  }

  private renderProposalDialog(): TemplateResult {
    const p = this.proposal;
    return html`<dialog
      part="dialog"
      class="dialog proposal"
      aria-labelledby="proposal-title"
      @close=${this.onProposalClosed}
    >
      ${
        p
          ? html`<form class="dialog-body" novalidate @submit=${this.submitProposal}>
              <h2 id="proposal-title">${this.t('composer.proposal.title', { title: p.clause.title })}</h2>
              ${this.proposalField(p, 'text', 8)} ${this.proposalField(p, 'comment', 3)}
              ${p.error ? html`<p part="error" class="banner proposal-error" role="alert">${p.error}</p>` : nothing}
              <div class="row end">
                <button type="button" part="button" class="button" @click=${() => this.proposalDialog?.close()}>
                  ${this.t('composer.cancel')}
                </button>
                <button type="submit" part="button primary" class="button primary" ?disabled=${p.busy}>
                  ${p.busy ? this.t('composer.proposal.sending') : this.t('composer.proposal.submit')}
                </button>
              </div>
            </form>`
          : nothing
      }
    </dialog>`;
  }

  private proposalField(p: Proposal, key: 'text' | 'comment', rows: number): TemplateResult {
    const id = `proposal-${key}`;
    const error = p.showErrors && !p[key].trim();
    return html`<div part="field" class="field">
      <label for=${id}>${this.t(`composer.proposal.${key}`)}</label>
      <textarea
        id=${id}
        rows=${rows}
        required
        .value=${p[key]}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${error ? `${id}-error` : nothing}
        @input=${(e: Event) => (this.proposal = { ...this.proposal!, [key]: (e.target as HTMLTextAreaElement).value })}
      ></textarea>
      ${error ? html`<span class="error-text" id="${id}-error">${this.t(`composer.proposal.${key}Required`)}</span>` : nothing}
    </div>`;
  }

  private renderSent(): TemplateResult {
    const sent = this.sent!;
    return html`<div part="message" class="message sent" data-state="sent" role="status" tabindex="-1">
      <h2>${this.t('composer.sent.title')}</h2>
      <p>${this.t('composer.sent.body', { title: sent.title, recipients: sent.recipients })}</p>
      <div class="row">
        <button part="button primary" class="button primary another" @click=${this.sendAnother}>
          ${this.t('composer.sent.another')}
        </button>
      </div>
    </div>`;
  }
}

function usedRowIndexes(rows: RecipientRow[]): number[] {
  return rows.flatMap((row, index) => (isRowUsed(row) ? [index] : []));
}
