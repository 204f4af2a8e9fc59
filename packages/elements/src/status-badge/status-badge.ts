import { visuallyHidden } from '../internal/styles.ts';
import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ApiError, CountersignClient, EnvelopeStatus, RecipientStatus } from '@countersign/core';
import { CsConnectedElement } from '../internal/connected.ts';
import type { CsErrorDetail } from '../internal/cs-element.ts';
import { isPermanent, toErrorDetail } from '../internal/error-code.ts';
import { statusBadgeStyles } from './status-badge.styles.ts';
import './status-badge.strings.ts';

/** `detail` of `cs-status-change`. */
export interface StatusChangeDetail {
  envelopeId: string;
  status: EnvelopeStatus;
  /** The status shown before, or null for the first status the badge learns. */
  previous: EnvelopeStatus | null;
}

declare module '../internal/cs-element.ts' {
  interface CsEventMap {
    'cs-status-change': StatusChangeDetail;
  }
}

/** What the badge shows: waiting for the first status, a status, or why it has none. */
export type StatusBadgeState = 'loading' | 'ready' | 'error';

type RecipientProgress = { id: string; status: RecipientStatus };

const DONE: ReadonlySet<RecipientStatus> = new Set(['signed', 'approved']);

/**
 * @summary An envelope's status as a compact pill, kept live over the server's event stream.
 *
 * Badges never open a connection each: every badge under one <cs-provider> (or, without one, on
 * the same page with the same server and token) shares one multiplexed stream
 * (`GET /api/v1/events`), which reconnects with backoff and `Last-Event-ID`.
 *
 * @csspart badge - The pill; it is the `role="status"` live region and carries the full
 *   description as its `title`.
 * @csspart label - The status text ("Completed").
 * @csspart progress - The "1/2 signed" counter shown with `show-progress`.
 *
 * @cssprop [--cs-status-badge-font-family=inherit] - Font family (falls back to `--cs-font-family`).
 * @cssprop [--cs-status-badge-font-size=0.8125rem] - Font size.
 * @cssprop [--cs-status-badge-font-weight=600] - Weight of the status text.
 * @cssprop [--cs-status-badge-padding=0.125em 0.625em] - Inner spacing of the pill.
 * @cssprop [--cs-status-badge-radius=999px] - Corner radius (falls back to `--cs-radius-pill`).
 * @cssprop [--cs-status-badge-border-width=1px] - Width of the pill's outline.
 * @cssprop [--cs-status-badge-draft-color=#3d434b] - Text colour for `draft`; each status
 *   (`draft`, `sent`, `completed`, `declined`, `voided`, `expired`) and the `loading` and `error`
 *   states have a `-color` and a `-background` property.
 * @cssprop [--cs-status-badge-draft-background=#eceef1] - Background for `draft`.
 * @cssprop [--cs-status-badge-sent-color=#0a4c96] - Text colour for `sent`.
 * @cssprop [--cs-status-badge-sent-background=#e5effb] - Background for `sent`.
 * @cssprop [--cs-status-badge-completed-color=#0d5a2c] - Text colour for `completed`.
 * @cssprop [--cs-status-badge-completed-background=#e1f4e7] - Background for `completed`.
 * @cssprop [--cs-status-badge-declined-color=#962020] - Text colour for `declined`.
 * @cssprop [--cs-status-badge-declined-background=#fce7e7] - Background for `declined`.
 * @cssprop [--cs-status-badge-voided-color=#474b52] - Text colour for `voided`.
 * @cssprop [--cs-status-badge-voided-background=#eeeeee] - Background for `voided`.
 * @cssprop [--cs-status-badge-expired-color=#6f4300] - Text colour for `expired`.
 * @cssprop [--cs-status-badge-expired-background=#fcefd9] - Background for `expired`.
 * @cssprop [--cs-status-badge-loading-color=#4b5058] - Text colour while loading.
 * @cssprop [--cs-status-badge-loading-background=#f3f4f6] - Background while loading.
 * @cssprop [--cs-status-badge-error-color=#962020] - Text colour when the status is unavailable.
 * @cssprop [--cs-status-badge-error-background=#ffffff] - Background when the status is unavailable.
 *
 * @event {CustomEvent<StatusChangeDetail>} cs-status-change - The status became known or changed.
 * @event {CustomEvent<CsErrorDetail>} cs-error - The status could not be loaded (`unauthorized`,
 *   `forbidden`, `not-found`, `network`, `server`).
 */
export class CsStatusBadge extends CsConnectedElement {
  static override styles = [visuallyHidden, statusBadgeStyles];

  /** Id of the envelope whose status to show. */
  @property({ attribute: 'envelope-id' }) envelopeId?: string;

  /** Also shows how many recipients have signed, e.g. "1/2 signed". */
  @property({ type: Boolean, attribute: 'show-progress' }) showProgress = false;

  @state() private _status?: EnvelopeStatus;
  @state() private _recipients: RecipientProgress[] = [];
  @state() private _error?: CsErrorDetail;

  /** Recipients known (from a plain GET) to only receive a copy: they never sign. */
  #viewers = new Set<string>();
  #unsubscribe?: () => void;
  #controller?: AbortController;
  #key?: string;

  /** The envelope's status, once known. */
  get status(): EnvelopeStatus | undefined {
    return this._status;
  }

  /** What the badge shows. */
  get state(): StatusBadgeState {
    return this._error ? 'error' : this._status ? 'ready' : 'loading';
  }

  /** The last error, while the badge is in the error state. */
  get error(): CsErrorDetail | undefined {
    return this._error;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stop();
    this.#key = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Reconnected after a move in the DOM: pick the stream up again.
    if (this.hasUpdated) this.requestUpdate();
  }

  protected override willUpdate(): void {
    const client = this.client;
    const stream = this.eventStream;
    const id = this.envelopeId;
    const key = client && stream && id ? `${client.server}\n${client.token}\n${id}` : '';
    if (key === this.#key) return;
    this.#key = key;
    this.#stop();
    this._status = undefined;
    this._recipients = [];
    this._error = undefined;
    this.#viewers.clear();
    if (!client || !stream || !id) return;
    const controller = new AbortController();
    this.#controller = controller;
    let fellBack = false;
    this.#unsubscribe = stream.subscribe(id, {
      status: (event) => {
        fellBack = false;
        this.#apply(id, event.status, event.recipients);
      },
      error: (error: ApiError, permanent: boolean) => {
        const detail = toErrorDetail(error);
        if (permanent) return this.#fail(detail);
        // The shared stream failed and is reconnecting: one plain GET keeps the badge truthful meanwhile.
        if (!fellBack) {
          fellBack = true;
          void this.#fetchOnce(client, id, controller.signal);
        } else if (!this._status) this.#fail(detail);
      },
    });
  }

  #stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#controller?.abort();
    this.#controller = undefined;
  }

  /** One GET of the envelope while the stream is down. */
  async #fetchOnce(client: CountersignClient, id: string, signal: AbortSignal): Promise<void> {
    try {
      const envelope = await client.getEnvelope(id, signal);
      if (signal.aborted) return;
      for (const r of envelope.recipients) if (r.action === 'view') this.#viewers.add(r.id);
      this.#apply(id, envelope.status, envelope.recipients);
    } catch (error) {
      if (signal.aborted) return;
      const detail = toErrorDetail(error);
      if (isPermanent(detail) || !this._status) this.#fail(detail);
    }
  }

  #apply(envelopeId: string, status: EnvelopeStatus, recipients: readonly RecipientProgress[]): void {
    const previous = this._status ?? null;
    this._status = status;
    this._recipients = recipients.map(({ id, status }) => ({ id, status }));
    this._error = undefined;
    if (status !== previous) this.emit('cs-status-change', { envelopeId, status, previous });
  }

  #fail(detail: CsErrorDetail): void {
    const first = !this._error;
    this._error = detail;
    if (first) this.emit('cs-error', detail);
  }

  #progress(): { done: number; total: number } | undefined {
    const signers = this._recipients.filter((r) => !this.#viewers.has(r.id));
    if (signers.length === 0) return undefined;
    return { done: signers.filter((r) => DONE.has(r.status)).length, total: signers.length };
  }

  override render() {
    const state = this.state;
    const progress = state === 'ready' ? this.#progress() : undefined;
    let label: string;
    let detail: string | undefined;
    if (state === 'error') {
      const code = this._error!.code;
      label = this.t(`statusBadge.error.${code}`);
      if (label === `statusBadge.error.${code}`) label = this.t('statusBadge.error');
      detail = this.t(`statusBadge.errorDetail.${code}`);
      if (detail === `statusBadge.errorDetail.${code}`) detail = this._error!.message;
    } else if (state === 'ready') {
      label = this.t(`statusBadge.status.${this._status}`);
      detail = progress && this.t('statusBadge.progressLong', progress);
    } else {
      label = this.t('statusBadge.loading');
    }
    const prefix = this.t('statusBadge.prefix');
    const description = `${prefix}: ${label}${detail ? ` — ${detail}` : ''}`;
    return html`<span
      part="badge"
      class="badge"
      role="status"
      aria-live="polite"
      aria-busy=${state === 'loading' ? 'true' : 'false'}
      data-state=${state}
      data-status=${this._status && state === 'ready' ? this._status : nothing}
      title=${description}
      ><span class="visually-hidden">${prefix}: </span><span part="label" class="label">${label}</span>${
        detail ? html`<span class="visually-hidden"> — ${detail}</span>` : nothing
      }${
        this.showProgress && progress
          ? html`<span part="progress" class="progress" aria-hidden="true"
              >${this.t('statusBadge.progress', progress)}</span
            >`
          : nothing
      }</span
    >`;
  }
}
