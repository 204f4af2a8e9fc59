import type { AuditActor, AuditEvent, FieldPlacement } from '@countersign/core';
import { conflict, DomainError, notFound } from '../errors.ts';
import { normalizeSignaturePng } from '../pdf/image.ts';
import { sealPdf, type CertificateOfCompletion, type Stamp } from '../pdf/index.ts';
import type { EnvelopeRecord, RecipientRecord } from '../store/types.ts';
import { appendAudit } from './audit.ts';
import { requireRole } from './auth.ts';
import { staffActor, type ServiceDeps, type StaffPrincipal } from './context.ts';
import { deviceOf } from './device.ts';
import { statusEvent } from './envelopes.ts';

/** Why a seal failed, as the audit trail records it: a code, and a sentence that names no path or key. */
type SealFailureReason =
  'document_missing' | 'signature_image_missing' | 'signature_image_unreadable' | 'stamp_failed' | 'internal';

class SealFailure extends Error {
  constructor(
    readonly reason: SealFailureReason,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'SealFailure';
  }
}

/** What the audit trail and an admin are told; the error itself (paths, key names) goes to the log only. */
function failureOf(err: unknown): { reason: SealFailureReason; detail: string } {
  if (err instanceof SealFailure) return { reason: err.reason, detail: err.detail };
  if (err instanceof Error && err.name === 'StampError') {
    return { reason: 'stamp_failed', detail: 'A field value could not be placed on the document' };
  }
  return { reason: 'internal', detail: 'The server could not seal the document; the cause is in the server log' };
}

function fieldName(f: FieldPlacement): string {
  return `${f.type} ${f.label ? `"${f.label}"` : f.id} on page ${f.page}`;
}

/** Seals in progress, per running app (the app's and bootstrap's SealService share one TaskTracker). */
const running = new WeakMap<object, Map<string, Promise<void>>>();

const STEP_LABELS: Record<string, string> = {
  'signing_session.issued': 'Signing link issued',
  'envelope.opened': 'Opened',
  'document.viewed': 'Viewed the document',
  'consent.accepted': 'Accepted the electronic records disclosure',
  'recipient.completed': 'Completed',
  'recipient.declined': 'Declined',
};

function stepsOf(events: AuditEvent[], r: RecipientRecord): Array<{ label: string; at: string }> {
  return events
    .filter((ev) => STEP_LABELS[ev.type] && (ev.actor.id === r.id || ev.data?.recipientId === r.id))
    .map((ev) => ({ label: STEP_LABELS[ev.type]!, at: ev.at }));
}

function dateOnly(iso: string): string {
  return iso.slice(0, 10);
}

/** Stamps the values into the original, appends the certificate and PAdES-signs; runs in the background. */
export class SealService {
  constructor(private readonly deps: ServiceDeps) {}

  schedule(envelopeId: string): void {
    this.deps.tasks.run(() => this.seal(envelopeId));
  }

  /** Seals envelopes left completed but unsealed (crash between completion and seal). */
  async resumePending(): Promise<number> {
    const pending = (await this.deps.store.envelopes.list()).filter((s) => s.status === 'completed' && !s.sealed);
    for (const s of pending) this.schedule(s.id);
    return pending.length;
  }

  async #stamps(e: EnvelopeRecord): Promise<Stamp[]> {
    const stamps: Stamp[] = [];
    for (const f of e.fields) {
      const v = e.values[f.id];
      if (!v) continue;
      const box = { page: f.page, x: f.x, y: f.y, width: f.width, height: f.height, type: f.type };
      if (v.imageSha256) {
        // A signature is never left out of the sealed PDF in silence. The image is decoded again
        // within the signature pixel limit, so one stored before images were checked, or damaged
        // on disk since, fails here with its reason instead of deep in the PDF writer.
        const png = await this.deps.blobs.get(v.imageSha256);
        if (!png) throw new SealFailure('signature_image_missing', `The drawn ${fieldName(f)} is missing from storage`);
        const checked = await normalizeSignaturePng(png);
        if (typeof checked === 'string') {
          throw new SealFailure('signature_image_unreadable', `The drawn ${fieldName(f)} cannot be read: ${checked}`);
        }
        stamps.push({ ...box, value: { kind: 'drawn', png } });
      } else if (f.type === 'signature' || f.type === 'initials') {
        const typed = v.value as { kind: 'typed'; text: string };
        stamps.push({ ...box, value: { kind: 'typed', text: typed.text } });
      } else if (f.type === 'checkbox') {
        stamps.push({ ...box, value: { kind: 'checkbox', checked: v.value === true } });
      } else if (f.type === 'date_signed') {
        stamps.push({ ...box, value: { kind: 'text', text: dateOnly(String(v.value)) } });
      } else {
        stamps.push({ ...box, value: { kind: 'text', text: String(v.value) } });
      }
    }
    return stamps;
  }

  certificate(e: EnvelopeRecord): CertificateOfCompletion {
    const head = e.audit.at(-1);
    return {
      envelopeId: e.id,
      title: e.title,
      originalSha256: e.documentSha256,
      ...(e.attachments?.length
        ? {
            attachments: e.attachments.map(({ name, sha256, firstPage, pages }) => ({
              name,
              sha256,
              firstPage,
              pages,
            })),
          }
        : {}),
      completedAt: e.completedAt ?? e.updatedAt,
      auditHeadHash: head?.hash ?? '',
      auditEventCount: e.audit.length,
      consentVersion: this.deps.config.consentVersion,
      recipients: e.recipients.map((r) => {
        const out: CertificateOfCompletion['recipients'][number] = {
          name: r.name,
          email: r.email,
          role: r.role,
          action: r.action,
          status: r.status,
          authMethod: r.authMethod,
          steps: stepsOf(e.audit, r),
        };
        if (r.ip) out.ip = r.ip;
        if (r.userAgent) out.userAgent = r.userAgent;
        const device = deviceOf(r.userAgent);
        if (device) out.device = device;
        if (r.consent) out.consent = { version: r.consent.version, acceptedAt: r.consent.acceptedAt };
        return out;
      }),
    };
  }

  /**
   * Seals a completed envelope; rejects when it fails, after recording the failure. A seal already
   * running for the envelope is joined, not started twice.
   */
  seal(envelopeId: string, requestedBy?: AuditActor): Promise<void> {
    let inFlight = running.get(this.deps.tasks);
    if (!inFlight) running.set(this.deps.tasks, (inFlight = new Map()));
    const current = inFlight.get(envelopeId);
    if (current) return current;
    const map = inFlight;
    const p = this.#seal(envelopeId, requestedBy).finally(() => map.delete(envelopeId));
    map.set(envelopeId, p);
    return p;
  }

  /**
   * Admin: runs the seal again for a completed envelope that is not sealed and not being sealed
   * (after a failure, once its cause is fixed). Resolves to the sealed record; a new failure is
   * recorded like any other and answered as a 500 problem that gives its reason.
   */
  async retry(staff: StaffPrincipal, envelopeId: string): Promise<EnvelopeRecord> {
    requireRole(staff, ['admin']);
    const e = await this.deps.store.envelopes.get(envelopeId);
    if (!e) throw notFound('Envelope');
    if (e.status !== 'completed') throw conflict(`The envelope is ${e.status}; only a completed envelope is sealed`);
    if (e.seal?.state === 'sealed') throw conflict('The envelope is already sealed');
    if (running.get(this.deps.tasks)?.has(envelopeId)) {
      throw conflict('The envelope is being sealed now; wait for that attempt to finish');
    }
    try {
      await this.seal(envelopeId, staffActor(staff));
    } catch (err) {
      console.error(`[countersign] seal retry of ${envelopeId} failed:`, err);
      const after = await this.deps.store.envelopes.get(envelopeId);
      const attempts = after?.seal?.attempts;
      throw new DomainError(
        'internal',
        `Sealing failed again${attempts ? ` (attempt ${attempts})` : ''}: ${failureOf(err).detail}. ` +
          'The failure is in the audit trail; fix its cause and retry.',
      );
    }
    const sealed = await this.deps.store.envelopes.get(envelopeId);
    if (!sealed) throw notFound('Envelope');
    return sealed;
  }

  async #seal(envelopeId: string, requestedBy?: AuditActor): Promise<void> {
    const e = await this.deps.store.envelopes.get(envelopeId);
    if (!e || e.status !== 'completed' || e.seal?.state === 'sealed') return;
    const retry = requestedBy ? { requestedBy } : {};
    try {
      const original = await this.deps.blobs.get(e.documentSha256);
      if (!original) throw new SealFailure('document_missing', 'The document to seal is missing from storage');
      const started = performance.now();
      const certificate = this.certificate(e);
      const sealed = await sealPdf({
        original,
        stamps: await this.#stamps(e),
        certificate,
        signer: this.deps.signer,
        reason: `Countersign envelope ${e.id} completed`,
      });
      const { sha256, size } = await this.deps.blobs.put(sealed.bytes);
      const ms = Math.round(performance.now() - started);
      const done = await this.deps.store.envelopes.transact(envelopeId, async (e) => {
        if (e.seal?.state === 'sealed') return undefined;
        const now = this.deps.clock.now();
        e.seal = { state: 'sealed', sha256, size, at: now.toISOString() };
        e.completedAt ??= now.toISOString();
        await appendAudit(e, now, {
          type: 'envelope.sealed',
          actor: { kind: 'system' },
          documentSha256: e.documentSha256,
          data: { sealedSha256: sha256, size, certificateHeadHash: certificate.auditHeadHash, ms, ...retry },
        });
        return e;
      });
      if (done) this.deps.events.emit({ type: 'envelope.sealed', envelopeId, status: statusEvent(done) });
    } catch (err) {
      // Recorded, never silent: the envelope shows sealState "failed", the audit trail says when and
      // why in words that name no path or key, and resumePending() at the next start or an admin's
      // retry runs it again. The error itself stays internal (the record and the log).
      const { reason, detail } = failureOf(err);
      const failed = await this.deps.store.envelopes.transact(envelopeId, async (e) => {
        if (e.seal?.state === 'sealed') return undefined;
        const now = this.deps.clock.now();
        const attempts = (e.seal?.attempts ?? 0) + 1;
        e.seal = {
          state: 'failed',
          error: err instanceof Error ? err.message : String(err),
          at: now.toISOString(),
          attempts,
        };
        await appendAudit(e, now, {
          type: 'envelope.seal_failed',
          actor: { kind: 'system' },
          data: { attempts, reason, detail, ...retry },
        });
        return e;
      });
      if (failed) this.deps.events.emit({ type: 'envelope.seal_failed', envelopeId, status: statusEvent(failed) });
      throw err;
    }
  }
}
