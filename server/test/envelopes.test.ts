import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeServer, problemOf, seed, type TestServer } from './helpers.ts';

let s: TestServer;
let templateId: string;
before(async () => {
  s = await makeServer();
  const seeded = await seed(s, {
    recipients: [
      { name: 'Zoë Łukasz-Müller', email: 'zoe@example.com', role: 'customer' },
      { name: 'Ἀθηνᾶ', email: 'athena@example.com', role: 'witness' },
    ],
    sequential: true,
    fields: [
      { id: 'sig', type: 'signature', role: 'customer', page: 1, x: 0.1, y: 0.1, width: 0.3, height: 0.1 },
      {
        id: 'company',
        key: 'company',
        type: 'text',
        role: 'customer',
        page: 1,
        x: 0.1,
        y: 0.3,
        width: 0.3,
        height: 0.05,
      },
      { id: 'wsig', type: 'signature', role: 'witness', page: 2, x: 0.1, y: 0.1, width: 0.3, height: 0.1 },
    ],
  });
  templateId = seeded.templateId;
});
after(() => s.close());

const create = (body: Record<string, unknown>, key = s.adminKey) =>
  s.call('POST', '/api/v1/envelopes', { key, json: { templateId, ...body } });

const people = [
  { role: 'customer', name: '<script>alert(1)</script>', email: 'x@example.com' },
  { role: 'witness', name: '山田太郎', email: 'yamada@example.com' },
];

describe('envelopes', () => {
  it('creates a sent envelope with role orders, prefilled merge data and the document hash', async () => {
    const res = await create({ recipients: people, mergeData: { company: 'محمد & Co' }, send: true });
    assert.equal(res.status, 201);
    const e = (await res.json()) as {
      id: string;
      status: string;
      templateVersion: number;
      documentSha256: string;
      recipients: Array<{ id: string; role: string; name: string; order: number; status: string }>;
    };
    assert.equal(e.status, 'sent');
    assert.equal(e.templateVersion, 1);
    assert.match(e.documentSha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      e.recipients.map((r) => [r.role, r.name, r.order, r.status]),
      [
        ['customer', '<script>alert(1)</script>', 1, 'pending'],
        ['witness', '山田太郎', 2, 'pending'],
      ],
    );
    const sess = await s.call('POST', `/api/v1/envelopes/${e.id}/recipients/${e.recipients[0]!.id}/signing-session`, {
      key: s.adminKey,
    });
    const { token } = (await sess.json()) as { token: string };
    const view = (await (await s.call('GET', '/api/v1/signing', { key: token })).json()) as {
      fields: Array<{ id: string; value: unknown }>;
    };
    assert.equal(view.fields.find((f) => f.id === 'company')?.value, 'محمد & Co');
  });

  it('takes an explicit order over the role order (same order = parallel)', async () => {
    const res = await create({ recipients: people.map((p) => ({ ...p, order: 1 })) });
    const e = (await res.json()) as { recipients: Array<{ order: number }> };
    assert.deepEqual(
      e.recipients.map((r) => r.order),
      [1, 1],
    );
  });

  it('needs a recipient for every signing role and refuses unknown roles', async () => {
    let res = await create({ recipients: [people[0]] });
    assert.equal(res.status, 422);
    assert.match(JSON.stringify((await problemOf(res)).errors), /witness/);
    res = await create({ recipients: [...people, { role: 'ghost', name: 'G', email: 'g@example.com' }] });
    assert.equal(res.status, 422);
    res = await create({ recipients: [{ ...people[0], email: 'not-an-email' }, people[1]] });
    assert.equal(res.status, 422);
    assert.equal((await create({ templateId: 'tpl_missing', recipients: people })).status, 422);
  });

  it('keeps send:false as a draft until POST /send; sessions need a sent envelope', async () => {
    const e = (await (await create({ recipients: people, send: false })).json()) as {
      id: string;
      status: string;
      recipients: Array<{ id: string }>;
    };
    assert.equal(e.status, 'draft');
    const early = await s.call('POST', `/api/v1/envelopes/${e.id}/recipients/${e.recipients[0]!.id}/signing-session`, {
      key: s.adminKey,
    });
    assert.equal(early.status, 409);
    const sent = await s.call('POST', `/api/v1/envelopes/${e.id}/send`, { key: s.adminKey });
    assert.equal(sent.status, 200);
    assert.equal(((await sent.json()) as { status: string }).status, 'sent');
    assert.equal((await s.call('POST', `/api/v1/envelopes/${e.id}/send`, { key: s.adminKey })).status, 409);
  });

  it('lists newest first with status, and returns one envelope', async () => {
    s.clock.advance(1000);
    const newest = (await (await create({ recipients: people, title: 'Newest' })).json()) as { id: string };
    const list = (await (await s.call('GET', '/api/v1/envelopes', { key: s.adminKey })).json()) as {
      items: Array<{ id: string; status: string; createdAt: string }>;
    };
    assert.equal(list.items[0]!.id, newest.id);
    const dates = list.items.map((i) => i.createdAt);
    assert.deepEqual([...dates].sort().reverse(), dates);
    assert.ok(list.items.every((i) => i.status));
    const one = (await (await s.call('GET', `/api/v1/envelopes/${newest.id}`, { key: s.adminKey })).json()) as {
      title: string;
    };
    assert.equal(one.title, 'Newest');
    assert.equal((await s.call('GET', '/api/v1/envelopes/env_missing', { key: s.adminKey })).status, 404);
    assert.equal((await s.call('GET', '/api/v1/envelopes/..%2F..%2Fetc', { key: s.adminKey })).status, 404);
  });

  it('voids a sent envelope with a reason; then signer writes get 409 and no session is issued', async () => {
    const e = (await (await create({ recipients: people })).json()) as {
      id: string;
      recipients: Array<{ id: string }>;
    };
    const sess = (await (
      await s.call('POST', `/api/v1/envelopes/${e.id}/recipients/${e.recipients[0]!.id}/signing-session`, {
        key: s.adminKey,
      })
    ).json()) as { token: string };
    const res = await s.call('POST', `/api/v1/envelopes/${e.id}/void`, {
      key: s.adminKey,
      json: { reason: 'Wrong customer' },
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'voided');
    assert.equal(
      (
        await s.call('PUT', '/api/v1/signing/fields/sig', {
          key: sess.token,
          json: { value: { kind: 'typed', text: 'x' } },
        })
      ).status,
      409,
    );
    const view = (await (await s.call('GET', '/api/v1/signing', { key: sess.token })).json()) as {
      envelope: { status: string };
    };
    assert.equal(view.envelope.status, 'voided');
    assert.equal(
      (
        await s.call('POST', `/api/v1/envelopes/${e.id}/recipients/${e.recipients[0]!.id}/signing-session`, {
          key: s.adminKey,
        })
      ).status,
      409,
    );
    const trail = (await (await s.call('GET', `/api/v1/envelopes/${e.id}/audit`, { key: s.adminKey })).json()) as {
      events: Array<{ type: string }>;
    };
    assert.equal(trail.events.at(-1)!.type, 'envelope.voided');
  });

  it('refuses a session while a lower order has not finished (409 not-your-turn)', async () => {
    const e = (await (await create({ recipients: people })).json()) as {
      id: string;
      recipients: Array<{ id: string }>;
    };
    const res = await s.call('POST', `/api/v1/envelopes/${e.id}/recipients/${e.recipients[1]!.id}/signing-session`, {
      key: s.adminKey,
    });
    assert.equal(res.status, 409);
    assert.ok((await problemOf(res)).type.endsWith('/not-your-turn'));
    assert.equal(
      (await s.call('POST', `/api/v1/envelopes/${e.id}/recipients/rcp_nope/signing-session`, { key: s.adminKey }))
        .status,
      404,
    );
  });

  it('issues hashed session tokens of ≥ 32 random bytes with the signing URL and TTL', async () => {
    const e = (await (await create({ recipients: people })).json()) as {
      id: string;
      recipients: Array<{ id: string }>;
    };
    const res = await s.call('POST', `/api/v1/envelopes/${e.id}/recipients/${e.recipients[0]!.id}/signing-session`, {
      key: s.adminKey,
    });
    assert.equal(res.status, 201);
    const sess = (await res.json()) as { token: string; url: string; expiresAt: string };
    assert.ok(Buffer.from(sess.token.replace(/^cs_sign_/, ''), 'base64url').length >= 32);
    assert.ok(sess.url.includes(`#token=${encodeURIComponent(sess.token)}`));
    const ttl = new Date(sess.expiresAt).getTime() - s.clock.now().getTime();
    assert.ok(ttl > 29 * 60_000 && ttl <= 30 * 60_000);
    const { readdir, readFile } = await import('node:fs/promises');
    const dir = `${s.dataDir}/store`;
    for (const f of await readdir(dir, { recursive: true })) {
      if (!String(f).endsWith('.json')) continue;
      assert.ok(!(await readFile(`${dir}/${f}`, 'utf8')).includes(sess.token), String(f));
    }
  });
});
