import { ApiError } from '@countersign/core';
import type { CsErrorDetail } from './cs-element.ts';

/** The `cs-error` codes the data-loading elements use. */
export type LoadErrorCode = 'unauthorized' | 'forbidden' | 'not-found' | 'network' | 'server';

/**
 * Turns whatever a client call threw into a `cs-error` detail. Shared by the elements that
 * load envelope data (<cs-status-badge>, <cs-audit-viewer>).
 */
export function toErrorDetail(error: unknown): CsErrorDetail & { code: LoadErrorCode } {
  if (error instanceof ApiError) {
    const code: LoadErrorCode =
      error.status === 0
        ? 'network'
        : error.status === 401
          ? 'unauthorized'
          : error.status === 403
            ? 'forbidden'
            : error.status === 404
              ? 'not-found'
              : 'server';
    return { code, message: error.message, status: error.status };
  }
  // fetch() itself rejects with a TypeError when the server cannot be reached.
  return { code: 'network', message: (error as Error)?.message || 'The server could not be reached.', status: 0 };
}

/** True for errors that retrying will not fix (the server answered with a 4xx). */
export function isPermanent(detail: CsErrorDetail): boolean {
  return (
    detail.status !== undefined &&
    detail.status >= 400 &&
    detail.status < 500 &&
    detail.status !== 408 &&
    detail.status !== 429
  );
}
