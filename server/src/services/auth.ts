import { createHash } from 'node:crypto';
import type { Role } from '@countersign/core';
import { DomainError, forbidden } from '../errors.ts';
import type { ApiKeyRecord } from '../store/types.ts';
import type { ServiceDeps, SignerPrincipal, StaffPrincipal } from './context.ts';
import { EmbedTokenService, looksLikeJwt } from './embed-tokens.ts';

export const API_KEY_PREFIX = 'cs_live_';
export const SIGNING_TOKEN_PREFIX = 'cs_sign_';

export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function unauthorized(detail: string): DomainError {
  return new DomainError('unauthorized', detail, { headers: { 'WWW-Authenticate': 'Bearer' } });
}

export function requireRole(p: StaffPrincipal, roles: readonly Role[]): void {
  if (!roles.includes(p.role)) throw forbidden(`Role ${p.role} may not do this`);
}

/** Key management needs a back-end credential: an embed token (a person in a browser) never gets there. */
export function requireApiKey(p: StaffPrincipal): void {
  if (p.kind !== 'api_key') throw forbidden('This needs an API key; an embed token may not do it');
}

export class AuthService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Creates an API key; the secret is returned once and only its hash is stored. */
  async createApiKey(input: { name: string; role: Role }): Promise<{ record: ApiKeyRecord; key: string }> {
    const key = `${API_KEY_PREFIX}${this.deps.ids.token()}`;
    const record: ApiKeyRecord = {
      id: this.deps.ids.id('key'),
      name: input.name,
      role: input.role,
      hash: sha256Text(key),
      createdAt: this.deps.clock.now().toISOString(),
    };
    await this.deps.store.apiKeys.insert(record);
    return { record, key };
  }

  /** Stores an existing key's hash (bootstrap admin key); idempotent. */
  async ensureApiKey(key: string, name: string, role: Role): Promise<void> {
    const hash = sha256Text(key);
    if (await this.deps.store.apiKeys.findByHash(hash)) return;
    await this.deps.store.apiKeys.insert({
      id: this.deps.ids.id('key'),
      name,
      role,
      hash,
      createdAt: this.deps.clock.now().toISOString(),
    });
  }

  async authenticateStaff(token: string | undefined): Promise<StaffPrincipal> {
    if (!token) throw unauthorized('An API key is required (Authorization: Bearer <key>)');
    if (looksLikeJwt(token)) return new EmbedTokenService(this.deps).verify(token);
    const record = await this.deps.store.apiKeys.findByHash(sha256Text(token));
    if (!record) throw unauthorized('Unknown API key');
    return { kind: 'api_key', keyId: record.id, name: record.name, role: record.role };
  }

  async authenticateSigner(token: string | undefined): Promise<SignerPrincipal> {
    if (!token) throw unauthorized('A signing session token is required (Authorization: Bearer <token>)');
    const hash = sha256Text(token);
    const session = await this.deps.store.sessions.findByHash(hash);
    if (!session) throw unauthorized('Unknown signing session token');
    if (new Date(session.expiresAt).getTime() <= this.deps.clock.now().getTime()) {
      throw new DomainError('token-expired', 'This signing session has expired; ask for a new link', {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="expired"' },
      });
    }
    return {
      kind: 'recipient',
      envelopeId: session.envelopeId,
      recipientId: session.recipientId,
      tokenHash: hash,
      expiresAt: session.expiresAt,
      authMethod: 'none',
    };
  }
}
