export { PdfRejectedError, type PdfRejectionReason } from './errors.ts';
export type { PageBox } from './geometry.ts';
export { inspectPdf, type InspectedPdf } from './inspect.ts';
export type { Stamp } from './stamps.ts';
export type { CertificateOfCompletion } from './certificate.ts';
export { loadSealSigner, type SealSigner } from './signer.ts';
export { sealPdf, stampPdf, type SealInput, type SealResult } from './seal.ts';
export {
  composeDocument,
  type ComposeInput,
  type ComposeLabels,
  type ComposedDocument,
  type ComposedField,
} from './compose.ts';
