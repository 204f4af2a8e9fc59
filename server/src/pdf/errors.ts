export type PdfRejectionReason =
  | 'not_pdf'
  | 'encrypted'
  | 'damaged'
  | 'too_large'
  | 'empty'
  /** A PNG or JPEG that cannot be decoded. */
  | 'image_damaged'
  /** A PNG or JPEG over the pixel limit (a decompression bomb, or simply too big to handle). */
  | 'image_too_many_pixels';

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
