import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import {
  patternEngineReady,
  type FieldPlacement,
  type FieldValidation,
  type SigningSession,
  type SigningView,
  type Template,
  type TemplateField,
} from '@countersign/core';
import '../../packages/elements/src/signer-pad/define.ts';
import '../../packages/elements/src/template-builder/define.ts';
import type { CsSignerPad } from '../../packages/elements/src/signer-pad/signer-pad.ts';
import type { CsTemplateBuilder } from '../../packages/elements/src/template-builder/template-builder.ts';
import { setPdfWorkerSrc } from '../../packages/elements/src/controllers/pdf-pages.ts';
import { api, expectCrossOriginServer, serverCommand, until } from './support.ts';

setPdfWorkerSrc('/node_modules/pdfjs-dist/build/pdf.worker.min.mjs');

interface Seeded {
  server: string;
  envelopeId: string;
  templateId: string;
  fields: FieldPlacement[];
  session: SigningSession;
}

const signingView = async (token: string) => (await api<SigningView>('GET', '/api/v1/signing', undefined, token)).body;
const stored = async (token: string, id: string) =>
  (await signingView(token)).fields.find((f) => f.id === id)?.value ?? null;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const EMAIL: FieldValidation = { kind: 'email' };
const PO: FieldValidation = { kind: 'pattern', pattern: 'PO-\\d{4}', message: 'Use your PO number, e.g. PO-1234' };
const SEATS: FieldValidation = { kind: 'number', min: 1, max: 500 };
const PHONE: FieldValidation = { kind: 'phone' };

const text = (id: string, label: string, y: number, validation: FieldValidation) => ({
  id,
  type: 'text',
  role: 'customer',
  page: 1,
  x: 0.1,
  y,
  width: 0.45,
  height: 0.035,
  required: false,
  label,
  validation,
});

const seedValidated = () =>
  serverCommand<Seeded>('cs-seed', {
    recipients: [{ name: 'Zoë Łukasz-Müller', email: 'zoe@example.com' }],
    fields: [
      { id: 'sig', type: 'signature', role: 'customer', page: 1, x: 0.1, y: 0.6, width: 0.3, height: 0.06 },
      text('email', 'E-mail of Юлия', 0.1, EMAIL),
      text('po', 'PO number', 0.2, PO),
      text('seats', 'Seats', 0.3, SEATS),
      text('phone', 'Phone', 0.4, PHONE),
    ],
  });

const $ = <E extends Element = HTMLElement>(el: Element, selector: string) => el.shadowRoot!.querySelector<E>(selector);
const input = (el: CsSignerPad, id: string) => $<HTMLInputElement>(el, `[data-field-id="${id}"] input`)!;
const active = (el: CsSignerPad) => el.shadowRoot!.activeElement as HTMLElement | null;

async function mountPad(seeded: Seeded): Promise<CsSignerPad> {
  const wrapper = await fixture<HTMLDivElement>(
    html`<div style="width:800px">
      <cs-signer-pad
        server=${seeded.server}
        token=${seeded.session.token}
        style="--cs-viewer-height:560px"
      ></cs-signer-pad>
    </div>`,
  );
  const el = wrapper.querySelector('cs-signer-pad')!;
  await until(() => $(el, '.page[data-page="1"][data-rendered]'), 'page 1 painted');
  return el;
}

/** The visible message a field points to with aria-describedby, or null. */
function shownMessage(el: CsSignerPad, id: string): HTMLElement | null {
  const describedBy = input(el, id).getAttribute('aria-describedby');
  if (!describedBy) return null;
  const message = el.shadowRoot!.getElementById(describedBy);
  if (!message) return null;
  const box = message.getBoundingClientRect();
  expect(box.width, 'message has a size').to.be.greaterThan(20);
  expect(box.height, 'message has a size').to.be.greaterThan(8);
  expect(message.classList.contains('visually-hidden')).to.equal(false);
  return message;
}

/** Replaces a text field's value from the keyboard and leaves it with Tab. */
async function typeInto(el: CsSignerPad, id: string, value: string): Promise<void> {
  const control = input(el, id);
  control.focus();
  control.select();
  await sendKeys({ press: 'Backspace' });
  await sendKeys({ type: value });
  await sendKeys({ press: 'Tab' });
  await el.updateComplete;
}

describe('field validation in <cs-signer-pad>', function () {
  this.timeout(40_000);

  before(expectCrossOriginServer);
  // The pattern engine is its own chunk, fetched while the pad loads; a person types later.
  before(() => patternEngineReady);

  it('gives each kind its keyboard; a bad value shows its message by the field and is not saved; a good one is', async () => {
    const seeded = await seedValidated();
    const token = seeded.session.token;
    const el = await mountPad(seeded);
    expect(input(el, 'email').getAttribute('inputmode')).to.equal('email');
    expect(input(el, 'email').type).to.equal('email');
    expect(input(el, 'phone').getAttribute('inputmode')).to.equal('tel');
    expect(input(el, 'phone').type).to.equal('tel');
    expect(input(el, 'seats').getAttribute('inputmode')).to.equal('decimal');
    expect(input(el, 'po').hasAttribute('inputmode')).to.equal(false);
    const errors: string[] = [];
    el.addEventListener('cs-error', (e) => errors.push(e.detail.code));

    await typeInto(el, 'email', 'not an email');
    expect(input(el, 'email').getAttribute('aria-invalid')).to.equal('true');
    expect(shownMessage(el, 'email')!.textContent!.trim()).to.equal('Enter an email address, like name@example.com');
    expect(active(el)).to.equal(input(el, 'po'), 'Tab moved on to the next field');
    await expect(el).to.be.accessible();

    // Script in the value stays text; the field's own message is shown instead of ours.
    await typeInto(el, 'po', '<img src=x onerror=alert(1)>');
    expect(shownMessage(el, 'po')!.textContent!.trim()).to.equal('Use your PO number, e.g. PO-1234');
    expect(el.shadowRoot!.querySelector('.overlay img')).to.equal(null);
    await typeInto(el, 'seats', '501');
    expect(shownMessage(el, 'seats')!.textContent!.trim()).to.equal('Enter a number of at most 500');
    await expect(el).to.be.accessible();

    // Past the debounced save: the server holds none of them, and no request was refused.
    await sleep(1000);
    expect(await stored(token, 'email')).to.equal(null);
    expect(await stored(token, 'po')).to.equal(null);
    expect(await stored(token, 'seats')).to.equal(null);
    expect(errors).to.deep.equal([]);

    // Finishing lists every problem at once (the missing consent and signature, each bad value),
    // focuses the list and sends nothing.
    const realFetch = window.fetch;
    const sent: string[] = [];
    window.fetch = (request, init) => {
      if ((init?.method ?? 'GET') !== 'GET') sent.push(request instanceof Request ? request.url : String(request));
      return realFetch(request, init);
    };
    try {
      const refused = oneEvent(el, 'cs-error');
      $<HTMLButtonElement>(el, 'button.finish')!.click();
      expect((await refused).detail.code).to.equal('incomplete');
      await until(() => $(el, '.missing'), 'list of what to do');
      expect($(el, '.missing-title')!.textContent).to.contain('complete these 5 items');
      expect([...$(el, '.missing')!.querySelectorAll('li')].map((li) => li.textContent!.trim())).to.deep.equal([
        'Agree to use electronic records and signatures',
        'E-mail of Юлия: Enter an email address, like name@example.com',
        'PO number: Use your PO number, e.g. PO-1234',
        'Seats: Enter a number of at most 500',
        'Signature (page 1)',
      ]);
      expect(active(el)).to.equal($(el, '.missing-title'));
      expect(sent, 'no request while anything is missing').to.deep.equal([]);
      await expect(el).to.be.accessible();
      // Each entry takes focus to its field.
      $<HTMLButtonElement>(el, '.missing li:nth-child(3) button')!.click();
      expect(active(el)).to.equal(input(el, 'po'));

      // With the consent given and the signature still missing: only the values to fix and it.
      $<HTMLInputElement>(el, '#consent')!.click();
      await sleep(300);
      sent.length = 0;
      $<HTMLButtonElement>(el, 'button.finish')!.click();
      await el.updateComplete;
      expect($(el, '.missing')!.querySelectorAll('li').length).to.equal(4);
      expect(sent).to.deep.equal([]);
    } finally {
      window.fetch = realFetch;
    }

    // Typing clears the message; good values are saved.
    await typeInto(el, 'email', 'zoe@example.com');
    expect(input(el, 'email').getAttribute('aria-invalid')).to.equal('false');
    expect(input(el, 'email').hasAttribute('aria-describedby')).to.equal(false);
    expect($(el, '#error-email')).to.equal(null);
    await typeInto(el, 'po', 'PO-1234');
    await typeInto(el, 'seats', '12,5');
    for (let i = 0; i < 80 && (await stored(token, 'seats')) !== '12,5'; i++) await sleep(50);
    expect(await stored(token, 'email')).to.equal('zoe@example.com');
    expect(await stored(token, 'po')).to.equal('PO-1234');
    expect(await stored(token, 'seats')).to.equal('12,5');
    expect(el.shadowRoot!.querySelectorAll('.field-message').length).to.equal(0);
    await expect(el).to.be.accessible();
  });

  it('shows the server’s 422 for a field by the field, with cs-error, when the pad did not know the rule', async () => {
    const seeded = await seedValidated();
    const token = seeded.session.token;
    // Hand the pad the real signing view without the validations, as an older server would.
    const realFetch = window.fetch;
    window.fetch = async (request, init) => {
      const response = await realFetch(request, init);
      const url = request instanceof Request ? request.url : String(request);
      if (!url.endsWith('/api/v1/signing') || (init?.method ?? 'GET') !== 'GET' || !response.ok) return response;
      const view = (await response.json()) as SigningView;
      for (const f of view.fields) delete f.validation;
      return new Response(JSON.stringify(view), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    try {
      const el = await mountPad(seeded);
      const failed = oneEvent(el, 'cs-error');
      await typeInto(el, 'po', 'PO-12');
      const { detail } = await failed;
      expect(detail.status).to.equal(422);
      await until(() => input(el, 'po').getAttribute('aria-invalid') === 'true', 'field marked invalid');
      expect(shownMessage(el, 'po')!.textContent!.trim()).to.equal('Use your PO number, e.g. PO-1234');
      expect(await stored(token, 'po')).to.equal(null);
      await expect(el).to.be.accessible();
    } finally {
      window.fetch = realFetch;
    }
  });
});

// ---- the template builder's side panel

async function mountBuilder(): Promise<CsTemplateBuilder> {
  const { server } = await serverCommand<{ server: string }>('cs-server');
  const minted = await api<{ token: string }>('POST', '/api/v1/embed-tokens', {
    role: 'legal',
    user: { id: 'u_legal', name: 'Zoë Łukasz-Müller', email: 'zoe@example.com' },
  });
  const wrapper = await fixture<HTMLDivElement>(
    html`<div style="width:1180px">
      <cs-template-builder
        server=${server}
        token=${minted.body.token}
        style="--cs-viewer-height:640px"
      ></cs-template-builder>
    </div>`,
  );
  const el = wrapper.querySelector('cs-template-builder')!;
  const { name, base64 } = await serverCommand<{ name: string; base64: string }>('cs-fixture', { pages: 2 });
  const transfer = new DataTransfer();
  transfer.items.add(
    new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name, { type: 'application/pdf' }),
  );
  const file = $<HTMLInputElement>(el, 'input[type="file"]')!;
  file.files = transfer.files;
  file.dispatchEvent(new Event('change', { bubbles: true }));
  await until(() => $(el, '.page[data-page="1"][data-rendered]'), 'page 1 painted');
  return el;
}

const model = (el: CsTemplateBuilder) => (el as unknown as { fields: TemplateField[] }).fields;
const panel = <E extends Element = HTMLElement>(el: CsTemplateBuilder, selector: string) =>
  $<E>(el, `.panel ${selector}`);
const shown = (el: CsTemplateBuilder, selector: string) => panel(el, selector)?.textContent?.trim();

/** Adds a text field from the palette with the keyboard; it is selected and its panel open. */
async function addTextField(el: CsTemplateBuilder): Promise<TemplateField> {
  $(el, '.palette-item[data-type="text"]')!.focus();
  await sendKeys({ press: 'Enter' });
  await until(() => panel(el, '.validation-kind'), 'validation controls in the panel');
  return model(el).at(-1)!;
}

/** Focuses a panel control and replaces its text from the keyboard. */
async function typeInPanel(el: CsTemplateBuilder, selector: string, value: string): Promise<void> {
  const control = panel<HTMLInputElement>(el, selector)!;
  control.focus();
  control.select();
  await sendKeys({ press: 'Backspace' });
  if (value) await sendKeys({ type: value });
  await el.updateComplete;
}

describe('field validation in <cs-template-builder>', function () {
  this.timeout(40_000);

  before(expectCrossOriginServer);

  it('sets a pattern and a number range from the keyboard, checks them inline, and the server stores them exactly', async () => {
    const el = await mountBuilder();
    // A signature field has no validation controls.
    $(el, '.palette-item[data-type="signature"]')!.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(panel(el, '.validation')).to.equal(null);

    const po = await addTextField(el);
    expect(shown(el, '.validation legend')).to.equal('Validation');
    expect(panel<HTMLSelectElement>(el, '.validation-kind')!.value).to.equal('');
    panel(el, '.validation-kind')!.focus();
    await sendKeys({ press: 'End' });
    await el.updateComplete;
    expect(panel<HTMLSelectElement>(el, '.validation-kind')!.value).to.equal('pattern');
    // No pattern yet: said so, and nothing committed.
    expect(shown(el, '#validation-pattern-error')).to.equal('Enter a pattern');
    expect(panel(el, '.validation-pattern')!.getAttribute('aria-invalid')).to.equal('true');
    expect(model(el).find((f) => f.id === po.id)!.validation).to.equal(undefined);
    await expect(el).to.be.accessible();

    await typeInPanel(el, '.validation-pattern', '([A-Z');
    expect(shown(el, '#validation-pattern-error')).to.equal('This is not a valid regular expression');
    expect(model(el).find((f) => f.id === po.id)!.validation).to.equal(undefined);
    await expect(el).to.be.accessible();

    // Lookahead, which the linear-time engine cannot run; pasted whole (typing it would pass
    // through sound patterns). The engine arrives as its own chunk: wait for it.
    await patternEngineReady;
    const patternInput = panel<HTMLInputElement>(el, '.validation-pattern')!;
    patternInput.value = '(?=PO)PO-\\d{4}';
    patternInput.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    await el.updateComplete;
    expect(shown(el, '#validation-pattern-error')).to.contain('cannot use backreferences or lookaround');
    expect(model(el).find((f) => f.id === po.id)!.validation).to.equal(undefined);

    await typeInPanel(el, '.validation-pattern', 'PO-\\d{4}');
    expect(panel(el, '#validation-pattern-error')).to.equal(null);
    expect(panel(el, '.validation-pattern')!.getAttribute('aria-invalid')).to.equal('false');
    const message = 'Use your PO number, Юлия <img src=x onerror=alert(1)>';
    await sendKeys({ press: 'Tab' });
    await typeInPanel(el, '.validation-message', message);
    expect(el.shadowRoot!.activeElement).to.equal(panel(el, '.validation-message'));
    expect(model(el).find((f) => f.id === po.id)!.validation).to.deep.equal({
      kind: 'pattern',
      pattern: 'PO-\\d{4}',
      message,
    });

    // Typing the message was one undo step, typing the pattern another.
    $(el, '.undo')!.click();
    await el.updateComplete;
    expect(model(el).find((f) => f.id === po.id)!.validation).to.deep.equal({ kind: 'pattern', pattern: 'PO-\\d{4}' });
    $(el, '.undo')!.click();
    await el.updateComplete;
    expect(model(el).find((f) => f.id === po.id)!.validation).to.equal(undefined);
    $(el, '.redo')!.click();
    $(el, '.redo')!.click();
    await el.updateComplete;
    expect(model(el).find((f) => f.id === po.id)!.validation!.message).to.equal(message);

    const seats = await addTextField(el);
    panel(el, '.validation-kind')!.focus();
    for (let i = 0; i < 3; i++) await sendKeys({ press: 'ArrowDown' });
    await el.updateComplete;
    expect(panel<HTMLSelectElement>(el, '.validation-kind')!.value).to.equal('number');
    expect(model(el).find((f) => f.id === seats.id)!.validation).to.deep.equal({ kind: 'number' });
    await typeInPanel(el, '.validation-min', '10');
    await typeInPanel(el, '.validation-max', '2');
    expect(shown(el, '#validation-max-error')).to.equal('The largest number must not be less than the smallest');
    expect(panel(el, '.validation-max')!.getAttribute('aria-describedby')).to.equal('validation-max-error');
    expect(model(el).find((f) => f.id === seats.id)!.validation).to.deep.equal({ kind: 'number', min: 10 });
    await expect(el).to.be.accessible();
    await typeInPanel(el, '.validation-max', '20');
    expect(panel(el, '#validation-max-error')).to.equal(null);
    expect(model(el).find((f) => f.id === seats.id)!.validation).to.deep.equal({ kind: 'number', min: 10, max: 20 });

    const saved = oneEvent(el, 'cs-template-save');
    $(el, '.save')!.click();
    const { templateId } = (await saved).detail;
    const { body } = await api<Template>('GET', `/api/v1/templates/${templateId}`);
    const stored = new Map(body.versions[0]!.fields.map((f) => [f.id, f]));
    expect(stored.get(po.id)!.validation).to.deep.equal({ kind: 'pattern', pattern: 'PO-\\d{4}', message });
    expect(stored.get(seats.id)!.validation).to.deep.equal({ kind: 'number', min: 10, max: 20 });
    expect([...stored.values()].find((f) => f.type === 'signature')!.validation).to.equal(undefined);

    // Choosing "Anything" drops the rule.
    panel(el, '.validation-kind')!.focus();
    await sendKeys({ press: 'Home' });
    await el.updateComplete;
    expect(model(el).find((f) => f.id === seats.id)!.validation).to.equal(undefined);
    expect(panel(el, '.validation-min')).to.equal(null);
    await expect(el).to.be.accessible();
  });
});
