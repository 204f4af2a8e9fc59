import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  expectOk,
  makeServer,
  PNG_DATA_URL,
  problemOf,
  seed,
  session,
  signAsCustomer,
  tempDir,
  type TestServer,
} from './helpers.ts';

const run = promisify(execFile);
let s: TestServer;
before(async () => {
  s = await makeServer();
});
after(() => s.close());

const get = (token: string) => s.call('GET', '/api/v1/signing', { key: token });
const put = (token: string, id: string, value: unknown) =>
  s.call('PUT', `/api/v1/signing/fields/${id}`, { key: token, json: { value } });
const audit = async (id: string) =>
  (await (await s.call('GET', `/api/v1/envelopes/${id}/audit`, { key: s.adminKey })).json()) as {
    valid: boolean;
    brokenAt?: number;
    events: Array<{
      seq: number;
      type: string;
      ip?: string;
      userAgent?: string;
      authMethod?: string;
      documentSha256?: string;
      actor: { kind: string };
      data?: Record<string, unknown>;
    }>;
  };

describe('signer API: the whole flow to a sealed PDF', () => {
  it('signs, completes, seals; the sealed PDF passes pdfsig and qpdf; the audit chain holds', async () => {
    const seeded = await seed(s);
    const token = seeded.session.token;
    const viewRes = await s.call('GET', '/api/v1/signing', {
      key: token,
      headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36' },
    });
    assert.equal(viewRes.status, 200);
    const view = (await viewRes.json()) as {
      envelope: { status: string };
      recipient: { status: string; name: string };
      fields: Array<{ id: string; role: string }>;
      consent: { version: string; text: string; accepted: boolean };
      document: { sha256: string; pages: number };
      sealed: boolean;
      expiresAt: string;
    };
    assert.equal(view.recipient.status, 'opened');
    assert.equal(view.recipient.name, 'Zoë Łukasz-Müller');
    assert.equal(view.document.pages, 19);
    assert.equal(view.fields.length, 5);
    assert.ok(view.fields.every((f) => f.role === 'customer'));
    assert.match(view.consent.text, /ESIGN/);
    assert.equal(view.consent.accepted, false);
    assert.equal(view.sealed, false);

    const doc = await s.call('GET', '/api/v1/signing/document', { key: token });
    assert.equal(doc.status, 200);
    assert.equal(doc.headers.get('etag'), `"${view.document.sha256}"`);
    assert.equal((await doc.arrayBuffer()).byteLength, Number(doc.headers.get('content-length')));

    const started = performance.now();
    const done = await signAsCustomer(s, token);
    const completeMs = performance.now() - started;
    assert.equal(done.status, 200, await done.clone().text());
    assert.deepEqual(await done.json(), { recipientStatus: 'signed', envelopeStatus: 'completed' });
    assert.ok(completeMs < 2000);
    await s.idle();

    const env = (await (await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}`, { key: s.adminKey })).json()) as {
      status: string;
      sealed: boolean;
      sealedSha256: string;
    };
    assert.equal(env.status, 'completed');
    assert.equal(env.sealed, true);
    const sealedRes = await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}/document`, { key: s.adminKey });
    assert.equal(sealedRes.status, 200);
    assert.equal(sealedRes.headers.get('content-type'), 'application/pdf');
    const bytes = new Uint8Array(await sealedRes.arrayBuffer());
    const file = path.join(await tempDir(), 'sealed.pdf');
    await writeFile(file, bytes);
    const sig = await run('pdfsig', [file]);
    assert.match(sig.stdout, /Signature is Valid/);
    assert.match(sig.stdout, /Total document signed/);
    const q = await run('qpdf', ['--check', file]);
    assert.match(q.stdout, /No syntax or stream encoding errors/);

    const original = await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}/document?version=original`, {
      key: s.adminKey,
    });
    assert.equal(original.headers.get('etag'), `"${view.document.sha256}"`);

    const trail = await audit(seeded.envelopeId);
    assert.equal(trail.valid, true);
    const types = trail.events.map((e) => e.type);
    for (const t of [
      'envelope.created',
      'envelope.sent',
      'signing_session.issued',
      'envelope.opened',
      'document.viewed',
      'consent.accepted',
      'field.filled',
      'recipient.completed',
      'envelope.completed',
      'envelope.sealed',
    ]) {
      assert.ok(types.includes(t), t);
    }
    assert.equal(types.filter((t) => t === 'document.viewed').length, 1);
    assert.equal(types.filter((t) => t === 'envelope.opened').length, 1);
    const opened = trail.events.find((e) => e.type === 'envelope.opened')!;
    assert.equal(opened.actor.kind, 'recipient');
    assert.equal(opened.authMethod, 'none');
    assert.match(opened.userAgent ?? '', /Chrome/);
    assert.equal(opened.documentSha256, view.document.sha256);
    const consent = trail.events.find((e) => e.type === 'consent.accepted')!;
    assert.equal(consent.data?.version, view.consent.version);
    assert.match(String(consent.data?.textSha256), /^[0-9a-f]{64}$/);
    const filled = trail.events.filter((e) => e.type === 'field.filled');
    assert.ok(!JSON.stringify(filled).includes('base64'));
    assert.ok(filled.every((e) => /^[0-9a-f]{64}$/.test(String(e.data?.valueSha256))));
    const sealed = trail.events.find((e) => e.type === 'envelope.sealed')!;
    assert.equal(sealed.data?.sealedSha256, env.sealedSha256);

    // After completion: the view still works, writes do not; the signer can fetch the sealed copy.
    const after = (await (await get(token)).json()) as {
      sealed: boolean;
      recipient: { status: string };
      fields: Array<{ type: string; value: unknown }>;
    };
    assert.equal(after.sealed, true);
    assert.equal(after.recipient.status, 'signed');
    assert.match(String(after.fields.find((f) => f.type === 'date_signed')?.value), /^\d{4}-\d{2}-\d{2}T/);
    assert.equal((await put(token, 'customer_name', 'changed')).status, 409);
    assert.equal((await s.call('POST', '/api/v1/signing/complete', { key: token })).status, 409);
    assert.equal(
      (await s.call('POST', '/api/v1/signing/decline', { key: token, json: { reason: 'late' } })).status,
      409,
    );
    const copy = await s.call('GET', '/api/v1/signing/document?version=sealed', { key: token });
    assert.equal(copy.status, 200);
    assert.equal(copy.headers.get('etag'), `"${env.sealedSha256}"`);
  });
});

describe('signer API: refusals', () => {
  it('tells an expired token (token-expired) from an unknown one, both 401', async () => {
    const seeded = await seed(s);
    const unknown = await get('cs_sign_unknown');
    assert.equal(unknown.status, 401);
    assert.ok((await problemOf(unknown)).type.endsWith('/unauthorized'));
    assert.equal((await get('')).status, 401);
    s.clock.advance(31 * 60_000);
    try {
      const res = await get(seeded.session.token);
      assert.equal(res.status, 401);
      assert.ok((await problemOf(res)).type.endsWith('/token-expired'));
      assert.equal((await put(seeded.session.token, 'customer_name', 'x')).status, 401);
    } finally {
      s.clock.advance(-31 * 60_000);
    }
    assert.equal((await get(seeded.session.token)).status, 200);
  });

  it('refuses a signing token on staff routes and an API key on signer routes', async () => {
    const seeded = await seed(s);
    for (const path of [
      '/api/v1/envelopes',
      `/api/v1/envelopes/${seeded.envelopeId}`,
      `/api/v1/envelopes/${seeded.envelopeId}/audit`,
      '/api/v1/templates',
    ]) {
      assert.equal((await s.call('GET', path, { key: seeded.session.token })).status, 401, path);
    }
    assert.equal((await get(s.adminKey)).status, 401);
    assert.equal((await put(s.adminKey, 'customer_name', 'x')).status, 401);
    assert.equal((await s.call('POST', '/api/v1/signing/complete', { key: s.adminKey })).status, 401);
  });

  it('hides other recipients’ fields (404) and changes nothing', async () => {
    const seeded = await seed(s, {
      recipients: [
        { name: 'A', email: 'a@example.com' },
        { name: 'B', email: 'b@example.com' },
      ],
    });
    const trailBefore = await audit(seeded.envelopeId);
    const res = await put(seeded.session.token, 'signer2_signature_last', { kind: 'typed', text: 'A pretending' });
    assert.equal(res.status, 404);
    assert.equal((await put(seeded.session.token, 'no_such_field', 'x')).status, 404);
    const trailAfter = await audit(seeded.envelopeId);
    assert.equal(trailAfter.events.length, trailBefore.events.length);
    const view = (await (await get(seeded.session.token)).json()) as { fields: Array<{ id: string }> };
    assert.ok(!view.fields.some((f) => f.id.startsWith('signer2')));
  });

  it('validates values per type: PNG, sizes, strings, booleans; date_signed is the server’s', async () => {
    const seeded = await seed(s);
    const t = seeded.session.token;
    const notPng = `data:image/png;base64,${Buffer.from('GIF89a not a png at all, really not, definitely not').toString('base64')}`;
    const huge = `data:image/png;base64,${Buffer.alloc(600 * 1024, 1).toString('base64')}`;
    const truncated = PNG_DATA_URL.slice(0, 80);
    for (const [id, value] of [
      ['customer_signature', { kind: 'drawn', image: notPng }],
      ['customer_signature', { kind: 'drawn', image: 'data:image/jpeg;base64,AAAA' }],
      ['customer_signature', { kind: 'drawn', image: huge }],
      ['customer_signature', { kind: 'drawn', image: truncated }],
      ['customer_signature', 'just text'],
      ['customer_signature', { kind: 'typed', text: '   ' }],
      ['customer_name', true],
      ['customer_name', 'x'.repeat(5000)],
      ['customer_agree', 'yes'],
      ['customer_date', '2020-01-01'],
    ] as const) {
      const res = await put(t, id, value);
      assert.ok(
        res.status === 422 || res.status === 413,
        `${id} ${JSON.stringify(value).slice(0, 40)} → ${res.status}`,
      );
    }
    const ok = await put(t, 'customer_signature', { kind: 'drawn', image: PNG_DATA_URL });
    assert.equal(ok.status, 200);
    assert.deepEqual(((await ok.json()) as { value: unknown }).value, { kind: 'drawn', image: PNG_DATA_URL });
    assert.equal((await put(t, 'customer_name', 'Ἀθηνᾶ 山田太郎 محمد Юлия <b>x</b>')).status, 200);
    const view = (await (await get(t)).json()) as { fields: Array<{ id: string; value: unknown }> };
    assert.equal(view.fields.find((f) => f.id === 'customer_name')?.value, 'Ἀθηνᾶ 山田太郎 محمد Юлия <b>x</b>');
  });

  it('requires consent to complete (saving before is allowed) and lists every missing required field', async () => {
    const seeded = await seed(s);
    const t = seeded.session.token;
    assert.equal((await put(t, 'customer_name', 'Before consent')).status, 200);
    let res = await s.call('POST', '/api/v1/signing/complete', { key: t });
    assert.equal(res.status, 409);
    assert.ok((await problemOf(res)).type.endsWith('/consent-required'));
    const refuse = await s.call('POST', '/api/v1/signing/consent', { key: t, json: { accepted: false } });
    assert.equal(refuse.status, 422);
    await expectOk(s.call('POST', '/api/v1/signing/consent', { key: t, json: { accepted: true } }));
    res = await s.call('POST', '/api/v1/signing/complete', { key: t });
    assert.equal(res.status, 422);
    const p = await problemOf(res);
    assert.deepEqual(p.errors?.map((e) => e.fieldId).sort(), [
      'customer_agree',
      'customer_signature',
      'customer_signature_last',
    ]);
    const view = (await (await get(t)).json()) as { recipient: { status: string } };
    assert.equal(view.recipient.status, 'opened');
  });

  it('runs sequential orders: the second signer waits, then signs; double completion is 409', async () => {
    const seeded = await seed(s, {
      sequential: true,
      recipients: [
        { name: 'First', email: 'first@example.com' },
        { name: 'Second', email: 'second@example.com' },
      ],
    });
    const second = seeded.recipients[1]!;
    assert.equal((await session(s, seeded.envelopeId, second.id)).status, 409);
    assert.equal((await signAsCustomer(s, seeded.session.token)).status, 200);
    assert.equal((await s.call('POST', '/api/v1/signing/complete', { key: seeded.session.token })).status, 409);
    const sess = await session(s, seeded.envelopeId, second.id);
    assert.equal(sess.status, 201);
    const { token } = (await sess.json()) as { token: string };
    assert.equal((await signAsCustomer(s, token, 'signer2')).status, 200);
    assert.equal((await session(s, seeded.envelopeId, second.id)).status, 409);
    await s.idle();
    const env = (await (await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}`, { key: s.adminKey })).json()) as {
      status: string;
      sealed: boolean;
    };
    assert.deepEqual([env.status, env.sealed], ['completed', true]);
  });

  it('declines with a reason: recipient and envelope declined, no further writes, no seal', async () => {
    const seeded = await seed(s);
    const t = seeded.session.token;
    assert.equal((await s.call('POST', '/api/v1/signing/decline', { key: t, json: { reason: '' } })).status, 422);
    assert.equal(
      (await s.call('POST', '/api/v1/signing/decline', { key: t, json: { reason: 'x'.repeat(2000) } })).status,
      422,
    );
    const res = await s.call('POST', '/api/v1/signing/decline', { key: t, json: { reason: 'Wrong amount' } });
    assert.equal(res.status, 200);
    const view = (await (await get(t)).json()) as { envelope: { status: string }; recipient: { status: string } };
    assert.deepEqual([view.envelope.status, view.recipient.status], ['declined', 'declined']);
    assert.equal((await put(t, 'customer_name', 'x')).status, 409);
    assert.equal((await s.call('POST', '/api/v1/signing/decline', { key: t, json: { reason: 'again' } })).status, 409);
    assert.equal(
      (await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}/document`, { key: s.adminKey })).status,
      409,
    );
    assert.equal((await s.call('GET', '/api/v1/signing/document?version=sealed', { key: t })).status, 409);
    const trail = await audit(seeded.envelopeId);
    assert.deepEqual(
      trail.events.slice(-2).map((e) => e.type),
      ['recipient.declined', 'envelope.declined'],
    );
  });
});

describe('document ranges', () => {
  it('serves 206 with Content-Range for a range, the suffix form, and 416 for a bad one', async () => {
    const seeded = await seed(s);
    const t = seeded.session.token;
    const first = await s.call('GET', '/api/v1/signing/document', { key: t });
    const etag = first.headers.get('etag')!;
    const full = new Uint8Array(await first.arrayBuffer());
    let res = await s.call('GET', '/api/v1/signing/document', { key: t, headers: { Range: 'bytes=0-1023' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 0-1023/${full.length}`);
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), full.subarray(0, 1024));
    res = await s.call('GET', '/api/v1/signing/document', { key: t, headers: { Range: 'bytes=-100' } });
    assert.equal(res.status, 206);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), full.subarray(full.length - 100));
    res = await s.call('GET', '/api/v1/signing/document', { key: t, headers: { Range: `bytes=${full.length}-` } });
    assert.equal(res.status, 416);
    assert.equal(res.headers.get('content-range'), `bytes */${full.length}`);
    res = await s.call('GET', '/api/v1/signing/document', { key: t, headers: { Range: 'bytes=abc' } });
    assert.equal(res.status, 416);
    res = await s.call('GET', '/api/v1/signing/document', { key: t, headers: { 'If-None-Match': etag } });
    assert.equal(res.status, 304);
    res = await s.call('GET', '/api/v1/signing/document', { key: t, headers: { 'If-None-Match': `W/${etag}` } });
    assert.equal(res.status, 304);
    // If-Range: the range only while the ETag still matches (strongly); otherwise the whole file.
    res = await s.call('GET', '/api/v1/signing/document', {
      key: t,
      headers: { Range: 'bytes=10-19', 'If-Range': etag },
    });
    assert.equal(res.status, 206);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), full.subarray(10, 20));
    for (const ifRange of ['"0000"', `W/${etag}`, 'Wed, 21 Oct 2015 07:28:00 GMT']) {
      res = await s.call('GET', '/api/v1/signing/document', {
        key: t,
        headers: { Range: 'bytes=10-19', 'If-Range': ifRange },
      });
      assert.equal(res.status, 200, ifRange);
      assert.equal(res.headers.get('content-range'), null);
      assert.equal((await res.arrayBuffer()).byteLength, full.length);
    }
    // A range on the staff route as well, and an unsatisfiable one there.
    res = await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}/document?version=original`, {
      key: s.adminKey,
      headers: { Range: 'bytes=0-9' },
    });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-length'), '10');
  });
});

describe('audit tamper evidence', () => {
  it('reports valid:false and brokenAt when one byte of a stored event changes', async () => {
    const seeded = await seed(s);
    await expectOk(put(seeded.session.token, 'customer_name', 'Original'));
    const before = await audit(seeded.envelopeId);
    assert.equal(before.valid, true);
    const target = before.events.find((e) => e.type === 'envelope.sent')!;
    const file = path.join(s.dataDir, 'store', 'envelopes', `${seeded.envelopeId}.json`);
    const text = await readFile(file, 'utf8');
    const at = text.indexOf('"type": "envelope.sent"');
    assert.ok(at > 0);
    await writeFile(
      file,
      `${text.slice(0, at)}"type": "envelope.Sent"${text.slice(at + '"type": "envelope.sent"'.length)}`,
    );
    // A fresh process reads the file again.
    const reopened = await makeServer({ dataDir: s.dataDir, adminKey: s.adminKey });
    try {
      const trail = (await (
        await reopened.call('GET', `/api/v1/envelopes/${seeded.envelopeId}/audit`, { key: s.adminKey })
      ).json()) as { valid: boolean; brokenAt?: number };
      assert.equal(trail.valid, false);
      assert.equal(trail.brokenAt, target.seq);
    } finally {
      await reopened.close();
    }
  });
});
