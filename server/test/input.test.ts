import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  expectOk,
  fixture,
  makeServer,
  NAMES,
  pdfForm,
  problemOf,
  quietly,
  seed,
  session,
  type TestServer,
} from './helpers.ts';

let s: TestServer;
let seeded: Awaited<ReturnType<typeof seed>>;
before(async () => {
  s = await makeServer({ maxJsonBytes: 64 * 1024 });
  seeded = await seed(s, {
    recipients: [
      { name: 'A', email: 'a@example.com' },
      { name: 'B', email: 'b@example.com' },
    ],
  });
});
after(() => s.close());

const SCRIPT = `<script>alert("x")</script><img src=x onerror=alert(1)> &amp; &lt;b&gt; ' "`;

function assertNoLeak(text: string) {
  assert.doesNotMatch(text, /\bat .+:\d+:\d+|node_modules|\/work\/|[A-Z]:\\|Error:/);
}

describe('malformed requests get RFC 9457 problems', () => {
  it('malformed JSON → 400, wrong or missing content type → 415, on staff and signer routes', async () => {
    const cases: Array<[string, string, string | undefined]> = [
      ['POST', '/api/v1/envelopes', s.adminKey],
      ['POST', '/api/v1/api-keys', s.adminKey],
      ['PUT', '/api/v1/signing/fields/customer_name', seeded.session.token],
      ['POST', '/api/v1/signing/decline', seeded.session.token],
    ];
    for (const [method, url, key] of cases) {
      let res = await s.call(method, url, { key, body: '{"value": ', headers: { 'Content-Type': 'application/json' } });
      assert.equal(res.status, 400, url);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      let p = await problemOf(res);
      assert.equal(p.status, 400);
      assert.ok(p.type.endsWith('/bad-request'));
      assertNoLeak(JSON.stringify(p));
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
        res = await s.call(method, url, {
          key,
          body: '{"value":"x"}',
          headers: type ? { 'Content-Type': type } : {},
        });
        assert.equal(res.status, 415, `${url} ${type}`);
        p = await problemOf(res);
        assert.ok(p.type.endsWith('/unsupported-media-type'));
        assert.match(p.detail ?? '', /application\/json/);
      }
    }
    const upload = await s.call('POST', '/api/v1/documents', {
      key: s.adminKey,
      json: { file: 'not multipart' },
    });
    assert.equal(upload.status, 415);
    assert.match((await problemOf(upload)).detail ?? '', /multipart/);
  });

  it('cuts off JSON bodies over the limit with 413, with or without Content-Length, storing nothing', async () => {
    const auditBefore = await (
      await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}/audit`, { key: s.adminKey })
    ).text();
    const big = JSON.stringify({ value: 'x'.repeat(100 * 1024) });
    let res = await s.call('PUT', '/api/v1/signing/fields/customer_name', {
      key: seeded.session.token,
      body: big,
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(res.status, 413);
    assert.ok((await problemOf(res)).type.endsWith('/payload-too-large'));
    // A streamed (chunked) body has no Content-Length: it is counted as it arrives.
    const chunk = new TextEncoder().encode(' '.repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"value":"'));
        if (sent++ < 64) controller.enqueue(chunk);
        else controller.close();
      },
    });
    res = await s.app.request('/api/v1/signing/fields/customer_name', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${seeded.session.token}`, 'Content-Type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413);
    assert.ok(sent < 64, `read ${sent} chunks of 64: the limit did not stop reading`);
    res = await s.call('POST', '/api/v1/envelopes', {
      key: s.adminKey,
      json: { templateId: seeded.templateId, recipients: [], mergeData: { blob: 'y'.repeat(70 * 1024) } },
    });
    assert.equal(res.status, 413);
    const auditAfter = await (
      await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}/audit`, { key: s.adminKey })
    ).text();
    assert.equal(auditAfter, auditBefore);
  });

  it('refuses unknown fields with 422 naming them, on every JSON body', async () => {
    const recipients = [
      { role: 'customer', name: 'A', email: 'a@example.com' },
      { role: 'signer2', name: 'B', email: 'b@example.com' },
    ];
    const cases: Array<[string, string, string, unknown]> = [
      ['POST', '/api/v1/api-keys', s.adminKey, { name: 'k', role: 'agent', scopes: ['*'] }],
      [
        'POST',
        '/api/v1/templates',
        s.adminKey,
        { name: 't', documentId: seeded.documentId, roles: [{ key: 'c', action: 'sign' }], fields: [], owner: 'me' },
      ],
      [
        'POST',
        '/api/v1/templates',
        s.adminKey,
        { name: 't', documentId: seeded.documentId, roles: [{ key: 'c', action: 'sign', admin: true }], fields: [] },
      ],
      ['POST', '/api/v1/envelopes', s.adminKey, { templateId: seeded.templateId, recipients, status: 'completed' }],
      [
        'POST',
        '/api/v1/envelopes',
        s.adminKey,
        { templateId: seeded.templateId, recipients: [{ ...recipients[0], status: 'signed' }, recipients[1]] },
      ],
      ['POST', `/api/v1/envelopes/${seeded.envelopeId}/void`, s.adminKey, { reason: 'x', force: true }],
      ['PUT', '/api/v1/signing/fields/customer_name', seeded.session.token, { value: 'x', recipientId: 'other' }],
      [
        'PUT',
        '/api/v1/signing/fields/customer_signature',
        seeded.session.token,
        { value: { kind: 'typed', text: 'A', imageSha256: 'ab' } },
      ],
      ['POST', '/api/v1/signing/consent', seeded.session.token, { accepted: true, version: 'old' }],
      ['POST', '/api/v1/signing/decline', seeded.session.token, { reason: 'x', envelopeId: 'other' }],
    ];
    const listBefore = await (await s.call('GET', '/api/v1/envelopes', { key: s.adminKey })).text();
    for (const [method, url, key, json] of cases) {
      const res = await s.call(method, url, { key, json });
      assert.equal(res.status, 422, `${url} ${JSON.stringify(json)}`);
      assert.match(JSON.stringify((await problemOf(res)).errors), /unrecognized|unknown/i);
    }
    assert.equal(await (await s.call('GET', '/api/v1/envelopes', { key: s.adminKey })).text(), listBefore);
    const view = (await (await s.call('GET', '/api/v1/signing', { key: seeded.session.token })).json()) as {
      consent: { accepted: boolean };
      envelope: { status: string };
    };
    assert.equal(view.consent.accepted, false);
    assert.equal(view.envelope.status, 'sent');
  });

  it('refuses overlong strings and non-scalar merge data with 422 and the path', async () => {
    const recipient = { role: 'customer', name: 'A', email: 'a@example.com' };
    const other = { role: 'signer2', name: 'B', email: 'b@example.com' };
    const env = (json: Record<string, unknown>) =>
      s.call('POST', '/api/v1/envelopes', {
        key: s.adminKey,
        json: { templateId: seeded.templateId, recipients: [recipient, other], ...json },
      });
    const cases: Array<[Promise<Response>, string]> = [
      [env({ title: 't'.repeat(301) }), 'title'],
      [env({ recipients: [{ ...recipient, name: 'n'.repeat(201) }, other] }), 'recipients.0.name'],
      [env({ recipients: [{ ...recipient, email: `${'e'.repeat(250)}@example.com` }, other] }), 'recipients.0.email'],
      [env({ mergeData: { printedName: 'm'.repeat(2001) } }), 'mergeData.printedName'],
      [env({ mergeData: { nested: { a: 1 } } }), 'mergeData.nested'],
      [env({ mergeData: { list: [1, 2] } }), 'mergeData.list'],
      [
        s.call('POST', '/api/v1/templates', {
          key: s.adminKey,
          json: {
            name: 'n'.repeat(201),
            documentId: seeded.documentId,
            roles: [{ key: 'c', action: 'sign' }],
            fields: [],
          },
        }),
        'name',
      ],
      [
        s.call('POST', '/api/v1/templates', {
          key: s.adminKey,
          json: {
            name: 't',
            documentId: seeded.documentId,
            roles: [{ key: 'c', action: 'sign', label: 'l'.repeat(201) }],
            fields: [],
          },
        }),
        'roles.0.label',
      ],
      [
        s.call('POST', `/api/v1/envelopes/${seeded.envelopeId}/void`, {
          key: s.adminKey,
          json: { reason: 'r'.repeat(1001) },
        }),
        'reason',
      ],
      [
        s.call('PUT', '/api/v1/signing/fields/customer_name', {
          key: seeded.session.token,
          json: { value: 'v'.repeat(2001) },
        }),
        'value',
      ],
      [
        s.call('PUT', '/api/v1/signing/fields/customer_signature', {
          key: seeded.session.token,
          json: { value: { kind: 'typed', text: 't'.repeat(201) } },
        }),
        'value',
      ],
      [
        s.call('POST', '/api/v1/signing/decline', { key: seeded.session.token, json: { reason: 'r'.repeat(1001) } }),
        'reason',
      ],
      [s.call('POST', '/api/v1/api-keys', { key: s.adminKey, json: { name: 'k'.repeat(201), role: 'agent' } }), 'name'],
    ];
    for (const [pending, path] of cases) {
      const res = await pending;
      assert.equal(res.status, 422, path);
      const p = await problemOf(res);
      assert.ok(
        p.errors?.some((e) => e.path?.startsWith(path)),
        `${path}: ${JSON.stringify(p.errors)}`,
      );
    }
  });
});

describe('text is stored and returned as text', () => {
  it('round-trips script and unicode through every text field, unescaped and unexecuted', async () => {
    const form = pdfForm(await fixture('normal.pdf'), `${SCRIPT}.pdf`);
    const doc = (await (await s.call('POST', '/api/v1/documents', { key: s.adminKey, body: form })).json()) as {
      id: string;
      name: string;
    };
    assert.equal(doc.name, `${SCRIPT}.pdf`);
    const tplRes = await s.call('POST', '/api/v1/templates', {
      key: s.adminKey,
      json: {
        name: SCRIPT,
        documentId: doc.id,
        roles: NAMES.map((_, i) => ({ key: `r${i}`, label: `${SCRIPT} ${NAMES[i]}`, action: 'sign' })),
        fields: NAMES.map((_, i) => ({
          id: `f${i}`,
          type: 'text',
          role: `r${i}`,
          page: 1,
          x: 0.1,
          y: 0.1 + i * 0.1,
          width: 0.3,
          height: 0.05,
          label: `${SCRIPT} ${NAMES[i]}`,
        })),
      },
    });
    assert.equal(tplRes.status, 201);
    const tpl = (await tplRes.json()) as {
      id: string;
      name: string;
      versions: Array<{ roles: Array<{ label: string }>; fields: Array<{ label: string }> }>;
    };
    assert.equal(tpl.name, SCRIPT);
    assert.equal(tpl.versions[0]!.roles[4]!.label, `${SCRIPT} محمد`);
    assert.equal(tpl.versions[0]!.fields[3]!.label, `${SCRIPT} 山田太郎`);
    await expectOk(s.call('POST', `/api/v1/templates/${tpl.id}/versions/1/publish`, { key: s.adminKey }));
    const envRes = await s.call('POST', '/api/v1/envelopes', {
      key: s.adminKey,
      json: {
        templateId: tpl.id,
        title: SCRIPT,
        recipients: NAMES.map((name, i) => ({ role: `r${i}`, name: `${name} ${SCRIPT}`, email: `p${i}@example.com` })),
      },
    });
    assert.equal(envRes.status, 201);
    const env = (await envRes.json()) as { id: string; title: string; recipients: Array<{ id: string; name: string }> };
    assert.equal(env.title, SCRIPT);
    assert.deepEqual(
      env.recipients.map((r) => r.name),
      NAMES.map((n) => `${n} ${SCRIPT}`),
    );
    const sess = (await (await session(s, env.id, env.recipients[2]!.id)).json()) as { token: string };
    const saved = await s.call('PUT', '/api/v1/signing/fields/f2', { key: sess.token, json: { value: SCRIPT } });
    assert.equal(saved.status, 200);
    assert.equal(((await saved.json()) as { value: string }).value, SCRIPT);
    const view = await s.call('GET', '/api/v1/signing', { key: sess.token });
    assert.match(view.headers.get('content-type') ?? '', /^application\/json/);
    const v = (await view.json()) as {
      envelope: { title: string };
      recipient: { name: string };
      fields: Array<{ value: unknown; label: string }>;
    };
    assert.equal(v.envelope.title, SCRIPT);
    assert.equal(v.recipient.name, `Юлия ${SCRIPT}`);
    assert.deepEqual(v.fields, [{ ...v.fields[0]!, value: SCRIPT, label: `${SCRIPT} Юлия` }]);
    await expectOk(s.call('POST', '/api/v1/signing/decline', { key: sess.token, json: { reason: SCRIPT } }));
    const trail = (await (await s.call('GET', `/api/v1/envelopes/${env.id}/audit`, { key: s.adminKey })).json()) as {
      events: Array<{ type: string; data?: { reason?: string } }>;
    };
    assert.equal(trail.events.find((e) => e.type === 'recipient.declined')?.data?.reason, SCRIPT);
    const other = await s.call('POST', '/api/v1/envelopes', {
      key: s.adminKey,
      json: {
        templateId: tpl.id,
        recipients: NAMES.map((name, i) => ({ role: `r${i}`, name, email: `p${i}@example.com` })),
      },
    });
    const otherId = ((await other.json()) as { id: string }).id;
    const voided = await s.call('POST', `/api/v1/envelopes/${otherId}/void`, {
      key: s.adminKey,
      json: { reason: SCRIPT },
    });
    assert.equal(((await voided.json()) as { voidReason: string }).voidReason, SCRIPT);
    const list = (await (await s.call('GET', '/api/v1/envelopes', { key: s.adminKey })).json()) as {
      items: Array<{ id: string; title: string }>;
    };
    assert.equal(list.items.find((e) => e.id === env.id)?.title, SCRIPT);
  });
});

describe('internal errors', () => {
  it('answers an unexpected failure with a clean 500 problem: no stack, no path, no message', async () => {
    const { createApp } = await import('../src/app.ts');
    const broken = {
      ...s.deps.store,
      envelopes: {
        ...s.deps.store.envelopes,
        get: async () => {
          throw new Error(`EACCES: permission denied, open '${s.dataDir}/store/envelopes/x.json'`);
        },
      },
    };
    const app = createApp({ ...s.deps, store: broken });
    await quietly(async () => {
      const res = await app.request(`/api/v1/envelopes/${seeded.envelopeId}`, {
        headers: { Authorization: `Bearer ${s.adminKey}` },
      });
      assert.equal(res.status, 500);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
      const text = await res.text();
      assert.ok(!text.includes(s.dataDir));
      assert.ok(!text.includes('EACCES'));
      assertNoLeak(text);
      assert.equal(JSON.parse(text).status, 500);
    });
  });
});
