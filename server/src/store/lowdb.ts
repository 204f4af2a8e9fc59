import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { EnvelopeStatus } from '@countersign/core';
import { Low, type Adapter } from 'lowdb';
import { z } from 'zod';
import { DomainError } from '../errors.ts';
import { KeyedMutex } from './mutex.ts';
import { searchKey } from './search.ts';
import type {
  ApiKeyRecord,
  ClauseRecord,
  DocumentRecord,
  EnvelopeRecord,
  EnvelopeSummary,
  SessionRecord,
  Store,
  StoreHealth,
  TemplateRecord,
} from './types.ts';

/** Ids and hashes become file names: only this alphabet is ever used in a path. */
const SAFE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/** Modes of everything in the data dir, set explicitly so the umask never widens them. */
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/**
 * Makes its entry durable: without an fsync of the directory, a rename (or a new file) can be
 * lost to a power cut even though the file's own bytes were flushed.
 */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some platforms (Windows) cannot fsync a directory; the rename is then as durable as it gets.
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await handle.close();
  }
}

/** mkdir -p with 0700 on every directory it creates, whatever the umask, each fsynced into its parent. */
export async function mkdirPrivate(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: DIR_MODE });
  if (first === undefined) return;
  const created: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    created.unshift(d);
    if (d === path.resolve(first) || d === path.dirname(d)) break;
  }
  for (const d of created) {
    await chmod(d, DIR_MODE);
    await syncDir(path.dirname(d));
  }
}

/** `<file>.<pid>.<random>.tmp`: unique per write, and names the process that was writing it. */
export const tempName = (file: string) => `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;

/**
 * Writes the temp file (0600), fsyncs it, renames it over `file` and fsyncs the directory: after
 * a crash or power cut the file holds either the old or the new bytes, and once this resolves
 * the new ones are on disk.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempName(file);
  await writeFileSynced(tmp, data);
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(path.dirname(file));
}

/** Creates `file` (which must not exist) as 0600 and fsyncs its bytes; removes it again on failure. */
export async function writeFileSynced(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(file, 'wx', FILE_MODE);
  let written = false;
  try {
    await handle.chmod(FILE_MODE);
    await handle.writeFile(data);
    await handle.sync();
    written = true;
  } finally {
    await handle.close();
    if (!written) await rm(file, { force: true });
  }
}

/** A file in the data dir whose content the store cannot use. */
export class DamagedFileError extends Error {
  override name = 'DamagedFileError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

const text = z.string();
const ENVELOPE_STATUSES = [
  'draft',
  'sent',
  'completed',
  'declined',
  'voided',
  'expired',
] as const satisfies readonly EnvelopeStatus[];

/** The shape each kind of file must have for the store to use it (extra keys are kept). */
const SHAPES = {
  envelopes: z.looseObject({
    id: text,
    title: text,
    status: z.enum(ENVELOPE_STATUSES),
    documentId: text,
    documentSha256: text,
    createdBy: z.looseObject({ keyId: text }),
    createdAt: text,
    updatedAt: text,
    sentAt: text.optional(),
    completedAt: text.optional(),
    recipients: z.array(
      z.looseObject({ id: text, status: text, name: text, email: text, role: text, action: text, order: z.number() }),
    ),
    fields: z.array(z.looseObject({ id: text })),
    values: z.record(z.string(), z.looseObject({ fieldId: text })),
    seal: z.looseObject({ state: z.enum(['pending', 'sealed', 'failed']) }).optional(),
    audit: z.array(z.looseObject({ seq: z.number(), type: text, hash: text })),
  }),
  templates: z.looseObject({
    id: text,
    name: text,
    createdAt: text,
    versions: z.array(z.looseObject({ version: z.number(), status: z.enum(['draft', 'published']) })),
  }),
  documents: z.looseObject({ id: text, name: text, sha256: text, pages: z.number() }),
  clauses: z.looseObject({
    id: text,
    key: text,
    versions: z.array(z.looseObject({})),
    proposals: z.array(z.looseObject({})),
  }),
  sessions: z.looseObject({ tokenHash: text, envelopeId: text, recipientId: text, expiresAt: text }),
  'api-keys': z.looseObject({
    keys: z.array(z.looseObject({ id: text, name: text, role: text, hash: text })),
  }),
} satisfies Record<string, z.ZodType>;
type FileKind = keyof typeof SHAPES;
/** Each of these (but api-keys) is a directory of `<id>.json` files under store/. */
const ID_FIELD: Partial<Record<FileKind, string>> = {
  envelopes: 'id',
  templates: 'id',
  documents: 'id',
  clauses: 'id',
  sessions: 'tokenHash',
};

/** The first problem zod found, as one line: `recipients.0.email: expected string`. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
}

/**
 * lowdb's adapter for one JSON file, with what lowdb's own JSONFile lacks: writes are fsynced
 * (see writeFileAtomic) and 0600, and a read checks that the content parses and has the shape
 * of its kind (and the id of its name), throwing DamagedFileError otherwise.
 */
class DurableJsonFile<T> implements Adapter<T> {
  constructor(
    readonly file: string,
    readonly kind: FileKind,
  ) {}

  async read(): Promise<T | null> {
    let content: string;
    try {
      content = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      if ((err as NodeJS.ErrnoException).code === 'EISDIR')
        throw new DamagedFileError(this.file, 'a directory, not a file');
      throw err;
    }
    if (content.trim() === '') throw new DamagedFileError(this.file, 'the file is empty');
    let data: unknown;
    try {
      data = JSON.parse(content);
    } catch (err) {
      throw new DamagedFileError(this.file, `not JSON (${(err as Error).message})`);
    }
    const checked = SHAPES[this.kind].safeParse(data);
    if (!checked.success)
      throw new DamagedFileError(this.file, `not a valid ${this.kind} record: ${firstIssue(checked.error)}`);
    const idField = ID_FIELD[this.kind];
    if (idField) {
      const id = (data as Record<string, unknown>)[idField];
      if (`${id}.json` !== path.basename(this.file))
        throw new DamagedFileError(this.file, `${idField} ${JSON.stringify(id)} does not match the file name`);
    }
    // The content as it was written, not zod's copy: validation must never rewrite a record.
    return data as T;
  }

  write(data: T): Promise<void> {
    return writeFileAtomic(this.file, JSON.stringify(data, null, 2));
  }
}

function summarize(e: EnvelopeRecord): EnvelopeSummary {
  return {
    id: e.id,
    title: e.title,
    status: e.status,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    ...(e.sentAt ? { sentAt: e.sentAt } : {}),
    ...(e.completedAt ? { completedAt: e.completedAt } : {}),
    createdByKeyId: e.createdBy.keyId,
    sealed: e.seal?.state === 'sealed',
    recipients: e.recipients.map(({ id, status, name, email, role, action, order }) => ({
      id,
      status,
      name,
      email,
      role,
      action,
      order,
    })),
    searchText: searchKey([e.title, e.id, ...e.recipients.flatMap((r) => [r.name, r.email])].join('\n')),
  };
}

/**
 * Runs `fn` on a copy of the file's data and writes the copy; the cached data is replaced only
 * once `fn` has succeeded, and put back if the write fails, so a failed change leaves no trace.
 */
async function writeDraft<D, T>(db: Low<D>, fn: (draft: D) => T | Promise<T>): Promise<{ draft: D; result: T }> {
  const draft = structuredClone(db.data);
  const result = await fn(draft);
  const previous = db.data;
  db.data = draft;
  try {
    await db.write();
  } catch (err) {
    db.data = previous;
    throw err;
  }
  return { draft, result };
}

/** A small LRU map, so memory stays bounded however many envelopes and sessions exist. */
class LruMap<V> {
  #map = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get size(): number {
    return this.#map.size;
  }
  get(key: string): V | undefined {
    const hit = this.#map.get(key);
    if (hit) {
      this.#map.delete(key);
      this.#map.set(key, hit);
    }
    return hit;
  }
  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    while (this.#map.size > this.limit) {
      const oldest = this.#map.keys().next().value as string;
      this.#map.delete(oldest);
    }
  }
}

/** A directory of `<id>.json` files under store/. */
type DirKind = Exclude<FileKind, 'api-keys'>;

/**
 * The embedded store: lowdb JSON files, one per envelope (envelope, recipients, values and its
 * audit chain), one per template and document, one per signing session (named by the token's
 * hash) and one for API keys. Every file is written by writeFileAtomic (temp file, fsync,
 * rename, fsync of the directory), so a crash or power cut leaves either the old or the new
 * content. Writes to one envelope are serialized by a keyed mutex; a write touches only that
 * envelope's file, so its cost does not grow with the count. The list index (summaries) lives
 * in memory and is rebuilt from the files at start.
 *
 * A file that does not parse or lacks what the store needs is moved to `<dataDir>/quarantine/`
 * at start (with a `.reason.txt` beside it, and a log line), and the store starts without it.
 * One that goes bad while the server runs makes only its own envelope (or session) fail with a
 * 500, is logged once, and is counted by `health()` until it reads again.
 */
export class LowdbStore implements Store {
  readonly #root: string;
  readonly #quarantineDir: string;
  readonly #mutex = new KeyedMutex();
  readonly #envelopeFiles = new LruMap<Low<EnvelopeRecord>>(512);
  readonly #summaries = new Map<string, EnvelopeSummary>();
  readonly #templates = new Map<string, Low<TemplateRecord>>();
  readonly #documents = new Map<string, DocumentRecord>();
  readonly #clauses = new Map<string, Low<ClauseRecord>>();
  /** Recently used sessions only: one is issued per signing link, so an unbounded map would grow forever. */
  readonly #sessions = new LruMap<SessionRecord>(2048);
  #apiKeys!: Low<{ keys: ApiKeyRecord[] }>;
  /** Files in quarantine/ (from this start and earlier ones). */
  #quarantined = 0;
  /** Files found damaged while running (`kind/name`), until they read again. */
  readonly #unreadable = new Set<string>();

  private constructor(dataDir: string) {
    this.#root = path.join(dataDir, 'store');
    this.#quarantineDir = path.join(dataDir, 'quarantine');
  }

  static async open(dataDir: string): Promise<LowdbStore> {
    const store = new LowdbStore(dataDir);
    await store.#load();
    return store;
  }

  health(): StoreHealth {
    return { quarantined: this.#quarantined, unreadable: this.#unreadable.size };
  }

  #dir(kind: DirKind): string {
    return path.join(this.#root, kind);
  }

  #file(kind: DirKind, name: string): string {
    if (!SAFE_NAME.test(name)) throw new Error(`unsafe file name: ${name}`);
    return path.join(this.#dir(kind), `${name}.json`);
  }

  #db<T>(kind: DirKind, name: string, initial: T): Low<T> {
    return new Low<T>(new DurableJsonFile<T>(this.#file(kind, name), kind), initial);
  }

  /** The ids of a directory's files; a file whose name is not an id is quarantined. */
  async #jsonFiles(kind: DirKind): Promise<string[]> {
    const ids: string[] = [];
    for (const n of await readdir(this.#dir(kind))) {
      if (!n.endsWith('.json') || n.startsWith('.')) continue;
      const id = n.slice(0, -5);
      if (SAFE_NAME.test(id)) ids.push(id);
      else await this.#quarantine(path.join(this.#dir(kind), n), 'the file name is not a valid id');
    }
    return ids;
  }

  /** Reads a file at start; one that cannot be used is quarantined and false returned. */
  async #readAtStart(db: { read(): Promise<void> }): Promise<boolean> {
    try {
      await db.read();
      return true;
    } catch (err) {
      if (!(err instanceof DamagedFileError)) throw err;
      await this.#quarantine(err.file, err.reason);
      return false;
    }
  }

  /** Moves a damaged file to quarantine/ (same relative path, name plus a timestamp) with its reason. */
  async #quarantine(file: string, reason: string): Promise<void> {
    const rel = path.relative(this.#root, file);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const targetDir = path.join(this.#quarantineDir, path.dirname(rel));
    const target = path.join(targetDir, `${path.basename(rel, '.json')}.${stamp}.json`);
    await mkdirPrivate(targetDir);
    await rename(file, target);
    await syncDir(path.dirname(file));
    await writeFileAtomic(target.replace(/\.json$/, '.reason.txt'), `store/${rel}: ${reason}\n`);
    this.#quarantined++;
    console.error(
      `[countersign] quarantined store/${rel} as ${path.relative(path.dirname(this.#root), target)}: ${reason}`,
    );
  }

  async #countQuarantined(): Promise<number> {
    try {
      const entries = await readdir(this.#quarantineDir, { withFileTypes: true, recursive: true });
      return entries.filter((e) => e.isFile() && e.name.endsWith('.json')).length;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
  }

  /** The error for a request that met a file gone bad since start: logged once, counted, a 500. */
  #damaged(kind: DirKind, name: string, err: DamagedFileError): DomainError {
    const key = `${kind}/${name}`;
    if (!this.#unreadable.has(key)) {
      this.#unreadable.add(key);
      console.error(`[countersign] store/${key}.json is damaged (${err.reason}); it is quarantined at the next start`);
    }
    const what = kind === 'sessions' ? 'This signing session' : `Envelope ${name}`;
    return new DomainError('internal', `${what} cannot be read from the data dir; the operator has been alerted`);
  }

  /** Reads a file while running: a damaged one throws #damaged's 500 for that record only. */
  async #read(kind: DirKind, name: string, db: { read(): Promise<void> }): Promise<void> {
    try {
      await db.read();
    } catch (err) {
      if (err instanceof DamagedFileError) throw this.#damaged(kind, name, err);
      throw err;
    }
    this.#unreadable.delete(`${kind}/${name}`);
  }

  async #load(): Promise<void> {
    for (const kind of ['envelopes', 'templates', 'documents', 'sessions', 'clauses'] as const) {
      await mkdirPrivate(this.#dir(kind));
    }
    this.#quarantined = await this.#countQuarantined();
    this.#apiKeys = new Low(new DurableJsonFile(path.join(this.#root, 'api-keys.json'), 'api-keys'), { keys: [] });
    await this.#readAtStart(this.#apiKeys);

    for (const id of await this.#jsonFiles('documents')) {
      const db = this.#db<DocumentRecord | null>('documents', id, null);
      if ((await this.#readAtStart(db)) && db.data) this.#documents.set(id, db.data);
    }
    for (const id of await this.#jsonFiles('templates')) {
      const db = this.#db<TemplateRecord>('templates', id, null as never);
      if ((await this.#readAtStart(db)) && db.data) this.#templates.set(id, db);
    }
    for (const id of await this.#jsonFiles('clauses')) {
      const db = this.#db<ClauseRecord>('clauses', id, null as never);
      if ((await this.#readAtStart(db)) && db.data) this.#clauses.set(id, db);
    }
    // Rebuild the list index; reading in small parallel batches keeps startup short.
    const ids = await this.#jsonFiles('envelopes');
    const batch = 64;
    for (let i = 0; i < ids.length; i += batch) {
      await Promise.all(
        ids.slice(i, i + batch).map(async (id) => {
          const db = this.#db<EnvelopeRecord>('envelopes', id, null as never);
          if ((await this.#readAtStart(db)) && db.data) this.#summaries.set(id, summarize(db.data));
        }),
      );
    }
  }

  /** Call under the envelope's lock. */
  async #openEnvelope(id: string): Promise<Low<EnvelopeRecord> | undefined> {
    if (!SAFE_NAME.test(id)) return undefined;
    const hit = this.#envelopeFiles.get(id);
    if (hit) return hit;
    const db = this.#db<EnvelopeRecord>('envelopes', id, null as never);
    await this.#read('envelopes', id, db);
    if (!db.data) return undefined;
    this.#envelopeFiles.set(id, db);
    return db;
  }
  apiKeys = {
    list: async () => structuredClone(this.#apiKeys.data.keys),
    findByHash: async (hash: string) => this.#apiKeys.data.keys.find((k) => k.hash === hash),
    insert: (key: ApiKeyRecord) =>
      this.#mutex.run('api-keys', async () => {
        await this.#apiKeys.update((d) => {
          d.keys.push(key);
        });
      }),
  };

  documents = {
    get: async (id: string) => this.#documents.get(id),
    insert: async (doc: DocumentRecord) => {
      const db = this.#db<DocumentRecord>('documents', doc.id, doc);
      await db.write();
      this.#documents.set(doc.id, doc);
    },
  };

  templates = {
    get: async (id: string) => {
      const db = this.#templates.get(id);
      return db ? structuredClone(db.data) : undefined;
    },
    list: async () => [...this.#templates.values()].map((db) => structuredClone(db.data)),
    insert: async (t: TemplateRecord) => {
      const db = this.#db<TemplateRecord>('templates', t.id, t);
      await db.write();
      this.#templates.set(t.id, db);
    },
    update: <T>(id: string, fn: (t: TemplateRecord) => T | Promise<T>) =>
      this.#mutex.run(`template:${id}`, async () => {
        const db = this.#templates.get(id);
        if (!db) throw new Error(`template ${id} missing`);
        return (await writeDraft(db, fn)).result;
      }),
  };

  envelopes = {
    get: async (id: string) => {
      // A cache miss reads the file under the envelope's lock: a read racing a transaction could
      // otherwise install a stale copy in the cache, and the next transaction would build on it.
      const db = this.#envelopeFiles.get(id) ?? (await this.#mutex.run(`envelope:${id}`, () => this.#openEnvelope(id)));
      return db ? structuredClone(db.data) : undefined;
    },
    list: async (filter: { createdByKeyId?: string } = {}) => {
      const out: EnvelopeSummary[] = [];
      for (const s of this.#summaries.values()) {
        if (filter.createdByKeyId && s.createdByKeyId !== filter.createdByKeyId) continue;
        out.push(s);
      }
      return out.sort((a, b) =>
        a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
      );
    },
    insert: (e: EnvelopeRecord) =>
      this.#mutex.run(`envelope:${e.id}`, async () => {
        if (this.#summaries.has(e.id)) throw new Error(`envelope ${e.id} exists`);
        const db = this.#db<EnvelopeRecord>('envelopes', e.id, structuredClone(e));
        await db.write();
        this.#envelopeFiles.set(e.id, db);
        this.#summaries.set(e.id, summarize(e));
      }),
    transact: <T>(id: string, fn: (e: EnvelopeRecord) => T | Promise<T>) =>
      this.#mutex.run(`envelope:${id}`, async () => {
        const db = await this.#openEnvelope(id);
        if (!db) throw new Error(`envelope ${id} missing`);
        const { draft, result } = await writeDraft(db, fn);
        this.#summaries.set(id, summarize(draft));
        return result;
      }),
    count: () => this.#summaries.size,
  };

  sessions = {
    insert: async (s: SessionRecord) => {
      const db = this.#db<SessionRecord>('sessions', s.tokenHash, s);
      await db.write();
      this.#sessions.set(s.tokenHash, s);
    },
    findByHash: async (hash: string) => {
      if (!SAFE_NAME.test(hash)) return undefined;
      const hit = this.#sessions.get(hash);
      if (hit) return hit;
      const db = this.#db<SessionRecord | null>('sessions', hash, null);
      await this.#read('sessions', hash, db);
      if (db.data) this.#sessions.set(hash, db.data);
      return db.data ?? undefined;
    },
  };

  clauses = {
    get: async (id: string) => {
      const db = this.#clauses.get(id);
      return db ? structuredClone(db.data) : undefined;
    },
    list: async () => [...this.#clauses.values()].map((db) => structuredClone(db.data)),
    // One lock for every insert, so two clauses with one key cannot both pass the check.
    insert: (c: ClauseRecord) =>
      this.#mutex.run('clauses', async () => {
        const key = c.key.toLowerCase();
        for (const db of this.#clauses.values()) if (db.data.key.toLowerCase() === key) return false;
        const db = this.#db<ClauseRecord>('clauses', c.id, structuredClone(c));
        await db.write();
        this.#clauses.set(c.id, db);
        return true;
      }),
    update: <T>(id: string, fn: (c: ClauseRecord) => T | Promise<T>) =>
      this.#mutex.run(`clause:${id}`, async () => {
        const db = this.#clauses.get(id);
        if (!db) throw new Error(`clause ${id} missing`);
        return (await writeDraft(db, fn)).result;
      }),
  };

  async close(): Promise<void> {
    await this.#mutex.idle();
  }
}
