import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, type TemplateResult } from 'lit';
import type { Clause, Condition, Variable } from '@countersign/core';
import '../packages/elements/src/template-builder/clause-document-editor.ts';
import '../packages/elements/src/template-builder/variables-editor.ts';
import '../packages/elements/src/internal/condition-input.ts';
import { mockFetch, problemResponse } from './support/mock-fetch.ts';
import { pdfFile, pdfText } from './support/pdf.ts';
import type {
  ClausesSource,
  CsClauseDocumentEditor,
} from '../packages/elements/src/template-builder/clause-document-editor.ts';
import { eventLog, logEvent } from './support/event-log.ts';

/**
 * A pretend clause library and preview endpoint inside the Storybook page, so the stories need no
 * server: `fetch` calls to MOCK_SERVER are answered here (everything else passes). The token
 * picks a failure: `offline` (nothing answers), `no-preview` (the preview is refused).
 */
const MOCK_SERVER = 'https://builder.mock.countersign.test';

const at = new Date(Date.UTC(2026, 10, 20, 9, 30)).toISOString();
const LEGAL = { kind: 'user' as const, id: 'u_legal', name: 'Zoë Łukasz-Müller', role: 'legal' };

function clause(id: string, key: string, title: string, body: string, extra: Partial<Clause> = {}): Clause {
  return {
    id,
    key,
    title,
    body,
    version: 2,
    status: 'published',
    locked: false,
    variables: [...body.matchAll(/\{\{\s*([\w.-]+)\s*\}\}/g)].map((m) => m[1]!),
    createdAt: at,
    createdBy: LEGAL,
    latestPublishedVersion: 2,
    versionCount: 2,
    updatedAt: at,
    ...extra,
  };
}

const LIBRARY: Clause[] = [
  clause(
    'cl_conf',
    'confidentiality',
    'Confidentiality',
    "Each party keeps the other's **confidential** information secret for *{{term_years}}* years after the end of this agreement.",
  ),
  clause(
    'cl_liab',
    'liability_cap',
    'Limitation of liability',
    'Liability is capped at {{fee}} per year.\n\n1. Direct damages only\n2. No **indirect** or consequential damages',
    { locked: true },
  ),
  clause('cl_sla', 'premium_support', 'Premium support', 'Support answers within one hour, around the clock.', {
    condition: { '==': [{ var: 'tier' }, 'premium'] },
  }),
  clause('cl_draft', 'data_residency', 'Data residency', 'Data stays in {{region}}.', {
    status: 'draft',
    version: 1,
    latestPublishedVersion: null,
    versionCount: 1,
  }),
  clause(
    'cl_names',
    'notices',
    'Notices — Ἀθηνᾶ, 山田太郎, محمد',
    'Notices go to <img src=x onerror=alert(1)> in writing.',
  ),
];

const VARIABLES: Variable[] = [
  { key: 'client_name', label: 'Client', type: 'text', required: true },
  { key: 'fee', label: 'Annual fee', type: 'money', currency: 'EUR', min: 0 },
  { key: 'term_years', label: 'Term (years)', type: 'number', integer: true, min: 1, max: 10 },
  {
    key: 'tier',
    label: 'Service tier',
    type: 'enum',
    options: [
      { value: 'basic', label: 'Basic' },
      { value: 'premium', label: 'Premium' },
    ],
  },
  { key: 'start_date', label: 'Start date', type: 'date' },
  { key: 'auto_renew', label: 'Renews automatically', type: 'boolean' },
];

const SOURCE: ClausesSource = {
  kind: 'clauses',
  title: 'Master services agreement',
  parties: [
    { label: 'Provider', lines: ['Northwind Traders GmbH', 'Berlin'] },
    { label: 'Customer', lines: ['{{client_name}}'] },
  ],
  clauses: [
    {
      key: 'services',
      title: 'Services',
      body: 'The provider delivers the **{{tier}}** services from {{start_date}}.',
    },
    { clauseId: 'cl_liab' },
    { clauseId: 'cl_sla' },
    {
      key: 'renewal',
      title: 'Renewal',
      body: 'This agreement renews for another year unless either party gives notice:\n\n- in writing\n- 30 days ahead',
      locked: true,
      condition: { '==': [{ var: 'auto_renew' }, true] },
    },
  ],
};

/** A one-page PDF showing `lines` (Helvetica, so Latin-1 only; other characters print as "?"). */
function samplePdf(lines: string[]): Blob {
  const text = lines
    .map((line, i) => `BT /F1 ${i === 0 ? 18 : 11} Tf 56 ${780 - i * 22} Td (${pdfText(line)}) Tj ET`)
    .join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
  ];
  return new Blob([pdfFile(objects)], { type: 'application/pdf' });
}

const problem = (status: number, title: string, detail: string) => problemResponse(status, title, { detail });

function install(): void {
  mockFetch(MOCK_SERVER, async (url, init) => {
    const token = new Headers(init?.headers).get('authorization')?.replace(/^Bearer /, '');
    await new Promise((resolve) => setTimeout(resolve, 120));
    if (token === 'offline') throw new TypeError('Failed to fetch');
    const path = url.pathname.replace(/^\/api\/v1/, '');
    if (path === '/clauses') {
      const search = url.searchParams.get('search')?.toLowerCase() ?? '';
      const items = LIBRARY.filter((c) => `${c.key} ${c.title} ${c.body}`.toLowerCase().includes(search));
      return Response.json({ items });
    }
    const one = path.match(/^\/clauses\/([^/]+)$/);
    if (one) {
      const found = LIBRARY.find((c) => c.id === decodeURIComponent(one[1]!));
      return found ? Response.json(found) : problem(404, 'Not found', 'No such clause');
    }
    if (path === '/previews' && init?.method === 'POST') {
      if (token === 'no-preview') return problem(403, 'Forbidden', 'Only legal and admins may preview drafts.');
      const { source, mergeData } = JSON.parse(String(init.body)) as {
        source: ClausesSource;
        mergeData: Record<string, unknown>;
      };
      const lines = [
        source.title,
        ...Object.entries(mergeData).map(([k, v]) => `${k}: ${String(v)}`),
        ...source.clauses.map(
          (c, i) => `${i + 1}. ${'title' in c ? c.title : LIBRARY.find((l) => l.id === c.clauseId)?.title}`,
        ),
      ];
      return new Response(samplePdf(lines), { headers: { 'content-type': 'application/pdf' } });
    }
    return problem(404, 'Not found', path);
  });
}

interface Args {
  token: string;
  source: ClausesSource;
  variables: Variable[];
}

const editor = (args: Args): TemplateResult => {
  install();
  return html`<cs-clause-document-editor
    server=${MOCK_SERVER}
    token=${args.token}
    .source=${structuredClone(args.source)}
    .variables=${args.variables}
  ></cs-clause-document-editor>`;
};

/** Waits for the editor in the story to exist, then runs `then` on it. */
const withEditor =
  (then: (el: CsClauseDocumentEditor) => Promise<void> | void) =>
  async ({ canvasElement }: { canvasElement: HTMLElement }) => {
    await customElements.whenDefined('cs-clause-document-editor');
    const el = canvasElement.querySelector('cs-clause-document-editor')!;
    await el.updateComplete;
    await then(el);
  };

const meta: Meta<Args> = {
  title: 'Template builder/Clause document editor',
  component: 'cs-clause-document-editor',
  args: { token: 'legal', source: SOURCE, variables: VARIABLES },
  render: editor,
};
export default meta;
type Story = StoryObj<Args>;

/** A document with written clauses, library clauses (one locked, one conditioned in the library) and parties. */
export const Document: Story = {};

/** A new document: nothing yet but the library to pick from. */
export const Empty: Story = { args: { source: { kind: 'clauses', title: '', clauses: [] } } };

/** The PDF preview rendered with sample values generated from the variables' types. */
export const Preview: Story = { play: withEditor((el) => el.renderPreview()) };

/** The server refuses the preview: a visible message, a retry, and `cs-error`. */
export const PreviewRefused: Story = { args: { token: 'no-preview' }, play: withEditor((el) => el.renderPreview()) };

/** The library cannot be reached. */
export const LibraryOffline: Story = { args: { token: 'offline' } };

/** Problems with written clauses: an empty text, a key another clause uses, a variable the template lacks. */
export const Problems: Story = {
  args: {
    source: {
      kind: 'clauses',
      title: 'MSA',
      clauses: [
        { clauseId: 'cl_conf' },
        { key: 'confidentiality', title: 'Confidentiality (local)', body: '' },
        { key: 'region', title: 'Region', body: 'Hosted in {{region}}.' },
      ],
    },
  },
};

/** Names in any script and markup in text print as text. */
export const UnicodeAndScript: Story = {
  args: {
    source: {
      kind: 'clauses',
      title: 'Договор — Юлия',
      clauses: [
        { clauseId: 'cl_names' },
        { key: 'who', title: 'محمد <b>bold?</b>', body: '<script>alert(1)</script>' },
      ],
    },
  },
};

/** On a phone: everything in one column. */
export const Narrow: Story = {
  render: (args) => html`<div style="max-width: 360px">${editor(args)}</div>`,
};

/** Brand colour, dark surface and rounder corners through the custom properties. */
export const Theming: Story = {
  render: (args) =>
    html`<div
      style="background:#14181f;padding:1rem;--cs-surface:#1d232d;--cs-text:#e8ecf2;--cs-accent:#f0a020;--cs-accent-contrast:#14181f;--cs-radius:14px;--cs-danger:#ff8a80"
    >
      ${editor(args)}
    </div>`,
};

/** Every `cs-source-change` and `cs-error` in the Actions panel, and in the log above. */
export const Events: Story = {
  parameters: { actions: { handles: ['cs-source-change', 'cs-condition-change', 'cs-error'] } },
  render: (args) => {
    const log = (event: Event) => logEvent(event, 8);
    return html`<div @cs-source-change=${log} @cs-error=${log}>${eventLog} ${editor(args)}</div>`;
  },
};

// The two inputs the editor and the builder share.

const condition = (value: Condition | undefined, variables = VARIABLES) =>
  html`<cs-condition-input
    label="Include this clause"
    .variables=${variables}
    .value=${value}
    style="max-width: 44rem"
  ></cs-condition-input>`;

/** `<cs-condition-input>` with no condition: always included. */
export const ConditionAlways: Story = { render: () => condition(undefined) };

/** `<cs-condition-input>` with "any of" simple rules. */
export const ConditionRules: Story = {
  render: () =>
    condition({
      or: [{ '>=': [{ var: 'fee' }, 5000] }, { in: [{ var: 'tier' }, ['premium']] }],
    }),
};

/** `<cs-condition-input>` with a rule only JSON can show. */
export const ConditionAdvanced: Story = {
  render: () => condition({ and: [{ '==': [{ var: 'tier' }, 'premium'] }, { '!': { var: 'auto_renew' } }] }),
};

/** `<cs-condition-input>` with JSON that is not a valid rule. */
export const ConditionInvalid: Story = {
  render: () => condition({ method: ['x'] }),
};

const variablesEditor = (variables: Variable[]) =>
  html`<cs-variables-editor .variables=${variables} style="max-width: 48rem"></cs-variables-editor>`;

/** `<cs-variables-editor>` with one variable of each kind of constraint. */
export const Variables: Story = { render: () => variablesEditor(VARIABLES) };

/** `<cs-variables-editor>` with nothing yet. */
export const VariablesEmpty: Story = { render: () => variablesEditor([]) };

/** `<cs-variables-editor>` showing its problems: a duplicate key, a bad key, min above max, no options. */
export const VariablesProblems: Story = {
  render: () =>
    variablesEditor([
      { key: 'fee', type: 'money', currency: 'EUR', min: 500, max: 100 },
      { key: 'fee', type: 'text' },
      { key: 'start date', type: 'date' },
      { key: 'tier', type: 'enum', options: [] },
    ]),
};
