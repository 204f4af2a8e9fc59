import { define } from '../internal/define.ts';
import { CsSignerPad } from './signer-pad.ts';

define('cs-signer-pad', CsSignerPad);

declare global {
  interface HTMLElementTagNameMap {
    'cs-signer-pad': CsSignerPad;
  }
}
