import { DomainError, notFound } from '../errors.ts';
import { inspectPdf, PdfRejectedError } from '../pdf/index.ts';
import type { DocumentRecord } from '../store/types.ts';
import { requireRole } from './auth.ts';
import type { ServiceDeps, StaffPrincipal } from './context.ts';

export const DOCUMENT_ROLES = ['admin', 'legal'] as const;

const REJECTION: Record<PdfRejectedError['reason'], DomainError['kind']> = {
  not_pdf: 'unsupported-media-type',
  encrypted: 'unprocessable-pdf',
  damaged: 'unprocessable-pdf',
  too_large: 'payload-too-large',
  empty: 'unprocessable-pdf',
};

/** A file name kept as text only: control characters dropped, length bounded. Never a path. */
export function cleanFileName(name: string): string {
  const cleaned = name.replace(/\p{Cc}/gu, '').trim();
  return (cleaned || 'document.pdf').slice(0, 255);
}

export class DocumentService {
  constructor(private readonly deps: ServiceDeps) {}

  async upload(p: StaffPrincipal, input: { name: string; bytes: Uint8Array }): Promise<DocumentRecord> {
    requireRole(p, DOCUMENT_ROLES);
    const max = this.deps.config.maxUploadBytes;
    if (input.bytes.byteLength > max) {
      throw new DomainError('payload-too-large', `The file is larger than the limit of ${max} bytes`);
    }
    let inspected;
    try {
      inspected = await inspectPdf(input.bytes, { maxBytes: max });
    } catch (err) {
      if (err instanceof PdfRejectedError) {
        throw new DomainError(REJECTION[err.reason] ?? 'unprocessable-pdf', err.message, {
          errors: [{ path: 'file', message: err.reason }],
        });
      }
      throw err;
    }
    const { sha256, size } = await this.deps.blobs.put(inspected.bytes);
    const record: DocumentRecord = {
      id: this.deps.ids.id('doc'),
      name: cleanFileName(input.name),
      sha256,
      pages: inspected.pages,
      size,
      repaired: inspected.repaired,
      pageBoxes: inspected.pageBoxes,
      createdAt: this.deps.clock.now().toISOString(),
      createdBy: p.keyId,
    };
    await this.deps.store.documents.insert(record);
    return record;
  }

  async get(p: StaffPrincipal, id: string): Promise<DocumentRecord> {
    requireRole(p, DOCUMENT_ROLES);
    const doc = await this.deps.store.documents.get(id);
    if (!doc) throw notFound('Document');
    return doc;
  }
}
