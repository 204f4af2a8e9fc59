import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { createApp, resolveServiceDeps, type CountersignApp } from './app.ts';
import { FileBlobStore } from './blobs.ts';
import { resolveConfig, type Config } from './config.ts';
import { randomIds, SettableClock, type AppDeps, type Clock, type Ids, type Mailer } from './deps.ts';
import { loadSealSigner, type SealSigner } from './pdf/index.ts';
import { API_KEY_PREFIX, AuthService } from './services/auth.ts';
import type { ServiceDeps } from './services/context.ts';
import { loadEmbedSecret } from './services/embed-tokens.ts';
import { SealService } from './services/seal.ts';
import { DIR_MODE, FILE_MODE, LowdbStore, mkdirPrivate } from './store/lowdb.ts';

export interface OpenOptions extends Partial<Omit<Config, 'allowedOrigins'>> {
  dataDir: string;
  /** The admin API key to accept; when absent and the store has no key yet, one is generated. */
  adminKey?: string;
  clock?: Clock;
  ids?: Ids;
  allowedOrigins?: string[];
  p12Path?: string;
  passphrase?: string;
  /** A ready signer (tests may share one); otherwise loadSealSigner({dataDir, p12Path, passphrase}). */
  signer?: SealSigner;
  /** Outgoing mail; without it the server sends none. */
  mailer?: Mailer;
}

export interface Countersign {
  app: CountersignApp;
  deps: ServiceDeps;
  /** The clock in use; a SettableClock unless one was passed, so tests can `set`/`advance` it. */
  clock: Clock;
  /**
   * The admin key: the one passed in, or the one generated on first start of an empty store.
   * Undefined when the store already had keys and none was passed (only its hash is stored).
   */
  adminKey: string | undefined;
  adminKeyGenerated: boolean;
  /** Waits for background work (sealing). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the store and blobs in dataDir, loads the seal signer and builds the app. */
export async function openCountersign(options: OpenOptions): Promise<Countersign> {
  const dataDir = path.resolve(options.dataDir);
  await mkdirPrivate(dataDir);
  await tidyDataDir(dataDir);
  const {
    dataDir: _d,
    adminKey: givenKey,
    clock: givenClock,
    ids,
    p12Path,
    passphrase,
    signer: givenSigner,
    mailer,
    ...rest
  } = options;
  const config = resolveConfig(rest);
  const [store, blobs, signer] = await Promise.all([
    LowdbStore.open(dataDir),
    FileBlobStore.open(dataDir),
    givenSigner ?? loadSealSigner({ dataDir, p12Path, passphrase }),
  ]);
  const clock = givenClock ?? new SettableClock();
  const embedSecret = await loadEmbedSecret(dataDir);
  const appDeps: AppDeps = { store, blobs, clock, ids: ids ?? randomIds, signer, config, embedSecret };
  if (mailer) appDeps.mailer = mailer;
  const deps = resolveServiceDeps(appDeps);
  const auth = new AuthService(deps);

  let adminKey = givenKey;
  let adminKeyGenerated = false;
  if (adminKey) {
    await auth.ensureApiKey(adminKey, 'admin (bootstrap)', 'admin');
  } else if ((await store.apiKeys.list()).length === 0) {
    adminKey = `${API_KEY_PREFIX}${deps.ids.token()}`;
    adminKeyGenerated = true;
    await auth.ensureApiKey(adminKey, 'admin (generated)', 'admin');
  }

  const app = createApp(deps);
  await new SealService(deps).resumePending();

  return {
    app,
    deps,
    clock,
    adminKey,
    adminKeyGenerated,
    idle: () => deps.tasks.idle(),
    close: async () => {
      await deps.tasks.idle();
      await store.close();
    },
  };
}

/** A temp file older than this is left over whoever wrote it (its pid may have been reused). */
const STALE_TEMP_MS = 10 * 60_000;

/** Whether a `<file>.<pid>.<random>.tmp` can still be renamed into place by a live writer. */
function writerMayBeAlive(name: string, mtimeMs: number): boolean {
  const pid = Number(/\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name)?.[1]);
  // Nothing of ours has been written yet, so a temp file of our own pid is a dead process's.
  if (!pid || pid === process.pid || Date.now() - mtimeMs > STALE_TEMP_MS) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Before anything is opened: removes the temp files a crash left behind (a process starting
 * beside us on the same dir keeps its own), and narrows every directory to 0700 and every file
 * to 0600, so data dirs made before modes were set explicitly (or under a wide umask) are fixed.
 * Symbolic links are left alone; a mode that cannot be changed is reported, not fatal.
 */
async function tidyDataDir(dataDir: string): Promise<void> {
  const entries = await readdir(dataDir, { withFileTypes: true, recursive: true });
  let removed = 0;
  const refused: string[] = [];
  const tidy = async (file: string, isDir: boolean) => {
    const st = await lstat(file).catch(() => undefined);
    if (!st) return;
    if (!isDir && file.endsWith('.tmp') && !writerMayBeAlive(file, st.mtimeMs)) {
      await rm(file, { force: true });
      removed++;
      return;
    }
    const mode = isDir ? DIR_MODE : FILE_MODE;
    if ((st.mode & 0o7777) !== mode) await chmod(file, mode).catch(() => refused.push(file));
  };
  await tidy(dataDir, true);
  const batch = 64;
  const work = entries.filter((e) => e.isDirectory() || e.isFile());
  for (let i = 0; i < work.length; i += batch) {
    await Promise.all(work.slice(i, i + batch).map((e) => tidy(path.join(e.parentPath, e.name), e.isDirectory())));
  }
  if (removed) console.error(`[countersign] removed ${removed} temp file(s) left by an interrupted write`);
  if (refused.length) {
    console.error(
      `[countersign] could not narrow the mode of ${refused.length} path(s) in ${dataDir}, e.g. ${refused[0]}`,
    );
  }
}
