import { createContext } from '@lit/context';

/** What a <cs-provider> shares with the elements inside it. */
export interface CsConfig {
  server?: string;
  token?: string;
  locale?: string;
}

export const configContext = createContext<CsConfig>(Symbol('cs-config'));
