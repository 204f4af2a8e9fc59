import { canonicalize } from 'json-canonicalize';
import type { AuditEvent } from './types.ts';

/** prevHash of the first event of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

const encoder = new TextEncoder();

function toHex(buffer: ArrayBuffer): string {
  let out = '';
  for (const byte of new Uint8Array(buffer)) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** SHA-256 (lowercase hex) of bytes or a UTF-8 string, through WebCrypto (browser and Node). */
export async function sha256Hex(input: string | Uint8Array): Promise<string> {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  return toHex(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/** RFC 8785 (JCS) canonical JSON. */
export function canonicalJson(value: unknown): string {
  return canonicalize(value);
}

/** The hash an event must carry: SHA-256 over the canonical JSON of the event without `hash`. */
export async function hashAuditEvent(event: Omit<AuditEvent, 'hash'> | AuditEvent): Promise<string> {
  const { hash: _ignored, ...rest } = event as AuditEvent;
  return sha256Hex(canonicalJson(rest));
}

/** Links an unhashed event onto a chain whose last hash is `prevHash`. */
export async function linkAuditEvent(
  event: Omit<AuditEvent, 'hash' | 'prevHash'>,
  prevHash: string,
): Promise<AuditEvent> {
  // A JSON round trip drops undefined members, so the hash covers exactly what is stored.
  const linked = JSON.parse(JSON.stringify({ ...event, prevHash })) as Omit<AuditEvent, 'hash'>;
  return { ...linked, hash: await hashAuditEvent(linked) };
}

export interface ChainVerification {
  valid: boolean;
  /** seq of the first event that breaks the chain (changed, removed, reordered). */
  brokenAt?: number;
  /** Position (0-based) in the list of that event. */
  brokenIndex?: number;
  reason?: 'hash' | 'link' | 'sequence';
  headHash: string;
}

/**
 * Verifies a whole chain: each event's hash matches its content, each prevHash is the hash of
 * the event before it, and seq counts up from 1 without gaps.
 */
export async function verifyAuditChain(events: readonly AuditEvent[]): Promise<ChainVerification> {
  let prev = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    const broken = (reason: ChainVerification['reason']): ChainVerification => ({
      valid: false,
      brokenAt: typeof event.seq === 'number' ? event.seq : index + 1,
      brokenIndex: index,
      reason,
      headHash: events.at(-1)?.hash ?? GENESIS_HASH,
    });
    if (event.seq !== index + 1) return broken('sequence');
    if (event.prevHash !== prev) return broken('link');
    if ((await hashAuditEvent(event)) !== event.hash) return broken('hash');
    prev = event.hash;
  }
  return { valid: true, headHash: prev };
}
