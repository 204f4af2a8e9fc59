import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import type { FieldPlacement, SigningSession, SigningView } from '@countersign/core';
import '../../packages/elements/src/signer-pad/define.ts';
import type { CsSignerPad } from '../../packages/elements/src/signer-pad/signer-pad.ts';
import type { PdfVariant, SealedPage } from '../support/wtr-countersign.ts';
import { setPdfWorkerSrc } from '../../packages/elements/src/controllers/pdf-pages.ts';
import { $, $$, active, api, expectCrossOriginServer, serverCommand, until } from './support.ts';

// The dev server does not understand Vite's `?url`: point pdf.js at the worker it serves.
setPdfWorkerSrc('/node_modules/pdfjs-dist/build/pdf.worker.min.mjs');

interface Seeded {
  server: string;
  envelopeId: string;
  pages: number;
  recipients: Array<{ id: string; name: string; email: string; role: string }>;
  fields: FieldPlacement[];
  session: SigningSession;
}

const seed = (options: Record<string, unknown> & { pdf?: PdfVariant } = {}) =>
  serverCommand<Seeded>('cs-seed', options);
const sealedWords = (envelopeId: string, page: number) =>
  serverCommand<SealedPage>('cs-sealed-words', { envelopeId, page });
const signingView = async (token: string) => (await api<SigningView>('GET', '/api/v1/signing', undefined, token)).body;
const putField = (token: string, id: string, value: unknown) =>
  api('PUT', `/api/v1/signing/fields/${id}`, { value }, token);

/** Fills every field of the default seed through the API (but `skip`) and accepts the consent. */
async function fillAll(seeded: Seeded, skip?: string): Promise<void> {
  const token = seeded.session.token;
  const signature = { kind: 'typed', text: 'Zoë Łukasz-Müller' };
  const values: Record<string, unknown> = {
    customer_signature: signature,
    customer_signature_last: signature,
    customer_name: 'Zoë Łukasz-Müller',
    customer_agree: true,
  };
  for (const [id, value] of Object.entries(values)) if (id !== skip) await putField(token, id, value);
  await api('POST', '/api/v1/signing/consent', { accepted: true }, token);
}

const CLOSED_PORT = 'http://127.0.0.1:9';

/**
 * Wraps window.fetch: records every request the page makes, and lets a test change the signing
 * view the server answers (`patch` returns false once it no longer wants to change it).
 */
function spyFetch(patch?: (view: SigningView) => boolean | void) {
  const original = window.fetch;
  const calls: Array<{ method: string; path: string }> = [];
  let patching = !!patch;
  window.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const path = new URL(url, location.href).pathname;
    calls.push({ method, path });
    const response = await original(input, init);
    if (!patching || method !== 'GET' || path !== '/api/v1/signing' || !response.ok) return response;
    const view = (await response.json()) as SigningView;
    if (patch!(view) === false) patching = false;
    return Response.json(view);
  };
  restoreFetch = () => (window.fetch = original);
  return calls;
}
let restoreFetch: (() => void) | undefined;
/** The requests that change something (everything but GET). */
const writes = (calls: Array<{ method: string; path: string }>) => calls.filter((c) => c.method !== 'GET');

/** Every point of the 24 × 24 px square centred on `box` hits `box` (or what is inside it). */
function expectTapTarget(el: CsSignerPad, box: HTMLElement, what: string): void {
  const r = box.getBoundingClientRect();
  const cx = r.left + r.width / 2;
  const cy = r.top + r.height / 2;
  for (const [dx, dy] of [
    [-11.5, -11.5],
    [11.5, -11.5],
    [-11.5, 11.5],
    [11.5, 11.5],
    [0, 0],
  ] as const) {
    const hit = el.shadowRoot!.elementFromPoint(cx + dx, cy + dy);
    expect(hit && box.contains(hit), `${what}: 24 × 24 target at ${dx},${dy}`).to.equal(true);
  }
}

const fieldControl = (el: CsSignerPad, id: string) => {
  const box = $(el, `[data-field-id="${id}"]`)!;
  return box.matches('button') ? box : box.querySelector<HTMLElement>('input, button')!;
};
const state = (el: CsSignerPad) => $(el, '[data-state]')?.getAttribute('data-state');

async function mount(server: string, token: string, width = 800): Promise<CsSignerPad> {
  const wrapper = await fixture<HTMLDivElement>(
    html`<div style="width:${width}px">
      <cs-signer-pad server=${server} token=${token} style="--cs-viewer-height:560px"></cs-signer-pad>
    </div>`,
  );
  return wrapper.querySelector('cs-signer-pad')!;
}

/** Mounts and waits until page 1 is painted. */
async function mountReady(seeded: Seeded, width = 800): Promise<CsSignerPad> {
  const el = await mount(seeded.server, seeded.session.token, width);
  await until(() => $(el, '.page[data-page="1"][data-rendered]'), 'page 1 painted');
  return el;
}

function expectPlaced(el: CsSignerPad, seeded: Seeded, page = 1): void {
  const canvas = $(el, `.page[data-page="${page}"] canvas`)!.getBoundingClientRect();
  for (const field of seeded.fields.filter((f) => f.page === page)) {
    const box = $(el, `[data-field-id="${field.id}"]`)!.getBoundingClientRect();
    expect(box.left, `${field.id} left`).to.be.closeTo(canvas.left + field.x * canvas.width, 1);
    expect(box.top, `${field.id} top`).to.be.closeTo(canvas.top + field.y * canvas.height, 1);
    expect(box.width, `${field.id} width`).to.be.closeTo(field.width * canvas.width, 1);
    expect(box.height, `${field.id} height`).to.be.closeTo(field.height * canvas.height, 1);
  }
}

function pointer(type: string, target: EventTarget, x: number, y: number, buttons: number): void {
  target.dispatchEvent(
    new PointerEvent(type, {
      clientX: x,
      clientY: y,
      buttons,
      button: 0,
      pointerId: 1,
      pointerType: 'pen',
      isPrimary: true,
      pressure: buttons ? 0.5 : 0,
      bubbles: true,
      composed: true,
      cancelable: true,
    }),
  );
}

describe('<cs-signer-pad>', function () {
  this.timeout(30_000);

  before(expectCrossOriginServer);

  afterEach(async () => {
    restoreFetch?.();
    restoreFetch = undefined;
    await setViewport({ width: 800, height: 600 });
  });

  it('loads, fires cs-ready and places the fields over page 1 at any width', async () => {
    const seeded = await seed();
    const ready = new Promise<CustomEvent>((resolve) =>
      document.addEventListener('cs-ready', (e) => resolve(e), { once: true }),
    );
    const el = await mountReady(seeded, 800);
    const { detail } = await ready;
    expect(detail).to.deep.equal({ envelopeId: seeded.envelopeId, recipientId: seeded.recipients[0]!.id, pages: 19 });
    expect($(el, '.progress')!.textContent).to.contain('0 of 4 required fields completed');
    expect($(el, '[data-field-id="customer_date"]')!.textContent).to.contain('Filled when you finish');
    expectPlaced(el, seeded);
    // The page canvas is drawn for the device's pixels.
    const canvas = $<HTMLCanvasElement>(el, '.page[data-page="1"] canvas')!;
    expect(canvas.width).to.equal(Math.round(canvas.getBoundingClientRect().width * devicePixelRatio));
    // Lazy: a 19-page document holds only the canvases near the viewport.
    expect(el.shadowRoot!.querySelectorAll('canvas').length).to.be.below(6);
    await expect(el).to.be.accessible();

    el.parentElement!.style.width = '480px';
    await until(
      () => canvas.isConnected === false || canvas.width === Math.round(canvas.getBoundingClientRect().width),
      'page redrawn at the new width',
    );
    expectPlaced(el, seeded);
    el.zoom = 1.5;
    await el.updateComplete;
    expectPlaced(el, seeded);
  });

  it('saves a text field after typing and keeps it across a reload', async () => {
    const seeded = await seed();
    const el = await mountReady(seeded);
    const changes: Array<{ fieldId: string; filled: boolean }> = [];
    el.addEventListener('cs-field-change', (e) => changes.push(e.detail));
    fieldControl(el, 'customer_name').focus();
    await sendKeys({ type: 'Ada Lovelace' });
    await sendKeys({ press: 'Tab' });
    const saved = await (async () => {
      for (let i = 0; i < 80; i++) {
        const view = await signingView(seeded.session.token);
        const value = view.fields.find((f) => f.id === 'customer_name')?.value;
        if (value === 'Ada Lovelace') return value;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return undefined;
    })();
    expect(saved).to.equal('Ada Lovelace');
    expect(changes.at(-1)).to.deep.include({ fieldId: 'customer_name', filled: true });

    const again = await mountReady(seeded);
    expect((fieldControl(again, 'customer_name') as HTMLInputElement).value).to.equal('Ada Lovelace');
    expect($(again, '.progress')!.textContent).to.contain('1 of 4');
  });

  it('draws a signature with pointer events and adopts it', async () => {
    const seeded = await seed();
    const el = await mountReady(seeded);
    fieldControl(el, 'customer_signature').click();
    const dialog = await until(() => $<HTMLDialogElement>(el, 'dialog.signature[open]'), 'signature dialog');
    const canvas = await until(() => {
      const c = $<HTMLCanvasElement>(el, 'canvas.draw');
      return c && c.width === Math.round(c.getBoundingClientRect().width * devicePixelRatio) ? c : undefined;
    }, 'drawing canvas ready');
    await expect(el).to.be.accessible();
    const r = canvas.getBoundingClientRect();
    const adopt = $<HTMLButtonElement>(el, 'button.adopt')!;
    expect(adopt.disabled).to.equal(true);
    pointer('pointerdown', canvas, r.left + 20, r.top + r.height * 0.6, 1);
    for (let i = 1; i <= 12; i++) {
      pointer('pointermove', canvas, r.left + 20 + i * 25, r.top + r.height * (0.6 - 0.3 * Math.sin(i / 2)), 1);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    pointer('pointerup', canvas, r.left + 320, r.top + r.height * 0.5, 0);
    await el.updateComplete;
    expect(adopt.disabled).to.equal(false);
    // Undo takes the stroke back; draw again.
    $<HTMLButtonElement>(el, '#panel-draw .row button:nth-child(2)')!.click();
    await el.updateComplete;
    expect(adopt.disabled).to.equal(true);
    pointer('pointerdown', canvas, r.left + 30, r.top + 30, 1);
    pointer('pointermove', canvas, r.left + 200, r.top + 60, 1);
    pointer('pointermove', canvas, r.left + 260, r.top + 40, 1);
    pointer('pointerup', canvas, r.left + 260, r.top + 40, 0);
    await el.updateComplete;
    adopt.click();
    await until(() => !dialog.open, 'dialog closed');
    await until(() => $(el, '[data-field-id="customer_signature"] img'), 'signature shown in the field');
    let stored: unknown;
    for (let i = 0; i < 60 && !stored; i++) {
      const view = await signingView(seeded.session.token);
      stored = view.fields.find((f) => f.id === 'customer_signature')?.value;
      if (!stored) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stored).to.include({ kind: 'drawn' });
    expect((stored as { image: string }).image).to.match(/^data:image\/png;base64,/);
  });

  it('adopts a typed signature and moves through the required fields with the keyboard only', async () => {
    const seeded = await seed();
    const el = await mountReady(seeded);
    const next = $<HTMLButtonElement>(el, 'button.next')!;
    expect(next.textContent).to.contain('4 left');
    next.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => active(el) === fieldControl(el, 'customer_signature'), 'first required field focused');
    await sendKeys({ press: 'Enter' });
    const dialog = await until(() => $<HTMLDialogElement>(el, 'dialog.signature[open]'), 'signature dialog');
    await until(() => active(el)?.id === 'tab-draw', 'draw tab focused');
    await sendKeys({ press: 'ArrowRight' });
    await until(() => active(el)?.id === 'tab-type', 'type tab focused');
    await sendKeys({ press: 'Tab' });
    expect(active(el)?.id).to.equal('typed-name');
    expect((active(el) as HTMLInputElement).value).to.equal(seeded.recipients[0]!.name);
    expect($(el, '.preview')!.textContent).to.contain(seeded.recipients[0]!.name);
    await expect(el).to.be.accessible();
    await sendKeys({ press: 'Enter' });
    await until(() => !dialog.open, 'dialog closed');
    await until(() => active(el) === fieldControl(el, 'customer_signature'), 'focus back on the field');
    expect($(el, '[data-field-id="customer_signature"] .typed')!.textContent).to.equal(seeded.recipients[0]!.name);

    // Next required field: the printed name, then the checkbox, then the signature on page 19.
    next.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => active(el) === fieldControl(el, 'customer_name'), 'text field focused');
    await sendKeys({ type: 'Zoë' });
    next.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => active(el) === fieldControl(el, 'customer_agree'), 'checkbox focused');
    await sendKeys({ press: 'Space' });
    expect((fieldControl(el, 'customer_agree') as HTMLInputElement).checked).to.equal(true);
    next.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => active(el) === fieldControl(el, 'customer_signature_last'), 'last-page signature focused');
    expect($(el, '.progress')!.textContent).to.contain('3 of 4');
    await expect(el).to.be.accessible();

    let typed: unknown;
    for (let i = 0; i < 60 && !typed; i++) {
      const view = await signingView(seeded.session.token);
      typed = view.fields.find((f) => f.id === 'customer_signature')?.value;
      if (!typed) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(typed).to.deep.equal({ kind: 'typed', text: seeded.recipients[0]!.name });
  });

  it('lists every missing item at once (consent, each required field) before any request, each one a way to it', async () => {
    const seeded = await seed();
    const calls = spyFetch();
    const el = await mountReady(seeded);
    // A saved signature: the list names what is still missing, not what is done.
    await putField(seeded.session.token, 'customer_signature', { kind: 'typed', text: 'Zoë' });
    calls.length = 0;
    const error = oneEvent(el, 'cs-error');
    $<HTMLButtonElement>(el, 'button.finish')!.click();
    const { detail } = await error;
    expect(detail.code).to.equal('incomplete');
    await el.updateComplete;
    const items = [...$(el, '.missing')!.querySelectorAll('li')].map((li) => li.textContent!.trim());
    // The pad's view still holds the signature as unsigned: it was saved behind its back.
    expect(items).to.deep.equal([
      'Agree to use electronic records and signatures',
      'Signature (page 1)',
      'Printed name (page 1)',
      'I agree to the terms (page 1)',
      'Signature (page 19)',
    ]);
    expect($(el, '.missing-title')!.textContent).to.contain('complete these 5 items');
    expect(active(el)).to.equal($(el, '.missing-title'), 'focus on the list');
    expect(writes(calls), 'no request while anything is missing').to.deep.equal([]);
    expect($(el, '#consent')!.getAttribute('aria-invalid')).to.equal('true');
    expect(fieldControl(el, 'customer_agree').getAttribute('aria-invalid')).to.equal('true');
    await expect(el).to.be.accessible();

    // Each item takes focus to what it names.
    const buttons = [...$(el, '.missing')!.querySelectorAll<HTMLButtonElement>('button.missing-item')];
    expect(buttons.length).to.equal(5);
    buttons[0]!.click();
    expect(active(el)?.id).to.equal('consent');
    buttons[3]!.click();
    expect(active(el)).to.equal(fieldControl(el, 'customer_agree'));
    for (const b of buttons) expect(b.getBoundingClientRect().height).to.be.at.least(24);

    // Consent alone: still no request, and the list shrinks to what is left.
    $<HTMLInputElement>(el, '#consent')!.click();
    await until(() => !$(el, '.missing')!.textContent!.includes('electronic records'), 'consent item gone');
    calls.length = 0;
    $<HTMLButtonElement>(el, 'button.finish')!.click();
    await el.updateComplete;
    expect($(el, '.missing')!.querySelectorAll('li').length).to.equal(4);
    expect(writes(calls).filter((c) => c.path.endsWith('/complete'))).to.deep.equal([]);
  });

  it('with only the consent missing, names it (consent-required) and sends nothing', async () => {
    const seeded = await seed();
    await fillAll(seeded);
    const calls = spyFetch((view) => {
      view.consent.accepted = false;
      return false;
    });
    const el = await mountReady(seeded);
    calls.length = 0;
    const error = oneEvent(el, 'cs-error');
    $<HTMLButtonElement>(el, 'button.finish')!.click();
    expect((await error).detail.code).to.equal('consent-required');
    await el.updateComplete;
    expect([...$(el, '.missing')!.querySelectorAll('li')].map((li) => li.textContent!.trim())).to.deep.equal([
      'Agree to use electronic records and signatures',
    ]);
    expect(writes(calls)).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });

  it('shows a value the agent set as read-only text: labelled, never an input, never sent, not asked for', async () => {
    const seeded = await seed({ mergeData: { printedName: 'Zoë Łukasz-Müller' } });
    // Until every server says so itself, hand the pad the contract's readOnly flag.
    const calls = spyFetch((view) => {
      const name = view.fields.find((f) => f.id === 'customer_name')!;
      name.readOnly = true;
      name.value ??= 'Zoë Łukasz-Müller';
    });
    const el = await mountReady(seeded);
    const box = $(el, '[data-field-id="customer_name"]')!;
    expect(box.querySelector('input')).to.equal(null);
    expect(box.matches('input, button, [contenteditable]')).to.equal(false);
    expect(box.classList.contains('readonly')).to.equal(true);
    expect(box.textContent).to.contain('Zoë Łukasz-Müller');
    expect(box.textContent).to.contain('Printed name (read-only)');
    expect(getComputedStyle(box).borderStyle).to.equal('dotted');
    expect($(el, '.progress')!.textContent).to.contain('0 of 3 required fields completed');
    $<HTMLButtonElement>(el, 'button.finish')!.click();
    await el.updateComplete;
    expect($(el, '.missing')!.textContent).not.to.contain('Printed name');
    expect(writes(calls).filter((c) => c.path.includes('customer_name'))).to.deep.equal([]);
    await expect(el).to.be.accessible();

    // The same field in guided mode (narrow) is text too, not a button that opens the sheet.
    const narrow = await mountReady(seeded, 360);
    await until(() => $(narrow, 'button.field.guided'), 'guided mode');
    expect($(narrow, '[data-field-id="customer_name"]')!.matches('button, input')).to.equal(false);
    // However small the page is drawn, each value is drawn inside its own frame, not clipped by it.
    const fits = (box: HTMLElement, content: HTMLElement) => {
      const outer = box.getBoundingClientRect();
      const inner = content.getBoundingClientRect();
      expect(inner.height, `${box.dataset['fieldId']} text height`).to.be.at.most(outer.height);
      expect(inner.top, `${box.dataset['fieldId']} text top`).to.be.at.least(outer.top - 0.5);
    };
    const readonly = $(narrow, '[data-field-id="customer_name"]')!;
    expect(readonly.getBoundingClientRect().height, 'the page is drawn small').to.be.below(20);
    fits(readonly, readonly.querySelector<HTMLElement>('.readonly-value')!);
    for (const field of $$(narrow, 'button.field.guided.type-text')) {
      fits(field, field.querySelector<HTMLElement>('.guided-value')!);
    }
  });

  it('completes, fires cs-complete, offers the sealed copy, and shows "already signed" on reload', async () => {
    const seeded = await seed();
    const token = seeded.session.token;
    await fillAll(seeded);
    spyFetch((view) => {
      view.notifications = { email: false };
    });
    const el = await mountReady(seeded);
    expect($<HTMLInputElement>(el, '#consent')!.checked).to.equal(true);
    const complete = oneEvent(el, 'cs-complete');
    $<HTMLButtonElement>(el, 'button.finish')!.click();
    expect((await complete).detail).to.deep.equal({
      envelopeId: seeded.envelopeId,
      recipientId: seeded.recipients[0]!.id,
    });
    await el.updateComplete;
    expect(state(el)).to.equal('done');
    expect($(el, '[data-state="done"]')!.getAttribute('role')).to.equal('status');
    // Focus on the result's heading; no promise of mail the server will not send.
    expect(active(el)).to.equal($(el, '[data-state="done"] h2'));
    expect($(el, '[data-state="done"]')!.textContent).not.to.match(/sent to|emailed/);
    expect($(el, '[data-state="done"]')!.textContent).to.contain('Download your signed copy below');
    const link = await until(() => $<HTMLAnchorElement>(el, 'a[download]'), 'download link', 15_000);
    expect(link.href).to.match(/^blob:/);
    expect(link.textContent).to.contain('Download signed copy');
    await expect(el).to.be.accessible();

    const again = await mount(seeded.server, token);
    await until(() => state(again) === 'signed', 'already-signed state');
    expect($(again, '[data-state="signed"]')!.textContent).to.contain('You have already signed');
    // The server tells when: the message carries the signing date, in the element's locale.
    const year = String(new Date().getFullYear());
    expect($(again, '[data-state="signed"]')!.textContent).to.match(new RegExp(`” on .*${year}`));
    await until(() => $(again, 'a[download]'), 'download link when sealed');
    await expect(again).to.be.accessible();
  });

  it('declines with a reason', async () => {
    const seeded = await seed();
    const el = await mountReady(seeded);
    $<HTMLButtonElement>(el, '.buttons .danger')!.click();
    const dialog = await until(() => $<HTMLDialogElement>(el, 'dialog.decline[open]'), 'decline dialog');
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await el.updateComplete;
    expect($(el, '#decline-error')!.textContent).to.contain('Please give a reason');
    await expect(el).to.be.accessible();
    $<HTMLTextAreaElement>(el, '#decline-reason')!.value = 'The price is wrong';
    const declined = oneEvent(el, 'cs-decline');
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    expect((await declined).detail).to.deep.equal({
      envelopeId: seeded.envelopeId,
      recipientId: seeded.recipients[0]!.id,
      reason: 'The price is wrong',
    });
    await el.updateComplete;
    expect(state(el)).to.equal('declined');
    expect((await signingView(seeded.session.token)).recipient.status).to.equal('declined');
    await expect(el).to.be.accessible();
  });

  it('says a copy will be emailed only when the server will email it', async () => {
    const seeded = await seed();
    await fillAll(seeded);
    spyFetch((view) => {
      view.notifications = { email: true };
    });
    const el = await mountReady(seeded);
    $<HTMLButtonElement>(el, 'button.finish')!.click();
    await until(() => state(el) === 'done', 'done');
    expect($(el, '[data-state="done"]')!.textContent).to.contain('A copy will be emailed to zoe@example.com');
  });

  it('on a reload after signing, while the copy is being sealed, says so and then offers it', async () => {
    const seeded = await seed();
    await fillAll(seeded);
    await api('POST', '/api/v1/signing/complete', {}, seeded.session.token);
    // The first answer says the seal is not there yet (as right after the last signature).
    spyFetch((view) => {
      view.sealed = false;
      return false;
    });
    const el = await mount(seeded.server, seeded.session.token);
    await until(() => state(el) === 'signed', 'already-signed state');
    expect($(el, '[data-state="signed"]')!.textContent).to.contain('Preparing your signed copy');
    await until(() => $(el, 'a[download]'), 'download link once sealed', 15_000);
    await expect(el).to.be.accessible();
  });

  it('shows an invalid-token state with one stable code and message (token-invalid)', async () => {
    const { server } = await serverCommand<{ server: string }>('cs-server');
    const error = new Promise<CustomEvent>((resolve) =>
      document.addEventListener('cs-error', (e) => resolve(e), { once: true }),
    );
    const el = await mount(server, 'not-a-real-token');
    await until(() => state(el) === 'invalid', 'invalid state');
    expect((await error).detail).to.deep.equal({
      code: 'token-invalid',
      message: 'This signing link is not valid',
      status: 401,
    });
    expect($(el, '.message-title')!.textContent).to.equal('This signing link is not valid');
    expect($(el, '[role="alert"]')!.textContent).to.contain('not valid');
    await expect(el).to.be.accessible();
  });

  it('shows a not-your-turn state from the server’s own 409 problem', async () => {
    const seeded = await seed({
      sequential: true,
      recipients: [
        { name: 'First Signer', email: 'first@example.com' },
        { name: 'Second Signer', email: 'second@example.com' },
      ],
    });
    const second = seeded.recipients[1]!;
    const refused = await api<{ type: string }>(
      'POST',
      `/api/v1/envelopes/${seeded.envelopeId}/recipients/${second.id}/signing-session`,
    );
    expect(refused.status).to.equal(409);
    expect(refused.body.type).to.match(/not-your-turn$/);
    // The server will not issue the second signer a token, so replay its real answer to GET /signing.
    const realFetch = window.fetch;
    window.fetch = async (input, init) =>
      String(input).endsWith('/api/v1/signing')
        ? new Response(JSON.stringify(refused.body), {
            status: 409,
            headers: { 'content-type': 'application/problem+json' },
          })
        : realFetch(input, init);
    try {
      const el = await mount(seeded.server, 'second-signer-token');
      await until(() => state(el) === 'not-your-turn', 'not-your-turn state');
      expect($(el, '[data-state="not-your-turn"]')!.textContent).to.contain('not your turn');
      await expect(el).to.be.accessible();
    } finally {
      window.fetch = realFetch;
    }
  });

  it('survives a network failure: error state with retry, then loads and re-sends what was typed', async () => {
    const seeded = await seed();
    const el = await mountReady(seeded);
    const input = fieldControl(el, 'customer_name') as HTMLInputElement;
    const errors: string[] = [];
    el.addEventListener('cs-error', (e) => errors.push(e.detail.code));
    input.focus();
    await sendKeys({ type: 'Typed offline' });
    // The server goes away before the debounced save runs.
    el.server = CLOSED_PORT;
    await until(() => state(el) === 'error', 'network error state');
    expect(errors).to.include('network');
    const retry = $<HTMLButtonElement>(el, '[data-state="error"] button')!;
    expect(retry.textContent).to.contain('Try again');
    await expect(el).to.be.accessible();
    retry.click();
    await until(() => state(el) === 'error', 'still failing while the server is away');

    el.server = seeded.server;
    await el.updateComplete;
    if (state(el) === 'error') $<HTMLButtonElement>(el, '[data-state="error"] button')!.click();
    await until(() => $(el, '.page[data-page="1"]'), 'pad back');
    expect((fieldControl(el, 'customer_name') as HTMLInputElement).value).to.equal('Typed offline');
    let stored: unknown;
    for (let i = 0; i < 80 && stored !== 'Typed offline'; i++) {
      stored = (await signingView(seeded.session.token)).fields.find((f) => f.id === 'customer_name')?.value;
      if (stored !== 'Typed offline') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stored).to.equal('Typed offline');
  });

  it('queues a failed field save and re-sends it on retry', async () => {
    const seeded = await seed();
    const el = await mountReady(seeded);
    const realFetch = window.fetch;
    let offline = true;
    window.fetch = (input, init) =>
      offline && String(input).includes('/signing/fields/')
        ? Promise.reject(new TypeError('Failed to fetch'))
        : realFetch(input, init);
    try {
      (fieldControl(el, 'customer_agree') as HTMLInputElement).click();
      const banner = await until(() => $(el, '.banner[role="alert"]'), 'save-failed banner');
      expect(banner.textContent).to.contain('could not be saved');
      await expect(el).to.be.accessible();
      offline = false;
      banner.querySelector('button')!.click();
      await until(() => !$(el, '.banner[role="alert"]'), 'banner gone');
      const view = await signingView(seeded.session.token);
      expect(view.fields.find((f) => f.id === 'customer_agree')?.value).to.equal(true);
    } finally {
      window.fetch = realFetch;
    }
  });

  it('fits a 360 px wide phone without horizontal overflow', async () => {
    await setViewport({ width: 360, height: 740 });
    const seeded = await seed();
    const wrapper = await fixture<HTMLDivElement>(
      html`<div><cs-signer-pad server=${seeded.server} token=${seeded.session.token}></cs-signer-pad></div>`,
    );
    const el = wrapper.querySelector('cs-signer-pad')!;
    await until(() => $(el, '.page[data-page="1"][data-rendered]'), 'page 1 painted');
    expect(document.documentElement.scrollWidth).to.be.at.most(360);
    const viewer = $(el, '.viewer')!;
    expect(viewer.scrollWidth).to.be.at.most(viewer.clientWidth);
    for (const button of el.shadowRoot!.querySelectorAll<HTMLElement>('.toolbar button, .actions .button')) {
      const r = button.getBoundingClientRect();
      expect(r.height, button.textContent!).to.be.at.least(44);
      expect(r.width, button.textContent!).to.be.at.least(44);
    }
    expect($(el, '.page')!.getBoundingClientRect().right).to.be.at.most(360);
    await expect(el).to.be.accessible();
  });

  it('a 403 on a field save (a value the agent set) marks that field, keeps the pad, and drops the value', async () => {
    const seeded = await seed();
    const original = window.fetch;
    restoreFetch = () => (window.fetch = original);
    window.fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (init?.method === 'PUT' && url.endsWith('/fields/customer_name')) {
        return new Response(
          JSON.stringify({
            type: 'https://countersign.dev/problems/field-read-only',
            title: 'Forbidden',
            status: 403,
            detail: 'The sender filled in this field; it cannot be changed.',
          }),
          { status: 403, headers: { 'content-type': 'application/problem+json' } },
        );
      }
      return original(input, init);
    };
    const el = await mountReady(seeded);
    const error = oneEvent(el, 'cs-error');
    const input = fieldControl(el, 'customer_name') as HTMLInputElement;
    input.focus();
    await sendKeys({ type: 'Someone else' });
    await sendKeys({ press: 'Tab' });
    expect((await error).detail).to.include({ code: 'field-read-only', status: 403 });
    await el.updateComplete;
    expect(state(el)).to.equal(undefined, 'still the pad, not a failure state');
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(el.shadowRoot!.getElementById(input.getAttribute('aria-describedby')!)!.textContent).to.contain(
      'cannot be changed',
    );
    expect($(el, '.banner')).to.equal(null, 'not queued for a retry');
    expect((await signingView(seeded.session.token)).fields.find((f) => f.id === 'customer_name')!.value).to.equal(
      null,
    );
  });

  it('at 360 px: a guided mode by the element’s own width, with 24 px field targets and a full-size editor sheet', async () => {
    await setViewport({ width: 360, height: 740 });
    const seeded = await seed();
    const wrapper = await fixture<HTMLDivElement>(
      html`<div><cs-signer-pad server=${seeded.server} token=${seeded.session.token}></cs-signer-pad></div>`,
    );
    const el = wrapper.querySelector('cs-signer-pad')!;
    await until(() => $(el, '.page[data-page="1"][data-rendered]'), 'page 1 painted');
    await until(() => $(el, 'button.field.guided'), 'guided fields');
    // No tiny inputs on the page: every field the signer fills is a button with a 24 × 24 target.
    expect($(el, '.overlay input')).to.equal(null);
    const targets = $$(el, '.page[data-page="1"] button.field');
    expect(targets.map((t) => t.dataset['fieldId'])).to.have.members([
      'customer_signature',
      'customer_name',
      'customer_agree',
    ]);
    for (const target of targets) {
      target.scrollIntoView({ block: 'center' });
      expectTapTarget(el, target, target.dataset['fieldId']!);
    }
    // The terms checkbox is drawn 9 px wide, yet still a 24 px target.
    expect($(el, '[data-field-id="customer_agree"]')!.getBoundingClientRect().width).to.be.below(24);
    await expect(el).to.be.accessible();

    // Keyboard only: Next opens the sheet on the first required field.
    const next = $<HTMLButtonElement>(el, 'button.next')!;
    next.focus();
    await sendKeys({ press: 'Enter' });
    const sheet = await until(() => $<HTMLDialogElement>(el, 'dialog.sheet[open]'), 'sheet open');
    expect(sheet.getAttribute('aria-labelledby')).to.equal('sheet-title');
    expect($(el, '#sheet-title')!.textContent!.trim()).to.equal('Signature');
    expect(active(el)).to.equal($(el, '.sheet-sign'));
    const big = (selector: string) => {
      for (const b of sheet.querySelectorAll<HTMLElement>(selector)) {
        const r = b.getBoundingClientRect();
        expect(r.height, b.textContent!).to.be.at.least(44);
        expect(r.width, b.textContent!).to.be.at.least(44);
      }
    };
    big('button');
    await expect(el).to.be.accessible();
    // Focus stays inside: Tab from the last control comes back to the first.
    $<HTMLButtonElement>(el, '.sheet-done')!.focus();
    await sendKeys({ press: 'Tab' });
    expect(sheet.contains(active(el))).to.equal(true);
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ up: 'Shift' });
    expect(active(el)).to.equal($(el, '.sheet-done'));

    // Next: the printed name, a 16 px input with its full label, the page zoomed to it.
    $<HTMLButtonElement>(el, '.sheet-next')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => $(el, '#sheet-title')!.textContent!.trim() === 'Printed name', 'second field');
    const input = $<HTMLInputElement>(el, '#sheet-input')!;
    expect(active(el)).to.equal(input);
    expect(parseFloat(getComputedStyle(input).fontSize)).to.be.at.least(16);
    expect(input.getBoundingClientRect().height).to.be.at.least(44);
    expect($(el, 'label[for="sheet-input"]')!.textContent!.trim()).to.equal('Printed name');
    expect(el.zoom).to.be.greaterThan(1);
    big('button');
    await sendKeys({ type: 'Zoë Łukasz-Müller' });
    await expect(el).to.be.accessible();

    // Next: the terms checkbox, with its label visible beside it.
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Tab' });
    expect(active(el)).to.equal($(el, '.sheet-next'));
    await sendKeys({ press: 'Enter' });
    await until(() => $(el, '#sheet-title')!.textContent!.trim() === 'I agree to the terms', 'third field');
    const label = $(el, '.sheet-check span')!;
    const box = label.getBoundingClientRect();
    expect(box.width).to.be.greaterThan(50);
    expect(label.textContent).to.equal('I agree to the terms');
    expect(getComputedStyle(label).visibility).to.equal('visible');
    expect($(el, '.sheet-check')!.getBoundingClientRect().height).to.be.at.least(44);
    await sendKeys({ press: 'Space' });
    expect($<HTMLInputElement>(el, '#sheet-input')!.checked).to.equal(true);
    await expect(el).to.be.accessible();

    // Escape closes; focus is back where the sheet was opened from; the values are on the page.
    await sendKeys({ press: 'Escape' });
    await until(() => !$(el, 'dialog.sheet[open]'), 'sheet closed');
    await until(() => active(el) === next, 'focus returned to Next');
    expect($(el, '[data-field-id="customer_name"]')!.textContent).to.contain('Zoë Łukasz-Müller');
    expect($(el, '[data-field-id="customer_agree"]')!.classList.contains('filled')).to.equal(true);
    const stored = async () => (await signingView(seeded.session.token)).fields;
    for (let i = 0; i < 60; i++) {
      const fields = await stored();
      if (fields.find((f) => f.id === 'customer_agree')!.value === true) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const fields = await stored();
    expect(fields.find((f) => f.id === 'customer_name')!.value).to.equal('Zoë Łukasz-Müller');
    expect(fields.find((f) => f.id === 'customer_agree')!.value).to.equal(true);

    // A tap on a field opens the sheet on it; a wide pad (not the window) is not guided.
    $<HTMLButtonElement>(el, '[data-field-id="customer_agree"]')!.click();
    await until(() => $(el, 'dialog.sheet[open]'), 'sheet from a tap');
    expect($(el, '#sheet-title')!.textContent!.trim()).to.equal('I agree to the terms');
    $<HTMLButtonElement>(el, '.sheet-done')!.click();
    await until(() => !$(el, 'dialog.sheet[open]'), 'closed by Done');
    wrapper.style.width = '800px';
    await until(() => !$(el, 'button.field.guided'), 'not guided at 800 px');
    expect($(el, '[data-field-id="customer_name"] input')).not.to.equal(null);
  });

  it('shows the unconfigured and loading states', async () => {
    const el = await fixture<CsSignerPad>(html`<cs-signer-pad></cs-signer-pad>`);
    expect(state(el)).to.equal('unconfigured');
    await expect(el).to.be.accessible();
    const { server } = await serverCommand<{ server: string }>('cs-server');
    const realFetch = window.fetch;
    window.fetch = () => new Promise(() => undefined);
    try {
      el.server = server;
      el.token = 'pending';
      await el.updateComplete;
      expect(state(el)).to.equal('loading');
      expect($(el, '[data-state="loading"]')!.getAttribute('aria-busy')).to.equal('true');
      await expect(el).to.be.accessible();
    } finally {
      window.fetch = realFetch;
    }
  });

  // Last: moving the server's clock forward expires every session issued before it.
  it('shows an expired state when the session has run out', async () => {
    const seeded = await seed();
    await serverCommand('cs-clock', { advanceMs: 31 * 60_000 });
    const error = new Promise<CustomEvent>((resolve) =>
      document.addEventListener('cs-error', (e) => resolve(e), { once: true }),
    );
    const el = await mount(seeded.server, seeded.session.token);
    await until(() => state(el) === 'expired', 'expired state');
    expect((await error).detail).to.deep.equal({
      code: 'token-expired',
      message: 'Your signing link has expired',
      status: 401,
    });
    expect($(el, '[role="alert"]')!.textContent).to.contain('expired');
    await expect(el).to.be.accessible();
  });
});

describe('<cs-signer-pad> in a host <form>', function () {
  this.timeout(30_000);

  async function mountInForm(seeded: Seeded, attributes = 'required') {
    const form = await fixture<HTMLFormElement>(
      html`<form>
        <label for="pad">Your agreement</label>
        <fieldset>
          <input name="plan" value="fibre-500" />
          <cs-signer-pad
            id="pad"
            name="agreement"
            server=${seeded.server}
            token=${seeded.session.token}
          ></cs-signer-pad>
        </fieldset>
      </form>`,
    );
    const el = form.querySelector('cs-signer-pad')!;
    for (const attribute of attributes.split(' ').filter(Boolean)) el.setAttribute(attribute, '');
    await until(() => $(el, '.page[data-page="1"][data-rendered]'), 'page 1 painted');
    return { form, el, fieldset: form.querySelector('fieldset')! };
  }

  it('keeps a required form invalid until the recipient signs, then submits the envelope id under its name', async () => {
    const seeded = await seed();
    await fillAll(seeded);
    const { form, el } = await mountInForm(seeded);
    expect(el.form).to.equal(form);
    expect(el.labels.length).to.equal(1);
    expect(form.checkValidity()).to.equal(false);
    expect(el.validity.valueMissing).to.equal(true);
    expect(el.validationMessage).to.equal('Sign the agreement to continue');
    expect(el.value).to.equal('');
    expect(new FormData(form).has('agreement')).to.equal(false);

    const complete = oneEvent(el, 'cs-complete');
    $<HTMLButtonElement>(el, 'button.finish')!.click();
    await complete;
    await el.updateComplete;
    expect(form.checkValidity()).to.equal(true);
    expect(el.validity.valid).to.equal(true);
    expect(el.value).to.equal(seeded.envelopeId);
    const data = new FormData(form);
    expect(data.get('agreement')).to.equal(seeded.envelopeId);
    expect(data.get('plan')).to.equal('fibre-500');
    await expect(el).to.be.accessible();

    // Signed earlier: a fresh pad in a fresh form is valid as soon as the view loads.
    const again = await fixture<HTMLFormElement>(
      html`<form>
        <cs-signer-pad name="agreement" required server=${seeded.server} token=${seeded.session.token}></cs-signer-pad>
      </form>`,
    );
    await until(() => state(again.querySelector('cs-signer-pad')!) === 'signed', 'already-signed state');
    expect(again.checkValidity()).to.equal(true);
    expect(new FormData(again).get('agreement')).to.equal(seeded.envelopeId);
  });

  it('without required, the form is valid and submits nothing until the recipient signs', async () => {
    const seeded = await seed();
    const { form, el } = await mountInForm(seeded, '');
    expect(el.required).to.equal(false);
    expect(form.checkValidity()).to.equal(true);
    expect(new FormData(form).has('agreement')).to.equal(false);
  });

  it('reportValidity() focuses the pad and points at its next required field button', async () => {
    const seeded = await seed();
    const { form, el } = await mountInForm(seeded);
    const invalid = oneEvent(el, 'invalid');
    expect(form.reportValidity()).to.equal(false);
    await invalid;
    expect(document.activeElement).to.equal(el);
    expect(active(el)).to.equal($(el, 'button.next'));
    // delegatesFocus: focusing the host lands on a real control inside it.
    (document.activeElement as HTMLElement).blur();
    el.focus();
    expect(active(el)).to.not.equal(null);
  });

  it('a disabled <fieldset> around it (or its own disabled) disables its controls and leaves it out of the form', async () => {
    const seeded = await seed();
    const { form, el, fieldset } = await mountInForm(seeded);
    const controls = () => [...el.shadowRoot!.querySelectorAll<HTMLButtonElement | HTMLInputElement>('button, input')];
    expect(controls().length).to.be.above(5);
    expect(controls().filter((c) => c.matches(':disabled'))).to.have.length(0);

    fieldset.disabled = true;
    await el.updateComplete;
    expect(el.matches(':disabled')).to.equal(true);
    expect(controls().filter((c) => !c.matches(':disabled'))).to.deep.equal([]);
    expect(el.willValidate).to.equal(false);
    expect(form.checkValidity()).to.equal(true);
    // The document stays readable: its scrolling region keeps its tab stop (a disabled fieldset
    // only disables form controls). axe counts every descendant of one as disabled, hence the
    // ignored rule, and this check of what the browser does instead.
    const viewer = $(el, '.viewer')!;
    viewer.focus();
    expect(active(el)).to.equal(viewer);
    await expect(el).to.be.accessible({ ignoredRules: ['scrollable-region-focusable'] });

    fieldset.disabled = false;
    await el.updateComplete;
    expect(controls().filter((c) => c.matches(':disabled'))).to.deep.equal([]);
    expect(form.checkValidity()).to.equal(false);

    el.disabled = true;
    await el.updateComplete;
    expect(el.hasAttribute('disabled')).to.equal(true);
    expect(
      $<HTMLButtonElement>(el, 'button.finish')!.disabled || $(el, 'button.finish')!.matches(':disabled'),
    ).to.equal(true);
    expect(el.willValidate).to.equal(false);
  });
});

/**
 * Fields are fractions of a page's visible box: the CropBox, turned by /Rotate. The variants
 * are made from the test fixtures on the node side (us_constitution.pdf and with_cropbox.pdf,
 * whose CropBox equals its MediaBox, are upright and uncropped as they come).
 */
describe('<cs-signer-pad> field placement on turned and cropped pages', function () {
  this.timeout(40_000);

  const variants: Array<{ name: string; pdf: PdfVariant; visible: { width: number; height: number } }> = [
    { name: 'us_constitution.pdf turned by /Rotate 90', pdf: { rotate: 90 }, visible: { width: 792, height: 612 } },
    {
      name: 'with_cropbox.pdf with a CropBox offset inside its MediaBox',
      pdf: { fixture: 'with_cropbox.pdf', cropBox: [40, 90, 520, 760] },
      visible: { width: 480, height: 670 },
    },
    {
      name: 'with_cropbox.pdf cropped and turned by /Rotate 270',
      pdf: { fixture: 'with_cropbox.pdf', cropBox: [40, 90, 520, 760], rotate: 270 },
      visible: { width: 670, height: 480 },
    },
  ];

  /**
   * On the first and last page, drawn at the current width: the canvas shows the visible box
   * (CSS box and bitmap alike) and the fields sit on it.
   */
  async function expectPageAndFields(el: CsSignerPad, seeded: Seeded, visible: { width: number; height: number }) {
    for (const page of [1, seeded.pages]) {
      $(el, `.page[data-page="${page}"]`)!.scrollIntoView();
      const canvas = await until(() => {
        const c = $<HTMLCanvasElement>(el, `.page[data-page="${page}"] canvas`);
        return c && c.width === Math.round(c.getBoundingClientRect().width * devicePixelRatio) && c;
      }, `page ${page} painted at the current width`);
      const box = canvas.getBoundingClientRect();
      expect(box.height, `page ${page} CSS height`).to.be.closeTo((box.width * visible.height) / visible.width, 1);
      expect(canvas.height, `page ${page} bitmap height`).to.be.closeTo(
        (canvas.width * visible.height) / visible.width,
        1,
      );
      expectPlaced(el, seeded, page);
    }
  }

  for (const { name, pdf, visible } of variants) {
    it(`places each overlay on the page box × its fractions at two widths: ${name}`, async () => {
      const seeded = await seed({ pdf });
      const el = await mountReady(seeded, 800);
      await expectPageAndFields(el, seeded, visible);
      el.parentElement!.style.width = '420px';
      expect($(el, '.page[data-page="1"]')!.getBoundingClientRect().width).to.be.below(420);
      await expectPageAndFields(el, seeded, visible);
    });

    it(`stamps a typed value inside its field's box on the sealed page: ${name}`, async () => {
      const seeded = await seed({ pdf });
      await fillAll(seeded, 'customer_name');
      const el = await mountReady(seeded);
      fieldControl(el, 'customer_name').focus();
      await sendKeys({ type: 'PLACEDMARK' });
      const complete = oneEvent(el, 'cs-complete');
      $<HTMLButtonElement>(el, 'button.finish')!.click();
      await complete;

      const field = seeded.fields.find((f) => f.id === 'customer_name')!;
      const page = await sealedWords(seeded.envelopeId, field.page);
      expect(page.width).to.be.closeTo(visible.width, 0.5);
      expect(page.height).to.be.closeTo(visible.height, 0.5);
      const word = page.words.find((w) => w.text === 'PLACEDMARK');
      expect(word, `PLACEDMARK among ${page.words.map((w) => w.text).join(' ')}`).not.to.equal(undefined);
      const left = field.x * page.width;
      const top = field.y * page.height;
      const right = left + field.width * page.width;
      const bottom = top + field.height * page.height;
      expect(word!.xMin, 'left edge').to.be.within(left - 0.5, left + 6);
      expect(word!.xMax, 'right edge').to.be.at.most(right + 0.5);
      expect(word!.yMin, 'top edge').to.be.at.least(top - 2);
      expect(word!.yMax, 'bottom edge').to.be.at.most(bottom + 2);
    });
  }
});
