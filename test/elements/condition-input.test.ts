import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import type { Variable } from '@countersign/core';
import '../../packages/elements/src/internal/condition-input.ts';
import type { CsConditionInput, ConditionChangeDetail } from '../../packages/elements/src/internal/condition-input.ts';
import { $, $$, active } from './support.ts';

const VARIABLES: Variable[] = [
  {
    key: 'tier',
    type: 'enum',
    options: [
      { value: 'basic', label: 'Basic' },
      { value: 'premium', label: 'Premium' },
    ],
  },
  { key: 'amount', label: 'Contract amount', type: 'money', currency: 'EUR' },
  { key: 'client_name', type: 'text' },
  { key: 'auto_renew', type: 'boolean' },
];

const summary = (el: CsConditionInput) => $(el, '[part="summary"]')!.textContent!.trim();
const error = (el: CsConditionInput) => $(el, '[part="error"]')!.textContent!.trim();
const radio = (el: CsConditionInput, mode: string) => $<HTMLInputElement>(el, `input[type="radio"][value="${mode}"]`)!;

async function mount(value?: unknown, variables: Variable[] = VARIABLES): Promise<CsConditionInput> {
  const el = await fixture<CsConditionInput>(
    html`<cs-condition-input label="Include this clause" .variables=${variables} .value=${value}></cs-condition-input>`,
  );
  await el.updateComplete;
  return el;
}

/** Collects every cs-condition-change detail. */
function record(el: CsConditionInput): ConditionChangeDetail[] {
  const seen: ConditionChangeDetail[] = [];
  el.addEventListener('cs-condition-change', (e) => seen.push(e.detail));
  return seen;
}

function setValue(control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, value: string): void {
  control.value = value;
  control.dispatchEvent(new Event(control instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
}

describe('<cs-condition-input>', () => {
  it('without a value is "always included", with its legend, and accessible', async () => {
    const el = await mount();
    expect($(el, 'legend')!.textContent).to.equal('Include this clause');
    expect(radio(el, 'always').checked).to.equal(true);
    expect(summary(el)).to.equal('Always included');
    expect(el.valid).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('shows a stored simple rule in the simple editor with a plain-language summary', async () => {
    const el = await mount({ '==': [{ var: 'tier' }, 'premium'] });
    expect(radio(el, 'simple').checked).to.equal(true);
    expect($<HTMLSelectElement>(el, '[data-control="variable"]')!.value).to.equal('tier');
    expect($<HTMLSelectElement>(el, '[data-control="operator"]')!.value).to.equal('==');
    expect($<HTMLSelectElement>(el, '[data-control="value"]')!.value).to.equal('premium');
    expect(summary(el)).to.equal('Included when tier is Premium');
    await expect(el).to.be.accessible();
  });

  it('builds "any of" rules with typed values: money as a number, enum lists with "in"', async () => {
    const el = await mount({
      or: [{ '>=': [{ var: 'amount' }, 5000] }, { in: [{ var: 'tier' }, ['basic', 'premium']] }],
    });
    expect(summary(el)).to.equal('Included when Contract amount is at least 5000 or tier is one of Basic, Premium');
    expect($$(el, '.rule')).to.have.length(2);
    const seen = record(el);
    setValue($$<HTMLInputElement>(el, '[data-control="value"]')[0]!, '7500.5');
    await el.updateComplete;
    expect(seen.at(-1)).to.deep.equal({
      value: { or: [{ '>=': [{ var: 'amount' }, 7500.5] }, { in: [{ var: 'tier' }, ['basic', 'premium']] }] },
      valid: true,
    });
    setValue($<HTMLSelectElement>(el, '.combinator select')!, 'all');
    await el.updateComplete;
    expect(seen.at(-1)!.value).to.deep.equal({
      and: [{ '>=': [{ var: 'amount' }, 7500.5] }, { in: [{ var: 'tier' }, ['basic', 'premium']] }],
    });
    expect(el.value).to.deep.equal(seen.at(-1)!.value);
    await expect(el).to.be.accessible();

    // "is one of" a choice: a checkbox per option.
    const choices = $$<HTMLInputElement>(el, '.choices input[type="checkbox"]');
    expect(choices.map((c) => [c.dataset.option, c.checked])).to.deep.equal([
      ['basic', true],
      ['premium', true],
    ]);
    expect($(el, '.choices legend')!.textContent).to.equal('Values (Rule 2)');
    choices[0]!.click();
    await el.updateComplete;
    expect(seen.at(-1)!.value).to.deep.equal({
      and: [{ '>=': [{ var: 'amount' }, 7500.5] }, { in: [{ var: 'tier' }, ['premium']] }],
    });
    choices[1]!.click();
    await el.updateComplete;
    expect(error(el)).to.equal('Rule 2: choose at least one value.');
    expect(seen.at(-1)!.valid).to.equal(false);
    choices[1]!.click();
    await el.updateComplete;
    // Back to "is": the first chosen value stays, in a select.
    setValue($$<HTMLSelectElement>(el, '[data-control="operator"]')[1]!, '==');
    await el.updateComplete;
    expect($$<HTMLSelectElement>(el, '[data-control="value"]')[1]!.value).to.equal('premium');
    expect(seen.at(-1)!.value).to.deep.equal({
      and: [{ '>=': [{ var: 'amount' }, 7500.5] }, { '==': [{ var: 'tier' }, 'premium'] }],
    });
  });

  it('is usable with the keyboard alone: choose "Only when…", pick a variable, a comparison and a value', async () => {
    const el = await mount();
    const seen = record(el);
    radio(el, 'always').focus();
    await sendKeys({ press: 'ArrowRight' });
    await el.updateComplete;
    expect(radio(el, 'simple').checked).to.equal(true);
    // The first variable is preselected with its first option: already a valid rule.
    expect(seen.at(-1)).to.deep.equal({ value: { '==': [{ var: 'tier' }, 'basic'] }, valid: true });

    // Tab to the variable select and choose "client_name" (third option after the placeholder).
    await sendKeys({ press: 'Tab' });
    expect(active(el)!.dataset.control).to.equal('variable');
    const select = active(el) as HTMLSelectElement;
    setValue(select, 'client_name'); // a native select's keyboard handling is the browser's; the change is ours
    await el.updateComplete;
    await sendKeys({ press: 'Tab' });
    expect(active(el)!.dataset.control).to.equal('operator');
    await sendKeys({ press: 'Tab' });
    expect(active(el)!.dataset.control).to.equal('value');
    await sendKeys({ type: 'Zoë Łukasz-Müller' });
    await el.updateComplete;
    expect(seen.at(-1)).to.deep.equal({ value: { '==': [{ var: 'client_name' }, 'Zoë Łukasz-Müller'] }, valid: true });
    expect(summary(el)).to.equal('Included when client_name is Zoë Łukasz-Müller');

    // Add a second rule with Enter on "Add a rule": focus moves into the new row.
    await sendKeys({ press: 'Tab' }); // remove button of rule 1
    await sendKeys({ press: 'Tab' }); // add
    expect(active(el)!.textContent!.trim()).to.equal('Add a rule');
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect($$(el, '.rule')).to.have.length(2);
    expect(active(el)!.dataset.control).to.equal('variable');
    expect(seen.at(-1)!.value).to.deep.equal({
      and: [{ '==': [{ var: 'client_name' }, 'Zoë Łukasz-Müller'] }, { '==': [{ var: 'tier' }, 'basic'] }],
    });
    await expect(el).to.be.accessible();

    // Remove rule 2 with its button: back to one rule, focus stays on a remove button.
    const remove = $$<HTMLButtonElement>(el, '.remove')[1]!;
    expect(remove.getAttribute('aria-label')).to.equal('Remove rule 2');
    remove.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect($$(el, '.rule')).to.have.length(1);
    expect(active(el)!.classList.contains('remove')).to.equal(true);
    expect(seen.at(-1)!.value).to.deep.equal({ '==': [{ var: 'client_name' }, 'Zoë Łukasz-Müller'] });
  });

  it('says what is missing in a simple rule and marks the control invalid', async () => {
    const el = await mount({ '>': [{ var: 'amount' }, 100] });
    const seen = record(el);
    const value = $<HTMLInputElement>(el, '[data-control="value"]')!;
    setValue(value, '');
    await el.updateComplete;
    expect(error(el)).to.equal('Rule 1: enter a value.');
    expect(value.getAttribute('aria-invalid')).to.equal('true');
    expect(summary(el)).to.equal('The condition is not valid yet');
    expect(seen.at(-1)!.valid).to.equal(false);
    expect(el.valid).to.equal(false);
    // The last usable value stays on the element.
    expect(el.value).to.deep.equal({ '>': [{ var: 'amount' }, 100] });
    await expect(el).to.be.accessible();

    setValue($<HTMLSelectElement>(el, '[data-control="variable"]')!, '');
    await el.updateComplete;
    expect(error(el)).to.contain('Rule 1: choose a variable.');
    expect($(el, '[data-control="variable"]')!.getAttribute('aria-invalid')).to.equal('true');
  });

  it('checks advanced JSON as you type: bad JSON, a disallowed operator, then a valid rule', async () => {
    const el = await mount();
    const seen = record(el);
    radio(el, 'advanced').click();
    await el.updateComplete;
    const textarea = $<HTMLTextAreaElement>(el, 'textarea')!;
    expect(textarea.labels![0]!.textContent).to.equal('JSON Logic rule');

    setValue(textarea, '{"==": [');
    await el.updateComplete;
    expect(error(el)).to.match(/^This is not valid JSON: /);
    expect(textarea.getAttribute('aria-invalid')).to.equal('true');
    expect(seen.at(-1)!.valid).to.equal(false);
    await expect(el).to.be.accessible();

    setValue(textarea, '{"method": ["x"]}');
    await el.updateComplete;
    expect(error(el)).to.equal('condition: Unknown or disallowed operator "method"');
    expect(seen.at(-1)).to.deep.equal({ value: { method: ['x'] }, valid: false });

    setValue(textarea, '{"and": [{"==": [{"var": "tier"}, "premium"]}, {"!": {"var": "auto_renew"}}]}');
    await el.updateComplete;
    expect(error(el)).to.equal('');
    expect(textarea.getAttribute('aria-invalid')).to.equal('false');
    expect(summary(el)).to.equal('Included when the JSON Logic rule holds');
    expect(seen.at(-1)).to.deep.equal({
      value: { and: [{ '==': [{ var: 'tier' }, 'premium'] }, { '!': { var: 'auto_renew' } }] },
      valid: true,
    });

    // Too complex for the simple editor: it says so and stays in JSON.
    radio(el, 'simple').click();
    await el.updateComplete;
    expect(radio(el, 'advanced').checked).to.equal(true);
    expect($(el, '.note')!.textContent).to.contain('too complex for the simple editor');
    await expect(el).to.be.accessible();

    // A simple one moves across.
    setValue(textarea, '{"!=": [{"var": "auto_renew"}, true]}');
    await el.updateComplete;
    radio(el, 'simple').click();
    await el.updateComplete;
    expect(radio(el, 'simple').checked).to.equal(true);
    expect(summary(el)).to.equal('Included when auto_renew is not yes');
  });

  it('going back to "Always" fires undefined; a host echoing the value back does not reset the editor', async () => {
    const el = await mount();
    radio(el, 'simple').click();
    await el.updateComplete;
    const value = $<HTMLSelectElement>(el, '[data-control="value"]')!;
    setValue(value, 'premium');
    await el.updateComplete;
    // Echo: as a builder does after storing the event's value.
    el.value = structuredClone(el.value);
    await el.updateComplete;
    expect($<HTMLSelectElement>(el, '[data-control="value"]')!.value).to.equal('premium');

    const changed = oneEvent(el, 'cs-condition-change');
    radio(el, 'always').click();
    expect((await changed).detail).to.deep.equal({ value: undefined, valid: true });
    expect(el.value).to.equal(undefined);
    expect($(el, '.rule')).to.equal(null);
  });

  it('a host storing an invalid event value (as undefined) does not wipe what is being typed', async () => {
    const el = await mount({ '==': [{ var: 'tier' }, 'basic'] });
    // As a host does that keeps the condition as text: parse errors come back as "no condition".
    el.addEventListener('cs-condition-change', (e) => (el.value = e.detail.value));
    radio(el, 'advanced').click();
    await el.updateComplete;
    const textarea = $<HTMLTextAreaElement>(el, 'textarea')!;
    setValue(textarea, '{"==": [{"var": "tier"}, "pre');
    await el.updateComplete;
    await el.updateComplete;
    expect(radio(el, 'advanced').checked).to.equal(true);
    expect($<HTMLTextAreaElement>(el, 'textarea')!.value).to.equal('{"==": [{"var": "tier"}, "pre');
    expect(error(el)).to.match(/^This is not valid JSON/);
    setValue(textarea, '{"==": [{"var": "tier"}, "premium"]}');
    await el.updateComplete;
    expect(summary(el)).to.equal('Included when tier is Premium');
    // A value the host sets on its own (another clause selected) does reset it.
    el.value = { '!=': [{ var: 'tier' }, 'basic'] };
    await el.updateComplete;
    expect(radio(el, 'simple').checked).to.equal(true);
    expect(summary(el)).to.equal('Included when tier is not Basic');
  });

  it('fits a 360px-wide screen: rules wrap, targets stay 44px', async () => {
    await setViewport({ width: 360, height: 800 });
    try {
      const el = await mount({ or: [{ '>=': [{ var: 'amount' }, 5000] }, { '==': [{ var: 'tier' }, 'premium'] }] });
      expect(el.scrollWidth).to.be.at.most(el.clientWidth);
      for (const control of $$(el, 'button, select, input:not([type="radio"])')) {
        expect(control.getBoundingClientRect().height).to.be.at.least(44);
      }
      const remove = $(el, '.remove')!.getBoundingClientRect();
      expect(remove.width).to.be.at.least(44);
      expect(remove.width).to.be.below(100);
      await expect(el).to.be.accessible();
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });

  it('renders names and markup in values as text', async () => {
    const script = '<img src=x onerror=alert(1)>';
    const el = await mount({ '==': [{ var: 'client_name' }, script] }, [
      { key: 'client_name', label: 'Ἀθηνᾶ / 山田太郎 / محمد', type: 'text' },
    ]);
    expect(summary(el)).to.equal(`Included when Ἀθηνᾶ / 山田太郎 / محمد is ${script}`);
    expect(el.shadowRoot!.querySelector('img')).to.equal(null);
    expect($<HTMLInputElement>(el, '[data-control="value"]')!.value).to.equal(script);
  });

  it('without declared variables takes the variable as typed text', async () => {
    const el = await mount(undefined, []);
    const seen = record(el);
    radio(el, 'simple').click();
    await el.updateComplete;
    setValue($<HTMLInputElement>(el, '[data-control="variable"]')!, 'seats');
    setValue($<HTMLSelectElement>(el, '[data-control="operator"]')!, '>');
    setValue($<HTMLInputElement>(el, '[data-control="value"]')!, '10');
    await el.updateComplete;
    expect(seen.at(-1)).to.deep.equal({ value: { '>': [{ var: 'seats' }, 10] }, valid: true });
    expect(summary(el)).to.equal('Included when seats is more than 10');
    await expect(el).to.be.accessible();
  });
});
