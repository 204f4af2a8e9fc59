import { html } from 'lit';
import { provide } from '@lit/context';
import { property } from 'lit/decorators.js';
import { CsElement } from '../internal/cs-element.ts';
import { CountersignClient } from '@countersign/core';
import { configContext, type CsConfig } from '../internal/config.ts';

/**
 * @summary Shares `server`, `token` and `locale` with every Countersign element inside it.
 *
 * It also holds one status event stream for them: every <cs-status-badge> inside that uses the
 * provider's server and token follows its envelope over that one connection, however many
 * badges there are.
 *
 * @slot - The elements that use this configuration.
 */
export class CsProvider extends CsElement {
  /** Base URL of the Countersign server. */
  @property() server?: string;
  /** Bearer token the elements inside use. */
  @property() token?: string;
  /** BCP 47 locale for the elements inside. */
  @property() locale?: string;

  @provide({ context: configContext })
  protected config: CsConfig = {};

  override willUpdate(): void {
    const next: CsConfig = { server: this.server, token: this.token, locale: this.locale };
    if (next.server !== this.config.server || next.token !== this.config.token || next.locale !== this.config.locale) {
      const same = next.server === this.config.server && next.token === this.config.token;
      next.client = same
        ? this.config.client
        : next.server && next.token
          ? new CountersignClient({ server: next.server, token: next.token })
          : undefined;
      this.config = next;
    }
  }

  override render() {
    return html`<slot></slot>`;
  }
}
