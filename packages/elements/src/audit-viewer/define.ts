import { define } from '../internal/define.ts';
import type { CsErrorDetail } from '../internal/cs-element.ts';
import { CsAuditViewer, type VerifiedDetail } from './audit-viewer.ts';

define('cs-audit-viewer', CsAuditViewer);

declare global {
  interface HTMLElementTagNameMap {
    'cs-audit-viewer': CsAuditViewer;
  }
  interface GlobalEventHandlersEventMap {
    'cs-verified': CustomEvent<VerifiedDetail>;
    'cs-error': CustomEvent<CsErrorDetail>;
  }
}
