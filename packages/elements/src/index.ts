// All-in-one entry: registers every element.
export { CsProvider } from './provider/provider.ts';
export {
  CsSignerPad,
  type ReadyDetail,
  type FieldChangeDetail,
  type CompleteDetail,
  type DeclineDetail,
} from './signer-pad/signer-pad.ts';
export { CsStatusBadge, type StatusChangeDetail, type StatusBadgeState } from './status-badge/status-badge.ts';
export { CsAuditViewer, type VerifiedDetail, type AuditViewerState } from './audit-viewer/audit-viewer.ts';
export { setPdfWorkerSrc } from './controllers/pdf-pages.ts';
export { CsElement, type CsErrorDetail, type CsEventMap } from './internal/cs-element.ts';
export { configContext, type CsConfig } from './internal/config.ts';
export { registerTranslation } from './internal/localize.ts';
export { define } from './internal/define.ts';
import './provider/define.ts';
import './signer-pad/define.ts';
import './status-badge/define.ts';
import './audit-viewer/define.ts';
