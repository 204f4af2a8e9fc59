import type { LitElement } from 'lit';
import { property, state } from 'lit/decorators.js';

/** What an element reports to its form: constraint flags, a localized message, and where to point. */
export interface FormValidity {
  flags: ValidityStateFlags;
  message: string;
  /** The control inside the element that the browser focuses and points its message at. */
  anchor?: HTMLElement;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the mixin pattern needs an open constructor
type Constructor<T> = abstract new (...args: any[]) => T;

/** The public and protected surface the mixin adds (a class type, so subclasses may override). */
export declare abstract class FormAssociatedElement {
  static readonly formAssociated: true;
  name: string;
  required: boolean;
  disabled: boolean;
  readonly form: HTMLFormElement | null;
  readonly labels: NodeList;
  readonly validity: ValidityState;
  readonly validationMessage: string;
  readonly willValidate: boolean;
  checkValidity(): boolean;
  reportValidity(): boolean;
  formResetCallback(): void;
  formDisabledCallback(disabled: boolean): void;
  formStateRestoreCallback(state: string | File | FormData | null, reason: 'restore' | 'autocomplete'): void;
  protected readonly internals: ElementInternals;
  /** True when `disabled` is set or an enclosing `<fieldset disabled>` disables the element. */
  protected get isDisabled(): boolean;
  /** The value the form submits under `name`; null submits nothing. */
  protected abstract formValue(): string | null;
  /** Constraint state; called after every update. Valid by default. */
  protected formValidity(): FormValidity;
  /** Hook for `<form>` reset; nothing by default. */
  protected formReset(): void;
  /** Hook for the browser restoring the state saved with the value (navigation, autofill). */
  protected formRestore(state: string | File | FormData | null): void;
}

/**
 * Lets an element take part in the host's `<form>` (after Material Web's form mixins): it is
 * form-associated through `ElementInternals`, reflects `name`, `required` and `disabled`, and
 * after each update hands the form its value and validity. Subclasses say what the value is
 * (`formValue`) and when it is invalid (`formValidity`).
 */
export function FormAssociated<T extends Constructor<LitElement>>(Base: T): T & Constructor<FormAssociatedElement> {
  abstract class Mixed extends Base {
    static readonly formAssociated = true;

    /** Name under which the form submits the element's value. */
    @property({ reflect: true }) name = '';
    /** The form is invalid until the element has a value. */
    @property({ type: Boolean, reflect: true }) required = false;
    /** Disables the element's controls and leaves it out of the form. */
    @property({ type: Boolean, reflect: true }) disabled = false;

    @state() private formDisabled = false;

    protected readonly internals = this.attachInternals();

    get form(): HTMLFormElement | null {
      return this.internals.form;
    }
    get labels(): NodeList {
      return this.internals.labels;
    }
    get validity(): ValidityState {
      return this.internals.validity;
    }
    get validationMessage(): string {
      return this.internals.validationMessage;
    }
    get willValidate(): boolean {
      return this.internals.willValidate;
    }
    checkValidity(): boolean {
      this.syncForm();
      return this.internals.checkValidity();
    }
    reportValidity(): boolean {
      this.syncForm();
      return this.internals.reportValidity();
    }

    protected get isDisabled(): boolean {
      return this.disabled || this.formDisabled;
    }

    protected abstract formValue(): string | null;
    protected formValidity(): FormValidity {
      return { flags: {}, message: '' };
    }
    protected formReset(): void {}
    protected formRestore(_state: string | File | FormData | null): void {}

    formResetCallback(): void {
      this.formReset();
      this.requestUpdate();
    }
    formDisabledCallback(disabled: boolean): void {
      this.formDisabled = disabled;
    }
    formStateRestoreCallback(state: string | File | FormData | null): void {
      this.formRestore(state);
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the mixin constructor signature
    constructor(...args: any[]) {
      super(...args);
      // A controller rather than updated(): it runs after every render whatever subclasses override.
      this.addController({ hostUpdated: () => this.syncForm() });
    }

    private syncForm(): void {
      const value = this.formValue();
      this.internals.setFormValue(value, value);
      this.internals.ariaDisabled = this.isDisabled ? 'true' : null;
      const { flags, message, anchor } = this.formValidity();
      if (Object.values(flags).some(Boolean)) this.internals.setValidity(flags, message, anchor);
      else this.internals.setValidity({});
    }
  }
  return Mixed as unknown as T & Constructor<FormAssociatedElement>;
}
