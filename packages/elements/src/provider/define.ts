import { define } from '../internal/define.ts';
import { CsProvider } from './provider.ts';

define('cs-provider', CsProvider);

declare global {
  interface HTMLElementTagNameMap {
    'cs-provider': CsProvider;
  }
}
