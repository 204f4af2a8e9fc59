import { mkdir } from 'node:fs/promises';
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
import { LowdbStore } from './store/lowdb.ts';

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
  await mkdir(dataDir, { recursive: true });
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
