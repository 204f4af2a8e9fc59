import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { consume } from '@lit/context';
import { checkCondition, type Condition, type Variable } from '@countersign/core';
import { CsElement } from './cs-element.ts';
import { configContext, type CsConfig } from './config.ts';
import { define } from './define.ts';
import { resolveLocale, translate } from './localize.ts';
import { visuallyHidden } from './styles.ts';
import { conditionInputStyles } from './condition-input.styles.ts';
import './condition-input.strings.ts';

/** `detail` of `cs-condition-change`. */
export interface ConditionChangeDetail {
  /** The rule, or undefined for "always". While `valid` is false, the last value that parsed. */
  value: Condition | undefined;
  valid: boolean;
}

declare module './cs-element.ts' {
  interface CsEventMap {
    'cs-condition-change': ConditionChangeDetail;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cs-condition-input': CsConditionInput;
  }
  interface GlobalEventHandlersEventMap {
    'cs-condition-change': CustomEvent<ConditionChangeDetail>;
  }
}

type Operator = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'in';
const OPERATORS: readonly Operator[] = ['==', '!=', '>', '>=', '<', '<=', 'in'];
type Literal = string | number | boolean;
type Mode = 'always' | 'simple' | 'advanced';
type Combinator = 'all' | 'any';

/** One "variable · operator · value" rule; the value as the person typed it. */
interface Rule {
  variable: string;
  op: Operator;
  value: string;
}

interface Problem {
  message: string;
  /** Index of the rule and which of its controls is wrong, for aria-invalid. */
  rule?: number;
  control?: 'variable' | 'value';
}

const isLiteral = (x: unknown): x is Literal => ['string', 'number', 'boolean'].includes(typeof x);
const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

/** `{op: [{var: key}, literal]}` (or `{in: [{var: key}, [literals]]}`) as a rule. */
function parseRule(node: unknown): Rule | undefined {
  if (!isObject(node)) return undefined;
  const keys = Object.keys(node);
  const op = keys[0] as Operator;
  if (keys.length !== 1 || !OPERATORS.includes(op)) return undefined;
  const args = node[op];
  if (!Array.isArray(args) || args.length !== 2) return undefined;
  const [left, right] = args as [unknown, unknown];
  if (!isObject(left) || Object.keys(left).length !== 1 || typeof left.var !== 'string' || !left.var) return undefined;
  if (op === 'in') {
    if (!Array.isArray(right) || !right.every(isLiteral)) return undefined;
    return { variable: left.var, op, value: right.map(String).join(', ') };
  }
  return isLiteral(right) ? { variable: left.var, op, value: String(right) } : undefined;
}

/** A condition the simple editor can show, as rules; undefined when only JSON can show it. */
function parseSimple(condition: unknown): { combinator: Combinator; rules: Rule[] } | undefined {
  const single = parseRule(condition);
  if (single) return { combinator: 'all', rules: [single] };
  if (!isObject(condition)) return undefined;
  const keys = Object.keys(condition);
  if (keys.length !== 1 || (keys[0] !== 'and' && keys[0] !== 'or')) return undefined;
  const list = condition[keys[0]];
  if (!Array.isArray(list) || list.length < 2) return undefined;
  const rules = list.map(parseRule);
  if (!rules.every((r): r is Rule => !!r)) return undefined;
  return { combinator: keys[0] === 'and' ? 'all' : 'any', rules };
}

/** Which comparisons make sense for a variable type (all of them for an unknown variable). */
function operatorsFor(variable: Variable | undefined): readonly Operator[] {
  switch (variable?.type) {
    case 'boolean':
      return ['==', '!='];
    case 'enum':
    case 'text':
    case 'email':
    case 'phone':
      return ['==', '!=', 'in'];
    default:
      return OPERATORS;
  }
}

function defaultValue(variable: Variable | undefined): string {
  if (variable?.type === 'enum') return variable.options[0]?.value ?? '';
  if (variable?.type === 'boolean') return 'true';
  return '';
}

/**
 * @summary Edits a JSON Logic condition: simple rules ("tier is premium", all of / any of) or the
 * JSON itself, checked as you type, with a plain-language summary.
 *
 * @csspart base - The fieldset around everything.
 * @csspart label - The legend (the `label` attribute).
 * @csspart rule - One "variable · comparison · value" row.
 * @csspart json - The JSON textarea of the advanced mode.
 * @csspart error - The validation message.
 * @csspart summary - The plain-language summary ("Included when tier is premium").
 *
 * @cssprop [--cs-accent=#2450d3] - Focus ring and radio colour.
 * @cssprop [--cs-text=#1b2230] - Text colour.
 * @cssprop [--cs-surface=#fff] - Background of the controls.
 * @cssprop [--cs-danger=#b3261e] - Colour of validation messages and invalid controls.
 * @cssprop [--cs-radius=8px] - Corner radius of the controls.
 * @cssprop [--cs-font=system-ui] - Font family.
 * @cssprop [--cs-mono-font=ui-monospace] - Font of the JSON textarea.
 *
 * @event {CustomEvent<ConditionChangeDetail>} cs-condition-change - The person changed the
 *   condition; `valid` says whether `value` may be saved.
 */
export class CsConditionInput extends CsElement {
  static override styles = [visuallyHidden, conditionInputStyles];
  static override shadowRootOptions = { ...CsElement.shadowRootOptions, delegatesFocus: true };

  /** The condition; undefined means "always". */
  @property({ attribute: false }) value?: Condition;
  /** The template's variables, offered in the variable picker. */
  @property({ attribute: false }) variables: Variable[] = [];
  /** Legend of the control group. */
  @property() label?: string;
  /** Disables every control. */
  @property({ type: Boolean, reflect: true }) disabled = false;
  /** BCP 47 locale for strings. Falls back to the enclosing <cs-provider>. */
  @property() locale?: string;

  @consume({ context: configContext, subscribe: true })
  @state()
  private config?: CsConfig;

  @state() private _mode: Mode = 'always';
  @state() private _combinator: Combinator = 'all';
  @state() private _rules: Rule[] = [];
  @state() private _json = '';
  @state() private _note = '';

  /** JSON of the value this element set itself, so an echo from the host does not reset the editor. */
  #own?: string;
  /** JSON of the last value sent in an event (valid or not): a host storing it must not reset the editor either. */
  #emitted?: string;

  /** False while what the person entered is not a usable condition. */
  get valid(): boolean {
    return this.#build().problems.length === 0;
  }

  private t(key: string, vars?: Record<string, string | number>): string {
    return translate(resolveLocale(this.locale, this.config?.locale, this.lang), key, vars);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('value')) return;
    const incoming = JSON.stringify(this.value ?? null);
    if (incoming !== this.#own && incoming !== this.#emitted) this.#load(this.value);
  }

  #load(value: Condition | undefined): void {
    this.#own = JSON.stringify(value ?? null);
    this.#emitted = undefined;
    this._note = '';
    if (value === undefined || value === null) {
      this._mode = 'always';
      this._rules = [];
      this._json = '';
      return;
    }
    const simple = parseSimple(value);
    this._json = JSON.stringify(value, null, 2);
    if (simple) {
      this._mode = 'simple';
      this._combinator = simple.combinator;
      this._rules = simple.rules;
    } else {
      this._mode = 'advanced';
      this._rules = [];
    }
  }

  #variable(key: string): Variable | undefined {
    return this.variables.find((v) => v.key === key);
  }

  /** The typed literal for a rule's text, or undefined when the text does not fit the type. */
  #literal(variable: Variable | undefined, text: string): Literal | undefined {
    const trimmed = text.trim();
    switch (variable?.type) {
      case 'number':
      case 'money': {
        const n = trimmed === '' ? NaN : Number(trimmed);
        return Number.isFinite(n) ? n : undefined;
      }
      case 'boolean':
        return trimmed === 'true' ? true : trimmed === 'false' ? false : undefined;
      case undefined: {
        // A variable the template does not declare: guess from the text.
        if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
        const n = trimmed === '' ? NaN : Number(trimmed);
        return Number.isFinite(n) ? n : trimmed;
      }
      default:
        return trimmed;
    }
  }

  /** What the editor currently holds, as a condition, with every problem found. */
  #build(): { value: Condition | undefined; problems: Problem[] } {
    if (this._mode === 'always') return { value: undefined, problems: [] };
    if (this._mode === 'advanced') {
      if (!this._json.trim()) return { value: undefined, problems: [] };
      let parsed: unknown;
      try {
        parsed = JSON.parse(this._json);
      } catch (error) {
        return {
          value: undefined,
          problems: [{ message: this.t('conditionInput.error.json', { message: (error as Error).message }) }],
        };
      }
      const problems = checkCondition(parsed).map((e) => ({
        message: this.t('conditionInput.error.rule', { path: e.path, message: e.message }),
      }));
      return { value: parsed as Condition, problems };
    }
    const problems: Problem[] = [];
    const nodes = this._rules.map((rule, i) => {
      const n = i + 1;
      const variable = this.#variable(rule.variable);
      if (!rule.variable.trim())
        problems.push({ message: this.t('conditionInput.error.variable', { n }), rule: i, control: 'variable' });
      const numeric = variable?.type === 'number' || variable?.type === 'money';
      const texts =
        rule.op === 'in'
          ? rule.value
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : [rule.value];
      const literals = texts.map((text) => this.#literal(variable, text));
      if (texts.length === 0 || texts.every((text) => !text.trim())) {
        const choose = rule.op === 'in' && variable?.type === 'enum';
        problems.push({
          message: this.t(choose ? 'conditionInput.error.choose' : 'conditionInput.error.value', { n }),
          rule: i,
          control: 'value',
        });
      } else if (literals.some((l) => l === undefined)) {
        problems.push({
          message: this.t(numeric ? 'conditionInput.error.number' : 'conditionInput.error.value', { n }),
          rule: i,
          control: 'value',
        });
      }
      const right = rule.op === 'in' ? literals : literals[0];
      return { [rule.op]: [{ var: rule.variable.trim() }, right] } as Record<string, unknown>;
    });
    const value: Condition | undefined =
      nodes.length === 0
        ? undefined
        : nodes.length === 1
          ? nodes[0]
          : { [this._combinator === 'all' ? 'and' : 'or']: nodes };
    if (value && problems.length === 0) {
      for (const e of checkCondition(value)) {
        problems.push({ message: this.t('conditionInput.error.rule', { path: e.path, message: e.message }) });
      }
    }
    return { value, problems };
  }

  /** After each edit: keep `value` current (when usable) and tell the host. */
  #changed(): void {
    const { value, problems } = this.#build();
    const valid = problems.length === 0;
    if (valid) {
      this.#own = JSON.stringify(value ?? null);
      this.value = value;
    }
    this.#emitted = JSON.stringify(value ?? null);
    this.emit('cs-condition-change', { value, valid });
  }

  #setMode(mode: Mode): void {
    if (mode === this._mode) return;
    this._note = '';
    if (mode === 'advanced') {
      const { value } = this.#build();
      this._json = value === undefined ? '' : JSON.stringify(value, null, 2);
    } else if (mode === 'simple') {
      if (this._mode === 'advanced' && this._json.trim()) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(this._json);
        } catch {
          parsed = undefined;
        }
        const simple = parseSimple(parsed);
        if (!simple) {
          this._note = this.t('conditionInput.advancedOnly');
          this.requestUpdate();
          return;
        }
        this._combinator = simple.combinator;
        this._rules = simple.rules;
      }
      if (this._rules.length === 0) this._rules = [this.#newRule()];
    }
    this._mode = mode;
    this.#changed();
  }

  #newRule(): Rule {
    const first = this.variables[0];
    return { variable: first?.key ?? '', op: '==', value: defaultValue(first) };
  }

  #updateRule(index: number, patch: Partial<Rule>): void {
    this._rules = this._rules.map((rule, i) => {
      if (i !== index) return rule;
      const next = { ...rule, ...patch };
      // Leaving "is one of": keep the first of its values.
      if (patch.op !== undefined && patch.op !== rule.op && rule.op === 'in') {
        next.value = rule.value.split(',')[0]?.trim() ?? '';
      }
      if (patch.variable !== undefined && patch.variable !== rule.variable) {
        const variable = this.#variable(next.variable);
        if (!operatorsFor(variable).includes(next.op)) next.op = '==';
        if (variable?.type === 'enum' || variable?.type === 'boolean') next.value = defaultValue(variable);
      }
      return next;
    });
    this.#changed();
  }

  #addRule(): void {
    this._rules = [...this._rules, this.#newRule()];
    this.#changed();
    void this.updateComplete.then(() => {
      const rows = this.shadowRoot!.querySelectorAll<HTMLElement>('.rule');
      rows[rows.length - 1]?.querySelector<HTMLElement>('select, input')?.focus();
    });
  }

  #removeRule(index: number): void {
    this._rules = this._rules.filter((_, i) => i !== index);
    if (this._rules.length === 0) this._mode = 'always';
    this.#changed();
    void this.updateComplete.then(() => {
      const target =
        this.shadowRoot!.querySelectorAll<HTMLElement>('.remove')[Math.min(index, this._rules.length - 1)] ??
        this.shadowRoot!.querySelector<HTMLElement>('input[type="radio"]:checked');
      target?.focus();
    });
  }

  /** "Included when tier is premium and amount is more than 5000". */
  #summary(value: Condition | undefined, valid: boolean): string {
    if (!valid) return this.t('conditionInput.summary.invalid');
    if (value === undefined || value === true) return this.t('conditionInput.summary.always');
    if (value === false) return this.t('conditionInput.summary.never');
    const simple = parseSimple(value);
    if (!simple) return this.t('conditionInput.summary.advanced');
    const parts = simple.rules.map((rule) => {
      const variable = this.#variable(rule.variable);
      const values = rule.op === 'in' ? rule.value.split(',').map((s) => s.trim()) : [rule.value];
      const shown = values.map((v) => {
        if (variable?.type === 'boolean') return this.t(v === 'true' ? 'conditionInput.true' : 'conditionInput.false');
        if (variable?.type === 'enum') return variable.options.find((o) => o.value === v)?.label ?? v;
        return v;
      });
      return `${variable?.label || rule.variable} ${this.t(`conditionInput.op.${rule.op}`)} ${shown.join(', ')}`;
    });
    const joiner = this.t(simple.combinator === 'all' ? 'conditionInput.summary.and' : 'conditionInput.summary.or');
    return this.t('conditionInput.summary.when', { rules: parts.join(joiner) });
  }

  override render() {
    const { value, problems } = this.#build();
    const valid = problems.length === 0;
    const label = this.label ?? this.t('conditionInput.label');
    const modes: Mode[] = ['always', 'simple', 'advanced'];
    return html`<div class="wrap">
      <fieldset part="base" ?disabled=${this.disabled}>
        <legend part="label">${label}</legend>
        <div class="modes">
          <span class="visually-hidden">${this.t('conditionInput.mode')}</span>
          ${modes.map(
            (mode) =>
              html`<label
                ><input
                  type="radio"
                  name="mode"
                  value=${mode}
                  .checked=${live(this._mode === mode)}
                  @change=${() => this.#setMode(mode)}
                />${this.t(`conditionInput.mode.${mode}`)}</label
              >`,
          )}
        </div>
        ${this._note ? html`<p class="note" role="status">${this._note}</p>` : nothing}
        ${this._mode === 'simple' ? this.#renderRules(problems) : nothing}
        ${
          this._mode === 'advanced'
            ? html`<label class="visually-hidden" for="json">${this.t('conditionInput.json')}</label
                ><textarea
                  id="json"
                  part="json"
                  spellcheck="false"
                  aria-invalid=${valid ? 'false' : 'true'}
                  aria-describedby="error summary"
                  .value=${this._json}
                  @input=${(e: Event) => {
                    this._json = (e.target as HTMLTextAreaElement).value;
                    this._note = '';
                    this.#changed();
                  }}
                ></textarea>`
            : nothing
        }
        <p id="error" class="error" part="error" aria-live="polite">${problems.map((p) => p.message).join(' ')}</p>
        <p id="summary" class="summary" part="summary" aria-live="polite">${this.#summary(value, valid)}</p>
      </fieldset>
    </div>`;
  }

  #renderRules(problems: Problem[]) {
    const invalid = (i: number, control: Problem['control']) =>
      problems.some((p) => p.rule === i && p.control === control) ? 'true' : 'false';
    return html`${
        this._rules.length > 1
          ? html`<label class="combinator"
              >${this.t('conditionInput.combinator')}
              <select
                .value=${this._combinator}
                @change=${(e: Event) => {
                  this._combinator = (e.target as HTMLSelectElement).value as Combinator;
                  this.#changed();
                }}
              >
                ${(['all', 'any'] as const).map(
                  (c) =>
                    html`<option value=${c} ?selected=${this._combinator === c}>
                      ${this.t(`conditionInput.combinator.${c}`)}
                    </option>`,
                )}
              </select></label
            >`
          : nothing
      }
      <ol class="rules">
        ${this._rules.map((rule, i) => {
          const n = i + 1;
          const variable = this.#variable(rule.variable);
          const which = html`<span class="visually-hidden"> (${this.t('conditionInput.rule', { n })})</span>`;
          const known = this.variables.some((v) => v.key === rule.variable);
          return html`<li class="rule" part="rule">
            <label class="variable"
              >${this.t('conditionInput.variable')}${which}
              ${
                this.variables.length
                  ? html`<select
                      data-control="variable"
                      aria-invalid=${invalid(i, 'variable')}
                      aria-describedby="error"
                      @change=${(e: Event) => this.#updateRule(i, { variable: (e.target as HTMLSelectElement).value })}
                    >
                      <option value="" ?selected=${!rule.variable}>${this.t('conditionInput.variable.choose')}</option>
                      ${this.variables.map(
                        (v) =>
                          html`<option value=${v.key} ?selected=${v.key === rule.variable}>
                            ${v.label || v.key}
                          </option>`,
                      )}
                      ${
                        rule.variable && !known
                          ? html`<option value=${rule.variable} selected>${rule.variable}</option>`
                          : nothing
                      }
                    </select>`
                  : html`<input
                      data-control="variable"
                      autocomplete="off"
                      spellcheck="false"
                      aria-invalid=${invalid(i, 'variable')}
                      aria-describedby="error"
                      .value=${rule.variable}
                      @input=${(e: Event) => this.#updateRule(i, { variable: (e.target as HTMLInputElement).value })}
                    />`
              }</label
            >
            <label class="operator"
              >${this.t('conditionInput.operator')}${which}
              <select
                data-control="operator"
                @change=${(e: Event) => this.#updateRule(i, { op: (e.target as HTMLSelectElement).value as Operator })}
              >
                ${operatorsFor(variable).map(
                  (op) =>
                    html`<option value=${op} ?selected=${op === rule.op}>${this.t(`conditionInput.op.${op}`)}</option>`,
                )}
              </select></label
            >
            ${
              rule.op === 'in' && variable?.type === 'enum'
                ? this.#renderChoices(rule, i, variable, which)
                : html`<label class="value"
                    >${this.t(rule.op === 'in' ? 'conditionInput.valueList' : 'conditionInput.value')}${which}
                    ${this.#renderValue(rule, i, variable, invalid(i, 'value'))}</label
                  >`
            }
            <button
              type="button"
              class="remove"
              aria-label=${this.t('conditionInput.remove', { n })}
              title=${this.t('conditionInput.remove', { n })}
              @click=${() => this.#removeRule(i)}
            >
              ✕
            </button>
          </li>`;
        })}
      </ol>
      <button type="button" class="add" @click=${() => this.#addRule()}>${this.t('conditionInput.add')}</button>`;
  }

  /** "is one of" over a choice variable: a checkbox per option. */
  #renderChoices(rule: Rule, i: number, variable: Extract<Variable, { type: 'enum' }>, which: unknown) {
    const chosen = new Set(
      rule.value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
    const toggle = (value: string, on: boolean) =>
      this.#updateRule(i, {
        value: variable.options
          .map((o) => o.value)
          .filter((v) => (v === value ? on : chosen.has(v)))
          .join(', '),
      });
    return html`<fieldset class="value choices" data-control="value" aria-describedby="error">
      <legend>${this.t('conditionInput.values')}${which}</legend>
      ${variable.options.map(
        (o) =>
          html`<label class="choice"
            ><input
              type="checkbox"
              data-option=${o.value}
              .checked=${live(chosen.has(o.value))}
              @change=${(e: Event) => toggle(o.value, (e.target as HTMLInputElement).checked)}
            />${o.label || o.value}</label
          >`,
      )}
    </fieldset>`;
  }

  #renderValue(rule: Rule, i: number, variable: Variable | undefined, invalid: string) {
    const set = (e: Event) => this.#updateRule(i, { value: (e.target as HTMLInputElement | HTMLSelectElement).value });
    if (rule.op !== 'in' && (variable?.type === 'enum' || variable?.type === 'boolean')) {
      const options =
        variable.type === 'enum'
          ? variable.options.map((o) => ({ value: o.value, label: o.label || o.value }))
          : [
              { value: 'true', label: this.t('conditionInput.true') },
              { value: 'false', label: this.t('conditionInput.false') },
            ];
      return html`<select data-control="value" aria-invalid=${invalid} aria-describedby="error" @change=${set}>
        ${options.map((o) => html`<option value=${o.value} ?selected=${o.value === rule.value}>${o.label}</option>`)}
      </select>`;
    }
    const type =
      rule.op === 'in'
        ? 'text'
        : variable?.type === 'date'
          ? 'date'
          : variable?.type === 'number' || variable?.type === 'money'
            ? 'number'
            : 'text';
    return html`<input
      data-control="value"
      type=${type}
      step=${type === 'number' ? 'any' : nothing}
      inputmode=${type === 'number' ? 'decimal' : nothing}
      autocomplete="off"
      aria-invalid=${invalid}
      aria-describedby="error"
      .value=${rule.value}
      @input=${set}
    />`;
  }
}

define('cs-condition-input', CsConditionInput);
