import { define } from '../internal/define.ts';
import type { CsErrorDetail } from '../internal/cs-element.ts';
import { CsStatusBadge, type StatusChangeDetail } from './status-badge.ts';

define('cs-status-badge', CsStatusBadge);

declare global {
  interface HTMLElementTagNameMap {
    'cs-status-badge': CsStatusBadge;
  }
  interface GlobalEventHandlersEventMap {
    'cs-status-change': CustomEvent<StatusChangeDetail>;
    'cs-error': CustomEvent<CsErrorDetail>;
  }
}
