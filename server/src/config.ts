/** Runtime configuration of the server; every value has a default so tests pass only what they vary. */
export interface Config {
  /** Base URL the server is reachable at (used in links). */
  publicUrl: string;
  /** Template of the signer link; `{token}` is replaced (kept in the fragment so it never reaches logs). */
  signingUrl: string;
  /** Origins allowed by CORS (exact match). */
  allowedOrigins: string[];
  /** Minutes a signing session token is valid. */
  sessionTtlMinutes: number;
  /** Largest accepted upload, bytes. */
  maxUploadBytes: number;
  /** Largest JSON request body, bytes (a drawn signature, base64, is the biggest legitimate one). */
  maxJsonBytes: number;
  /** Largest drawn signature PNG, bytes (decoded). */
  maxSignatureBytes: number;
  /** Longest text field value, characters. */
  maxTextLength: number;
  /**
   * Behind one trusted reverse proxy: take the client IP from the last X-Forwarded-For entry (the
   * one that proxy appended; earlier entries come from the client and can be forged).
   */
  trustProxy: boolean;
  /** Version id of the ESIGN/UETA disclosure shown to signers. */
  consentVersion: string;
  /** Interval of SSE heartbeat comments, ms. */
  heartbeatMs: number;
}

export const DEFAULT_PUBLIC_URL = 'http://localhost:8787';

export function resolveConfig(partial: Partial<Config> = {}): Config {
  const publicUrl = (partial.publicUrl ?? DEFAULT_PUBLIC_URL).replace(/\/+$/, '');
  return {
    publicUrl,
    signingUrl: partial.signingUrl ?? `${publicUrl}/demo/account.html#token={token}`,
    allowedOrigins: partial.allowedOrigins ?? [],
    sessionTtlMinutes: partial.sessionTtlMinutes ?? 30,
    maxUploadBytes: partial.maxUploadBytes ?? 25 * 1024 * 1024,
    maxJsonBytes: partial.maxJsonBytes ?? 1024 * 1024,
    maxSignatureBytes: partial.maxSignatureBytes ?? 512 * 1024,
    maxTextLength: partial.maxTextLength ?? 2000,
    trustProxy: partial.trustProxy ?? false,
    consentVersion: partial.consentVersion ?? 'esign-2024-01',
    heartbeatMs: partial.heartbeatMs ?? 15_000,
  };
}
