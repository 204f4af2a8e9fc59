import { PDF } from '@libpdf/core';
import { DocumentFonts, PageCanvas } from './canvas.ts';
import { drawCertificate, type CertificateOfCompletion } from './certificate.ts';
import { pageFrame } from './geometry.ts';
import { loadForSigning, sha256Hex } from './inspect.ts';
import type { SealSigner } from './signer.ts';
import { drawStamp, validateStamps, type Stamp } from './stamps.ts';

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

async function reopen(bytes: Uint8Array): Promise<PDF> {
  const pdf = await PDF.load(bytes);
  allowIncremental(pdf);
  return pdf;
}

export async function sealPdf(input: SealInput): Promise<SealResult> {
  // Revision 1: field values stamped into the pages.
  const pdf = await loadForSigning(input.original);
  allowIncremental(pdf);
  const pages = pdf.getPages();
  validateStamps(input.stamps, pages.length);
  const fonts = new DocumentFonts(pdf);
  const canvases = new Map<number, PageCanvas>();
  const images = new Map<Uint8Array, ReturnType<PDF['embedPng']>>();
  for (const stamp of input.stamps) {
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
  const stamped = canvases.size > 0 ? await pdf.save({ incremental: true }) : input.original;
  const stampedSha256 = sha256Hex(stamped);

  // Revision 2: the certificate of completion, then revision 3: the PAdES signature.
  const doc = stamped === input.original ? pdf : await reopen(stamped);
  const last = doc.getPages().at(-1);
  const lastFrame = last ? pageFrame(doc, last) : undefined;
  const pageSize =
    lastFrame && lastFrame.width >= 400 && lastFrame.height >= 500 && lastFrame.width < 2000 && lastFrame.height < 2000
      ? { width: lastFrame.width, height: lastFrame.height }
      : { width: 612, height: 792 };
  const certFonts = new DocumentFonts(doc);
  const certPages = drawCertificate(doc, certFonts, input.certificate, {
    stampedSha256,
    stampedLength: stamped.length,
    signerSubject: input.signer.subject,
    signerCertificateSha256: input.signer.certificateSha256,
    pageSize,
  });
  await certFonts.finalize();
  for (const c of certPages) c.flush();

  const { bytes } = await doc.sign({
    signer: input.signer.signer,
    subFilter: 'ETSI.CAdES.detached',
    reason: input.reason ?? 'Sealed by Countersign: the document and its certificate of completion',
    location: input.location,
    fieldName: uniqueSealFieldName(doc),
  });
  return { bytes, sha256: sha256Hex(bytes), stampedSha256, stampedLength: stamped.length };
}

function uniqueSealFieldName(pdf: PDF): string {
  const names = new Set(pdf.getForm()?.getFieldNames() ?? []);
  let name = 'CountersignSeal';
  for (let i = 2; names.has(name); i++) name = `CountersignSeal${i}`;
  return name;
}
