import { define } from '../internal/define.ts';
import type { CsErrorDetail } from '../internal/cs-element.ts';
import {
  CsClauseLibrary,
  type ClausePublishDetail,
  type ClauseSaveDetail,
  type ProposalDecideDetail,
} from './clause-library.ts';

define('cs-clause-library', CsClauseLibrary);

declare global {
  interface HTMLElementTagNameMap {
    'cs-clause-library': CsClauseLibrary;
  }
  interface GlobalEventHandlersEventMap {
    'cs-clause-save': CustomEvent<ClauseSaveDetail>;
    'cs-clause-publish': CustomEvent<ClausePublishDetail>;
    'cs-proposal-decide': CustomEvent<ProposalDecideDetail>;
    'cs-error': CustomEvent<CsErrorDetail>;
  }
}
