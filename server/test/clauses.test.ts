import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeServer, problemOf, type TestServer } from './helpers.ts';

let s: TestServer;
let legal: string;
let agent: string;
let manager: string;
before(async () => {
  s = await makeServer();
  [legal, agent, manager] = await Promise.all([s.keyFor('legal'), s.keyFor('agent'), s.keyFor('manager')]);
});
after(() => s.close());

interface Actor {
  kind: string;
  id?: string;
  name?: string;
  email?: string;
  role?: string;
}
interface Clause {
  id: string;
  key: string;
  version: number;
  status: string;
  title: string;
  body: string;
  locked: boolean;
  condition?: unknown;
  variables: string[];
  latestPublishedVersion: number | null;
  createdBy: Actor;
}
interface DiffPart {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}
interface Diff {
  from: number;
  to: number;
  changed: string[];
  title: DiffPart[];
  body: DiffPart[];
  locked: DiffPart[];
  condition: DiffPart[];
}
interface Version extends Omit<Clause, 'id' | 'key' | 'latestPublishedVersion'> {
  approvedBy?: Actor;
  proposalId?: string;
  diffFromPrevious?: Diff;
}

interface Proposal {
  id: string;
  status: string;
  baseVersion: number;
  proposedBy: Actor;
  decidedBy?: Actor;
  resultingVersion?: number;
  diff?: Diff;
}

let seq = 0;
const json = async <T>(res: Response | Promise<Response>, status: number): Promise<T> => {
  const r = await res;
  const text = await r.text();
  assert.equal(r.status, status, text);
  return JSON.parse(text) as T;
};

async function createClause(extra: Record<string, unknown> = {}, key = legal): Promise<Clause> {
  seq += 1;
  return json<Clause>(
    s.call('POST', '/api/v1/clauses', {
      key,
      json: {
        key: `clause-${seq}`,
        title: 'Limitation of liability',
        body: 'The **Supplier** is liable up to {{cap}} for direct damage.\n\n1. No indirect damage.\n2. No lost profit.',
        ...extra,
      },
    }),
    201,
  );
}

const publish = (id: string, n: number, key = legal) =>
  s.call('POST', `/api/v1/clauses/${id}/versions/${n}/publish`, { key });
const patch = (id: string, body: unknown, key = legal) => s.call('PATCH', `/api/v1/clauses/${id}`, { key, json: body });
const get = (url: string, key = s.adminKey) => s.call('GET', url, { key });
const changedText = (parts: DiffPart[], op: 'insert' | 'delete') =>
  parts
    .filter((p) => p.op === op)
    .map((p) => p.text)
    .join('');

describe('clause library: create, validate, version, publish', () => {
  it('creates version 1 as a draft, with its author and the variables its body uses', async () => {
    const c = await createClause({ category: 'liability', tags: ['b2b'] });
    assert.match(c.id, /^cl_/);
    assert.equal(c.version, 1);
    assert.equal(c.status, 'draft');
    assert.equal(c.locked, false);
    assert.equal(c.latestPublishedVersion, null);
    assert.deepEqual(c.variables, ['cap']);
    assert.equal(c.createdBy.kind, 'api_key');
    assert.equal(c.createdBy.role, 'legal');
  });

  it('refuses a duplicate key (ignoring case) with 409 and stores nothing', async () => {
    const c = await createClause();
    const before = await (await get('/api/v1/clauses')).text();
    const res = await s.call('POST', '/api/v1/clauses', {
      key: legal,
      json: { key: c.key.toUpperCase(), title: 'x', body: 'y' },
    });
    assert.equal(res.status, 409);
    assert.equal((await problemOf(res)).errors?.[0]?.path, 'key');
    assert.equal(await (await get('/api/v1/clauses')).text(), before);
  });

  it('refuses bad bodies, bad conditions and oversize text with 422 problems naming the path', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ body: 'Pay {{ amount  by Friday' }, 'body'],
      [{ body: 'Pay {{amo unt}}' }, 'body'],
      [{ body: 'bell \u0007 here' }, 'body'],
      [{ body: '   \n\n  ' }, 'body'],
      [{ body: 'x'.repeat(20_001) }, 'body'],
      [{ title: 'x'.repeat(201) }, 'title'],
      [{ condition: { eval: ['process.exit()'] } }, 'condition'],
      [{ condition: { '>': [{ var: 'amount' }, 5000], '<': [1, 2] } }, 'condition'],
      [{ key: 'no spaces allowed' }, 'key'],
    ];
    for (const [extra, path] of cases) {
      const res = await s.call('POST', '/api/v1/clauses', {
        key: legal,
        json: { key: `bad-${seq++}`, title: 't', body: 'b', ...extra },
      });
      assert.equal(res.status, 422, JSON.stringify(extra).slice(0, 80));
      const p = await problemOf(res);
      assert.ok(
        p.errors?.some((e) => e.path?.startsWith(path)),
        `${JSON.stringify(p.errors)} for ${path}`,
      );
    }
  });

  it('accepts a JSON Logic condition and keeps it', async () => {
    const condition = { '>': [{ var: 'amount' }, 5000] };
    const c = await createClause({ condition });
    assert.deepEqual(c.condition, condition);
  });

  it('PATCH writes a new draft version and leaves the earlier ones as they were; history says who', async () => {
    const c = await createClause();
    await json(publish(c.id, 1), 200);
    const v1Before = (await json<{ items: Version[] }>(get(`/api/v1/clauses/${c.id}/versions`), 200)).items[0]!;
    const updated = await json<Clause>(
      patch(c.id, { body: 'The Supplier is liable up to {{cap}} for all damage.', locked: true }),
      200,
    );
    assert.equal(updated.version, 2);
    assert.equal(updated.status, 'draft');
    assert.equal(updated.latestPublishedVersion, 1);
    assert.equal(updated.locked, true);
    const { items } = await json<{ items: Version[] }>(get(`/api/v1/clauses/${c.id}/versions`), 200);
    assert.equal(items.length, 2);
    assert.deepEqual(items[0], v1Before);
    assert.equal(items[0]!.status, 'published');
    assert.equal(items[1]!.createdBy.role, 'legal');
    assert.deepEqual(items[1]!.diffFromPrevious?.changed.sort(), ['body', 'locked']);
    // Title and tags unchanged: kept from version 1.
    assert.equal(items[1]!.title, 'Limitation of liability');
  });

  it('refuses an empty PATCH (422), a no-op PATCH (409) and a PATCH of the key (422)', async () => {
    const c = await createClause();
    assert.equal((await patch(c.id, {})).status, 422);
    assert.equal((await patch(c.id, { title: c.title })).status, 409);
    assert.equal((await patch(c.id, { key: 'other' })).status, 422);
    assert.equal(((await get(`/api/v1/clauses/${c.id}`, legal).then((r) => r.json())) as Clause).version, 1);
  });

  it('removes a condition with null', async () => {
    const c = await createClause({ condition: { '==': [{ var: 'plan' }, 'pro'] } });
    const updated = await json<Clause>(patch(c.id, { condition: null }), 200);
    assert.equal(updated.condition, undefined);
  });

  it('publishes idempotently and 404s an unknown version or clause', async () => {
    const c = await createClause();
    const first = await json<Version & { publishedAt: string }>(publish(c.id, 1), 200);
    s.clock.advance(1000);
    const again = await json<Version & { publishedAt: string }>(publish(c.id, 1), 200);
    assert.equal(again.publishedAt, first.publishedAt);
    assert.equal((await publish(c.id, 9)).status, 404);
    assert.equal((await publish('cl_missing', 1)).status, 404);
  });

  it('diffs two versions word by word', async () => {
    const c = await createClause();
    await json(patch(c.id, { title: 'Limitation of total liability', body: c.body.replace('direct', 'any') }), 200);
    const d = await json<Diff>(get(`/api/v1/clauses/${c.id}/versions/1/diff/2`), 200);
    assert.deepEqual(d.changed.sort(), ['body', 'title']);
    assert.equal(changedText(d.title, 'insert').trim(), 'total');
    assert.equal(changedText(d.body, 'delete'), 'direct');
    assert.equal(changedText(d.body, 'insert'), 'any');
    assert.ok(d.locked.every((p) => p.op === 'equal'));
    assert.equal((await get(`/api/v1/clauses/${c.id}/versions/1/diff/7`)).status, 404);
  });

  it('searches key, title and body, case-insensitively', async () => {
    const c = await createClause({ title: 'Governing law', body: 'The law of **Bavaria** applies.' });
    const find = async (q: string) =>
      (await json<{ items: Clause[] }>(get(`/api/v1/clauses?search=${encodeURIComponent(q)}`), 200)).items.map(
        (x) => x.id,
      );
    assert.ok((await find('bavaria')).includes(c.id));
    assert.ok((await find('GOVERNING')).includes(c.id));
    assert.ok((await find(c.key)).includes(c.id));
    assert.ok(!(await find('zanzibar')).includes(c.id));
  });
});

describe('clause library: who may read and write', () => {
  it('shows agents and managers only published versions; drafts stay with legal', async () => {
    const hidden = await createClause();
    const shown = await createClause();
    await json(publish(shown.id, 1), 200);
    await json(patch(shown.id, { body: 'A draft change only legal sees.' }), 200);
    for (const key of [agent, manager]) {
      const { items } = await json<{ items: Clause[] }>(get('/api/v1/clauses', key), 200);
      assert.ok(!items.some((x) => x.id === hidden.id));
      const seen = items.find((x) => x.id === shown.id);
      assert.equal(seen?.version, 1);
      assert.equal(seen?.body, shown.body);
      assert.equal((await get(`/api/v1/clauses/${hidden.id}`, key)).status, 404);
      const { items: versions } = await json<{ items: Version[] }>(
        get(`/api/v1/clauses/${shown.id}/versions`, key),
        200,
      );
      assert.deepEqual(
        versions.map((v) => v.version),
        [1],
      );
      assert.equal((await get(`/api/v1/clauses/${shown.id}/versions/1/diff/2`, key)).status, 404);
      assert.ok(!(await (await get('/api/v1/clauses?search=draft%20change', key)).text()).includes(shown.id));
    }
    const legalView = await json<Clause>(get(`/api/v1/clauses/${shown.id}`, legal), 200);
    assert.equal(legalView.version, 2);
  });

  it('refuses create, PATCH and publish to agents and managers with 403, changing nothing', async () => {
    const c = await createClause();
    await json(publish(c.id, 1), 200);
    const before = await (await get(`/api/v1/clauses/${c.id}/versions`)).text();
    const listBefore = await (await get('/api/v1/clauses')).text();
    for (const key of [agent, manager]) {
      assert.equal(
        (await s.call('POST', '/api/v1/clauses', { key, json: { key: 'sneaky', title: 't', body: 'b' } })).status,
        403,
      );
      assert.equal((await patch(c.id, { body: 'Changed by an agent' }, key)).status, 403);
      assert.equal((await publish(c.id, 1, key)).status, 403);
    }
    assert.equal(await (await get(`/api/v1/clauses/${c.id}/versions`)).text(), before);
    assert.equal(await (await get('/api/v1/clauses')).text(), listBefore);
  });
});

describe('clause proposals', () => {
  const propose = (id: string, body: unknown, key: string) =>
    s.call('POST', `/api/v1/clauses/${id}/proposals`, { key, json: body });
  const decide = (id: string, pid: string, what: 'approve' | 'reject', body: unknown, key = legal) =>
    s.call('POST', `/api/v1/clauses/${id}/proposals/${pid}/${what}`, { key, json: body });

  async function published(extra: Record<string, unknown> = {}) {
    const c = await createClause(extra);
    await json(publish(c.id, 1), 200);
    return c;
  }

  it('lets every staff role propose on an unlocked clause, with the diff against what they saw', async () => {
    const c = await published();
    for (const key of [agent, manager, legal, s.adminKey]) {
      const p = await json<Proposal>(
        propose(c.id, { body: c.body.replace('direct', 'any'), comment: 'Broader cover' }, key),
        201,
      );
      assert.equal(p.status, 'pending');
      assert.equal(p.baseVersion, 1);
      assert.deepEqual(p.diff?.changed, ['body']);
      assert.equal(changedText(p.diff!.body, 'insert'), 'any');
    }
  });

  it('refuses agents and managers on a locked clause with 403 and stores nothing; legal may', async () => {
    const c = await published({ locked: true });
    const before = await (await get(`/api/v1/clauses/${c.id}/proposals`)).text();
    for (const key of [agent, manager]) {
      const res = await propose(c.id, { body: 'Softer text', comment: 'please' }, key);
      assert.equal(res.status, 403);
      assert.match((await problemOf(res)).detail ?? '', /locked clauses can only be changed by legal/i);
    }
    assert.equal(await (await get(`/api/v1/clauses/${c.id}/proposals`)).text(), before);
    // A draft that locks a published, unlocked clause counts too.
    const d = await published();
    await json(patch(d.id, { locked: true }), 200);
    assert.equal((await propose(d.id, { body: 'x', comment: 'y' }, agent)).status, 403);
    assert.equal((await propose(c.id, { body: 'Legal rewrite', comment: 'four eyes' }, legal)).status, 201);
  });

  it('approval writes a new version authored by the proposer and approved by the reviewer', async () => {
    const c = await published({ category: 'liability', tags: ['b2b'] });
    const p = await json<Proposal>(
      propose(c.id, { title: 'Liability cap', body: 'Liable up to {{cap}}.', comment: 'Shorter' }, agent),
      201,
    );
    const r = await json<{ proposal: Proposal; version: Version }>(
      decide(c.id, p.id, 'approve', { comment: 'Fine' }),
      200,
    );
    assert.equal(r.proposal.status, 'approved');
    assert.equal(r.proposal.resultingVersion, 2);
    assert.equal(r.proposal.decidedBy?.role, 'legal');
    assert.equal(r.version.version, 2);
    assert.equal(r.version.status, 'draft');
    assert.equal(r.version.title, 'Liability cap');
    assert.equal(r.version.body, 'Liable up to {{cap}}.');
    assert.equal(r.version.createdBy.role, 'agent');
    assert.equal(r.version.approvedBy?.role, 'legal');
    assert.equal(r.version.proposalId, p.id);
    const { items } = await json<{ items: Version[] }>(get(`/api/v1/clauses/${c.id}/versions`), 200);
    assert.equal(items[0]!.body, c.body, 'version 1 unchanged');
    assert.deepEqual(items[1]!.diffFromPrevious?.changed.sort(), ['body', 'title']);
    assert.deepEqual((items[1] as Version & { tags?: string[] }).tags, ['b2b']);
  });

  it('decides a proposal once: a second approve or reject is 409 and changes nothing', async () => {
    const c = await published();
    const p = await json<Proposal>(propose(c.id, { body: 'New text', comment: 'c' }, manager), 201);
    await json(decide(c.id, p.id, 'reject', { comment: 'No' }), 200);
    const before = await (await get(`/api/v1/clauses/${c.id}/versions`)).text();
    assert.equal((await decide(c.id, p.id, 'approve', {})).status, 409);
    assert.equal((await decide(c.id, p.id, 'reject', { comment: 'again' })).status, 409);
    assert.equal(await (await get(`/api/v1/clauses/${c.id}/versions`)).text(), before);
    const { items } = await json<{ items: Proposal[] }>(get(`/api/v1/clauses/${c.id}/proposals`), 200);
    assert.equal(items.find((x) => x.id === p.id)?.status, 'rejected');
    assert.equal((await decide(c.id, 'prop_missing', 'reject', { comment: 'x' })).status, 404);
  });

  it('refuses to approve a proposal whose base text legal has since changed (409); it stays pending', async () => {
    const c = await published();
    const p = await json<Proposal>(propose(c.id, { body: 'Agent text', comment: 'c' }, agent), 201);
    await json(patch(c.id, { body: 'Legal text' }), 200);
    const res = await decide(c.id, p.id, 'approve', {});
    assert.equal(res.status, 409);
    const { items } = await json<{ items: Proposal[] }>(get(`/api/v1/clauses/${c.id}/proposals`), 200);
    assert.equal(items.find((x) => x.id === p.id)?.status, 'pending');
  });

  it('lets only legal and admin decide (403, nothing changed); agents see only their own proposals', async () => {
    const c = await published();
    const mine = await json<Proposal>(propose(c.id, { body: 'Agent idea', comment: 'c' }, agent), 201);
    await json(propose(c.id, { body: 'Manager idea', comment: 'c' }, manager), 201);
    const before = await (await get(`/api/v1/clauses/${c.id}/proposals`)).text();
    for (const key of [agent, manager]) {
      assert.equal((await decide(c.id, mine.id, 'approve', {}, key)).status, 403);
      assert.equal((await decide(c.id, mine.id, 'reject', { comment: 'no' }, key)).status, 403);
    }
    assert.equal(await (await get(`/api/v1/clauses/${c.id}/proposals`)).text(), before);
    const seen = await json<{ items: Proposal[] }>(get(`/api/v1/clauses/${c.id}/proposals`, agent), 200);
    assert.deepEqual(
      seen.items.map((x) => x.id),
      [mine.id],
    );
    const all = await json<{ items: Proposal[] }>(get(`/api/v1/clauses/${c.id}/proposals`, legal), 200);
    assert.equal(all.items.length, 2);
  });

  it('validates proposals like clauses (422) and 404s a clause the proposer cannot see', async () => {
    const c = await published();
    assert.equal((await propose(c.id, { body: 'Pay {{ x', comment: 'c' }, agent)).status, 422);
    assert.equal((await propose(c.id, { body: 'ok' }, agent)).status, 422);
    const draft = await createClause();
    assert.equal((await propose(draft.id, { body: 'x', comment: 'y' }, agent)).status, 404);
  });

  it('records an embed token user as the author of a version and of a proposal', async () => {
    const mint = async (role: string, user: { id: string; name: string; email: string }) =>
      (
        await json<{ token: string }>(
          s.call('POST', '/api/v1/embed-tokens', { key: s.adminKey, json: { role, user } }),
          201,
        )
      ).token;
    const lena = { id: 'u-legal-7', name: 'Lena Legal', email: 'lena@example.com' };
    const arno = { id: 'u-agent-9', name: 'Arno Agent', email: 'arno@example.com' };
    const c = await createClause({}, await mint('legal', lena));
    assert.deepEqual(c.createdBy, { kind: 'user', ...lena, role: 'legal' });
    await json(publish(c.id, 1), 200);
    const p = await json<Proposal>(propose(c.id, { body: 'Arno text', comment: 'c' }, await mint('agent', arno)), 201);
    assert.deepEqual(p.proposedBy, { kind: 'user', ...arno, role: 'agent' });
    const r = await json<{ version: Version }>(decide(c.id, p.id, 'approve', {}, await mint('legal', lena)), 200);
    assert.deepEqual(r.version.createdBy, { kind: 'user', ...arno, role: 'agent' });
    assert.deepEqual(r.version.approvedBy, { kind: 'user', ...lena, role: 'legal' });
  });
});
