import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ConfigError, configFromEnv } from '../src/env.ts';
import {
  callerRole,
  embedToken,
  expectOk,
  isStaffCaller,
  makeServer,
  MATRIX_CALLERS,
  matrixCredentials,
  NAMES,
  problemOf,
  seed,
  session,
  signAsCustomer,
  smallDocument,
  tempDir,
  type MatrixCaller,
  type TestServer,
} from './helpers.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VAR = 'COUNTERSIGN_SESSION_MINUTES';
const ttlFrom = (value: string | undefined) => configFromEnv({ [VAR]: value }).options.sessionTtlMinutes;

describe('COUNTERSIGN_SESSION_MINUTES', () => {
  it('reads whole minutes from 1 to 1440; unset or empty leaves the default', () => {
    assert.equal(ttlFrom('1'), 1);
    assert.equal(ttlFrom('5'), 5);
    assert.equal(ttlFrom(' 45 '), 45);
    assert.equal(ttlFrom('1440'), 1440);
    assert.equal(ttlFrom(undefined), undefined);
    assert.equal(ttlFrom(''), undefined);
  });

  it('refuses anything else with a ConfigError naming the variable, the range and the value', () => {
    for (const bad of ['0', '1441', 'abc', '1.5', '-5', '1e2', '0x10', '30 minutes', '99999999999999999999']) {
      assert.throws(
        () => ttlFrom(bad),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, bad);
          assert.equal(err.name, 'ConfigError');
          assert.ok(err.message.includes(`${VAR} must be a whole number from 1 to 1440`), err.message);
          assert.ok(err.message.includes(JSON.stringify(bad)), err.message);
          return true;
        },
      );
    }
  });

  it('PORT is checked the same way: a port number, or the default 8787', () => {
    assert.equal(configFromEnv({}).port, 8787);
    assert.equal(configFromEnv({ PORT: '0' }).port, 0);
    assert.equal(configFromEnv({ PORT: '65535' }).port, 65535);
    for (const bad of ['http', '65536', '80.5', '-1']) {
      assert.throws(() => configFromEnv({ PORT: bad }), /PORT must be a whole number from 0 to 65535/, bad);
    }
  });

  it('stops the server at start-up, before it creates its data dir or listens', async () => {
    const dataDir = path.join(await tempDir(), 'data');
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      cwd: repoRoot,
      env: { ...process.env, PORT: '0', COUNTERSIGN_DATA_DIR: dataDir, [VAR]: '1.5' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    assert.notEqual(code, null, 'killed by the timeout: the server did not stop');
    assert.equal(code, 2);
    assert.equal(
      stderr.trim(),
      '[countersign] COUNTERSIGN_SESSION_MINUTES must be a whole number from 1 to 1440, not "1.5"',
      'the message alone, no stack trace',
    );
    assert.doesNotMatch(stdout, /listening/);
    assert.equal(existsSync(dataDir), false);
  });

  it('sets the session lifetime: expiresAt is now + N minutes, and the token is refused from then on', async () => {
    const s = await makeServer({ sessionTtlMinutes: ttlFrom('7')! });
    try {
      const seeded = await seed(s, smallDocument);
      const start = new Date('2026-03-01T10:00:00.000Z');
      s.clock.set(start);
      const res = await session(s, seeded.envelopeId, seeded.recipients[0]!.id);
      assert.equal(res.status, 201);
      const { token, expiresAt } = (await res.json()) as { token: string; expiresAt: string };
      assert.equal(expiresAt, '2026-03-01T10:07:00.000Z');
      const get = () => s.call('GET', '/api/v1/signing', { key: token });
      s.clock.set(new Date(start.getTime() + 7 * 60_000 - 1));
      const ok = await get();
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as { expiresAt: string }).expiresAt, expiresAt);
      s.clock.set(expiresAt);
      const expired = await get();
      assert.equal(expired.status, 401);
      assert.ok((await problemOf(expired)).type.endsWith('/token-expired'));
      const write = await s.call('PUT', '/api/v1/signing/fields/customer_name', { key: token, json: { value: 'x' } });
      assert.equal(write.status, 401);
      assert.equal((await s.deps.store.envelopes.get(seeded.envelopeId))!.values.customer_name, undefined);
    } finally {
      await s.close();
    }
  });
});

describe('POST /envelopes/{id}/recipients/{rid}/signing-session', () => {
  let s: TestServer;
  let templateId: string;
  let agent: string;
  let credentials: Record<MatrixCaller, string | undefined>;
  before(async () => {
    s = await makeServer();
    templateId = (await seed(s, smallDocument)).templateId;
    agent = await s.keyFor('agent', 'Agent A');
    credentials = await matrixCredentials(s);
  });
  after(() => s.close());

  /** A sent envelope for one customer, created by `key`. */
  async function envelope(key = agent, name = NAMES[0]!) {
    const res = await expectOk(
      s.call('POST', '/api/v1/envelopes', {
        key,
        json: { templateId, recipients: [{ role: 'customer', name, email: 'c@example.com' }] },
      }),
    );
    const e = (await res.json()) as { id: string; recipients: Array<{ id: string }> };
    return { id: e.id, rid: e.recipients[0]!.id };
  }
  const issued = async (id: string) =>
    (await s.deps.store.envelopes.get(id))!.audit.filter((ev) => ev.type === 'signing_session.issued').length;
  const sessionFiles = async () => (await readdir(path.join(s.dataDir, 'store', 'sessions'))).length;
  const mint = (id: string, rid: string, key?: string) =>
    s.call('POST', `/api/v1/envelopes/${id}/recipients/${rid}/signing-session`, key ? { key } : {});

  it('mints for the owning agent and every manager, legal and admin credential', async () => {
    const e = await envelope();
    const callers: Record<string, string> = { 'owning agent key': agent };
    for (const caller of MATRIX_CALLERS.filter((c) => isStaffCaller(c) && callerRole(c) !== 'agent')) {
      callers[caller] = credentials[caller]!;
    }
    assert.equal(Object.keys(callers).length, 7);
    for (const [caller, key] of Object.entries(callers)) {
      const res = await mint(e.id, e.rid, key);
      assert.equal(res.status, 201, caller);
      const { token } = (await res.json()) as { token: string };
      const view = await s.call('GET', '/api/v1/signing', { key: token });
      assert.equal(view.status, 200, caller);
      const body = (await view.json()) as { envelope: { id: string }; recipient: { id: string; name: string } };
      assert.deepEqual([body.envelope.id, body.recipient.id, body.recipient.name], [e.id, e.rid, NAMES[0]], caller);
    }
    assert.equal(await issued(e.id), Object.keys(callers).length);
    const embedAgent = await embedToken(s, 'agent');
    const own = await envelope(embedAgent);
    assert.equal((await mint(own.id, own.rid, embedAgent)).status, 201);
  });

  it('refuses another agent (404: it cannot tell the envelope exists), a signer token and no credential (401)', async () => {
    const e = await envelope();
    const refusals: Array<[string, string | undefined, number]> = [
      ['another agent key', credentials['agent key'], 404],
      ['another agent embed', credentials['agent embed'], 404],
      ['a signer token', credentials['signer token'], 401],
      ['an unknown key', 'cs_live_not-a-key', 401],
      ['no credential', undefined, 401],
    ];
    const issuedBefore = await issued(e.id);
    const filesBefore = await sessionFiles();
    for (const [caller, key, status] of refusals) {
      const res = await mint(e.id, e.rid, key);
      assert.equal(res.status, status, caller);
      assert.equal(res.headers.get('content-type'), 'application/problem+json', caller);
      if (status === 401) assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/, caller);
    }
    assert.equal(await issued(e.id), issuedBefore);
    assert.equal(await sessionFiles(), filesBefore);
  });

  it('keeps an earlier session valid when a new one is minted: each is its own token for the recipient', async () => {
    const e = await envelope();
    const first = (await (await expectOk(mint(e.id, e.rid, agent))).json()) as { token: string };
    const second = (await (await expectOk(mint(e.id, e.rid, agent))).json()) as { token: string };
    assert.notEqual(first.token, second.token);
    for (const token of [first.token, second.token]) {
      const res = await s.call('GET', '/api/v1/signing', { key: token });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { recipient: { id: string } }).recipient.id, e.rid);
    }
    await expectOk(s.call('PUT', '/api/v1/signing/fields/customer_name', { key: first.token, json: { value: 'A' } }));
    const viaSecond = (await (await s.call('GET', '/api/v1/signing', { key: second.token })).json()) as {
      fields: Array<{ id: string; value: unknown }>;
    };
    assert.equal(viaSecond.fields.find((f) => f.id === 'customer_name')?.value, 'A');
  });

  it('refuses a session for a voided, declined or completed envelope (409) and stores none', async () => {
    const voided = await envelope();
    await expectOk(s.call('POST', `/api/v1/envelopes/${voided.id}/void`, { key: agent, json: { reason: 'Wrong' } }));
    const declined = await envelope();
    const t1 = (await (await expectOk(mint(declined.id, declined.rid, agent))).json()) as { token: string };
    await expectOk(s.call('POST', '/api/v1/signing/decline', { key: t1.token, json: { reason: 'No' } }));
    const completed = await envelope();
    const t2 = (await (await expectOk(mint(completed.id, completed.rid, agent))).json()) as { token: string };
    assert.equal((await signAsCustomer(s, t2.token)).status, 200);
    await s.idle();
    const filesBefore = await sessionFiles();
    for (const [e, status] of [
      [voided, 'voided'],
      [declined, 'declined'],
      [completed, 'completed'],
    ] as const) {
      const issuedBefore = await issued(e.id);
      const res = await mint(e.id, e.rid, s.adminKey);
      assert.equal(res.status, 409, status);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      assert.match((await problemOf(res)).detail ?? '', new RegExp(status));
      assert.equal(await issued(e.id), issuedBefore, status);
    }
    assert.equal(await sessionFiles(), filesBefore);
  });
});
