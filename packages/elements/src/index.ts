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
export {
  CsTemplateBuilder,
  type TemplateSaveDetail,
  type TemplatePublishDetail,
} from './template-builder/template-builder.ts';
export { CsConditionInput, type ConditionChangeDetail } from './internal/condition-input.ts';
export { CsVariablesEditor, type VariablesChangeDetail } from './template-builder/variables-editor.ts';
export {
  CsClauseDocumentEditor,
  type ClausesSource,
  type SourceChangeDetail,
  type PreviewState,
} from './template-builder/clause-document-editor.ts';
export {
  CsClauseLibrary,
  type ClauseSaveDetail,
  type ClausePublishDetail,
  type ProposalDecideDetail,
  type ClauseLibraryMode,
  type ClauseLibraryTab,
} from './clause-library/clause-library.ts';
export {
  CsEnvelopeComposer,
  type EnvelopeSentDetail,
  type RecipientInput,
} from './envelope-composer/envelope-composer.ts';
export { setPdfWorkerSrc } from './controllers/pdf-pages.ts';
export { CsElement, type CsErrorDetail, type CsEventMap, type ProposalSubmitDetail } from './internal/cs-element.ts';
export { configContext, type CsConfig } from './internal/config.ts';
export { registerTranslation } from './internal/localize.ts';
export { define } from './internal/define.ts';
import './provider/define.ts';
import './signer-pad/define.ts';
import './status-badge/define.ts';
import './audit-viewer/define.ts';
import './template-builder/define.ts';
import './clause-library/define.ts';
import './envelope-composer/define.ts';
