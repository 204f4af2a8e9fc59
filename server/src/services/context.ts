import type { AuditActor, AuthMethod, Role } from '@countersign/core';
import type { AppDeps } from '../deps.ts';
import type { EventBus } from './events.ts';
import type { TaskTracker } from './tasks.ts';

/** Dependencies every service gets (the optional ones resolved by createApp). */
export type ServiceDeps = Required<Omit<AppDeps, 'mailer'>> &
  Pick<AppDeps, 'mailer'> & { events: EventBus; tasks: TaskTracker };

/** Who is calling, with what: built by the route layer, never from HTTP objects below it. */
export interface RequestMeta {
  ip?: string;
  userAgent?: string;
}

/** The person behind an embed token, as the host's back end vouched for them. */
export interface StaffUser {
  id: string;
  name: string;
  email: string;
}

export interface StaffPrincipal {
  kind: 'api_key' | 'embed_token';
  /** The API key's id, or `user:<id>` for an embed token (what "own" envelopes are keyed by). */
  keyId: string;
  name: string;
  role: Role;
  /** Embed tokens only: the acting person, who becomes the audit actor. */
  user?: StaffUser;
  /** Embed tokens only: the API key that minted the token. */
  mintedBy?: string;
}

export interface SignerPrincipal {
  kind: 'recipient';
  envelopeId: string;
  recipientId: string;
  tokenHash: string;
  expiresAt: string;
  authMethod: AuthMethod;
}

export function staffActor(p: StaffPrincipal): AuditActor {
  if (p.user) return { kind: 'user', id: p.user.id, name: p.user.name, email: p.user.email, role: p.role };
  return { kind: 'api_key', id: p.keyId, name: p.name, role: p.role };
}
