import { validateFieldValue } from '@countersign/core';
import type { AuditActor, FieldPlacement, FieldValue, SigningField, SigningView } from '@countersign/core';
import { conflict, DomainError, forbidden, invalid, notFound, type ProblemItem } from '../errors.ts';
import type { EnvelopeRecord, RecipientRecord, StoredFieldValue } from '../store/types.ts';
import { appendAudit, type AuditInput } from './audit.ts';
import { sha256Text } from './auth.ts';
import { consentText } from './consent.ts';
import { deviceOf } from './device.ts';
import type { RequestMeta, ServiceDeps, SignerPrincipal } from './context.ts';
import { isFinished, isReadOnly, isTurn, mustAct, notSealedDetail, statusEvent } from './envelopes.ts';
import { decodePngDataUrl } from './png.ts';
import type { SealService } from './seal.ts';

function recipientOf(e: EnvelopeRecord, p: SignerPrincipal): RecipientRecord {
  const r = e.recipients.find((x) => x.id === p.recipientId);
  if (!r) throw notFound('Recipient');
  return r;
}

function signerActor(r: RecipientRecord): AuditActor {
  return { kind: 'recipient', id: r.id, name: r.name, email: r.email, role: r.role };
}

/** Writes are allowed only while the envelope is out for signature and this recipient has not finished. */
function assertWritable(e: EnvelopeRecord, r: RecipientRecord): void {
  if (e.status !== 'sent') throw conflict(`The envelope is ${e.status}; it can no longer be changed`);
  if (isFinished(r) || r.status === 'declined') throw conflict(`You have already ${r.status}`);
}

function readOnlyRefusal(f: FieldPlacement): DomainError {
  return forbidden(
    `${f.label ?? 'This field'} was filled in by the sender and cannot be changed; decline if it is wrong`,
  );
}

/**
 * A value ready to store. `valueSha256` in the audit event is the SHA-256 of `hashed` (the text as
 * entered, the typed signature, `true`/`false`, or `null` for a clear) or, for a drawn signature,
 * of the PNG bytes as stored: anyone holding the value can check it against the event. A PNG that
 * had to be re-encoded also keeps the hash of the bytes sent (`sentImageSha256`).
 */
interface PreparedValue {
  value: unknown;
  imageSha256?: string;
  sentImageSha256?: string;
  hashed: string;
}

/**
 * What a `field.filled` event records: the value itself (the text as stored, the checkbox's state,
 * a typed signature's text, or the SHA-256 of a drawn image's stored PNG), so a dispute can show what was
 * entered and when.
 */
function filledEventData(r: RecipientRecord, f: FieldPlacement, prepared: PreparedValue): Record<string, unknown> {
  const v = prepared.value;
  const kind = typeof v === 'object' && v !== null ? (v as { kind: 'drawn' | 'typed' }).kind : undefined;
  return {
    recipientId: r.id,
    fieldId: f.id,
    ...(f.label !== undefined ? { label: f.label } : {}),
    type: f.type,
    ...(kind ? { kind } : {}),
    ...(typeof v === 'string' || typeof v === 'boolean' ? { value: v } : {}),
    ...(kind === 'typed' ? { text: (v as { text: string }).text } : {}),
    ...(prepared.imageSha256 ? { imageSha256: prepared.imageSha256 } : {}),
    ...(prepared.sentImageSha256 ? { sentImageSha256: prepared.sentImageSha256 } : {}),
    valueSha256: prepared.imageSha256 ?? sha256Text(prepared.hashed),
    cleared: v === null,
  };
}

export class SigningService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly seal: SealService,
  ) {}

  #now(): Date {
    return this.deps.clock.now();
  }

  async #load(p: SignerPrincipal): Promise<EnvelopeRecord> {
    const e = await this.deps.store.envelopes.get(p.envelopeId);
    if (!e) throw notFound('Envelope');
    return e;
  }

  #audit(e: EnvelopeRecord, r: RecipientRecord, meta: RequestMeta, input: Omit<AuditInput, 'actor' | 'meta'>) {
    r.ip = meta.ip ?? r.ip;
    r.userAgent = meta.userAgent ?? r.userAgent;
    const device = deviceOf(meta.userAgent);
    const data = device ? { ...input.data, device } : input.data;
    return appendAudit(e, this.#now(), { ...input, data, actor: signerActor(r), meta, authMethod: r.authMethod });
  }

  #emit(e: EnvelopeRecord, type: string): void {
    this.deps.events.emit({ type, envelopeId: e.id, status: statusEvent(e) });
  }

  async #fieldValue(v: StoredFieldValue | undefined): Promise<FieldValue> {
    if (!v) return null;
    if (v.imageSha256) {
      const png = await this.deps.blobs.get(v.imageSha256);
      return png ? { kind: 'drawn', image: `data:image/png;base64,${Buffer.from(png).toString('base64')}` } : null;
    }
    return v.value as FieldValue;
  }

  /** The signer's view; the first call records that the envelope was opened. */
  async view(p: SignerPrincipal, meta: RequestMeta): Promise<SigningView> {
    let e = await this.#load(p);
    let r = recipientOf(e, p);
    if (!r.openedAt && e.status === 'sent') {
      e = await this.deps.store.envelopes.transact(e.id, async (e) => {
        const r = recipientOf(e, p);
        if (r.openedAt) return e;
        r.openedAt = this.#now().toISOString();
        if (r.status === 'pending' || r.status === 'notified') r.status = 'opened';
        await this.#audit(e, r, meta, { type: 'envelope.opened', data: { recipientId: r.id } });
        return e;
      });
      r = recipientOf(e, p);
      this.#emit(e, 'envelope.opened');
    }
    const version = this.deps.config.consentVersion;
    const fields: SigningField[] = [];
    for (const f of e.fields.filter((f) => f.role === r.role)) {
      fields.push({ ...f, value: await this.#fieldValue(e.values[f.id]), readOnly: isReadOnly(e, f) });
    }
    const consent: SigningView['consent'] = { version, text: consentText(version), accepted: Boolean(r.consent) };
    if (r.consent) consent.acceptedAt = r.consent.acceptedAt;
    return {
      envelope: { id: e.id, title: e.title, status: e.status },
      recipient: {
        id: r.id,
        name: r.name,
        email: r.email,
        role: r.role,
        action: r.action,
        status: r.status,
        ...(r.completedAt ? { completedAt: r.completedAt } : {}),
      },
      fields,
      document: {
        sha256: e.documentSha256,
        pages: e.pages,
        name: e.documentName,
        ...(e.attachments?.length
          ? { attachments: e.attachments.map(({ name, firstPage, pages }) => ({ name, firstPage, pages })) }
          : {}),
      },
      consent,
      sealed: e.seal?.state === 'sealed',
      notifications: { email: Boolean(this.deps.mailer) },
      expiresAt: p.expiresAt,
    };
  }

  /** Which bytes the signer may download; records the first view of the original. */
  async document(
    p: SignerPrincipal,
    version: 'original' | 'sealed',
    meta: RequestMeta,
  ): Promise<{ sha256: string; name: string }> {
    const e = await this.#load(p);
    const r = recipientOf(e, p);
    if (version === 'sealed') {
      if (e.seal?.state !== 'sealed' || !e.seal.sha256) throw conflict(notSealedDetail(e));
      return { sha256: e.seal.sha256, name: e.documentName };
    }
    if (!r.documentViewedAt && e.status === 'sent') {
      await this.deps.store.envelopes.transact(e.id, async (e) => {
        const r = recipientOf(e, p);
        if (r.documentViewedAt) return;
        r.documentViewedAt = this.#now().toISOString();
        await this.#audit(e, r, meta, { type: 'document.viewed', data: { recipientId: r.id } });
      });
    }
    return { sha256: e.documentSha256, name: e.documentName };
  }

  async consent(p: SignerPrincipal, meta: RequestMeta): Promise<SigningView['consent']> {
    const version = this.deps.config.consentVersion;
    const text = consentText(version);
    const e = await this.deps.store.envelopes.transact(p.envelopeId, async (e) => {
      const r = recipientOf(e, p);
      assertWritable(e, r);
      if (r.consent) return e;
      r.consent = { version, acceptedAt: this.#now().toISOString(), textSha256: sha256Text(text) };
      await this.#audit(e, r, meta, {
        type: 'consent.accepted',
        data: { recipientId: r.id, version, textSha256: r.consent.textSha256 },
      });
      return e;
    });
    const r = recipientOf(e, p);
    return { version, text, accepted: true, acceptedAt: r.consent!.acceptedAt };
  }

  /** Validates a value for a field type; drawn signatures are stored as blobs first. */
  async #prepareValue(f: FieldPlacement, value: FieldValue): Promise<PreparedValue> {
    const bad = (message: string) =>
      invalid('The value does not fit the field', [{ path: 'value', fieldId: f.id, message }]);
    switch (f.type) {
      case 'date_signed':
        throw invalid('A date-signed field is filled by the server when you finish', [
          { path: 'value', fieldId: f.id, message: 'Filled automatically at completion' },
        ]);
      case 'signature':
      case 'initials': {
        if (value === null) return { value: null, hashed: 'null' };
        if (typeof value !== 'object') throw bad('Expected {kind:"drawn", image} or {kind:"typed", text}');
        if (value.kind === 'typed') {
          const text = value.text.trim();
          if (!text) throw bad('The typed signature is empty');
          if (text.length > 200) throw bad('The typed signature is too long');
          return { value: { kind: 'typed', text }, hashed: text };
        }
        // Decoded in full now (re-encoded unless already plain), so a damaged or oversized image
        // is refused here, with nothing stored, and can never break the seal later.
        const png = await decodePngDataUrl(value.image, this.deps.config.maxSignatureBytes);
        if (typeof png === 'string') throw bad(png);
        const { sha256 } = await this.deps.blobs.put(png.png);
        return {
          value: { kind: 'drawn' },
          imageSha256: sha256,
          ...(png.reencoded ? { sentImageSha256: png.sentSha256 } : {}),
          hashed: sha256,
        };
      }
      case 'text': {
        if (value === null) return { value: null, hashed: 'null' };
        if (typeof value !== 'string') throw bad('Expected a string');
        if (value.length > this.deps.config.maxTextLength) {
          throw bad(`At most ${this.deps.config.maxTextLength} characters`);
        }
        const problem = validateFieldValue(f, value);
        if (problem) throw bad(problem);
        return { value, hashed: value };
      }
      case 'checkbox':
        if (typeof value !== 'boolean') throw bad('Expected true or false');
        return { value, hashed: String(value) };
    }
  }

  async setField(p: SignerPrincipal, fieldId: string, value: FieldValue, meta: RequestMeta): Promise<SigningField> {
    const before = await this.#load(p);
    const field = before.fields.find((f) => f.id === fieldId);
    // Another recipient's field is indistinguishable from a missing one.
    if (!field || field.role !== recipientOf(before, p).role) throw notFound('Field');
    assertWritable(before, recipientOf(before, p));
    if (isReadOnly(before, field)) throw readOnlyRefusal(field);
    const prepared = await this.#prepareValue(field, value);
    const e = await this.deps.store.envelopes.transact(p.envelopeId, async (e) => {
      const r = recipientOf(e, p);
      assertWritable(e, r);
      if (isReadOnly(e, field)) throw readOnlyRefusal(field);
      const now = this.#now().toISOString();
      if (prepared.value === null) delete e.values[fieldId];
      else {
        const stored: StoredFieldValue = {
          fieldId,
          type: field.type,
          value: prepared.value,
          filledAt: now,
          recipientId: r.id,
        };
        if (prepared.imageSha256) stored.imageSha256 = prepared.imageSha256;
        e.values[fieldId] = stored;
      }
      await this.#audit(e, r, meta, {
        type: 'field.filled',
        data: filledEventData(r, field, prepared),
      });
      return e;
    });
    return { ...field, value: await this.#fieldValue(e.values[fieldId]), readOnly: isReadOnly(e, field) };
  }

  async complete(p: SignerPrincipal, meta: RequestMeta): Promise<{ recipientStatus: string; envelopeStatus: string }> {
    let sealNow = false;
    const e = await this.deps.store.envelopes.transact(p.envelopeId, async (e) => {
      const r = recipientOf(e, p);
      assertWritable(e, r);
      if (!mustAct(r)) throw conflict('This recipient only views the document');
      if (!isTurn(e, r)) {
        throw new DomainError('not-your-turn', 'Recipients with a lower routing order have not finished yet');
      }
      if (!r.consent) {
        throw new DomainError('consent-required', 'Accept the electronic records disclosure before finishing');
      }
      const missing: ProblemItem[] = e.fields
        .filter((f) => f.role === r.role && f.required && f.type !== 'date_signed')
        .filter((f) => {
          const v = e.values[f.id]?.value;
          return v === undefined || v === null || v === '' || (f.type === 'checkbox' && v !== true);
        })
        .map((f) => ({ fieldId: f.id, path: `fields.${f.id}`, message: `${f.label ?? f.type} is required` }));
      // A value stored before its field had a validation (or by an older server) is checked again.
      const wrong: ProblemItem[] = e.fields
        .filter((f) => f.role === r.role && f.type === 'text' && f.validation)
        .flatMap((f) => {
          const message = validateFieldValue(f, e.values[f.id]?.value);
          return message ? [{ fieldId: f.id, path: `fields.${f.id}`, message }] : [];
        });
      if (wrong.length) throw invalid(`${wrong.length} field(s) do not have the expected format`, wrong);
      if (missing.length) {
        throw new DomainError('incomplete', `${missing.length} required field(s) are not filled`, { errors: missing });
      }
      const now = this.#now();
      const iso = now.toISOString();
      for (const f of e.fields.filter((f) => f.role === r.role && f.type === 'date_signed')) {
        e.values[f.id] = { fieldId: f.id, type: f.type, value: iso, filledAt: iso, recipientId: r.id };
      }
      r.status = r.action === 'approve' ? 'approved' : 'signed';
      r.completedAt = iso;
      await this.#audit(e, r, meta, {
        type: 'recipient.completed',
        data: { recipientId: r.id, status: r.status, consentVersion: r.consent.version },
      });
      if (e.recipients.filter(mustAct).every(isFinished)) {
        e.status = 'completed';
        e.completedAt = iso;
        e.seal = { state: 'pending' };
        await appendAudit(e, now, { type: 'envelope.completed', actor: { kind: 'system' } });
        sealNow = true;
      }
      return e;
    });
    this.#emit(e, sealNow ? 'envelope.completed' : 'recipient.completed');
    if (sealNow) this.seal.schedule(e.id);
    return { recipientStatus: recipientOf(e, p).status, envelopeStatus: e.status };
  }

  async decline(p: SignerPrincipal, reason: string, meta: RequestMeta): Promise<void> {
    const e = await this.deps.store.envelopes.transact(p.envelopeId, async (e) => {
      const r = recipientOf(e, p);
      assertWritable(e, r);
      r.status = 'declined';
      r.declineReason = reason;
      r.completedAt = this.#now().toISOString();
      e.status = 'declined';
      await this.#audit(e, r, meta, { type: 'recipient.declined', data: { recipientId: r.id, reason } });
      await appendAudit(e, this.#now(), { type: 'envelope.declined', actor: signerActor(r), data: { reason } });
      return e;
    });
    this.#emit(e, 'envelope.declined');
  }
}
