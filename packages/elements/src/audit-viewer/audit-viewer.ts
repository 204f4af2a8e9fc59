import { visuallyHidden } from '../internal/styles.ts';
import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { Task, TaskStatus } from '@lit/task';
import { verifyAuditChain, type AuditEvent, type ChainVerification } from '@countersign/core';
import { CsConnectedElement } from '../internal/connected.ts';
import { translatePlural } from '../internal/localize.ts';
import type { CsErrorDetail } from '../internal/cs-element.ts';
import { toErrorDetail } from '../internal/error-code.ts';
import { actorLabel, describeEvent, enteredValue, isolate, recipientNames } from './describe-event.ts';
import { summarizeUserAgent } from './user-agent.ts';
import { auditViewerStyles } from './audit-viewer.styles.ts';
import './audit-viewer.strings.ts';

/** `detail` of `cs-verified`: the result of the in-browser check of the hash chain. */
export interface VerifiedDetail {
  valid: boolean;
  /** seq of the first event that breaks the chain. */
  brokenAt?: number;
  reason?: ChainVerification['reason'];
  headHash: string;
  count: number;
}

declare module '../internal/cs-element.ts' {
  interface CsEventMap {
    'cs-verified': VerifiedDetail;
  }
}

/** What the server said about the chain, when the events came from it. */
interface ServerVerdict {
  valid: boolean;
  brokenAt?: number;
}

interface Evidence {
  events: AuditEvent[];
  verification: ChainVerification;
  server?: ServerVerdict;
}

/** Thrown for an `events` value that is not a list of audit events. */
class InvalidEvidenceError extends Error {
  override name = 'InvalidEvidenceError';
}

/** What the viewer shows. */
export type AuditViewerState = 'loading' | 'empty' | 'verified' | 'broken' | 'error';

/**
 * @summary An envelope's audit trail as a readable timeline, with its hash chain verified in
 *   the browser (WebCrypto), whatever the server says.
 *
 * Give it `envelope-id` (with `server` and `token`, or an enclosing `<cs-provider>`) to load
 * the trail from the server, or set the `events` property to show offline evidence such as a
 * JSON export. Assign a new array to `events` to show other events.
 *
 * @csspart base - The frame around everything.
 * @csspart header - The title row with the download button.
 * @csspart title - The "Audit trail" heading.
 * @csspart download - The "Download evidence (JSON)" button.
 * @csspart banner - The verification result ("Verified: …" or "Broken at event N").
 * @csspart server-verdict - The note shown when the server's verdict differs from the browser's.
 * @csspart list - The ordered list of events.
 * @csspart event - One event of the list; the one that breaks the chain also has the part `broken`.
 * @csspart broken - The event that breaks the chain.
 *
 * @cssprop [--cs-audit-viewer-font-family=system-ui] - Font family (falls back to `--cs-font-family`).
 * @cssprop [--cs-audit-viewer-font-size=0.9375rem] - Base font size.
 * @cssprop [--cs-audit-viewer-mono-font-family=ui-monospace] - Font of hashes.
 * @cssprop [--cs-audit-viewer-color=#1f2328] - Text colour.
 * @cssprop [--cs-audit-viewer-muted-color=#555c66] - Colour of secondary text (labels, times).
 * @cssprop [--cs-audit-viewer-background=#ffffff] - Background.
 * @cssprop [--cs-audit-viewer-border-color=#d4d8de] - Borders and the timeline's line.
 * @cssprop [--cs-audit-viewer-radius=8px] - Corner radius (falls back to `--cs-radius`).
 * @cssprop [--cs-audit-viewer-padding=1rem 1.25rem] - Inner spacing of the frame.
 * @cssprop [--cs-audit-viewer-accent-color=#1a56c4] - Timeline dots and the download button
 *   (falls back to `--cs-accent-color`).
 * @cssprop [--cs-audit-viewer-success-color=#0d5a2c] - Text of the "Verified" banner.
 * @cssprop [--cs-audit-viewer-success-background=#e1f4e7] - Background of the "Verified" banner.
 * @cssprop [--cs-audit-viewer-danger-color=#962020] - Text of the "Broken" banner and the broken event.
 * @cssprop [--cs-audit-viewer-danger-background=#fce7e7] - Background of the "Broken" banner and event.
 * @cssprop [--cs-audit-viewer-max-height=none] - Makes the list scroll beyond this height.
 * @cssprop [--cs-audit-viewer-label-width=9.5rem] - Width of the labels column (By, IP address, …).
 * @cssprop [--cs-focus-ring-color=#1a56c4] - Focus outline.
 *
 * @event {CustomEvent<VerifiedDetail>} cs-verified - The chain was checked in the browser.
 * @event {CustomEvent<CsErrorDetail>} cs-error - The trail could not be loaded (`unauthorized`,
 *   `forbidden`, `not-found`, `network`, `server`) or `events` was not a list of audit events
 *   (`invalid-evidence`).
 */
export class CsAuditViewer extends CsConnectedElement {
  static override styles = [visuallyHidden, auditViewerStyles];

  /** Id of the envelope whose audit trail to load from the server. */
  @property({ attribute: 'envelope-id' }) envelopeId?: string;

  /** Audit events to show instead of loading them (offline evidence, e.g. a JSON export). */
  @property({ attribute: false }) events?: AuditEvent[];

  /**
   * The envelope's fields (`{id, label}` is enough), to name a field by its label in events
   * that carry only its id (trails recorded before events held labels).
   */
  @property({ attribute: false }) fields?: ReadonlyArray<{ id: string; label?: string }>;

  @state() private _announcement = '';

  #lastReported?: unknown;
  #announceTimer?: ReturnType<typeof setTimeout>;

  #task = new Task(this, {
    args: () => [this.events, this.envelopeId, this.effectiveServer, this.effectiveToken] as const,
    task: async ([events, envelopeId], { signal }): Promise<Evidence> => {
      if (events !== undefined) {
        if (!Array.isArray(events) || events.some((e) => !e || typeof e !== 'object')) {
          throw new InvalidEvidenceError('Expected an array of audit events.');
        }
        return { events, verification: await verifyAuditChain(events) };
      }
      const client = this.client;
      if (!client || !envelopeId)
        throw new InvalidEvidenceError('Give either `events` or `envelope-id` with a server and token.');
      const trail = await client.getAudit(envelopeId, signal);
      const verification = await verifyAuditChain(trail.events);
      return {
        events: trail.events,
        verification,
        server: { valid: trail.valid, ...(trail.brokenAt !== undefined ? { brokenAt: trail.brokenAt } : {}) },
      };
    },
  });

  /** What the viewer shows now. */
  get state(): AuditViewerState {
    const value = this.#task.value;
    switch (this.#task.status) {
      case TaskStatus.COMPLETE:
        return value!.events.length === 0 ? 'empty' : value!.verification.valid ? 'verified' : 'broken';
      case TaskStatus.ERROR:
        return this.#isWaiting() ? 'loading' : 'error';
      default:
        return 'loading';
    }
  }

  /** The result of the last in-browser verification, once done. */
  get verification(): ChainVerification | undefined {
    return this.#task.status === TaskStatus.COMPLETE ? this.#task.value?.verification : undefined;
  }

  /** The evidence as the download button exports it. */
  exportEvidence(): {
    format: 'countersign.audit-trail/1';
    envelopeId?: string;
    exportedAt: string;
    verification?: VerifiedDetail;
    events: AuditEvent[];
  } {
    const value = this.#task.status === TaskStatus.COMPLETE ? this.#task.value : undefined;
    return {
      format: 'countersign.audit-trail/1',
      ...(this.envelopeId ? { envelopeId: this.envelopeId } : {}),
      exportedAt: new Date().toISOString(),
      ...(value ? { verification: toDetail(value) } : {}),
      events: value?.events ?? [],
    };
  }

  /** Loads the trail again from the server. */
  reload(): Promise<unknown> {
    return this.#task.run();
  }

  // Waiting for configuration (an enclosing provider, an id) is not an error to show.
  #isWaiting(): boolean {
    return this.#task.error instanceof InvalidEvidenceError && this.events === undefined;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#announceTimer);
  }

  protected override updated(): void {
    const status = this.#task.status;
    if (status === TaskStatus.COMPLETE && this.#task.value !== this.#lastReported) {
      const value = this.#task.value!;
      this.#lastReported = value;
      if (!value.verification.valid) {
        const broken = this.renderRoot.querySelector<HTMLElement>('.event.broken');
        broken?.scrollIntoView({ block: 'center' });
      }
      this.emit('cs-verified', toDetail(value));
    } else if (status === TaskStatus.ERROR && this.#task.error !== this.#lastReported && !this.#isWaiting()) {
      this.#lastReported = this.#task.error;
      this.emit('cs-error', this.#errorDetail(this.#task.error));
    }
  }

  #errorDetail(error: unknown): CsErrorDetail {
    if (error instanceof InvalidEvidenceError) return { code: 'invalid-evidence', message: error.message };
    return toErrorDetail(error);
  }

  #download(): void {
    const blob = new Blob([JSON.stringify(this.exportEvidence(), null, 2)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = `countersign-audit-${(this.envelopeId ?? 'evidence').replace(/[^\w.-]+/g, '_')}.json`;
    link.rel = 'noopener';
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  async #copy(value: string): Promise<void> {
    let copied = false;
    try {
      await navigator.clipboard.writeText(value);
      copied = true;
    } catch {
      // Clipboard API refused (insecure context, no permission): the old way still works.
      const area = document.createElement('textarea');
      area.value = value;
      area.setAttribute('readonly', '');
      area.style.cssText = 'position:fixed;opacity:0;pointer-events:none';
      this.renderRoot.append(area);
      area.select();
      copied = document.execCommand('copy');
      area.remove();
    }
    if (copied) this.#announce(this.t('auditViewer.copied'));
  }

  #announce(message: string): void {
    this._announcement = message;
    clearTimeout(this.#announceTimer);
    this.#announceTimer = setTimeout(() => (this._announcement = ''), 2500);
  }

  #formatDate(iso: string): string {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    return dateFormat(this.effectiveLocale).format(date);
  }

  override render() {
    const complete = this.#task.status === TaskStatus.COMPLETE;
    const state = this.state;
    return html`<section part="base" class="viewer" aria-labelledby="title" aria-busy=${state === 'loading'}>
      <div part="header" class="header">
        <h2 id="title" part="title">${this.t('auditViewer.title')}</h2>
        ${
          complete
            ? html`<button part="download" class="download" type="button" @click=${this.#download}>
                ${this.t('auditViewer.download')}
              </button>`
            : nothing
        }
      </div>
      <div part="banner" class="banner" role="status" data-state=${state}>${this.#renderBanner(state)}</div>
      ${this.#task.render({
        complete: (value) => this.#renderEvidence(value),
        error: () =>
          this.#isWaiting()
            ? nothing
            : html`<button class="retry" type="button" @click=${() => this.reload()}>
                ${this.t('auditViewer.retry')}
              </button>`,
      })}
      <span class="visually-hidden" role="status">${this._announcement}</span>
    </section>`;
  }

  #renderBanner(state: AuditViewerState): TemplateResult | string {
    const value = this.#task.value;
    switch (state) {
      case 'loading':
        return this.t('auditViewer.loading');
      case 'empty':
        return this.t('auditViewer.empty');
      case 'error': {
        const detail = this.#errorDetail(this.#task.error);
        const text = this.t(`auditViewer.error.${detail.code}`);
        return text === `auditViewer.error.${detail.code}` ? detail.message : text;
      }
      case 'verified': {
        const { verification, events } = value!;
        const head = verification.headHash;
        const summary = translatePlural(this.effectiveLocale, 'auditViewer.verified', events.length, {
          head: shortHash(head),
        });
        return html`<strong title=${head}>${summary}</strong>
          <p>${this.t('auditViewer.verifiedHow')}${this.#copyButton(head, this.t('auditViewer.copyHeadLabel'))}</p>`;
      }
      case 'broken': {
        const { verification } = value!;
        return html`<strong>${this.t('auditViewer.broken', { seq: verification.brokenAt ?? '?' })}</strong>
          <p>${this.t(`auditViewer.broken.${verification.reason}`)}</p>`;
      }
    }
  }

  #renderEvidence({ events, verification, server }: Evidence) {
    if (events.length === 0) return nothing;
    const names = recipientNames(events);
    const labels = new Map<string, string>();
    for (const f of this.fields ?? []) if (f.label) labels.set(f.id, f.label);
    const t = this.t.bind(this);
    return html`${this.#renderServerVerdict(verification, server)}
      <ol part="list" aria-labelledby="title">
        ${events.map((event, index) => {
          const broken = verification.brokenIndex === index;
          const afterBreak = verification.brokenIndex !== undefined && index > verification.brokenIndex;
          return html`<li
            part=${broken ? 'event broken' : 'event'}
            class="event ${broken ? 'broken' : ''} ${afterBreak ? 'after-break' : ''}"
            data-seq=${String(event.seq)}
          >
            <div class="body">
              <h3>
                <span class="seq">${event.seq}<span class="visually-hidden">.</span></span>
                ${describeEvent(event, t, names, labels)}
              </h3>
              ${
                broken
                  ? html`<p class="breaks-here">
                      ${this.t('auditViewer.breaksHere')} ${this.t(`auditViewer.broken.${verification.reason}`)}
                    </p>`
                  : nothing
              }
              <time datetime=${event.at} title=${event.at}>${this.#formatDate(event.at)}</time>
              ${this.#renderFacts(event)}
            </div>
          </li>`;
        })}
      </ol>`;
  }

  #renderServerVerdict(local: ChainVerification, server?: ServerVerdict) {
    if (!server) return nothing;
    const agrees =
      server.valid === local.valid &&
      (local.valid || server.brokenAt === undefined || server.brokenAt === local.brokenAt);
    if (agrees) return nothing;
    const text = server.valid
      ? this.t('auditViewer.serverIntact')
      : server.brokenAt !== undefined
        ? this.t('auditViewer.serverBroken', { seq: server.brokenAt })
        : this.t('auditViewer.serverBrokenNoSeq');
    return html`<p part="server-verdict" class="note">${text}</p>`;
  }

  #renderFacts(event: AuditEvent) {
    const t = this.t.bind(this);
    const facts: TemplateResult[] = [];
    const fact = (label: string, value: unknown) =>
      facts.push(
        html`<div>
          <dt>${label}</dt>
          <dd>${value}</dd>
        </div>`,
      );
    const actor = event.actor;
    const who = actorLabel(actor, t);
    const email = actor?.email && actor.email !== who ? html` <bdi>&lt;${actor.email}&gt;</bdi>` : nothing;
    fact(
      t('auditViewer.field.actor'),
      html`<bdi>${who}</bdi>${email}${actor?.role ? html` · <bdi>${actor.role}</bdi>` : nothing}`,
    );
    if (event.ip) fact(t('auditViewer.field.ip'), event.ip);
    if (event.userAgent) {
      const { browser, os } = summarizeUserAgent(event.userAgent);
      const device =
        browser && os ? t('auditViewer.device', { browser, os }) : (browser ?? os ?? t('auditViewer.unknownDevice'));
      fact(t('auditViewer.field.device'), html`<span title=${event.userAgent}>${device}</span>`);
    }
    if (event.authMethod) {
      const key = `auditViewer.auth.${event.authMethod}`;
      const label = t(key);
      fact(t('auditViewer.field.auth'), label === key ? event.authMethod : label);
    }
    if (event.documentSha256) {
      fact(
        t('auditViewer.field.document'),
        html`<code title=${event.documentSha256}>${shortHash(event.documentSha256)}</code>${this.#copyButton(
            event.documentSha256,
            t('auditViewer.copyLabel', { seq: event.seq }),
          )}`,
      );
    }
    const entered = enteredValue(event);
    if (entered) {
      const label = t('auditViewer.field.entered');
      if (entered.kind === 'text') fact(label, html`<bdi class="entered">${entered.text}</bdi>`);
      else if (entered.kind === 'checkbox')
        fact(label, t(entered.checked ? 'auditViewer.entered.checked' : 'auditViewer.entered.unchecked'));
      else if (entered.kind === 'typed') fact(label, t('auditViewer.entered.typed', { text: isolate(entered.text) }));
      else
        fact(
          label,
          html`${t('auditViewer.entered.drawn')}
            <code class="image-hash" title=${entered.sha256}>${shortHash(entered.sha256)}</code>${this.#copyButton(
              entered.sha256,
              t('auditViewer.copyImageLabel', { seq: event.seq }),
            )}`,
        );
    }
    const reason = event.data?.['reason'];
    if (typeof reason === 'string' && reason) fact(t('auditViewer.field.reason'), reason);
    return html`<dl>${facts}</dl>`;
  }

  #copyButton(value: string, label: string) {
    return html`<button class="copy" type="button" aria-label=${label} title=${label} @click=${() => this.#copy(value)}>
      ${this.t('auditViewer.copy')}
    </button>`;
  }
}

function toDetail({ events, verification }: Evidence): VerifiedDetail {
  return {
    valid: verification.valid,
    ...(verification.brokenAt !== undefined ? { brokenAt: verification.brokenAt } : {}),
    ...(verification.reason ? { reason: verification.reason } : {}),
    headHash: verification.headHash,
    count: events.length,
  };
}

/** First and last 8 hex digits: enough to compare by eye, the full value is in the title. */
function shortHash(hash: string): string {
  return hash.length > 20 ? `${hash.slice(0, 8)}…${hash.slice(-8)}` : hash;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(locale: string): Intl.DateTimeFormat {
  let format = formats.get(locale);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'short',
    };
    try {
      format = new Intl.DateTimeFormat(locale, options);
    } catch {
      format = new Intl.DateTimeFormat('en', options);
    }
    formats.set(locale, format);
  }
  return format;
}
