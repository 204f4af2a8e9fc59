import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, type TemplateResult } from 'lit';
import { ref } from 'lit/directives/ref.js';
import {
  evaluateCondition,
  interpolate,
  type MergeData,
  type Template,
  type TemplateSummary,
  type TemplateVersion,
  type Variable,
} from '@countersign/core';
import '../packages/elements/src/envelope-composer/define.ts';
import { mockFetch, problemResponse } from './support/mock-fetch.ts';
import { pdfFile, pdfText } from './support/pdf.ts';
import type {
  CsEnvelopeComposer,
  RecipientInput,
} from '../packages/elements/src/envelope-composer/envelope-composer.ts';

/**
 * A pretend Countersign server inside the Storybook page, so the stories need no server: `fetch`
 * calls to MOCK_SERVER are answered from memory (everything else passes). The token names the
 * scenario: `ready`, `many`, `empty`, `loading`, `offline`, `preview-fails`, `rejects`.
 */
const MOCK_SERVER = 'https://composer.mock.countersign.test';

type Scenario = 'ready' | 'many' | 'empty' | 'loading' | 'offline' | 'preview-fails' | 'rejects';

const at = new Date(Date.UTC(2026, 10, 20, 9, 30)).toISOString();

const variables: Variable[] = [
  { key: 'customer_name', type: 'text', label: 'Customer name', required: true, help: 'As on their ID' },
  { key: 'fee', type: 'money', currency: 'EUR', label: 'Yearly fee', required: true, min: 0 },
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
  { key: 'renew', type: 'boolean', label: 'Renews automatically' },
];

const version: Omit<TemplateVersion, 'templateId'> = {
  version: 3,
  status: 'published',
  source: {
    kind: 'clauses',
    title: 'Service agreement',
    clauses: [
      {
        key: 'scope',
        title: 'Scope',
        body: 'The provider serves {{customer_name}} on the **{{plan}}** plan for {{fee}} a year from {{start}}.',
        locked: false,
      },
      {
        key: 'liability',
        title: 'Limitation of liability',
        body: 'Liability is limited to the fees paid in the twelve months before the claim.',
        locked: true,
      },
      {
        key: 'review',
        title: 'Large order review',
        body: 'Agreements above 5,000 a year are reviewed by legal before they take effect.',
        locked: true,
        condition: { '>': [{ var: 'fee' }, 5000] },
      },
      {
        key: 'warranty',
        title: 'Warranty',
        body: 'The provider warrants the services for twelve months.',
        locked: false,
        clauseId: 'cl_warranty',
        clauseVersion: 2,
      },
    ],
  },
  documentSha256: '0'.repeat(64),
  pages: 1,
  roles: [
    { key: 'customer', label: 'Customer', action: 'sign', order: 1 },
    { key: 'manager', label: 'Account manager', action: 'sign', order: 2 },
    { key: 'finance', label: 'Finance', action: 'view', order: 3 },
  ],
  fields: [],
  variables,
  createdAt: at,
  publishedAt: at,
};

const summary = (id: string, name: string): TemplateSummary => ({
  id,
  name,
  version: 3,
  status: 'published',
  latestPublishedVersion: 3,
  createdAt: at,
  updatedAt: at,
});

const TEMPLATES = [
  summary('tpl_service', 'Service agreement'),
  summary('tpl_return', 'Equipment return form'),
  summary('tpl_upgrade', 'Plan upgrade'),
];
const MANY = [
  ...TEMPLATES,
  ...[
    'Fibre broadband contract',
    'Mobile SIM-only plan',
    'Business continuity addendum',
    'Data processing agreement',
  ].map((name, i) => summary(`tpl_more_${i}`, name)),
];

/** A one-page PDF that prints the clauses that apply with the merge data (ASCII only: it is a mock). */
function previewPdf(data: MergeData): string {
  const source = version.source as Extract<TemplateVersion['source'], { kind: 'clauses' }>;
  const lines: string[] = ['BT /F1 20 Tf 72 720 Td (Service agreement) Tj ET'];
  let y = 680;
  source.clauses
    .filter((c) => evaluateCondition(c.condition, data))
    .forEach((c, i) => {
      lines.push(`BT /F1 12 Tf 72 ${y} Td (${i + 1}. ${pdfText(c.title)}) Tj ET`);
      const body = interpolate(c.body.replace(/\*\*/g, ''), data, variables);
      for (const part of body.match(/.{1,80}(\s|$)/g) ?? []) {
        y -= 16;
        lines.push(`BT /F1 10 Tf 90 ${y} Td (${pdfText(part.trim())}) Tj ET`);
      }
      y -= 28;
    });
  const stream = lines.join('\n');
  return pdfFile([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [4 0 R] /Count 1 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
  ]);
}

const problem = (status: number, title: string, errors?: Array<{ path: string; message: string }>) =>
  problemResponse(status, title, { errors });

let envelopes = 0;

function installMock(): void {
  mockFetch(MOCK_SERVER, async (url, init) => {
    const auth = new Headers(init?.headers).get('authorization');
    const scenario = (auth?.replace(/^Bearer /, '') ?? 'ready') as Scenario;
    const method = init?.method ?? 'GET';
    const path = url.pathname.replace('/api/v1', '');
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (scenario === 'loading') return new Promise<Response>(() => undefined);
    if (scenario === 'offline' && !(method === 'GET' && path.startsWith('/templates'))) {
      throw new TypeError('Failed to fetch');
    }
    if (path === '/templates') {
      return Response.json({ items: scenario === 'many' ? MANY : scenario === 'empty' ? [] : TEMPLATES });
    }
    const template = /^\/templates\/([^/]+)$/.exec(path);
    if (template) {
      const found = MANY.find((t) => t.id === template[1]) ?? TEMPLATES[0]!;
      return Response.json({ ...found, versions: [version] } satisfies Template);
    }
    if (path.endsWith('/preview')) {
      if (scenario === 'preview-fails') return problem(503, 'The renderer is busy; try again shortly');
      const { mergeData } = JSON.parse(String(init?.body)) as { mergeData: MergeData };
      return new Response(previewPdf(mergeData), { headers: { 'content-type': 'application/pdf' } });
    }
    if (path === '/documents') {
      const file = (init?.body as FormData).get('file') as File;
      if (/encrypt/i.test(file.name)) {
        return problem(422, 'The PDF is encrypted; upload a copy without a password', [
          { path: 'file', message: 'encrypted' },
        ]);
      }
      return Response.json({ id: `doc_${file.name}`, name: file.name, sha256: '0'.repeat(64), pages: 2 });
    }
    if (path.endsWith('/proposals') && method === 'POST') return Response.json({ id: 'prp_1' }, { status: 201 });
    if (path === '/envelopes' && method === 'POST') {
      if (scenario === 'rejects') {
        return problem(422, 'The recipients or the merge data do not fit the template', [
          { path: 'mergeData.contact', message: 'This address bounced last week' },
          { path: 'recipients', message: 'Role witness needs a recipient' },
        ]);
      }
      const body = JSON.parse(String(init?.body)) as { title: string };
      return Response.json({ id: `env_${++envelopes}`, title: body.title, status: 'sent' }, { status: 201 });
    }
    return problem(404, 'Not found');
  });
}

interface Args {
  scenario: Scenario;
  templateId: string;
  width: string;
  locale: string;
}

/** A CRM record the host prefills from. */
const CRM: { mergeData: MergeData; recipients: RecipientInput[] } = {
  mergeData: { customer_name: 'Zoë Łukasz-Müller', fee: 6000, start: '2027-01-15', contact: 'zoe@example.com' },
  recipients: [
    { role: 'customer', name: 'Zoë Łukasz-Müller', email: 'zoe@example.com' },
    { role: 'manager', name: '山田太郎', email: 'taro@example.com' },
  ],
};

const composer = (
  { scenario, templateId, width, locale }: Args,
  options: { prefill?: boolean; style?: string; then?: (el: CsEnvelopeComposer) => void } = {},
): TemplateResult => {
  installMock();
  let done = false;
  const onReady = (el: Element | undefined) => {
    if (!el || done || !options.then) return;
    done = true;
    const composerEl = el as CsEnvelopeComposer;
    const wait = () =>
      composerEl.shadowRoot?.querySelector('[data-state="compose"]')
        ? options.then!(composerEl)
        : setTimeout(wait, 100);
    wait();
  };
  return html`<div style="max-width:${width}">
    <cs-envelope-composer
      ${ref(onReady)}
      server=${MOCK_SERVER}
      token=${scenario}
      template-id=${templateId}
      locale=${locale}
      style=${options.style ?? ''}
      .mergeData=${options.prefill ? CRM.mergeData : {}}
      .recipients=${options.prefill ? CRM.recipients : []}
    ></cs-envelope-composer>
  </div>`;
};

const clickSend = (el: CsEnvelopeComposer) => el.shadowRoot!.querySelector<HTMLButtonElement>('button.send')!.click();

/** Picks the plan (the one required detail the CRM record lacks), then sends. */
const completeAndSend = (el: CsEnvelopeComposer) => {
  el.shadowRoot!.querySelector<HTMLInputElement>('input[name="var-plan"][value="premium"]')!.click();
  setTimeout(() => clickSend(el), 400);
};

/**
 * The agent's composer: choose a published template, fill in its typed details, see the clauses
 * that apply and the rendered preview, attach documents, add recipients per role and send. Enter
 * walks the fields to Send; the host prefills from its CRM record with `mergeData` and `recipients`.
 */
const meta: Meta<Args> = {
  title: 'Elements/Envelope composer',
  component: 'cs-envelope-composer',
  args: { scenario: 'ready', templateId: 'tpl_service', width: '72rem', locale: 'en' },
  argTypes: {
    scenario: {
      control: 'select',
      options: ['ready', 'many', 'empty', 'loading', 'offline', 'preview-fails', 'rejects'],
    },
  },
  render: (args) => composer(args),
};
export default meta;

type Story = StoryObj<Args>;

/** No `template-id`: the agent picks one of the published templates. */
export const ChooseTemplate: Story = { args: { templateId: '' } };
/** With many templates a search box filters them. */
export const ManyTemplates: Story = { args: { templateId: '', scenario: 'many' } };
export const NoTemplates: Story = { args: { templateId: '', scenario: 'empty' } };
export const Loading: Story = { args: { scenario: 'loading' } };
export const NotConfigured: Story = { render: () => html`<cs-envelope-composer></cs-envelope-composer>` };
/** An empty form for the chosen template, first field focused. */
export const Compose: Story = {};
/** Prefilled from the host's CRM record: the large-order clause applies (fee above 5,000). */
export const PrefilledFromCrm: Story = { render: (args) => composer(args, { prefill: true }) };
/** Send pressed on an empty form: every problem shown at its field, focus on the first. */
export const ValidationErrors: Story = { render: (args) => composer(args, { then: clickSend }) };
export const PreviewFails: Story = {
  args: { scenario: 'preview-fails' },
  render: (args) => composer(args, { prefill: true }),
};
/** The server answered 422: its errors are shown at the fields they name. */
export const ServerRejects: Story = {
  args: { scenario: 'rejects' },
  render: (args) => composer(args, { prefill: true, then: completeAndSend }),
};
/** The network failed on send: the message says nothing typed is lost. */
export const Offline: Story = {
  args: { scenario: 'offline' },
  render: (args) => composer(args, { prefill: true, then: completeAndSend }),
};
/** After sending: a confirmation with "Send another". */
export const Sent: Story = { render: (args) => composer(args, { prefill: true, then: completeAndSend }) };
export const Phone: Story = { args: { width: '360px' }, render: (args) => composer(args, { prefill: true }) };

/** Dark mode and a brand colour: a few custom properties. */
export const DarkBrand: Story = {
  render: (args) =>
    html`<div style="background:#0d1117;padding:1rem">
      ${composer(args, {
        prefill: true,
        style: '--cs-surface:#161b22;--cs-text:#e6edf3;--cs-accent:#4c8dff;--cs-accent-contrast:#0d1117',
      })}
    </div>`,
};

/** Every `cs-*` event the composer fires, as a host would hear it. */
export const Events: Story = {
  render: (args) => {
    const log = (event: Event) => {
      const pre = document.querySelector('#cs-composer-events');
      if (pre) pre.textContent = `${event.type} ${JSON.stringify((event as CustomEvent).detail)}\n${pre.textContent}`;
    };
    return html`<div @cs-envelope-sent=${log} @cs-proposal-submit=${log} @cs-error=${log}>
      ${composer(args, { prefill: true })}
      <pre id="cs-composer-events" style="font-size:12px;white-space:pre-wrap"></pre>
    </div>`;
  },
};
