import type { AuditEvent } from '@countersign/core';
import { sealPdf, type CertificateOfCompletion, type Stamp } from '../pdf/index.ts';
import type { EnvelopeRecord, RecipientRecord } from '../store/types.ts';
import { appendAudit } from './audit.ts';
import type { ServiceDeps } from './context.ts';
import { deviceOf } from './device.ts';
import { statusEvent } from './envelopes.ts';

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
        const png = await this.deps.blobs.get(v.imageSha256);
        if (png) stamps.push({ ...box, value: { kind: 'drawn', png } });
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

  async seal(envelopeId: string): Promise<void> {
    const e = await this.deps.store.envelopes.get(envelopeId);
    if (!e || e.status !== 'completed' || e.seal?.state === 'sealed') return;
    try {
      const original = await this.deps.blobs.get(e.documentSha256);
      if (!original) throw new Error('original document missing from the blob store');
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
          data: { sealedSha256: sha256, size, certificateHeadHash: certificate.auditHeadHash, ms },
        });
        return e;
      });
      if (done) this.deps.events.emit({ type: 'envelope.sealed', envelopeId, status: statusEvent(done) });
    } catch (err) {
      // Recorded, never silent: the envelope shows sealState "failed", the audit trail says when, and
      // resumePending() retries at the next start. The message stays internal (it may name paths).
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
        await appendAudit(e, now, { type: 'envelope.seal_failed', actor: { kind: 'system' }, data: { attempts } });
        return e;
      });
      if (failed) this.deps.events.emit({ type: 'envelope.seal_failed', envelopeId, status: statusEvent(failed) });
      throw err;
    }
  }
}
