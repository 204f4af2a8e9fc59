import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { EMBED_AUDIENCE, EMBED_ISSUER } from '../src/services/embed-tokens.ts';
import { makeServer, problemOf, seed, type TestServer } from './helpers.ts';

let s: TestServer;
let seeded: Awaited<ReturnType<typeof seed>>;
before(async () => {
  s = await makeServer();
  seeded = await seed(s);
});
after(() => s.close());

const alice = { id: 'u-1001', name: 'Alice Agent', email: 'alice@example.com' };

async function mint(body: Record<string, unknown>, key = s.adminKey) {
  return s.call('POST', '/api/v1/embed-tokens', { key, json: body });
}

async function tokenFor(role: string, user = alice, expiresIn?: number): Promise<string> {
  const res = await mint({ role, user, expiresIn });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { token: string }).token;
}

async function secret(): Promise<Uint8Array> {
  return new Uint8Array(
    Buffer.from((await readFile(path.join(s.dataDir, 'embed-token.secret'), 'utf8')).trim(), 'base64url'),
  );
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('minting embed tokens', () => {
  it('mints an HS256 JWT with role, user, iss, aud, exp, iat and jti; default lifetime 900 s', async () => {
    const now = s.clock.now();
    const res = await mint({ role: 'agent', user: alice });
    assert.equal(res.status, 201);
    const { token, expiresAt } = (await res.json()) as { token: string; expiresAt: string };
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    assert.equal(header.alg, 'HS256');
    assert.equal(payload.role, 'agent');
    assert.deepEqual(payload.user, alice);
    assert.equal(payload.iss, EMBED_ISSUER);
    assert.equal(payload.aud, EMBED_AUDIENCE);
    assert.equal(payload.sub, alice.id);
    assert.ok(payload.jti);
    assert.equal(payload.exp - payload.iat, 900);
    const ttl = (new Date(expiresAt).getTime() - now.getTime()) / 1000;
    assert.ok(ttl > 898 && ttl <= 901, `ttl ${ttl}`);
  });

  it('keeps the signing secret in the data dir, readable by the owner only', async () => {
    const st = await stat(path.join(s.dataDir, 'embed-token.secret'));
    assert.equal(st.mode & 0o777, 0o600);
    assert.ok((await secret()).length >= 32);
  });

  it('refuses lifetimes above 3600 s, unknown roles and bad users with 422', async () => {
    for (const body of [
      { role: 'agent', user: alice, expiresIn: 3601 },
      { role: 'emperor', user: alice },
      { role: 'agent', user: { ...alice, email: 'nope' } },
      { role: 'agent', user: { id: '', name: 'x', email: 'x@example.com' } },
    ]) {
      assert.equal((await mint(body)).status, 422, JSON.stringify(body));
    }
  });

  it('lets only an admin API key mint: other keys and every embed token get 403', async () => {
    for (const role of ['legal', 'manager', 'agent'] as const) {
      const res = await mint({ role: 'agent', user: alice }, await s.keyFor(role));
      assert.equal(res.status, 403);
    }
    const adminToken = await tokenFor('admin');
    const res = await mint({ role: 'agent', user: alice }, adminToken);
    assert.equal(res.status, 403);
    assert.equal((await problemOf(res)).status, 403);
  });

  it('never lets an embed token create or list API keys, even with the admin role', async () => {
    const before = await (await s.call('GET', '/api/v1/api-keys', { key: s.adminKey })).text();
    const adminToken = await tokenFor('admin');
    let res = await s.call('POST', '/api/v1/api-keys', { key: adminToken, json: { name: 'x', role: 'admin' } });
    assert.equal(res.status, 403);
    res = await s.call('GET', '/api/v1/api-keys', { key: adminToken });
    assert.equal(res.status, 403);
    assert.equal(await (await s.call('GET', '/api/v1/api-keys', { key: s.adminKey })).text(), before);
  });
});

describe('using embed tokens on staff routes', () => {
  it('acts with the token role: an agent token reads templates but may not create one', async () => {
    const agent = await tokenFor('agent');
    assert.equal((await s.call('GET', '/api/v1/templates', { key: agent })).status, 200);
    const res = await s.call('POST', '/api/v1/templates', {
      key: agent,
      json: { name: 't', documentId: seeded.documentId, roles: [{ key: 'c', action: 'sign' }], fields: [] },
    });
    assert.equal(res.status, 403);
  });

  it('records the acting user (id, name, email) as the audit actor of created and sent events', async () => {
    const token = await tokenFor('agent');
    const res = await s.call('POST', '/api/v1/envelopes', {
      key: token,
      json: {
        templateId: seeded.templateId,
        recipients: [{ role: 'customer', name: 'C', email: 'c@example.com' }],
        send: true,
      },
    });
    assert.equal(res.status, 201, await res.clone().text());
    const e = (await res.json()) as { id: string };
    const trail = (await (await s.call('GET', `/api/v1/envelopes/${e.id}/audit`, { key: s.adminKey })).json()) as {
      events: Array<{ type: string; actor: Record<string, unknown> }>;
      valid: boolean;
    };
    assert.ok(trail.valid);
    for (const type of ['envelope.created', 'envelope.sent']) {
      const event = trail.events.find((ev) => ev.type === type);
      assert.ok(event, `no ${type}`);
      assert.deepEqual(event.actor, { kind: 'user', ...alice, role: 'agent' });
    }
    // The agent's "own" envelopes are the user's: another user's token does not see it.
    const other = await tokenFor('agent', { id: 'u-2002', name: 'Bob', email: 'bob@example.com' });
    assert.equal((await s.call('GET', `/api/v1/envelopes/${e.id}`, { key: other })).status, 404);
    assert.equal((await s.call('GET', `/api/v1/envelopes/${e.id}`, { key: token })).status, 200);
  });

  it('refuses expired, tampered, wrong-audience, wrong-issuer, unsigned and foreign-key tokens with 401', async () => {
    const good = await tokenFor('agent', alice, 60);
    const [h, p, sig] = good.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const key = await secret();
    const signed = (claims: Record<string, unknown>, k: Uint8Array = key) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(k);
    const bad: Record<string, string> = {
      tampered: `${h}.${b64({ ...payload, role: 'admin' })}.${sig}`,
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...payload, role: 'admin' })}.`,
      'wrong audience': await signed({ ...payload, aud: 'someone-else' }),
      'wrong issuer': await signed({ ...payload, iss: 'evil' }),
      'other secret': await signed(payload, new Uint8Array(32).fill(7)),
      'no jti': await signed({ ...payload, jti: undefined }),
      garbage: 'a.b.c',
    };
    for (const [what, token] of Object.entries(bad)) {
      const res = await s.call('GET', '/api/v1/templates', { key: token });
      assert.equal(res.status, 401, what);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/, what);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/, what);
    }
    assert.equal((await s.call('GET', '/api/v1/templates', { key: good })).status, 200);
    s.clock.advance(61_000);
    try {
      const res = await s.call('GET', '/api/v1/templates', { key: good });
      assert.equal(res.status, 401);
      assert.match((await problemOf(res)).detail ?? '', /expired/);
    } finally {
      s.clock.advance(-61_000);
    }
  });

  it('never reaches the signing routes', async () => {
    const token = await tokenFor('admin');
    for (const url of ['/api/v1/signing', '/api/v1/signing/document']) {
      assert.equal((await s.call('GET', url, { key: token })).status, 401);
    }
  });
});
