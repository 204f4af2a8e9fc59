import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { AuditActor, Clause, ClauseDiff, ClauseProposal, ClauseVersion, DiffPart } from '@countersign/core';
import '../packages/elements/src/clause-library/define.ts';
import { mockFetch, problemResponse } from './support/mock-fetch.ts';
import type { CsClauseLibrary, ClauseLibraryTab } from '../packages/elements/src/clause-library/clause-library.ts';
import { eventLog, logEvent } from './support/event-log.ts';

/**
 * A pretend clause library inside the Storybook page, so the stories need no server: `fetch`
 * calls to MOCK_SERVER are answered from memory (everything else passes). The token picks who
 * calls: `legal`, `agent`, or a failure (`offline`, `forbidden`, `invalid`).
 */
const MOCK_SERVER = 'https://clauses.mock.countersign.test';

const LEGAL: AuditActor = { kind: 'user', id: 'u_legal', name: 'Zoë Łukasz-Müller', role: 'legal' };
const AGENT: AuditActor = { kind: 'user', id: 'u_agent', name: '山田太郎', role: 'agent' };

interface MockClause {
  id: string;
  key: string;
  versions: ClauseVersion[];
  proposals: ClauseProposal[];
}

const at = (day: number) => new Date(Date.UTC(2026, 10, day, 9, 30)).toISOString();

function version(
  clauseId: string,
  n: number,
  content: Partial<ClauseVersion> & { title: string; body: string },
  published = true,
): ClauseVersion {
  return {
    clauseId,
    version: n,
    status: published ? 'published' : 'draft',
    locked: false,
    variables: [...content.body.matchAll(/\{\{\s*([\w.-]+)\s*\}\}/g)].map((m) => m[1]!),
    createdAt: at(n),
    createdBy: LEGAL,
    ...(published ? { publishedAt: at(n + 1), publishedBy: LEGAL } : {}),
    ...content,
  };
}

/** A word diff (longest common subsequence over words and spaces), enough for a story. */
function words(a: string, b: string): DiffPart[] {
  const x = a.split(/(\s+)/).filter(Boolean);
  const y = b.split(/(\s+)/).filter(Boolean);
  const lcs = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const parts: DiffPart[] = [];
  const push = (op: DiffPart['op'], text: string) => {
    const last = parts.at(-1);
    if (last?.op === op) last.text += text;
    else parts.push({ op, text });
  };
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      push('equal', x[i]!);
      i++;
      j++;
    } else if (j < y.length && (i >= x.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) push('insert', y[j++]!);
    else push('delete', x[i++]!);
  }
  return parts;
}

function diff(a: ClauseVersion, b: { version: number; title: string; body: string; locked: boolean }): ClauseDiff {
  const d: ClauseDiff = {
    from: a.version,
    to: b.version,
    changed: [],
    title: words(a.title, b.title),
    body: words(a.body, b.body),
    locked: words(String(a.locked), String(b.locked)),
    condition: [],
  };
  for (const k of ['title', 'body', 'locked'] as const) if (d[k].some((p) => p.op !== 'equal')) d.changed.push(k);
  return d;
}

function seed(): MockClause[] {
  const fee: MockClause = { id: 'cl_fee', key: 'fees.monthly', versions: [], proposals: [] };
  fee.versions.push(
    version('cl_fee', 1, {
      title: 'Monthly fee',
      body: 'The customer pays **{{fee}}** per month, within 30 days of the invoice.',
      category: 'Commercial',
      tags: ['money'],
    }),
    version(
      'cl_fee',
      2,
      {
        title: 'Monthly fee',
        body: 'The customer pays **{{fee}}** per month, within 14 days of the invoice.\n\n1. By card\n2. By *bank transfer*',
        category: 'Commercial',
        tags: ['money'],
        condition: { '==': [{ var: 'billing' }, 'monthly'] },
      },
      false,
    ),
  );
  fee.proposals.push({
    id: 'prop_1',
    clauseId: 'cl_fee',
    baseVersion: 1,
    body: 'The customer pays **{{fee}}** per month, within 45 days of the invoice.',
    comment: 'Large customers ask for <b>45</b> days; this matches our CRM terms.',
    status: 'pending',
    proposedBy: AGENT,
    proposedAt: at(3),
  });
  const law: MockClause = { id: 'cl_law', key: 'law.governing', versions: [], proposals: [] };
  law.versions.push(
    version('cl_law', 1, {
      title: 'Governing law',
      body: 'This agreement is governed by the law of {{country}}.',
      locked: true,
      category: 'Legal',
      tags: ['core'],
    }),
  );
  const data: MockClause = { id: 'cl_data', key: 'privacy.data', versions: [], proposals: [] };
  data.versions.push(
    version('cl_data', 1, {
      title: '<img src=x onerror=alert(1)> Données — Ἀθηνᾶ, Юлия, محمد',
      body: '- Personal data stays in the EU.\n- Requests go to {{dpo_email}} within *72 hours*.',
      category: 'Legal',
      tags: ['gdpr'],
    }),
  );
  return [data, fee, law];
}

let clauses = seed();

function view(c: MockClause, agent: boolean): Clause | undefined {
  const v = agent ? c.versions.filter((x) => x.status === 'published').at(-1) : c.versions.at(-1);
  if (!v) return undefined;
  const { clauseId: _id, ...rest } = v;
  return {
    ...rest,
    id: c.id,
    key: c.key,
    latestPublishedVersion: c.versions.filter((x) => x.status === 'published').at(-1)?.version ?? null,
    versionCount: c.versions.length,
    updatedAt: v.createdAt,
  };
}

const problem = (status: number, title: string, detail?: string, errors?: unknown[]) =>
  problemResponse(status, title, { detail, errors });

async function answer(url: URL, init: RequestInit | undefined): Promise<Response> {
  const token = new Headers(init?.headers).get('authorization')?.replace(/^Bearer /, '') ?? '';
  const method = init?.method ?? 'GET';
  const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : {};
  await new Promise((resolve) => setTimeout(resolve, 120));
  if (token === 'offline') throw new TypeError('Failed to fetch');
  const agent = token === 'agent';
  const path = url.pathname.replace(/^\/api\/v1/, '');
  const [, , id, sub, n, action, m] = path.split('/');
  const clause = clauses.find((c) => c.id === id);
  if (method !== 'GET' && token === 'forbidden') return problem(403, 'Forbidden', 'Only legal may change clauses');
  if (path === '/clauses' && method === 'GET') {
    const search = url.searchParams.get('search')?.toLowerCase() ?? '';
    const items = clauses
      .map((c) => view(c, agent))
      .filter((c): c is Clause => !!c && [c.key, c.title, c.body].some((t) => t.toLowerCase().includes(search)));
    return Response.json({ items });
  }
  if (path === '/clauses' && method === 'POST') {
    const c: MockClause = { id: `cl_${clauses.length + 1}`, key: String(body.key), versions: [], proposals: [] };
    c.versions.push(version(c.id, 1, body as unknown as ClauseVersion, false));
    clauses.push(c);
    return Response.json(view(c, false), { status: 201 });
  }
  if (!clause) return problem(404, 'Not found', 'No such clause');
  const latest = clause.versions.at(-1)!;
  if (!sub && method === 'GET') return Response.json(view(clause, agent));
  if (!sub && method === 'PATCH') {
    if (token === 'invalid' || String(body.body ?? '').includes('{{ }}'))
      return problem(422, 'Invalid', 'The clause is not valid', [
        { path: 'body', message: 'A placeholder is written {{key}} with letters, digits, _ . - only' },
      ]);
    const { clauseId: _c, version: _v, status: _s, publishedAt: _p, publishedBy: _b, ...content } = latest;
    clause.versions.push(version(clause.id, latest.version + 1, { ...content, ...body } as ClauseVersion, false));
    return Response.json(view(clause, false));
  }
  if (sub === 'versions' && !n) return Response.json({ items: clause.versions });
  const v = clause.versions.find((x) => x.version === Number(n));
  if (sub === 'versions' && action === 'publish' && v) {
    Object.assign(v, { status: 'published', publishedAt: new Date().toISOString(), publishedBy: LEGAL });
    return Response.json(v);
  }
  const w = clause.versions.find((x) => x.version === Number(m));
  if (sub === 'versions' && action === 'diff' && v && w) return Response.json(diff(v, w));
  if (sub === 'proposals' && !n && method === 'GET') {
    const items = clause.proposals.map((p) => {
      const base = clause.versions.find((x) => x.version === p.baseVersion)!;
      return { ...p, diff: diff(base, { ...base, title: p.title ?? base.title, body: p.body }) };
    });
    return Response.json({ items: agent ? items.filter((p) => p.proposedBy.id === AGENT.id) : items });
  }
  if (sub === 'proposals' && !n && method === 'POST') {
    if (latest.locked && agent) return problem(403, 'Forbidden', 'Locked clauses can only be changed by legal');
    const p: ClauseProposal = {
      id: `prop_${Date.now()}`,
      clauseId: clause.id,
      baseVersion: latest.version,
      body: String(body.body),
      comment: String(body.comment),
      status: 'pending',
      proposedBy: agent ? AGENT : LEGAL,
      proposedAt: new Date().toISOString(),
    };
    clause.proposals.push(p);
    return Response.json(p, { status: 201 });
  }
  const proposal = clause.proposals.find((p) => p.id === n);
  if (sub === 'proposals' && proposal && (action === 'approve' || action === 'reject')) {
    Object.assign(proposal, {
      status: action === 'approve' ? 'approved' : 'rejected',
      decidedBy: LEGAL,
      decidedAt: new Date().toISOString(),
      ...(body.comment ? { decisionComment: body.comment } : {}),
    });
    if (action === 'reject') return Response.json({ proposal });
    const { clauseId: _c, version: _v, status: _s, publishedAt: _p, publishedBy: _b, ...content } = latest;
    const created = version(
      clause.id,
      latest.version + 1,
      { ...content, body: proposal.body, createdBy: AGENT, approvedBy: LEGAL },
      false,
    );
    clause.versions.push(created);
    proposal.resultingVersion = created.version;
    return Response.json({ proposal, version: created });
  }
  return problem(404, 'Not found');
}

mockFetch(MOCK_SERVER, answer);

interface Args {
  token: 'legal' | 'agent' | 'offline' | 'forbidden' | 'invalid';
  mode: 'manage' | 'browse';
  locale?: string;
}

const library = (args: Args) =>
  html`<cs-clause-library
    server=${MOCK_SERVER}
    token=${args.token}
    mode=${args.mode}
    locale=${args.locale ?? 'en'}
  ></cs-clause-library>`;

/** Opens a clause (and a tab) once the list is there, as a person clicking would. */
const opening =
  (clauseId: string, tab: ClauseLibraryTab = 'edit', then?: (el: CsClauseLibrary) => Promise<void> | void) =>
  async ({ canvasElement }: { canvasElement: HTMLElement }) => {
    clauses = seed();
    const el = canvasElement.querySelector('cs-clause-library')!;
    await el.reload();
    await el.show(clauseId, tab);
    await then?.(el);
  };

const inShadow = <T extends Element>(el: CsClauseLibrary, selector: string) =>
  el.shadowRoot!.querySelector<T>(selector)!;
const typeInto = (control: HTMLTextAreaElement | HTMLInputElement, value: string) => {
  control.value = value;
  control.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
};
const clickButton = (el: CsClauseLibrary, label: string) =>
  [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.trim() === label)?.click();

/**
 * Legal's clause library: search and filter, edit beside a live preview, save new draft
 * versions, publish, compare versions side by side and review the changes agents propose.
 * With `mode="browse"` an agent reads published clauses and proposes changes to unlocked ones.
 * These stories answer from a pretend server in the page.
 */
const meta: Meta<Args> = {
  title: 'Elements/Clause library',
  component: 'cs-clause-library',
  args: { token: 'legal', mode: 'manage', locale: 'en' },
  argTypes: {
    token: { control: 'select', options: ['legal', 'agent', 'offline', 'forbidden', 'invalid'] },
    mode: { control: 'inline-radio', options: ['manage', 'browse'] },
  },
  render: library,
};
export default meta;

type Story = StoryObj<Args>;

/** The list with search and filters; nothing chosen yet. */
export const Library: Story = { play: () => void (clauses = seed()) };

/** Editing a clause beside its live preview: bold, italic, lists and {{variables}} as chips. */
export const Editing: Story = { play: opening('cl_fee') };

/** Unsaved edits and a draft version waiting to be published. */
export const UnsavedEdits: Story = {
  play: opening('cl_fee', 'edit', (el) =>
    typeInto(
      inShadow<HTMLTextAreaElement>(el, 'textarea[name=body]'),
      'The customer pays **{{fee}}** per month, within **10** days of the invoice.',
    ),
  ),
};

/** A new clause, with the required fields refused before anything is sent. */
export const NewClause: Story = {
  play: async ({ canvasElement }) => {
    clauses = seed();
    const el = canvasElement.querySelector('cs-clause-library')!;
    await el.reload();
    clickButton(el, 'New clause');
    await el.updateComplete;
    clickButton(el, 'Create clause');
  },
};

/** Version history with who and when, and the latest change as a side-by-side diff. */
export const History: Story = { play: opening('cl_fee', 'history') };

/** A pending proposal: the proposer's reason, what it changes, approve or reject. */
export const Proposals: Story = { play: opening('cl_fee', 'proposals') };

/** Rejecting without a comment is blocked with a message beside the comment field. */
export const RejectNeedsComment: Story = {
  play: opening('cl_fee', 'proposals', async (el) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    clickButton(el, 'Reject');
  }),
};

/** The server refuses the text (422): its message beside the field, the edit kept. */
export const SaveInvalid: Story = {
  args: { token: 'invalid' },
  play: opening('cl_fee', 'edit', async (el) => {
    typeInto(inShadow<HTMLTextAreaElement>(el, 'textarea[name=body]'), 'Pay {{ }} now.');
    clickButton(el, 'Save as new version');
  }),
};

/** The server refuses the caller (403): a message, the edit kept. */
export const SaveForbidden: Story = {
  args: { token: 'forbidden' },
  play: opening('cl_fee', 'edit', async (el) => {
    typeInto(inShadow<HTMLInputElement>(el, 'input[name=title]'), 'Monthly fee (new)');
    clickButton(el, 'Save as new version');
  }),
};

/** The server cannot be reached: a message with a retry button. */
export const Offline: Story = { args: { token: 'offline' } };

/** Script and names in any script render as text. */
export const UnicodeAndScript: Story = { play: opening('cl_data') };

/** An agent reads a locked clause: a lock, and no way to edit it. */
export const BrowseLocked: Story = { args: { token: 'agent', mode: 'browse' }, play: opening('cl_law') };

/** An agent proposes a change to an unlocked clause. */
export const BrowsePropose: Story = {
  args: { token: 'agent', mode: 'browse' },
  play: opening('cl_fee', 'edit', async (el) => {
    clickButton(el, 'Propose a change');
    await el.updateComplete;
    typeInto(
      inShadow<HTMLTextAreaElement>(el, 'textarea[name=body]'),
      'The customer pays **{{fee}}** per month, within 45 days of the invoice.',
    );
  }),
};

/** At 360 px the list and the editor stack. */
export const Narrow: Story = {
  render: (args) => html`<div style="max-width: 360px">${library(args)}</div>`,
  play: opening('cl_fee'),
};

/** A dark host page through custom properties only. */
export const Theming: Story = {
  render: (args) =>
    html`<div
      style="
        padding: 1rem; background: #101216;
        --cs-clause-library-color: #e6e8eb;
        --cs-clause-library-muted-color: #a9b0ba;
        --cs-clause-library-background: #181b21;
        --cs-clause-library-border-color: #3d4450;
        --cs-clause-library-accent-color: #8ab4ff;
        --cs-clause-library-success-color: #8fe3b0;
        --cs-clause-library-success-background: #11301f;
        --cs-clause-library-danger-color: #ffaaa5;
        --cs-clause-library-danger-background: #3c1513;
        --cs-clause-library-variable-background: #1d2a44;
        --cs-focus-ring-color: #ffd27a;
      "
    >
      ${library(args)}
    </div>`,
  play: opening('cl_fee', 'history'),
};

/** Every `cs-*` event in the Actions panel, and in the log above. */
export const Events: Story = {
  render: (args) => {
    const log = (event: Event) => logEvent(event);
    return html`<div
      @cs-clause-save=${log}
      @cs-clause-publish=${log}
      @cs-proposal-decide=${log}
      @cs-proposal-submit=${log}
      @cs-error=${log}
    >
      ${eventLog} ${library(args)}
    </div>`;
  },
  play: opening('cl_fee', 'proposals'),
};
