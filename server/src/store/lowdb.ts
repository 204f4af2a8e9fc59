import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
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
  TemplateRecord,
} from './types.ts';

/** Ids and hashes become file names: only this alphabet is ever used in a path. */
const SAFE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

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

/**
 * The embedded store: lowdb JSON files, one per envelope (envelope, recipients, values and its
 * audit chain), one per template and document, one per signing session (named by the token's
 * hash) and one for API keys. Every file is written by steno (temp file + rename), so a crash
 * leaves either the old or the new content. Writes to one envelope are serialized by a keyed
 * mutex; a write touches only that envelope's file, so its cost does not grow with the count.
 * The list index (summaries) lives in memory and is rebuilt from the files at start.
 */
export class LowdbStore implements Store {
  readonly #root: string;
  readonly #mutex = new KeyedMutex();
  readonly #envelopeFiles = new LruMap<Low<EnvelopeRecord>>(512);
  readonly #summaries = new Map<string, EnvelopeSummary>();
  readonly #templates = new Map<string, Low<TemplateRecord>>();
  readonly #documents = new Map<string, DocumentRecord>();
  readonly #clauses = new Map<string, Low<ClauseRecord>>();
  /** Recently used sessions only: one is issued per signing link, so an unbounded map would grow forever. */
  readonly #sessions = new LruMap<SessionRecord>(2048);
  #apiKeys!: Low<{ keys: ApiKeyRecord[] }>;

  private constructor(root: string) {
    this.#root = root;
  }

  static async open(dataDir: string): Promise<LowdbStore> {
    const store = new LowdbStore(path.join(dataDir, 'store'));
    await store.#load();
    return store;
  }

  #dir(kind: string): string {
    return path.join(this.#root, kind);
  }

  #file(kind: string, name: string): string {
    if (!SAFE_NAME.test(name)) throw new Error(`unsafe file name: ${name}`);
    return path.join(this.#dir(kind), `${name}.json`);
  }

  async #jsonFiles(kind: string): Promise<string[]> {
    const names = await readdir(this.#dir(kind));
    return names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).map((n) => n.slice(0, -5));
  }

  async #load(): Promise<void> {
    for (const kind of ['envelopes', 'templates', 'documents', 'sessions']) {
      await mkdir(this.#dir(kind), { recursive: true });
    }
    this.#apiKeys = new Low(new JSONFile(path.join(this.#root, 'api-keys.json')), { keys: [] });
    await this.#apiKeys.read();

    for (const id of await this.#jsonFiles('documents')) {
      const db = new Low<DocumentRecord | null>(new JSONFile(this.#file('documents', id)), null);
      await db.read();
      if (db.data) this.#documents.set(id, db.data);
    }
    for (const id of await this.#jsonFiles('templates')) {
      const db = new Low<TemplateRecord>(new JSONFile(this.#file('templates', id)), null as never);
      await db.read();
      if (db.data) this.#templates.set(id, db);
    }
    await mkdir(this.#dir('clauses'), { recursive: true });
    for (const id of await this.#jsonFiles('clauses')) {
      const db = new Low<ClauseRecord>(new JSONFile(this.#file('clauses', id)), null as never);
      await db.read();
      if (db.data) this.#clauses.set(id, db);
    }
    // Rebuild the list index; reading in small parallel batches keeps startup short.
    const ids = await this.#jsonFiles('envelopes');
    const batch = 64;
    for (let i = 0; i < ids.length; i += batch) {
      await Promise.all(
        ids.slice(i, i + batch).map(async (id) => {
          const db = await this.#openEnvelope(id, false);
          if (db?.data) this.#summaries.set(id, summarize(db.data));
        }),
      );
    }
  }

  /** Call under the envelope's lock (or at startup, with cache = false). */
  async #openEnvelope(id: string, cache = true): Promise<Low<EnvelopeRecord> | undefined> {
    if (!SAFE_NAME.test(id)) return undefined;
    const hit = this.#envelopeFiles.get(id);
    if (hit) return hit;
    const db = new Low<EnvelopeRecord>(new JSONFile(this.#file('envelopes', id)), null as never);
    await db.read();
    if (!db.data) return undefined;
    if (cache) this.#envelopeFiles.set(id, db);
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
      const db = new Low<DocumentRecord>(new JSONFile(this.#file('documents', doc.id)), doc);
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
      const db = new Low<TemplateRecord>(new JSONFile(this.#file('templates', t.id)), t);
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
        const db = new Low<EnvelopeRecord>(new JSONFile(this.#file('envelopes', e.id)), structuredClone(e));
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
      const db = new Low<SessionRecord>(new JSONFile(this.#file('sessions', s.tokenHash)), s);
      await db.write();
      this.#sessions.set(s.tokenHash, s);
    },
    findByHash: async (hash: string) => {
      if (!SAFE_NAME.test(hash)) return undefined;
      const hit = this.#sessions.get(hash);
      if (hit) return hit;
      const db = new Low<SessionRecord | null>(new JSONFile(this.#file('sessions', hash)), null);
      await db.read();
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
        const db = new Low<ClauseRecord>(new JSONFile(this.#file('clauses', c.id)), structuredClone(c));
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
