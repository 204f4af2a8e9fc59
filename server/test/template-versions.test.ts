import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FieldPlacement } from '@countersign/core';
import { makeServer, problemOf, session, uploadFixture, type TestServer } from './helpers.ts';

let s: TestServer;
let docA: string;
let docB: string;
let legal: string;
let agent: string;

before(async () => {
  s = await makeServer();
  docA = await uploadFixture(s, 'normal.pdf');
  docB = await uploadFixture(s, 'us_constitution.pdf');
  legal = await s.keyFor('legal');
  agent = await s.keyFor('agent');
});
after(() => s.close());

type Field = FieldPlacement;
interface Version {
  templateId: string;
  version: number;
  status: string;
  source: { documentId: string };
  documentSha256: string;
  roles: Array<{ key: string; action: string; order: number; label?: string }>;
  fields: Field[];
  variables: Array<{ key: string; type: string }>;
}

const sig = { id: 'sig', type: 'signature', role: 'customer', page: 1, x: 0.1, y: 0.7, width: 0.3, height: 0.08 };
const name = {
  id: 'name',
  key: 'name',
  type: 'text',
  role: 'customer',
  page: 1,
  x: 0.1,
  y: 0.85,
  width: 0.4,
  height: 0.04,
};

async function template(): Promise<string> {
  const res = await s.call('POST', '/api/v1/templates', {
    key: legal,
    json: {
      name: 'MSA',
      documentId: docA,
      roles: [{ key: 'customer', action: 'sign' }],
      fields: [sig, name],
      variables: [{ key: 'name', type: 'text', required: true }],
    },
  });
  assert.equal(res.status, 201, await res.clone().text());
  const id = ((await res.json()) as { id: string }).id;
  assert.equal((await s.call('POST', `/api/v1/templates/${id}/versions/1/publish`, { key: legal })).status, 200);
  return id;
}

const versions = (id: string, key = legal) => s.call('GET', `/api/v1/templates/${id}/versions`, { key });
const newVersion = (id: string, json: unknown, key = legal) =>
  s.call('POST', `/api/v1/templates/${id}/versions`, { key, json });
const patch = (id: string, n: number, json: unknown, key = legal) =>
  s.call('PATCH', `/api/v1/templates/${id}/versions/${n}`, { key, json });
const stored = async (id: string) =>
  JSON.stringify(await (await s.call('GET', `/api/v1/templates/${id}`, { key: s.adminKey })).json());

describe('template versions', () => {
  it('opens version 2 as a draft copied from the latest, with only the given parts replaced', async () => {
    const id = await template();
    const res = await newVersion(id, { fields: [{ ...sig, x: 0.5 }, name] });
    assert.equal(res.status, 201);
    const v2 = (await res.json()) as Version;
    assert.equal(v2.version, 2);
    assert.equal(v2.status, 'draft');
    assert.equal(v2.templateId, id);
    assert.equal(v2.source.documentId, docA);
    assert.deepEqual(
      v2.roles.map((r) => r.key),
      ['customer'],
    );
    assert.equal(v2.fields[0]!.x, 0.5);
    assert.deepEqual(v2.variables, [{ key: 'name', type: 'text', required: true }]);
    const list = (await (await versions(id)).json()) as { items: Version[] };
    assert.deepEqual(
      list.items.map((v) => [v.version, v.status]),
      [
        [1, 'published'],
        [2, 'draft'],
      ],
    );
  });

  it('allows one draft at a time: a second POST is 409 and changes nothing', async () => {
    const id = await template();
    assert.equal((await newVersion(id, {})).status, 201);
    const before = await stored(id);
    const res = await newVersion(id, { fields: [sig] });
    assert.equal(res.status, 409);
    assert.match((await problemOf(res)).detail ?? '', /draft/);
    assert.equal(await stored(id), before);
    // Once published, the next version can be opened.
    assert.equal((await s.call('POST', `/api/v1/templates/${id}/versions/2/publish`, { key: legal })).status, 200);
    const v3 = (await (await newVersion(id, {})).json()) as Version;
    assert.equal(v3.version, 3);
  });

  it('opens exactly one draft when two requests race', async () => {
    const id = await template();
    const results = await Promise.all([newVersion(id, {}), newVersion(id, {}), newVersion(id, {})]);
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409]);
    const list = (await (await versions(id)).json()) as { items: Version[] };
    assert.deepEqual(
      list.items.map((v) => v.version),
      [1, 2],
    );
  });

  it('edits a draft with PATCH and refuses to change a published version (409, nothing changed)', async () => {
    const id = await template();
    await newVersion(id, {});
    const res = await patch(id, 2, { documentId: docB, roles: [{ key: 'customer', action: 'sign', label: 'Client' }] });
    assert.equal(res.status, 200);
    const v2 = (await res.json()) as Version;
    assert.equal(v2.source.documentId, docB);
    assert.equal(v2.roles[0]!.label, 'Client');
    assert.equal(v2.fields.length, 2, 'fields kept');

    const before = await stored(id);
    const refused = await patch(id, 1, { fields: [sig] });
    assert.equal(refused.status, 409);
    assert.equal(await stored(id), before);
    assert.equal((await patch(id, 9, {})).status, 404);
    assert.equal((await patch('tpl_nope', 1, {})).status, 404);
  });

  it('validates a new or edited version as a whole and keeps nothing from a refused call', async () => {
    const id = await template();
    const before = await stored(id);
    const cases: Array<[unknown, string]> = [
      [{ fields: [{ ...sig, role: 'ghost' }] }, 'fields.0.role'],
      [{ fields: [{ ...sig, page: 3 }] }, 'fields.0.page'],
      [{ roles: [{ key: 'seller', action: 'sign' }] }, 'fields.0.role'],
      [{ documentId: 'doc_missing' }, 'documentId'],
      [{ name: 'renamed' }, ''],
    ];
    for (const [body, path] of cases) {
      const res = await newVersion(id, body);
      assert.equal(res.status, 422, JSON.stringify(body));
      const p = await problemOf(res);
      if (path)
        assert.ok(
          p.errors?.some((e) => e.path === path),
          `${path}: ${JSON.stringify(p.errors)}`,
        );
    }
    assert.equal(await stored(id), before);
    await newVersion(id, {});
    const draft = await stored(id);
    assert.equal((await patch(id, 2, { fields: [{ ...sig, x: 0.9 }] })).status, 422);
    assert.equal(await stored(id), draft);
  });

  it('lets only legal and admin write versions; agents list published versions only', async () => {
    const id = await template();
    assert.equal((await newVersion(id, {}, agent)).status, 403);
    await newVersion(id, {});
    assert.equal((await patch(id, 2, {}, agent)).status, 403);
    const seen = (await (await versions(id, agent)).json()) as { items: Version[] };
    assert.deepEqual(
      seen.items.map((v) => v.version),
      [1],
    );
    assert.equal((await versions('tpl_nope')).status, 404);
    assert.equal((await s.call('GET', `/api/v1/templates/${id}/versions/1/diff/2`, { key: agent })).status, 404);
  });

  it('diffs two versions: document, roles, fields added/removed/moved/changed, variables', async () => {
    const id = await template();
    await newVersion(id, {
      documentId: docB,
      roles: [
        { key: 'customer', action: 'sign', order: 2 },
        { key: 'witness', action: 'view' },
      ],
      fields: [
        { ...sig, y: 0.5 },
        { ...name, label: 'Full name', required: true },
        { id: 'date', type: 'date_signed', role: 'customer', page: 1, x: 0.6, y: 0.7, width: 0.2, height: 0.04 },
      ],
      variables: [
        { key: 'name', type: 'text', required: false },
        { key: 'amount', type: 'money', currency: 'EUR' },
      ],
    });
    const res = await s.call('GET', `/api/v1/templates/${id}/versions/1/diff/2`, { key: legal });
    assert.equal(res.status, 200);
    const d = (await res.json()) as {
      identical: boolean;
      document: { changed: boolean; before: { documentId: string }; after: { documentId: string } };
      roles: {
        added: Array<{ key: string }>;
        removed: unknown[];
        changed: Array<{ key: string; before: { order: number }; after: { order: number } }>;
      };
      fields: {
        added: Field[];
        removed: Field[];
        moved: Array<{ id: string; before: { y: number }; after: { y: number } }>;
        changed: Array<{ id: string; before: Field; after: Field }>;
      };
      variables: { added: Array<{ key: string }>; removed: unknown[]; changed: Array<{ key: string }> };
    };
    assert.equal(d.identical, false);
    assert.equal(d.document.changed, true);
    assert.equal(d.document.before.documentId, docA);
    assert.equal(d.document.after.documentId, docB);
    assert.deepEqual(
      d.roles.added.map((r) => r.key),
      ['witness'],
    );
    assert.equal(d.roles.changed[0]!.key, 'customer');
    assert.deepEqual([d.roles.changed[0]!.before.order, d.roles.changed[0]!.after.order], [1, 2]);
    assert.deepEqual(
      d.fields.added.map((f) => f.id),
      ['date'],
    );
    assert.deepEqual(d.fields.removed, []);
    assert.deepEqual(d.fields.moved, [
      {
        id: 'sig',
        before: { page: 1, x: 0.1, y: 0.7, width: 0.3, height: 0.08 },
        after: { page: 1, x: 0.1, y: 0.5, width: 0.3, height: 0.08 },
      },
    ]);
    assert.deepEqual(
      d.fields.changed.map((c) => [c.id, c.before.label, c.after.label]),
      [['name', undefined, 'Full name']],
    );
    assert.deepEqual(
      d.variables.added.map((v) => v.key),
      ['amount'],
    );
    assert.deepEqual(
      d.variables.changed.map((v) => v.key),
      ['name'],
    );
    const backwards = (await (
      await s.call('GET', `/api/v1/templates/${id}/versions/2/diff/1`, { key: legal })
    ).json()) as typeof d;
    assert.deepEqual(
      backwards.fields.removed.map((f) => f.id),
      ['date'],
    );
    const self = (await (
      await s.call('GET', `/api/v1/templates/${id}/versions/1/diff/1`, { key: legal })
    ).json()) as typeof d;
    assert.equal(self.identical, true);
    assert.equal((await s.call('GET', `/api/v1/templates/${id}/versions/1/diff/7`, { key: legal })).status, 404);
  });

  it('keeps an envelope on the version it was sent from after a new version is published', async () => {
    const id = await template();
    const env = (await (
      await s.call('POST', '/api/v1/envelopes', {
        key: agent,
        json: {
          templateId: id,
          mergeData: { name: 'Ada' },
          recipients: [{ role: 'customer', name: 'Ada', email: 'ada@example.com' }],
        },
      })
    ).json()) as { id: string; templateVersion: number; documentSha256: string; recipients: Array<{ id: string }> };
    assert.equal(env.templateVersion, 1);
    const v1Sha = env.documentSha256;

    await newVersion(id, { documentId: docB, fields: [{ ...sig, id: 'sig2', y: 0.2 }] });
    assert.equal((await s.call('POST', `/api/v1/templates/${id}/versions/2/publish`, { key: legal })).status, 200);

    const again = (await (await s.call('GET', `/api/v1/envelopes/${env.id}`, { key: agent })).json()) as typeof env;
    assert.equal(again.templateVersion, 1);
    assert.equal(again.documentSha256, v1Sha);
    const token = ((await (await session(s, env.id, env.recipients[0]!.id)).json()) as { token: string }).token;
    const view = (await (await s.call('GET', '/api/v1/signing', { key: token })).json()) as {
      fields: Field[];
      document: { sha256: string };
    };
    assert.equal(view.document.sha256, v1Sha);
    assert.deepEqual(view.fields.map((f) => f.id).sort(), ['name', 'sig']);
    assert.equal(view.fields.find((f) => f.id === 'sig')!.y, 0.7);

    // A new envelope goes out from v2.
    const next = (await (
      await s.call('POST', '/api/v1/envelopes', {
        key: agent,
        json: {
          templateId: id,
          mergeData: { name: 'Bo' },
          recipients: [{ role: 'customer', name: 'Bo', email: 'bo@example.com' }],
        },
      })
    ).json()) as typeof env;
    assert.equal(next.templateVersion, 2);
    assert.notEqual(next.documentSha256, v1Sha);
  });

  it('documents the version endpoints in the OpenAPI document', async () => {
    const doc = (await (await s.call('GET', '/api/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    assert.ok(doc.paths['/api/v1/templates/{id}/versions']?.post);
    assert.ok(doc.paths['/api/v1/templates/{id}/versions']?.get);
    assert.ok(doc.paths['/api/v1/templates/{id}/versions/{n}']?.patch);
    assert.ok(doc.paths['/api/v1/templates/{id}/versions/{a}/diff/{b}']?.get);
  });
});
