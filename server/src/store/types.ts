import type {
  AuditEvent,
  AuthMethod,
  ClauseProposal,
  ClauseVersion,
  DocumentInfo,
  Envelope,
  EnvelopeAttachment,
  EnvelopeStatus,
  FieldPlacement,
  FieldType,
  PartyBlock,
  PdfFormField,
  Recipient,
  Role,
  TemplateClause,
  TemplateField,
  TemplateRole,
  Variable,
} from '@countersign/core';

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: Role;
  /** SHA-256 (hex) of the key; the key itself is never stored. */
  hash: string;
  createdAt: string;
}

export interface DocumentRecord extends DocumentInfo {
  size: number;
  createdAt: string;
  repaired: boolean;
  pageBoxes: Array<{ width: number; height: number; rotation: 0 | 90 | 180 | 270 }>;
  /** The uploader's key id (`user:<id>` for an embed token): an agent reads only its own uploads. */
  createdBy: string;
  /** What was uploaded (absent on records older than image uploads: a PDF). */
  sourceType?: 'pdf' | 'png' | 'jpeg';
  /** Bytes of the upload before an image was turned into a PDF (absent: `size`). */
  originalSize?: number;
  /** The PDF's AcroForm fields that map to our field types (absent on older records: none read). */
  formFields?: PdfFormField[];
}

/**
 * A template version. `source` says where its document comes from, so clause-composed versions
 * (`{kind: 'clauses', ...}`) and variables can be added later without a rewrite.
 */
export interface TemplateVersionRecord {
  version: number;
  status: 'draft' | 'published';
  source: { kind: 'pdf'; documentId: string } | InlineClausesSource;
  /** For a clauses version: SHA-256 of the source's canonical JSON (its PDF exists per envelope). */
  documentSha256: string;
  pages: number;
  roles: Array<TemplateRole & { order: number }>;
  fields: TemplateFieldRecord[];
  variables: Variable[];
  createdAt: string;
  publishedAt?: string;
}

/**
 * A version made of clauses, composed to PDF with the merge data when an envelope is created.
 * Library clauses are stored resolved (their pinned text), so a later clause edit never changes it.
 */
export interface InlineClausesSource {
  kind: 'clauses';
  title: string;
  parties?: PartyBlock[];
  clauses: StoredTemplateClause[];
}

/** core's TemplateClause; `locked` is absent on versions saved before clauses could be locked (false). */
export type StoredTemplateClause = Omit<TemplateClause, 'locked'> & { locked?: boolean };

/** A template's field: shown, required and stamped only when its `condition` holds for the merge data. */
export type TemplateFieldRecord = TemplateField;

export interface TemplateRecord {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  versions: TemplateVersionRecord[];
}

export interface StoredFieldValue {
  fieldId: string;
  type: FieldType;
  /** Public value: drawn signatures keep their data URL out of here (see `imageSha256`). */
  value: unknown;
  /** For drawn signatures: the PNG in the blob store. */
  imageSha256?: string;
  filledAt: string;
  recipientId: string;
}

/** The public recipient plus what only the server keeps (never sent as is: see `publicRecipient`). */
export interface RecipientRecord extends Recipient {
  authMethod: AuthMethod;
  openedAt?: string;
  documentViewedAt?: string;
  consent?: { version: string; acceptedAt: string; textSha256: string };
  declineReason?: string;
  ip?: string;
  userAgent?: string;
}

export interface SealRecord {
  state: 'pending' | 'sealed' | 'failed';
  sha256?: string;
  size?: number;
  /** Why the last attempt failed (internal: never sent to clients). */
  error?: string;
  at?: string;
  /** Failed attempts so far. */
  attempts?: number;
}

/** Everything about one envelope, kept in one file: the unit of locking and of writing. */
export interface EnvelopeRecord {
  id: string;
  title: string;
  status: EnvelopeStatus;
  templateId: string;
  templateVersion: number;
  documentId: string;
  documentName: string;
  documentSha256: string;
  pages: number;
  mergeData: Record<string, unknown>;
  createdBy: { keyId: string; role: Role; name: string };
  createdAt: string;
  updatedAt: string;
  sentAt?: string;
  completedAt?: string;
  voidReason?: string;
  recipients: RecipientRecord[];
  fields: FieldPlacement[];
  values: Record<string, StoredFieldValue>;
  seal?: SealRecord;
  /** Supporting documents whose pages follow the contract's in the signing document. */
  attachments?: EnvelopeAttachment[];
  audit: AuditEvent[];
}

/** What the list view needs, kept in memory for every envelope. */
export interface EnvelopeSummary {
  id: string;
  title: string;
  status: EnvelopeStatus;
  createdAt: string;
  updatedAt: string;
  sentAt?: string;
  completedAt?: string;
  createdByKeyId: string;
  sealed: boolean;
  recipients: Array<Pick<RecipientRecord, 'id' | 'status' | 'name' | 'email' | 'role' | 'action' | 'order'>>;
  /** Title, id, recipients' names and emails, normalized by `searchKey`: what `q` matches. */
  searchText: string;
}

export interface SessionRecord {
  tokenHash: string;
  envelopeId: string;
  recipientId: string;
  createdAt: string;
  expiresAt: string;
}

/** What a clause says and how it applies: the part of a version that legal writes. */
export type ClauseContent = Pick<ClauseVersion, 'title' | 'body' | 'locked' | 'condition' | 'category' | 'tags'>;

/**
 * One immutable version of a library clause (core's ClauseVersion without what is derived when
 * it is read: its clause's id and the body's variables); only `status`, `publishedAt` and
 * `publishedBy` ever change. `createdBy` is the author: legal for a direct edit, the proposer
 * for an approved proposal.
 */
export type ClauseVersionRecord = Omit<ClauseVersion, 'clauseId' | 'variables'>;

/** core's ClauseProposal without what is derived when it is read (its clause's id and the diff). */
export type ClauseProposalRecord = Omit<ClauseProposal, 'clauseId' | 'diff'>;

/** A library clause with its versions and proposals, kept in one file: the unit of locking and of writing. */
export interface ClauseRecord {
  id: string;
  key: string;
  createdAt: string;
  updatedAt: string;
  versions: ClauseVersionRecord[];
  proposals: ClauseProposalRecord[];
}

/** What the store found wrong with the data dir (reported by `/healthz`). */
export interface StoreHealth {
  /** Files moved to `<dataDir>/quarantine/` because they did not parse or validate. */
  quarantined: number;
  /** Files that went bad while the server runs: their records answer 500 until repaired. */
  unreadable: number;
}

export interface Store {
  apiKeys: {
    list(): Promise<ApiKeyRecord[]>;
    findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
    insert(key: ApiKeyRecord): Promise<void>;
  };
  documents: {
    get(id: string): Promise<DocumentRecord | undefined>;
    insert(doc: DocumentRecord): Promise<void>;
  };
  templates: {
    get(id: string): Promise<TemplateRecord | undefined>;
    list(): Promise<TemplateRecord[]>;
    insert(t: TemplateRecord): Promise<void>;
    /** Serialized read-modify-write of one template; nothing is written when `fn` throws. */
    update<T>(id: string, fn: (t: TemplateRecord) => T | Promise<T>): Promise<T>;
  };
  envelopes: {
    get(id: string): Promise<EnvelopeRecord | undefined>;
    /** Summaries, newest first. */
    list(filter?: { createdByKeyId?: string }): Promise<EnvelopeSummary[]>;
    insert(e: EnvelopeRecord): Promise<void>;
    /**
     * One serialized transaction on one envelope: `fn` sees a private copy, may throw to abort
     * (nothing is written), otherwise the copy is written atomically and becomes current.
     */
    transact<T>(id: string, fn: (e: EnvelopeRecord) => T | Promise<T>): Promise<T>;
    count(): number;
  };
  sessions: {
    insert(s: SessionRecord): Promise<void>;
    findByHash(hash: string): Promise<SessionRecord | undefined>;
  };
  clauses: {
    get(id: string): Promise<ClauseRecord | undefined>;
    list(): Promise<ClauseRecord[]>;
    /** Inserts unless another clause has the same key (ignoring case): false then, and nothing is written. */
    insert(c: ClauseRecord): Promise<boolean>;
    /** Serialized read-modify-write of one clause; nothing is written when `fn` throws. */
    update<T>(id: string, fn: (c: ClauseRecord) => T | Promise<T>): Promise<T>;
  };
  health(): StoreHealth;
  close(): Promise<void>;
}

export type { Envelope };
