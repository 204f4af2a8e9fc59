import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, type TemplateResult } from 'lit';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type {
  Clause,
  Template,
  TemplateField,
  TemplateRole,
  TemplateVersion,
  UploadedDocument,
} from '@countersign/core';
import '../packages/elements/src/template-builder/define.ts';
import { mockFetch, problemResponse } from './support/mock-fetch.ts';
import type { CsTemplateBuilder } from '../packages/elements/src/template-builder/template-builder.ts';

/**
 * A pretend template API inside the Storybook page, so the stories need no server: `fetch`
 * calls to MOCK_SERVER are answered here from an in-memory store (everything else passes).
 * Template ids pick a state; the token `offline` makes nothing answer.
 */
const MOCK_SERVER = 'https://template-builder.mock.countersign.test';
const DOC_ID = 'doc_msa';
const at = new Date(Date.UTC(2026, 10, 20, 9, 30)).toISOString();

const ROLES: TemplateRole[] = [
  { key: 'customer', label: 'Customer', action: 'sign' },
  { key: 'manager', label: 'Юлия (approver)', action: 'approve' },
];

const FIELDS: TemplateField[] = [
  {
    id: 'sig',
    type: 'signature',
    role: 'customer',
    page: 1,
    x: 0.1,
    y: 0.74,
    width: 0.3,
    height: 0.06,
    required: true,
  },
  {
    id: 'date',
    type: 'date_signed',
    role: 'customer',
    page: 1,
    x: 0.55,
    y: 0.77,
    width: 0.2,
    height: 0.03,
    required: true,
  },
  {
    id: 'name',
    type: 'text',
    role: 'customer',
    page: 1,
    x: 0.1,
    y: 0.84,
    width: 0.3,
    height: 0.03,
    required: true,
    label: '山田太郎 <img src=x onerror=alert(1)>',
    key: 'customer_name',
  },
  { id: 'ok', type: 'initials', role: 'manager', page: 1, x: 0.8, y: 0.9, width: 0.1, height: 0.05, required: true },
];

function version(n: number, status: 'draft' | 'published', templateId: string): TemplateVersion {
  return {
    templateId,
    version: n,
    status,
    source: { kind: 'pdf', documentId: DOC_ID },
    documentSha256: '0'.repeat(64),
    pages: 3,
    roles: ROLES.map((r, i) => ({ ...r, order: i + 1 })),
    fields: FIELDS,
    variables: [{ key: 'fee', type: 'money', currency: 'EUR', label: 'Monthly fee' }],
    createdAt: at,
    ...(status === 'published' ? { publishedAt: at } : {}),
  };
}

/** What an upload answers: the document, with two AcroForm fields the builder offers to place. */
const UPLOADED: UploadedDocument = {
  id: DOC_ID,
  name: 'msa.pdf',
  sha256: '0'.repeat(64),
  pages: 3,
  size: 1000,
  createdAt: at,
  sourceType: 'pdf',
  originalSize: 1000,
  formFields: [
    {
      name: 'Customer name',
      type: 'text',
      pdfType: 'Tx',
      page: 1,
      x: 0.1,
      y: 0.3,
      width: 0.4,
      height: 0.03,
      required: true,
    },
    {
      name: 'Agree',
      type: 'checkbox',
      pdfType: 'Btn',
      page: 1,
      x: 0.1,
      y: 0.36,
      width: 0.03,
      height: 0.025,
      required: false,
    },
  ],
};

/** One published library clause, for the template composed from clauses. */
const SUPPORT: Clause = {
  id: 'cl_support',
  key: 'premium_support',
  title: 'Premium support',
  body: 'Support answers within **one hour**, around the clock, for {{fee}} a month.',
  version: 1,
  status: 'published',
  locked: false,
  variables: ['fee'],
  createdAt: at,
  createdBy: { kind: 'user', id: 'u_legal', name: 'Zoë Łukasz-Müller', role: 'legal' },
  latestPublishedVersion: 1,
  versionCount: 1,
  updatedAt: at,
};

const store = new Map<string, TemplateVersion[]>();
function seed(): void {
  store.set('tpl_draft', [version(1, 'draft', 'tpl_draft')]);
  store.set('tpl_published', [version(1, 'published', 'tpl_published')]);
  store.set('tpl_history', [version(1, 'published', 'tpl_history'), version(2, 'draft', 'tpl_history')]);
  store.set('tpl_publish_fails', [version(1, 'draft', 'tpl_publish_fails')]);
  store.set('tpl_clauses', [
    {
      ...version(1, 'draft', 'tpl_clauses'),
      source: {
        kind: 'clauses',
        title: 'Support agreement',
        clauses: [
          {
            key: SUPPORT.key,
            title: SUPPORT.title,
            body: SUPPORT.body,
            locked: false,
            clauseId: SUPPORT.id,
            clauseVersion: 1,
          },
          { key: 'term', title: 'Term', body: 'This agreement runs for twelve months.', locked: true },
        ],
      },
      fields: [],
    },
  ]);
}
seed();

let pdf: Promise<Uint8Array<ArrayBuffer>> | undefined;
/** A three-page agreement made with pdf-lib, in the browser. */
function makePdf(): Promise<Uint8Array<ArrayBuffer>> {
  pdf ??= (async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    for (let i = 1; i <= 3; i++) {
      const page = doc.addPage([612, 792]);
      page.drawText(`Master services agreement — page ${i} of 3`, { x: 72, y: 720, size: 16, font });
      for (let line = 0; line < 30; line++) {
        page.drawText(`${i}.${line + 1} The supplier provides the services described in schedule ${i}.`, {
          x: 72,
          y: 690 - line * 16,
          size: 10,
          font,
        });
      }
    }
    return new Uint8Array(await doc.save());
  })();
  return pdf;
}

const problem = (status: number, title: string, detail?: string, errors?: Array<{ path: string; message: string }>) =>
  problemResponse(status, title, { detail, errors });

function templateOf(id: string): Template {
  const versions = store.get(id)!;
  const latest = versions.at(-1)!;
  return {
    id,
    name: 'Master services agreement',
    version: latest.version,
    status: latest.status,
    latestPublishedVersion: versions.filter((v) => v.status === 'published').at(-1)?.version ?? null,
    createdAt: at,
    updatedAt: at,
    versions: versions.map(({ templateId: _id, ...v }) => v),
  };
}

function installMock(): void {
  mockFetch(MOCK_SERVER, async (url, init) => {
    const auth = new Headers(init?.headers).get('authorization');
    if (auth === 'Bearer offline') throw new TypeError('Failed to fetch');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const method = init?.method ?? 'GET';
    const path = url.pathname.replace('/api/v1', '');
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : {};
    if (path === `/documents/${DOC_ID}/content`) {
      return new Response(await makePdf(), { headers: { 'content-type': 'application/pdf' } });
    }
    if (path === '/documents' && method === 'POST') return Response.json(UPLOADED, { status: 201 });
    if (path === `/documents/${DOC_ID}`) return Response.json(UPLOADED);
    if (path === '/clauses') return Response.json({ items: [SUPPORT] });
    if (path === `/clauses/${SUPPORT.id}`) return Response.json(SUPPORT);
    if (path === '/templates' && method === 'POST') {
      store.set('tpl_new', [{ ...version(1, 'draft', 'tpl_new'), ...(body as Partial<TemplateVersion>) }]);
      return Response.json(templateOf('tpl_new'), { status: 201 });
    }
    const match = path.match(/^\/templates\/([^/]+)(?:\/versions(?:\/(\d+)(\/publish)?)?)?$/);
    const versions = match && store.get(match[1]!);
    if (!match || !versions) return problem(404, 'Not found', 'No such template');
    const id = match[1]!;
    const n = match[2] ? Number(match[2]) : undefined;
    if (n === undefined && path.endsWith('/versions')) {
      if (method === 'POST') {
        const next = { ...versions.at(-1)!, version: versions.length + 1, status: 'draft' as const };
        versions.push(next);
        return Response.json(next, { status: 201 });
      }
      return Response.json({ items: versions });
    }
    if (n === undefined) return Response.json(templateOf(id));
    const v = versions.find((x) => x.version === n);
    if (!v) return problem(404, 'Not found', 'No such version');
    if (match[3]) {
      if (id === 'tpl_publish_fails') {
        return problem(422, 'The template is not valid', 'Version 1 cannot be published', [
          { path: 'fields.0.role', message: 'Role customer has no signature field on the last page' },
        ]);
      }
      v.status = 'published';
      return Response.json(v);
    }
    if (method === 'PATCH') Object.assign(v, body);
    return Response.json(v);
  });
}

interface Args {
  templateId: string;
  token: string;
  width: string;
  locale: string;
}

const render = ({ templateId, token, width, locale }: Args, style = ''): TemplateResult => {
  installMock();
  return html`<div style="max-width:${width}">
    <cs-template-builder
      server=${MOCK_SERVER}
      token=${token}
      template-id=${templateId || undefined}
      locale=${locale}
      style="--cs-viewer-height:560px;${style}"
    ></cs-template-builder>
  </div>`;
};

/** Runs after the story renders: `fn` gets the builder once it has loaded its template. */
const withBuilder =
  (fn: (el: CsTemplateBuilder) => unknown) =>
  async ({ canvasElement }: { canvasElement: HTMLElement }) => {
    const el = canvasElement.querySelector('cs-template-builder')!;
    for (let i = 0; i < 100 && !el.shadowRoot?.querySelector('.page'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await fn(el);
  };

/**
 * Legal's template builder. Upload a PDF (or open a template by `template-id`), drag fields
 * from the palette onto the pages, move them by mouse, touch or arrow keys (Shift resizes, Alt
 * takes 1/1000 steps and turns snapping off), assign each to a role, then save and publish.
 * Published versions are read-only; "New draft from latest" opens the next version.
 */
const meta: Meta<Args> = {
  title: 'Elements/Template builder',
  component: 'cs-template-builder',
  args: { templateId: 'tpl_draft', token: 'legal', width: '1200px', locale: 'en' },
  argTypes: {
    templateId: {
      control: 'select',
      options: ['', 'tpl_draft', 'tpl_published', 'tpl_history', 'tpl_publish_fails', 'tpl_clauses', 'tpl_missing'],
    },
    token: { control: 'select', options: ['legal', 'offline'] },
    width: { control: 'select', options: ['1200px', '800px', '360px'] },
  },
  render: (args) => render(args),
};
export default meta;
type Story = StoryObj<Args>;

/** No template yet: drop a PDF or choose one (the story's mock accepts any PDF). */
export const Empty: Story = { args: { templateId: '' } };

/** A draft with fields for two roles; every field's colour follows its role (see the legend). */
export const Draft: Story = {};

/** A field selected: the side panel edits its role, required, label, key and condition. */
export const FieldSelected: Story = {
  play: withBuilder(async (el) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    el.shadowRoot!.querySelector<HTMLElement>('.field[data-field-id="name"]')?.focus();
  }),
};

/** A published version is read-only; "New draft from latest" opens version 2. */
export const Published: Story = { args: { templateId: 'tpl_published' } };

/** Version history: version 1 published, version 2 the open draft. */
export const History: Story = { args: { templateId: 'tpl_history' } };

/** The server refuses to publish (422): the problem and its items are shown, and `cs-error` fires. */
export const PublishRefused: Story = {
  args: { templateId: 'tpl_publish_fails' },
  play: withBuilder((el) => el.publish()),
};

/** A contract composed from the clause library (a library clause and one written here) instead of a PDF. */
export const ComposedFromClauses: Story = {
  args: { templateId: 'tpl_clauses' },
  play: async ({ canvasElement }: { canvasElement: HTMLElement }) => {
    const el = canvasElement.querySelector('cs-template-builder')!;
    for (let i = 0; i < 60 && !el.shadowRoot?.querySelector('#tab-clauses'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    el.shadowRoot?.querySelector<HTMLElement>('#tab-clauses')?.click();
  },
};

/** The Variables tab: the template's typed merge fields. */
export const Variables: Story = {
  play: async ({ canvasElement }: { canvasElement: HTMLElement }) => {
    const el = canvasElement.querySelector('cs-template-builder')!;
    for (let i = 0; i < 60 && !el.shadowRoot?.querySelector('#tab-variables'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    el.shadowRoot?.querySelector<HTMLElement>('#tab-variables')?.click();
  },
};

/** A template that does not exist (404). */
export const NotFound: Story = { args: { templateId: 'tpl_missing' } };

/** The server cannot be reached. */
export const Offline: Story = { args: { token: 'offline' } };

/** On a phone: the palette, roles, pages and panel stack. */
export const Narrow: Story = { args: { width: '360px' } };

/** Dark mode and a brand colour through three custom properties. */
export const Themed: Story = {
  render: (args) =>
    html`<div style="background:#0d1117;padding:12px">
      ${render(args, '--cs-surface:#161b22;--cs-text:#e6edf3;--cs-accent:#7aa2ff;--cs-accent-contrast:#0d1117')}
    </div>`,
};

/** Without a server and token it says so. */
export const Unconfigured: Story = {
  render: () => html`<cs-template-builder></cs-template-builder>`,
};

/** Events in the actions panel: save and publish fire `cs-template-save` and `cs-template-publish`. */
export const Events: Story = {
  parameters: { actions: { handles: ['cs-template-save', 'cs-template-publish', 'cs-error'] } },
};
