import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  expectOk,
  filesUnder,
  fixture,
  makeServer,
  PNG_DATA_URL,
  pdfForm,
  seed,
  session,
  signAsCustomer,
  type TestServer,
} from './helpers.ts';

let s: TestServer;
before(async () => {
  s = await makeServer();
});
after(() => s.close());

type Seeded = Awaited<ReturnType<typeof seed>>;

/** Every operation of the OpenAPI document, with its path filled in for one seeded envelope. */
async function operations(seeded: Seeded): Promise<Array<{ method: string; path: string; url: string }>> {
  const doc = (await (await s.call('GET', '/api/v1/openapi.json')).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const ids: Record<string, string> = {
    id: seeded.envelopeId,
    rid: seeded.recipients[0]!.id,
    n: '1',
    fieldId: 'customer_name',
  };
  const out: Array<{ method: string; path: string; url: string }> = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      let url = path.replace(/\{(\w+)\}/g, (_, k: string) => ids[k] ?? `unknown_${k}`);
      if (path.startsWith('/api/v1/templates/{id}')) url = url.replace(seeded.envelopeId, seeded.templateId);
      if (path.startsWith('/api/v1/documents/{id}')) url = url.replace(seeded.envelopeId, seeded.documentId);
      out.push({ method: method.toUpperCase(), path, url });
    }
  }
  return out;
}

/** A snapshot of what a refused call must not change. */
async function snapshot(seeded: Seeded) {
  const get = async (url: string) => (await s.call('GET', url, { key: s.adminKey })).text();
  return {
    envelope: await get(`/api/v1/envelopes/${seeded.envelopeId}`),
    audit: await get(`/api/v1/envelopes/${seeded.envelopeId}/audit`),
    envelopes: await get('/api/v1/envelopes'),
    templates: await get('/api/v1/templates'),
    keys: await get('/api/v1/api-keys'),
    files: (await filesUnder(s.dataDir)).filter((f) => !f.includes('/sessions/')).sort(),
  };
}

function bodyFor(method: string, path: string): { json?: unknown; body?: FormData } {
  if (method === 'GET') return {};
  if (path === '/api/v1/documents') return { body: new FormData() };
  return { json: { name: 'x', role: 'admin', reason: 'x', accepted: true, value: 'x' } };
}

describe('a signing token reaches nothing outside /api/v1/signing', () => {
  it('is refused with 401 on every staff operation of the OpenAPI document, which changes nothing', async () => {
    const seeded = await seed(s);
    const ops = (await operations(seeded)).filter((o) => !o.path.startsWith('/api/v1/signing'));
    assert.ok(ops.length >= 14, `only ${ops.length} staff operations`);
    const before = await snapshot(seeded);
    for (const op of ops) {
      const res = await s.call(op.method, op.url, { key: seeded.session.token, ...bodyFor(op.method, op.path) });
      assert.equal(res.status, 401, `${op.method} ${op.path} → ${res.status}`);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
    }
    assert.deepEqual(await snapshot(seeded), before);
  });

  it('and an API key, of any role, is refused on every signer operation', async () => {
    const seeded = await seed(s);
    const ops = (await operations(seeded)).filter((o) => o.path.startsWith('/api/v1/signing'));
    assert.equal(ops.length, 6);
    const before = await snapshot(seeded);
    for (const key of [s.adminKey, await s.keyFor('agent')]) {
      for (const op of ops) {
        const res = await s.call(op.method, op.url, { key, ...bodyFor(op.method, op.path) });
        assert.equal(res.status, 401, `${op.method} ${op.path} → ${res.status}`);
      }
    }
    const after = await snapshot(seeded);
    assert.deepEqual({ ...after, keys: undefined }, { ...before, keys: undefined });
  });
});

describe('a signing session is bound to one recipient', () => {
  it('never shows another recipient’s field values in GET /signing, nor lets it write them', async () => {
    const seeded = await seed(s, {
      recipients: [
        { name: 'A', email: 'a@example.com' },
        { name: 'B', email: 'b@example.com' },
      ],
    });
    const other = await session(s, seeded.envelopeId, seeded.recipients[1]!.id);
    const tokenB = ((await other.json()) as { token: string }).token;
    await expectOk(
      s.call('PUT', '/api/v1/signing/fields/signer2_signature_last', {
        key: tokenB,
        json: { value: { kind: 'typed', text: 'Secret of B' } },
      }),
    );
    const viewA = await (await s.call('GET', '/api/v1/signing', { key: seeded.session.token })).text();
    assert.ok(!viewA.includes('Secret of B'));
    assert.ok(!viewA.includes('signer2'));
    assert.ok(!viewA.includes('b@example.com'));
    const res = await s.call('PUT', '/api/v1/signing/fields/signer2_signature_last', {
      key: seeded.session.token,
      json: { value: { kind: 'typed', text: 'Overwritten by A' } },
    });
    assert.equal(res.status, 404);
    const viewB = (await (await s.call('GET', '/api/v1/signing', { key: tokenB })).json()) as {
      fields: Array<{ id: string; value: unknown }>;
    };
    assert.deepEqual(viewB.fields.find((f) => f.id === 'signer2_signature_last')?.value, {
      kind: 'typed',
      text: 'Secret of B',
    });
  });

  it('refuses field writes (409) and a new session (409) once its recipient has signed, while others still sign', async () => {
    const seeded = await seed(s, {
      recipients: [
        { name: 'A', email: 'a@example.com' },
        { name: 'B', email: 'b@example.com' },
      ],
    });
    const t = seeded.session.token;
    assert.equal((await signAsCustomer(s, t)).status, 200);
    const env = (await (await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}`, { key: s.adminKey })).json()) as {
      status: string;
    };
    assert.equal(env.status, 'sent');
    const auditBefore = await (
      await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}/audit`, { key: s.adminKey })
    ).text();
    for (const [id, value] of [
      ['customer_name', 'Changed after signing'],
      ['customer_signature', { kind: 'drawn', image: PNG_DATA_URL }],
      ['customer_agree', null],
    ] as const) {
      const res = await s.call('PUT', `/api/v1/signing/fields/${id}`, { key: t, json: { value } });
      assert.equal(res.status, 409, id);
    }
    assert.equal((await s.call('POST', '/api/v1/signing/consent', { key: t, json: { accepted: true } })).status, 409);
    assert.equal(
      (await s.call('POST', '/api/v1/signing/decline', { key: t, json: { reason: 'changed my mind' } })).status,
      409,
    );
    assert.equal((await session(s, seeded.envelopeId, seeded.recipients[0]!.id)).status, 409);
    const auditAfter = await (
      await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}/audit`, { key: s.adminKey })
    ).text();
    assert.equal(auditAfter, auditBefore);
    const view = (await (await s.call('GET', '/api/v1/signing', { key: t })).json()) as {
      fields: Array<{ id: string; value: unknown }>;
    };
    assert.equal(view.fields.find((f) => f.id === 'customer_name')?.value, 'Name of customer');
  });
});

describe('secrets at rest', () => {
  it('never writes an API key or a signing token in plain text anywhere under the data dir', async () => {
    const keys = [s.adminKey, await s.keyFor('agent'), await s.keyFor('legal'), await s.keyFor('manager')];
    const seeded = await seed(s);
    const tokens = [seeded.session.token];
    for (let i = 0; i < 3; i++) {
      const res = await session(s, seeded.envelopeId, seeded.recipients[0]!.id, keys[1 + (i % 3)]!);
      if (res.status === 201) tokens.push(((await res.json()) as { token: string }).token);
    }
    assert.ok(tokens.length >= 2);
    assert.equal((await signAsCustomer(s, seeded.session.token)).status, 200);
    await s.idle();
    const secrets = [...keys, ...tokens].flatMap((k) => [k, k.replace(/^cs_(live|sign)_/, '')]);
    const files = await filesUnder(s.dataDir);
    assert.ok(files.some((f) => f.includes('/sessions/')));
    for (const file of files) {
      const bytes = await readFile(file);
      const text = bytes.toString('latin1');
      for (const secret of secrets) assert.ok(!text.includes(secret), `${file} holds a secret`);
    }
  });
});

describe('role rules: a refused call changes nothing', () => {
  it('refuses an upload without a staff credential without storing a byte', async () => {
    const seeded = await seed(s);
    const before = await snapshot(seeded);
    for (const key of [seeded.session.token, 'cs_live_unknown', undefined]) {
      const res = await s.call('POST', '/api/v1/documents', {
        key,
        body: pdfForm(await fixture('normal.pdf'), 'x.pdf'),
      });
      assert.equal(res.status, 401);
    }
    const after = await snapshot(seeded);
    assert.deepEqual(after.files, before.files);
  });

  it('lets a manager read every envelope, audit and event stream but not create templates or keys', async () => {
    const agent = await s.keyFor('agent', 'Agent Z');
    const manager = await s.keyFor('manager');
    const seeded = await seed(s);
    const created = await s.call('POST', '/api/v1/envelopes', {
      key: agent,
      json: {
        templateId: seeded.templateId,
        recipients: [{ role: 'customer', name: 'محمد', email: 'm@example.com' }],
      },
    });
    assert.equal(created.status, 201);
    const e = (await created.json()) as { id: string; recipients: Array<{ id: string }> };
    assert.equal((await s.call('GET', `/api/v1/envelopes/${e.id}`, { key: manager })).status, 200);
    assert.equal((await s.call('GET', `/api/v1/envelopes/${e.id}/audit`, { key: manager })).status, 200);
    assert.equal((await session(s, e.id, e.recipients[0]!.id, manager)).status, 201);
    const before = await snapshot(seeded);
    const tpl = await s.call('POST', '/api/v1/templates', {
      key: manager,
      json: { name: 't', documentId: seeded.documentId, roles: [{ key: 'c', action: 'sign' }], fields: [] },
    });
    assert.equal(tpl.status, 403);
    const key = await s.call('POST', '/api/v1/api-keys', { key: manager, json: { name: 'x', role: 'admin' } });
    assert.equal(key.status, 403);
    const after = await snapshot(seeded);
    assert.deepEqual({ ...after, envelopes: undefined }, { ...before, envelopes: undefined });
  });
});
