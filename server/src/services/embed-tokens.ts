import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Role } from '@countersign/core';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { DomainError, forbidden } from '../errors.ts';
import type { ServiceDeps, StaffPrincipal, StaffUser } from './context.ts';

export const EMBED_ISSUER = 'countersign';
export const EMBED_AUDIENCE = 'countersign:staff-embed';
export const EMBED_DEFAULT_TTL_S = 900;
export const EMBED_MAX_TTL_S = 3600;
const ROLES: readonly Role[] = ['admin', 'legal', 'manager', 'agent'];
const SECRET_FILE = 'embed-token.secret';

/** A JWT: three base64url segments. API keys (`cs_live_…`) and signing tokens never look like one. */
export const looksLikeJwt = (token: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);

/**
 * The HMAC key for embed tokens: 32 random bytes made once and kept in the data dir (0600),
 * written to a temp file and renamed so a crash never leaves half a key. Two processes starting
 * at once on an empty dir: the rename of the second wins, so both re-read the file afterwards.
 */
export async function loadEmbedSecret(dataDir: string): Promise<Uint8Array> {
  const file = path.join(dataDir, SECRET_FILE);
  const read = async () => {
    const text = (await readFile(file, 'utf8')).trim();
    const bytes = Buffer.from(text, 'base64url');
    if (bytes.length < 32) throw new Error(`${file} holds fewer than 32 bytes`);
    return new Uint8Array(bytes);
  };
  try {
    return await read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(randomBytes(32).toString('base64url'));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return read();
}

export interface MintInput {
  role: Role;
  user: StaffUser;
  expiresIn?: number;
}

function invalidToken(detail: string): DomainError {
  return new DomainError('unauthorized', detail, {
    headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${detail}"` },
  });
}

/** Short-lived staff credentials for elements in a host's console, minted by the host's back end. */
export class EmbedTokenService {
  constructor(private readonly deps: ServiceDeps) {}

  /**
   * Only an admin API key mints: the host's back end vouches for the user's identity and role,
   * so the key that does so must be one that could grant that role anyway. An embed token never
   * mints another (no chain of delegation).
   */
  async mint(p: StaffPrincipal, input: MintInput): Promise<{ token: string; expiresAt: string }> {
    if (p.kind !== 'api_key') throw forbidden('Embed tokens are minted with an API key, not with another embed token');
    if (p.role !== 'admin') throw forbidden('Only an admin API key may mint embed tokens');
    const ttl = input.expiresIn ?? EMBED_DEFAULT_TTL_S;
    const now = this.deps.clock.now();
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + ttl;
    const token = await new SignJWT({ role: input.role, user: input.user, key: p.keyId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(EMBED_ISSUER)
      .setAudience(EMBED_AUDIENCE)
      .setSubject(input.user.id)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(this.deps.ids.id('jti'))
      .sign(this.deps.embedSecret);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  async verify(token: string): Promise<StaffPrincipal> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.deps.embedSecret, {
        algorithms: ['HS256'],
        issuer: EMBED_ISSUER,
        audience: EMBED_AUDIENCE,
        requiredClaims: ['exp', 'iat', 'jti', 'sub'],
        currentDate: this.deps.clock.now(),
        maxTokenAge: EMBED_MAX_TTL_S,
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw invalidToken('The embed token has expired');
      throw invalidToken('The embed token is not valid');
    }
    const { role, user } = payload as { role?: unknown; user?: Partial<StaffUser> };
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) throw invalidToken('Bad role claim');
    if (!user || typeof user.id !== 'string' || typeof user.name !== 'string' || typeof user.email !== 'string') {
      throw invalidToken('Bad user claim');
    }
    if (user.id !== payload.sub) throw invalidToken('The user does not match the subject');
    return {
      kind: 'embed_token',
      keyId: `user:${user.id}`,
      name: user.name,
      role: role as Role,
      user: { id: user.id, name: user.name, email: user.email },
      mintedBy: typeof payload.key === 'string' ? payload.key : undefined,
    };
  }
}
