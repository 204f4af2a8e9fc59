import { createContext } from '@lit/context';
import type { CountersignClient } from '@countersign/core';

/** What a <cs-provider> shares with the elements inside it. */
export interface CsConfig {
  server?: string;
  token?: string;
  locale?: string;
  /**
   * The provider's client for `server` and `token`: elements inside that use the same server and
   * token share its one status event stream.
   */
  client?: CountersignClient;
}

export const configContext = createContext<CsConfig>(Symbol('cs-config'));
