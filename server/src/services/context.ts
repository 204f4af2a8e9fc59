import type { AuditActor, AuthMethod, Role } from '@countersign/core';
import type { AppDeps } from '../deps.ts';
import type { EventBus } from './events.ts';
import type { TaskTracker } from './tasks.ts';

/** Dependencies every service gets (the optional ones resolved by createApp). */
export type ServiceDeps = Required<AppDeps> & { events: EventBus; tasks: TaskTracker };

/** Who is calling, with what: built by the route layer, never from HTTP objects below it. */
export interface RequestMeta {
  ip?: string;
  userAgent?: string;
}

export interface StaffPrincipal {
  kind: 'api_key';
  keyId: string;
  name: string;
  role: Role;
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
  return { kind: 'api_key', id: p.keyId, name: p.name, role: p.role };
}
