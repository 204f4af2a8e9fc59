import { PDF } from '@libpdf/core';
import { loadForSigning, sha256Hex } from './inspect.ts';

export interface AttachedPdf {
  bytes: Uint8Array;
  sha256: string;
  pages: number;
  /** Per attachment, in order: its 1-based first page in the result and its page count. */
  placed: Array<{ firstPage: number; pages: number }>;
}

/**
 * The signing document: the contract's pages, then each attachment's pages in order. The pages
 * are appended as an incremental update when the contract allows it, so the contract's own
 * bytes, form fields and any earlier signatures stay as they were.
 */
export async function appendAttachments(contract: Uint8Array, attachments: Uint8Array[]): Promise<AttachedPdf> {
  const pdf = await loadForSigning(contract);
  const placed: AttachedPdf['placed'] = [];
  for (const bytes of attachments) {
    const source = await PDF.load(bytes);
    const count = source.getPageCount();
    placed.push({ firstPage: pdf.getPageCount() + 1, pages: count });
    await pdf.copyPagesFrom(
      source,
      Array.from({ length: count }, (_, i) => i),
    );
  }
  const out = await pdf.save({ incremental: pdf.canSaveIncrementally() === null });
  return { bytes: out, sha256: sha256Hex(out), pages: pdf.getPageCount(), placed };
}
