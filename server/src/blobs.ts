import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { mkdirPrivate, writeFileAtomic } from './store/lowdb.ts';

/** Content-addressed blob storage: bytes are named by their SHA-256, never by a user's file name. */
export interface BlobStore {
  /** Stores bytes (idempotent) and returns their SHA-256 (hex). */
  put(bytes: Uint8Array): Promise<{ sha256: string; size: number }>;
  get(sha256: string): Promise<Uint8Array | undefined>;
  size(sha256: string): Promise<number | undefined>;
  /** A stream of bytes [start, end] (inclusive). */
  stream(sha256: string, range?: { start: number; end: number }): ReadableStream<Uint8Array>;
}

const HEX64 = /^[0-9a-f]{64}$/;

export class FileBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  static async open(dataDir: string): Promise<FileBlobStore> {
    const root = path.join(dataDir, 'blobs');
    await mkdirPrivate(root);
    return new FileBlobStore(root);
  }

  #path(sha256: string): string {
    if (!HEX64.test(sha256)) throw new Error('invalid blob id');
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(bytes: Uint8Array): Promise<{ sha256: string; size: number }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = this.#path(sha256);
    if ((await this.size(sha256)) === bytes.byteLength) return { sha256, size: bytes.byteLength };
    await mkdirPrivate(path.dirname(file));
    // A unique 0600 temp file, fsynced, renamed over the final name, the directory fsynced.
    await writeFileAtomic(file, bytes);
    return { sha256, size: bytes.byteLength };
  }

  async get(sha256: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.#path(sha256)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async size(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(this.#path(sha256))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  stream(sha256: string, range?: { start: number; end: number }): ReadableStream<Uint8Array> {
    const node = createReadStream(this.#path(sha256), range ? { start: range.start, end: range.end } : {});
    return Readable.toWeb(node) as unknown as ReadableStream<Uint8Array>;
  }
}
