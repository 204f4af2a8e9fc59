import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import type { Clause, Variable } from '@countersign/core';
import '../../packages/elements/src/template-builder/clause-document-editor.ts';
import type {
  ClausesSource,
  CsClauseDocumentEditor,
} from '../../packages/elements/src/template-builder/clause-document-editor.ts';
import type { CsConditionInput } from '../../packages/elements/src/internal/condition-input.ts';
import type { CsErrorDetail } from '../../packages/elements/src/internal/cs-element.ts';
import { loadPdfjs, setPdfWorkerSrc } from '../../packages/elements/src/controllers/pdf-pages.ts';
import { active, api, mintToken, serverCommand, type TokenRole, until } from './support.ts';

// The dev server does not understand Vite's `?url`: point pdf.js at the worker it serves.
setPdfWorkerSrc('/node_modules/pdfjs-dist/build/pdf.worker.min.mjs');

const VARIABLES: Variable[] = [
  { key: 'fee', label: 'Monthly fee', type: 'money', currency: 'EUR' },
  { key: 'term_years', label: 'Term (years)', type: 'number', integer: true },
  { key: 'client_name', label: 'Client', type: 'text' },
];
const SCRIPT = '<img src=x onerror=alert(1)>';

let server: string;
let legal: string;
let agent: string;
const clauses: Record<string, Clause> = {};

const token = (role: TokenRole, name: string) =>
  mintToken(role, { id: `${role}-1`, name, email: `${role}@example.com` });

async function libraryClause(input: Record<string, unknown>, publish = true): Promise<Clause> {
  const created = await api<Clause>('POST', '/api/v1/clauses', input);
  expect(created.status, JSON.stringify(created.body)).to.equal(201);
  if (publish) {
    const published = await api('POST', `/api/v1/clauses/${created.body.id}/versions/1/publish`, {});
    expect(published.status, JSON.stringify(published.body)).to.equal(200);
  }
  return (await api<Clause>('GET', `/api/v1/clauses/${created.body.id}`)).body;
}

before(async () => {
  ({ server } = await serverCommand<{ server: string }>('cs-server'));
  legal = await token('legal', 'Zoë Łukasz-Müller');
  agent = await token('agent', 'Юлия');
  clauses.confidentiality = await libraryClause({
    key: 'confidentiality',
    title: 'Confidentiality',
    body: "Each party keeps the other's **confidential** information secret for *{{term_years}}* years.",
  });
  clauses.liability = await libraryClause({
    key: 'liability_cap',
    title: 'Limitation of liability',
    body: 'Liability is capped at {{fee}} per {{period}}.\n\n1. Direct damages only\n2. No **indirect** damages',
    locked: true,
  });
  clauses.draft = await libraryClause({ key: 'draft_only', title: 'Unreleased clause', body: 'Not yet.' }, false);
  clauses.unicode = await libraryClause({
    key: 'names',
    title: `Ἀθηνᾶ 山田太郎 محمد ${SCRIPT}`,
    body: `Signed for ${SCRIPT} by Юлия.`,
  });
});

const $ = <E extends Element = HTMLElement>(root: ParentNode, selector: string) => root.querySelector<E>(selector)!;
const $$ = <E extends Element = HTMLElement>(root: ParentNode, selector: string) => [
  ...root.querySelectorAll<E>(selector),
];
const shadow = (el: CsClauseDocumentEditor) => el.shadowRoot!;
const cards = (el: CsClauseDocumentEditor) => $$(shadow(el), '.clause');
const result = (el: CsClauseDocumentEditor, clause: Clause) => $(shadow(el), `.result[data-clause-id="${clause.id}"]`);

async function mount(
  options: { source?: ClausesSource; token?: string; server?: string; width?: number } = {},
): Promise<CsClauseDocumentEditor> {
  const source = options.source ?? { kind: 'clauses', title: 'Master services agreement', clauses: [] };
  const wrapper = await fixture<HTMLDivElement>(
    html`<div style="width:${options.width ?? 760}px">
      <cs-clause-document-editor
        server=${options.server ?? server}
        token=${options.token ?? legal}
        .source=${source}
        .variables=${VARIABLES}
      ></cs-clause-document-editor>
    </div>`,
  );
  return wrapper.querySelector('cs-clause-document-editor')!;
}

async function mountLoaded(options: Parameters<typeof mount>[0] = {}): Promise<CsClauseDocumentEditor> {
  const el = await mount(options);
  await until(() => $$(shadow(el), '.result').length >= 4, 'the library list');
  return el;
}

function record(el: CsClauseDocumentEditor): ClausesSource[] {
  const seen: ClausesSource[] = [];
  el.addEventListener('cs-source-change', (e) => seen.push(structuredClone(e.detail.source)));
  return seen;
}

async function type(el: CsClauseDocumentEditor, target: HTMLInputElement | HTMLTextAreaElement, value: string) {
  target.value = value;
  target.dispatchEvent(new Event('input', { bubbles: true }));
  await el.updateComplete;
}

/** The text of every page of a PDF, through pdf.js. */
async function pdfText(url: string): Promise<{ pages: number; text: string }> {
  const pdfjs = await loadPdfjs();
  const doc = await pdfjs.getDocument({ url, isEvalSupported: false }).promise;
  let text = '';
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    text += content.items.map((item) => ('str' in item ? item.str : '')).join(' ') + '\n';
  }
  const pages = doc.numPages;
  await doc.destroy();
  return { pages, text: text.replace(/\s+/g, ' ') };
}

describe('<cs-clause-document-editor>', () => {
  it('lists the library with title, key, published version and lock; only published clauses can be added', async () => {
    const el = await mountLoaded();
    const liability = result(el, clauses.liability!);
    expect($(liability, 'strong').textContent).to.equal('Limitation of liability');
    expect($$(liability, '.tag').map((t) => t.textContent!.trim())).to.deep.equal(['liability_cap', 'v1', 'Locked']);
    const add = $<HTMLButtonElement>(liability, 'button');
    expect(add.disabled).to.equal(false);
    expect(add.getAttribute('aria-label')).to.equal('Add “Limitation of liability”');
    const draft = $<HTMLButtonElement>(result(el, clauses.draft!), 'button');
    expect(draft.disabled).to.equal(true);
    expect(draft.textContent!.trim()).to.equal('Not published');
    expect($(result(el, clauses.unicode!), 'strong').textContent).to.equal(`Ἀθηνᾶ 山田太郎 محمد ${SCRIPT}`);
    expect(shadow(el).querySelector('img')).to.equal(null);
    expect($(shadow(el), '.clauses').children).to.have.length(0);
    expect(shadow(el).textContent).to.contain('No clauses yet.');
    await expect(el).to.be.accessible();
  });

  it('searches the library and adds a clause with the keyboard alone', async () => {
    const el = await mountLoaded();
    const seen = record(el);
    $(shadow(el), '[data-control="search"]').focus();
    await sendKeys({ type: 'liab' });
    await until(() => $$(shadow(el), '.result').length === 1, 'the search to narrow the list');
    expect(shadow(el).textContent).to.contain('1 clause found.');
    await sendKeys({ press: 'Tab' });
    expect(active(el)!.getAttribute('aria-label')).to.equal('Add “Limitation of liability”');
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(seen.at(-1)).to.deep.equal({
      kind: 'clauses',
      title: 'Master services agreement',
      clauses: [{ clauseId: clauses.liability!.id }],
    });
    const card = cards(el)[0]!;
    expect($(card, 'h3').textContent).to.equal('Clause 1: Limitation of liability');
    expect($$(card, '.meta .tag').map((t) => t.textContent!.trim())).to.deep.equal([
      'Library clause',
      'liability_cap',
      'Latest published version (1) when saved',
      'Locked',
    ]);
    // Locked in the library: the reference cannot unlock it (the server ORs the two).
    const lock = $<HTMLInputElement>(card, '[data-control="locked"]');
    expect(lock.checked).to.equal(true);
    expect(lock.disabled).to.equal(true);
    expect($(card, `#${lock.getAttribute('aria-describedby')}`).textContent).to.equal(
      'Locked in the library: legal unlocks it there.',
    );
    // Added once: the library button says so.
    const button = $<HTMLButtonElement>(result(el, clauses.liability!), 'button');
    expect(button.disabled).to.equal(true);
    expect(button.textContent!.trim()).to.equal('Added');
    expect($(shadow(el), '[role="status"]').textContent).to.contain('“Limitation of liability” added as clause 1.');
    await expect(el).to.be.accessible();
  });

  it('shows clause text formatted, variables as chips, unknown ones flagged, never as HTML', async () => {
    const el = await mountLoaded({
      source: {
        kind: 'clauses',
        title: 'MSA',
        clauses: [{ clauseId: clauses.liability!.id }, { clauseId: clauses.unicode!.id }],
      },
    });
    await until(() => cards(el)[0]?.querySelector('.body-preview'), 'the library text');
    const preview = $(cards(el)[0]!, '.body-preview');
    const chips = $$(preview, '.chip');
    expect(chips.map((c) => c.dataset['variable'])).to.deep.equal(['fee', 'period']);
    expect(chips[0]!.textContent).to.equal('Monthly fee');
    expect(chips[0]!.hasAttribute('data-unknown')).to.equal(false);
    expect(chips[1]!.hasAttribute('data-unknown')).to.equal(true);
    expect(chips[1]!.textContent).to.contain('period is not a variable of this template');
    expect($$(preview, 'ol li').map((li) => li.textContent!.trim())).to.deep.equal([
      'Direct damages only',
      'No indirect damages',
    ]);
    expect($(preview, 'ol strong').textContent).to.equal('indirect');
    const names = $(cards(el)[1]!, '.body-preview');
    expect(names.textContent!.trim()).to.equal(`Signed for ${SCRIPT} by Юлия.`);
    expect(shadow(el).querySelector('img')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('writes, orders, locks and conditions clauses: the event carries the exact source', async () => {
    const el = await mountLoaded({
      source: { kind: 'clauses', title: 'MSA', clauses: [{ clauseId: clauses.confidentiality!.id }] },
    });
    const seen = record(el);

    // Write a clause: focus lands in its title, selected.
    $(shadow(el), '[data-action="write"]').focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(active(el)!.dataset['control']).to.equal('title');
    expect(seen.at(-1)!.clauses[1]).to.deep.equal({ key: 'clause_2', title: 'New clause', body: '' });
    await sendKeys({ type: 'Payment' });
    await sendKeys({ press: 'Tab' });
    // Chrome selects an input's text when the keyboard moves focus into it: typing replaces it.
    await sendKeys({ type: 'payment' });
    await sendKeys({ press: 'Tab' });
    expect(active(el)!.dataset['control']).to.equal('body');
    await sendKeys({ type: 'Pay **{{fee}}** monthly.' });
    await el.updateComplete;
    const card = cards(el)[1]!;
    expect($(card, '.body-preview strong .chip').textContent).to.equal('Monthly fee');

    // Alt+ArrowUp from the body moves the clause up and keeps focus in the body.
    await sendKeys({ down: 'Alt' });
    await sendKeys({ press: 'ArrowUp' });
    await sendKeys({ up: 'Alt' });
    await el.updateComplete;
    expect(seen.at(-1)!.clauses.map((c) => ('clauseId' in c ? c.clauseId : c.key))).to.deep.equal([
      'payment',
      clauses.confidentiality!.id,
    ]);
    expect(active(el)!.dataset['control']).to.equal('body');
    expect($(cards(el)[0]!, 'h3').textContent).to.equal('Clause 1: Payment');

    // The move buttons do the same; at the end "down" is disabled and focus goes to "up".
    const down = $<HTMLButtonElement>(cards(el)[0]!, '[data-action="down"]');
    down.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(active(el)!.getAttribute('aria-label')).to.equal('Move “Payment” up');
    expect($(cards(el)[1]!, 'h3').textContent).to.equal('Clause 2: Payment');

    // Lock the library clause (not locked there): the reference says so.
    const lock = $<HTMLInputElement>(cards(el)[0]!, '[data-control="locked"]');
    expect(lock.checked).to.equal(false);
    lock.focus();
    await sendKeys({ press: 'Space' });
    await el.updateComplete;
    // Lock the written one.
    $<HTMLInputElement>(cards(el)[1]!, '[data-control="locked"]').click();
    await el.updateComplete;

    // Condition on the written clause through its condition input: "Monthly fee is at least 5000".
    const condition = $<CsConditionInput>(cards(el)[1]!, 'cs-condition-input');
    const inner = condition.shadowRoot!;
    $<HTMLInputElement>(inner, 'input[value="simple"]').click();
    await condition.updateComplete;
    const op = $<HTMLSelectElement>(inner, '[data-control="operator"]');
    op.value = '>=';
    op.dispatchEvent(new Event('change'));
    await condition.updateComplete;
    const value = $<HTMLInputElement>(inner, '[data-control="value"]');
    value.focus();
    await sendKeys({ type: '5000' });
    await el.updateComplete;
    expect($(inner, '[part="summary"]').textContent).to.equal('Included when Monthly fee is at least 5000');
    // The sample fee (1250) leaves it out; a sample of 6000 puts it back.
    expect($(cards(el)[1]!, '[data-left-out]').textContent).to.equal('Left out with this sample data');
    expect(cards(el)[0]!.querySelector('[data-left-out]')).to.equal(null);
    await type(el, $<HTMLInputElement>(shadow(el), '[data-sample="fee"]'), '6000');
    expect(cards(el)[1]!.querySelector('[data-left-out]')).to.equal(null);

    expect(seen.at(-1)).to.deep.equal({
      kind: 'clauses',
      title: 'MSA',
      clauses: [
        { clauseId: clauses.confidentiality!.id, locked: true },
        {
          key: 'payment',
          title: 'Payment',
          body: 'Pay **{{fee}}** monthly.',
          locked: true,
          condition: { '>=': [{ var: 'fee' }, 5000] },
        },
      ],
    });
    expect(el.source).to.deep.equal(seen.at(-1));
    await expect(el).to.be.accessible();

    // Remove the library clause: focus goes to the next card's remove button.
    $<HTMLButtonElement>(cards(el)[0]!, '[data-action="remove"]').click();
    await el.updateComplete;
    await el.updateComplete;
    expect(seen.at(-1)!.clauses).to.have.length(1);
    expect(active(el)!.getAttribute('aria-label')).to.equal('Remove “Payment”');
  });

  it('moves a clause by dragging its handle onto another clause', async () => {
    const el = await mountLoaded({
      source: {
        kind: 'clauses',
        title: 'MSA',
        clauses: [
          { key: 'a', title: 'Alpha', body: 'A.' },
          { key: 'b', title: 'Beta', body: 'B.' },
          { key: 'c', title: 'Gamma', body: 'C.' },
        ],
      },
    });
    const seen = record(el);
    const dataTransfer = new DataTransfer();
    const drag = (target: Element, type: string) =>
      target.dispatchEvent(new DragEvent(type, { bubbles: true, composed: true, cancelable: true, dataTransfer }));
    drag($(cards(el)[0]!, '[data-action="drag"]'), 'dragstart');
    expect(drag(cards(el)[2]!, 'dragover')).to.equal(false); // accepted: the default was prevented
    await el.updateComplete;
    expect(cards(el)[2]!.hasAttribute('data-drop')).to.equal(true);
    drag(cards(el)[2]!, 'drop');
    await el.updateComplete;
    expect(seen.at(-1)!.clauses.map((c) => ('key' in c ? c.key : ''))).to.deep.equal(['b', 'c', 'a']);
    expect(cards(el).map((c) => $(c, 'h3').textContent)).to.deep.equal([
      'Clause 1: Beta',
      'Clause 2: Gamma',
      'Clause 3: Alpha',
    ]);
    expect(cards(el).some((c) => c.hasAttribute('data-drop'))).to.equal(false);
    // A drag that did not start on a handle is not taken.
    expect(drag(cards(el)[0]!, 'dragover')).to.equal(true);
  });

  it('a library clause with its own condition: "Always" is written as true', async () => {
    const conditioned = await libraryClause({
      key: 'premium_support',
      title: 'Premium support',
      body: 'Support answers within an hour.',
      condition: { '==': [{ var: 'client_name' }, 'Acme'] },
    });
    const el = await mountLoaded({
      source: { kind: 'clauses', title: 'MSA', clauses: [{ clauseId: conditioned.id }] },
    });
    await until(() => cards(el)[0]?.querySelector('.body-preview'), 'the library text');
    const condition = $<CsConditionInput>(cards(el)[0]!, 'cs-condition-input');
    expect($(condition.shadowRoot!, '[part="summary"]').textContent).to.equal('Included when Client is Acme');
    const changed = oneEvent(el, 'cs-source-change');
    $<HTMLInputElement>(condition.shadowRoot!, 'input[value="always"]').click();
    expect((await changed).detail.source.clauses).to.deep.equal([{ clauseId: conditioned.id, condition: true }]);
  });

  it('shows the text of a pinned version and offers the newer published one (never a draft)', async () => {
    const fees = await libraryClause({ key: 'fees', title: 'Fees', body: 'Fees, first wording: {{fee}}.' });
    const patch = (body: string) => api('PATCH', `/api/v1/clauses/${fees.id}`, { body });
    expect((await patch('Fees, second wording: {{fee}}.')).status).to.equal(200);
    expect((await api('POST', `/api/v1/clauses/${fees.id}/versions/2/publish`, {})).status).to.equal(200);
    expect((await patch('Fees, draft wording.')).status).to.equal(200);

    const el = await mountLoaded({
      source: { kind: 'clauses', title: 'MSA', clauses: [{ clauseId: fees.id, version: 1 }] },
    });
    const card = () => cards(el)[0]!;
    await until(() => card().querySelector('.body-preview'), 'the pinned text');
    expect($(card(), '.body-preview').textContent!.trim()).to.equal('Fees, first wording: Monthly fee.');
    expect($$(card(), '.meta .tag').map((t) => t.textContent!.trim())).to.include('Pinned to version 1');
    expect(card().textContent).to.contain('Version 2 of this clause has been published since.');
    await expect(el).to.be.accessible();

    const seen = record(el);
    const use = $<HTMLButtonElement>(card(), '[data-action="use-latest"]');
    expect(use.textContent!.trim()).to.equal('Use version 2');
    use.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(seen.at(-1)!.clauses).to.deep.equal([{ clauseId: fees.id }]);
    await until(
      () => card().querySelector('.body-preview')?.textContent?.includes('second wording'),
      'the latest published text',
    );
    expect($$(card(), '.meta .tag').map((t) => t.textContent!.trim())).to.include(
      'Latest published version (2) when saved',
    );
    expect(card().querySelector('[data-action="use-latest"]')).to.equal(null);
  });

  it('flags an empty text, an empty title and a key another clause uses', async () => {
    const el = await mountLoaded({
      source: {
        kind: 'clauses',
        title: 'MSA',
        clauses: [{ clauseId: clauses.confidentiality!.id }, { key: 'confidentiality', title: '', body: ' ' }],
      },
    });
    await until(() => cards(el)[0]?.querySelector('.body-preview'), 'the library text');
    const card = cards(el)[1]!;
    expect($$(card, '.error').map((e) => e.textContent!.trim())).to.deep.equal([
      'Enter a title.',
      'Another clause already uses the key confidentiality.',
      'Write the clause text.',
    ]);
    expect($(card, '[data-control="key"]').getAttribute('aria-invalid')).to.equal('true');
    expect($(cards(el)[0]!, '.error').textContent).to.equal('Another clause already uses the key confidentiality.');
    await expect(el).to.be.accessible();
    await type(el, $<HTMLInputElement>(card, '[data-control="key"]'), 'confidentiality_extra');
    await type(el, $<HTMLInputElement>(card, '[data-control="title"]'), 'Extra');
    await type(el, $<HTMLTextAreaElement>(card, '[data-control="body"]'), 'More.');
    expect($$(shadow(el), '.clause .error')).to.have.length(0);
  });

  it('edits the title and party blocks', async () => {
    const el = await mountLoaded();
    const seen = record(el);
    await type(el, $<HTMLInputElement>(shadow(el), '[data-control="document-title"]'), 'Rahmenvertrag Zoë');
    $(shadow(el), '[data-action="add-party"]').click();
    await el.updateComplete;
    await el.updateComplete;
    expect(active(el)!.dataset['control']).to.equal('party-label');
    await sendKeys({ type: 'Customer' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ type: '山田太郎' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ type: 'Tokyo' });
    await el.updateComplete;
    expect(seen.at(-1)).to.deep.equal({
      kind: 'clauses',
      title: 'Rahmenvertrag Zoë',
      parties: [{ label: 'Customer', lines: ['山田太郎', 'Tokyo'] }],
      clauses: [],
    });
    await expect(el).to.be.accessible();
    $(shadow(el), '[data-action="remove-party"]').click();
    await el.updateComplete;
    expect(seen.at(-1)).to.deep.equal({ kind: 'clauses', title: 'Rahmenvertrag Zoë', clauses: [] });
  });

  it('says so, visibly and with cs-error, when the library cannot be reached, and retries', async () => {
    // Listening before mounting: the refusal may come back before mount() resolves.
    const errors: CsErrorDetail[] = [];
    const listener = (e: CustomEvent<CsErrorDetail>) => errors.push(e.detail);
    document.addEventListener('cs-error', listener);
    const el = await mount({ server: 'http://127.0.0.1:9' });
    await until(() => errors.length, 'cs-error');
    document.removeEventListener('cs-error', listener);
    expect(errors.map((e) => e.code)).to.deep.equal(['network']);
    await el.updateComplete;
    const alert = $(shadow(el), '[part="library"] [role="alert"]');
    expect(alert.textContent).to.contain('The clause library could not be loaded');
    await expect(el).to.be.accessible();
    el.server = server;
    await el.updateComplete;
    await until(() => $$(shadow(el), '.result').length >= 4, 'the library after the server is set');
    expect(shadow(el).querySelector('[part="library"] [role="alert"]')).to.equal(null);
  });

  it('shows a failed preview as a visible message and cs-error', async () => {
    // Only legal and admins may preview unsaved sources.
    const el = await mountLoaded({
      token: agent,
      source: { kind: 'clauses', title: 'MSA', clauses: [{ key: 'a', title: 'A', body: 'Text.' }] },
    });
    const errored = oneEvent(el, 'cs-error');
    $(shadow(el), '[data-action="preview"]').click();
    const { detail } = (await errored) as CustomEvent<CsErrorDetail>;
    expect(detail.status).to.equal(403);
    expect(detail.code).to.equal('forbidden');
    await el.updateComplete;
    expect(el.previewState).to.equal('error');
    const alert = $(shadow(el), '[part="preview"] [role="alert"]');
    expect(alert.textContent).to.contain('The preview could not be made');
    expect($(alert, '[data-action="retry-preview"]').textContent!.trim()).to.equal('Try again');
    await expect(el).to.be.accessible();
  });

  it('renders the PDF preview with sample data and renders again when the sample changes', async function () {
    this.timeout(30_000);
    const el = await mountLoaded({
      source: {
        kind: 'clauses',
        title: 'Master services agreement',
        clauses: [
          { clauseId: clauses.confidentiality!.id },
          { key: 'who', title: 'Client', body: 'Client: {{client_name}}.' },
        ],
      },
    });
    const name = $<HTMLInputElement>(shadow(el), '[data-sample="client_name"]');
    expect(name.value).to.equal('Sample Client');
    await type(el, name, 'Zoë Łukasz-Müller');
    $(shadow(el), '[data-action="preview"]').click();
    await until(() => el.previewState === 'ready', 'the preview', 20_000);
    await until(() => shadow(el).querySelector('.page[data-page="1"][data-rendered] canvas'), 'page 1 painted');
    const first = await pdfText(el.previewUrl!);
    expect(el.previewPages).to.equal(first.pages);
    expect(first.pages).to.be.at.least(1);
    expect(first.text).to.contain('Zoë Łukasz-Müller');
    expect(first.text).to.contain('Confidentiality');
    expect($(shadow(el), '[data-action="download"]').textContent!.trim()).to.match(/^Download the PDF \(\d+ pages?\)$/);
    await expect(el).to.be.accessible();

    // A new sample value: the preview follows on its own.
    const before = el.previewUrl;
    await type(el, name, '山田太郎');
    await until(() => el.previewState === 'ready' && el.previewUrl !== before, 'the second preview', 20_000);
    const second = await pdfText(el.previewUrl!);
    expect(second.text).to.contain('山田太郎');
    expect(second.text).not.to.contain('Zoë Łukasz-Müller');

    // And an edit of the source too.
    const third = el.previewUrl;
    await type(el, $<HTMLTextAreaElement>(cards(el)[1]!, '[data-control="body"]'), 'Customer: {{client_name}}.');
    await until(() => el.previewState === 'ready' && el.previewUrl !== third, 'the third preview', 20_000);
    expect((await pdfText(el.previewUrl!)).text).to.contain('Customer: 山田太郎');

    // While a clause has a problem the server would refuse, the last preview stays and says why.
    const kept = el.previewUrl;
    await type(el, $<HTMLTextAreaElement>(cards(el)[1]!, '[data-control="body"]'), ' ');
    expect($(shadow(el), '[data-held]').textContent).to.equal(
      'The preview updates once the problems in the clauses are fixed.',
    );
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(el.previewState).to.equal('ready');
    expect(el.previewUrl).to.equal(kept);
    await type(el, $<HTMLTextAreaElement>(cards(el)[1]!, '[data-control="body"]'), 'Signed by {{client_name}}.');
    expect(shadow(el).querySelector('[data-held]')).to.equal(null);
    await until(() => el.previewState === 'ready' && el.previewUrl !== kept, 'the preview after the fix', 20_000);
  });

  it('fits a 360px-wide screen with 44px targets', async () => {
    await setViewport({ width: 360, height: 800 });
    try {
      const el = await mountLoaded({
        width: 360,
        source: {
          kind: 'clauses',
          title: 'MSA',
          clauses: [{ clauseId: clauses.liability!.id }, { key: 'x', title: 'X', body: 'Y' }],
        },
      });
      expect(el.scrollWidth).to.be.at.most(el.clientWidth + 1);
      for (const button of $$(shadow(el), 'button')) {
        const box = button.getBoundingClientRect();
        expect(box.height, button.textContent!).to.be.at.least(44);
        expect(box.width, button.textContent!).to.be.at.least(44);
      }
      await expect(el).to.be.accessible();
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });
});
