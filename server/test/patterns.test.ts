import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  expectOk,
  fixture,
  makeServer,
  pdfForm,
  problemOf,
  session,
  startServerProcess,
  tempDir,
  textFieldPlacement,
  type ServerProcess,
  type TestServer,
} from './helpers.ts';

/** The security review's patterns: each takes a backtracking engine exponential time on a near miss. */
const HOSTILE = ['(a+)+', '(a|a)*', '(a|aa)+', 'a*a*a*a*', '\\w*\\d*\\w*\\d*\\w*\\d*\\w*'];
/** a's then one `!`: 28, 40 and 2000 characters (the longest merge value or text field value). */
const NEAR_MISSES = [27, 39, 1999].map((n) => `${'a'.repeat(n)}!`);

const sig = { id: 'sig', type: 'signature', role: 'customer', page: 1, x: 0.1, y: 0.8, width: 0.3, height: 0.08 };
const textField = (id: string, pattern: string, y: number, extra: Record<string, unknown> = {}) =>
  textFieldPlacement(id, { y, validation: { kind: 'pattern', pattern, ...extra } });

// The server runs in its own process: a backtracking engine would block it, not this test, and
// each request's timeout turns that into a failure instead of a hung run.
describe('hostile patterns stall no request', { timeout: 120_000 }, () => {
  let server: ServerProcess | undefined;
  let base = '';
  const adminKey = 'cs_admin_patterns_test_key_0123456789';
  const request = (p: string, init: RequestInit) => fetch(base + p, { signal: AbortSignal.timeout(10_000), ...init });
  const call = (method: string, p: string, json?: unknown, key = adminKey) =>
    request(p, {
      method,
      headers: {
        Authorization: `Bearer ${key}`,
        ...(json === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
    });

  before(async () => {
    server = await startServerProcess(await tempDir(), adminKey);
    base = server.base;
  });
  // SIGKILL: a server stuck in a backtracking match would never handle SIGTERM.
  after(() => server?.stop('SIGKILL'));

  it('saves them (they run in linear time) and answers near misses in merge data and fields with 422', async () => {
    const upload = await request('/api/v1/documents', {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminKey}` },
      body: pdfForm(await fixture('normal.pdf'), 'normal.pdf'),
    });
    assert.equal(upload.status, 201, await upload.clone().text());
    const documentId = ((await upload.json()) as { id: string }).id;
    const created = await call('POST', '/api/v1/templates', {
      name: 'Hostile patterns',
      documentId,
      roles: [{ key: 'customer', action: 'sign' }],
      variables: HOSTILE.map((pattern, i) => ({ key: `v${i}`, type: 'text', pattern })),
      fields: [sig, ...HOSTILE.map((pattern, i) => textField(`f${i}`, pattern, 0.1 + i * 0.1))],
    });
    assert.equal(created.status, 201, await created.clone().text());
    const templateId = ((await created.json()) as { id: string }).id;
    await expectOk(call('POST', `/api/v1/templates/${templateId}/versions/1/publish`));

    const envelope = (value: string) =>
      call('POST', '/api/v1/envelopes', {
        templateId,
        mergeData: Object.fromEntries(HOSTILE.map((_, i) => [`v${i}`, value])),
        recipients: [{ role: 'customer', name: 'Ada', email: 'ada@example.com' }],
        send: true,
      });
    for (const value of NEAR_MISSES) {
      const res = await envelope(value);
      assert.equal(res.status, 422, `${value.length} characters`);
      assert.deepEqual(
        (await problemOf(res)).errors,
        HOSTILE.map((_, i) => ({ path: `mergeData.v${i}`, message: 'Is not in the expected format' })),
      );
    }

    const sent = (await (await expectOk(envelope('a'.repeat(2000)))).json()) as {
      id: string;
      recipients: Array<{ id: string }>;
    };
    const minted = await call(
      'POST',
      `/api/v1/envelopes/${sent.id}/recipients/${sent.recipients[0]!.id}/signing-session`,
    );
    const token = ((await minted.json()) as { token: string }).token;
    for (let i = 0; i < HOSTILE.length; i++) {
      for (const value of NEAR_MISSES) {
        const res = await call('PUT', `/api/v1/signing/fields/f${i}`, { value }, token);
        assert.equal(res.status, 422, `${HOSTILE[i]} against ${value.length} characters`);
        assert.equal((await problemOf(res)).errors?.[0]?.message, 'This is not in the expected format');
      }
      await expectOk(call('PUT', `/api/v1/signing/fields/f${i}`, { value: 'a'.repeat(2000) }, token));
    }
    const health = await request('/healthz', { signal: AbortSignal.timeout(1_000) });
    assert.equal(health.status, 200);
  });
});

describe('patterns at template save and on values', () => {
  let s: TestServer;
  let legal: string;
  let agent: string;
  let documentId: string;

  before(async () => {
    s = await makeServer();
    legal = await s.keyFor('legal');
    agent = await s.keyFor('agent');
    const res = await expectOk(
      s.call('POST', '/api/v1/documents', {
        key: s.adminKey,
        body: pdfForm(await fixture('normal.pdf'), 'normal.pdf'),
      }),
    );
    documentId = ((await res.json()) as { id: string }).id;
  });
  after(() => s.close());

  const template = (body: Record<string, unknown>) =>
    s.call('POST', '/api/v1/templates', {
      key: legal,
      json: { name: 'RMA', documentId, roles: [{ key: 'customer', action: 'sign' }], fields: [sig], ...body },
    });

  it('refuses backreferences and lookaround with 422 at their path, saying why, and creates nothing', async () => {
    const count = async () =>
      ((await (await s.call('GET', '/api/v1/templates', { key: legal })).json()) as { items: unknown[] }).items.length;
    const before = await count();
    const backreference =
      /^Backreferences \(\\1, \\k<name>\) are not supported: patterns are checked by a linear-time engine/;
    const lookaround = /^Lookahead and lookbehind .* are not supported: patterns are checked by a linear-time engine/;
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ variables: [{ key: 'rma', type: 'text', pattern: '(RMA)-\\1' }] }, 'variables.0.pattern', backreference],
      [
        { variables: [{ key: 'rma', type: 'text', pattern: '(?!RMA-0)RMA-\\d{5}' }] },
        'variables.0.pattern',
        lookaround,
      ],
      [{ fields: [sig, textField('rma', '(?<p>R)\\k<p>', 0.1)] }, 'fields.1.validation.pattern', backreference],
      [{ fields: [sig, textField('rma', '(?<=R)MA', 0.1)] }, 'fields.1.validation.pattern', lookaround],
      [
        { fields: [sig, textField('rma', '(RMA', 0.1)] },
        'fields.1.validation.pattern',
        /^The pattern is not a valid regular expression$/,
      ],
    ];
    for (const [body, path, message] of cases) {
      const res = await template(body);
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      const errors = (await problemOf(res)).errors ?? [];
      const error = errors.find((e) => e.path === path);
      assert.ok(error, `${path}: ${JSON.stringify(errors)}`);
      assert.match(error.message, message);
    }
    assert.equal(await count(), before);
  });

  it('checks an ordinary pattern (RMA-[0-9]{5}, \\p{L}) in merge data and in a signer’s value', async () => {
    const res = await template({
      variables: [
        { key: 'rma', type: 'text', pattern: 'RMA-[0-9]{5}' },
        { key: 'city', type: 'text', pattern: '\\p{Lu}\\p{L}+' },
      ],
      fields: [sig, textField('rma', 'RMA-[0-9]{5}', 0.1, { message: 'Use the RMA number, e.g. RMA-12345' })],
    });
    assert.equal(res.status, 201, await res.clone().text());
    const templateId = ((await res.json()) as { id: string }).id;
    await expectOk(s.call('POST', `/api/v1/templates/${templateId}/versions/1/publish`, { key: legal }));
    const envelope = (mergeData: Record<string, string>) =>
      s.call('POST', '/api/v1/envelopes', {
        key: agent,
        json: {
          templateId,
          mergeData,
          send: true,
          recipients: [{ role: 'customer', name: 'Ada', email: 'ada@example.com' }],
        },
      });

    const bad = await envelope({ rma: 'RMA-1234', city: 'łódź' });
    assert.equal(bad.status, 422);
    assert.deepEqual((await problemOf(bad)).errors, [
      { path: 'mergeData.rma', message: 'Is not in the expected format' },
      { path: 'mergeData.city', message: 'Is not in the expected format' },
    ]);
    const sent = (await (await expectOk(envelope({ rma: 'RMA-12345', city: 'Łódź' }))).json()) as {
      id: string;
      recipients: Array<{ id: string }>;
    };
    const token = ((await (await session(s, sent.id, sent.recipients[0]!.id)).json()) as { token: string }).token;
    const put = (value: string) => s.call('PUT', '/api/v1/signing/fields/rma', { key: token, json: { value } });
    const refused = await put('RMA-1234x');
    assert.equal(refused.status, 422);
    assert.deepEqual((await problemOf(refused)).errors, [
      { path: 'value', fieldId: 'rma', message: 'Use the RMA number, e.g. RMA-12345' },
    ]);
    await expectOk(put('RMA-54321'));
  });
});
