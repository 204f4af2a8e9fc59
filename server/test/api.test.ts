import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeServer, problemOf, seed, session, type TestServer } from './helpers.ts';

let s: TestServer;
before(async () => {
  s = await makeServer({ allowedOrigins: ['https://portal.example'] });
});
after(() => s.close());

describe('authentication and problem details', () => {
  it('refuses a missing or unknown key with 401, WWW-Authenticate and a problem without a stack', async () => {
    for (const key of [undefined, 'cs_live_nope']) {
      const res = await s.call('GET', '/api/v1/envelopes', { key });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      const body = await problemOf(res);
      assert.equal(body.status, 401);
      assert.ok(body.type.endsWith('/unauthorized'));
      assert.ok(body.title);
      assert.doesNotMatch(JSON.stringify(body), /at .*\.ts:\d+/);
    }
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await s.call('GET', '/api/v1/nothing-here');
    assert.equal(res.status, 404);
    assert.equal((await problemOf(res)).status, 404);
  });

  it('maps malformed JSON to a 400 problem and schema errors to 422 with errors[].path', async () => {
    let res = await s.call('POST', '/api/v1/api-keys', {
      key: s.adminKey,
      body: '{nope',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
    res = await s.call('POST', '/api/v1/api-keys', { key: s.adminKey, json: { name: '', role: 'emperor' } });
    assert.equal(res.status, 422);
    const p = await problemOf(res);
    assert.deepEqual(p.errors?.map((e) => e.path).sort(), ['name', 'role']);
  });

  it('serves the OpenAPI 3.1 document with every path, and /healthz', async () => {
    const res = await s.call('GET', '/api/v1/openapi.json');
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(doc.openapi, '3.1.0');
    for (const p of [
      '/api/v1/documents',
      '/api/v1/templates',
      '/api/v1/templates/{id}/versions/{n}/publish',
      '/api/v1/envelopes',
      '/api/v1/envelopes/{id}/recipients/{rid}/signing-session',
      '/api/v1/envelopes/{id}/audit',
      '/api/v1/envelopes/{id}/events',
      '/api/v1/envelopes/{id}/document',
      '/api/v1/signing',
      '/api/v1/signing/document',
      '/api/v1/signing/fields/{fieldId}',
      '/api/v1/signing/complete',
      '/api/v1/signing/decline',
      '/api/v1/api-keys',
    ]) {
      assert.ok(doc.paths[p], `missing ${p}`);
    }
    assert.equal((await s.call('GET', '/healthz')).status, 200);
  });
});

describe('API keys', () => {
  it('creates a cs_live_ key shown once, lists without secrets, stores only its hash', async () => {
    const res = await s.call('POST', '/api/v1/api-keys', { key: s.adminKey, json: { name: 'Legal', role: 'legal' } });
    assert.equal(res.status, 201);
    const created = (await res.json()) as { id: string; key: string; role: string };
    assert.match(created.key, /^cs_live_[A-Za-z0-9_-]{43,}$/);
    assert.equal(created.role, 'legal');
    const list = await (await s.call('GET', '/api/v1/api-keys', { key: s.adminKey })).text();
    assert.ok(list.includes(created.id));
    assert.ok(!list.includes(created.key));
    const { readFile } = await import('node:fs/promises');
    const stored = await readFile(`${s.dataDir}/store/api-keys.json`, 'utf8');
    assert.ok(!stored.includes(created.key));
    assert.ok(!stored.includes(s.adminKey));
  });

  it('refuses key management to every role but admin, creating nothing', async () => {
    const before = await (await s.call('GET', '/api/v1/api-keys', { key: s.adminKey })).json();
    for (const role of ['legal', 'agent', 'manager'] as const) {
      const key = await s.keyFor(role);
      const res = await s.call('POST', '/api/v1/api-keys', { key, json: { name: 'x', role: 'admin' } });
      assert.equal(res.status, 403);
      assert.equal((await s.call('GET', '/api/v1/api-keys', { key })).status, 403);
    }
    const afterList = (await (await s.call('GET', '/api/v1/api-keys', { key: s.adminKey })).json()) as {
      items: unknown[];
    };
    assert.equal(afterList.items.length, (before as { items: unknown[] }).items.length + 3);
  });
});

describe('role matrix', () => {
  it('lets only admin and legal manage templates; refusals change nothing', async () => {
    const agent = await s.keyFor('agent');
    const manager = await s.keyFor('manager');
    const seeded = await seed(s);
    const templatesBefore = await (await s.call('GET', '/api/v1/templates', { key: s.adminKey })).text();
    for (const key of [agent, manager]) {
      let res = await s.call('POST', '/api/v1/templates', {
        key,
        json: { name: 't', documentId: seeded.documentId, roles: [{ key: 'c', action: 'sign' }], fields: [] },
      });
      assert.equal(res.status, 403);
      res = await s.call('POST', `/api/v1/templates/${seeded.templateId}/versions/1/publish`, { key });
      assert.equal(res.status, 403);
    }
    assert.equal(await (await s.call('GET', '/api/v1/templates', { key: s.adminKey })).text(), templatesBefore);
  });

  it('shows agents and managers only published template versions, never drafts', async () => {
    const agent = await s.keyFor('agent');
    const seeded = await seed(s);
    const draft = await s.call('POST', '/api/v1/templates', {
      key: s.adminKey,
      json: { name: 'Draft only', documentId: seeded.documentId, roles: [{ key: 'c', action: 'sign' }], fields: [] },
    });
    assert.equal(draft.status, 201);
    const draftId = ((await draft.json()) as { id: string }).id;
    for (const key of [agent, await s.keyFor('manager')]) {
      const list = (await (await s.call('GET', '/api/v1/templates', { key })).json()) as { items: { id: string }[] };
      const ids = list.items.map((t) => t.id);
      assert.ok(ids.includes(seeded.templateId), 'published template listed');
      assert.ok(!ids.includes(draftId), 'draft-only template hidden');
      assert.equal((await s.call('GET', `/api/v1/templates/${draftId}`, { key })).status, 404);
      const one = (await (await s.call('GET', `/api/v1/templates/${seeded.templateId}`, { key })).json()) as {
        versions: { status: string }[];
      };
      assert.ok(one.versions.length > 0 && one.versions.every((v) => v.status === 'published'));
    }
    const legalView = await s.call('GET', `/api/v1/templates/${draftId}`, { key: s.adminKey });
    assert.equal(legalView.status, 200);
  });

  it('shows an agent only its own envelopes; manager and legal see all', async () => {
    const agentA = await s.keyFor('agent', 'A');
    const agentB = await s.keyFor('agent', 'B');
    const manager = await s.keyFor('manager');
    const legal = await s.keyFor('legal');
    const seeded = await seed(s);
    const create = (key: string) =>
      s.call('POST', '/api/v1/envelopes', {
        key,
        json: {
          templateId: seeded.templateId,
          recipients: [{ role: 'customer', name: 'Юлия', email: 'julia@example.com' }],
          send: true,
        },
      });
    const a = (await (await create(agentA)).json()) as { id: string; recipients: Array<{ id: string }> };
    const b = (await (await create(agentB)).json()) as { id: string };
    const listA = (await (await s.call('GET', '/api/v1/envelopes', { key: agentA })).json()) as {
      items: Array<{ id: string }>;
    };
    assert.deepEqual(
      listA.items.map((e) => e.id),
      [a.id],
    );
    for (const key of [manager, legal, s.adminKey]) {
      const ids = (
        (await (await s.call('GET', '/api/v1/envelopes', { key })).json()) as { items: Array<{ id: string }> }
      ).items.map((e) => e.id);
      assert.ok(ids.includes(a.id) && ids.includes(b.id));
      assert.equal((await s.call('GET', `/api/v1/envelopes/${a.id}`, { key })).status, 200);
    }
    const auditBefore = await (await s.call('GET', `/api/v1/envelopes/${a.id}/audit`, { key: s.adminKey })).text();
    for (const path of [
      `/api/v1/envelopes/${a.id}`,
      `/api/v1/envelopes/${a.id}/audit`,
      `/api/v1/envelopes/${a.id}/document`,
      `/api/v1/envelopes/${a.id}/events`,
    ]) {
      const res = await s.call('GET', path, { key: agentB });
      assert.equal(res.status, 404, path);
    }
    assert.equal((await session(s, a.id, a.recipients[0]!.id, agentB)).status, 404);
    assert.equal(
      (await s.call('POST', `/api/v1/envelopes/${a.id}/void`, { key: agentB, json: { reason: 'x' } })).status,
      404,
    );
    assert.equal(
      await (await s.call('GET', `/api/v1/envelopes/${a.id}/audit`, { key: s.adminKey })).text(),
      auditBefore,
    );
  });
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin, without credentials', async () => {
    const res = await s.call('OPTIONS', '/api/v1/signing', {
      headers: {
        Origin: 'https://portal.example',
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    assert.ok(res.status === 204 || res.status === 200);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://portal.example');
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /authorization/i);
    assert.equal(res.headers.get('access-control-allow-credentials'), null);
    const get = await s.call('GET', '/healthz', { headers: { Origin: 'https://portal.example' } });
    assert.match(get.headers.get('access-control-expose-headers') ?? '', /Content-Range/);
  });

  it('gives another origin no Access-Control-Allow-Origin', async () => {
    const res = await s.call('OPTIONS', '/api/v1/signing', {
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'PUT' },
    });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const get = await s.call('GET', '/healthz', { headers: { Origin: 'https://evil.example' } });
    assert.equal(get.headers.get('access-control-allow-origin'), null);
  });
});
