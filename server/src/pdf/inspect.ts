import { createHash } from 'node:crypto';
import { PDF, PdfArray, PdfName, PdfRef } from '@libpdf/core';
import { PdfRejectedError } from './errors.ts';
import { pageFrame, userToVisible, type PageBox } from './geometry.ts';

export interface InspectedPdf {
  /** The bytes to store: the upload unchanged, or a repaired rewrite when the file needed repair. */
  bytes: Uint8Array;
  repaired: boolean;
  /** SHA-256 of `bytes`, hex. */
  sha256: string;
  pages: number;
  pageBoxes: PageBox[];
  /** Existing AcroForm fields; geometry as fractions of the visible page from its top-left (best effort). */
  formFields: Array<{
    name: string;
    /** @libpdf/core's field type: text, checkbox, radio, dropdown, listbox, signature, button, … */
    type: string;
    /** The field's Required flag (/Ff bit 2). */
    required: boolean;
    page?: number;
    x?: number;
    y?: number;
    width?: number;
    height?: number;
  }>;
  /** What the parser had to work around (empty for a clean file). */
  warnings: string[];
}

const DEFAULT_MAX_PDF_BYTES = 50 * 1024 * 1024;
const MAX_PAGES = 5000;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function describeNonPdf(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 16));
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'a PNG image';
  if (head[0] === 0xff && head[1] === 0xd8) return 'a JPEG image';
  if (head.subarray(0, 4).toString('latin1') === 'PK\u0003\u0004') return 'a ZIP archive (for example a Word document)';
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'a GIF image';
  return 'not a PDF';
}

/** The position of "%PDF-" (viewers accept up to 1 KB of junk before it). */
function pdfHeaderOffset(bytes: Uint8Array): number {
  const limit = Math.min(bytes.length - 5, 1024);
  for (let i = 0; i <= limit; i++) {
    if (
      bytes[i] === 0x25 &&
      bytes[i + 1] === 0x50 &&
      bytes[i + 2] === 0x44 &&
      bytes[i + 3] === 0x46 &&
      bytes[i + 4] === 0x2d
    )
      return i;
  }
  return -1;
}

/** Library messages, in words an uploader can act on. */
function explain(message: string): string {
  if (/no objects found/i.test(message)) return 'no PDF objects could be found in it';
  if (/no catalog|missing \/Root/i.test(message)) return 'its document catalog (the root of its structure) is missing';
  if (/Pages/.test(message)) return 'its page tree is unreadable';
  return message.replace(/\s+/g, ' ').slice(0, 160);
}

function damaged(detail: string): PdfRejectedError {
  return new PdfRejectedError(
    'damaged',
    `This PDF is damaged and cannot be repaired (${detail}). Open it in a PDF viewer, save or print it to a new PDF, and upload that file.`,
  );
}

/** Load with @libpdf/core, mapping every failure to a PdfRejectedError. */
export async function loadForSigning(bytes: Uint8Array): Promise<PDF> {
  let pdf: PDF;
  try {
    pdf = await PDF.load(bytes);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/encrypt|password|decrypt/i.test(message) || looksEncrypted(bytes)) throw encryptedError();
    if (err instanceof RangeError) throw damaged('its structure is nested too deeply');
    throw damaged(explain(message));
  }
  if (pdf.isEncrypted) throw encryptedError();
  return pdf;
}

/** An /Encrypt entry in a trailer or cross-reference stream dictionary. */
function looksEncrypted(bytes: Uint8Array): boolean {
  return /\/Encrypt\s*(\d+\s+\d+\s+R|<<)/.test(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'),
  );
}

function encryptedError(): PdfRejectedError {
  return new PdfRejectedError(
    'encrypted',
    'This PDF is encrypted: password-protected PDFs cannot be signed; remove the password and upload again.',
  );
}

/**
 * Check an upload before it becomes a document to sign: it must be a PDF, not encrypted, not
 * empty, with readable pages. A file the parser could only read by reconstructing its structure
 * is rewritten cleanly (`repaired: true`), so what we store and later seal is well-formed.
 * Throws only PdfRejectedError.
 */
export async function inspectPdf(bytes: Uint8Array, opts: { maxBytes?: number } = {}): Promise<InspectedPdf> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_PDF_BYTES;
  if (!bytes || bytes.length === 0) throw new PdfRejectedError('empty', 'The uploaded file is empty.');
  if (bytes.length > maxBytes) {
    throw new PdfRejectedError(
      'too_large',
      `The PDF is ${formatMb(bytes.length)}; the limit is ${formatMb(maxBytes)}. Reduce its size (for example by compressing images) and upload again.`,
    );
  }
  if (pdfHeaderOffset(bytes) < 0) {
    throw new PdfRejectedError(
      'not_pdf',
      `The uploaded file is ${describeNonPdf(bytes)}, not a PDF. Upload a PDF document, or a PNG or JPEG image.`,
    );
  }
  try {
    return await inspectLoaded(bytes);
  } catch (err) {
    if (err instanceof PdfRejectedError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw damaged(err instanceof RangeError ? 'its structure is nested too deeply' : explain(message));
  }
}

async function inspectLoaded(original: Uint8Array): Promise<InspectedPdf> {
  let pdf = await loadForSigning(original);
  let bytes = original;
  let repaired = false;
  const warnings = [...pdf.warnings];
  const count = pdf.getPageCount();
  if (count === 0) throw damaged('no pages could be found in it');
  if (count > MAX_PAGES)
    throw new PdfRejectedError('too_large', `The PDF has ${count} pages; the limit is ${MAX_PAGES}.`);

  if (pdf.recoveredViaBruteForce) {
    // The cross-reference data was unusable; write a clean file and check that it reads back.
    // (Touch the catalog: an unchanged document would be saved as its original bytes.)
    pdf.getCatalog().set('Type', PdfName.of('Catalog'));
    const rewritten = await pdf.save();
    let reread: PDF;
    try {
      reread = await PDF.load(rewritten);
    } catch (err) {
      throw damaged(`the repaired file could not be read back: ${(err as Error).message}`);
    }
    if (reread.recoveredViaBruteForce || reread.getPageCount() !== count)
      throw damaged('its page structure could not be recovered');
    pdf = reread;
    bytes = rewritten;
    repaired = true;
  }

  const pages = pdf.getPages();
  const frames = pages.map((p) => pageFrame(pdf, p));
  const pageBoxes: PageBox[] = frames.map(({ width, height, rotation }) => ({ width, height, rotation }));
  return {
    bytes,
    repaired,
    sha256: sha256Hex(bytes),
    pages: pages.length,
    pageBoxes,
    formFields: readFormFields(pdf, frames),
    warnings,
  };
}

function readFormFields(pdf: PDF, frames: ReturnType<typeof pageFrame>[]): InspectedPdf['formFields'] {
  const out: InspectedPdf['formFields'] = [];
  let form;
  try {
    form = pdf.getForm();
  } catch {
    return out;
  }
  if (!form) return out;
  const pageIndex = new Map<number, number>();
  const annotPage = new Map<number, number>();
  pdf.getPages().forEach((p, i) => {
    pageIndex.set(p.ref.objectNumber, i);
    const annots = p.dict.get('Annots', (r) => pdf.getObject(r));
    if (annots instanceof PdfArray) for (const a of annots) if (a instanceof PdfRef) annotPage.set(a.objectNumber, i);
  });
  for (const field of form.getFields()) {
    try {
      const widget = field.getWidgets()[0];
      const entry: InspectedPdf['formFields'][number] = {
        name: field.name,
        type: field.type,
        required: field.isRequired(),
      };
      const index = widget?.pageRef
        ? pageIndex.get(widget.pageRef.objectNumber)
        : widget?.ref
          ? annotPage.get(widget.ref.objectNumber)
          : undefined;
      if (widget && index !== undefined) {
        const frame = frames[index]!;
        const [x1, y1, x2, y2] = widget.rect;
        const a = userToVisible(frame, x1, y1);
        const b = userToVisible(frame, x2, y2);
        const left = Math.min(a.x, b.x);
        const top = frame.height - Math.max(a.y, b.y);
        entry.page = index + 1;
        entry.x = round4(left / frame.width);
        entry.y = round4(top / frame.height);
        entry.width = round4(Math.abs(b.x - a.x) / frame.width);
        entry.height = round4(Math.abs(b.y - a.y) / frame.height);
      }
      out.push(entry);
    } catch {
      out.push({ name: field.name, type: field.type, required: false });
    }
  }
  return out;
}

function round4(n: number): number {
  return Math.round(n * 10000) / 10000;
}

function formatMb(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
