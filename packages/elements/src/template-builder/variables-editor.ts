import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { live } from 'lit/directives/live.js';
import { consume } from '@lit/context';
import { patternEngineReady, patternError, type Variable, type VariableType } from '@countersign/core';
import { CsElement } from '../internal/cs-element.ts';
import { configContext, type CsConfig } from '../internal/config.ts';
import { define } from '../internal/define.ts';
import { resolveLocale, translate, translatePlural } from '../internal/localize.ts';
import { visuallyHidden } from '../internal/styles.ts';
import { editorBase, variablesEditorStyles } from './variables-editor.styles.ts';
import './variables-editor.strings.ts';

/** `detail` of `cs-variables-change`. */
export interface VariablesChangeDetail {
  variables: Variable[];
  /** False while a variable has a problem the editor shows (the server would refuse it). */
  valid: boolean;
}

declare module '../internal/cs-element.ts' {
  interface CsEventMap {
    'cs-variables-change': VariablesChangeDetail;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cs-variables-editor': CsVariablesEditor;
  }
  interface GlobalEventHandlersEventMap {
    'cs-variables-change': CustomEvent<VariablesChangeDetail>;
  }
}

const TYPES: readonly VariableType[] = ['text', 'number', 'money', 'date', 'email', 'phone', 'enum', 'boolean'];
const KEY = /^[A-Za-z0-9_.-]+$/;

/** Which input a problem belongs to, for aria-invalid and aria-describedby. */
type Control =
  | 'key'
  | 'label'
  | 'help'
  | 'min'
  | 'max'
  | 'minLength'
  | 'maxLength'
  | 'pattern'
  | 'currency'
  | 'options'
  | `option-${number}`;
interface Problem {
  control: Control;
  message: string;
}

let currencies: Set<string> | undefined;
function isCurrency(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(code);
}

/** Keys that stay even when empty (the editor shows the problem instead). */
const KEPT = new Set(['key', 'currency', 'value']);

/** A copy of `object` without the optional keys whose value is undefined or an empty string. */
function compact<T extends object>(object: T): T {
  return Object.fromEntries(
    Object.entries(object).filter(([k, v]) => v !== undefined && (v !== '' || KEPT.has(k))),
  ) as T;
}

let nextId = 0;

/**
 * @summary Edits a template's typed variables: key, label, type and its constraints, required and
 * help; add, remove and reorder, with the problems the server would refuse shown inline.
 *
 * @csspart list - The list of variables.
 * @csspart variable - One variable's card.
 * @csspart add - The "Add a variable" button.
 *
 * @cssprop [--cs-accent=#2450d3] - Buttons and focus ring.
 * @cssprop [--cs-accent-contrast=#fff] - Text on accent buttons.
 * @cssprop [--cs-text=#1b2230] - Text colour.
 * @cssprop [--cs-surface=#fff] - Background of cards and controls.
 * @cssprop [--cs-danger=#b3261e] - Validation messages and invalid controls.
 * @cssprop [--cs-radius=8px] - Corner radius.
 * @cssprop [--cs-font=system-ui] - Font family.
 *
 * @event {CustomEvent<VariablesChangeDetail>} cs-variables-change - After every edit, with all
 *   variables and whether they are valid.
 */
export class CsVariablesEditor extends CsElement {
  static override styles = [visuallyHidden, editorBase, variablesEditorStyles];

  /** The variables being edited. */
  @property({ attribute: false }) variables: Variable[] = [];
  /** BCP 47 locale for strings. Falls back to the enclosing <cs-provider>. */
  @property() locale?: string;
  /** Shows the variables without letting them change. */
  @property({ type: Boolean, reflect: true }) disabled = false;

  @consume({ context: configContext, subscribe: true })
  @state()
  private config?: CsConfig;

  @state() private _announcement = '';

  /** Stable ids for the rows, so the DOM (and focus) follows a variable when it moves. */
  #ids: number[] = [];
  #own?: string;

  /** False while any variable has a problem. */
  get valid(): boolean {
    return this.#problems().every((list) => list.length === 0);
  }

  private t(key: string, vars?: Record<string, string | number>): string {
    return translate(resolveLocale(this.locale, this.config?.locale, this.lang), key, vars);
  }

  private tn(key: string, count: number): string {
    return translatePlural(resolveLocale(this.locale, this.config?.locale, this.lang), key, count);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // In a browser the pattern engine may still be loading: check the patterns again once it is.
    void patternEngineReady.then(() => this.requestUpdate());
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('variables')) {
      this.variables ??= [];
      if (JSON.stringify(this.variables) !== this.#own || this.#ids.length !== this.variables.length) {
        this.#ids = this.variables.map(() => nextId++);
        this.#own = JSON.stringify(this.variables);
      }
    }
  }

  #problems(): Problem[][] {
    const counts = new Map<string, number>();
    for (const v of this.variables) counts.set(v.key, (counts.get(v.key) ?? 0) + 1);
    return this.variables.map((v) => {
      const problems: Problem[] = [];
      const add = (control: Control, key: string, vars?: Record<string, string | number>) =>
        problems.push({ control, message: this.t(key, vars) });
      const key = v.key.trim();
      if (!key) add('key', 'variables.error.keyEmpty');
      else if (!KEY.test(key)) add('key', 'variables.error.keyChars');
      else if (key.length > 64) add('key', 'variables.error.keyLong');
      else if ((counts.get(v.key) ?? 0) > 1) add('key', 'variables.error.keyDuplicate', { key });
      switch (v.type) {
        case 'text':
          if (v.minLength !== undefined && v.maxLength !== undefined && v.minLength > v.maxLength)
            add('maxLength', 'variables.error.length');
          if (v.pattern) {
            const error = patternError(v.pattern);
            if (error)
              add(
                'pattern',
                error.code === 'pattern-invalid' ? 'variables.error.pattern' : 'variables.error.patternUnsupported',
              );
          }
          break;
        case 'money':
        case 'number':
        case 'date':
          if (v.type === 'money' && !isCurrency(v.currency)) add('currency', 'variables.error.currency');
          if (v.min !== undefined && v.max !== undefined && v.min > v.max) add('max', 'variables.error.range');
          break;
        case 'enum': {
          if (v.options.length === 0) add('options', 'variables.error.noOptions');
          const seen = new Set<string>();
          v.options.forEach((o, i) => {
            const n = i + 1;
            if (!o.value.trim()) add(`option-${i}`, 'variables.error.optionEmpty', { n });
            else if (seen.has(o.value)) add(`option-${i}`, 'variables.error.optionDuplicate', { n, value: o.value });
            seen.add(o.value);
          });
          break;
        }
      }
      return problems;
    });
  }

  #commit(variables: Variable[], ids = this.#ids): void {
    this.#ids = ids;
    this.#own = JSON.stringify(variables);
    this.variables = variables;
    const problems = this.#problems();
    this.emit('cs-variables-change', { variables, valid: problems.every((p) => p.length === 0) });
  }

  #patch(index: number, patch: Record<string, unknown>): void {
    this.#commit(this.variables.map((v, i) => (i === index ? compact({ ...v, ...patch } as Variable) : v)));
  }

  #retype(index: number, type: VariableType): void {
    const old = this.variables[index]!;
    const base = compact({ key: old.key, label: old.label, required: old.required, help: old.help });
    let next: Variable;
    switch (type) {
      case 'money':
        next = { ...base, type, currency: 'EUR' };
        break;
      case 'enum':
        next = { ...base, type, options: [{ value: '' }] };
        break;
      default:
        next = { ...base, type } as Variable;
    }
    this.#commit(this.variables.map((v, i) => (i === index ? next : v)));
  }

  #add(): void {
    const keys = new Set(this.variables.map((v) => v.key));
    let n = this.variables.length + 1;
    while (keys.has(`variable_${n}`)) n++;
    const key = `variable_${n}`;
    this.#commit([...this.variables, { key, type: 'text' }], [...this.#ids, nextId++]);
    this._announcement = this.t('variables.added', { key });
    void this.updateComplete.then(() => {
      const inputs = this.renderRoot.querySelectorAll<HTMLInputElement>('input[data-control="key"]');
      const input = inputs[inputs.length - 1];
      input?.focus();
      input?.select();
    });
  }

  #remove(index: number): void {
    const key = this.variables[index]!.key;
    this.#commit(
      this.variables.filter((_, i) => i !== index),
      this.#ids.filter((_, i) => i !== index),
    );
    this._announcement = this.t('variables.removed', { key });
    void this.updateComplete.then(() => {
      const cards = this.renderRoot.querySelectorAll<HTMLElement>('.variable');
      const target = cards[Math.min(index, cards.length - 1)]?.querySelector<HTMLElement>('[data-action="remove"]');
      (target ?? this.renderRoot.querySelector<HTMLElement>('[part~="add"]'))?.focus();
    });
  }

  /** Moves variable `index` by one; focus goes back to `control` of the moved card, else a move button. */
  #move(index: number, by: -1 | 1, action: 'up' | 'down', control?: string): void {
    const to = index + by;
    if (this.disabled || to < 0 || to >= this.variables.length) return;
    const variables = [...this.variables];
    const ids = [...this.#ids];
    [variables[index], variables[to]] = [variables[to]!, variables[index]!];
    [ids[index], ids[to]] = [ids[to]!, ids[index]!];
    this.#commit(variables, ids);
    this._announcement = this.t('variables.moved', { key: variables[to]!.key, n: to + 1 });
    void this.updateComplete.then(() => {
      const card = this.renderRoot.querySelectorAll<HTMLElement>('.variable')[to];
      if (control) {
        const same = card?.querySelector<HTMLElement>(`[data-control="${control}"]`);
        if (same) return same.focus();
      }
      const wanted = card?.querySelector<HTMLButtonElement>(`[data-action="${action}"]`);
      // At the end of the list the button is disabled: stay on the other one.
      (wanted && !wanted.disabled
        ? wanted
        : card?.querySelector<HTMLElement>(`[data-action="${action === 'up' ? 'down' : 'up'}"]`)
      )?.focus();
    });
  }

  override render() {
    const problems = this.#problems();
    const count = problems.reduce((sum, p) => sum + p.length, 0);
    return html`
      ${
        this.variables.length === 0
          ? html`<p class="empty muted">${this.t('variables.empty')}</p>`
          : this.variables.length > 1
            ? html`<p class="hint">${this.t('variables.reorderHint')}</p>`
            : nothing
      }
      <ol part="list" class="list">
        ${repeat(
          this.variables,
          (_, i) => this.#ids[i] ?? i,
          (v, i) => this.#renderVariable(v, i, problems[i] ?? []),
        )}
      </ol>
      <button type="button" part="add" class="button" ?disabled=${this.disabled} @click=${() => this.#add()}>
        + ${this.t('variables.add')}
      </button>
      <p class="visually-hidden" role="status">
        ${this._announcement} ${count === 0 ? '' : this.tn('variables.summary.invalid', count)}
      </p>
    `;
  }

  #renderVariable(v: Variable, i: number, problems: Problem[]) {
    const id = this.#ids[i] ?? i;
    const n = i + 1;
    const last = i === this.variables.length - 1;
    const errorId = (control: Control) => `e-${id}-${control}`;
    const problemOf = (control: Control) => problems.find((p) => p.control === control);
    const aria = (control: Control) => ({
      invalid: problemOf(control) ? 'true' : 'false',
      describedby: problemOf(control) ? errorId(control) : undefined,
    });
    const text = (
      control: Control,
      label: string,
      value: string | undefined,
      onInput: (value: string) => void,
      options: { type?: string; hint?: string; wide?: boolean; attrs?: { spellcheck?: boolean } } = {},
    ) => {
      const a = aria(control);
      const hintId = options.hint ? `h-${id}-${control}` : undefined;
      return html`<label class="field ${options.wide ? 'wide' : ''}">
        <span>${label}</span>
        <input
          type=${options.type ?? 'text'}
          data-control=${control}
          autocomplete="off"
          spellcheck=${options.attrs?.spellcheck === false ? 'false' : nothing}
          step=${options.type === 'number' ? 'any' : nothing}
          aria-invalid=${a.invalid}
          aria-describedby=${[a.describedby, hintId].filter(Boolean).join(' ') || nothing}
          .value=${live(value ?? '')}
          @input=${(e: Event) => onInput((e.target as HTMLInputElement).value)}
        />
        ${options.hint ? html`<span class="hint" id=${hintId!}>${options.hint}</span>` : nothing}
        ${
          problemOf(control)
            ? html`<span class="error" id=${errorId(control)}>${problemOf(control)!.message}</span>`
            : nothing
        }
      </label>`;
    };
    const num = (s: string) => (s.trim() === '' || !Number.isFinite(Number(s)) ? undefined : Number(s));
    const bounds = (kind: 'number' | 'date') => html`
      ${text(
        'min',
        this.t(kind === 'date' ? 'variables.minDate' : 'variables.min'),
        (v as { min?: number | string }).min?.toString(),
        (s) => this.#patch(i, { min: kind === 'date' ? s || undefined : num(s) }),
        { type: kind },
      )}
      ${text(
        'max',
        this.t(kind === 'date' ? 'variables.maxDate' : 'variables.max'),
        (v as { max?: number | string }).max?.toString(),
        (s) => this.#patch(i, { max: kind === 'date' ? s || undefined : num(s) }),
        { type: kind },
      )}
    `;
    const check = (label: string, checked: boolean, onChange: (checked: boolean) => void, control: string) =>
      html`<label class="check"
        ><input
          type="checkbox"
          data-control=${control}
          .checked=${live(checked)}
          @change=${(e: Event) => onChange((e.target as HTMLInputElement).checked)}
        />${label}</label
      >`;
    let constraints: unknown = nothing;
    switch (v.type) {
      case 'text':
        constraints = html`
          ${text(
            'minLength',
            this.t('variables.minLength'),
            v.minLength?.toString(),
            (s) => this.#patch(i, { minLength: num(s) }),
            { type: 'number' },
          )}
          ${text(
            'maxLength',
            this.t('variables.maxLength'),
            v.maxLength?.toString(),
            (s) => this.#patch(i, { maxLength: num(s) }),
            { type: 'number' },
          )}
          ${text('pattern', this.t('variables.pattern'), v.pattern, (s) => this.#patch(i, { pattern: s }), {
            wide: true,
            attrs: { spellcheck: false },
          })}
        `;
        break;
      case 'number':
        constraints = html`${bounds('number')}
        ${check(this.t('variables.integer'), !!v.integer, (c) => this.#patch(i, { integer: c || undefined }), 'integer')}`;
        break;
      case 'money':
        constraints = html`${text(
          'currency',
          this.t('variables.currency'),
          v.currency,
          (s) => this.#patch(i, { currency: s.trim().toUpperCase() }),
          { attrs: { spellcheck: false } },
        )}
        ${bounds('number')}`;
        break;
      case 'date':
        constraints = bounds('date');
        break;
      case 'enum':
        constraints = this.#renderOptions(v, i, problems, errorId);
        break;
    }
    return html`<li
      class="variable"
      part="variable"
      ?data-invalid=${problems.length > 0}
      data-key=${v.key}
      @keydown=${(e: KeyboardEvent) => {
        // Alt+↑/↓ anywhere in a variable moves it, as in the clause editor.
        if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
        e.preventDefault();
        const up = e.key === 'ArrowUp';
        const from = (this.renderRoot as ShadowRoot).activeElement as HTMLElement | null;
        const control = from?.dataset['control'];
        const action = from?.dataset['action'];
        this.#move(i, up ? -1 : 1, action === 'down' || action === 'up' ? action : up ? 'up' : 'down', control);
      }}
    >
      <div class="head">
        <h3 id=${`t-${id}`}>${this.t('variables.item', { n, key: v.key })}</h3>
        <div class="tools">
          <button
            type="button"
            class="button icon"
            data-action="up"
            aria-label=${this.t('variables.moveUp', { key: v.key })}
            title=${this.t('variables.moveUp', { key: v.key })}
            ?disabled=${this.disabled || i === 0}
            @click=${() => this.#move(i, -1, 'up')}
          >
            ↑
          </button>
          <button
            type="button"
            class="button icon"
            data-action="down"
            aria-label=${this.t('variables.moveDown', { key: v.key })}
            title=${this.t('variables.moveDown', { key: v.key })}
            ?disabled=${this.disabled || last}
            @click=${() => this.#move(i, 1, 'down')}
          >
            ↓
          </button>
          <button
            type="button"
            class="button icon"
            data-action="remove"
            ?disabled=${this.disabled}
            aria-label=${this.t('variables.remove', { key: v.key })}
            title=${this.t('variables.remove', { key: v.key })}
            @click=${() => this.#remove(i)}
          >
            ✕
          </button>
        </div>
      </div>
      <fieldset ?disabled=${this.disabled} aria-labelledby=${`t-${id}`}>
        <div class="grid">
          ${text('key', this.t('variables.key'), v.key, (s) => this.#patch(i, { key: s.trim() }), {
            hint: this.t('variables.keyHelp', { placeholder: `{{${v.key || 'key'}}}` }),
            attrs: { spellcheck: false },
          })}
          ${text('label', this.t('variables.label'), v.label, (s) => this.#patch(i, { label: s }))}
          <label class="field">
            <span>${this.t('variables.type')}</span>
            <select
              data-control="type"
              @change=${(e: Event) => this.#retype(i, (e.target as HTMLSelectElement).value as VariableType)}
            >
              ${TYPES.map((type) => html`<option value=${type} ?selected=${type === v.type}>${this.t(`variables.type.${type}`)}</option>`)}
            </select>
          </label>
          ${check(this.t('variables.required'), !!v.required, (c) => this.#patch(i, { required: c || undefined }), 'required')}
          ${constraints}
          ${text('help', this.t('variables.help'), v.help, (s) => this.#patch(i, { help: s }), { wide: true })}
        </div>
      </fieldset>
    </li>`;
  }

  #renderOptions(
    v: Extract<Variable, { type: 'enum' }>,
    i: number,
    problems: Problem[],
    errorId: (control: Control) => string,
  ) {
    const setOptions = (options: Array<{ value: string; label?: string }>) => this.#patch(i, { options });
    const noOptions = problems.find((p) => p.control === 'options');
    return html`<div class="wide">
      <span class="field"><span id=${`o-${this.#ids[i]}`}>${this.t('variables.options')}</span></span>
      <ol class="options" aria-labelledby=${`o-${this.#ids[i]}`}>
        ${v.options.map((o, j) => {
          const n = j + 1;
          const problem = problems.find((p) => p.control === `option-${j}`);
          return html`<li>
            <div class="option">
              <input
                data-control="option-value"
                aria-label=${this.t('variables.optionValue', { n })}
                placeholder=${this.t('variables.optionValue', { n })}
                autocomplete="off"
                aria-invalid=${problem ? 'true' : 'false'}
                aria-describedby=${problem ? errorId(`option-${j}`) : nothing}
                .value=${live(o.value)}
                @input=${(e: Event) =>
                  setOptions(
                    v.options.map((x, k) =>
                      k === j ? compact({ ...x, value: (e.target as HTMLInputElement).value }) : x,
                    ),
                  )}
              />
              <input
                data-control="option-label"
                aria-label=${this.t('variables.optionLabel', { n })}
                placeholder=${this.t('variables.optionLabel', { n })}
                autocomplete="off"
                .value=${live(o.label ?? '')}
                @input=${(e: Event) =>
                  setOptions(
                    v.options.map((x, k) =>
                      k === j ? compact({ ...x, label: (e.target as HTMLInputElement).value }) : x,
                    ),
                  )}
              />
              <button
                type="button"
                class="button icon"
                aria-label=${this.t('variables.removeOption', { n })}
                title=${this.t('variables.removeOption', { n })}
                @click=${() => setOptions(v.options.filter((_, k) => k !== j))}
              >
                ✕
              </button>
            </div>
            ${problem ? html`<span class="error" id=${errorId(`option-${j}`)}>${problem.message}</span>` : nothing}
          </li>`;
        })}
      </ol>
      ${noOptions ? html`<p class="error" id=${errorId('options')}>${noOptions.message}</p>` : nothing}
      <button
        type="button"
        class="button"
        data-action="add-option"
        aria-describedby=${noOptions ? errorId('options') : nothing}
        @click=${() => {
          setOptions([...v.options, { value: '' }]);
          void this.updateComplete.then(() => {
            const card = this.renderRoot.querySelectorAll('.variable')[i];
            const inputs = card?.querySelectorAll<HTMLInputElement>('[data-control="option-value"]');
            inputs?.[inputs.length - 1]?.focus();
          });
        }}
      >
        + ${this.t('variables.addOption')}
      </button>
    </div>`;
  }
}

define('cs-variables-editor', CsVariablesEditor);
