import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeServer, problemOf, uploadFixture, type TestServer } from './helpers.ts';

let s: TestServer;
let documentId: string;
before(async () => {
  s = await makeServer();
  documentId = await uploadFixture(s);
});
after(() => s.close());

const field = (over: Record<string, unknown> = {}) => ({
  type: 'signature',
  role: 'customer',
  page: 1,
  x: 0.1,
  y: 0.1,
  width: 0.3,
  height: 0.1,
  ...over,
});
const create = (body: Record<string, unknown>, key = s.adminKey) =>
  s.call('POST', '/api/v1/templates', {
    key,
    json: { name: 'T', documentId, roles: [{ key: 'customer', action: 'sign' }], fields: [field()], ...body },
  });

describe('templates', () => {
  it('creates version 1 as a draft with generated, unique field ids', async () => {
    const res = await create({ fields: [field(), field({ type: 'text', key: 'company' })] });
    assert.equal(res.status, 201);
    const t = (await res.json()) as {
      id: string;
      version: number;
      status: string;
      versions: Array<{ fields: Array<{ id: string }> }>;
    };
    assert.equal(t.version, 1);
    assert.equal(t.status, 'draft');
    const ids = t.versions[0]!.fields.map((f) => f.id);
    assert.equal(new Set(ids).size, 2);
    const got = (await (await s.call('GET', `/api/v1/templates/${t.id}`, { key: s.adminKey })).json()) as {
      versions: unknown[];
    };
    assert.equal(got.versions.length, 1);
    const list = (await (await s.call('GET', '/api/v1/templates', { key: s.adminKey })).json()) as {
      items: Array<{ id: string }>;
    };
    assert.ok(list.items.some((x) => x.id === t.id));
  });

  it('refuses fields off the page, outside 0..1, on undeclared roles, of unknown types, with duplicate ids', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [field({ page: 3 }), 'fields.0.page'],
      [field({ x: 0.8, width: 0.3 }), 'fields.0.width'],
      [field({ y: 0.95, height: 0.1 }), 'fields.0.height'],
      [field({ x: -0.1 }), 'fields.0.x'],
      [field({ role: 'ghost' }), 'fields.0.role'],
      [field({ type: 'stamp' }), 'fields.0.type'],
      [field({ page: 0 }), 'fields.0.page'],
    ];
    for (const [f, path] of cases) {
      const res = await create({ fields: [f] });
      assert.equal(res.status, 422, path);
      const p = await problemOf(res);
      assert.ok(
        p.errors?.some((e) => e.path === path),
        `${path}: ${JSON.stringify(p.errors)}`,
      );
    }
    const dup = await create({ fields: [field({ id: 'a' }), field({ id: 'a' })] });
    assert.equal(dup.status, 422);
    const missingDoc = await create({ documentId: 'doc_missing' });
    assert.equal(missingDoc.status, 422);
  });

  it('publishes idempotently, and only published versions can be sent', async () => {
    const t = (await (await create({})).json()) as { id: string };
    const draftSend = await s.call('POST', '/api/v1/envelopes', {
      key: s.adminKey,
      json: { templateId: t.id, recipients: [{ role: 'customer', name: 'A', email: 'a@example.com' }], send: true },
    });
    assert.equal(draftSend.status, 409);
    const explicitDraft = await s.call('POST', '/api/v1/envelopes', {
      key: s.adminKey,
      json: {
        templateId: t.id,
        version: 1,
        recipients: [{ role: 'customer', name: 'A', email: 'a@example.com' }],
        send: true,
      },
    });
    assert.equal(explicitDraft.status, 409);
    const first = await s.call('POST', `/api/v1/templates/${t.id}/versions/1/publish`, { key: s.adminKey });
    assert.equal(first.status, 200);
    const a = (await first.json()) as { status: string; publishedAt: string };
    assert.equal(a.status, 'published');
    const second = await s.call('POST', `/api/v1/templates/${t.id}/versions/1/publish`, { key: s.adminKey });
    assert.equal(second.status, 200);
    assert.equal(((await second.json()) as { publishedAt: string }).publishedAt, a.publishedAt);
    assert.equal(
      (await s.call('POST', `/api/v1/templates/${t.id}/versions/2/publish`, { key: s.adminKey })).status,
      404,
    );
    assert.equal(
      (await s.call('POST', `/api/v1/templates/tpl_nope/versions/1/publish`, { key: s.adminKey })).status,
      404,
    );
  });

  it('lets legal create and publish templates', async () => {
    const legal = await s.keyFor('legal');
    const res = await create({}, legal);
    assert.equal(res.status, 201);
    const t = (await res.json()) as { id: string };
    assert.equal((await s.call('POST', `/api/v1/templates/${t.id}/versions/1/publish`, { key: legal })).status, 200);
  });
});
