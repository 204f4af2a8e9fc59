/**
 * Domain and API types shared by the server, the typed client and the elements.
 * These are the public JSON shapes of the REST API under /api/v1 (see DESIGN.md).
 */

export type Role = 'admin' | 'legal' | 'agent' | 'manager';

export type RecipientAction = 'sign' | 'approve' | 'view';

export type FieldType = 'signature' | 'initials' | 'date_signed' | 'text' | 'checkbox';

export type EnvelopeStatus = 'draft' | 'sent' | 'completed' | 'declined' | 'voided' | 'expired';

export type RecipientStatus = 'pending' | 'notified' | 'opened' | 'verified' | 'signed' | 'approved' | 'declined';

export type AuthMethod = 'none' | 'email_otp' | 'sms_otp' | 'kba';

/** RFC 9457 problem details, as every error of the API. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Field-level errors, e.g. validation failures or missing required fields. */
  errors?: Array<{ path?: string; fieldId?: string; message: string }>;
}

export interface DocumentInfo {
  id: string;
  name: string;
  sha256: string;
  pages: number;
  size?: number;
  createdAt?: string;
}

export interface TemplateRole {
  key: string;
  label?: string;
  action: RecipientAction;
  order?: number;
}

/**
 * A field placed on a page. `page` is 1-based; x, y, width and height are fractions (0..1)
 * of the page's visible box (CropBox as displayed, after /Rotate), from its top-left corner.
 */
export interface FieldPlacement {
  id: string;
  key?: string;
  type: FieldType;
  role: string;
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  required: boolean;
  label?: string;
}

export interface TemplateVersionInfo {
  id: string;
  version: number;
  status: 'draft' | 'published';
}

export type SignatureValue = { kind: 'drawn'; image: string } | { kind: 'typed'; text: string };

/** What a field can hold: a signature, text, a checkbox state or a date (ISO 8601). */
export type FieldValue = SignatureValue | string | boolean | null;

export interface Recipient {
  id: string;
  role: string;
  name: string;
  email: string;
  order: number;
  action: RecipientAction;
  status: RecipientStatus;
  authMethod?: AuthMethod;
  completedAt?: string;
}

export interface Envelope {
  id: string;
  title: string;
  status: EnvelopeStatus;
  templateId: string;
  templateVersion: number;
  recipients: Recipient[];
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  documentSha256: string;
  sealedSha256?: string;
}

/** A field as the signer sees it: its placement and its current value. */
export interface SigningField extends FieldPlacement {
  value: FieldValue;
}

/** `GET /api/v1/signing`: everything a signer pad needs to render. */
export interface SigningView {
  envelope: { id: string; title: string; status: EnvelopeStatus };
  recipient: {
    id: string;
    name: string;
    email: string;
    role: string;
    action: RecipientAction;
    status: RecipientStatus;
    /** When this recipient signed, approved or declined. */
    completedAt?: string;
  };
  fields: SigningField[];
  document: { sha256: string; pages: number; name: string };
  consent: { version: string; text: string; accepted: boolean; acceptedAt?: string };
  /** True once the envelope's sealed PDF exists (download with the same token). */
  sealed: boolean;
  expiresAt: string;
}

export interface SigningSession {
  token: string;
  url: string;
  expiresAt: string;
}

export type AuditActorKind = 'system' | 'api_key' | 'user' | 'recipient';

export interface AuditActor {
  kind: AuditActorKind;
  id?: string;
  name?: string;
  email?: string;
  role?: string;
}

export type AuditEventType =
  | 'envelope.created'
  | 'envelope.sent'
  | 'signing_session.issued'
  | 'envelope.opened'
  | 'document.viewed'
  | 'consent.accepted'
  | 'field.filled'
  | 'recipient.completed'
  | 'recipient.declined'
  | 'envelope.completed'
  | 'envelope.declined'
  | 'envelope.sealed'
  | 'envelope.voided';

/** One link of an envelope's hash chain. `hash` = SHA-256 of the RFC 8785 JSON of the rest. */
export interface AuditEvent {
  seq: number;
  type: AuditEventType | (string & {});
  at: string;
  actor: AuditActor;
  ip?: string;
  userAgent?: string;
  authMethod?: AuthMethod;
  documentSha256?: string;
  data?: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditTrail {
  events: AuditEvent[];
  valid: boolean;
  /** seq of the first event whose link does not hold. */
  brokenAt?: number;
}

/** Payload of an `envelope.status` server-sent event. */
export interface EnvelopeStatusEvent {
  id: string;
  status: EnvelopeStatus;
  recipients: Array<Pick<Recipient, 'id' | 'status'>>;
  at: string;
}
