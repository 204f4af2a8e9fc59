import {
  GENESIS_HASH,
  linkAuditEvent,
  verifyAuditChain,
  type AuditActor,
  type AuditEvent,
  type AuditEventType,
  type AuditTrail,
  type AuthMethod,
} from '@countersign/core';
import type { EnvelopeRecord } from '../store/types.ts';
import type { RequestMeta } from './context.ts';

export interface AuditInput {
  type: AuditEventType | 'envelope.seal_failed';
  actor: AuditActor;
  meta?: RequestMeta;
  authMethod?: AuthMethod;
  data?: Record<string, unknown>;
  documentSha256?: string;
}

/** Appends one hash-linked event to the envelope's chain (call inside a store transaction). */
export async function appendAudit(e: EnvelopeRecord, at: Date, input: AuditInput): Promise<AuditEvent> {
  const prev = e.audit.at(-1);
  const event = await linkAuditEvent(
    {
      seq: (prev?.seq ?? 0) + 1,
      type: input.type,
      at: at.toISOString(),
      actor: input.actor,
      ip: input.meta?.ip,
      userAgent: input.meta?.userAgent,
      authMethod: input.authMethod,
      documentSha256: input.documentSha256 ?? e.documentSha256,
      data: input.data,
    },
    prev?.hash ?? GENESIS_HASH,
  );
  e.audit.push(event);
  e.updatedAt = event.at;
  return event;
}

export async function auditTrail(e: EnvelopeRecord): Promise<AuditTrail> {
  const check = await verifyAuditChain(e.audit);
  const trail: AuditTrail = { events: e.audit, valid: check.valid };
  if (!check.valid) trail.brokenAt = check.brokenAt;
  return trail;
}
