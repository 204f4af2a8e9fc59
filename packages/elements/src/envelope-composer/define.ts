import { define } from '../internal/define.ts';
import { CsEnvelopeComposer } from './envelope-composer.ts';

define('cs-envelope-composer', CsEnvelopeComposer);

declare global {
  interface HTMLElementTagNameMap {
    'cs-envelope-composer': CsEnvelopeComposer;
  }
}
