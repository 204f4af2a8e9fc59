import { consume } from '@lit/context';
import { property, state } from 'lit/decorators.js';
import { CountersignClient, type EnvelopeEventStream } from '@countersign/core';
import { CsElement } from './cs-element.ts';
import { configContext, type CsConfig } from './config.ts';
import { resolveLocale, translate } from './localize.ts';

/** Page-wide clients by server and token, for elements outside a <cs-provider>. */
const shared = new Map<string, CountersignClient>();

/** The page's one client for `server` and `token` (so its one event stream) when there is no provider. */
function sharedClient(server: string, token: string): CountersignClient {
  const key = `${server.replace(/\/+$/, '')}\n${token}`;
  let client = shared.get(key);
  if (!client) {
    // Tokens are short-lived: drop clients whose stream nobody follows before adding one.
    for (const [k, c] of shared) if (!c.events.open && c.events.envelopeIds.length === 0) shared.delete(k);
    shared.set(key, (client = new CountersignClient({ server, token })));
  }
  return client;
}

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

  /**
   * The status event stream to follow envelopes on: the enclosing <cs-provider>'s when this element
   * uses its server and token, else the page-wide one for them. Never one per element.
   */
  protected get eventStream(): EnvelopeEventStream | undefined {
    const server = this.effectiveServer;
    const token = this.effectiveToken;
    if (!server || !token) return undefined;
    const provided = this.config?.client;
    if (provided && provided.server === server.replace(/\/+$/, '') && provided.token === token) return provided.events;
    return sharedClient(server, token).events;
  }

  protected t(key: string, vars?: Record<string, string | number>): string {
    return translate(this.effectiveLocale, key, vars);
  }
}
