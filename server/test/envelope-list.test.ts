import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { embedToken, expectOk, makeServer, NAMES, problemOf, seed, smallDocument, type TestServer } from './helpers.ts';

interface Item {
  id: string;
  title: string;
  status: string;
  createdAt: string;
  [key: string]: unknown;
}
interface Page {
  items: Item[];
  total: number;
  nextCursor?: string;
}

let s: TestServer;
let templateId: string;
let agentA: string;
let agentB: string;
let agentEmbed: string;
let others: Record<string, string>;
/** Every envelope created here, by who created it, in creation order. */
const created: Array<{ id: string; by: 'A' | 'B' | 'embed' | 'admin'; title: string; status: string }> = [];

async function create(
  by: 'A' | 'B' | 'embed' | 'admin',
  title: string,
  name: string,
  email: string,
  opts: { draft?: boolean; void?: boolean } = {},
) {
  const key = { A: agentA, B: agentB, embed: agentEmbed, admin: s.adminKey }[by];
  const res = await expectOk(
    s.call('POST', '/api/v1/envelopes', {
      key,
      json: { templateId, title, recipients: [{ role: 'customer', name, email }], send: !opts.draft },
    }),
  );
  const { id } = (await res.json()) as { id: string };
  let status = opts.draft ? 'draft' : 'sent';
  if (opts.void) {
    await expectOk(s.call('POST', `/api/v1/envelopes/${id}/void`, { key, json: { reason: 'Duplicate' } }));
    status = 'voided';
  }
  created.push({ id, by, title, status });
  return id;
}

before(async () => {
  s = await makeServer();
  s.clock.set('2026-05-04T08:00:00.000Z');
  const seeded = await seed(s, { ...smallDocument, title: 'Seeded by admin' });
  templateId = seeded.templateId;
  created.push({ id: seeded.envelopeId, by: 'admin', title: 'Seeded by admin', status: 'sent' });
  agentA = await s.keyFor('agent', 'Agent A');
  agentB = await s.keyFor('agent', 'Agent B');
  // One instant for the first batch: the list must order (and page) ties by id. Embed tokens are
  // minted after, so the pinned clock is not before their issue time.
  s.clock.set('2026-05-04T09:00:00.000Z');
  agentEmbed = await embedToken(s, 'agent');
  others = {
    'manager key': await s.keyFor('manager'),
    'legal key': await s.keyFor('legal'),
    'admin key': s.adminKey,
    'manager embed': await embedToken(s, 'manager'),
    'legal embed': await embedToken(s, 'legal'),
    'admin embed': await embedToken(s, 'admin'),
  };
  await create('A', 'Broadband service agreement', NAMES[0]!, 'zoe@example.com');
  await create('A', 'Router rental', 'Οδυσσέας Παπαδόπουλος', 'odysseas@example.gr');
  await create('A', 'Straße contract', NAMES[2]!, 'yulia@example.ru', { draft: true });
  await create('B', 'Broadband service agreement', NAMES[1]!, 'athena@example.com');
  s.clock.advance(60_000);
  await create('A', 'Mobile plan', NAMES[3]!, 'YAMADA@Example.JP');
  await create('A', 'Profile update', NAMES[4]!, 'mohammed@example.com', { void: true });
  await create('B', 'Router rental', NAMES[0]!, 'zoe.b@example.com', { draft: true });
  for (let i = 1; i <= 6; i++) {
    s.clock.advance(i % 2 ? 0 : 1000);
    await create(i % 3 ? 'A' : 'B', `Bulk ${i}`, `Customer ${i}`, `c${i}@example.com`, { draft: i === 4 });
  }
  await create('embed', 'Embed agent’s own', 'Embed Customer', 'embed@example.com');
});
after(() => s.close());

const list = async (query: Record<string, string> = {}, key = s.adminKey): Promise<Page> => {
  const res = await s.call('GET', `/api/v1/envelopes?${new URLSearchParams(query)}`, { key });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Page;
};
const idsOf = (by?: string) => created.filter((e) => !by || e.by === by).map((e) => e.id);
const titlesFor = async (q: string, key = s.adminKey) => (await list({ q }, key)).items.map((i) => i.title).sort();
/** Every page from the first, following nextCursor. */
async function allPages(query: Record<string, string>, key = s.adminKey): Promise<Page[]> {
  const pages = [await list(query, key)];
  while (pages.at(-1)!.nextCursor) pages.push(await list({ ...query, cursor: pages.at(-1)!.nextCursor! }, key));
  return pages;
}
/** The list order: newest first, then id descending. */
const ordered = (items: Item[]) =>
  items.every((x, i) => {
    const prev = items[i - 1];
    return !prev || prev.createdAt > x.createdAt || (prev.createdAt === x.createdAt && prev.id > x.id);
  });

describe('GET /api/v1/envelopes: the page', () => {
  it('answers {items, total} newest first (ties by id), without a cursor when everything fits', async () => {
    const page = await list();
    assert.deepEqual(Object.keys(page).sort(), ['items', 'total']);
    assert.equal(page.total, created.length);
    assert.deepEqual(page.items.map((i) => i.id).sort(), idsOf().sort());
    assert.ok(ordered(page.items));
    assert.ok(
      page.items.some((x, i) => i > 0 && page.items[i - 1]!.createdAt === x.createdAt),
      'the data has ties',
    );
  });

  it('shows no internal fields: no creator key id, no search index', async () => {
    for (const item of (await list()).items) {
      assert.equal('createdByKeyId' in item, false);
      assert.equal('searchText' in item, false);
    }
  });

  it('carries what a list view shows, so it needs no request per row: sentAt and each recipient', async () => {
    const items = (await list()).items as unknown as Array<{
      id: string;
      status: string;
      sentAt?: string;
      recipients: Array<Record<string, unknown>>;
    }>;
    const sent = items.find((i) => i.status === 'sent')!;
    const full = (await (await s.call('GET', `/api/v1/envelopes/${sent.id}`, { key: s.adminKey })).json()) as {
      sentAt: string;
      recipients: Array<Record<string, unknown>>;
    };
    assert.equal(sent.sentAt, full.sentAt);
    assert.ok(sent.sentAt);
    const pick = ({ id, status, name, email, role, action, order }: Record<string, unknown>) => ({
      id,
      status,
      name,
      email,
      role,
      action,
      order,
    });
    assert.deepEqual(sent.recipients, full.recipients.map(pick));
    // The OpenAPI document describes exactly these fields.
    const doc = (await (await s.call('GET', '/api/v1/openapi.json')).json()) as {
      components: { schemas: { EnvelopeSummary: { properties: Record<string, { items?: { properties?: object } }> } } };
    };
    const summary = doc.components.schemas.EnvelopeSummary.properties;
    assert.ok(summary.sentAt);
    assert.deepEqual(Object.keys(summary.recipients!.items!.properties!).sort(), [
      'action',
      'email',
      'id',
      'name',
      'order',
      'role',
      'status',
    ]);
  });
});

describe('GET /api/v1/envelopes: q', () => {
  it('matches the title, ignoring case and surrounding spaces', async () => {
    assert.deepEqual(await titlesFor('BROADBAND Service'), [
      'Broadband service agreement',
      'Broadband service agreement',
    ]);
    assert.deepEqual(await titlesFor('  mobile PLAN  '), ['Mobile plan']);
  });

  it('matches a recipient’s name in any script, in compatibility and decomposed forms', async () => {
    const zoe = ['Broadband service agreement', 'Router rental', 'Seeded by admin'];
    assert.deepEqual(await titlesFor('ZOË ŁUKASZ'), zoe);
    assert.deepEqual(await titlesFor('Ｚｏë'), zoe);
    assert.deepEqual(await titlesFor('Zoe\u0308'), zoe);
    assert.deepEqual(await titlesFor('山田'), ['Mobile plan']);
    assert.deepEqual(await titlesFor('محمد'), ['Profile update']);
    assert.deepEqual(await titlesFor('юлия'), ['Straße contract']);
    assert.deepEqual(await titlesFor('ἀθηνᾶ'), ['Broadband service agreement']);
  });

  it('folds Greek final sigma and German sharp s as case folding does', async () => {
    // The name is stored as Οδυσσέας Παπαδόπουλος: a query may end in σ or Σ mid-word.
    for (const q of ['ΟΔΥΣΣΈΑΣ', 'οδυσσέας', 'Οδυσσ', 'ΟΔΥΣ', 'ΠΑΠΑΔΌΠΟΥΛΟΣ', 'Παπαδόπουλοσ', 'έας Παπ']) {
      assert.deepEqual(await titlesFor(q), ['Router rental'], q);
    }
    for (const q of ['STRASSE', 'strasse', 'STRAẞE', 'straße']) {
      assert.deepEqual(await titlesFor(q), ['Straße contract'], q);
    }
    assert.deepEqual(await titlesFor('proﬁle'), ['Profile update']);
  });

  it('matches an email in any case, and the envelope id', async () => {
    assert.deepEqual(await titlesFor('yamada@example.jp'), ['Mobile plan']);
    assert.deepEqual(await titlesFor('ODYSSEAS@'), ['Router rental']);
    const one = created.find((e) => e.title === 'Mobile plan')!;
    assert.deepEqual(
      (await list({ q: one.id })).items.map((i) => i.id),
      [one.id],
    );
  });

  it('answers an empty page for no match', async () => {
    assert.deepEqual(await list({ q: 'no such customer' }), { items: [], total: 0 });
  });
});

describe('GET /api/v1/envelopes: status', () => {
  it('keeps only that status, alone and with q', async () => {
    for (const status of ['draft', 'sent', 'voided', 'completed']) {
      const page = await list({ status });
      const expected = created.filter((e) => e.status === status).map((e) => e.id);
      assert.equal(page.total, expected.length, status);
      assert.deepEqual(page.items.map((i) => i.id).sort(), expected.sort(), status);
      assert.ok(
        page.items.every((i) => i.status === status),
        status,
      );
    }
    const both = await list({ q: 'router', status: 'draft' });
    assert.deepEqual(
      both.items.map((i) => i.title),
      ['Router rental'],
    );
    assert.equal(both.total, 1);
  });
});

describe('GET /api/v1/envelopes: limit and cursor', () => {
  it('pages through everything exactly once, in order, with the same total on every page', async () => {
    const unpaged = (await list()).items.map((i) => i.id);
    for (const limit of [1, 3, 4, created.length - 1, created.length, 100]) {
      const pages = await allPages({ limit: String(limit) });
      const ids = pages.flatMap((p) => p.items.map((i) => i.id));
      assert.deepEqual(ids, unpaged, `limit ${limit}`);
      assert.equal(new Set(ids).size, ids.length);
      assert.ok(pages.every((p) => p.total === created.length));
      assert.ok(pages.slice(0, -1).every((p) => p.items.length === limit && p.nextCursor));
      assert.ok(pages.at(-1)!.items.length >= 1 && pages.at(-1)!.items.length <= limit);
      assert.equal(pages.at(-1)!.nextCursor, undefined);
      assert.equal(pages.length, Math.ceil(created.length / limit));
    }
  });

  it('pages a filtered list the same way', async () => {
    const query = { q: 'bulk', status: 'sent' };
    const expected = created.filter((e) => e.title.startsWith('Bulk') && e.status === 'sent').map((e) => e.id);
    const pages = await allPages({ ...query, limit: '2' });
    const ids = pages.flatMap((p) => p.items.map((i) => i.id));
    assert.deepEqual([...ids].sort(), [...expected].sort());
    assert.equal(ids.length, expected.length);
    assert.ok(pages.every((p) => p.total === expected.length));
    assert.ok(ordered(pages.flatMap((p) => p.items)));
  });

  it('does not repeat or skip an item when an envelope is created between pages', async () => {
    const first = await list({ limit: '3' });
    s.clock.advance(60_000);
    const newer = await create('admin', 'Created between pages', 'Late Customer', 'late@example.com');
    try {
      const rest = (await allPages({ limit: '3', cursor: first.nextCursor! })).flatMap((p) => p.items);
      const ids = [...first.items, ...rest].map((i) => i.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.ok(!ids.includes(newer));
      assert.deepEqual([...ids, newer].sort(), idsOf().sort());
      assert.equal((await list({ limit: '3' })).items[0]!.id, newer);
    } finally {
      await expectOk(s.call('POST', `/api/v1/envelopes/${newer}/void`, { key: s.adminKey, json: { reason: 'x' } }));
      created.at(-1)!.status = 'voided';
    }
  });
});

describe('GET /api/v1/envelopes: bad queries are 400 problems', () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const cases: Array<[string, string]> = [
    ...['0', '101', '1001', 'x', '-1', '1.5', ''].map((v) => ['limit', v] as [string, string]),
    ...['signed', 'SENT', 'all', ''].map((v) => ['status', v] as [string, string]),
    ...[
      'not base64!!',
      '',
      b64({}),
      b64(null),
      b64([1, 2]),
      b64(['1', 'env_x']),
      b64(['December 1, 2026', 'env_x']),
      b64(['2026-05-04', 'env_x']),
      b64(['2026-05-04T09:00:00.000Z']),
      b64(['2026-05-04T09:00:00.000Z', '']),
      b64(['2026-05-04T09:00:00.000Z', 'env_x', 'extra']),
      'A'.repeat(600),
    ].map((v) => ['cursor', v] as [string, string]),
  ];
  it('refuses a bad limit, status or cursor, naming the parameter', async () => {
    for (const [name, value] of cases) {
      const res = await s.call('GET', `/api/v1/envelopes?${new URLSearchParams({ [name]: value })}`, {
        key: s.adminKey,
      });
      const label = `${name}=${value.slice(0, 60)}`;
      assert.equal(res.status, 400, label);
      assert.equal(res.headers.get('content-type'), 'application/problem+json', label);
      const p = await problemOf(res);
      assert.equal(p.status, 400, label);
      assert.ok(
        p.errors?.some((e) => e.path === name),
        `${label}: ${JSON.stringify(p.errors)}`,
      );
    }
  });

  it('takes a cursor it gave out, unchanged', async () => {
    const { nextCursor } = await list({ limit: '2' });
    assert.ok(nextCursor);
    assert.equal((await list({ limit: '2', cursor: nextCursor })).items.length, 2);
  });
});

describe('GET /api/v1/envelopes: who sees what', () => {
  it('shows an agent only its own envelopes, in items and total, through every page and filter', async () => {
    for (const [key, by] of [
      [agentA, 'A'],
      [agentB, 'B'],
      [agentEmbed, 'embed'],
    ] as const) {
      const own = idsOf(by);
      assert.ok(own.length >= 1);
      const pages = await allPages({ limit: '2' }, key);
      const ids = pages.flatMap((p) => p.items.map((i) => i.id));
      assert.deepEqual([...ids].sort(), [...own].sort(), by);
      assert.ok(pages.every((p) => p.total === own.length));
      const drafts = created.filter((e) => e.by === by && e.status === 'draft').map((e) => e.id);
      assert.deepEqual((await list({ status: 'draft' }, key)).items.map((i) => i.id).sort(), drafts.sort(), by);
    }
    // Agent B's customer Ἀθηνᾶ exists, but not for agent A.
    assert.deepEqual(await list({ q: NAMES[1]! }, agentA), { items: [], total: 0 });
    assert.equal((await list({ q: NAMES[1]! }, agentB)).total, 1);
    assert.equal((await list({ q: 'broadband' }, agentA)).total, 1);
  });

  it('shows managers, legal and admins every envelope', async () => {
    for (const [caller, key] of Object.entries(others)) {
      const pages = await allPages({ limit: '5' }, key);
      const ids = pages.flatMap((p) => p.items.map((i) => i.id));
      assert.deepEqual([...ids].sort(), idsOf().sort(), caller);
      assert.equal(pages[0]!.total, created.length, caller);
    }
  });

  it('refuses a signer token and no credential (401)', async () => {
    const signer = (await seed(s, smallDocument)).session.token;
    for (const key of [signer, undefined]) {
      const res = await s.call('GET', '/api/v1/envelopes', key ? { key } : {});
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
    }
  });
});
