import { visuallyHidden } from '../internal/styles.ts';
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { Task, TaskStatus } from '@lit/task';
import {
  ApiError,
  fieldValueProblem,
  isProblemType,
  patternEngineReady,
  type FieldType,
  type FieldValue,
  type Problem,
  type SigningField,
  type SigningView,
} from '@countersign/core';
import { CsConnectedElement } from '../internal/connected.ts';
import { FormAssociated, type FormValidity } from '../internal/form-associated.ts';
import { PdfPagesController } from '../controllers/pdf-pages.ts';
import { SignatureCaptureController } from '../controllers/signature-capture.ts';
import { initialsOf, isEditable, isFilled, needsInput, placement, readingOrder } from './fields.ts';
import { styles } from './signer-pad.styles.ts';
import './signer-pad.strings.ts';

export interface ReadyDetail {
  envelopeId: string;
  recipientId: string;
  pages: number;
}
export interface FieldChangeDetail {
  fieldId: string;
  type: FieldType;
  filled: boolean;
}
export interface CompleteDetail {
  envelopeId: string;
  recipientId: string;
}
export interface DeclineDetail {
  envelopeId: string;
  recipientId: string;
  reason: string;
}

declare module '../internal/cs-element.ts' {
  interface CsEventMap {
    'cs-ready': ReadyDetail;
    'cs-field-change': FieldChangeDetail;
    'cs-complete': CompleteDetail;
    'cs-decline': DeclineDetail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'cs-ready': CustomEvent<ReadyDetail>;
    'cs-field-change': CustomEvent<FieldChangeDetail>;
    'cs-complete': CustomEvent<CompleteDetail>;
    'cs-decline': CustomEvent<DeclineDetail>;
  }
}

type Phase = 'ready' | 'done' | 'signed' | 'declined' | 'declined-other' | 'closed';
type FailureKind = 'expired' | 'invalid' | 'not-your-turn' | 'network' | 'unknown';

interface Failure {
  kind: FailureKind;
  code: string;
  message: string;
  status: number;
}

const ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
/** Below this width of the element (not the window) the pad edits one field at a time in a sheet. */
const GUIDED_WIDTH = 600;
/** The guided mode zooms the page until the field being edited is at least this wide. */
const GUIDED_FIELD_WIDTH = 120;
/** …and at least this high (both up to GUIDED_MAX_ZOOM). */
const GUIDED_FIELD_HEIGHT = 24;
const GUIDED_MAX_ZOOM = 2;

/** One entry of the list of what stops Finish: the consent, a field to fill, or a value to fix. */
interface MissingItem {
  fieldId?: string;
  consent?: boolean;
  message: string;
  /** What the field itself says (its problem, or that it is required), when not `message`. */
  fieldMessage?: string;
  format?: boolean;
}
const TEXT_SAVE_DELAY = 600;

/** The on-screen keyboard a text field's validation wants (a date is typed with its dashes). */
const INPUT_MODES: Record<string, string | undefined> = { email: 'email', phone: 'tel', number: 'decimal' };

/** Under the field (above it near the page's foot), as wide as the field or a readable minimum. */
function messagePlacement(field: SigningField): string {
  const pct = (n: number) => `${(Math.min(Math.max(n, 0), 1) * 100).toFixed(4)}%`;
  const top = field.y + field.height > 0.9 ? field.y : field.y + field.height;
  return `left:${pct(Math.min(field.x, 0.5))};top:${pct(top)};min-width:${pct(Math.min(field.width, 0.4))}`;
}

// The visible message of a field whose value fails its validation. (Kept here rather than in
// signer-pad.styles.ts while that file is being refactored.)
const fieldMessageStyles = css`
  .field-message {
    position: absolute;
    z-index: 2;
    max-width: 60%;
    margin-top: 3px;
    padding: 0.15em 0.45em;
    /* the host is an inline-size container: small widths get a smaller, one-line-when-possible note */
    font-size: clamp(10px, 2.4cqw, 0.8125rem);
    line-height: 1.3;
    font-weight: 600;
    color: #fff;
    background: var(--_danger, #b3261e);
    border-radius: 3px;
    overflow-wrap: anywhere;
    pointer-events: none;
  }
  @container (max-width: 480px) {
    .field-message {
      max-width: 88%;
      margin-top: 1px;
    }
  }
  .field-message.above {
    margin-top: -3px;
    transform: translateY(-100%);
  }
`;
/** True once the pattern engine's lazy chunk has arrived (Finish waits for it before it checks). */
let patternEngineLoaded = false;
void patternEngineReady.then(() => (patternEngineLoaded = true));

const SEAL_POLL_DELAYS = [400, 800, 1200, 1600, 2000, 3000, 3000, 4000];

/**
 * Narrower than 600 px (its own width, not the window's) the pad is in guided mode: each field
 * is a button that opens the editor sheet, a bottom dialog with the field's full label, a 16 px
 * input and Previous / Next / Done; "Next required field" opens it too. Fields the agent
 * prefilled (`readOnly` in the signing view) are plain text marked read-only.
 *
 * Inside a host `<form>` it takes part like a native control: once this recipient has signed,
 * the form submits the envelope id under `name`; with `required` the form stays invalid
 * (`valueMissing`) until then; `disabled` (or a disabled `<fieldset>` around it) disables its
 * controls.
 *
 * @summary The signing widget: shows the document, the signer's fields over its pages, the
 * electronic-records consent, and lets the signer finish or decline, inside the host's page.
 *
 * @event cs-ready - The signing view loaded. `detail: { envelopeId, recipientId, pages }`.
 * @event cs-field-change - The signer changed a field. `detail: { fieldId, type, filled }`.
 * @event cs-complete - The signer finished. `detail: { envelopeId, recipientId }`.
 * @event cs-decline - The signer declined. `detail: { envelopeId, recipientId, reason }`.
 * @event cs-error - Something failed and is shown to the signer. `detail: { code, message, status }`.
 *   Stable codes: `token-invalid` (message "This signing link is not valid") and `token-expired`
 *   ("Your signing link has expired") for the link; `consent-required`, `incomplete` and
 *   `validation` when Finish is held back (status 0, nothing sent); `field-read-only` when the
 *   server refuses a change to a value the agent set.
 *
 * @slot header - Content above the toolbar (e.g. the host's own heading).
 *
 * @csspart base - The outer wrapper.
 * @csspart toolbar - The sticky bar with progress, next-field and zoom controls.
 * @csspart progress - The progress text.
 * @csspart next - The "next required field" button.
 * @csspart button - Every button (also `primary`, `secondary`, `danger` variants).
 * @csspart consent - The electronic records disclosure and its checkbox.
 * @csspart viewer - The scrolling document area.
 * @csspart page - One page box (the canvas and its fields).
 * @csspart canvas - A page's rendered canvas.
 * @csspart field - Every field overlay (also `field-signature`, `field-initials`, `field-text`,
 *   `field-checkbox`, `field-date_signed`, and `field-filled`, `field-required`, `field-invalid`,
 *   `field-readonly`).
 * @csspart actions - The bar with Finish and Decline.
 * @csspart dialog - The signature and decline dialogs.
 * @csspart signature-canvas - The drawing canvas in the signature dialog.
 * @csspart field-message - The visible message under a field whose value is refused (its format,
 *   or required and empty).
 * @csspart message - The panel of a state (loading, done, expired, errors…).
 * @csspart sheet - The guided mode's editor sheet (a dialog).
 * @csspart missing - The list of what still stops Finish, each entry a button to it.
 *
 * @cssprop [--cs-accent=#2450d3] - Brand colour of buttons, focus rings and links.
 * @cssprop [--cs-accent-contrast=#fff] - Text on accent-coloured buttons.
 * @cssprop [--cs-surface=#fff] - Background of the widget (set with --cs-text for dark mode).
 * @cssprop [--cs-text=#1b2230] - Text colour.
 * @cssprop [--cs-font=system-ui, sans-serif] - Font family.
 * @cssprop [--cs-radius=8px] - Corner radius of controls and panels.
 * @cssprop [--cs-danger=#b3261e] - Errors and the Decline action.
 * @cssprop [--cs-field-required=#ffe9a8] - Background of a required field still to fill.
 * @cssprop [--cs-field-optional=#e3ebff] - Background of an optional field.
 * @cssprop [--cs-field-filled=#d8f3e0] - Background of a filled field.
 * @cssprop [--cs-field-ink=#14213d] - Ink of values drawn into fields.
 * @cssprop [--cs-signature-font="Segoe Script", "Snell Roundhand", cursive] - Typed signatures.
 * @cssprop [--cs-viewer-height=min(75vh, 60rem)] - Height of the scrolling document area.
 */
export class CsSignerPad extends FormAssociated(CsConnectedElement) {
  static override styles = [visuallyHidden, styles, fieldMessageStyles];
  static override shadowRootOptions = { ...CsConnectedElement.shadowRootOptions, delegatesFocus: true };

  /** Zoom factor of the pages; 1 fits the page to the widget's width. */
  @property({ type: Number, reflect: true }) zoom = 1;

  @state() private view?: SigningView;
  @state() private phase: Phase = 'ready';
  @state() private failure?: Failure;
  @state() private consentChecked = false;
  @state() private consentError = false;
  @state() private missing: MissingItem[] = [];
  /** True while the element is narrower than GUIDED_WIDTH: fields open the editor sheet. */
  @state() private guided = false;
  /** The field the editor sheet shows (guided mode). */
  @state() private sheetField?: SigningField;
  @state() private fieldErrors = new Map<string, string>();
  @state() private saveError?: string;
  @state() private busy: 'finish' | 'decline' | undefined;
  @state() private dialogField?: SigningField;
  @state() private dialogTab: 'draw' | 'type' = 'draw';
  @state() private typedName = '';
  @state() private declineError = false;
  @state() private announcement = '';
  @state() private downloadUrl?: string;
  @state() private downloadState: 'idle' | 'waiting' | 'ready' | 'later' | 'failed' = 'idle';

  @query('.viewer') private viewerEl?: HTMLElement;
  @query('dialog.signature') private signatureDialog?: HTMLDialogElement;
  @query('dialog.decline') private declineDialog?: HTMLDialogElement;
  @query('canvas.draw') private drawCanvas?: HTMLCanvasElement;
  @query('dialog.sheet') private sheetDialog?: HTMLDialogElement;

  /** Values as the signer sees them (server values, overlaid by unsaved local ones). */
  private values = new Map<string, FieldValue>();
  /** Values not yet acknowledged by the server, re-sent on retry. */
  private pending = new Map<string, FieldValue>();
  private consentPending = false;
  private textTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private flushChain: Promise<boolean> = Promise.resolve(true);
  private readyFor?: string;
  private documentFor?: string;
  private sealPoll?: AbortController;
  /** What had focus before the sheet opened, to return to when it closes. */
  private sheetOpener?: HTMLElement;
  private readonly resizeObserver = new ResizeObserver(([entry]) => {
    const width = entry?.contentBoxSize?.[0]?.inlineSize ?? entry?.contentRect.width ?? 0;
    const guided = width > 0 && width < GUIDED_WIDTH;
    if (guided !== this.guided) this.guided = guided;
  });

  private readonly pages = new PdfPagesController(this, {
    firstPaint: () => performance.mark('cs-first-page'),
    error: (error) => {
      const status = (error as { status?: number })?.status ?? 0;
      this.reportError({ code: 'document-failed', message: (error as Error)?.message ?? String(error), status });
    },
  });
  private readonly capture = new SignatureCaptureController(this);

  constructor() {
    super();
    this.internals.role = 'group';
  }

  /** The envelope id once this recipient has signed, else empty: what a host form submits. */
  get value(): string {
    return this.formValue() ?? '';
  }

  protected override formValue(): string | null {
    const view = this.view;
    if (!view) return null;
    const { status } = view.recipient;
    return this.phase === 'done' || status === 'signed' || status === 'approved' ? view.envelope.id : null;
  }

  protected override formValidity(): FormValidity {
    if (!this.required || this.formValue() !== null) return { flags: {}, message: '' };
    const anchor =
      this.renderRoot.querySelector<HTMLElement>('button.next') ??
      this.renderRoot.querySelector<HTMLElement>('.message button, .message a') ??
      undefined;
    return { flags: { valueMissing: true }, message: this.t('signer.signRequired'), anchor };
  }

  private readonly loadTask = new Task(this, {
    args: () => [this.effectiveServer, this.effectiveToken] as const,
    task: async ([server, token], { signal }) => {
      if (!server || !token) return undefined;
      return this.client!.getSigning(signal);
    },
    onComplete: (view) => {
      if (view) this.applyView(view);
    },
    onError: (error) => {
      if ((error as Error)?.name !== 'AbortError') this.fail(error);
    },
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver.observe(this);
    // Pattern checks wait for the linear-time engine's lazy chunk: check the values again once it is here.
    void patternEngineReady.then(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver.disconnect();
    this.sealPoll?.abort();
    for (const timer of this.textTimers.values()) clearTimeout(timer);
    if (this.downloadUrl) URL.revokeObjectURL(this.downloadUrl);
    this.downloadUrl = undefined;
    this.documentFor = undefined;
    this.readyFor = undefined;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('server') || changed.has('token') || changed.has('config' as keyof CsSignerPad)) {
      // A new configuration is a fresh attempt: drop the old failure, keep unsaved values.
      this.failure = undefined;
    }
    this.openDocumentEarly();
  }

  /**
   * Starts pdf.js and the document download as soon as a server and token are known, in
   * parallel with GET /signing, so the first page is not behind a request waterfall.
   */
  private openDocumentEarly(): void {
    const client = this.client;
    const key = client ? `${client.server} ${client.token}` : undefined;
    if (!client || !key || key === this.documentFor || this.failure) return;
    if (this.phase !== 'ready' && this.view) return;
    this.documentFor = key;
    void this.pages.open({ url: client.signingDocumentUrl, headers: client.authHeaders });
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('phase' as keyof CsSignerPad) && (this.phase === 'done' || this.phase === 'declined')) {
      // The controls the signer used are gone: move focus to what happened.
      this.renderRoot.querySelector<HTMLElement>('.message .message-title')?.focus();
    }
    this.pages.setRoot(this.viewerEl ?? null);
    if (this.viewerEl) {
      for (const box of this.renderRoot.querySelectorAll<HTMLElement>('.page')) {
        this.pages.observe(box, Number(box.dataset['page']));
      }
    }
    if (changed.has('zoom')) requestAnimationFrame(() => this.pages.invalidate());
  }

  /** Retries what failed: loading the view, then the saves that did not go through. */
  async retry(): Promise<void> {
    this.failure = undefined;
    if (this.view && this.loadTask.status === TaskStatus.COMPLETE && this.pending.size) {
      // The save banner stays until the saves have gone through (sendPending clears it).
      await this.flush();
      return;
    }
    this.saveError = undefined;
    await this.loadTask.run();
  }

  // ---- loading and failures

  private applyView(view: SigningView): void {
    this.view = view;
    this.internals.ariaLabel = this.t('signer.label', { title: view.envelope.title });
    this.failure = undefined;
    const ids = new Set(view.fields.map((f) => f.id));
    for (const id of this.pending.keys()) if (!ids.has(id)) this.pending.delete(id);
    for (const field of view.fields) {
      // The agent's value is the only one a read-only field has: nothing local is kept or sent.
      if (field.readOnly) this.pending.delete(field.id);
      if (!this.pending.has(field.id)) this.values.set(field.id, field.value);
    }
    this.consentChecked = view.consent.accepted || this.consentPending;
    const { envelope, recipient } = view;
    if (recipient.status === 'declined') this.phase = 'declined';
    else if (this.phase === 'done') this.phase = 'done';
    else if (recipient.status === 'signed' || recipient.status === 'approved') this.phase = 'signed';
    else if (envelope.status === 'declined') this.phase = 'declined-other';
    else if (envelope.status === 'voided' || envelope.status === 'expired') this.phase = 'closed';
    else if (envelope.status === 'completed') this.phase = 'signed';
    else this.phase = 'ready';

    const key = `${envelope.id}/${recipient.id}`;
    if (this.phase === 'ready') {
      if (this.pages.status === 'error' || this.pages.status === 'idle') {
        this.documentFor = undefined;
        this.openDocumentEarly();
      }
      if (this.readyFor !== key) {
        this.readyFor = key;
        this.emit('cs-ready', { envelopeId: envelope.id, recipientId: recipient.id, pages: view.document.pages });
      }
      if (this.pending.size || this.consentPending) void this.flush();
    } else {
      this.closeDocument();
      if (this.phase === 'signed' && this.downloadState === 'idle') {
        // A reload after signing: offer the sealed copy, or say it is on its way.
        if (view.sealed) void this.fetchSealed();
        else if (view.envelope.status === 'completed') void this.awaitSeal();
        else this.downloadState = 'later';
      }
    }
  }

  private closeDocument(): void {
    this.pages.close();
    this.documentFor = undefined;
  }

  private classify(error: unknown): Failure {
    if (error instanceof ApiError) {
      const problem: Problem = error.problem;
      const slug = problem.type.split(/[/#]/).pop() || 'error';
      const message = problem.detail ?? problem.title;
      if (error.isNetworkError) return { kind: 'network', code: 'network', message, status: 0 };
      // One code and one message per link problem, whatever the server's wording: a host shows
      // the same words in its own banner (cs-error detail) as the pad does.
      if (isProblemType(problem, 'token-expired'))
        return {
          kind: 'expired',
          code: 'token-expired',
          message: this.t('signer.expired.title'),
          status: error.status,
        };
      if (isProblemType(problem, 'token-invalid') || error.status === 401 || error.status === 403) {
        return {
          kind: 'invalid',
          code: 'token-invalid',
          message: this.t('signer.invalid.title'),
          status: error.status,
        };
      }
      if (isProblemType(problem, 'not-your-turn'))
        return { kind: 'not-your-turn', code: 'not-your-turn', message, status: error.status };
      return { kind: 'unknown', code: slug, message, status: error.status };
    }
    return { kind: 'unknown', code: 'unknown', message: (error as Error)?.message ?? String(error), status: 0 };
  }

  /** Shows a failure as a state of its own and tells the host. */
  private fail(error: unknown): void {
    const failure = this.classify(error);
    this.failure = failure;
    this.closeDocument();
    this.reportError(failure);
  }

  private reportError(failure: Pick<Failure, 'code' | 'message' | 'status'>): void {
    this.emit('cs-error', { code: failure.code, message: failure.message, status: failure.status });
  }

  // ---- values and saving

  private currentValue(field: SigningField): FieldValue | undefined {
    return this.values.get(field.id);
  }

  private setValue(field: SigningField, value: FieldValue, saveNow: boolean): void {
    if (!isEditable(field)) return;
    const wasFilled = isFilled(field, this.currentValue(field));
    this.values.set(field.id, value);
    this.pending.set(field.id, value);
    if (this.fieldErrors.has(field.id)) {
      this.fieldErrors = new Map([...this.fieldErrors].filter(([id]) => id !== field.id));
    }
    const filled = isFilled(field, value);
    this.missing = this.missing.filter((m) => m.fieldId !== field.id);
    this.requestUpdate();
    this.emit('cs-field-change', { fieldId: field.id, type: field.type, filled });
    if (filled && !wasFilled && needsInput(field) && this.remaining.length === 0) {
      this.announce(this.t('signer.allDone'));
    }
    clearTimeout(this.textTimers.get(field.id));
    this.textTimers.delete(field.id);
    // A value that fails the field's validation stays on screen but is not sent; leaving the
    // field (saveNow) shows why.
    const problem = this.formatProblem(field, value);
    if (problem) {
      this.pending.delete(field.id);
      if (saveNow) this.showFieldError(field, problem);
      return;
    }
    if (saveNow) void this.flush();
    else
      this.textTimers.set(
        field.id,
        setTimeout(() => void this.flush(), TEXT_SAVE_DELAY),
      );
  }

  /** Why `value` does not fit the field's validation (its own message, else ours), or undefined. */
  private formatProblem(field: SigningField, value: FieldValue | undefined): string | undefined {
    const problem = fieldValueProblem(field, value);
    if (!problem) return undefined;
    const custom = field.validation?.message?.trim();
    if (custom) return custom;
    return problem.code === 'min' || problem.code === 'max'
      ? this.t(`validation.${problem.code}`, {
          limit: new Intl.NumberFormat(this.effectiveLocale).format(problem.limit),
        })
      : this.t(`validation.${problem.code}`);
  }

  private showFieldError(field: SigningField, message: string): void {
    if (this.fieldErrors.get(field.id) === message) return;
    this.fieldErrors = new Map(this.fieldErrors).set(field.id, message);
    this.announce(message);
  }

  private onTextBlur(field: SigningField): void {
    const problem = this.formatProblem(field, this.currentValue(field));
    if (problem) this.showFieldError(field, problem);
  }

  /** Sends every unsaved value (and a pending consent), one at a time, in order. */
  flush(): Promise<boolean> {
    for (const timer of this.textTimers.values()) clearTimeout(timer);
    this.textTimers.clear();
    this.flushChain = this.flushChain.then(() => this.sendPending());
    return this.flushChain;
  }

  private async sendPending(): Promise<boolean> {
    const client = this.client;
    if (!client) return false;
    if (this.consentPending) {
      try {
        await client.acceptConsent();
        this.consentPending = false;
      } catch (error) {
        return this.saveFailed(error);
      }
    }
    for (const [id, value] of [...this.pending]) {
      try {
        await client.saveField(id, value);
        if (this.pending.get(id) === value) this.pending.delete(id);
      } catch (error) {
        return this.saveFailed(error, id);
      }
    }
    if (this.saveError) {
      this.saveError = undefined;
      this.announce(this.t('signer.saved'));
    }
    return true;
  }

  private saveFailed(error: unknown, fieldId?: string): false {
    const failure = this.classify(error);
    if (fieldId && error instanceof ApiError && error.status === 403) {
      // The server keeps this value (set by the agent): drop ours and say so on the field.
      this.pending.delete(fieldId);
      const field = this.view?.fields.find((f) => f.id === fieldId);
      if (field) this.values.set(fieldId, field.value);
      this.fieldErrors = new Map(this.fieldErrors).set(fieldId, error.problem.detail ?? error.problem.title);
      this.reportError({ ...failure, code: 'field-read-only' });
      return false;
    }
    if (failure.kind === 'network' || (failure.kind === 'unknown' && failure.status >= 500)) {
      this.saveError = this.t('signer.saveFailed');
      this.reportError(failure);
    } else if (failure.kind === 'unknown' && fieldId) {
      // The server refused this value (validation): show it on the field, don't resend it.
      this.pending.delete(fieldId);
      const own = error instanceof ApiError ? error.problem.errors?.find((e) => e.fieldId === fieldId) : undefined;
      this.fieldErrors = new Map(this.fieldErrors).set(fieldId, own?.message ?? failure.message);
      this.reportError(failure);
    } else {
      this.failure = failure;
      this.reportError(failure);
    }
    return false;
  }

  private announce(message: string): void {
    this.announcement = '';
    requestAnimationFrame(() => (this.announcement = message));
  }

  // ---- navigation

  private get orderedFields(): SigningField[] {
    return readingOrder(this.view?.fields ?? []);
  }

  private get requiredFields(): SigningField[] {
    return this.orderedFields.filter(needsInput);
  }

  private get remaining(): SigningField[] {
    return this.requiredFields.filter((f) => !isFilled(f, this.currentValue(f)));
  }

  private controlFor(fieldId: string): HTMLElement | null {
    const box = this.renderRoot.querySelector<HTMLElement>(`[data-field-id="${CSS.escape(fieldId)}"]`);
    if (!box) return null;
    return box.matches('button, input') ? box : box.querySelector<HTMLElement>('button, input');
  }

  private focusField(fieldId: string): void {
    const field = this.view?.fields.find((f) => f.id === fieldId);
    if (this.guided && field && isEditable(field)) {
      void this.openSheet(field);
      return;
    }
    const control = this.controlFor(fieldId);
    if (!control) return;
    const smooth = !matchMedia('(prefers-reduced-motion: reduce)').matches;
    control.scrollIntoView({ block: 'center', inline: 'nearest', behavior: smooth ? 'smooth' : 'auto' });
    control.focus({ preventScroll: true });
  }

  private goToNextRequired(): void {
    const remaining = this.remaining;
    if (this.guided && (remaining[0] ?? this.sheetFields[0])) {
      void this.openSheet(remaining[0] ?? this.sheetFields[0]!);
      return;
    }
    if (!remaining.length) {
      this.announce(this.t('signer.allDone'));
      this.renderRoot.querySelector<HTMLElement>('.finish')?.focus();
      return;
    }
    const order = this.requiredFields;
    const active = (this.renderRoot as ShadowRoot).activeElement?.closest<HTMLElement>('[data-field-id]');
    const at = active ? order.findIndex((f) => f.id === active.dataset['fieldId']) : -1;
    const next = remaining.find((f) => order.indexOf(f) > at) ?? remaining[0]!;
    this.focusField(next.id);
  }

  private setZoom(direction: 1 | -1): void {
    const index = ZOOM_STEPS.findIndex((z) => z >= this.zoom - 1e-6);
    const next = ZOOM_STEPS[Math.min(Math.max((index < 0 ? 2 : index) + direction, 0), ZOOM_STEPS.length - 1)]!;
    this.zoom = next;
  }

  // ---- consent, finish, decline

  private async onConsentChange(event: Event): Promise<void> {
    const checked = (event.target as HTMLInputElement).checked;
    this.consentChecked = checked;
    if (!checked) return;
    this.consentError = false;
    this.missing = this.missing.filter((m) => !m.consent);
    this.consentPending = true;
    await this.flush();
  }

  /**
   * Everything that stops Finish, in one list: the consent, then each required field still empty
   * and each value that fails its validation, in reading order.
   */
  private blockers(): MissingItem[] {
    const items: MissingItem[] = [];
    if (!this.consentChecked) items.push({ consent: true, message: this.t('signer.missingConsent') });
    for (const field of this.orderedFields) {
      if (!isEditable(field)) continue;
      const value = this.currentValue(field);
      const problem = this.formatProblem(field, value);
      if (problem)
        items.push({
          fieldId: field.id,
          message: `${this.fieldLabel(field)}: ${problem}`,
          fieldMessage: problem,
          format: true,
        });
      else if (field.required && !isFilled(field, value))
        items.push({
          fieldId: field.id,
          message: this.t('signer.missingField', { label: this.fieldLabel(field), page: field.page }),
          fieldMessage: this.t('field.requiredMissing'),
        });
    }
    return items;
  }

  private focusConsent(): void {
    const input = this.renderRoot.querySelector<HTMLInputElement>('#consent');
    input?.scrollIntoView({ block: 'center', behavior: 'auto' });
    input?.focus({ preventScroll: true });
  }

  private async finish(): Promise<void> {
    const view = this.view;
    const client = this.client;
    if (!view || !client || this.busy) return;
    // Every pattern is checked before anything is sent, even if the engine is still on its way.
    if (!patternEngineLoaded) {
      await patternEngineReady;
      if (this.busy || this.view !== view) return;
    }
    const blockers = this.blockers();
    this.missing = blockers;
    if (blockers.length) {
      // Nothing is sent while anything is missing: the signer sees the whole list at once.
      this.consentError = blockers.some((b) => b.consent);
      const errors = new Map(this.fieldErrors);
      for (const b of blockers) if (b.fieldId) errors.set(b.fieldId, b.fieldMessage ?? b.message);
      this.fieldErrors = errors;
      const only = blockers.length === 1 ? blockers[0]! : undefined;
      const code = only?.consent ? 'consent-required' : blockers.every((b) => b.format) ? 'validation' : 'incomplete';
      this.reportError({ code, message: blockers.map((b) => b.message).join('; '), status: 0 });
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.missing-title')?.focus();
      return;
    }
    this.busy = 'finish';
    try {
      if (!(await this.flush())) return;
      await client.complete();
    } catch (error) {
      await this.finishFailed(error);
      return;
    } finally {
      this.busy = undefined;
    }
    this.phase = 'done';
    this.closeDocument();
    this.emit('cs-complete', { envelopeId: view.envelope.id, recipientId: view.recipient.id });
    void this.awaitSeal();
  }

  private async finishFailed(error: unknown): Promise<void> {
    if (!(error instanceof ApiError) || error.isNetworkError) {
      if (error instanceof ApiError) {
        this.saveError = this.t('signer.saveFailed');
        this.reportError(this.classify(error));
      } else this.fail(error);
      return;
    }
    const failure = this.classify(error);
    if (isProblemType(error.problem, 'consent-required')) {
      this.consentChecked = false;
      this.consentError = true;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('#consent')?.focus();
      this.reportError(failure);
      return;
    }
    const errors = error.problem.errors ?? [];
    if (errors.length && failure.kind === 'unknown') {
      const format = !isProblemType(error.problem, 'incomplete');
      this.missing = errors.map((e) => ({ ...e, ...(format ? { format } : {}) }));
      const map = new Map<string, string>();
      for (const e of errors) if (e.fieldId) map.set(e.fieldId, e.message);
      this.fieldErrors = map;
      this.reportError(failure);
      await this.updateComplete;
      const first = this.orderedFields.find((f) => map.has(f.id));
      if (first) this.focusField(first.id);
      return;
    }
    if (failure.kind === 'unknown') {
      this.missing = [{ message: failure.message }];
      this.reportError(failure);
      return;
    }
    this.failure = failure;
    this.reportError(failure);
  }

  /** After finishing: waits for the sealed copy, then offers it as a download. */
  private async awaitSeal(): Promise<void> {
    this.sealPoll?.abort();
    const poll = new AbortController();
    this.sealPoll = poll;
    this.downloadState = 'waiting';
    for (const delay of SEAL_POLL_DELAYS) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (poll.signal.aborted) return;
      try {
        const view = await this.client!.getSigning(poll.signal);
        this.view = view;
        if (view.sealed) return void (await this.fetchSealed());
        if (view.envelope.status !== 'completed') {
          this.downloadState = 'later';
          return;
        }
      } catch {
        if (poll.signal.aborted) return;
      }
    }
    this.downloadState = 'later';
  }

  private async fetchSealed(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.downloadState = 'waiting';
    try {
      const blob = await client.fetchBlob(client.sealedDocumentUrl);
      if (this.downloadUrl) URL.revokeObjectURL(this.downloadUrl);
      this.downloadUrl = URL.createObjectURL(blob);
      this.downloadState = 'ready';
    } catch (error) {
      this.downloadState = 'failed';
      this.reportError({ ...this.classify(error), code: 'download-failed' });
    }
  }

  private get downloadName(): string {
    const name = this.view?.document.name ?? 'document.pdf';
    return name.replace(/\.pdf$/i, '') + '-signed.pdf';
  }

  private openDecline(): void {
    this.declineError = false;
    this.declineDialog?.showModal();
  }

  private async submitDecline(event: Event): Promise<void> {
    event.preventDefault();
    const view = this.view;
    const client = this.client;
    const textarea = this.renderRoot.querySelector<HTMLTextAreaElement>('#decline-reason');
    const reason = textarea?.value.trim() ?? '';
    if (!view || !client) return;
    if (!reason) {
      this.declineError = true;
      textarea?.focus();
      return;
    }
    this.busy = 'decline';
    try {
      await client.decline(reason);
    } catch (error) {
      this.busy = undefined;
      this.declineDialog?.close();
      const failure = this.classify(error);
      if (failure.kind === 'network' || failure.kind === 'unknown') {
        this.missing = [{ message: failure.message }];
        this.reportError(failure);
      } else this.fail(error);
      return;
    }
    this.busy = undefined;
    this.declineDialog?.close();
    this.phase = 'declined';
    this.closeDocument();
    this.emit('cs-decline', { envelopeId: view.envelope.id, recipientId: view.recipient.id, reason });
  }

  // ---- signature dialog

  private async openSignature(field: SigningField): Promise<void> {
    const value = this.currentValue(field);
    const name = this.view?.recipient.name ?? '';
    const typed = typeof value === 'object' && value?.kind === 'typed' ? value.text : undefined;
    this.typedName = typed ?? (field.type === 'initials' ? initialsOf(name) : name);
    this.dialogTab = typed ? 'type' : 'draw';
    this.dialogField = field;
    await this.updateComplete;
    this.signatureDialog?.showModal();
    if (this.dialogTab === 'draw') await this.attachCanvas();
  }

  private async attachCanvas(): Promise<void> {
    await this.updateComplete;
    const canvas = this.drawCanvas;
    if (canvas)
      await this.capture.attach(canvas, {
        penColor: getComputedStyle(this).getPropertyValue('--cs-field-ink').trim() || undefined,
      });
  }

  private async selectTab(tab: 'draw' | 'type', focus = false): Promise<void> {
    this.dialogTab = tab;
    await this.updateComplete;
    if (focus) this.renderRoot.querySelector<HTMLElement>(`#tab-${tab}`)?.focus();
    if (tab === 'draw') await this.attachCanvas();
  }

  private onTabKey(event: KeyboardEvent): void {
    if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) return;
    event.preventDefault();
    const next =
      event.key === 'Home' ? 'draw' : event.key === 'End' ? 'type' : this.dialogTab === 'draw' ? 'type' : 'draw';
    void this.selectTab(next, true);
  }

  private get canAdopt(): boolean {
    return this.dialogTab === 'draw' ? !this.capture.empty : this.typedName.trim() !== '';
  }

  private adopt(event?: Event): void {
    event?.preventDefault();
    const field = this.dialogField;
    if (!field || !this.canAdopt) return;
    let value: FieldValue;
    if (this.dialogTab === 'draw') {
      const image = this.capture.toPng();
      if (!image) return;
      value = { kind: 'drawn', image };
    } else value = { kind: 'typed', text: this.typedName.trim() };
    this.setValue(field, value, true);
    this.signatureDialog?.close();
  }

  private onSignatureClosed(): void {
    const field = this.dialogField;
    this.capture.detach();
    this.dialogField = undefined;
    if (!field) return;
    requestAnimationFrame(() => {
      const back = this.sheetDialog?.open
        ? this.sheetDialog.querySelector<HTMLElement>('.sheet-sign')
        : this.controlFor(field.id);
      back?.focus({ preventScroll: true });
    });
  }

  // ---- guided mode: the editor sheet

  /** The fields the sheet steps through: every one the signer can change, in reading order. */
  private get sheetFields(): SigningField[] {
    return this.orderedFields.filter(isEditable);
  }

  private async openSheet(field: SigningField): Promise<void> {
    const dialog = this.sheetDialog;
    if (!dialog?.open) {
      const active = (this.renderRoot as ShadowRoot).activeElement;
      this.sheetOpener = active instanceof HTMLElement ? active : undefined;
    }
    this.sheetField = field;
    await this.updateComplete;
    if (!this.sheetDialog?.open) this.sheetDialog?.showModal();
    this.showFieldOnPage(field);
    this.sheetDialog?.querySelector<HTMLElement>('#sheet-input, .sheet-sign')?.focus();
  }

  /** Scrolls the page to the field and zooms in until it is wide enough to see. */
  private showFieldOnPage(field: SigningField): void {
    const page = this.renderRoot.querySelector<HTMLElement>(`.page[data-page="${field.page}"]`);
    const box = page?.getBoundingClientRect();
    // The field's size at zoom 1.
    const width = (field.width * (box?.width ?? 0)) / this.zoom;
    const height = (field.height * (box?.height ?? 0)) / this.zoom;
    if (width > 0 && height > 0) {
      // Wide enough to read and tall enough to see, up to a zoom that keeps the page in view.
      const wanted = Math.min(Math.max(GUIDED_FIELD_WIDTH / width, GUIDED_FIELD_HEIGHT / height), GUIDED_MAX_ZOOM);
      const zoom = ZOOM_STEPS.find((z) => z >= wanted - 1e-6) ?? GUIDED_MAX_ZOOM;
      if (zoom > this.zoom) this.zoom = zoom;
    }
    void this.updateComplete.then(() => {
      const box = this.renderRoot.querySelector<HTMLElement>(`[data-field-id="${CSS.escape(field.id)}"]`);
      box?.scrollIntoView({ block: 'center', inline: 'center', behavior: 'auto' });
    });
  }

  private stepSheet(direction: 1 | -1): void {
    const list = this.sheetFields;
    const at = list.findIndex((f) => f.id === this.sheetField?.id);
    const next = list[at + direction];
    if (next) void this.openSheet(next);
  }

  private closeSheet(): void {
    this.sheetDialog?.close();
  }

  private onSheetClosed(): void {
    const field = this.sheetField;
    this.sheetField = undefined;
    if (field) {
      const problem = this.formatProblem(field, this.currentValue(field));
      if (problem) this.showFieldError(field, problem);
    }
    void this.flush();
    const back = this.sheetOpener?.isConnected ? this.sheetOpener : field ? this.controlFor(field.id) : null;
    this.sheetOpener = undefined;
    requestAnimationFrame(() => back?.focus({ preventScroll: true }));
  }

  /** Keeps Tab and Shift+Tab inside the sheet while it is open. */
  private onSheetKey(event: KeyboardEvent): void {
    if (event.key !== 'Tab') return;
    const focusable = [
      ...(this.sheetDialog?.querySelectorAll<HTMLElement>('input, button:not([disabled]), [tabindex="0"]') ?? []),
    ];
    if (!focusable.length) return;
    const first = focusable[0]!;
    const last = focusable.at(-1)!;
    const current = (this.renderRoot as ShadowRoot).activeElement;
    if (event.shiftKey && current === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && current === last) {
      event.preventDefault();
      first.focus();
    }
  }

  // ---- rendering

  override render() {
    return html`<div part="base" class="base">
      <slot name="header"></slot>
      <fieldset class="controls" role="presentation" ?disabled=${this.isDisabled}>${this.renderBody()}</fieldset>
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    </div>`;
  }

  private renderBody(): TemplateResult {
    if (!this.effectiveServer || !this.effectiveToken) {
      return this.message(
        'unconfigured',
        this.t('signer.unconfigured.title'),
        this.t('signer.unconfigured.body'),
        'alert',
      );
    }
    if (this.failure) return this.renderFailure(this.failure);
    if (!this.view) return this.renderSkeleton();
    switch (this.phase) {
      case 'ready':
        return this.renderPad(this.view);
      case 'done':
        return this.renderDone(this.view);
      case 'signed':
        return this.renderSigned(this.view);
      case 'declined':
        return this.message('declined', this.t('signer.declined.title'), this.t('signer.declined.body'));
      case 'declined-other':
        return this.message('declined', this.t('signer.declinedOther.title'), this.t('signer.declinedOther.body'));
      case 'closed':
        return this.message(
          'closed',
          this.t('signer.closed.title'),
          this.t(this.view.envelope.status === 'voided' ? 'signer.closed.voided' : 'signer.closed.expired'),
          'alert',
        );
    }
  }

  private message(
    state: string,
    title: string,
    body: string,
    role: 'status' | 'alert' = 'status',
    extra: unknown = nothing,
  ): TemplateResult {
    return html`<section
      part="message"
      class="message"
      data-state=${state}
      role=${role}
      aria-live=${role === 'alert' ? 'assertive' : 'polite'}
    >
      <h2 class="message-title" tabindex="-1">${title}</h2>
      <p>${body}</p>
      ${extra}
    </section>`;
  }

  private renderSkeleton(): TemplateResult {
    return html`<section
      part="message"
      class="skeleton"
      data-state="loading"
      role="status"
      aria-live="polite"
      aria-busy="true"
    >
      <p class="skeleton-text">${this.t('signer.loading')}</p>
      <div class="skeleton-bar" aria-hidden="true"></div>
      <div class="skeleton-page" aria-hidden="true"></div>
    </section>`;
  }

  private renderFailure(failure: Failure): TemplateResult {
    switch (failure.kind) {
      case 'expired':
        return this.message('expired', this.t('signer.expired.title'), this.t('signer.expired.body'), 'alert');
      case 'invalid':
        return this.message('invalid', this.t('signer.invalid.title'), this.t('signer.invalid.body'), 'alert');
      case 'not-your-turn':
        return this.message('not-your-turn', this.t('signer.notYourTurn.title'), this.t('signer.notYourTurn.body'));
      case 'network':
      case 'unknown': {
        const retry = html`<button part="button primary" class="button primary" @click=${() => this.retry()}>
          ${this.t('signer.retry')}
        </button>`;
        return failure.kind === 'network'
          ? this.message('error', this.t('signer.error.title'), this.t('signer.error.body'), 'alert', retry)
          : this.message('error', this.t('signer.error.unknown.title'), failure.message, 'alert', retry);
      }
    }
  }

  private formatDate(iso: string | undefined): string | undefined {
    if (!iso) return undefined;
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return undefined;
    return new Intl.DateTimeFormat(this.effectiveLocale, { dateStyle: 'long', timeStyle: 'short' }).format(date);
  }

  private renderDownload(): unknown {
    switch (this.downloadState) {
      case 'ready':
        return html`<a
          part="button primary"
          class="button primary"
          href=${this.downloadUrl!}
          download=${this.downloadName}
          >${this.t('signer.download')}</a
        >`;
      case 'waiting':
        return html`<p class="muted">${this.t('signer.sealing')}</p>`;
      case 'later':
        return html`<p class="muted">${this.t('signer.sealPending')}</p>`;
      case 'failed':
        return html`<p class="error-text">${this.t('signer.downloadFailed')}</p>
          <button part="button" class="button" @click=${() => this.fetchSealed()}>${this.t('signer.retry')}</button>`;
      default:
        return nothing;
    }
  }

  private renderDone(view: SigningView): TemplateResult {
    return this.message(
      'done',
      this.t('signer.done.title', { name: view.recipient.name }),
      // Promise a mailed copy only when the server says it will send one.
      `${this.t('signer.done.body', { title: view.envelope.title })} ${
        view.notifications?.email === true
          ? this.t('signer.done.emailed', { email: view.recipient.email })
          : this.t('signer.done.downloadOnly')
      }`,
      'status',
      this.renderDownload(),
    );
  }

  private renderSigned(view: SigningView): TemplateResult {
    const at = this.formatDate(view.recipient.completedAt);
    const body = at
      ? this.t('signer.signed.on', { title: view.envelope.title, date: at })
      : this.t('signer.signed.body', { title: view.envelope.title });
    return this.message('signed', this.t('signer.signed.title'), body, 'status', this.renderDownload());
  }

  private renderPad(view: SigningView): TemplateResult {
    const required = this.requiredFields;
    const remaining = this.remaining.length;
    const done = required.length - remaining;
    const pages = view.document.pages;
    const sizes = this.pages.sizes;
    const fieldsByPage = new Map<number, SigningField[]>();
    for (const field of this.orderedFields) {
      const list = fieldsByPage.get(field.page) ?? [];
      list.push(field);
      fieldsByPage.set(field.page, list);
    }
    return html`
      <div part="toolbar" class="toolbar">
        <h2 class="title">${view.envelope.title}</h2>
        <p part="progress" class="progress" id="progress">
          ${required.length ? this.t('signer.progress', { done, total: required.length }) : this.t('signer.progressNone')}
        </p>
        <div
          class="zoom"
          role="group"
          aria-label=${this.t('signer.zoomLevel', { percent: Math.round(this.zoom * 100) })}
        >
          <button
            part="button"
            class="button icon"
            aria-label=${this.t('signer.zoomOut')}
            ?disabled=${this.zoom <= ZOOM_STEPS[0]!}
            @click=${() => this.setZoom(-1)}
          >
            −
          </button>
          <span class="zoom-level" aria-hidden="true">${Math.round(this.zoom * 100)}%</span>
          <button
            part="button"
            class="button icon"
            aria-label=${this.t('signer.zoomIn')}
            ?disabled=${this.zoom >= ZOOM_STEPS.at(-1)!}
            @click=${() => this.setZoom(1)}
          >
            +
          </button>
        </div>
        <button
          part="button next"
          class="button primary next"
          aria-describedby="progress"
          @click=${() => this.goToNextRequired()}
        >
          ${remaining ? this.t('signer.next') : this.t('signer.allDone')}
          ${remaining ? html`<span class="badge">${this.t('signer.nextCount', { count: remaining })}</span>` : nothing}
        </button>
      </div>
      ${
        this.saveError
          ? html`<div class="banner" role="alert">
              <span>${this.saveError}</span>
              <button part="button" class="button" @click=${() => this.retry()}>${this.t('signer.retry')}</button>
            </div>`
          : nothing
      }
      <div
        part="viewer"
        class="viewer"
        role="region"
        tabindex="0"
        aria-label=${this.t('signer.document', { title: view.envelope.title })}
      >
        ${
          this.pages.status === 'error'
            ? html`<div class="banner" role="alert">
                <span>${this.t('signer.documentFailed')}</span>
                <button part="button" class="button" @click=${() => this.reopenDocument()}>
                  ${this.t('signer.retry')}
                </button>
              </div>`
            : nothing
        }
        <div class="pages" style="width:${this.zoom * 100}%">
          ${repeat(
            Array.from({ length: pages }, (_, i) => i + 1),
            (n) => n,
            (n) => {
              const size = sizes[n - 1] ?? sizes[0] ?? { width: 612, height: 792 };
              return html`<div
                part="page"
                class="page"
                data-page=${n}
                role="group"
                aria-label=${this.t('signer.page', { page: n, pages })}
                style="aspect-ratio:${size.width} / ${size.height}"
              >
                <div class="overlay">${(fieldsByPage.get(n) ?? []).map((f) => this.renderField(f))}</div>
              </div>`;
            },
          )}
        </div>
      </div>
      ${this.renderActions(view)} ${this.renderSheet()} ${this.renderSignatureDialog()} ${this.renderDeclineDialog()}
    `;
  }

  private reopenDocument(): void {
    this.documentFor = undefined;
    this.openDocumentEarly();
  }

  private fieldLabel(field: SigningField): string {
    return field.label ?? this.t(`field.${field.type}`);
  }

  private describeField(field: SigningField, filled: boolean): string {
    return this.t('field.describe', {
      label: this.fieldLabel(field),
      required: this.t(field.required ? 'field.required' : 'field.optional'),
      state: this.t(filled ? 'field.filled' : 'field.empty'),
      page: field.page,
    });
  }

  private renderField(field: SigningField): TemplateResult {
    const value = this.currentValue(field);
    const filled = isFilled(field, value);
    const error = this.fieldErrors.get(field.id);
    const classes = [
      'field',
      `type-${field.type}`,
      filled ? 'filled' : field.required ? 'required' : 'optional',
      error ? 'invalid' : '',
    ].join(' ');
    const parts = [
      'field',
      `field-${field.type}`,
      filled ? 'field-filled' : field.required ? 'field-required' : '',
      error ? 'field-invalid' : '',
    ]
      .filter(Boolean)
      .join(' ');
    const errorId = `error-${field.id}`;
    const errorNote = error ? html`<span class="visually-hidden" id=${errorId}>${error}</span>` : nothing;
    if (field.readOnly) return this.renderReadOnly(field, value);
    if (this.guided && isEditable(field)) return this.renderGuidedField(field, value, filled, parts, classes, error);
    switch (field.type) {
      case 'signature':
      case 'initials': {
        const content =
          typeof value === 'object' && value
            ? value.kind === 'drawn'
              ? html`<img src=${value.image} alt="" />`
              : html`<span class="typed" style="--chars:${Math.max(value.text.length, 4)}">${value.text}</span>`
            : html`<span class="cta">${this.t(field.type === 'signature' ? 'field.sign' : 'field.initial')}</span>`;
        return html`<button
            part=${parts}
            class=${classes}
            style=${placement(field)}
            data-field-id=${field.id}
            aria-invalid=${error ? 'true' : 'false'}
            aria-describedby=${error ? errorId : nothing}
            @click=${() => this.openSignature(field)}
          >
            ${content}<span class="visually-hidden">, ${this.describeField(field, filled)}</span>${
              field.required && !filled ? html`<span class="star" aria-hidden="true">*</span>` : nothing
            }</button
          >${errorNote}`;
      }
      case 'text': {
        const kind = field.validation?.kind;
        return html`<label part=${parts} class=${classes} style=${placement(field)} data-field-id=${field.id}>
            <span class="visually-hidden">${this.fieldLabel(field)}</span>
            <input
              type=${kind === 'email' ? 'email' : kind === 'phone' ? 'tel' : 'text'}
              inputmode=${(kind && INPUT_MODES[kind]) || nothing}
              .value=${typeof value === 'string' ? value : ''}
              placeholder=${this.fieldLabel(field)}
              ?required=${field.required}
              aria-invalid=${error ? 'true' : 'false'}
              aria-describedby=${error ? errorId : nothing}
              autocomplete="off"
              @input=${(e: Event) => this.setValue(field, (e.target as HTMLInputElement).value, false)}
              @change=${(e: Event) => this.setValue(field, (e.target as HTMLInputElement).value, true)}
              @blur=${() => this.onTextBlur(field)} /></label
          >${
            error
              ? html`<span
                  part="field-message"
                  class="field-message ${field.y + field.height > 0.9 ? 'above' : ''}"
                  id=${errorId}
                  style=${messagePlacement(field)}
                  >${error}</span
                >`
              : nothing
          }`;
      }
      case 'checkbox':
        return html`<label part=${parts} class=${classes} style=${placement(field)} data-field-id=${field.id}>
          <input
            type="checkbox"
            .checked=${value === true}
            ?required=${field.required}
            aria-label=${this.fieldLabel(field)}
            aria-invalid=${error ? 'true' : 'false'}
            aria-describedby=${error ? errorId : nothing}
            @change=${(e: Event) => this.setValue(field, (e.target as HTMLInputElement).checked, true)}
          />${errorNote}
        </label>`;
      case 'date_signed':
        return html`<span part=${parts} class=${classes} style=${placement(field)} data-field-id=${field.id}>
          <span class="date-text"
            >${
              typeof value === 'string' && value
                ? new Intl.DateTimeFormat(this.effectiveLocale, { dateStyle: 'medium' }).format(new Date(value))
                : this.t('field.dateOnFinish')
            }</span
          >
        </span>`;
    }
  }

  /** A value the agent set: plain text in the field, named as read-only, never an input. */
  private renderReadOnly(field: SigningField, value: FieldValue | undefined): TemplateResult {
    const text =
      typeof value === 'string'
        ? value
        : typeof value === 'object' && value
          ? value.kind === 'typed'
            ? value.text
            : ''
          : value === true
            ? '✓'
            : '';
    return html`<span
      part="field field-${field.type} field-readonly"
      class="field type-${field.type} readonly"
      style=${placement(field)}
      data-field-id=${field.id}
      title=${this.t('signer.readOnlyHint')}
      ><span class="visually-hidden">${this.fieldLabel(field)} (${this.t('signer.readOnly')}): </span
      ><span class="readonly-value">${text}</span
      ><svg class="lock" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        <path
          fill="currentColor"
          d="M5 7V5a3 3 0 0 1 6 0v2h1a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h1zm1.5 0h3V5a1.5 1.5 0 0 0-3 0v2z"
        /></svg
    ></span>`;
  }

  /**
   * On a narrow element every field is a button that opens the editor sheet: the field may be
   * drawn a few pixels high, its hit area (::before) and the sheet's controls are full size.
   */
  private renderGuidedField(
    field: SigningField,
    value: FieldValue | undefined,
    filled: boolean,
    parts: string,
    classes: string,
    error: string | undefined,
  ): TemplateResult {
    const errorId = `error-${field.id}`;
    let content: unknown;
    if (field.type === 'text') content = typeof value === 'string' && value ? value : this.fieldLabel(field);
    else if (field.type === 'checkbox') content = value === true ? '✓' : '';
    else if (typeof value === 'object' && value)
      content =
        value.kind === 'drawn'
          ? html`<img src=${value.image} alt="" />`
          : html`<span class="typed" style="--chars:${Math.max(value.text.length, 4)}">${value.text}</span>`;
    else
      content = html`<span class="cta">${this.t(field.type === 'signature' ? 'field.sign' : 'field.initial')}</span>`;
    return html`<button
        type="button"
        part=${parts}
        class="${classes} guided"
        style=${placement(field)}
        data-field-id=${field.id}
        aria-haspopup="dialog"
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${error ? errorId : nothing}
        @click=${() => this.openSheet(field)}
      >
        <span class="guided-value" aria-hidden="true">${content}</span
        ><span class="visually-hidden"
          >${this.t('sheet.editField', { label: this.describeField(field, filled) })}</span
        ></button
      >${error ? html`<span class="visually-hidden" id=${errorId}>${error}</span>` : nothing}`;
  }

  private renderSheet(): TemplateResult {
    const field = this.sheetField;
    const list = this.sheetFields;
    const index = field ? list.findIndex((f) => f.id === field.id) : -1;
    return html`<dialog
      part="sheet"
      class="dialog sheet"
      aria-labelledby="sheet-title"
      aria-describedby="sheet-position"
      @close=${this.onSheetClosed}
      @keydown=${this.onSheetKey}
    >
      ${field ? this.renderSheetBody(field, index, list.length) : nothing}
    </dialog>`;
  }

  private renderSheetBody(field: SigningField, index: number, count: number): TemplateResult {
    const value = this.currentValue(field);
    const error = this.fieldErrors.get(field.id);
    const label = this.fieldLabel(field);
    let editor: TemplateResult;
    if (field.type === 'text') {
      const kind = field.validation?.kind;
      editor = html`<label class="stack sheet-label" for="sheet-input">${label}</label>
        <input
          id="sheet-input"
          class="sheet-input"
          type=${kind === 'email' ? 'email' : kind === 'phone' ? 'tel' : 'text'}
          inputmode=${(kind && INPUT_MODES[kind]) || nothing}
          autocomplete="off"
          .value=${typeof value === 'string' ? value : ''}
          ?required=${field.required}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${error ? 'sheet-error' : nothing}
          @input=${(e: Event) => this.setValue(field, (e.target as HTMLInputElement).value, false)}
          @change=${(e: Event) => this.setValue(field, (e.target as HTMLInputElement).value, true)}
          @blur=${() => this.onTextBlur(field)}
        />`;
    } else if (field.type === 'checkbox') {
      editor = html`<label class="check sheet-check">
        <input
          id="sheet-input"
          type="checkbox"
          .checked=${value === true}
          ?required=${field.required}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${error ? 'sheet-error' : nothing}
          @change=${(e: Event) => this.setValue(field, (e.target as HTMLInputElement).checked, true)}
        /><span>${label}</span>
      </label>`;
    } else {
      const has = typeof value === 'object' && value !== null;
      editor = html`${
          has
            ? html`<div class="preview sheet-preview" role="img" aria-label=${this.t('dialog.preview')}>
                ${
                  value.kind === 'drawn'
                    ? html`<img src=${value.image} alt="" />`
                    : html`<span aria-hidden="true">${value.text}</span>`
                }
              </div>`
            : nothing
        }
        <button
          type="button"
          part="button primary"
          class="button primary sheet-sign"
          aria-describedby=${error ? 'sheet-error' : nothing}
          @click=${() => this.openSignature(field)}
        >
          ${has ? this.t('sheet.change') : this.t(field.type === 'initials' ? 'sheet.initial' : 'sheet.sign')}
        </button>`;
    }
    return html`<div class="dialog-body sheet-body">
      <h2 id="sheet-title">${this.t('sheet.title', { label })}</h2>
      <p id="sheet-position" class="muted">
        ${this.t('sheet.position', {
          index: index + 1,
          count,
          required: this.t(field.required ? 'field.required' : 'field.optional'),
        })}
      </p>
      ${editor} ${error ? html`<p id="sheet-error" class="error-text" role="alert">${error}</p>` : nothing}
      <div class="sheet-nav">
        <button
          type="button"
          part="button"
          class="button sheet-prev"
          ?disabled=${index <= 0}
          @click=${() => this.stepSheet(-1)}
        >
          ${this.t('sheet.previous')}
        </button>
        <button
          type="button"
          part="button"
          class="button sheet-next"
          ?disabled=${index >= count - 1}
          @click=${() => this.stepSheet(1)}
        >
          ${this.t('sheet.next')}
        </button>
        <button type="button" part="button primary" class="button primary sheet-done" @click=${this.closeSheet}>
          ${this.t('sheet.done')}
        </button>
      </div>
    </div>`;
  }

  private renderActions(view: SigningView): TemplateResult {
    const accepted = view.consent.accepted;
    return html`<div part="actions" class="actions">
      <section part="consent" class="consent ${this.consentError ? 'invalid' : ''}" aria-labelledby="consent-heading">
        <details ?open=${!accepted}>
          <summary id="consent-heading">${this.t('signer.consent.heading')}</summary>
          <div
            class="consent-text"
            tabindex="0"
            role="document"
            aria-labelledby="consent-heading"
            .textContent=${view.consent.text}
          ></div>
        </details>
        <label class="check">
          <input
            id="consent"
            type="checkbox"
            .checked=${this.consentChecked}
            ?disabled=${accepted}
            aria-invalid=${this.consentError ? 'true' : 'false'}
            aria-describedby=${this.consentError ? 'consent-error' : nothing}
            @change=${this.onConsentChange}
          />
          <span>${this.t('signer.consent.agree')}</span>
        </label>
        ${
          this.consentError
            ? html`<p class="error-text" id="consent-error" role="alert">${this.t('signer.consent.required')}</p>`
            : nothing
        }
      </section>
      ${
        this.missing.length
          ? html`<div part="missing" class="missing" role="alert">
              <p class="missing-title" tabindex="-1">
                ${
                  this.missing.every((m) => m.format)
                    ? this.t('signer.fix')
                    : this.t('signer.missingAll', { count: this.missing.length })
                }
              </p>
              <ul>
                ${this.missing.map(
                  (m) =>
                    html`<li>
                      ${
                        m.fieldId
                          ? html`<button
                              type="button"
                              class="link missing-item"
                              @click=${() => this.focusField(m.fieldId!)}
                            >
                              ${m.message}
                            </button>`
                          : m.consent
                            ? html`<button type="button" class="link missing-item" @click=${this.focusConsent}>
                                ${m.message}
                              </button>`
                            : m.message
                      }
                    </li>`,
                )}
              </ul>
            </div>`
          : nothing
      }
      <div class="buttons">
        <button part="button danger" class="button danger" ?disabled=${!!this.busy} @click=${this.openDecline}>
          ${this.t('signer.decline')}
        </button>
        <button
          part="button primary"
          class="button primary finish"
          ?disabled=${!!this.busy}
          aria-busy=${this.busy === 'finish' ? 'true' : 'false'}
          @click=${this.finish}
        >
          ${this.busy === 'finish' ? this.t('signer.finishing') : this.t('signer.finish')}
        </button>
      </div>
    </div>`;
  }

  private renderSignatureDialog(): TemplateResult {
    const field = this.dialogField;
    const initials = field?.type === 'initials';
    const title = this.t(initials ? 'dialog.initials.title' : 'dialog.signature.title');
    return html`<dialog
      part="dialog"
      class="dialog signature"
      aria-labelledby="sig-title"
      @close=${this.onSignatureClosed}
    >
      ${
        field
          ? html`<form class="dialog-body" @submit=${this.adopt}>
              <h2 id="sig-title">${title}</h2>
              <div class="tabs" role="tablist" aria-label=${title} @keydown=${this.onTabKey}>
                ${(['draw', 'type'] as const).map(
                  (tab) =>
                    html`<button
                      type="button"
                      role="tab"
                      class="tab"
                      id="tab-${tab}"
                      aria-controls="panel-${tab}"
                      aria-selected=${this.dialogTab === tab ? 'true' : 'false'}
                      tabindex=${this.dialogTab === tab ? 0 : -1}
                      @click=${() => this.selectTab(tab)}
                    >
                      ${this.t(`dialog.${tab}`)}
                    </button>`,
                )}
              </div>
              <div role="tabpanel" id="panel-draw" aria-labelledby="tab-draw" ?hidden=${this.dialogTab !== 'draw'}>
                <canvas
                  part="signature-canvas"
                  class="draw ${initials ? 'initials' : ''}"
                  role="img"
                  aria-label=${this.t('dialog.drawArea')}
                ></canvas>
                <p class="hint" aria-hidden="true">${this.t('dialog.drawHint')}</p>
                <div class="row">
                  <button
                    type="button"
                    part="button"
                    class="button"
                    ?disabled=${this.capture.empty}
                    @click=${() => this.capture.clear()}
                  >
                    ${this.t('dialog.clear')}
                  </button>
                  <button
                    type="button"
                    part="button"
                    class="button"
                    ?disabled=${!this.capture.strokes}
                    @click=${() => this.capture.undo()}
                  >
                    ${this.t('dialog.undo')}
                  </button>
                </div>
              </div>
              <div role="tabpanel" id="panel-type" aria-labelledby="tab-type" ?hidden=${this.dialogTab !== 'type'}>
                <label class="stack">
                  <span>${this.t(initials ? 'dialog.typeInitialsLabel' : 'dialog.typeLabel')}</span>
                  <input
                    id="typed-name"
                    type="text"
                    autocomplete=${initials ? 'off' : 'name'}
                    .value=${this.typedName}
                    @input=${(e: Event) => (this.typedName = (e.target as HTMLInputElement).value)}
                  />
                </label>
                <div class="preview" aria-label=${this.t('dialog.preview')} role="img">
                  <span aria-hidden="true">${this.typedName}</span>
                </div>
              </div>
              <p class="legal">${this.t('dialog.legal')}</p>
              <div class="row end">
                <button type="button" part="button" class="button" @click=${() => this.signatureDialog?.close()}>
                  ${this.t('dialog.cancel')}
                </button>
                <button type="submit" part="button primary" class="button primary adopt" ?disabled=${!this.canAdopt}>
                  ${this.t('dialog.adopt')}
                </button>
              </div>
            </form>`
          : nothing
      }
    </dialog>`;
  }

  private renderDeclineDialog(): TemplateResult {
    return html`<dialog part="dialog" class="dialog decline" aria-labelledby="decline-title">
      <form class="dialog-body" novalidate @submit=${this.submitDecline}>
        <h2 id="decline-title">${this.t('decline.title')}</h2>
        <p>${this.t('decline.body')}</p>
        <label class="stack">
          <span>${this.t('decline.reason')}</span>
          <textarea
            id="decline-reason"
            rows="3"
            required
            aria-invalid=${this.declineError ? 'true' : 'false'}
            aria-describedby=${this.declineError ? 'decline-error' : nothing}
          ></textarea>
        </label>
        ${
          this.declineError
            ? html`<p class="error-text" id="decline-error" role="alert">${this.t('decline.reasonRequired')}</p>`
            : nothing
        }
        <div class="row end">
          <button type="button" part="button" class="button" @click=${() => this.declineDialog?.close()}>
            ${this.t('dialog.cancel')}
          </button>
          <button type="submit" part="button danger" class="button danger" ?disabled=${this.busy === 'decline'}>
            ${this.t('decline.confirm')}
          </button>
        </div>
      </form>
    </dialog>`;
  }
}
