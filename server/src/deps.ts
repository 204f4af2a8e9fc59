import { randomBytes, randomUUID } from 'node:crypto';
import type { BlobStore } from './blobs.ts';
import type { Config } from './config.ts';
import type { SealSigner } from './pdf/index.ts';
import type { Store } from './store/types.ts';
import type { EventBus } from './services/events.ts';
import type { TaskTracker } from './services/tasks.ts';

export interface Clock {
  now(): Date;
}

/** A clock tests can move: `set(date)` pins it, `advance(ms)` moves it, `reset()` follows real time. */
export class SettableClock implements Clock {
  #offsetMs = 0;
  #fixed: Date | undefined;
  now(): Date {
    return this.#fixed ? new Date(this.#fixed) : new Date(Date.now() + this.#offsetMs);
  }
  set(date: Date | string): void {
    this.#fixed = new Date(date);
  }
  advance(ms: number): void {
    if (this.#fixed) this.#fixed = new Date(this.#fixed.getTime() + ms);
    else this.#offsetMs += ms;
  }
  reset(): void {
    this.#fixed = undefined;
    this.#offsetMs = 0;
  }
}

export interface Ids {
  /** A new unique id with a readable prefix, e.g. `env_…`. */
  id(prefix: string): string;
  /** A new secret: ≥ 32 random bytes, base64url. */
  token(): string;
}

export const randomIds: Ids = {
  id: (prefix) => `${prefix}_${randomUUID().replaceAll('-', '')}`,
  token: () => randomBytes(32).toString('base64url'),
};

/** One message to a person (plain text; the transport adds what it needs). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** A mail transport. Without one the server sends no mail and says so (SigningView.notifications). */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export interface AppDeps {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  ids: Ids;
  signer: SealSigner;
  config: Config;
  /** Domain events (status changes); created by createApp when absent. */
  events?: EventBus;
  /** Background work (sealing); created by createApp when absent. */
  tasks?: TaskTracker;
  /** HMAC key of embed tokens (bootstrap keeps it in the data dir); a random one when absent. */
  embedSecret?: Uint8Array;
  /** Outgoing mail; absent (the default) means the server sends none. */
  mailer?: Mailer;
}
