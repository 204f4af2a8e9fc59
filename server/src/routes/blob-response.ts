import type { Context } from 'hono';
import { DomainError } from '../errors.ts';
import type { AppEnv } from './common.ts';

type Range = { start: number; end: number };

/** Parses a single `bytes=` range; undefined = serve the whole file, 'bad' = 416. */
export function parseRange(header: string | undefined, size: number): Range | undefined | 'bad' {
  if (!header) return undefined;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header.trim());
  if (!m) return header.includes(',') ? undefined : 'bad';
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return 'bad';
  let start: number;
  let end: number;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'bad';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || start > end) return 'bad';
  return { start, end };
}

function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\/;%]/g, '_') || 'document.pdf';
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Streams a PDF from the blob store with Range (206/416), ETag = sha256 and If-None-Match. */
export async function servePdf(c: Context<AppEnv>, sha256: string, name: string): Promise<Response> {
  const blobs = c.get('services').deps.blobs;
  const size = await blobs.size(sha256);
  if (size === undefined) {
    // The record exists but its bytes do not: data loss on the server, not a bad request.
    console.error(`[countersign] blob ${sha256} is missing from the blob store`);
    throw new DomainError(
      'gone',
      'The PDF’s bytes are no longer in storage; an administrator has to restore them from a backup',
    );
  }
  const etag = `"${sha256}"`;
  const headers: Record<string, string> = {
    'Content-Type': 'application/pdf',
    'Accept-Ranges': 'bytes',
    ETag: etag,
    'Cache-Control': 'private, no-store',
    'Content-Disposition': contentDisposition(name),
    'X-Content-Type-Options': 'nosniff',
  };
  // If-None-Match compares weakly (W/ ignored); If-Range only with a strong, exact ETag.
  const ifNoneMatch = c.req.header('if-none-match')?.split(/\s*,\s*/);
  if (ifNoneMatch?.some((tag) => tag === '*' || tag.replace(/^W\//, '') === etag)) {
    return new Response(null, { status: 304, headers });
  }
  const ifRange = c.req.header('if-range');
  const range = ifRange && ifRange !== etag ? undefined : parseRange(c.req.header('range'), size);
  if (range === 'bad') {
    throw new DomainError('range-not-satisfiable', `The document has ${size} bytes`, {
      headers: { 'Content-Range': `bytes */${size}`, 'Accept-Ranges': 'bytes' },
    });
  }
  if (!range) {
    headers['Content-Length'] = String(size);
    return new Response(blobs.stream(sha256), { status: 200, headers });
  }
  headers['Content-Length'] = String(range.end - range.start + 1);
  headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
  return new Response(blobs.stream(sha256, range), { status: 206, headers });
}

/** A PDF made for this request (a preview): never cached, shown inline. */
export function pdfResponse(bytes: Uint8Array, name: string): Response {
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Length': String(bytes.byteLength),
      'Cache-Control': 'private, no-store',
      'Content-Disposition': contentDisposition(name),
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
