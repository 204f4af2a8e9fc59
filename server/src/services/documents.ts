import type { FieldType, PdfFormField, UploadedDocument } from '@countersign/core';
import { DomainError, notFound } from '../errors.ts';
import { imageKind, imageToPdf } from '../pdf/image.ts';
import { inspectPdf, PdfRejectedError, type InspectedPdf } from '../pdf/index.ts';
import type { DocumentRecord } from '../store/types.ts';
import { requireRole } from './auth.ts';
import type { ServiceDeps, StaffPrincipal } from './context.ts';

/** Legal and admin upload template PDFs; agents and managers upload supporting documents. */
export const DOCUMENT_ROLES = ['admin', 'legal', 'manager', 'agent'] as const;

/** The PDF's own field types that have one of ours; push buttons and the like are left out. */
const FORM_FIELD_TYPES: Record<string, FieldType> = {
  signature: 'signature',
  checkbox: 'checkbox',
  radio: 'checkbox',
  text: 'text',
  dropdown: 'text',
  listbox: 'text',
};

/** AcroForm fields with a known page and box, as fields the builder can offer. */
export function toFormFields(found: InspectedPdf['formFields']): PdfFormField[] {
  const out: PdfFormField[] = [];
  for (const f of found) {
    const type = FORM_FIELD_TYPES[f.type];
    if (!type || f.page === undefined || f.x === undefined || f.y === undefined) continue;
    if (!f.width || !f.height) continue;
    out.push({
      name: f.name,
      type,
      pdfType: f.type,
      page: f.page,
      x: f.x,
      y: f.y,
      width: f.width,
      height: f.height,
      required: f.required,
    });
  }
  return out;
}

/** A stored document as the API returns it (upload and GET alike). */
export function publicDocument(doc: DocumentRecord): UploadedDocument {
  return {
    id: doc.id,
    name: doc.name,
    sha256: doc.sha256,
    pages: doc.pages,
    size: doc.size,
    createdAt: doc.createdAt,
    sourceType: doc.sourceType ?? 'pdf',
    originalSize: doc.originalSize ?? doc.size,
    formFields: doc.formFields ?? [],
  };
}

const REJECTION: Record<PdfRejectedError['reason'], DomainError['kind']> = {
  not_pdf: 'unsupported-media-type',
  encrypted: 'unprocessable-pdf',
  damaged: 'unprocessable-pdf',
  too_large: 'payload-too-large',
  empty: 'unprocessable-pdf',
  image_damaged: 'unprocessable-image',
  image_too_many_pixels: 'unprocessable-image',
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
    // A PNG or JPEG (known by its bytes) becomes a one-page PDF first; everything else must be a PDF.
    const image = imageKind(input.bytes);
    let inspected;
    try {
      const pdf = image ? (await imageToPdf(input.bytes, image)).pdf : input.bytes;
      inspected = await inspectPdf(pdf, { maxBytes: max });
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
      sourceType: image ?? 'pdf',
      originalSize: input.bytes.byteLength,
      formFields: toFormFields(inspected.formFields),
      createdAt: this.deps.clock.now().toISOString(),
      createdBy: p.keyId,
    };
    await this.deps.store.documents.insert(record);
    return record;
  }

  /** A document the principal may read: an agent only its own uploads (others are 404 to it). */
  async get(p: StaffPrincipal, id: string): Promise<DocumentRecord> {
    requireRole(p, DOCUMENT_ROLES);
    const doc = await this.deps.store.documents.get(id);
    if (!doc || (p.role === 'agent' && doc.createdBy !== p.keyId)) throw notFound('Document');
    return doc;
  }
}
