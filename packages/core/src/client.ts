import type {
  AuditTrail,
  Clause,
  ClauseDecision,
  ClauseDiff,
  ClauseInput,
  ClausePatch,
  ClauseProposal,
  ClauseVersion,
  Envelope,
  EnvelopeInput,
  Template,
  TemplateInput,
  TemplateSourceInput,
  TemplateSummary,
  TemplateVersion,
  TemplateVersionInput,
  UploadedDocument,
  EnvelopeStatusEvent,
  FieldValue,
  Problem,
  SigningField,
  SigningView,
} from './types.ts';
import type { MergeData, Variable } from './variables.ts';

/** A failed API call: the server's RFC 9457 problem, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }
  /** True when the request never got an answer (offline, DNS, CORS, server down). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

export interface ClientOptions {
  /** Base URL of the Countersign server, e.g. https://sign.example.com */
  server: string;
  /** Bearer token: a signer session token, an embed token or an API key. */
  token: string;
  fetch?: typeof fetch;
}

type Json = object | unknown[];

const seg = encodeURIComponent;

/** Problem `type` URIs the elements react to. */
export const PROBLEM_TYPES = {
  tokenExpired: 'token-expired',
  tokenInvalid: 'token-invalid',
  notYourTurn: 'not-your-turn',
} as const;

/** True when a problem's `type` URI ends with the given slug. */
export function isProblemType(problem: Problem, slug: string): boolean {
  return problem.type === slug || problem.type.endsWith(`/${slug}`);
}

/** A small typed client over fetch for the endpoints the elements call. */
export class CountersignClient {
  readonly server: string;
  readonly token: string;
  readonly #fetch: typeof fetch;

  constructor(options: ClientOptions) {
    this.server = options.server.replace(/\/+$/, '');
    this.token = options.token;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  url(path: string): string {
    return `${this.server}/api/v1${path}`;
  }

  get authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  async request<T>(method: string, path: string, body?: Json | FormData, signal?: AbortSignal): Promise<T> {
    const response = await this.#send(method, path, body, signal);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** Like {@link request}, for endpoints that answer with bytes (a PDF). */
  async requestBlob(method: string, path: string, body?: Json, signal?: AbortSignal): Promise<Blob> {
    return (await this.#send(method, path, body, signal)).blob();
  }

  async #send(
    method: string,
    path: string,
    body: Json | FormData | undefined,
    signal?: AbortSignal,
  ): Promise<Response> {
    let response: Response;
    const form = typeof FormData !== 'undefined' && body instanceof FormData;
    try {
      response = await this.#fetch(this.url(path), {
        method,
        headers: body && !form ? { ...this.authHeaders, 'content-type': 'application/json' } : this.authHeaders,
        body: form ? body : body ? JSON.stringify(body) : null,
        credentials: 'omit',
        signal: signal ?? null,
      });
    } catch (cause) {
      if ((cause as Error)?.name === 'AbortError') throw cause;
      throw new ApiError({
        type: 'about:blank#network',
        title: 'Network error',
        status: 0,
        detail: (cause as Error)?.message ?? 'The server could not be reached.',
      });
    }
    if (!response.ok) throw new ApiError(await readProblem(response));
    return response;
  }

  // signer
  getSigning(signal?: AbortSignal): Promise<SigningView> {
    return this.request('GET', '/signing', undefined, signal);
  }
  acceptConsent(): Promise<unknown> {
    return this.request('POST', '/signing/consent', { accepted: true });
  }
  saveField(fieldId: string, value: FieldValue): Promise<SigningField> {
    return this.request('PUT', `/signing/fields/${seg(fieldId)}`, { value });
  }
  complete(): Promise<unknown> {
    return this.request('POST', '/signing/complete', {});
  }
  decline(reason: string): Promise<unknown> {
    return this.request('POST', '/signing/decline', { reason });
  }
  get signingDocumentUrl(): string {
    return this.url('/signing/document');
  }
  get sealedDocumentUrl(): string {
    return this.url('/signing/document?version=sealed');
  }

  // staff
  getEnvelope(id: string, signal?: AbortSignal): Promise<Envelope> {
    return this.request('GET', `/envelopes/${seg(id)}`, undefined, signal);
  }
  getAudit(id: string, signal?: AbortSignal): Promise<AuditTrail> {
    return this.request('GET', `/envelopes/${seg(id)}/audit`, undefined, signal);
  }

  listEnvelopes(signal?: AbortSignal): Promise<{ items: Array<Pick<Envelope, 'id' | 'title' | 'status'>> }> {
    return this.request('GET', '/envelopes', undefined, signal);
  }
  createEnvelope(input: EnvelopeInput): Promise<Envelope> {
    return this.request('POST', '/envelopes', input);
  }

  // documents (a PDF for a template; a PDF, PNG or JPEG as an envelope attachment)
  uploadDocument(file: Blob, name?: string, signal?: AbortSignal): Promise<UploadedDocument> {
    const form = new FormData();
    form.append('file', file, name ?? (file as File).name ?? 'document.pdf');
    return this.request('POST', '/documents', form, signal);
  }
  getDocument(id: string, signal?: AbortSignal): Promise<UploadedDocument> {
    return this.request('GET', `/documents/${seg(id)}`, undefined, signal);
  }
  /** The stored PDF of a document (fetch with {@link fetchBlob}: it needs the bearer header). */
  documentContentUrl(id: string): string {
    return this.url(`/documents/${seg(id)}/content`);
  }

  // templates
  listTemplates(signal?: AbortSignal): Promise<{ items: TemplateSummary[] }> {
    return this.request('GET', '/templates', undefined, signal);
  }
  getTemplate(id: string, signal?: AbortSignal): Promise<Template> {
    return this.request('GET', `/templates/${seg(id)}`, undefined, signal);
  }
  createTemplate(input: TemplateInput): Promise<Template> {
    return this.request('POST', '/templates', input);
  }
  listTemplateVersions(id: string, signal?: AbortSignal): Promise<{ items: TemplateVersion[] }> {
    return this.request('GET', `/templates/${seg(id)}/versions`, undefined, signal);
  }
  /** Opens the next draft, starting from the latest version (409 while a draft is open). */
  createTemplateVersion(id: string, input: TemplateVersionInput = {}): Promise<TemplateVersion> {
    return this.request('POST', `/templates/${seg(id)}/versions`, input);
  }
  updateTemplateVersion(id: string, version: number, input: TemplateVersionInput): Promise<TemplateVersion> {
    return this.request('PATCH', `/templates/${seg(id)}/versions/${version}`, input);
  }
  publishTemplateVersion(id: string, version: number): Promise<TemplateVersion> {
    return this.request('POST', `/templates/${seg(id)}/versions/${version}/publish`, {});
  }
  diffTemplateVersions(id: string, from: number, to: number, signal?: AbortSignal): Promise<Record<string, unknown>> {
    return this.request('GET', `/templates/${seg(id)}/versions/${from}/diff/${to}`, undefined, signal);
  }
  /** A saved version rendered with `mergeData` (missing values shown as blanks): a PDF. */
  previewTemplateVersion(id: string, version: number, mergeData: MergeData = {}, signal?: AbortSignal): Promise<Blob> {
    return this.requestBlob('POST', `/templates/${seg(id)}/versions/${version}/preview`, { mergeData }, signal);
  }
  /** An unsaved clauses source rendered with sample data (admin, legal): a PDF. */
  previewSource(
    source: Extract<TemplateSourceInput, { kind: 'clauses' }>,
    options: { variables?: Variable[]; mergeData?: MergeData } = {},
    signal?: AbortSignal,
  ): Promise<Blob> {
    return this.requestBlob('POST', '/previews', { source, ...options }, signal);
  }

  // clause library
  listClauses(query: { search?: string } = {}, signal?: AbortSignal): Promise<{ items: Clause[] }> {
    const qs = query.search ? `?search=${seg(query.search)}` : '';
    return this.request('GET', `/clauses${qs}`, undefined, signal);
  }
  getClause(id: string, signal?: AbortSignal): Promise<Clause> {
    return this.request('GET', `/clauses/${seg(id)}`, undefined, signal);
  }
  createClause(input: ClauseInput): Promise<Clause> {
    return this.request('POST', '/clauses', input);
  }
  /** Saves a new draft version of the clause (legal, admin). */
  updateClause(id: string, patch: ClausePatch): Promise<Clause> {
    return this.request('PATCH', `/clauses/${seg(id)}`, patch);
  }
  listClauseVersions(id: string, signal?: AbortSignal): Promise<{ items: ClauseVersion[] }> {
    return this.request('GET', `/clauses/${seg(id)}/versions`, undefined, signal);
  }
  publishClauseVersion(id: string, version: number): Promise<ClauseVersion> {
    return this.request('POST', `/clauses/${seg(id)}/versions/${version}/publish`, {});
  }
  diffClauseVersions(id: string, from: number, to: number, signal?: AbortSignal): Promise<ClauseDiff> {
    return this.request('GET', `/clauses/${seg(id)}/versions/${from}/diff/${to}`, undefined, signal);
  }
  proposeClauseChange(
    id: string,
    proposal: { body: string; title?: string; comment: string },
  ): Promise<ClauseProposal> {
    return this.request('POST', `/clauses/${seg(id)}/proposals`, proposal);
  }
  listProposals(id: string, signal?: AbortSignal): Promise<{ items: ClauseProposal[] }> {
    return this.request('GET', `/clauses/${seg(id)}/proposals`, undefined, signal);
  }
  approveProposal(id: string, proposalId: string, comment?: string): Promise<ClauseDecision> {
    return this.request('POST', `/clauses/${seg(id)}/proposals/${seg(proposalId)}/approve`, comment ? { comment } : {});
  }
  rejectProposal(id: string, proposalId: string, comment: string): Promise<ClauseDecision> {
    return this.request('POST', `/clauses/${seg(id)}/proposals/${seg(proposalId)}/reject`, { comment });
  }

  /** Fetches bytes with the bearer header (for blobs a plain link cannot authorize). */
  async fetchBlob(url: string, signal?: AbortSignal): Promise<Blob> {
    const response = await this.#fetch(url, { headers: this.authHeaders, credentials: 'omit', signal: signal ?? null });
    if (!response.ok) throw new ApiError(await readProblem(response));
    return response.blob();
  }

  /**
   * Follows an envelope's server-sent status events over fetch (EventSource cannot send a
   * bearer header). Resolves when the stream ends or `signal` aborts.
   */
  async streamEnvelopeStatus(
    id: string,
    onStatus: (event: EnvelopeStatusEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const response = await this.#fetch(this.url(`/envelopes/${encodeURIComponent(id)}/events`), {
      headers: { ...this.authHeaders, accept: 'text/event-stream' },
      credentials: 'omit',
      signal,
    });
    if (!response.ok || !response.body) throw new ApiError(await readProblem(response));
    await readSse(response.body, (message) => {
      if (message.event === 'status' && message.data) onStatus(JSON.parse(message.data) as EnvelopeStatusEvent);
    });
  }

  /**
   * Opens the multiplexed event stream for `envelopeIds` (`GET /api/v1/events`) and hands each
   * message to `onMessage` until the stream ends or `signal` aborts. Use {@link events}, which
   * shares one such stream among all subscribers, rather than calling this directly.
   */
  async streamEvents(
    envelopeIds: readonly string[],
    lastEventId: string | undefined,
    onMessage: (message: { event: string; data: string; id?: string }) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const qs = envelopeIds.map((id) => `envelope=${seg(id)}`).join('&');
    let response: Response;
    try {
      response = await this.#fetch(this.url(`/events?${qs}`), {
        headers: {
          ...this.authHeaders,
          accept: 'text/event-stream',
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
        credentials: 'omit',
        signal,
      });
    } catch (cause) {
      if ((cause as Error)?.name === 'AbortError') throw cause;
      throw new ApiError({
        type: 'about:blank#network',
        title: 'Network error',
        status: 0,
        detail: (cause as Error)?.message ?? 'The server could not be reached.',
      });
    }
    if (!response.ok || !response.body) throw new ApiError(await readProblem(response));
    await readSse(response.body, onMessage);
  }

  #events?: EnvelopeEventStream;
  /** The one status event stream of this client, shared by everything that follows an envelope. */
  get events(): EnvelopeEventStream {
    return (this.#events ??= new EnvelopeEventStream(this));
  }
}

interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

function parseSseBlock(block: string): SseMessage {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'event') event = value;
    else if (name === 'data') data.push(value);
    else if (name === 'id' && !value.includes('\0')) id = value;
  }
  return { event, data: data.join('\n'), ...(id === undefined ? {} : { id }) };
}

/** Reads server-sent events from a response body until it ends. */
async function readSse(body: NonNullable<Response['body']>, onMessage: (message: SseMessage) => void): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      onMessage(parseSseBlock(block));
    }
  }
}

/** Most envelopes the server follows on one stream (`GET /api/v1/events`). */
export const MAX_STREAM_ENVELOPES = 200;

/** What {@link EnvelopeEventStream.subscribe} calls back with. */
export interface EnvelopeStatusListener {
  /** The envelope's status: the current one first, then each change. */
  status(event: EnvelopeStatusEvent): void;
  /**
   * The envelope cannot be followed. `permanent` when retrying will not help (the server refused
   * the envelope or the token: 4xx); otherwise the stream failed and is being reopened.
   */
  error(error: ApiError, permanent: boolean): void;
}

export interface EnvelopeEventStreamOptions {
  /** How long to gather subscription changes before reopening the stream; default 20 ms. */
  debounceMs?: number;
  /** Milliseconds to wait before reconnecting after the `attempt`-th failure in a row (0: the server ended it). */
  reconnectDelay?: (attempt: number) => number;
}

/** Full-jitter-ish exponential backoff: about 1 s, 2 s, 4 s… up to 30 s. */
export function defaultReconnectDelay(attempt: number): number {
  const base = Math.min(30_000, 1000 * 2 ** attempt);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

const isPermanentStatus = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

/**
 * One server-sent event connection (`GET /api/v1/events?envelope=…`) shared by everything that
 * follows an envelope's status through one client: a page of badges holds one connection, not one
 * each (browsers allow six per origin over HTTP/1.1). The stream opens for the envelopes
 * subscribed, reopens (debounced) when that set changes, reconnects with backoff and
 * `Last-Event-ID` so no change is missed, and closes when the last subscriber leaves.
 */
export class EnvelopeEventStream {
  readonly #client: CountersignClient;
  readonly #debounceMs: number;
  readonly #reconnectDelay: (attempt: number) => number;
  readonly #listeners = new Map<string, Set<EnvelopeStatusListener>>();
  readonly #last = new Map<string, EnvelopeStatusEvent>();
  readonly #unavailable = new Map<string, ApiError>();
  /** Open connections by their sorted envelope ids (more than one only past {@link MAX_STREAM_ENVELOPES}). */
  readonly #open = new Map<string, { controller: AbortController; failed?: { error: ApiError; permanent: boolean } }>();
  #lastEventId?: string;
  #timer?: ReturnType<typeof setTimeout>;
  #connections = 0;

  constructor(client: CountersignClient, options: EnvelopeEventStreamOptions = {}) {
    this.#client = client;
    this.#debounceMs = options.debounceMs ?? 20;
    this.#reconnectDelay = options.reconnectDelay ?? defaultReconnectDelay;
  }

  /** Envelope ids with at least one subscriber. */
  get envelopeIds(): string[] {
    return [...this.#listeners.keys()];
  }

  /** True while a connection is open or being opened. */
  get open(): boolean {
    return this.#open.size > 0;
  }

  /** How many connections this stream has opened so far (reconnects included). */
  get connections(): number {
    return this.#connections;
  }

  /** Follows one envelope; returns the function that stops following it. */
  subscribe(envelopeId: string, listener: EnvelopeStatusListener): () => void {
    let set = this.#listeners.get(envelopeId);
    if (!set) this.#listeners.set(envelopeId, (set = new Set()));
    set.add(listener);
    const known = this.#last.get(envelopeId);
    const refused = this.#unavailable.get(envelopeId);
    if (known || refused) {
      queueMicrotask(() => {
        if (!set.has(listener)) return;
        if (refused) listener.error(refused, true);
        else if (known) listener.status(known);
      });
    }
    this.#schedule();
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      set.delete(listener);
      if (set.size > 0) return;
      this.#listeners.delete(envelopeId);
      this.#last.delete(envelopeId);
      this.#unavailable.delete(envelopeId);
      if (this.#listeners.size === 0) this.close();
      else this.#schedule();
    };
  }

  /** Closes the connection now (subscribing again reopens it). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const { controller } of this.#open.values()) controller.abort();
    this.#open.clear();
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#reconcile(), this.#debounceMs);
  }

  #reconcile(): void {
    this.#timer = undefined;
    const ids = [...this.#listeners.keys()].sort();
    if (ids.length === 0) return this.close();
    // The server follows at most MAX_STREAM_ENVELOPES per stream: a longer list takes more streams.
    const chunks = new Map<string, string[]>();
    for (let i = 0; i < ids.length; i += MAX_STREAM_ENVELOPES) {
      const chunk = ids.slice(i, i + MAX_STREAM_ENVELOPES);
      chunks.set(chunk.join('\n'), chunk);
    }
    for (const [key, { controller }] of this.#open) {
      if (chunks.has(key)) continue;
      controller.abort();
      this.#open.delete(key);
    }
    for (const [key, chunk] of chunks) {
      const current = this.#open.get(key);
      if (current) {
        // Same set: a subscriber that came while the stream was refused learns why.
        const failed = current.failed;
        if (failed?.permanent) for (const l of this.#listenersOf(chunk)) l.error(failed.error, true);
        continue;
      }
      const entry = { controller: new AbortController() };
      this.#open.set(key, entry);
      void this.#run(chunk, entry);
    }
  }

  *#listenersOf(ids: Iterable<string>): Iterable<EnvelopeStatusListener> {
    for (const id of ids) yield* [...(this.#listeners.get(id) ?? [])];
  }

  async #run(
    ids: string[],
    entry: { controller: AbortController; failed?: { error: ApiError; permanent: boolean } },
  ): Promise<void> {
    const signal = entry.controller.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        this.#connections++;
        await this.#client.streamEvents(
          ids,
          this.#lastEventId,
          (message) => {
            if (signal.aborted) return;
            failures = 0;
            entry.failed = undefined;
            this.#onMessage(message);
          },
          signal,
        );
      } catch (cause) {
        if (signal.aborted) return;
        const error =
          cause instanceof ApiError
            ? cause
            : new ApiError({
                type: 'about:blank#network',
                title: 'Network error',
                status: 0,
                detail: (cause as Error)?.message || 'The stream was cut off.',
              });
        const permanent = isPermanentStatus(error.status);
        entry.failed = { error, permanent };
        for (const l of this.#listenersOf(ids)) l.error(error, permanent);
        // Refused outright (a bad token, a role that may not read envelopes): only a new set retries.
        if (permanent) return;
        failures++;
      }
      if (signal.aborted) return;
      await sleep(this.#reconnectDelay(failures), signal);
    }
  }

  #onMessage(message: SseMessage): void {
    if (message.event === 'envelope.status') {
      if (message.id !== undefined) this.#lastEventId = message.id;
      const event = JSON.parse(message.data) as EnvelopeStatusEvent;
      this.#last.set(event.id, event);
      this.#unavailable.delete(event.id);
      for (const l of [...(this.#listeners.get(event.id) ?? [])]) l.status(event);
    } else if (message.event === 'envelope.unavailable') {
      const { id, ...problem } = JSON.parse(message.data) as Problem & { id: string };
      const error = new ApiError(problem);
      this.#unavailable.set(id, error);
      for (const l of [...(this.#listeners.get(id) ?? [])]) l.error(error, true);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

async function readProblem(response: Response): Promise<Problem> {
  try {
    const body = (await response.json()) as Partial<Problem>;
    return {
      type: body.type ?? 'about:blank',
      title: body.title ?? response.statusText,
      status: body.status ?? response.status,
      ...(body.detail ? { detail: body.detail } : {}),
      ...(body.errors ? { errors: body.errors } : {}),
    };
  } catch {
    return { type: 'about:blank', title: response.statusText || 'Request failed', status: response.status };
  }
}
