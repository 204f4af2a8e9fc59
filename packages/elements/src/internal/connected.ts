import { consume } from '@lit/context';
import { property, state } from 'lit/decorators.js';
import { CountersignClient } from '@countersign/core';
import { CsElement } from './cs-element.ts';
import { configContext, type CsConfig } from './config.ts';
import { resolveLocale, translate } from './localize.ts';

/**
 * Base of elements that talk to a server: `server`, `token` and `locale` come from the
 * element's own attributes or, when unset, from the enclosing <cs-provider>.
 */
export class CsConnectedElement extends CsElement {
  /** Base URL of the Countersign server. Falls back to the enclosing <cs-provider>. */
  @property() server?: string;
  /** Bearer token for the server. Falls back to the enclosing <cs-provider>. */
  @property() token?: string;
  /** BCP 47 locale for strings, dates and numbers. */
  @property() locale?: string;

  @consume({ context: configContext, subscribe: true })
  @state()
  protected config?: CsConfig;

  protected get effectiveServer(): string | undefined {
    return this.server ?? this.config?.server;
  }
  protected get effectiveToken(): string | undefined {
    return this.token ?? this.config?.token;
  }
  protected get effectiveLocale(): string {
    return resolveLocale(this.locale, this.config?.locale, this.lang);
  }

  /** A client for the effective server and token, or undefined when either is missing. */
  protected get client(): CountersignClient | undefined {
    const server = this.effectiveServer;
    const token = this.effectiveToken;
    return server && token ? new CountersignClient({ server, token }) : undefined;
  }

  protected t(key: string, vars?: Record<string, string | number>): string {
    return translate(this.effectiveLocale, key, vars);
  }
}
