import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  fixturesDir,
  PNG_DATA_URL,
  seedSigningEnvelope,
  startServerProcess,
  tempDir,
  type ServerProcess,
} from './helpers.ts';

const ADMIN = 'cs_live_test-admin-key-0123456789abcdefghijklmnopqrstuvwxyz';

type Running = ServerProcess;

const start = (dataDir: string) => startServerProcess(dataDir, ADMIN);
const stop = (r: Running, signal: NodeJS.Signals = 'SIGTERM') => r.stop(signal);

const json = (token: string, body?: unknown): RequestInit => ({
  headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
  body: body === undefined ? undefined : JSON.stringify(body),
});

async function readSse(
  res: Response,
  until: (events: Array<{ status: string; sealed?: boolean }>) => boolean,
  timeoutMs = 15_000,
) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: Array<{ status: string; sealed?: boolean; recipients: Array<{ status: string }> }> = [];
  let buf = '';
  let sawComment = false;
  const deadline = Date.now() + timeoutMs;
  while (!until(events) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (block.startsWith(':')) sawComment = true;
      const data = block.split('\n').find((l) => l.startsWith('data:'));
      if (block.includes('event: status') && data) events.push(JSON.parse(data.slice(5)));
    }
  }
  await reader.cancel();
  return { events, sawComment };
}

let server: Running;
let dataDir: string;
before(async () => {
  dataDir = await tempDir('cs-proc-');
  server = await start(dataDir);
});
after(async () => {
  if (server) await stop(server);
});

describe('real server over HTTP', { timeout: 300_000 }, () => {
  it('streams status events over SSE: immediately on connect and on every change', async () => {
    const seeded = await seedSigningEnvelope(server, ADMIN);
    const res = await server.request(`/api/v1/envelopes/${seeded.envelopeId}/events`, json(ADMIN));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reading = readSse(res, (ev) => ev.some((e) => e.status === 'completed' && e.sealed === true));
    const t = seeded.session.token;
    await server.request('/api/v1/signing', json(t));
    for (const [id, value] of [
      ['customer_signature', { kind: 'drawn', image: PNG_DATA_URL }],
      ['customer_signature_last', { kind: 'typed', text: 'Zoë' }],
      ['customer_name', 'Zoë Łukasz-Müller'],
      ['customer_agree', true],
    ] as const) {
      assert.equal(
        (await server.request(`/api/v1/signing/fields/${id}`, { method: 'PUT', ...json(t, { value }) })).status,
        200,
      );
    }
    await server.request('/api/v1/signing/consent', { method: 'POST', ...json(t, { accepted: true }) });
    assert.equal((await server.request('/api/v1/signing/complete', { method: 'POST', ...json(t) })).status, 200);
    const { events } = await reading;
    assert.equal(events[0]!.status, 'sent');
    assert.ok(events.some((e) => e.recipients[0]!.status === 'opened'));
    assert.equal(events.at(-1)!.status, 'completed');
    assert.equal(events.at(-1)!.sealed, true);
    const unauth = await server.request(`/api/v1/envelopes/${seeded.envelopeId}/events`);
    assert.equal(unauth.status, 401);
  });

  it('loses none of 50 concurrent field saves (different and same fields)', async () => {
    const fields = Array.from({ length: 25 }, (_, i) => ({
      id: `t${i}`,
      type: 'text' as const,
      role: 'customer',
      page: 1,
      x: 0.01,
      y: i * 0.03,
      width: 0.2,
      height: 0.02,
      required: false,
    }));
    const seeded = await seedSigningEnvelope(server, ADMIN, {
      pdfPath: path.join(fixturesDir(), 'normal.pdf'),
      fields: [
        ...fields,
        { id: 'same', type: 'text', role: 'customer', page: 1, x: 0.5, y: 0.5, width: 0.2, height: 0.02 },
      ],
    });
    const t = seeded.session.token;
    const saves = [
      ...fields.map((f) =>
        server.request(`/api/v1/signing/fields/${f.id}`, { method: 'PUT', ...json(t, { value: `value ${f.id}` }) }),
      ),
      ...Array.from({ length: 25 }, (_, i) =>
        server.request('/api/v1/signing/fields/same', { method: 'PUT', ...json(t, { value: `same ${i}` }) }),
      ),
    ];
    const results = await Promise.all(saves);
    assert.ok(results.every((r) => r.status === 200));
    const view = (await (await server.request('/api/v1/signing', json(t))).json()) as {
      fields: Array<{ id: string; value: unknown }>;
    };
    for (const f of fields) assert.equal(view.fields.find((x) => x.id === f.id)?.value, `value ${f.id}`);
    assert.match(String(view.fields.find((x) => x.id === 'same')?.value), /^same \d+$/);
    const trail = (await (
      await server.request(`/api/v1/envelopes/${seeded.envelopeId}/audit`, json(ADMIN))
    ).json()) as { valid: boolean; events: Array<{ type: string }> };
    assert.equal(trail.valid, true);
    assert.equal(trail.events.filter((e) => e.type === 'field.filled').length, 50);
  });

  it('seals exactly once when two parallel signers complete at the same moment', async () => {
    const seeded = await seedSigningEnvelope(server, ADMIN, {
      pdfPath: path.join(fixturesDir(), 'normal.pdf'),
      recipients: [
        { name: 'Ἀθηνᾶ', email: 'a@example.com', role: 'customer' },
        { name: '山田太郎', email: 'y@example.com', role: 'cosigner' },
      ],
      fields: [
        { id: 'a', type: 'signature', role: 'customer', page: 1, x: 0.1, y: 0.8, width: 0.3, height: 0.08 },
        { id: 'b', type: 'signature', role: 'cosigner', page: 1, x: 0.5, y: 0.8, width: 0.3, height: 0.08 },
      ],
    });
    const rid = seeded.recipients[1]!.id;
    const s2 = (await (
      await server.request(`/api/v1/envelopes/${seeded.envelopeId}/recipients/${rid}/signing-session`, {
        method: 'POST',
        ...json(ADMIN),
      })
    ).json()) as { token: string };
    const tokens = [seeded.session.token, s2.token];
    await Promise.all(
      tokens.map((t, i) =>
        server.request(`/api/v1/signing/fields/${'ab'[i]}`, {
          method: 'PUT',
          ...json(t, { value: { kind: 'drawn', image: PNG_DATA_URL } }),
        }),
      ),
    );
    await Promise.all(
      tokens.map((t) => server.request('/api/v1/signing/consent', { method: 'POST', ...json(t, { accepted: true }) })),
    );
    const done = await Promise.all(
      tokens.map((t) => server.request('/api/v1/signing/complete', { method: 'POST', ...json(t) })),
    );
    assert.deepEqual(
      done.map((r) => r.status),
      [200, 200],
    );
    let env: { status: string; sealed: boolean; recipients: Array<{ status: string }> } | undefined;
    for (let i = 0; i < 100; i++) {
      env = (await (await server.request(`/api/v1/envelopes/${seeded.envelopeId}`, json(ADMIN))).json()) as typeof env;
      if (env!.sealed) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(env!.status, 'completed');
    assert.equal(env!.sealed, true);
    assert.deepEqual(
      env!.recipients.map((r) => r.status),
      ['signed', 'signed'],
    );
    const trail = (await (
      await server.request(`/api/v1/envelopes/${seeded.envelopeId}/audit`, json(ADMIN))
    ).json()) as { valid: boolean; events: Array<{ type: string }> };
    assert.equal(trail.valid, true);
    assert.equal(trail.events.filter((e) => e.type === 'envelope.sealed').length, 1);
    assert.equal(trail.events.filter((e) => e.type === 'envelope.completed').length, 1);
    // Neither signer's saved value was lost to the other's write.
    for (const [i, t] of tokens.entries()) {
      const view = (await (await server.request('/api/v1/signing', json(t))).json()) as {
        fields: Array<{ id: string; value: unknown }>;
      };
      assert.deepEqual(
        view.fields.map((f) => [f.id, f.value]),
        [['ab'[i], { kind: 'drawn', image: PNG_DATA_URL }]],
      );
    }
  });

  it('keeps data readable and the chain valid after SIGKILL mid-burst', async () => {
    const seeded = await seedSigningEnvelope(server, ADMIN, {
      pdfPath: path.join(fixturesDir(), 'normal.pdf'),
    });
    const t = seeded.session.token;
    let acknowledged = 0;
    const burst = (async () => {
      for (let i = 0; ; i++) {
        try {
          const res = await server.request('/api/v1/signing/fields/customer_name', {
            method: 'PUT',
            ...json(t, { value: `write ${i}` }),
          });
          if (res.status === 200) acknowledged = i + 1;
        } catch {
          return;
        }
      }
    })();
    const parallel = Array.from({ length: 4 }, (_, k) =>
      (async () => {
        for (let i = 0; ; i++) {
          try {
            await server.request('/api/v1/signing/fields/customer_signature', {
              method: 'PUT',
              ...json(t, { value: { kind: 'typed', text: `p${k}-${i}` } }),
            });
          } catch {
            return;
          }
        }
      })(),
    );
    // Kill mid-burst once some writes are acknowledged (waiting on a count, not a fixed time:
    // under load a fixed window saw too few writes to mean anything).
    const deadline = Date.now() + 30_000;
    while (acknowledged < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await stop(server, 'SIGKILL'), null);
    await Promise.all([burst, ...parallel]);
    assert.ok(acknowledged >= 10, `only ${acknowledged} writes before the kill`);
    server = await start(dataDir);
    const trail = (await (
      await server.request(`/api/v1/envelopes/${seeded.envelopeId}/audit`, json(ADMIN))
    ).json()) as { valid: boolean; events: Array<{ type: string; data?: { fieldId?: string } }> };
    assert.equal(trail.valid, true);
    const nameWrites = trail.events.filter(
      (e) => e.type === 'field.filled' && e.data?.fieldId === 'customer_name',
    ).length;
    assert.ok(nameWrites >= acknowledged, `${nameWrites} stored < ${acknowledged} acknowledged`);
    const view = (await (await server.request('/api/v1/signing', json(t))).json()) as {
      fields: Array<{ id: string; value: unknown }>;
    };
    const value = String(view.fields.find((f) => f.id === 'customer_name')?.value);
    assert.ok(Number(value.replace('write ', '')) >= acknowledged - 1, value);
    const list = await server.request('/api/v1/envelopes', json(ADMIN));
    assert.equal(list.status, 200);
  });

  it('shuts down gracefully on SIGTERM', async () => {
    assert.equal(await stop(server, 'SIGTERM'), 0);
    server = await start(dataDir);
    assert.equal((await server.request('/healthz')).status, 200);
  });
});
