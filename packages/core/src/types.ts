/**
 * Domain and API types shared by the server, the typed client and the elements.
 * These are the public JSON shapes of the REST API under /api/v1 (see DESIGN.md).
 */

import type { Condition } from './conditions.ts';
import type { MergeData, Variable } from './variables.ts';

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
  /** Text fields only: what the signer's value must look like (checked by the pad and the server). */
  validation?: FieldValidation;
  /**
   * A text field whose `key` names a merge-data value is prefilled with it and read-only for the
   * signer, unless this is true (then the prefill is only a suggestion the signer may change).
   */
  signerEditable?: boolean;
}

/**
 * A text field's format. `pattern` (kind pattern) is a JavaScript regex source, matched
 * against the whole value; `min`/`max` bound a number; `message` replaces the default one.
 */
export interface FieldValidation {
  kind: 'email' | 'phone' | 'number' | 'date' | 'pattern';
  pattern?: string;
  min?: number;
  max?: number;
  message?: string;
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
  /** Supporting documents appended after the contract (absent when there are none). */
  attachments?: EnvelopeAttachment[];
}

/** A field as the signer sees it: its placement and its current value. */
export interface SigningField extends FieldPlacement {
  value: FieldValue;
  /**
   * True when the agent set this value from merge data and the template does not mark the field
   * `signerEditable`: the pad shows it as text, and the server refuses a change (403).
   */
  readOnly: boolean;
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
  document: {
    sha256: string;
    pages: number;
    name: string;
    /** Supporting documents whose pages follow the contract's (absent when there are none). */
    attachments?: Array<Pick<EnvelopeAttachment, 'name' | 'firstPage' | 'pages'>>;
  };
  consent: { version: string; text: string; accepted: boolean; acceptedAt?: string };
  /** True once the envelope's sealed PDF exists (download with the same token). */
  sealed: boolean;
  /**
   * What the server will send the signer by itself. `email` is false while no mail transport is
   * configured: the pad then promises no copy by mail, only the download.
   */
  notifications: { email: boolean };
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

// ---------------------------------------------------------------------------------------------
// Templates, clause library, documents and attachments (issue 3)
// ---------------------------------------------------------------------------------------------

/** A field as a template holds it: shown, required and stamped only when `condition` holds. */
export interface TemplateField extends FieldPlacement {
  condition?: Condition;
}

/** A clause written into a template version. */
export interface InlineClauseInput {
  key: string;
  title: string;
  body: string;
  locked?: boolean;
  condition?: Condition;
}

/**
 * A library clause used by a template version: pinned to `version` (default: its latest
 * published version) when the draft is saved. `condition`, when given, replaces the clause's own.
 */
export interface ClauseRefInput {
  clauseId: string;
  version?: number;
  locked?: boolean;
  condition?: Condition;
}

/** A clause of a saved version, as read back: inline, or a library clause resolved to its pinned text. */
export interface TemplateClause {
  key: string;
  title: string;
  body: string;
  locked: boolean;
  condition?: Condition;
  /** Set when the clause comes from the library (then proposals go to that clause). */
  clauseId?: string;
  clauseVersion?: number;
}

export interface PartyBlock {
  label: string;
  lines: string[];
}

export type TemplateSourceInput =
  | { kind: 'pdf'; documentId: string }
  | { kind: 'clauses'; title: string; parties?: PartyBlock[]; clauses: Array<InlineClauseInput | ClauseRefInput> };

export type TemplateSource =
  | { kind: 'pdf'; documentId: string }
  | { kind: 'clauses'; title: string; parties?: PartyBlock[]; clauses: TemplateClause[] };

export interface TemplateVersion {
  templateId: string;
  version: number;
  status: 'draft' | 'published';
  source: TemplateSource;
  documentSha256: string;
  pages: number;
  roles: Array<TemplateRole & { order: number }>;
  fields: TemplateField[];
  variables: Variable[];
  createdAt: string;
  publishedAt?: string;
}

export interface TemplateSummary {
  id: string;
  name: string;
  version: number;
  status: 'draft' | 'published';
  latestPublishedVersion: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface Template extends TemplateSummary {
  versions: Array<Omit<TemplateVersion, 'templateId'>>;
}

export interface TemplateInput {
  name: string;
  documentId?: string;
  source?: TemplateSourceInput;
  roles: TemplateRole[];
  fields?: Array<Omit<TemplateField, 'id' | 'required'> & { id?: string; required?: boolean }>;
  variables?: Variable[];
}

export type TemplateVersionInput = Partial<Omit<TemplateInput, 'name'>>;

export interface ClauseVersion {
  clauseId: string;
  version: number;
  status: 'draft' | 'published';
  title: string;
  body: string;
  locked: boolean;
  condition?: Condition;
  category?: string;
  tags?: string[];
  /** The {{keys}} the body uses. */
  variables: string[];
  createdAt: string;
  createdBy: AuditActor;
  approvedBy?: AuditActor;
  proposalId?: string;
  publishedAt?: string;
  publishedBy?: AuditActor;
}

/** A clause as of its latest version (legal, admin) or latest published version (agent, manager). */
export interface Clause extends Omit<ClauseVersion, 'clauseId'> {
  id: string;
  key: string;
  latestPublishedVersion: number | null;
  versionCount: number;
  updatedAt: string;
}

export interface ClauseInput {
  key: string;
  title: string;
  body: string;
  locked?: boolean;
  condition?: Condition;
  category?: string;
  tags?: string[];
}

export interface ClausePatch {
  title?: string;
  body?: string;
  locked?: boolean;
  condition?: Condition | null;
  category?: string | null;
  tags?: string[];
}

export interface DiffPart {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}

export interface ClauseDiff {
  from: number;
  to: number;
  changed: Array<'title' | 'body' | 'locked' | 'condition'>;
  title: DiffPart[];
  body: DiffPart[];
  locked: DiffPart[];
  condition: DiffPart[];
}

export interface ClauseProposal {
  id: string;
  clauseId: string;
  baseVersion: number;
  title?: string;
  body: string;
  comment: string;
  status: 'pending' | 'approved' | 'rejected';
  proposedBy: AuditActor;
  proposedAt: string;
  decidedBy?: AuditActor;
  decidedAt?: string;
  decisionComment?: string;
  resultingVersion?: number;
  diff?: ClauseDiff;
}

/** The answer to approving or rejecting a proposal: the proposal, and the new version when approved. */
export interface ClauseDecision {
  proposal: ClauseProposal;
  version?: ClauseVersion;
}

/** An AcroForm field found in an uploaded PDF, offered to the builder as a placed field. */
export interface PdfFormField {
  name: string;
  /** Our field type for it; the PDF's own type is in `pdfType`. */
  type: FieldType;
  pdfType: string;
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  required: boolean;
}

/** `POST /api/v1/documents`: a PDF, or a PNG/JPEG turned into a one-page PDF (downscaled). */
export interface UploadedDocument extends DocumentInfo {
  size: number;
  createdAt: string;
  /** What was uploaded: `pdf`, `png` or `jpeg`. */
  sourceType: 'pdf' | 'png' | 'jpeg';
  /** Bytes of the original upload (before an image was recompressed). */
  originalSize: number;
  formFields: PdfFormField[];
}

/** A supporting document of an envelope: its pages follow the contract in the signing document. */
export interface EnvelopeAttachment {
  documentId: string;
  name: string;
  sha256: string;
  /** 1-based first page of the attachment inside the signing document. */
  firstPage: number;
  pages: number;
}

export interface EnvelopeInput {
  templateId: string;
  version?: number;
  title?: string;
  mergeData?: MergeData;
  recipients: Array<{ role: string; name: string; email: string; order?: number }>;
  /** Ids of uploaded documents to append after the contract, in order. */
  attachments?: string[];
  send?: boolean;
}
