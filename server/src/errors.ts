/** Typed domain errors thrown by services; app.onError maps them to RFC 9457 problem details. */
export type ProblemKind =
  | 'validation'
  | 'unauthorized'
  | 'token-expired'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'not-your-turn'
  | 'incomplete'
  | 'consent-required'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'unprocessable-pdf'
  | 'unprocessable-image'
  | 'range-not-satisfiable'
  | 'gone'
  | 'internal';

export const PROBLEM_BASE = 'https://countersign.dev/problems/';

const STATUS: Record<ProblemKind, [number, string]> = {
  validation: [422, 'Validation failed'],
  unauthorized: [401, 'Unauthorized'],
  'token-expired': [401, 'Signing session expired'],
  forbidden: [403, 'Forbidden'],
  'not-found': [404, 'Not found'],
  conflict: [409, 'Conflict'],
  'not-your-turn': [409, 'Not this recipient’s turn yet'],
  incomplete: [422, 'Required fields missing'],
  'consent-required': [409, 'Consent required'],
  'payload-too-large': [413, 'Payload too large'],
  'unsupported-media-type': [415, 'Unsupported media type'],
  'unprocessable-pdf': [422, 'PDF cannot be processed'],
  'unprocessable-image': [422, 'Image cannot be processed'],
  'range-not-satisfiable': [416, 'Range not satisfiable'],
  gone: [410, 'No longer available'],
  internal: [500, 'Internal server error'],
};

export interface ProblemItem {
  path?: string;
  fieldId?: string;
  message: string;
}

export class DomainError extends Error {
  readonly kind: ProblemKind;
  readonly status: number;
  readonly title: string;
  readonly errors?: ProblemItem[];
  readonly headers?: Record<string, string>;
  constructor(
    kind: ProblemKind,
    detail: string,
    opts: { errors?: ProblemItem[]; status?: number; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'DomainError';
    this.kind = kind;
    const [status, title] = STATUS[kind];
    this.status = opts.status ?? status;
    this.title = title;
    this.errors = opts.errors;
    this.headers = opts.headers;
  }
}

export const notFound = (what: string) => new DomainError('not-found', `${what} not found`);
export const conflict = (detail: string) => new DomainError('conflict', detail);
export const forbidden = (detail = 'Your role may not do this') => new DomainError('forbidden', detail);
export const invalid = (detail: string, errors?: ProblemItem[]) => new DomainError('validation', detail, { errors });
