import {
  canonicalJson,
  evaluateCondition,
  formatVariable,
  interpolate,
  sha256Hex,
  validateFieldValue,
  validateMergeData,
  type AuditTrail,
  type Envelope,
  type EnvelopeAttachment,
  type EnvelopeStatus,
  type EnvelopeStatusEvent,
  type FieldPlacement,
  type Recipient,
  type Role,
  type SigningSession,
  type Variable,
} from '@countersign/core';
import { conflict, DomainError, invalid, notFound, type ProblemItem } from '../errors.ts';
import { appendAttachments } from '../pdf/attach.ts';
import { composeDocument } from '../pdf/index.ts';
import type {
  DocumentRecord,
  EnvelopeRecord,
  EnvelopeSummary,
  RecipientRecord,
  StoredFieldValue,
  TemplateVersionRecord,
} from '../store/types.ts';
import { searchKey } from '../store/search.ts';
import { appendAudit, auditTrail } from './audit.ts';
import { requireRole, sha256Text, SIGNING_TOKEN_PREFIX } from './auth.ts';
import { staffActor, type RequestMeta, type ServiceDeps, type StaffPrincipal } from './context.ts';

export const ENVELOPE_ROLES: readonly Role[] = ['admin', 'legal', 'manager', 'agent'];

export interface EnvelopeInput {
  templateId: string;
  version?: number;
  title?: string;
  mergeData?: Record<string, unknown>;
  recipients: Array<{ role: string; name: string; email: string; order?: number }>;
  /** Uploaded documents appended after the contract, in order. */
  attachments?: string[];
  send?: boolean;
}

/** At most this many supporting documents per envelope. */
export const MAX_ATTACHMENTS = 10;

export type PublicEnvelope = Envelope & {
  documentName: string;
  pages: number;
  sentAt?: string;
  voidReason?: string;
  sealed: boolean;
  sealState?: 'pending' | 'sealed' | 'failed';
};

export function publicRecipient(r: RecipientRecord): Recipient {
  const out: Recipient = {
    id: r.id,
    role: r.role,
    name: r.name,
    email: r.email,
    order: r.order,
    action: r.action,
    status: r.status,
    authMethod: r.authMethod,
  };
  if (r.completedAt) out.completedAt = r.completedAt;
  return out;
}

export function publicEnvelope(e: EnvelopeRecord): PublicEnvelope {
  const out: PublicEnvelope = {
    id: e.id,
    title: e.title,
    status: e.status,
    templateId: e.templateId,
    templateVersion: e.templateVersion,
    recipients: e.recipients.map(publicRecipient),
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    documentSha256: e.documentSha256,
    documentName: e.documentName,
    pages: e.pages,
    sealed: e.seal?.state === 'sealed',
  };
  if (e.sentAt) out.sentAt = e.sentAt;
  if (e.completedAt) out.completedAt = e.completedAt;
  if (e.seal) out.sealState = e.seal.state;
  if (e.seal?.sha256) out.sealedSha256 = e.seal.sha256;
  if (e.voidReason) out.voidReason = e.voidReason;
  if (e.attachments?.length) out.attachments = e.attachments.map((a) => ({ ...a }));
  return out;
}

export function statusEvent(e: EnvelopeRecord | EnvelopeSummary): EnvelopeStatusEvent & { sealed: boolean } {
  const sealed = 'seal' in e ? e.seal?.state === 'sealed' : (e as EnvelopeSummary).sealed;
  return {
    id: e.id,
    status: e.status,
    recipients: e.recipients.map((r) => ({ id: r.id, status: r.status })),
    at: e.updatedAt,
    sealed: Boolean(sealed),
  };
}

/** Why there is no sealed PDF to serve yet, in words a client can show. */
export function notSealedDetail(e: EnvelopeRecord): string {
  if (e.status !== 'completed') return `The envelope is ${e.status}; only a completed envelope has a sealed PDF`;
  if (e.seal?.state === 'failed') {
    return (
      'Sealing the completed envelope failed; the reason is in the audit trail. Sealing is retried when the ' +
      'server restarts, and an admin can retry it now (POST /api/v1/envelopes/{id}/seal/retry)'
    );
  }
  return 'The envelope is being sealed; try again shortly';
}

/** `recipientId` of a value the agent set from merge data when the envelope was created. */
export const MERGE_DATA_FILLER = 'merge';

/** A value set from merge data is the agent's: the signer may not change it unless the template says so. */
export function isReadOnly(e: EnvelopeRecord, f: FieldPlacement): boolean {
  return !f.signerEditable && e.values[f.id]?.recipientId === MERGE_DATA_FILLER;
}

export const isFinished = (r: RecipientRecord) => r.status === 'signed' || r.status === 'approved';
export const mustAct = (r: RecipientRecord) => r.action !== 'view';

/** A recipient may act once every acting recipient with a lower order has finished. */
export function isTurn(e: EnvelopeRecord, r: RecipientRecord): boolean {
  return e.recipients.every((o) => !mustAct(o) || o.order >= r.order || isFinished(o));
}

/**
 * Merge data as conditions see it: numbers and money given as numeric text compare as numbers
 * (`{">": [{"var": "amount"}, 1000]}` holds for "1500" too).
 */
export function conditionData(variables: readonly Variable[], data: Record<string, unknown>): Record<string, unknown> {
  const out = { ...data };
  for (const v of variables) {
    const value = out[v.key];
    if ((v.type === 'number' || v.type === 'money') && typeof value === 'string' && value.trim() !== '') {
      const n = Number(value);
      if (Number.isFinite(n)) out[v.key] = n;
    }
  }
  return out;
}

/** What the agent set from merge data, per field id: the evidence of what the signer was shown. */
function prefillRecord(fields: FieldPlacement[], values: Record<string, StoredFieldValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.id];
    if (!v) continue;
    out[f.id] = {
      key: f.key,
      ...(f.label !== undefined ? { label: f.label } : {}),
      value: v.value,
      readOnly: !f.signerEditable,
    };
  }
  return out;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export interface EnvelopeQuery {
  /** Substring of the title, id, or a recipient's name or email (NFKC, case-folded). */
  q?: string;
  status?: EnvelopeStatus;
  /** 1…MAX_PAGE_SIZE; DEFAULT_PAGE_SIZE when absent. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface EnvelopePage {
  items: EnvelopeSummary[];
  /** Matches across all pages. */
  total: number;
  /** Absent on the last page. */
  nextCursor?: string;
}

type CursorPosition = { createdAt: string; id: string };

function encodeCursor(s: CursorPosition): string {
  return Buffer.from(JSON.stringify([s.createdAt, s.id])).toString('base64url');
}

/** ISO 8601 as `toISOString` writes it, the only form `createdAt` has (Date.parse takes far more). */
const isIsoInstant = (s: string) => {
  const d = new Date(s);
  return !Number.isNaN(d.getTime()) && d.toISOString() === s;
};

function decodeCursor(cursor: string): CursorPosition {
  try {
    const position: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(position) && position.length === 2) {
      const [createdAt, id] = position as unknown[];
      if (typeof createdAt === 'string' && isIsoInstant(createdAt) && typeof id === 'string' && id) {
        return { createdAt, id };
      }
    }
  } catch {
    // Not base64url JSON: refused below.
  }
  throw new DomainError('validation', 'The cursor is not one this server gave out', {
    status: 400,
    errors: [{ path: 'cursor', message: 'Pass nextCursor from the previous page unchanged' }],
  });
}

/** Whether `s` comes after `pos` in the list order (createdAt, then id, both descending). */
function isAfter(s: CursorPosition, pos: CursorPosition): boolean {
  return s.createdAt === pos.createdAt ? s.id < pos.id : s.createdAt < pos.createdAt;
}

export class EnvelopeService {
  constructor(private readonly deps: ServiceDeps) {}

  #now(): Date {
    return this.deps.clock.now();
  }

  #emit(e: EnvelopeRecord, type: string): void {
    this.deps.events.emit({ type, envelopeId: e.id, status: statusEvent(e) });
  }

  /** Loads an envelope the principal may see (an agent only its own; others get 404). */
  async load(p: StaffPrincipal, id: string): Promise<EnvelopeRecord> {
    requireRole(p, ENVELOPE_ROLES);
    const e = await this.deps.store.envelopes.get(id);
    if (!e || (p.role === 'agent' && e.createdBy.keyId !== p.keyId)) throw notFound('Envelope');
    return e;
  }

  async create(p: StaffPrincipal, input: EnvelopeInput, meta: RequestMeta): Promise<EnvelopeRecord> {
    requireRole(p, ENVELOPE_ROLES);
    const template = await this.deps.store.templates.get(input.templateId);
    if (!template) throw invalid('Unknown template', [{ path: 'templateId', message: 'No such template' }]);
    const published = template.versions.filter((v) => v.status === 'published');
    const version =
      input.version === undefined ? published.at(-1) : template.versions.find((v) => v.version === input.version);
    if (!version) {
      throw input.version === undefined
        ? conflict('The template has no published version')
        : invalid('Unknown template version', [{ path: 'version', message: 'No such version' }]);
    }
    if (version.status !== 'published') throw conflict(`Version ${version.version} is not published`);

    const errors: ProblemItem[] = [];
    const seen = new Set<string>();
    input.recipients.forEach((r, i) => {
      if (!version.roles.some((role) => role.key === r.role)) {
        errors.push({ path: `recipients.${i}.role`, message: `The template has no role ${r.role}` });
      }
      if (seen.has(r.role)) errors.push({ path: `recipients.${i}.role`, message: `Role ${r.role} given twice` });
      seen.add(r.role);
    });
    for (const role of version.roles) {
      if (role.action !== 'view' && !seen.has(role.key)) {
        errors.push({ path: 'recipients', message: `Role ${role.key} needs a recipient` });
      }
    }
    const mergeData = input.mergeData ?? {};
    const variables = version.variables ?? [];
    for (const err of validateMergeData(variables, mergeData)) {
      errors.push({ path: `mergeData.${err.path}`, message: err.message });
    }
    const attachmentDocs = await this.#attachments(p, input.attachments ?? [], errors);
    if (errors.length) throw invalid('The recipients or the merge data do not fit the template', errors);

    const now = this.#now();
    const iso = now.toISOString();
    const recipients: RecipientRecord[] = input.recipients.map((r) => {
      const role = version.roles.find((x) => x.key === r.role)!;
      return {
        id: this.deps.ids.id('rcp'),
        role: r.role,
        name: r.name,
        email: r.email,
        order: r.order ?? role.order ?? 1,
        action: role.action,
        status: 'pending',
        authMethod: 'none',
      };
    });
    // A field whose condition is false for this merge data is left out of the envelope: not shown,
    // not required, not stamped. The envelope keeps plain placements (the condition has been decided).
    const data = conditionData(variables, mergeData);
    const fields: FieldPlacement[] = [];
    const hiddenFields: string[] = [];
    for (const { condition, ...f } of version.fields) {
      if (evaluateCondition(condition, data)) fields.push(structuredClone(f));
      else hiddenFields.push(f.id);
    }
    const contract = await this.#document(version, data, mergeData, input.recipients, now);
    fields.push(...contract.fields);
    const offPage = fields.filter((f) => f.page > contract.pages);
    if (offPage.length) {
      throw invalid(
        'Fields go on the contract’s pages only',
        offPage.map((f) => ({ fieldId: f.id, message: `Page ${f.page} is not a page of the contract` })),
      );
    }
    const { document, attachments } = await this.#withAttachments(contract, attachmentDocs);
    const byKey = new Map(variables.map((v) => [v.key, v]));
    const values: Record<string, StoredFieldValue> = {};
    const prefillErrors: ProblemItem[] = [];
    for (const f of fields) {
      if (f.type !== 'text' || !f.key || !(f.key in mergeData)) continue;
      const v = mergeData[f.key];
      if (v === null || v === undefined || typeof v === 'object') continue;
      const value = formatVariable(byKey.get(f.key), v);
      // An empty value is no prefill: read-only, it would leave the signer a field nobody can fill.
      if (!value.trim()) continue;
      // The signer cannot correct a read-only value, so one the field would refuse is refused now.
      const problem = f.signerEditable ? undefined : validateFieldValue(f, value);
      if (problem) prefillErrors.push({ path: `mergeData.${f.key}`, fieldId: f.id, message: problem });
      values[f.id] = { fieldId: f.id, type: f.type, value, filledAt: iso, recipientId: MERGE_DATA_FILLER };
    }
    if (prefillErrors.length) {
      throw invalid('Merge data prefills a read-only field with a value it does not accept', prefillErrors);
    }
    const e: EnvelopeRecord = {
      id: this.deps.ids.id('env'),
      title: input.title ?? template.name,
      status: 'draft',
      templateId: template.id,
      templateVersion: version.version,
      documentId: document.id,
      documentName: document.name,
      documentSha256: document.sha256,
      pages: document.pages,
      mergeData,
      createdBy: { keyId: p.keyId, role: p.role, name: p.name },
      createdAt: iso,
      updatedAt: iso,
      recipients,
      fields,
      values,
      audit: [],
    };
    if (attachments.length) e.attachments = attachments;
    await appendAudit(e, now, {
      type: 'envelope.created',
      actor: staffActor(p),
      meta,
      documentSha256: document.sha256,
      data: {
        ...(document.clauses ? { clauses: document.clauses } : {}),
        ...(attachments.length ? { contractSha256: contract.sha256, attachments } : {}),
        templateId: template.id,
        templateVersion: version.version,
        recipients: recipients.map((r) => ({ id: r.id, role: r.role, name: r.name, email: r.email, order: r.order })),
        prefilled: Object.keys(values),
        prefilledValues: prefillRecord(fields, values),
        hiddenFields,
        mergeDataSha256: await sha256Hex(canonicalJson(mergeData)),
      },
    });
    if (input.send !== false) await this.#markSent(e, p, now, meta);
    await this.deps.store.envelopes.insert(e);
    this.#emit(e, e.status === 'sent' ? 'envelope.sent' : 'envelope.created');
    return e;
  }

  /** The supporting documents to attach, each one the principal may read (an agent: its own uploads). */
  async #attachments(p: StaffPrincipal, ids: string[], errors: ProblemItem[]): Promise<DocumentRecord[]> {
    if (ids.length > MAX_ATTACHMENTS) {
      errors.push({ path: 'attachments', message: `At most ${MAX_ATTACHMENTS} attachments` });
      return [];
    }
    const docs: DocumentRecord[] = [];
    const seen = new Set<string>();
    for (const [i, id] of ids.entries()) {
      const doc = await this.deps.store.documents.get(id);
      if (!doc || (p.role === 'agent' && doc.createdBy !== p.keyId)) {
        errors.push({ path: `attachments.${i}`, message: 'No such document' });
      } else if (seen.has(id)) {
        errors.push({ path: `attachments.${i}`, message: 'Attached twice' });
      } else docs.push(doc);
      seen.add(id);
    }
    return docs;
  }

  /** The signing document: the contract, then each attachment's pages (a new stored PDF when there are any). */
  async #withAttachments<D extends { id: string; sha256: string; pages: number }>(
    contract: D,
    docs: DocumentRecord[],
  ): Promise<{ document: D; attachments: EnvelopeAttachment[] }> {
    if (!docs.length) return { document: contract, attachments: [] };
    const read = async (sha256: string) => {
      const bytes = await this.deps.blobs.get(sha256);
      if (!bytes) throw new DomainError('gone', 'A document’s bytes are no longer in storage');
      return bytes;
    };
    const merged = await appendAttachments(
      await read(contract.sha256),
      await Promise.all(docs.map((d) => read(d.sha256))),
    );
    const { sha256 } = await this.deps.blobs.put(merged.bytes);
    return {
      document: { ...contract, id: sha256, sha256, pages: merged.pages },
      attachments: docs.map((d, i) => ({
        documentId: d.id,
        name: d.name,
        sha256: d.sha256,
        firstPage: merged.placed[i]!.firstPage,
        pages: merged.placed[i]!.pages,
      })),
    };
  }

  /**
   * The envelope's document: the version's uploaded PDF, or its clauses composed with the merge
   * data (clauses whose condition is false left out, numbering continuous) into a new PDF whose
   * signature and date fields go to the signing roles.
   */
  async #document(
    version: TemplateVersionRecord,
    data: Record<string, unknown>,
    mergeData: Record<string, unknown>,
    recipients: EnvelopeInput['recipients'],
    now: Date,
  ): Promise<{
    id: string;
    name: string;
    sha256: string;
    pages: number;
    fields: FieldPlacement[];
    clauses?: { included: string[]; omitted: string[] };
  }> {
    const source = version.source;
    if (source.kind === 'pdf') {
      const doc = await this.deps.store.documents.get(source.documentId);
      if (!doc) throw new DomainError('internal', 'The template document is missing');
      return { id: doc.id, name: doc.name, sha256: doc.sha256, pages: doc.pages, fields: [] };
    }
    const included = source.clauses.filter((c) => evaluateCondition(c.condition, data));
    const composed = await composeDocument({
      title: source.title,
      ...(source.parties ? { parties: source.parties } : {}),
      clauses: included.map(({ key, title, body }) => ({ key, title, body })),
      data: mergeData,
      variables: version.variables,
      signatureBlock: version.roles
        .filter((r) => r.action === 'sign')
        .map((r) => {
          const signerName = recipients.find((x) => x.role === r.key)?.name;
          return { role: r.key, label: r.label ?? r.key, ...(signerName ? { signerName } : {}) };
        }),
      createdAt: now,
    });
    const { sha256 } = await this.deps.blobs.put(composed.bytes);
    return {
      id: sha256,
      name: `${
        interpolate(source.title, mergeData, version.variables)
          .replace(/[\\/:*?"<>|]+/g, ' ')
          .trim() || 'Agreement'
      }.pdf`,
      sha256,
      pages: composed.pages,
      fields: composed.fields.map((f) => ({ ...f })),
      clauses: {
        included: included.map((c) => c.key),
        omitted: source.clauses.filter((c) => !included.includes(c)).map((c) => c.key),
      },
    };
  }

  async #markSent(e: EnvelopeRecord, p: StaffPrincipal, now: Date, meta: RequestMeta): Promise<void> {
    e.status = 'sent';
    e.sentAt = now.toISOString();
    await appendAudit(e, now, { type: 'envelope.sent', actor: staffActor(p), meta });
  }

  async send(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<EnvelopeRecord> {
    await this.load(p, id);
    const e = await this.deps.store.envelopes.transact(id, async (e) => {
      if (e.status !== 'draft') throw conflict(`The envelope is ${e.status}, not draft`);
      await this.#markSent(e, p, this.#now(), meta);
      return e;
    });
    this.#emit(e, 'envelope.sent');
    return e;
  }

  async void(p: StaffPrincipal, id: string, reason: string, meta: RequestMeta): Promise<EnvelopeRecord> {
    await this.load(p, id);
    const e = await this.deps.store.envelopes.transact(id, async (e) => {
      if (e.status !== 'draft' && e.status !== 'sent') throw conflict(`A ${e.status} envelope cannot be voided`);
      e.status = 'voided';
      e.voidReason = reason;
      await appendAudit(e, this.#now(), { type: 'envelope.voided', actor: staffActor(p), meta, data: { reason } });
      return e;
    });
    this.#emit(e, 'envelope.voided');
    return e;
  }

  /**
   * One page of the envelopes the principal may see (an agent: its own), newest first. `cursor`
   * is the position after the previous page's last item, so envelopes created meanwhile (which
   * sort before it) neither repeat nor push items off the next page.
   */
  async list(p: StaffPrincipal, query: EnvelopeQuery = {}): Promise<EnvelopePage> {
    requireRole(p, ENVELOPE_ROLES);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const needle = query.q ? searchKey(query.q.trim()) : '';
    const all = await this.deps.store.envelopes.list(p.role === 'agent' ? { createdByKeyId: p.keyId } : {});
    const matches = all.filter(
      (s) => (!query.status || s.status === query.status) && (!needle || s.searchText.includes(needle)),
    );
    const start = after ? matches.findIndex((s) => isAfter(s, after)) : 0;
    const items = start < 0 ? [] : matches.slice(start, start + limit);
    const last = items.at(-1);
    const more = start >= 0 && start + limit < matches.length;
    return { items, total: matches.length, ...(more && last ? { nextCursor: encodeCursor(last) } : {}) };
  }

  async audit(p: StaffPrincipal, id: string): Promise<AuditTrail> {
    return auditTrail(await this.load(p, id));
  }

  async issueSession(p: StaffPrincipal, id: string, recipientId: string, meta: RequestMeta): Promise<SigningSession> {
    await this.load(p, id);
    const token = `${SIGNING_TOKEN_PREFIX}${this.deps.ids.token()}`;
    const tokenHash = sha256Text(token);
    const now = this.#now();
    const expiresAt = new Date(now.getTime() + this.deps.config.sessionTtlMinutes * 60_000).toISOString();
    await this.deps.store.envelopes.transact(id, async (e) => {
      const r = e.recipients.find((x) => x.id === recipientId);
      if (!r) throw notFound('Recipient');
      if (e.status !== 'sent') throw conflict(`The envelope is ${e.status}, not sent`);
      if (isFinished(r) || r.status === 'declined') throw conflict(`The recipient has already ${r.status}`);
      if (!isTurn(e, r)) {
        throw new DomainError('not-your-turn', 'Recipients with a lower routing order have not finished yet');
      }
      await appendAudit(e, now, {
        type: 'signing_session.issued',
        actor: staffActor(p),
        meta,
        data: { recipientId: r.id, expiresAt, tokenSha256Prefix: tokenHash.slice(0, 12) },
      });
    });
    await this.deps.store.sessions.insert({
      tokenHash,
      envelopeId: id,
      recipientId,
      createdAt: now.toISOString(),
      expiresAt,
    });
    const url = this.deps.config.signingUrl.replaceAll('{token}', encodeURIComponent(token));
    return { token, url, expiresAt };
  }
}
