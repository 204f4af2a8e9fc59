import { LitElement } from 'lit';

/**
 * Base class of every Countersign element: one way to fire events, always bubbling and
 * composed so a host page hears them through shadow roots.
 */
export class CsElement extends LitElement {
  /** Fires `name` with `detail`; returns false when a listener called preventDefault(). */
  emit<K extends keyof CsEventMap>(name: K, detail: CsEventMap[K], options: { cancelable?: boolean } = {}): boolean {
    return this.dispatchEvent(
      new CustomEvent(name, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }),
    );
  }
}

/** Details of every `cs-*` event; element modules add theirs by declaration merging. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CsEventMap {}

/** `detail` of `cs-error`: what went wrong, for the host to log or show. */
export interface CsErrorDetail {
  /** Machine-readable reason, e.g. `network`, `token-expired`, `invalid-file`. */
  code: string;
  message: string;
  /** HTTP status when the server answered, 0 for network failures. */
  status?: number;
}

/**
 * `detail` of `cs-proposal-submit`: a proposed change to a library clause was sent to legal.
 * Fired by <cs-clause-library> (browse mode) and <cs-envelope-composer>, so declared here once.
 */
export interface ProposalSubmitDetail {
  clauseId: string;
  clauseKey: string;
  proposalId: string;
}

export interface CsEventMap {
  'cs-error': CsErrorDetail;
  'cs-proposal-submit': ProposalSubmitDetail;
}

declare global {
  interface GlobalEventHandlersEventMap {
    'cs-error': CustomEvent<CsErrorDetail>;
    'cs-proposal-submit': CustomEvent<ProposalSubmitDetail>;
  }
}
