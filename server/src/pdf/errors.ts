export type PdfRejectionReason = 'not_pdf' | 'encrypted' | 'damaged' | 'too_large' | 'empty';

/** The upload cannot be accepted as a document to sign; `message` is safe to show to the uploader. */
export class PdfRejectedError extends Error {
  constructor(
    readonly reason: PdfRejectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'PdfRejectedError';
  }
}
