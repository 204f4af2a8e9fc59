import { PDF, PdfName } from '@libpdf/core';
import { DocumentFonts, PageCanvas } from './canvas.ts';
import { drawCertificate, type CertificateOfCompletion } from './certificate.ts';
import { settleForm } from './form.ts';
import { pageFrame } from './geometry.ts';
import { loadForSigning, sha256Hex } from './inspect.ts';
import type { SealSigner } from './signer.ts';
import { drawStamp, normalizeStamps, type Stamp } from './stamps.ts';

export interface SealInput {
  /** The stored document (as returned by inspectPdf). */
  original: Uint8Array;
  stamps: Stamp[];
  certificate: CertificateOfCompletion;
  signer: SealSigner;
  reason?: string;
  location?: string;
}

export interface SealResult {
  /** The sealed PDF: the original bytes followed by incremental updates (stamps, certificate, signature). */
  bytes: Uint8Array;
  sha256: string;
  /** SHA-256 of the stamped document, which is the first `stampedLength` bytes of `bytes`. */
  stampedSha256?: string;
  stampedLength?: number;
}

/**
 * @libpdf/core refuses incremental saves of linearized files (it would rewrite all 4 MB). An
 * incremental update of a linearized file is valid PDF (readers simply stop using the
 * linearization hints), and it keeps the uploaded bytes intact, so we allow it.
 */
function allowIncremental(pdf: PDF): void {
  if (pdf.isLinearized) (pdf as unknown as { _isLinearized: boolean })._isLinearized = false;
}

/** The parts of @libpdf/core 0.4's PDF we use to chain incremental updates without re-parsing. */
interface PdfInternals {
  saveInternal(options: { incremental: boolean }): { bytes: Uint8Array; xrefOffset: number };
  originalBytes: Uint8Array;
  originalXRefOffset: number;
  ctx: { registry: { _nextObjNum: number } };
  reload(bytes: Uint8Array): Promise<void>;
}

function internals(pdf: PDF): PdfInternals | undefined {
  const p = pdf as unknown as PdfInternals;
  return typeof p.saveInternal === 'function' &&
    p.originalBytes instanceof Uint8Array &&
    typeof p.originalXRefOffset === 'number' &&
    typeof p.ctx?.registry?._nextObjNum === 'number'
    ? p
    : undefined;
}

/**
 * Write pending changes as an incremental update and continue editing on top of it. Re-parsing
 * the result (what `reload` does) costs as much as the first load — 150+ ms on a 4 MB file — so
 * we point the document at its new bytes instead; the parsed objects are unchanged.
 */
async function commitRevision(pdf: PDF): Promise<Uint8Array> {
  const p = internals(pdf);
  if (!p) {
    const bytes = await pdf.save({ incremental: true });
    await pdf.reload(bytes);
    allowIncremental(pdf);
    return bytes;
  }
  const { bytes, xrefOffset } = p.saveInternal({ incremental: true });
  p.originalBytes = bytes;
  p.originalXRefOffset = xrefOffset;
  // A cross-reference stream took the next object number without reserving it.
  p.ctx.registry._nextObjNum += 1;
  return bytes;
}

/**
 * `PDF.sign` saves, patches in the signature, then re-parses the whole file so that the instance
 * can be signed again. We discard the instance, so skip the re-parse: its final `save()` then
 * returns the signed bytes.
 */
function skipReloadAfterSigning(pdf: PDF): void {
  const p = internals(pdf);
  if (!p) return;
  Object.defineProperty(pdf, 'reload', {
    configurable: true,
    value: async (bytes: Uint8Array) => {
      p.originalBytes = bytes;
    },
  });
}

/** Load a stored document for an incremental update (a file that needed reconstruction is rewritten first). */
async function openForUpdate(original: Uint8Array): Promise<{ pdf: PDF; base: Uint8Array }> {
  let pdf = await loadForSigning(original);
  allowIncremental(pdf);
  let base = original;
  if (pdf.canSaveIncrementally() !== null) {
    // Only files that needed reconstruction get here (inspectPdf stores those already rewritten).
    pdf.getCatalog().set('Type', PdfName.of('Catalog'));
    base = await pdf.save();
    pdf = await PDF.load(base);
  }
  return { pdf, base };
}

/** The form's fields drawn into the pages, and the field values stamped on top. Returns whether anything changed. */
async function stampPages(pdf: PDF, input: Stamp[]): Promise<boolean> {
  const pages = pdf.getPages();
  const stamps = normalizeStamps(input, pages.length);
  const settled = settleForm(pdf, stamps);
  const fonts = new DocumentFonts(pdf);
  const canvases = new Map<number, PageCanvas>();
  const images = new Map<Uint8Array, ReturnType<PDF['embedPng']>>();
  for (const stamp of stamps) {
    let canvas = canvases.get(stamp.page);
    if (!canvas) {
      const page = pages[stamp.page - 1]!;
      canvas = new PageCanvas(pdf, page, pageFrame(pdf, page), fonts);
      canvases.set(stamp.page, canvas);
    }
    drawStamp(pdf, canvas, stamp, images);
  }
  await fonts.finalize();
  for (const c of canvases.values()) c.flush();
  return (
    canvases.size > 0 ||
    settled.flattened > 0 ||
    settled.cleared.length > 0 ||
    settled.removedSignatureFields.length > 0
  );
}

/**
 * The document with values stamped where they will be sealed, and nothing else (no certificate,
 * no signature): what a preview shows before an envelope exists. An incremental update, like the seal.
 */
export async function stampPdf(original: Uint8Array, stamps: Stamp[]): Promise<Uint8Array> {
  const { pdf, base } = await openForUpdate(original);
  return (await stampPages(pdf, stamps)) ? await pdf.save({ incremental: true }) : base;
}

export async function sealPdf(input: SealInput): Promise<SealResult> {
  const { pdf, base } = await openForUpdate(input.original);

  // Revision 1: the form's fields drawn into the pages, and the field values stamped on top.
  const stamped = (await stampPages(pdf, input.stamps)) ? await commitRevision(pdf) : base;
  const stampedSha256 = sha256Hex(stamped);

  // Revision 2: the certificate of completion and the PAdES signature over everything.
  const last = pdf.getPages().at(-1);
  const lastFrame = last ? pageFrame(pdf, last) : undefined;
  const pageSize =
    lastFrame && lastFrame.width >= 400 && lastFrame.height >= 500 && lastFrame.width < 2000 && lastFrame.height < 2000
      ? { width: lastFrame.width, height: lastFrame.height }
      : { width: 612, height: 792 };
  const certFonts = new DocumentFonts(pdf);
  const certPages = drawCertificate(pdf, certFonts, input.certificate, {
    stampedSha256,
    stampedLength: stamped.length,
    signerSubject: input.signer.subject,
    signerCertificateSha256: input.signer.certificateSha256,
    pageSize,
  });
  await certFonts.finalize();
  for (const c of certPages) c.flush();

  skipReloadAfterSigning(pdf);
  const { bytes } = await pdf.sign({
    signer: input.signer.signer,
    subFilter: 'ETSI.CAdES.detached',
    reason: input.reason ?? 'Sealed by Countersign: the document and its certificate of completion',
    location: input.location,
    fieldName: uniqueSealFieldName(pdf),
  });
  if (bytes.length <= stamped.length || !startsWith(bytes, stamped))
    throw new Error('sealing did not append to the stamped document');
  return { bytes, sha256: sha256Hex(bytes), stampedSha256, stampedLength: stamped.length };
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, prefix.length).equals(
    Buffer.from(prefix.buffer, prefix.byteOffset, prefix.byteLength),
  );
}

function uniqueSealFieldName(pdf: PDF): string {
  const names = new Set(pdf.getForm()?.getFieldNames() ?? []);
  let name = 'CountersignSeal';
  for (let i = 2; names.has(name); i++) name = `CountersignSeal${i}`;
  return name;
}
