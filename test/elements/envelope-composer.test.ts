import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import { canonicalJson, sha256Hex, type AuditTrail, type Envelope, type Variable } from '@countersign/core';
import '../../packages/elements/src/envelope-composer/define.ts';
import type {
  CsEnvelopeComposer,
  EnvelopeSentDetail,
} from '../../packages/elements/src/envelope-composer/envelope-composer.ts';
import type { CsErrorDetail } from '../../packages/elements/src/internal/cs-element.ts';
import type { RecipientInput } from '../../packages/elements/src/envelope-composer/form.ts';
import { loadPdfjs, setPdfWorkerSrc } from '../../packages/elements/src/controllers/pdf-pages.ts';
import { $, $$, active, api, expectCrossOriginServer, mintToken, ok, serverCommand, until } from './support.ts';

// The dev server does not understand Vite's `?url`: point pdf.js at the worker it serves.
setPdfWorkerSrc('/node_modules/pdfjs-dist/build/pdf.worker.min.mjs');

const VARIABLES: Variable[] = [
  { key: 'customer_name', type: 'text', label: 'Customer name', required: true, help: 'As on their ID' },
  { key: 'fee', type: 'money', currency: 'EUR', label: 'Fee', required: true, min: 0 },
  { key: 'seats', type: 'number', label: 'Seats', integer: true, min: 1 },
  { key: 'start', type: 'date', label: 'Start date', required: true },
  { key: 'contact', type: 'email', label: 'Contact email', required: true },
  { key: 'phone', type: 'phone', label: 'Phone' },
  {
    key: 'plan',
    type: 'enum',
    label: 'Plan',
    required: true,
    options: [
      { value: 'basic', label: 'Basic' },
      { value: 'premium', label: 'Premium' },
    ],
  },
  {
    key: 'region',
    type: 'enum',
    label: 'Region',
    options: ['eu', 'us', 'uk', 'jp', 'br'].map((value) => ({ value, label: value.toUpperCase() })),
  },
  { key: 'renew', type: 'boolean', label: 'Renews automatically' },
];

const ROLES = [
  { key: 'customer', label: 'Customer', action: 'sign', order: 1 },
  { key: 'manager', label: 'Account manager', action: 'sign', order: 2 },
];

interface Seeded {
  server: string;
  token: string;
  agent: { id: string; name: string; email: string };
  clausesTemplate: string;
  pdfTemplate: string;
  libraryClause: string;
}

let seeded: Seeded | undefined;

/** One published clauses template (typed variables, a conditional, a locked and a library clause) and one PDF template. */
async function seed(): Promise<Seeded> {
  if (seeded) return seeded;
  const { server } = await serverCommand<{ server: string }>('cs-server');
  const agent = { id: 'agent-7', name: 'Юлия Agent', email: 'julia@example.com' };
  const token = await mintToken('agent', agent);
  const clause = await ok<{ id: string }>('POST', '/api/v1/clauses', {
    key: 'warranty',
    title: 'Warranty',
    body: 'The provider warrants the services for twelve months.',
  });
  await ok('POST', `/api/v1/clauses/${clause.id}/versions/1/publish`);
  const inline = [
    { key: 'scope', title: 'Scope', body: 'Services for {{customer_name}} on the **{{plan}}** plan, for {{fee}}.' },
    { key: 'liability', title: 'Limitation of liability', body: 'Liability is limited to the fee paid.', locked: true },
    {
      key: 'large',
      title: 'Large order review',
      body: 'Orders above 5,000 are reviewed by legal.',
      condition: { '>': [{ var: 'fee' }, 5000] },
    },
  ];
  const base = { name: 'Service agreement', roles: ROLES, variables: VARIABLES };
  const created = await api<{ id: string }>('POST', '/api/v1/templates', {
    ...base,
    source: { kind: 'clauses', title: 'Service agreement', clauses: [...inline, { clauseId: clause.id }] },
  });
  if (created.status !== 201) throw new Error(`seeding the clauses template: ${JSON.stringify(created.body)}`);
  await ok('POST', `/api/v1/templates/${created.body.id}/versions/1/publish`);
  const doc = await serverCommand<{ id: string }>('cs-upload', { pages: 2 });
  const pdf = await ok<{ id: string }>('POST', '/api/v1/templates', {
    name: 'Equipment return form',
    documentId: doc.id,
    roles: [{ key: 'customer', label: 'Customer', action: 'sign' }],
    fields: [
      { type: 'signature', role: 'customer', page: 1, x: 0.1, y: 0.8, width: 0.3, height: 0.06 },
      { type: 'text', key: 'serial', role: 'customer', page: 1, x: 0.1, y: 0.2, width: 0.4, height: 0.05 },
    ],
    variables: [{ key: 'serial', type: 'text', label: 'Serial number', required: true, pattern: 'SN-[0-9]{5}' }],
  });
  await ok('POST', `/api/v1/templates/${pdf.id}/versions/1/publish`);
  seeded = {
    server,
    token,
    agent,
    clausesTemplate: created.body.id,
    pdfTemplate: pdf.id,
    libraryClause: clause.id,
  };
  return seeded;
}

const field = (el: CsEnvelopeComposer, key: string) => $<HTMLInputElement>(el, `#var-${key}`)!;
const errorOf = (el: CsEnvelopeComposer, key: string) => $(el, `#var-${key}-error`)?.textContent?.trim();
const text = (el: CsEnvelopeComposer, selector: string) => $(el, selector)?.textContent?.replace(/\s+/g, ' ').trim();

async function mount(
  options: {
    templateId?: string;
    server?: string;
    token?: string;
    mergeData?: Record<string, string | number | boolean | null>;
    recipients?: RecipientInput[];
    previewDelay?: number;
    width?: number;
    locale?: string;
  } = {},
): Promise<CsEnvelopeComposer> {
  const s = await seed();
  const wrapper = await fixture<HTMLDivElement>(
    html`<div style="width:${options.width ?? 1000}px">
      <cs-envelope-composer
        server=${options.server ?? s.server}
        token=${options.token ?? s.token}
        template-id=${options.templateId ?? ''}
        preview-delay=${options.previewDelay ?? 50}
        locale=${options.locale ?? 'en'}
        .mergeData=${options.mergeData ?? {}}
        .recipients=${options.recipients ?? []}
        style="--cs-preview-height:400px"
      ></cs-envelope-composer>
    </div>`,
  );
  return wrapper.querySelector('cs-envelope-composer')!;
}

async function mountComposing(options: Parameters<typeof mount>[0] = {}): Promise<CsEnvelopeComposer> {
  const s = await seed();
  const el = await mount({ templateId: s.clausesTemplate, ...options });
  await until(() => $(el, '[data-state="compose"]'), 'the composer');
  await el.updateComplete;
  return el;
}

/** Types into a text control as a user would (input events), then leaves it. */
async function type(el: CsEnvelopeComposer, control: HTMLInputElement, value: string, blur = true): Promise<void> {
  control.focus();
  control.value = value;
  control.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  if (blur) control.dispatchEvent(new FocusEvent('blur'));
  await el.updateComplete;
}

async function choose(el: CsEnvelopeComposer, control: HTMLSelectElement | HTMLInputElement, value: string | boolean) {
  if (typeof value === 'boolean') (control as HTMLInputElement).checked = value;
  else control.value = value;
  control.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
  await el.updateComplete;
}

/** Fills every required detail and both recipients with valid values. */
async function fillValid(el: CsEnvelopeComposer, name = 'Zoë Łukasz-Müller', fee = '1200.50'): Promise<void> {
  await type(el, field(el, 'customer_name'), name);
  await type(el, field(el, 'fee'), fee);
  await type(el, field(el, 'start'), '2027-01-15');
  await type(el, field(el, 'contact'), 'zoe@example.com');
  await choose(el, $<HTMLInputElement>(el, 'input[name="var-plan"][value="premium"]')!, 'premium');
  await type(el, $<HTMLInputElement>(el, '#rcp-0-name')!, name);
  await type(el, $<HTMLInputElement>(el, '#rcp-0-email')!, 'zoe@example.com');
  await type(el, $<HTMLInputElement>(el, '#rcp-1-name')!, '山田太郎');
  await type(el, $<HTMLInputElement>(el, '#rcp-1-email')!, 'taro@example.com');
}

async function fixtureFile(request: { fixture?: string; pages?: number }): Promise<File> {
  const { name, base64 } = await serverCommand<{ name: string; base64: string }>('cs-fixture', request);
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new File([bytes], name, { type: 'application/pdf' });
}

function attach(el: CsEnvelopeComposer, files: File[]): void {
  const input = $<HTMLInputElement>(el, 'input[type="file"]')!;
  const transfer = new DataTransfer();
  for (const file of files) transfer.items.add(file);
  input.files = transfer.files;
  input.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
}

async function pdfText(url: string): Promise<string> {
  const pdfjs = await loadPdfjs();
  const doc = await pdfjs.getDocument({ url, isEvalSupported: false }).promise;
  let out = '';
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    out += content.items.map((item) => ('str' in item ? item.str : '')).join(' ') + '\n';
  }
  await doc.destroy();
  return out;
}

const renders = (el: CsEnvelopeComposer) => Number($(el, '.viewer')?.dataset['renders'] ?? 0);

/** Answers the composer's preview requests from the test (the real fetch for everything else). */
function interceptFetch(handler: (url: string, init?: RequestInit) => Promise<Response> | undefined): () => void {
  const real = window.fetch;
  window.fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    return handler(url, init) ?? real(input, init);
  };
  return () => {
    window.fetch = real;
  };
}

describe('<cs-envelope-composer>', function () {
  this.timeout(40_000);

  before(expectCrossOriginServer);
  before(seed);

  afterEach(async () => {
    await setViewport({ width: 1100, height: 800 });
  });

  it('lists only published templates and loads the chosen one with its first field focused', async () => {
    const s = await seed();
    await ok('POST', '/api/v1/templates', {
      name: 'Draft only',
      source: { kind: 'clauses', title: 'Draft', clauses: [{ key: 'a', title: 'A', body: 'A.' }] },
      roles: [{ key: 'customer', action: 'sign' }],
    });
    const el = await mount();
    const buttons = await until(() => $$(el, 'button.template').length >= 2 && $$(el, 'button.template'), 'templates');
    const names = buttons.map((b) => b.querySelector('.name')!.textContent);
    expect(names).to.include.members(['Service agreement', 'Equipment return form']);
    expect(names).not.to.include('Draft only');
    await expect(el).to.be.accessible();
    buttons.find((b) => b.dataset['templateId'] === s.clausesTemplate)!.click();
    await until(() => $(el, '[data-state="compose"]'), 'the composer');
    await el.updateComplete;
    expect(active(el)?.id).to.equal('var-customer_name');
    expect(text(el, '.header h2')).to.equal('Service agreement');
  });

  it('generates a control for each variable type, with labels, help and currency', async () => {
    const el = await mountComposing();
    expect(field(el, 'customer_name').type).to.equal('text');
    expect($(el, 'label[for="var-customer_name"]')!.textContent).to.contain('Customer name');
    expect(field(el, 'customer_name').getAttribute('aria-describedby')).to.equal('var-customer_name-help');
    expect(text(el, '#var-customer_name-help')).to.equal('As on their ID');
    expect(field(el, 'fee').inputMode).to.equal('decimal');
    expect(text(el, '[data-key="fee"] .currency')).to.equal('EUR');
    expect(field(el, 'seats').inputMode).to.equal('numeric');
    expect(field(el, 'start').type).to.equal('date');
    expect(field(el, 'contact').type).to.equal('email');
    expect(field(el, 'phone').type).to.equal('tel');
    // A short enum is radios, a long one a select; a boolean is a checkbox.
    expect($$(el, 'input[name="var-plan"]').map((r) => r.parentElement!.textContent!.trim())).to.deep.equal([
      'Basic',
      'Premium',
    ]);
    expect($(el, 'select#var-region')!.querySelectorAll('option')).to.have.length(6);
    expect(field(el, 'renew').type).to.equal('checkbox');
    await type(el, field(el, 'fee'), '1,234.5');
    expect(text(el, '[data-key="fee"] .reads')).to.equal('Reads as €1,234.50');
    expect(errorOf(el, 'fee')).to.equal(undefined);
    await expect(el).to.be.accessible();
  });

  it('shows validation as you type after the first blur, blocks send and focuses the first invalid field', async () => {
    const s = await seed();
    const before = (await ok<{ items: unknown[] }>('GET', '/api/v1/envelopes', undefined, s.token)).items.length;
    const el = await mountComposing();
    // Passing through a required field without typing says nothing yet.
    field(el, 'customer_name').dispatchEvent(new FocusEvent('blur'));
    await el.updateComplete;
    expect(errorOf(el, 'customer_name')).to.equal(undefined);
    const contact = field(el, 'contact');
    await type(el, contact, 'zoe@', false);
    expect(errorOf(el, 'contact'), 'no message before the first blur').to.equal(undefined);
    contact.dispatchEvent(new FocusEvent('blur'));
    await el.updateComplete;
    expect(errorOf(el, 'contact')).to.equal('Must be an email address');
    expect(contact.getAttribute('aria-invalid')).to.equal('true');
    expect(contact.getAttribute('aria-describedby')).to.equal('var-contact-error');
    await type(el, contact, 'zoe@example.com', false);
    expect(errorOf(el, 'contact'), 'fixed while typing').to.equal(undefined);
    await type(el, field(el, 'seats'), '2.5');
    expect(errorOf(el, 'seats')).to.equal('Must be a whole number');
    await expect(el).to.be.accessible();

    $<HTMLButtonElement>(el, 'button.send')!.click();
    await until(() => errorOf(el, 'customer_name'), 'required messages');
    expect(errorOf(el, 'customer_name')).to.equal('Is required');
    expect(errorOf(el, 'fee')).to.equal('Is required');
    expect(text(el, '#rcp-0-name-error')).to.equal('Enter the recipient’s name');
    await until(() => active(el)?.id === 'var-customer_name', 'focus on the first invalid field');
    // customer_name, fee, start, plan and both recipients' names and emails (seats too: 2.5).
    expect(text(el, '.send-error')).to.equal('Check the highlighted fields: 9 to fix.');
    const after = (await ok<{ items: unknown[] }>('GET', '/api/v1/envelopes', undefined, s.token)).items.length;
    expect(after, 'nothing was sent').to.equal(before);
    await expect(el).to.be.accessible();
  });

  it('renders the preview again when a value changes, with the new value in the PDF', async () => {
    const el = await mountComposing({ mergeData: { customer_name: 'Ἀθηνᾶ' } });
    await until(() => renders(el) >= 1, 'the first preview', 20_000);
    expect($$(el, '.pages.front .page').length).to.be.greaterThan(0);
    expect(await pdfText($(el, '.pages.front')!.dataset['url']!)).to.contain('Ἀθηνᾶ');
    await type(el, field(el, 'customer_name'), 'Юлия Петрова');
    await until(() => renders(el) >= 2, 'the second preview', 20_000);
    expect(await pdfText($(el, '.pages.front')!.dataset['url']!)).to.contain('Юлия Петрова');
    await expect(el).to.be.accessible();
  });

  it('stamps typed values into the preview of a PDF template, and [Label] until one is typed', async () => {
    const s = await seed();
    const el = await mount({ templateId: s.pdfTemplate });
    await until(() => renders(el) >= 1, 'the first preview', 20_000);
    expect(await pdfText($(el, '.pages.front')!.dataset['url']!)).to.contain('[Serial number]');
    await type(el, field(el, 'serial'), 'SN-24680');
    await until(() => renders(el) >= 2, 'the second preview', 20_000);
    const shown = await pdfText($(el, '.pages.front')!.dataset['url']!);
    expect(shown).to.contain('SN-24680');
    expect(shown).not.to.contain('[Serial number]');
    await expect(el).to.be.accessible();
  });

  it('says what a patterned value looks like when one does not match', async () => {
    const s = await seed();
    const el = await mount({ templateId: s.pdfTemplate });
    await until(() => $(el, '[data-state="compose"]'), 'the composer');
    await type(el, field(el, 'serial'), 'SN-12');
    expect(errorOf(el, 'serial')).to.contain('like SN-12345');
    expect(field(el, 'serial').getAttribute('aria-invalid')).to.equal('true');
    await type(el, field(el, 'serial'), 'SN-12345');
    expect(errorOf(el, 'serial') ?? '').to.equal('');
    await expect(el).to.be.accessible();
  });

  it('keeps the old preview while the next renders and drops answers to older requests', async () => {
    const one = await fixtureFile({ pages: 1 });
    const three = await fixtureFile({ pages: 3 });
    const requests: Array<{ body: string; answer: (r: Response) => void }> = [];
    const restore = interceptFetch((url, init) => {
      if (!url.includes('/preview')) return undefined;
      return new Promise((answer) => requests.push({ body: String(init?.body), answer }));
    });
    try {
      const el = await mountComposing({ previewDelay: 0 });
      const pdf = (file: File) => new Response(file, { headers: { 'content-type': 'application/pdf' } });
      await until(() => requests.length === 1, 'the first request');
      requests[0]!.answer(pdf(one));
      await until(() => renders(el) === 1, 'the first preview');
      expect($$(el, '.pages.front .page')).to.have.length(1);

      await type(el, field(el, 'customer_name'), 'First');
      await until(() => requests.length === 2, 'the second request');
      await type(el, field(el, 'customer_name'), 'Second');
      await until(() => requests.length === 3, 'the third request');
      expect(JSON.parse(requests[2]!.body).mergeData.customer_name).to.equal('Second');
      // While the newest is pending the old preview stays on screen, marked as updating.
      expect($$(el, '.pages.front .page[data-rendered]')).to.have.length(1);
      expect(text(el, '.preview-status')).to.equal('Updating the preview…');
      requests[2]!.answer(pdf(one));
      await until(() => renders(el) === 2, 'the newest preview');
      // The answer to the older request arrives late: it is dropped.
      requests[1]!.answer(pdf(three));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(renders(el)).to.equal(2);
      expect($$(el, '.pages.front .page')).to.have.length(1);
    } finally {
      restore();
    }
  });

  it('asks for no new preview when an edit leaves the data as it was', async () => {
    const one = await fixtureFile({ pages: 1 });
    let requests = 0;
    const restore = interceptFetch((url) => {
      if (!url.includes('/preview')) return undefined;
      requests++;
      return Promise.resolve(new Response(one, { headers: { 'content-type': 'application/pdf' } }));
    });
    try {
      const el = await mountComposing({ previewDelay: 0 });
      await until(() => renders(el) === 1, 'the first preview');
      // An invalid value is left out of the preview, so the data it renders has not changed.
      await type(el, field(el, 'contact'), 'not-an-email');
      await type(el, $<HTMLInputElement>(el, '#rcp-0-name')!, 'Zoë');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(requests).to.equal(1);
      await type(el, field(el, 'contact'), 'zoe@example.com');
      await until(() => requests === 2, 'a preview for the new value');
    } finally {
      restore();
    }
  });

  it('reads amounts as typed in the locale', async () => {
    const el = await mountComposing({ locale: 'de-DE' });
    await type(el, field(el, 'fee'), '1.234,5');
    expect(text(el, '[data-key="fee"] .reads')).to.equal('Reads as 1.234,50 €');
    await type(el, field(el, 'fee'), '12,345');
    expect(errorOf(el, 'fee')).to.equal('Must have at most 2 decimals for EUR');
  });

  it('shows a preview failure as a message and a cs-error, and retries', async () => {
    let fail = true;
    const one = await fixtureFile({ pages: 1 });
    const restore = interceptFetch((url) => {
      if (!url.includes('/preview')) return undefined;
      return Promise.resolve(
        fail
          ? new Response(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }), {
              status: 404,
              headers: { 'content-type': 'application/problem+json' },
            })
          : new Response(one, { headers: { 'content-type': 'application/pdf' } }),
      );
    });
    try {
      const s = await seed();
      const wrapper = await fixture<HTMLDivElement>(html`<div></div>`);
      const errored = oneEvent(wrapper, 'cs-error');
      const el = document.createElement('cs-envelope-composer');
      Object.assign(el, { server: s.server, token: s.token, templateId: s.clausesTemplate, previewDelay: 0 });
      wrapper.append(el);
      const { detail } = await errored;
      expect(detail).to.include({ code: 'preview-failed', status: 404 });
      await el.updateComplete;
      expect(text(el, '.preview-error p')).to.equal('The preview could not be made: Not Found');
      expect($(el, '.preview-error')!.getAttribute('role')).to.equal('alert');
      await expect(el).to.be.accessible();
      fail = false;
      $<HTMLButtonElement>(el, '.preview-error button')!.click();
      await until(() => renders(el) === 1, 'the preview after retrying');
      expect($(el, '.preview-error')).to.equal(null);
    } finally {
      restore();
    }
  });

  it('shows a conditional clause only while its condition holds', async () => {
    const el = await mountComposing();
    const keys = () => $$(el, '.clause').map((c) => c.dataset['clause']);
    expect(keys()).not.to.include('large');
    // Details not filled in yet read as their label in brackets.
    expect(text(el, '[data-clause="scope"] .clause-body')).to.equal(
      'Services for [Customer name] on the [Plan] plan, for [Fee].',
    );
    await type(el, field(el, 'fee'), '6000');
    expect(keys()).to.include('large');
    expect(text(el, '.clauses > p')).to.match(/^\d of \d clauses apply$/);
    await type(el, field(el, 'fee'), '100');
    expect(keys()).not.to.include('large');
    // Merge values fill the clause text as text: markup stays visible characters.
    await type(el, field(el, 'customer_name'), '<img src=x onerror=alert(1)>');
    expect(text(el, '[data-clause="scope"] .clause-body')).to.contain(
      'Services for <img src=x onerror=alert(1)> on the',
    );
    expect($(el, '[data-clause="scope"] img')).to.equal(null);
  });

  it('marks locked clauses read-only and proposes a change to a library clause', async () => {
    const s = await seed();
    const el = await mountComposing();
    const locked = $(el, '[data-clause="liability"]')!;
    expect(locked.textContent).to.contain('Locked by legal');
    expect(locked.querySelector('button')).to.equal(null);
    const library = $$(el, '.clause').find((c) => c.textContent!.includes('Warranty'))!;
    expect($$(el, '[data-clause="scope"] button')).to.have.length(0);
    const propose = library.querySelector<HTMLButtonElement>('button.propose')!;
    expect(propose.textContent).to.contain('Propose a change');
    propose.click();
    const dialog = await until(() => $<HTMLDialogElement>(el, 'dialog.proposal[open]'), 'the dialog');
    expect(dialog.matches(':modal'), 'a modal dialog').to.equal(true);
    await expect(el).to.be.accessible();
    const textArea = dialog.querySelector<HTMLTextAreaElement>('#proposal-text')!;
    expect(textArea.value).to.equal('The provider warrants the services for twelve months.');
    textArea.value = 'The provider warrants the services for twenty-four months.';
    textArea.dispatchEvent(new Event('input'));
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await el.updateComplete;
    expect(text(el, '#proposal-comment-error')).to.equal('Tell legal why you propose this change.');
    const comment = dialog.querySelector<HTMLTextAreaElement>('#proposal-comment')!;
    expect(active(el)).to.equal(comment);
    comment.value = 'Customer asks for 24 months — Zoë';
    comment.dispatchEvent(new Event('input'));
    const submitted = oneEvent(el, 'cs-proposal-submit');
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    const { detail } = (await submitted) as CustomEvent<{ clauseId: string; proposalId: string }>;
    expect(detail.clauseId).to.equal(s.libraryClause);
    await until(() => !dialog.open, 'the dialog to close');
    const { items } = await ok<{ items: Array<{ id: string; body: string; comment: string }> }>(
      'GET',
      `/api/v1/clauses/${s.libraryClause}/proposals`,
    );
    const stored = items.find((p) => p.id === detail.proposalId)!;
    expect(stored.body).to.equal('The provider warrants the services for twenty-four months.');
    expect(stored.comment).to.equal('Customer asks for 24 months — Zoë');
    expect(library.textContent).to.contain('Change proposed to legal');
  });

  it('attaches a PDF, lists its pages, and removes it', async () => {
    const el = await mountComposing();
    attach(el, [await fixtureFile({ pages: 3 })]);
    const item = await until(() => $(el, '.attachment[data-status="ready"]'), 'the uploaded file');
    expect(item.querySelector('.name')!.textContent).to.equal('generated-3-pages.pdf');
    expect(item.querySelector('.meta')!.textContent!.trim()).to.equal('3 pages');
    await expect(el).to.be.accessible();
    const remove = item.querySelector<HTMLButtonElement>('button.remove')!;
    expect(remove.getAttribute('aria-label')).to.equal('Remove generated-3-pages.pdf');
    remove.click();
    await el.updateComplete;
    expect($$(el, '.attachment')).to.have.length(0);
    await until(() => active(el)?.matches('.choose-files'), 'focus back on the file picker');
  });

  it('takes files dropped on the drop zone', async () => {
    const el = await mountComposing();
    const zone = $(el, '.dropzone')!;
    const transfer = new DataTransfer();
    transfer.items.add(await fixtureFile({ pages: 1 }));
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    await el.updateComplete;
    expect(zone.classList.contains('dragging')).to.equal(true);
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    const item = await until(() => $(el, '.attachment[data-status="ready"]'), 'the dropped file');
    expect(item.querySelector('.meta')!.textContent!.trim()).to.equal('1 page');
    expect(zone.classList.contains('dragging')).to.equal(false);
  });

  it('shows why an encrypted PDF cannot be attached, on the file', async () => {
    const el = await mountComposing();
    const errors: CsErrorDetail[] = [];
    el.addEventListener('cs-error', (e) => errors.push(e.detail));
    attach(el, [await fixtureFile({ fixture: 'encrypted_new.pdf' })]);
    const detail = await until(() => errors.find((e) => e.code === 'upload-failed'), 'cs-error for the upload');
    expect(detail.code).to.equal('upload-failed');
    const item = await until(() => $(el, '.attachment[data-status="error"]'), 'the failed file');
    expect(item.querySelector('.name')!.textContent).to.equal('encrypted_new.pdf');
    expect(item.querySelector('.meta')!.textContent).to.match(/^\s*Could not attach: .*encrypt/i);
    await expect(el).to.be.accessible();
    attach(el, [new File(['hello'], 'notes.txt', { type: 'text/plain' })]);
    await until(() => $$(el, '.attachment[data-status="error"]').length === 2, 'the refused file');
    expect($$(el, '.attachment .meta')[1]!.textContent!.trim()).to.equal(
      'Only PDF, PNG and JPEG files can be attached.',
    );
  });

  it('has a recipient per role, ordered by the role order, prefilled from the host', async () => {
    const el = await mountComposing({
      recipients: [{ role: 'manager', name: 'محمد Al-Sayed', email: 'mo@example.com' }],
    });
    const rows = $$(el, 'fieldset.recipient');
    expect(rows.map((r) => r.dataset['role'])).to.deep.equal(['customer', 'manager']);
    expect(rows.map((r) => r.querySelector('.role')!.textContent)).to.deep.equal(['Customer', 'Account manager']);
    expect($<HTMLInputElement>(el, '#rcp-0-order')!.value).to.equal('1');
    expect($<HTMLInputElement>(el, '#rcp-1-order')!.value).to.equal('2');
    expect($<HTMLInputElement>(el, '#rcp-1-name')!.value).to.equal('محمد Al-Sayed');
    expect($<HTMLInputElement>(el, '#rcp-1-email')!.value).to.equal('mo@example.com');
    await type(el, $<HTMLInputElement>(el, '#rcp-1-order')!, '0');
    expect(text(el, '#rcp-1-order-error')).to.equal('Use a whole number from 1 to 100');
  });

  it('sends the envelope with exactly the data, recipients and attachments the form shows', async () => {
    const s = await seed();
    const el = await mountComposing({ mergeData: { crm_id: 'CRM-42' } });
    await fillValid(el, 'Zoë Łukasz-Müller <b>bold</b>', '6000');
    await choose(el, field(el, 'region'), 'jp');
    await choose(el, field(el, 'renew'), true);
    await type(el, $<HTMLInputElement>(el, '#rcp-1-order')!, '1');
    const sent = oneEvent(el, 'cs-envelope-sent');
    $<HTMLButtonElement>(el, 'button.send')!.click();
    const { detail } = (await sent) as CustomEvent<EnvelopeSentDetail>;
    expect(detail.title).to.equal('Service agreement');
    const envelope = await ok<Envelope>('GET', `/api/v1/envelopes/${detail.envelopeId}`, undefined, s.token);
    expect(envelope.status).to.equal('sent');
    expect(envelope.recipients.map(({ role, name, email, order }) => ({ role, name, email, order }))).to.deep.equal([
      { role: 'customer', name: 'Zoë Łukasz-Müller <b>bold</b>', email: 'zoe@example.com', order: 1 },
      { role: 'manager', name: '山田太郎', email: 'taro@example.com', order: 1 },
    ]);
    const audit = await ok<AuditTrail>('GET', `/api/v1/envelopes/${detail.envelopeId}/audit`);
    const created = audit.events.find((e) => e.type === 'envelope.created')!;
    const expected = {
      crm_id: 'CRM-42',
      customer_name: 'Zoë Łukasz-Müller <b>bold</b>',
      fee: 6000,
      start: '2027-01-15',
      contact: 'zoe@example.com',
      plan: 'premium',
      region: 'jp',
      renew: true,
    };
    expect(created.data!['mergeDataSha256']).to.equal(await sha256Hex(canonicalJson(expected)));
    // The confirmation shows the names as text, and "Send another" starts over.
    const confirmation = await until(() => $(el, '[data-state="sent"]'), 'the confirmation');
    expect(confirmation.textContent).to.contain(
      '“Service agreement” was sent to Zoë Łukasz-Müller <b>bold</b> and 山田太郎.',
    );
    expect(confirmation.querySelector('b')).to.equal(null);
    expect(active(el)).to.equal(confirmation);
    await expect(el).to.be.accessible();
    $<HTMLButtonElement>(el, 'button.another')!.click();
    await until(() => $(el, '[data-state="compose"]'), 'a new form');
    await el.updateComplete;
    expect(field(el, 'customer_name').value).to.equal('');
    expect(active(el)?.id).to.equal('var-customer_name');
  });

  it('sends the attached documents with the envelope, in order', async () => {
    const s = await seed();
    const el = await mountComposing();
    await fillValid(el);
    attach(el, [await fixtureFile({ pages: 2 }), await fixtureFile({ pages: 1 })]);
    await until(() => $$(el, '.attachment[data-status="ready"]').length === 2, 'the uploads');
    const outcome = new Promise<CustomEvent>((resolve) => {
      el.addEventListener('cs-envelope-sent', resolve, { once: true });
      el.addEventListener('cs-error', (e) => {
        if (e.detail.code !== 'preview-failed') resolve(e);
      });
    });
    $<HTMLButtonElement>(el, 'button.send')!.click();
    const event = await outcome;
    expect(event.type, text(el, '.send-error')).to.equal('cs-envelope-sent');
    const envelope = await ok<Envelope>(
      'GET',
      `/api/v1/envelopes/${(event.detail as EnvelopeSentDetail).envelopeId}`,
      undefined,
      s.token,
    );
    expect(envelope.attachments?.map((a) => [a.name, a.pages])).to.deep.equal([
      ['generated-2-pages.pdf', 2],
      ['generated-1-pages.pdf', 1],
    ]);
  });

  it('maps a 422 from the server onto its fields and keeps everything typed', async () => {
    const restore = interceptFetch((url, init) => {
      if (!url.endsWith('/api/v1/envelopes') || init?.method !== 'POST') return undefined;
      return Promise.resolve(
        new Response(
          JSON.stringify({
            type: 'https://countersign.dev/problems/invalid',
            title: 'The recipients or the merge data do not fit the template',
            status: 422,
            errors: [
              { path: 'mergeData.customer_name', message: 'Is not in the expected format' },
              { path: 'recipients.1.email', message: 'This address bounced last week' },
              { path: 'recipients', message: 'Role witness needs a recipient' },
            ],
          }),
          { status: 422, headers: { 'content-type': 'application/problem+json' } },
        ),
      );
    });
    try {
      const el = await mountComposing();
      await fillValid(el);
      const errored = oneEvent(el, 'cs-error');
      $<HTMLButtonElement>(el, 'button.send')!.click();
      const { detail } = await errored;
      expect(detail).to.include({ code: 'invalid', status: 422 });
      await el.updateComplete;
      expect(errorOf(el, 'customer_name')).to.equal('Is not in the expected format');
      expect(text(el, '#rcp-1-email-error')).to.equal('This address bounced last week');
      expect(text(el, '.send-error li')).to.equal('Role witness needs a recipient');
      expect(active(el)?.id).to.equal('var-customer_name');
      expect(field(el, 'customer_name').value).to.equal('Zoë Łukasz-Müller');
      expect($<HTMLInputElement>(el, '#rcp-1-name')!.value).to.equal('山田太郎');
      await expect(el).to.be.accessible();
      // Editing the field clears the server's message for it.
      await type(el, field(el, 'customer_name'), 'Zoë Ł. Müller');
      expect(errorOf(el, 'customer_name')).to.equal(undefined);
    } finally {
      restore();
    }
  });

  it('keeps everything typed when the network fails, and sends on retry', async () => {
    let offline = true;
    const restore = interceptFetch((url, init) => {
      if (!offline || !url.endsWith('/api/v1/envelopes') || init?.method !== 'POST') return undefined;
      return Promise.reject(new TypeError('Failed to fetch'));
    });
    try {
      const el = await mountComposing();
      await fillValid(el);
      const errored = oneEvent(el, 'cs-error');
      $<HTMLButtonElement>(el, 'button.send')!.click();
      expect((await errored).detail).to.include({ code: 'network', status: 0 });
      await el.updateComplete;
      expect(text(el, '.send-error')).to.equal(
        'The agreement was not sent: the server could not be reached. Nothing you typed is lost.',
      );
      expect(field(el, 'customer_name').value).to.equal('Zoë Łukasz-Müller');
      expect(field(el, 'contact').value).to.equal('zoe@example.com');
      await expect(el).to.be.accessible();
      offline = false;
      const sent = oneEvent(el, 'cs-envelope-sent');
      $<HTMLButtonElement>(el, 'button.send')!.click();
      expect((await sent).detail.envelopeId).to.match(/^env_/);
    } finally {
      restore();
    }
  });

  it('fills in a CRM record the host sets after the form is up', async () => {
    const el = await mountComposing();
    await type(el, field(el, 'contact'), 'typed@example.com');
    el.mergeData = { customer_name: 'Ἀθηνᾶ Παππά', fee: 250 };
    el.recipients = [{ role: 'manager', name: 'محمد', email: 'mo@example.com', order: 1 }];
    await el.updateComplete;
    expect(field(el, 'customer_name').value).to.equal('Ἀθηνᾶ Παππά');
    expect(field(el, 'fee').value).to.equal('250');
    expect(field(el, 'contact').value, 'what the agent typed stays').to.equal('typed@example.com');
    expect($<HTMLInputElement>(el, '#rcp-1-name')!.value).to.equal('محمد');
    expect($<HTMLInputElement>(el, '#rcp-1-order')!.value).to.equal('1');
    expect($<HTMLInputElement>(el, '#rcp-0-name')!.value).to.equal('');
  });

  it('shows a template that cannot be loaded as a message with a retry and a cs-error', async () => {
    const s = await seed();
    const wrapper = await fixture<HTMLDivElement>(html`<div></div>`);
    const errored = oneEvent(wrapper, 'cs-error');
    const el = document.createElement('cs-envelope-composer');
    Object.assign(el, { server: s.server, token: s.token, templateId: 'tpl_missing' });
    wrapper.append(el);
    expect((await errored).detail).to.include({ code: 'not-found', status: 404 });
    await el.updateComplete;
    expect(text(el, '[data-state="template-error"] h2')).to.equal('The template could not be loaded.');
    expect($(el, '[data-state="template-error"]')!.getAttribute('role')).to.equal('alert');
    await expect(el).to.be.accessible();
  });

  it('attaches a PNG photo as a one-page document', async () => {
    const el = await mountComposing();
    const canvas = Object.assign(document.createElement('canvas'), { width: 400, height: 300 });
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#c33';
    g.fillRect(0, 0, 400, 300);
    const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
    attach(el, [new File([blob], 'receipt.png', { type: 'image/png' })]);
    const item = await until(
      () => $<HTMLElement>(el, '.attachment:not([data-status="uploading"])'),
      'the upload to finish',
    );
    expect(item.dataset['status'], item.textContent ?? '').to.equal('ready');
    expect(item.querySelector('.meta')!.textContent!.trim()).to.equal('1 page');
  });

  it('shows unicode and script in values as text', async () => {
    const el = await mountComposing({
      mergeData: { customer_name: '<img src=x onerror=alert(1)>' },
      recipients: [{ role: 'customer', name: 'Ἀθηνᾶ <script>alert(1)</script>', email: 'a@example.com' }],
    });
    expect(field(el, 'customer_name').value).to.equal('<img src=x onerror=alert(1)>');
    expect($<HTMLInputElement>(el, '#rcp-0-name')!.value).to.equal('Ἀθηνᾶ <script>alert(1)</script>');
    expect($(el, '.clause-body img')).to.equal(null);
    expect(el.shadowRoot!.querySelector('script')).to.equal(null);
  });

  it('sends a PDF template from the template list by keyboard alone', async () => {
    const s = await seed();
    const el = await mount();
    await until(() => $$(el, 'button.template').length >= 2, 'templates');
    // Tab to the PDF template and choose it with Enter.
    const target = $<HTMLButtonElement>(el, `button.template[data-template-id="${s.pdfTemplate}"]`)!;
    for (let i = 0; i < 6 && active(el) !== target; i++) await sendKeys({ press: 'Tab' });
    expect(active(el)).to.equal(target);
    await sendKeys({ press: 'Enter' });
    await until(() => active(el)?.id === 'var-serial', 'the first field focused');
    await sendKeys({ type: 'SN-12345' });
    await sendKeys({ press: 'Enter' });
    expect(active(el)?.id).to.equal('rcp-0-name');
    await sendKeys({ type: 'Юлия Петрова' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ type: 'julia@example.com' });
    await sendKeys({ press: 'Enter' });
    expect(active(el)?.id).to.equal('rcp-0-order');
    await sendKeys({ press: 'Enter' });
    expect(active(el)?.id).to.equal('title');
    await sendKeys({ press: 'Enter' });
    expect(active(el)?.matches('button.send')).to.equal(true);
    const sent = oneEvent(el, 'cs-envelope-sent');
    await sendKeys({ press: 'Enter' });
    const { detail } = await sent;
    expect(detail.title).to.equal('Equipment return form');
    const envelope = await ok<Envelope>('GET', `/api/v1/envelopes/${detail.envelopeId}`, undefined, s.token);
    expect(envelope.recipients[0]).to.include({ name: 'Юлия Петрова', email: 'julia@example.com', role: 'customer' });
  });

  it('moves from any radio of a group to the next field with Enter', async () => {
    const el = await mountComposing();
    const premium = $<HTMLInputElement>(el, 'input[name="var-plan"][value="premium"]')!;
    premium.focus();
    await sendKeys({ press: 'Space' });
    await sendKeys({ press: 'Enter' });
    expect(active(el)?.id).to.equal('var-region');
  });

  it('works at 360px wide', async () => {
    await setViewport({ width: 360, height: 740 });
    const el = await mountComposing({ width: 360 });
    expect(el.scrollWidth).to.be.at.most(362);
    for (const button of $$(el, 'button.send, button.propose, .choose-files-label')) {
      expect(button.getBoundingClientRect().height, button.className).to.be.at.least(44);
    }
    await expect(el).to.be.accessible();
  });

  it('says so when it has no server or token', async () => {
    const el = await fixture<CsEnvelopeComposer>(html`<cs-envelope-composer></cs-envelope-composer>`);
    expect(text(el, '[data-state="unconfigured"] h2')).to.equal('The composer is not set up');
    await expect(el).to.be.accessible();
  });

  it('shows a failure to load the templates with a retry and a cs-error', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`<div></div>`);
    const errored = oneEvent(wrapper, 'cs-error');
    const el = document.createElement('cs-envelope-composer');
    Object.assign(el, { server: 'http://127.0.0.1:9', token: 'x' });
    wrapper.append(el);
    expect((await errored).detail.code).to.equal('network');
    await el.updateComplete;
    expect(text(el, '[data-state="templates-error"] h2')).to.equal('The templates could not be loaded.');
    expect($(el, '[data-state="templates-error"] button')!.textContent!.trim()).to.equal('Try again');
    await expect(el).to.be.accessible();
  });

  it('filters many templates with a search box', async () => {
    for (const name of [
      'Fibre broadband contract',
      'Mobile plan',
      'Data processing agreement',
      'Plan upgrade',
      'SIM swap',
    ]) {
      const t = await ok<{ id: string }>('POST', '/api/v1/templates', {
        name,
        source: { kind: 'clauses', title: name, clauses: [{ key: 'a', title: 'A', body: 'A.' }] },
        roles: [{ key: 'customer', action: 'sign' }],
      });
      await ok('POST', `/api/v1/templates/${t.id}/versions/1/publish`);
    }
    const el = await mount();
    const search = await until(() => $<HTMLInputElement>(el, 'input[type="search"]'), 'the search box');
    expect(search.labels![0]!.textContent!.trim()).to.equal('Search templates');
    await type(el, search, 'PLAN', false);
    expect($$(el, 'button.template .name').map((n) => n.textContent)).to.have.members(['Mobile plan', 'Plan upgrade']);
    await type(el, search, 'Юлия', false);
    expect(text(el, '.templates p[role="status"]')).to.equal('No template matches “Юлия”.');
    await expect(el).to.be.accessible();
  });
});
