import { define } from '../internal/define.ts';
import { CsTemplateBuilder } from './template-builder.ts';

define('cs-template-builder', CsTemplateBuilder);

declare global {
  interface HTMLElementTagNameMap {
    'cs-template-builder': CsTemplateBuilder;
  }
}
