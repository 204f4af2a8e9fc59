import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { resetMouse, sendKeys, sendMouse, setViewport } from '@web/test-runner-commands';
import type { Template, TemplateField, UploadedDocument } from '@countersign/core';
import '../../packages/elements/src/template-builder/define.ts';
import type { CsTemplateBuilder } from '../../packages/elements/src/template-builder/template-builder.ts';
import { ROLE_COLOURS } from '../../packages/elements/src/template-builder/template-builder.ts';
import { setPdfWorkerSrc } from '../../packages/elements/src/controllers/pdf-pages.ts';
import { registerTranslation, translatePlural } from '../../packages/elements/src/internal/localize.ts';
import { $, $$, active, api, expectCrossOriginServer, mintToken, serverCommand, until } from './support.ts';

// The dev server does not understand Vite's `?url`: point pdf.js at the worker it serves.
setPdfWorkerSrc('/node_modules/pdfjs-dist/build/pdf.worker.min.mjs');

const STEP = 1 / 200;
const FINE = 1 / 1000;

const legalToken = (role: 'legal' | 'agent' = 'legal') =>
  mintToken(role, { id: 'u_legal', name: 'Zoë Łukasz-Müller', email: 'zoe@example.com' });

const text = (node: Element | null) => node?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

async function mount(token: string, attrs: { templateId?: string } = {}): Promise<CsTemplateBuilder> {
  const { server } = await serverCommand<{ server: string }>('cs-server');
  const wrapper = await fixture<HTMLDivElement>(
    html`<div style="width:1180px">
      <cs-template-builder
        server=${server}
        token=${token}
        template-id=${attrs.templateId ?? ''}
        style="--cs-viewer-height:640px"
      ></cs-template-builder>
    </div>`,
  );
  const el = wrapper.querySelector('cs-template-builder')!;
  if (!attrs.templateId) el.removeAttribute('template-id');
  await el.updateComplete;
  return el;
}

/** Hands the builder a PDF through its file input, as a person choosing a file does. */
async function chooseFile(el: CsTemplateBuilder, request: { fixture?: string; pages?: number }): Promise<void> {
  const { name, base64 } = await serverCommand<{ name: string; base64: string }>('cs-fixture', request);
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: 'application/pdf' }));
  const input = $<HTMLInputElement>(el, 'input[type="file"]')!;
  input.files = transfer.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

async function mountWithPdf(request: { fixture?: string; pages?: number } = { pages: 2 }) {
  const token = await legalToken();
  const el = await mount(token);
  await chooseFile(el, request);
  await until(() => $(el, '.page[data-page="1"][data-rendered]'), 'page 1 painted');
  return { el, token };
}

const pageRect = (el: CsTemplateBuilder, page = 1) => $(el, `.page[data-page="${page}"]`)!.getBoundingClientRect();
const fieldBox = (el: CsTemplateBuilder, id: string) => $(el, `.field[data-field-id="${id}"]`)!;
const only = (el: CsTemplateBuilder) => (el as unknown as { fields: TemplateField[] }).fields;

async function drag(from: [number, number], to: [number, number], keepDown = false): Promise<void> {
  await sendMouse({ type: 'move', position: from });
  await sendMouse({ type: 'down' });
  await sendMouse({ type: 'move', position: [from[0] + 5, from[1] + 5] });
  await sendMouse({ type: 'move', position: to });
  if (!keepDown) await sendMouse({ type: 'up' });
}

/** A key pressed with a modifier held (this sendKeys has no "Shift+X" chords). */
async function chord(modifier: 'Shift' | 'Alt' | 'Control', key: string): Promise<void> {
  await sendKeys({ down: modifier });
  await sendKeys({ press: key });
  await sendKeys({ up: modifier });
}

const centre = (r: DOMRect): [number, number] => [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)];

/** Drags a palette item onto page 1 at the given fractions; returns the pixel the pointer let go at. */
async function placeFromPalette(el: CsTemplateBuilder, type: string, fx: number, fy: number) {
  const palette = $(el, `.palette-item[data-type="${type}"]`)!.getBoundingClientRect();
  const page = pageRect(el);
  const at: [number, number] = [Math.round(page.left + fx * page.width), Math.round(page.top + fy * page.height)];
  await drag(centre(palette), at);
  await el.updateComplete;
  return { at, page };
}

async function saved(el: CsTemplateBuilder): Promise<{ templateId: string; version: number }> {
  const event = oneEvent(el, 'cs-template-save');
  $(el, '.save')!.click();
  return (await event).detail;
}

async function storedFields(templateId: string, version = 1): Promise<TemplateField[]> {
  const { body } = await api<Template>('GET', `/api/v1/templates/${templateId}`);
  return body.versions.find((v) => v.version === version)!.fields;
}

describe('<cs-template-builder>', function () {
  this.timeout(40_000);

  before(expectCrossOriginServer);
  beforeEach(async () => {
    await setViewport({ width: 1280, height: 900 });
  });
  afterEach(async () => {
    await resetMouse();
  });

  it('starts empty with an upload area, and is accessible', async () => {
    const el = await mount(await legalToken());
    expect(text($(el, '.dropzone h2'))).to.equal('Start from a PDF');
    expect($(el, '.dropzone input[type="file"]')).to.not.equal(null);
    expect($<HTMLButtonElement>(el, '.save')!.disabled).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('says it needs a server and a token when it has none', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`<div><cs-template-builder></cs-template-builder></div>`);
    const el = wrapper.querySelector('cs-template-builder')!;
    expect(text($(el, '[role="status"]'))).to.contain('needs a server and a token');
    await expect(el).to.be.accessible();
  });

  it('places a field dragged from the palette at the exact fraction under the pointer, and saves it', async () => {
    const { el } = await mountWithPdf();
    await expect(el).to.be.accessible();
    const { at, page } = await placeFromPalette(el, 'signature', 0.3, 0.4);
    const [field] = only(el);
    expect(field).to.not.equal(undefined);
    expect(field!.page).to.equal(1);
    // Centred under the pointer: a signature is 0.3 × 0.06 of the page.
    const x = (at[0] - page.left) / page.width - 0.3 / 2;
    const y = (at[1] - page.top) / page.height - 0.06 / 2;
    expect(field!.x).to.equal(x);
    expect(field!.y).to.equal(y);
    const box = fieldBox(el, field!.id).getBoundingClientRect();
    expect(box.left).to.be.closeTo(page.left + x * page.width, 1);
    expect(box.top).to.be.closeTo(page.top + y * page.height, 1);
    expect(active(el)).to.equal(fieldBox(el, field!.id));
    await expect(el).to.be.accessible();

    const { templateId, version } = await saved(el);
    expect(version).to.equal(1);
    const [stored] = await storedFields(templateId);
    expect(stored).to.include({ id: field!.id, type: 'signature', role: 'signer', page: 1, x, y, required: true });
    expect(stored!.width).to.equal(0.3);
    expect(stored!.height).to.equal(0.06);
    expect(text($(el, '.status'))).to.contain('Version 1');
  });

  it('moves and resizes a field by mouse to exact fractions (Alt places freely)', async () => {
    const { el } = await mountWithPdf();
    await placeFromPalette(el, 'text', 0.25, 0.25);
    const start = { ...only(el)[0]! };
    const page = pageRect(el);
    const from = centre(fieldBox(el, start.id).getBoundingClientRect());
    await drag(from, [from[0] + 37, from[1] + 23]);
    await el.updateComplete;
    const moved = only(el)[0]!;
    expect(moved.x).to.equal(start.x + 37 / page.width);
    expect(moved.y).to.equal(start.y + 23 / page.height);

    // The resize handle is the bottom-right corner; with Alt no guide pulls the edge.
    const box = fieldBox(el, moved.id).getBoundingClientRect();
    const handle: [number, number] = [Math.round(box.right - 4), Math.round(box.bottom - 4)];
    await sendKeys({ down: 'Alt' });
    await drag(handle, [handle[0] + 41, handle[1] + 12]);
    await sendKeys({ up: 'Alt' });
    await el.updateComplete;
    const resized = only(el)[0]!;
    expect(resized.x).to.equal(moved.x);
    expect(resized.width).to.equal(moved.width + 41 / page.width);
    expect(resized.height).to.equal(moved.height + 12 / page.height);

    const { templateId } = await saved(el);
    const [stored] = await storedFields(templateId);
    expect(stored).to.include({ x: resized.x, y: resized.y, width: resized.width, height: resized.height });
  });

  it('snaps a dragged field to the page centre and shows the guide; Alt turns snapping off', async () => {
    const { el } = await mountWithPdf();
    await placeFromPalette(el, 'signature', 0.3, 0.3);
    const f = only(el)[0]!;
    const page = pageRect(el);
    const from = centre(fieldBox(el, f.id).getBoundingClientRect());
    // Bring the field's centre 5 px right of the page's centre line, keep the button down.
    const target: [number, number] = [Math.round(page.left + page.width / 2 + 5), from[1] + 60];
    await drag(from, target, true);
    const guide = $(el, `.page[data-page="1"] .guide-x`)!;
    expect(guide).to.not.equal(null);
    expect(guide.getBoundingClientRect().left).to.be.closeTo(page.left + page.width / 2, 1);
    await sendMouse({ type: 'up' });
    await el.updateComplete;
    expect(only(el)[0]!.x).to.equal(0.5 - 0.3 / 2);
    expect($(el, '.guide')).to.equal(null);

    // Escape during a drag puts the field back and commits nothing.
    const undoable = (el as unknown as { undoStack: unknown[] }).undoStack.length;
    const here = centre(fieldBox(el, f.id).getBoundingClientRect());
    await drag(here, [here[0] + 80, here[1] + 80], true);
    expect(fieldBox(el, f.id).style.transform).to.contain('translate(');
    await sendKeys({ press: 'Escape' });
    await sendMouse({ type: 'up' });
    await el.updateComplete;
    expect(fieldBox(el, f.id).style.transform).to.equal('');
    expect(only(el)[0]!.x).to.equal(0.5 - 0.3 / 2);
    expect((el as unknown as { undoStack: unknown[] }).undoStack.length).to.equal(undoable);

    const snapped = only(el)[0]!;
    const again = centre(fieldBox(el, f.id).getBoundingClientRect());
    await sendKeys({ down: 'Alt' });
    await drag(again, [again[0] + 4, again[1]]);
    await sendKeys({ up: 'Alt' });
    await el.updateComplete;
    expect(only(el)[0]!.x).to.equal(snapped.x + 4 / page.width);
  });

  it('moves and resizes the focused field with the keyboard in 1/200 steps (Alt: 1/1000)', async () => {
    const { el } = await mountWithPdf();
    await placeFromPalette(el, 'text', 0.3, 0.3);
    const f = { ...only(el)[0]! };
    fieldBox(el, f.id).focus();
    await sendKeys({ press: 'ArrowRight' });
    await sendKeys({ press: 'ArrowRight' });
    await sendKeys({ press: 'ArrowDown' });
    await chord('Shift', 'ArrowRight');
    await chord('Shift', 'ArrowUp');
    await chord('Alt', 'ArrowLeft');
    const x = f.x + STEP + STEP - FINE;
    const y = f.y + STEP;
    const width = f.width + STEP;
    const height = f.height - STEP;
    const now = only(el)[0]!;
    expect(now).to.include({ x, y, width, height });
    expect(active(el)?.dataset['fieldId']).to.equal(f.id);
    // The live region says where the field is now.
    const pct = (v: number) => new Intl.NumberFormat('en', { maximumFractionDigits: 1 }).format(v * 100);
    expect(text($(el, '[role="status"][aria-live="polite"]'))).to.equal(
      `Page 1, x ${pct(x)}%, y ${pct(y)}%, ${pct(width)}% × ${pct(height)}%`,
    );
    // Page Down / Page Up carry it to the next or previous page, focus following.
    await sendKeys({ press: 'PageDown' });
    await el.updateComplete;
    expect(only(el)[0]).to.include({ page: 2, x, y });
    expect(active(el)?.closest('.page')?.getAttribute('data-page')).to.equal('2');
    await sendKeys({ press: 'PageDown' });
    expect(only(el)[0]!.page).to.equal(2);
    await sendKeys({ press: 'PageUp' });
    await el.updateComplete;
    expect(only(el)[0]!.page).to.equal(1);
    expect(active(el)?.dataset['fieldId']).to.equal(f.id);
    expect(text($(el, '.panel .position'))).to.contain('Page 1');
    await expect(el).to.be.accessible();
    const { templateId } = await saved(el);
    expect((await storedFields(templateId))[0]).to.include({ x, y, width, height });
  });

  it('keeps fields inside the page when moved or resized past its edges', async () => {
    const { el } = await mountWithPdf();
    await placeFromPalette(el, 'signature', 0.2, 0.1);
    const f = only(el)[0]!;
    fieldBox(el, f.id).focus();
    for (let i = 0; i < 60; i++) await sendKeys({ press: 'ArrowLeft' });
    for (let i = 0; i < 30; i++) await sendKeys({ press: 'ArrowUp' });
    expect(only(el)[0]).to.include({ x: 0, y: 0 });
    const page = pageRect(el);
    const box = fieldBox(el, f.id).getBoundingClientRect();
    await drag(centre(box), [Math.round(page.right + 200), Math.round(page.bottom - 10)]);
    await el.updateComplete;
    const placed = only(el)[0]!;
    expect(placed.x + placed.width).to.be.at.most(1);
    expect(placed.x).to.equal(1 - 0.3);
  });

  it('moves a field by touch (pointer events) and to another page by dragging onto it', async () => {
    const { el } = await mountWithPdf();
    await placeFromPalette(el, 'initials', 0.25, 0.8);
    const f = { ...only(el)[0]! };
    const field = fieldBox(el, f.id);
    const page = pageRect(el);
    const [x, y] = centre(field.getBoundingClientRect());
    const touch = (type: string, cx: number, cy: number) =>
      field.dispatchEvent(
        new PointerEvent(type, {
          clientX: cx,
          clientY: cy,
          pointerId: 7,
          pointerType: 'touch',
          isPrimary: true,
          button: type === 'pointermove' ? -1 : 0,
          buttons: type === 'pointerup' ? 0 : 1,
          bubbles: true,
          composed: true,
          cancelable: true,
        }),
      );
    touch('pointerdown', x, y);
    touch('pointermove', x + 20, y + 10);
    touch('pointermove', x + 30, y + 40);
    expect(field.style.transform).to.contain('translate(');
    touch('pointerup', x + 30, y + 40);
    await el.updateComplete;
    expect(only(el)[0]).to.include({ x: f.x + 30 / page.width, y: f.y + 40 / page.height, page: 1 });
    expect(fieldBox(el, f.id).style.transform).to.equal('');

    // Dragged down onto page 2: it lands there, where the pointer let go.
    const viewer = $(el, '.viewer')!;
    viewer.scrollTop += fieldBox(el, f.id).getBoundingClientRect().top - viewer.getBoundingClientRect().top - 100;
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const page2 = pageRect(el, 2);
    const start = centre(fieldBox(el, f.id).getBoundingClientRect());
    expect(page2.top + 0.3 * page2.height).to.be.lessThan(viewer.getBoundingClientRect().bottom);
    await sendKeys({ down: 'Alt' });
    await drag(start, [start[0], Math.round(page2.top + 0.3 * page2.height)]);
    await sendKeys({ up: 'Alt' });
    await el.updateComplete;
    const moved = only(el)[0]!;
    expect(moved.page).to.equal(2);
    const box = fieldBox(el, f.id).getBoundingClientRect();
    expect(box.top).to.be.closeTo(page2.top + moved.y * page2.height, 1);
    expect($(el, '.page[data-page="2"] .field')).to.not.equal(null);
  });

  it('scrolls the pages while a field is held near the bottom edge, so it can be dropped pages further on', async () => {
    const { el } = await mountWithPdf({ pages: 4 });
    await placeFromPalette(el, 'signature', 0.4, 0.5);
    const f = only(el)[0]!;
    const viewer = $(el, '.viewer')!;
    const edge = viewer.getBoundingClientRect();
    const from = centre(fieldBox(el, f.id).getBoundingClientRect());
    await drag(from, [from[0], Math.round(edge.bottom - 8)], true);
    await until(() => pageRect(el, 3).top < edge.top + 100, 'auto-scroll to page 3', 15_000);
    // The held field stays under the pointer while the pages scroll by.
    const held = fieldBox(el, f.id).getBoundingClientRect();
    expect(held.top + held.height / 2).to.be.closeTo(edge.bottom - 8, 2);
    const page3 = pageRect(el, 3);
    const at: [number, number] = [from[0], Math.round(Math.max(page3.top, edge.top) + 150)];
    await sendMouse({ type: 'move', position: at });
    await sendMouse({ type: 'up' });
    await el.updateComplete;
    const moved = only(el)[0]!;
    expect(moved.page).to.equal(3);
    const now = pageRect(el, 3);
    expect(moved.y).to.be.closeTo((at[1] - now.top) / now.height - 0.06 / 2, 0.002);
    expect(viewer.scrollTop).to.be.greaterThan(0);
  });

  it('uploads a PDF dropped on the upload area', async () => {
    const el = await mount(await legalToken());
    const { name, base64 } = await serverCommand<{ name: string; base64: string }>('cs-fixture', { pages: 2 });
    const transfer = new DataTransfer();
    transfer.items.add(
      new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name, { type: 'application/pdf' }),
    );
    const zone = $(el, '.dropzone')!;
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    await el.updateComplete;
    expect(text(zone)).to.contain('Drop the PDF to upload it');
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    await until(() => $(el, '.page[data-page="2"]'), 'pages of the dropped PDF');
    expect($<HTMLInputElement>(el, '.name input')!.value).to.equal(name.replace(/\.pdf$/, ''));
  });

  it('a version published elsewhere meanwhile: saving shows the 409 and fires cs-error', async () => {
    const { el } = await mountWithPdf();
    await placeFromPalette(el, 'signature', 0.3, 0.6);
    const { templateId, version } = await saved(el);
    await api('POST', `/api/v1/templates/${templateId}/versions/${version}/publish`);
    fieldBox(el, only(el)[0]!.id).focus();
    await sendKeys({ press: 'ArrowUp' });
    const error = oneEvent(el, 'cs-error');
    $(el, '.publish')!.click();
    expect((await error).detail.status).to.equal(409);
    await el.updateComplete;
    expect(text($(el, '.banner.error'))).to.contain('published and cannot change');
    await expect(el).to.be.accessible();
  });

  it('undoes and redoes every edit with the buttons and Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y', async () => {
    const { el } = await mountWithPdf();
    await placeFromPalette(el, 'checkbox', 0.6, 0.6);
    const f = only(el)[0]!;
    fieldBox(el, f.id).focus();
    await sendKeys({ press: 'ArrowRight' });
    const movedX = only(el)[0]!.x;
    expect(movedX).to.equal(f.x + STEP);

    $(el, '.undo')!.click();
    await el.updateComplete;
    expect(only(el)[0]!.x).to.equal(f.x);
    $(el, '.redo')!.click();
    await el.updateComplete;
    expect(only(el)[0]!.x).to.equal(movedX);

    fieldBox(el, f.id).focus();
    await chord('Control', 'z');
    expect(only(el)[0]!.x).to.equal(f.x);
    await chord('Control', 'z');
    expect(only(el)).to.have.length(0);
    expect($(el, '.field')).to.equal(null);
    expect($<HTMLButtonElement>(el, '.undo')!.disabled).to.equal(true);
    $(el, '.viewer')!.focus();
    await sendKeys({ down: 'Control' });
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Z' });
    await sendKeys({ up: 'Shift' });
    await sendKeys({ up: 'Control' });
    expect(only(el)).to.have.length(1);
    await chord('Control', 'y');
    await el.updateComplete;
    expect(only(el)[0]!.x).to.equal(movedX);
    expect($<HTMLButtonElement>(el, '.redo')!.disabled).to.equal(true);

    // Role edits are edits too.
    $(el, '.add-role')!.click();
    await el.updateComplete;
    expect($$(el, '.role')).to.have.length(2);
    $(el, '.undo')!.click();
    await el.updateComplete;
    expect($$(el, '.role')).to.have.length(1);
  });

  it('assigns fields to roles, each with its colour and a legend; names render as text', async () => {
    const { el } = await mountWithPdf();
    await placeFromPalette(el, 'signature', 0.3, 0.7);
    const f = only(el)[0]!;
    $(el, '.add-role')!.click();
    await el.updateComplete;
    const label = $$<HTMLInputElement>(el, '.role-label')[1]!;
    label.value = 'Юлия <img src=x onerror=alert(1)>';
    label.dispatchEvent(new Event('change'));
    await el.updateComplete;
    $$<HTMLSelectElement>(el, '.role-action')[1]!.value = 'approve';
    $$<HTMLSelectElement>(el, '.role-action')[1]!.dispatchEvent(new Event('change'));
    await el.updateComplete;

    fieldBox(el, f.id).click();
    await el.updateComplete;
    const select = $<HTMLSelectElement>(el, '.field-role')!;
    select.value = 'signer_2';
    select.dispatchEvent(new Event('change'));
    await el.updateComplete;

    const box = fieldBox(el, f.id);
    expect(box.dataset['role']).to.equal('signer_2');
    const colour = (hex: string) => {
      const probe = document.createElement('div');
      probe.style.color = hex;
      document.body.append(probe);
      const rgb = getComputedStyle(probe).color;
      probe.remove();
      return rgb;
    };
    expect(getComputedStyle(box).borderTopColor).to.equal(colour(ROLE_COLOURS[1]!));
    const legend = $$(el, '.legend li').map(text);
    expect(legend).to.deep.equal(['Signer', 'Юлия <img src=x onerror=alert(1)>']);
    expect($(el, '.legend img')).to.equal(null);
    expect(box.getAttribute('aria-label')).to.contain('Юлия');
    await expect(el).to.be.accessible();

    const { templateId } = await saved(el);
    const { body } = await api<Template>('GET', `/api/v1/templates/${templateId}`);
    const v = body.versions[0]!;
    expect(v.roles.map((r) => [r.key, r.label, r.action, r.order])).to.deep.equal([
      ['signer', 'Signer', 'sign', 1],
      ['signer_2', 'Юлия <img src=x onerror=alert(1)>', 'approve', 2],
    ]);
    expect(v.fields[0]!.role).to.equal('signer_2');

    // Reordering moves the colours with the order.
    $$<HTMLButtonElement>(el, '.role-buttons button')[3]!.click(); // the second role's "up"
    await el.updateComplete;
    expect($$(el, '.role').map((r) => r.dataset['role'])).to.deep.equal(['signer_2', 'signer']);
    expect(getComputedStyle(fieldBox(el, f.id)).borderTopColor).to.equal(colour(ROLE_COLOURS[0]!));
    await saved(el);
    const reordered = (await api<Template>('GET', `/api/v1/templates/${templateId}`)).body.versions[0]!;
    expect(reordered.roles.map((r) => [r.key, r.order])).to.deep.equal([
      ['signer_2', 1],
      ['signer', 2],
    ]);

    // Removing a role hands its fields to the first remaining role.
    $$(el, '.remove-role')[0]!.click();
    await el.updateComplete;
    expect(fieldBox(el, f.id).dataset['role']).to.equal('signer');
  });

  it('sets required, label and key in the side panel; a bad key is a visible server error and cs-error', async () => {
    const { el } = await mountWithPdf();
    await placeFromPalette(el, 'text', 0.3, 0.5);
    const f = only(el)[0]!;
    const set = async (selector: string, value: string | boolean) => {
      const input = $<HTMLInputElement>(el, selector)!;
      if (typeof value === 'boolean') input.checked = value;
      else input.value = value;
      input.dispatchEvent(new Event('change'));
      await el.updateComplete;
    };
    await set('.field-required', false);
    await set('.field-label', '山田太郎 <img src=x onerror=alert(1)>');
    await set('.field-key', 'Zoë name');
    expect(text(fieldBox(el, f.id))).to.equal('山田太郎 <img src=x onerror=alert(1)>');
    expect(fieldBox(el, f.id).querySelector('img')).to.equal(null);

    const error = oneEvent(el, 'cs-error');
    $(el, '.save')!.click();
    const { detail } = await error;
    expect(detail.status).to.equal(422);
    await el.updateComplete;
    const alert = $(el, '.banner.error[role="alert"]')!;
    expect(text(alert)).to.contain('fields.0.key');
    await expect(el).to.be.accessible();

    await set('.field-key', 'customer_name');
    const { templateId } = await saved(el);
    expect($(el, '.banner.error')).to.equal(null);
    expect((await storedFields(templateId))[0]).to.include({
      required: false,
      label: '山田太郎 <img src=x onerror=alert(1)>',
      key: 'customer_name',
    });
  });

  it('snaps to another field’s edge, and sets a field’s condition that the server stores', async () => {
    const { el } = await mountWithPdf();
    await placeFromPalette(el, 'signature', 0.3, 0.3);
    await placeFromPalette(el, 'text', 0.6, 0.7);
    const [a, b] = only(el) as [TemplateField, TemplateField];
    const page = pageRect(el);
    // Bring b's left edge 5 px right of a's left edge: it lands exactly on it.
    const from = centre(fieldBox(el, b.id).getBoundingClientRect());
    const dx = Math.round((a.x - b.x) * page.width) + 5;
    await drag(from, [from[0] + dx, from[1] - 60], true);
    expect($(el, '.page[data-page="1"] .guide-x')!.getBoundingClientRect().left).to.be.closeTo(
      page.left + a.x * page.width,
      1,
    );
    await sendMouse({ type: 'up' });
    await el.updateComplete;
    expect(only(el)[1]!.x).to.equal(a.x);

    const conditionInput = $(el, 'cs-condition-input')!;
    const inner = conditionInput.shadowRoot!;
    inner.querySelector<HTMLInputElement>('input[type="radio"][value="advanced"]')!.click();
    await (conditionInput as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    const json = inner.querySelector<HTMLTextAreaElement>('textarea')!;
    for (const value of ['{">": [{"var": "amount"}, 50', '{">": [{"var": "amount"}, 5000]}']) {
      json.value = value;
      json.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      await el.updateComplete;
    }
    expect(only(el)[1]!.condition).to.deep.equal({ '>': [{ var: 'amount' }, 5000] });
    await expect(el).to.be.accessible();
    const { templateId } = await saved(el);
    expect((await storedFields(templateId))[1]!.condition).to.deep.equal({ '>': [{ var: 'amount' }, 5000] });
    // Typing the rule was one undo step.
    $(el, '.undo')!.click();
    await el.updateComplete;
    expect(only(el)[1]!.condition).to.equal(undefined);
    expect(only(el)[1]!.x).to.equal(a.x);
  });

  it('shows an encrypted PDF upload as a visible error and fires cs-error', async () => {
    const el = await mount(await legalToken());
    const error = oneEvent(el, 'cs-error');
    await chooseFile(el, { fixture: 'encrypted_new.pdf' });
    const { detail } = await error;
    expect(detail.status).to.equal(422);
    await el.updateComplete;
    expect(text($(el, '.banner.error'))).to.contain('could not be uploaded');
    expect($(el, '.dropzone')).to.not.equal(null);
    await expect(el).to.be.accessible();
  });

  it('saves and publishes with events; a published version is read-only until a new draft is opened', async () => {
    const { el } = await mountWithPdf();
    await placeFromPalette(el, 'signature', 0.3, 0.7);
    const published = oneEvent(el, 'cs-template-publish');
    const save = oneEvent(el, 'cs-template-save');
    $(el, '.publish')!.click();
    const s = (await save).detail;
    const p = (await published).detail;
    expect(p).to.deep.equal({ templateId: s.templateId, version: 1 });
    await el.updateComplete;
    const { body } = await api<Template>('GET', `/api/v1/templates/${s.templateId}`);
    expect(body.versions[0]!.status).to.equal('published');

    expect(text($(el, '.banner.readonly'))).to.contain('Version 1 is published');
    expect($$<HTMLButtonElement>(el, '.palette-item').every((b) => b.disabled)).to.equal(true);
    expect($<HTMLButtonElement>(el, '.save')!.disabled).to.equal(true);
    const field = only(el)[0]!;
    fieldBox(el, field.id).focus();
    await sendKeys({ press: 'ArrowRight' });
    expect(only(el)[0]!.x).to.equal(field.x);
    const box = centre(fieldBox(el, field.id).getBoundingClientRect());
    await drag(box, [box[0] + 50, box[1]]);
    expect(only(el)[0]!.x).to.equal(field.x);
    await expect(el).to.be.accessible();

    $(el, '.banner.readonly button')!.click();
    await until(() => text($(el, '.status')).includes('Version 2'), 'version 2 draft');
    expect($(el, '.banner.readonly')).to.equal(null);
    expect($$(el, '.versions .version').map(text)).to.deep.equal(['Version 2 · draft', 'Version 1 · published']);
    expect(only(el)[0]!.x).to.equal(field.x);
    fieldBox(el, only(el)[0]!.id).focus();
    await sendKeys({ press: 'ArrowRight' });
    expect(text($(el, '.status'))).to.equal('Version 2 · draft · unsaved changes');
    // Unsaved edits are not dropped by opening another version.
    expect($$<HTMLButtonElement>(el, '.versions .version').every((b) => b.disabled)).to.equal(true);
    expect(text($(el, '.versions .hint'))).to.equal('Save your changes to open another version.');
    const second = await saved(el);
    expect(text($(el, '.status'))).to.equal('Version 2 · draft');
    expect(second).to.deep.equal({ templateId: s.templateId, version: 2 });
    expect((await storedFields(s.templateId, 2))[0]!.x).to.equal(field.x + STEP);
    expect((await storedFields(s.templateId, 1))[0]!.x).to.equal(field.x);

    // The history opens an older version read-only; "new draft" then opens the draft there is.
    $$(el, '.versions .version')[1]!.click();
    await until(() => $(el, '.banner.readonly'), 'version 1 shown read-only');
    expect(only(el)[0]!.x).to.equal(field.x);
    $(el, '.banner.readonly button')!.click();
    await until(() => text($(el, '.status')).includes('Version 2'), 'the open draft');
    expect(only(el)[0]!.x).to.equal(field.x + STEP);
    expect($(el, '.banner.error')).to.equal(null);
  });

  it('offers the PDF’s own form fields as placed fields with one click', async () => {
    const doc = await serverCommand<UploadedDocument>('cs-upload', { fixture: 'sample_form.pdf' });
    expect(doc.formFields.length).to.be.greaterThan(0);
    const { el } = await mountWithPdf({ fixture: 'sample_form.pdf' });
    const button = await until(() => $<HTMLButtonElement>(el, '.import'), 'import button');
    expect(text(button)).to.equal(`Add ${doc.formFields.length} form fields from the PDF`);
    button.click();
    await el.updateComplete;
    expect(only(el)).to.have.length(doc.formFields.length);
    expect($(el, '.import')).to.equal(null);
    expect($$(el, '.field')).to.have.length(doc.formFields.length);
    await expect(el).to.be.accessible();
    const { templateId } = await saved(el);
    const stored = await storedFields(templateId);
    doc.formFields.forEach((f, i) => {
      expect(stored[i]).to.include({ type: f.type, page: f.page, label: f.name, required: f.required });
      expect(stored[i]!.x).to.equal(Math.min(Math.max(f.x, 0), 1 - stored[i]!.width));
    });
  });

  it('opens a saved template by template-id: its pages, fields where they were stored, and its versions', async () => {
    const doc = await serverCommand<UploadedDocument>('cs-upload', { pages: 3 });
    const field = {
      id: 'sig_1',
      type: 'signature',
      role: 'customer',
      page: 2,
      x: 0.125,
      y: 0.7,
      width: 0.3,
      height: 0.06,
    };
    const created = await api<Template>('POST', '/api/v1/templates', {
      name: 'Ἀθηνᾶ service terms',
      documentId: doc.id,
      roles: [{ key: 'customer', label: 'محمد', action: 'sign' }],
      fields: [field],
    });
    expect(created.status).to.equal(201);
    const el = await mount(await legalToken(), { templateId: created.body.id });
    await until(() => $(el, '.page[data-page="2"]'), 'pages shown');
    expect($$(el, '.page')).to.have.length(3);
    expect($<HTMLInputElement>(el, '.name input')!.value).to.equal('Ἀθηνᾶ service terms');
    expect(text($(el, '.status'))).to.contain('Version 1');
    $(el, '.page[data-page="2"]')!.scrollIntoView();
    await until(() => $(el, '.page[data-page="2"][data-rendered]'), 'page 2 painted');
    const page = pageRect(el, 2);
    const box = fieldBox(el, 'sig_1').getBoundingClientRect();
    expect(box.left).to.be.closeTo(page.left + 0.125 * page.width, 1);
    expect(box.top).to.be.closeTo(page.top + 0.7 * page.height, 1);
    expect(box.width).to.be.closeTo(0.3 * page.width, 1);
    expect(fieldBox(el, 'sig_1').getAttribute('aria-label')).to.contain('محمد');
    expect($$(el, '.versions .version').map(text)).to.deep.equal(['Version 1 · draft']);
    await expect(el).to.be.accessible();

    // Saving again updates the same draft version.
    fieldBox(el, 'sig_1').focus();
    await sendKeys({ press: 'ArrowUp' });
    expect(await saved(el)).to.deep.equal({ templateId: created.body.id, version: 1 });
    expect((await storedFields(created.body.id))[0]!.y).to.equal(0.7 - STEP);
  });

  it('a missing template is a visible error and cs-error', async () => {
    const token = await legalToken();
    const { server } = await serverCommand<{ server: string }>('cs-server');
    const wrapper = await fixture<HTMLDivElement>(html`<div></div>`);
    const el = document.createElement('cs-template-builder');
    const error = oneEvent(el, 'cs-error');
    Object.assign(el, { server, token, templateId: 'tpl_missing' });
    wrapper.append(el);
    const { detail } = await error;
    expect(detail).to.include({ code: 'not-found', status: 404 });
    await el.updateComplete;
    expect($(el, '.banner.error[role="alert"]')).to.not.equal(null);
    await expect(el).to.be.accessible();
  });

  it('edits variables in the Variables tab; they are saved and undoable', async () => {
    const { el } = await mountWithPdf();
    $(el, '#tab-variables')!.click();
    await el.updateComplete;
    const editor = $(el, 'cs-variables-editor')!;
    await expect(el).to.be.accessible();
    (editor.shadowRoot!.querySelector('[part~="add"]') as HTMLElement).click();
    await el.updateComplete;
    await sendKeys({ type: 'amount' });
    await until(() => (el as unknown as { variables: Array<{ key: string }> }).variables[0]?.key === 'amount', 'key');
    const { templateId } = await saved(el);
    const { body } = await api<Template>('GET', `/api/v1/templates/${templateId}`);
    expect(body.versions[0]!.variables.map((v) => v.key)).to.deep.equal(['amount']);
    $(el, '.undo')!.click();
    await el.updateComplete;
    expect((el as unknown as { variables: unknown[] }).variables).to.deep.equal([]);
  });

  it('composes a template from the clause library instead of a PDF, saves and publishes it', async () => {
    const key = `support_${Date.now().toString(36)}`;
    const clause = await api<{ id: string }>('POST', '/api/v1/clauses', {
      key,
      title: 'Premium support',
      body: 'Support answers within one hour.',
    });
    expect(clause.status).to.equal(201);
    await api('POST', `/api/v1/clauses/${clause.body.id}/versions/1/publish`);
    const el = await mount(await legalToken());
    $(el, '.dropzone .compose')!.click();
    await el.updateComplete;
    expect($(el, '#tab-clauses')!.getAttribute('aria-selected')).to.equal('true');
    const editor = $(el, 'cs-clause-document-editor')!;
    const inner = () => editor.shadowRoot!;
    const title = await until(
      () => inner().querySelector<HTMLInputElement>('[data-control="document-title"]'),
      'title',
    );
    title.value = 'Ἀθηνᾶ support agreement';
    title.dispatchEvent(new Event('input', { bubbles: true }));
    const add = await until(
      () =>
        [...inner().querySelectorAll<HTMLElement>('.result')]
          .find((r) => r.textContent!.includes(key))
          ?.querySelector<HTMLButtonElement>('button'),
      'the library clause',
    );
    add.click();
    await el.updateComplete;
    await expect(el).to.be.accessible();

    const published = oneEvent(el, 'cs-template-publish');
    $(el, '.publish')!.click();
    const { templateId } = (await published).detail;
    const { body } = await api<Template>('GET', `/api/v1/templates/${templateId}`);
    expect(body.name).to.equal('Ἀθηνᾶ support agreement');
    const v = body.versions[0]!;
    expect(v.status).to.equal('published');
    expect(v.source.kind).to.equal('clauses');
    if (v.source.kind === 'clauses') {
      expect(v.source.title).to.equal('Ἀθηνᾶ support agreement');
      expect(v.source.clauses.map((c) => [c.clauseId, c.title])).to.deep.equal([[clause.body.id, 'Premium support']]);
    }
    await el.updateComplete;
    expect(text($(el, '.banner.readonly'))).to.contain('Version 1 is published');
    // Undo covers clause edits; a published version has none to undo.
    expect($<HTMLButtonElement>(el, '.undo')!.disabled).to.equal(true);

    // Opened again by id, it shows its clauses.
    const again = await mount(await legalToken(), { templateId });
    await until(() => again.shadowRoot!.querySelector('cs-clause-document-editor'), 'the clause editor');
    expect(again.shadowRoot!.querySelector('#tab-clauses')!.getAttribute('aria-selected')).to.equal('true');
    expect(text(again.shadowRoot!.querySelector('.status'))).to.equal('Version 1 · published');
  });

  it('works by keyboard alone: add a field, move it, set its role, save', async () => {
    const { el } = await mountWithPdf();
    $(el, '.add-role')!.click();
    await el.updateComplete;
    $(el, '.palette-item[data-type="initials"]')!.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    const f = only(el)[0]!;
    expect(f).to.include({ type: 'initials', x: 0.5 - 0.1 / 2, y: 0.5 - 0.05 / 2 });
    expect(active(el)?.dataset['fieldId']).to.equal(f.id);
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'ArrowDown' });
    // Tab from the field reaches the panel's role select.
    const select = $<HTMLSelectElement>(el, '.field-role')!;
    for (let i = 0; i < 12 && active(el) !== select; i++) await sendKeys({ press: 'Tab' });
    expect(active(el)).to.equal(select);
    await sendKeys({ press: 'ArrowDown' });
    await el.updateComplete;
    expect(only(el)[0]!.role).to.equal('signer_2');
    const save = oneEvent(el, 'cs-template-save');
    $(el, '.save')!.focus();
    await sendKeys({ press: 'Enter' });
    const { templateId } = (await save).detail;
    expect((await storedFields(templateId))[0]).to.include({ role: 'signer_2', y: 0.5 - 0.05 / 2 + STEP + STEP });
  });

  it('says "1 form field" and "2 form fields": count strings follow Intl.PluralRules', async () => {
    const { el } = await mountWithPdf();
    const builder = el as unknown as { formFields: UploadedDocument['formFields']; notice: string };
    const one = { name: 'Name', type: 'text', page: 1, x: 0.1, y: 0.1, width: 0.3, height: 0.03, required: false };
    builder.formFields = [];
    await el.updateComplete;
    expect($(el, '.import')).to.equal(null);
    builder.formFields = [one, { ...one, name: 'Email', y: 0.2 }] as UploadedDocument['formFields'];
    await el.updateComplete;
    expect(text($(el, '.import'))).to.equal('Add 2 form fields from the PDF');
    builder.formFields = [one] as UploadedDocument['formFields'];
    await el.updateComplete;
    expect(text($(el, '.import'))).to.equal('Add 1 form field from the PDF');
    $(el, '.import')!.click();
    await el.updateComplete;
    expect(builder.notice).to.equal('Added 1 form field from the PDF.');
    // A locale with more forms than English: Polish "few" (2–4) and "many" (5+), from its rules.
    registerTranslation('pl', {
      'builder.formFields.one': 'Dodaj {count} pole',
      'builder.formFields.few': 'Dodaj {count} pola',
      'builder.formFields.many': 'Dodaj {count} pól',
    });
    el.locale = 'pl';
    for (const [n, label] of [
      [1, 'Dodaj 1 pole'],
      [3, 'Dodaj 3 pola'],
      [5, 'Dodaj 5 pól'],
    ] as const) {
      builder.formFields = Array.from({ length: n }, () => one) as UploadedDocument['formFields'];
      await el.updateComplete;
      expect(text($(el, '.import'))).to.equal(label);
    }
    // Zero is "other" in English; a missing category falls back to "other".
    expect(translatePlural('en', 'builder.formFieldsAdded', 0)).to.equal('Added 0 form fields from the PDF.');
    expect(translatePlural('en', 'builder.formFieldsAdded', 1234)).to.equal('Added 1,234 form fields from the PDF.');
  });

  it('places each palette click in free space: 5 clicks, no two fields overlap, all inside the page', async () => {
    const { el } = await mountWithPdf({ pages: 1 });
    const types = ['signature', 'signature', 'text', 'date_signed', 'initials'];
    for (const [i, type] of types.entries()) {
      const item = $<HTMLButtonElement>(el, `.palette-item[data-type="${type}"]`)!;
      if (i === 4) {
        item.focus();
        await sendKeys({ press: 'Enter' });
      } else item.click();
      await el.updateComplete;
      await until(() => only(el).length === i + 1, `field ${i + 1}`);
    }
    const fields = only(el);
    // The first still goes to the middle of the page, as before.
    expect(fields[0]).to.include({ x: 0.5 - 0.3 / 2, y: 0.5 - 0.06 / 2 });
    const overlap = (a: TemplateField, b: TemplateField) =>
      a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    const apart = (list: TemplateField[]) => {
      for (const [i, a] of list.entries()) {
        expect(a.x).to.be.at.least(0);
        expect(a.y).to.be.at.least(0);
        expect(a.x + a.width).to.be.at.most(1);
        expect(a.y + a.height).to.be.at.most(1);
        for (const b of list.slice(i + 1)) expect(overlap(a, b), `${a.id} overlaps ${b.id}`).to.equal(false);
      }
    };
    apart(fields);
    // What a person sees: no two boxes on the page cross either.
    const rects = fields.map((f) => fieldBox(el, f.id).getBoundingClientRect());
    const page = pageRect(el);
    for (const [i, r] of rects.entries()) {
      expect(r.left).to.be.at.least(page.left - 0.5);
      expect(r.bottom).to.be.at.most(page.bottom + 0.5);
      for (const q of rects.slice(i + 1)) {
        const crosses =
          r.left < q.right - 0.5 && q.left < r.right - 0.5 && r.top < q.bottom - 0.5 && q.top < r.bottom - 0.5;
        expect(crosses).to.equal(false);
      }
    }
    expect($(el, '.place-full')).to.equal(null);
    const { templateId } = await saved(el);
    const stored = await storedFields(templateId);
    expect(stored.map(({ id, x, y, width, height }) => ({ id, x, y, width, height }))).to.deep.equal(
      fields.map(({ id, x, y, width, height }) => ({ id, x, y, width, height })),
    );
    apart(stored);
  });

  it('on a page with no free space, offsets the new field and says so', async () => {
    const { el } = await mountWithPdf({ pages: 1 });
    const builder = el as unknown as { fields: TemplateField[]; notice: string };
    builder.fields = [
      { id: 'fld_full', type: 'text', role: 'signer', page: 1, x: 0, y: 0, width: 1, height: 1, required: false },
    ];
    await el.updateComplete;
    $(el, '.palette-item[data-type="checkbox"]')!.click();
    await until(() => only(el).length === 2, 'second field');
    await el.updateComplete;
    const added = only(el)[1]!;
    expect(added).to.include({ page: 1, x: 0.02, y: 0.02 });
    expect(text($(el, '.place-full'))).to.equal('Page 1 has no free space: the new field overlaps another, move it.');
    expect(builder.notice).to.contain('no free space');
    await expect(el).to.be.accessible();
    // Room again: the next click finds free space and the message goes.
    builder.fields = [];
    await el.updateComplete;
    $(el, '.palette-item[data-type="checkbox"]')!.click();
    await until(() => only(el).length === 1, 'field on an empty page');
    await el.updateComplete;
    expect($(el, '.place-full')).to.equal(null);
  });

  it('lets a keyed text field’s prefilled value be signer-editable, and sends that on save', async () => {
    const { el } = await mountWithPdf({ pages: 1 });
    $(el, '.palette-item[data-type="text"]')!.click();
    await until(() => only(el).length === 1, 'text field');
    await el.updateComplete;
    // Without a key nothing is prefilled: no such setting.
    expect($(el, '.field-signer-editable')).to.equal(null);
    const key = $<HTMLInputElement>(el, '.field-key')!;
    key.value = 'customer_name';
    key.dispatchEvent(new Event('change'));
    await el.updateComplete;
    const box = $<HTMLInputElement>(el, '.field-signer-editable')!;
    expect(box.checked).to.equal(false);
    expect(text(box.closest('label'))).to.equal('Signer may change the prefilled value');
    await expect(el).to.be.accessible();
    box.focus();
    await sendKeys({ press: 'Space' });
    await el.updateComplete;
    expect(only(el)[0]!.signerEditable).to.equal(true);
    // Undo takes it back, redo restores it.
    $(el, '.undo')!.click();
    await el.updateComplete;
    expect(only(el)[0]!.signerEditable).to.equal(undefined);
    expect($<HTMLInputElement>(el, '.field-signer-editable')!.checked).to.equal(false);
    $(el, '.redo')!.click();
    await el.updateComplete;

    const sent: unknown[] = [];
    const realFetch = window.fetch;
    window.fetch = async (input, init) => {
      if (typeof init?.body === 'string') sent.push(JSON.parse(init.body));
      return realFetch(input, init);
    };
    try {
      // What the builder sends (the server's template schema learns signerEditable separately).
      const done = Promise.race([oneEvent(el, 'cs-template-save'), oneEvent(el, 'cs-error')]);
      $(el, '.save')!.click();
      await done;
    } finally {
      window.fetch = realFetch;
    }
    const withFields = sent.find((b): b is { fields: TemplateField[] } =>
      Array.isArray((b as { fields?: unknown }).fields),
    );
    expect(withFields?.fields[0]).to.include({ key: 'customer_name', signerEditable: true });

    // A checkbox or signature has no such setting, and clearing the key drops it.
    key.value = '';
    key.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect($(el, '.field-signer-editable')).to.equal(null);
    expect(only(el)[0]!.signerEditable).to.equal(undefined);
  });

  it('works at 360 px wide', async () => {
    await setViewport({ width: 360, height: 740 });
    const token = await legalToken();
    const { server } = await serverCommand<{ server: string }>('cs-server');
    const el = await fixture<CsTemplateBuilder>(
      html`<cs-template-builder server=${server} token=${token}></cs-template-builder>`,
    );
    await chooseFile(el, { pages: 1 });
    await until(() => $(el, '.page[data-page="1"][data-rendered]'), 'page 1 painted');
    expect(el.scrollWidth).to.be.at.most(360);
    for (const b of $$(el, '.palette-item')) expect(b.getBoundingClientRect().height).to.be.at.least(44);
    await expect(el).to.be.accessible();
  });
});
