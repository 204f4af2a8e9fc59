import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import type { Variable } from '@countersign/core';
import '../../packages/elements/src/template-builder/variables-editor.ts';
import type {
  CsVariablesEditor,
  VariablesChangeDetail,
} from '../../packages/elements/src/template-builder/variables-editor.ts';
import { active } from './support.ts';

const $ = <E extends Element = HTMLElement>(root: ParentNode, selector: string) => root.querySelector<E>(selector)!;
const $$ = <E extends Element = HTMLElement>(root: ParentNode, selector: string) => [
  ...root.querySelectorAll<E>(selector),
];
const cards = (el: CsVariablesEditor) => $$(el.shadowRoot!, '.variable');
const card = (el: CsVariablesEditor, i: number) => cards(el)[i]!;
const control = <E extends HTMLElement = HTMLInputElement>(el: CsVariablesEditor, i: number, name: string) =>
  $<E>(card(el, i), `[data-control="${name}"]`);
const errors = (el: CsVariablesEditor, i: number) => $$(card(el, i), '.error').map((e) => e.textContent!.trim());

async function mount(variables: Variable[] = []): Promise<CsVariablesEditor> {
  const el = await fixture<CsVariablesEditor>(
    html`<cs-variables-editor .variables=${variables}></cs-variables-editor>`,
  );
  await el.updateComplete;
  return el;
}

function record(el: CsVariablesEditor): VariablesChangeDetail[] {
  const seen: VariablesChangeDetail[] = [];
  el.addEventListener('cs-variables-change', (e) => seen.push(structuredClone(e.detail)));
  return seen;
}

async function input(el: CsVariablesEditor, target: HTMLInputElement | HTMLSelectElement, value: string) {
  target.value = value;
  target.dispatchEvent(new Event(target instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  await el.updateComplete;
}

const SAMPLE: Variable[] = [
  { key: 'client_name', label: 'Client name', type: 'text', required: true },
  { key: 'fee', label: 'Monthly fee', type: 'money', currency: 'EUR', min: 0 },
  {
    key: 'tier',
    type: 'enum',
    options: [
      { value: 'basic', label: 'Basic' },
      { value: 'premium', label: 'Premium' },
    ],
  },
];

describe('<cs-variables-editor>', () => {
  it('without variables says what they are for and offers to add one', async () => {
    const el = await mount();
    expect($(el.shadowRoot!, '.empty').textContent).to.contain('No variables yet');
    expect($(el.shadowRoot!, '[part~="add"]').textContent!.trim()).to.equal('+ Add a variable');
    await expect(el).to.be.accessible();
  });

  it('shows each variable with its type constraints, and an edit fires the exact variables', async () => {
    const el = await mount(SAMPLE);
    expect(cards(el)).to.have.length(3);
    expect($(card(el, 0), 'h3').textContent).to.equal('Variable 1: client_name');
    expect(control<HTMLSelectElement>(el, 1, 'type').value).to.equal('money');
    expect(control(el, 1, 'currency').value).to.equal('EUR');
    expect(control(el, 1, 'min').value).to.equal('0');
    expect($$<HTMLInputElement>(card(el, 2), '[data-control="option-value"]').map((i) => i.value)).to.deep.equal([
      'basic',
      'premium',
    ]);
    await expect(el).to.be.accessible();

    const seen = record(el);
    await input(el, control(el, 1, 'max'), '2500');
    await input(el, control(el, 0, 'label'), '');
    expect(seen.at(-1)).to.deep.equal({
      variables: [
        { key: 'client_name', type: 'text', required: true },
        { key: 'fee', label: 'Monthly fee', type: 'money', currency: 'EUR', min: 0, max: 2500 },
        SAMPLE[2],
      ],
      valid: true,
    });
    expect(el.variables).to.deep.equal(seen.at(-1)!.variables);
  });

  it('adds a variable with the keyboard alone and focuses its key', async () => {
    const el = await mount(SAMPLE.slice(0, 1));
    const seen = record(el);
    $(el.shadowRoot!, '[part~="add"]').focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(cards(el)).to.have.length(2);
    expect(active(el)).to.equal(control(el, 1, 'key'));
    expect(seen.at(-1)!.variables[1]).to.deep.equal({ key: 'variable_2', type: 'text' });
    // The key text is selected: typing replaces it.
    await sendKeys({ type: 'start_date' });
    await sendKeys({ press: 'Tab' }); // label
    await sendKeys({ type: 'Start date' });
    await sendKeys({ press: 'Tab' }); // type
    expect(active(el)!.dataset.control).to.equal('type');
    await input(el, active(el) as HTMLSelectElement, 'date');
    await sendKeys({ press: 'Tab' }); // required
    await sendKeys({ press: 'Space' });
    await el.updateComplete;
    expect(seen.at(-1)!.variables[1]).to.deep.equal({
      key: 'start_date',
      label: 'Start date',
      type: 'date',
      required: true,
    });
    expect($(card(el, 1), 'h3').textContent).to.equal('Variable 2: start_date');
    await expect(el).to.be.accessible();
  });

  it('flags duplicate keys, bad key characters and an empty key, and clears them when fixed', async () => {
    const el = await mount(SAMPLE);
    const seen = record(el);
    await input(el, control(el, 1, 'key'), 'client_name');
    expect(errors(el, 0)).to.deep.equal(['Another variable already uses the key client_name.']);
    expect(errors(el, 1)).to.deep.equal(['Another variable already uses the key client_name.']);
    expect(control(el, 1, 'key').getAttribute('aria-invalid')).to.equal('true');
    expect(control(el, 1, 'key').getAttribute('aria-describedby')).to.contain(
      $(card(el, 1), '.error').getAttribute('id')!,
    );
    expect(seen.at(-1)!.valid).to.equal(false);
    expect(el.valid).to.equal(false);
    expect($(el.shadowRoot!, '[role="status"]').textContent).to.contain('2 problems to fix.');
    await expect(el).to.be.accessible();

    await input(el, control(el, 1, 'key'), 'monthly fee');
    expect(errors(el, 1)).to.deep.equal(['A key uses only letters, digits, _ . and -.']);
    expect(errors(el, 0)).to.deep.equal([]);
    expect($(el.shadowRoot!, '[role="status"]').textContent).to.contain('1 problem to fix.');
    await input(el, control(el, 1, 'key'), '');
    expect(errors(el, 1)).to.deep.equal(['Enter a key.']);
    await input(el, control(el, 1, 'key'), 'monthly_fee');
    expect(errors(el, 1)).to.deep.equal([]);
    expect(control(el, 1, 'key').getAttribute('aria-invalid')).to.equal('false');
    expect(seen.at(-1)!.valid).to.equal(true);
    expect($(el.shadowRoot!, '[role="status"]').textContent).to.not.contain('to fix');
  });

  it('flags min above max, a length range upside down, a bad pattern and an unknown currency', async () => {
    const el = await mount([
      { key: 'seats', type: 'number' },
      { key: 'code', type: 'text' },
      { key: 'fee', type: 'money', currency: 'EUR' },
      { key: 'start', type: 'date' },
    ]);
    await input(el, control(el, 0, 'min'), '10');
    await input(el, control(el, 0, 'max'), '5');
    expect(errors(el, 0)).to.deep.equal(['The minimum is more than the maximum.']);
    expect(control(el, 0, 'max').getAttribute('aria-invalid')).to.equal('true');

    await input(el, control(el, 1, 'minLength'), '8');
    await input(el, control(el, 1, 'maxLength'), '4');
    await input(el, control(el, 1, 'pattern'), '[A-Z');
    expect(errors(el, 1)).to.deep.equal([
      'The minimum length is more than the maximum length.',
      'This is not a valid regular expression.',
    ]);

    await input(el, control(el, 2, 'currency'), 'xyz');
    expect(control(el, 2, 'currency').value).to.equal('XYZ');
    expect(errors(el, 2)).to.deep.equal(['Enter a three-letter currency code such as EUR or USD.']);

    await input(el, control(el, 3, 'min'), '2027-01-01');
    await input(el, control(el, 3, 'max'), '2026-12-31');
    expect(errors(el, 3)).to.deep.equal(['The minimum is more than the maximum.']);
    await expect(el).to.be.accessible();

    const seen = record(el);
    await input(el, control(el, 0, 'max'), '50');
    await input(el, control(el, 1, 'maxLength'), '');
    await input(el, control(el, 1, 'pattern'), '[A-Z]+');
    await input(el, control(el, 2, 'currency'), 'jpy');
    await input(el, control(el, 3, 'max'), '');
    expect(seen.at(-1)).to.deep.equal({
      variables: [
        { key: 'seats', type: 'number', min: 10, max: 50 },
        { key: 'code', type: 'text', minLength: 8, pattern: '[A-Z]+' },
        { key: 'fee', type: 'money', currency: 'JPY' },
        { key: 'start', type: 'date', min: '2027-01-01' },
      ],
      valid: true,
    });
  });

  it('changing the type keeps key, label, required and help, and sets up the new type', async () => {
    const el = await mount([
      { key: 'plan', label: 'Plan', type: 'text', required: true, help: 'As sold', maxLength: 9 },
    ]);
    const seen = record(el);
    await input(el, control<HTMLSelectElement>(el, 0, 'type'), 'enum');
    expect(seen.at(-1)).to.deep.equal({
      variables: [
        { key: 'plan', label: 'Plan', type: 'enum', required: true, help: 'As sold', options: [{ value: '' }] },
      ],
      valid: false,
    });
    expect(errors(el, 0)).to.deep.equal(['Option 1 needs a value.']);
    await input(el, control(el, 0, 'option-value'), 'gold');
    // Add a second option with the keyboard; focus lands in it.
    $(card(el, 0), '[data-action="add-option"]').focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(active(el)).to.equal($$(card(el, 0), '[data-control="option-value"]')[1]);
    await sendKeys({ type: 'gold' });
    await el.updateComplete;
    expect(errors(el, 0)).to.deep.equal(['Option 2 repeats the value gold.']);
    await expect(el).to.be.accessible();
    await input(el, $$<HTMLInputElement>(card(el, 0), '[data-control="option-value"]')[1]!, 'silver');
    await input(el, $$<HTMLInputElement>(card(el, 0), '[data-control="option-label"]')[1]!, 'Silver');
    expect(seen.at(-1)!.variables[0]).to.deep.equal({
      key: 'plan',
      label: 'Plan',
      type: 'enum',
      required: true,
      help: 'As sold',
      options: [{ value: 'gold' }, { value: 'silver', label: 'Silver' }],
    });
    expect(seen.at(-1)!.valid).to.equal(true);

    // Removing every option is flagged too.
    $$<HTMLButtonElement>(card(el, 0), '.option button')[1]!.click();
    await el.updateComplete;
    $$<HTMLButtonElement>(card(el, 0), '.option button')[0]!.click();
    await el.updateComplete;
    expect(errors(el, 0)).to.deep.equal(['Add at least one option.']);

    await input(el, control<HTMLSelectElement>(el, 0, 'type'), 'money');
    expect(seen.at(-1)!.variables[0]).to.deep.equal({
      key: 'plan',
      label: 'Plan',
      type: 'money',
      required: true,
      help: 'As sold',
      currency: 'EUR',
    });
  });

  it('reorders and removes with the keyboard, focus following the variable', async () => {
    const el = await mount(SAMPLE);
    const seen = record(el);
    const down = $<HTMLButtonElement>(card(el, 0), '[data-action="down"]');
    expect(down.getAttribute('aria-label')).to.equal('Move client_name down');
    expect($<HTMLButtonElement>(card(el, 0), '[data-action="up"]').disabled).to.equal(true);
    down.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(seen.at(-1)!.variables.map((v) => v.key)).to.deep.equal(['fee', 'client_name', 'tier']);
    expect(active(el)!.getAttribute('aria-label')).to.equal('Move client_name down');
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(seen.at(-1)!.variables.map((v) => v.key)).to.deep.equal(['fee', 'tier', 'client_name']);
    // Last place: "down" is disabled, focus moved to "up" of the same variable.
    expect(active(el)!.getAttribute('aria-label')).to.equal('Move client_name up');
    expect($(el.shadowRoot!, '[role="status"]').textContent).to.contain('client_name moved to position 3.');

    // Alt+↑ from inside a variable's key moves it, focus staying in its key.
    control(el, 2, 'key').focus();
    await sendKeys({ down: 'Alt' });
    await sendKeys({ press: 'ArrowUp' });
    await sendKeys({ up: 'Alt' });
    await el.updateComplete;
    expect(seen.at(-1)!.variables.map((v) => v.key)).to.deep.equal(['fee', 'client_name', 'tier']);
    expect(active(el)).to.equal(control(el, 1, 'key'));
    expect(control(el, 1, 'key').value).to.equal('client_name');

    const remove = $<HTMLButtonElement>(card(el, 2), '[data-action="remove"]');
    expect(remove.getAttribute('aria-label')).to.equal('Remove tier');
    remove.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(seen.at(-1)!.variables.map((v) => v.key)).to.deep.equal(['fee', 'client_name']);
    expect(active(el)!.getAttribute('aria-label')).to.equal('Remove client_name');
    await expect(el).to.be.accessible();
  });

  it('disabled, shows the variables with every control disabled', async () => {
    const el = await fixture<CsVariablesEditor>(
      html`<cs-variables-editor disabled .variables=${SAMPLE}></cs-variables-editor>`,
    );
    const controls = $$<HTMLInputElement | HTMLButtonElement | HTMLSelectElement>(
      el.shadowRoot!,
      'input, select, button',
    );
    expect(controls.length).to.be.greaterThan(10);
    for (const control of controls) expect(control.matches(':disabled'), control.outerHTML).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('prints names and markup as text, and fits a 360px-wide screen', async () => {
    await setViewport({ width: 360, height: 800 });
    try {
      const script = '<img src=x onerror=alert(1)>';
      const el = await mount([
        { key: 'name', label: 'Zoë Łukasz-Müller Ἀθηνᾶ Юлия 山田太郎 محمد', type: 'text', help: script },
      ]);
      expect(control(el, 0, 'label').value).to.equal('Zoë Łukasz-Müller Ἀθηνᾶ Юлия 山田太郎 محمد');
      expect(control(el, 0, 'help').value).to.equal(script);
      expect(el.shadowRoot!.querySelector('img')).to.equal(null);
      expect(el.scrollWidth).to.be.at.most(el.clientWidth);
      for (const button of $$(el.shadowRoot!, 'button')) {
        const box = button.getBoundingClientRect();
        expect(box.height, button.getAttribute('aria-label') ?? button.textContent!).to.be.at.least(44);
        expect(box.width).to.be.at.least(44);
      }
      await expect(el).to.be.accessible();
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });
});
