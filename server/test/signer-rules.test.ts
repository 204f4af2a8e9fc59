import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { Mailer, MailMessage } from '../src/deps.ts';
import { drawnSignaturePng } from '../src/demo/signature-png.ts';
import type { TemplateFieldInput } from '../src/services/templates.ts';
import {
  expectOk,
  makeServer,
  NAMES,
  problemOf,
  seed,
  signAsCustomer,
  smallDocument,
  uploadFixture,
  type TestServer,
} from './helpers.ts';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
/** Stands for the SHA-256 of the PNG the server stored, known only once it has answered. */
const STORED_PNG_SHA256 = 'sha256 of the stored PNG';
const rgba = async (png: Uint8Array) => {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
};

/** Right-to-left override, pop, an isolate pair and a right-to-left mark: text that displays reordered. */
const BIDI = '\u202Eabc\u202C \u2067محمد\u2069 \u200F42';

const box = { page: 1, width: 0.3, height: 0.05 };
/** A customer's fields: a read-only prefill, an editable prefill, free text, a signature, a checkbox. */
const FIELDS: TemplateFieldInput[] = [
  { id: 'holder', key: 'holder', type: 'text', role: 'customer', x: 0.1, y: 0.1, label: 'Account holder', ...box },
  {
    id: 'nick',
    key: 'nickname',
    type: 'text',
    role: 'customer',
    x: 0.1,
    y: 0.2,
    label: 'Preferred name',
    signerEditable: true,
    ...box,
  },
  { id: 'note', type: 'text', role: 'customer', x: 0.1, y: 0.3, required: false, ...box },
  { id: 'sig', type: 'signature', role: 'customer', x: 0.1, y: 0.4, label: 'Signature', ...box },
  { id: 'agree', type: 'checkbox', role: 'customer', x: 0.1, y: 0.5, width: 0.03, height: 0.03, page: 1 },
];

const CUSTOMER = NAMES[4]!;
const HOLDER = NAMES[3]!;

interface ViewField {
  id: string;
  type: string;
  value: unknown;
  readOnly: boolean;
  signerEditable?: boolean;
}
interface AuditEvent {
  seq: number;
  type: string;
  actor: { kind: string; id?: string; name?: string };
  data?: Record<string, unknown>;
}

let s: TestServer;
before(async () => {
  s = await makeServer();
});
after(() => s.close());

const view = async (token: string) => {
  const res = await s.call('GET', '/api/v1/signing', { key: token });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { fields: ViewField[]; notifications: { email: boolean } };
};
const fieldOf = async (token: string, id: string) => (await view(token)).fields.find((f) => f.id === id);
const put = (token: string, id: string, value: unknown) =>
  s.call('PUT', `/api/v1/signing/fields/${id}`, { key: token, json: { value } });
const trail = async (envelopeId: string) => {
  const res = await s.call('GET', `/api/v1/envelopes/${envelopeId}/audit`, { key: s.adminKey });
  return (await res.json()) as { valid: boolean; events: AuditEvent[] };
};
/** The event's data without the device the server derives from the User-Agent. */
const dataOf = (e: AuditEvent) => {
  const { device: _device, ...rest } = e.data ?? {};
  return rest;
};
const stored = async (envelopeId: string) => (await s.deps.store.envelopes.get(envelopeId))!;

async function seedRules(mergeData: Record<string, unknown> = { holder: HOLDER, nickname: 'Taro' }) {
  return seed(s, {
    ...smallDocument,
    recipients: [{ name: CUSTOMER, email: 'mohammed@example.com', role: 'customer' }],
    fields: FIELDS,
    mergeData,
  });
}

async function expectProblem(res: Response, status: number) {
  assert.equal(res.status, status);
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  const p = await problemOf(res);
  assert.equal(p.status, status);
  assert.ok(p.type.startsWith('https://'), p.type);
  assert.ok(p.title);
  return p;
}

describe('templates: signerEditable', () => {
  let documentId: string;
  let legal: string;
  before(async () => {
    documentId = await uploadFixture(s);
    legal = await s.keyFor('legal');
  });

  const text = (over: Partial<TemplateFieldInput> = {}) =>
    ({ id: 'name', key: 'name', type: 'text', role: 'c', ...box, x: 0.1, y: 0.1, ...over }) as TemplateFieldInput;
  const create = (fields: TemplateFieldInput[]) =>
    s.call('POST', '/api/v1/templates', {
      key: legal,
      json: { name: 'Editable', documentId, roles: [{ key: 'c', action: 'sign' }], fields },
    });
  const templateCount = async () =>
    ((await (await s.call('GET', '/api/v1/templates', { key: legal })).json()) as { items: unknown[] }).items.length;

  it('keeps signerEditable true and false on text fields, and leaves it out when not given', async () => {
    const res = await create([
      text({ id: 'a', signerEditable: true }),
      text({ id: 'b', y: 0.2, signerEditable: false }),
      text({ id: 'c', y: 0.3 }),
    ]);
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    const got = (await (await s.call('GET', `/api/v1/templates/${id}`, { key: legal })).json()) as {
      versions: Array<{ fields: Array<{ id: string; signerEditable?: boolean }> }>;
    };
    const byId = new Map(got.versions[0]!.fields.map((f) => [f.id, f]));
    assert.equal(byId.get('a')?.signerEditable, true);
    assert.equal(byId.get('b')?.signerEditable, false);
    assert.ok(byId.has('c'));
    assert.equal('signerEditable' in byId.get('c')!, false);
  });

  it('refuses signerEditable on every non-text field (422 naming the path) and stores no template', async () => {
    const before = await templateCount();
    for (const [type, signerEditable] of [
      ['signature', true],
      ['initials', true],
      ['checkbox', true],
      ['date_signed', true],
      ['signature', false],
    ] as const) {
      const res = await create([text(), { ...text({ id: 'x', y: 0.5, type }), key: undefined, signerEditable }]);
      const p = await expectProblem(res, 422);
      assert.deepEqual(
        p.errors?.map((e) => e.path),
        ['fields.1.signerEditable'],
        `${type} ${signerEditable}`,
      );
    }
    const notBoolean = await create([text({ signerEditable: 'yes' as unknown as boolean })]);
    assert.ok((await expectProblem(notBoolean, 422)).errors?.some((e) => e.path === 'fields.0.signerEditable'));
    assert.equal(await templateCount(), before);
  });

  it('refuses it the same way in a new version and a draft edit, which stay unchanged', async () => {
    const { id } = (await (await expectOk(create([text()]))).json()) as { id: string };
    const bad = [text(), { ...text({ id: 'sig', y: 0.5, type: 'signature' }), key: undefined, signerEditable: true }];
    const patch = await s.call('PATCH', `/api/v1/templates/${id}/versions/1`, { key: legal, json: { fields: bad } });
    assert.deepEqual(
      (await expectProblem(patch, 422)).errors?.map((e) => e.path),
      ['fields.1.signerEditable'],
    );
    await expectOk(s.call('POST', `/api/v1/templates/${id}/versions/1/publish`, { key: legal }));
    const next = await s.call('POST', `/api/v1/templates/${id}/versions`, { key: legal, json: { fields: bad } });
    assert.deepEqual(
      (await expectProblem(next, 422)).errors?.map((e) => e.path),
      ['fields.1.signerEditable'],
    );
    const versions = (await (await s.call('GET', `/api/v1/templates/${id}/versions`, { key: legal })).json()) as {
      items: Array<{ fields: Array<{ id: string }> }>;
    };
    assert.equal(versions.items.length, 1);
    assert.deepEqual(
      versions.items[0]!.fields.map((f) => f.id),
      ['name'],
    );
  });
});

describe('signing view: readOnly', () => {
  it('marks the agent’s prefill read-only with its value, an editable prefill and the rest writable', async () => {
    const seeded = await seedRules();
    const v = await view(seeded.session.token);
    assert.ok(v.fields.every((f) => typeof f.readOnly === 'boolean'));
    const byId = new Map(v.fields.map((f) => [f.id, f]));
    assert.deepEqual([byId.get('holder')?.readOnly, byId.get('holder')?.value], [true, HOLDER]);
    assert.deepEqual([byId.get('nick')?.readOnly, byId.get('nick')?.value], [false, 'Taro']);
    assert.equal(byId.get('nick')?.signerEditable, true);
    assert.deepEqual([byId.get('note')?.readOnly, byId.get('note')?.value], [false, null]);
    assert.deepEqual([byId.get('sig')?.readOnly, byId.get('agree')?.readOnly], [false, false]);
  });

  it('leaves a field with no merge value (or an empty one) to the signer', async () => {
    for (const mergeData of [{}, { holder: '' }, { holder: '   ' }, { holder: null }]) {
      const seeded = await seedRules(mergeData);
      const holder = await fieldOf(seeded.session.token, 'holder');
      assert.deepEqual([holder?.readOnly, holder?.value], [false, null], JSON.stringify(mergeData));
      await expectOk(put(seeded.session.token, 'holder', HOLDER));
    }
  });
});

describe('PUT /signing/fields/{id}: read-only values', () => {
  it('refuses a change, a clear and even the same value (403) and stores and audits nothing', async () => {
    const seeded = await seedRules();
    const t = seeded.session.token;
    await view(t);
    const before = await trail(seeded.envelopeId);
    for (const value of ['Someone else', HOLDER, null, BIDI]) {
      const p = await expectProblem(await put(t, 'holder', value), 403);
      assert.match(p.detail ?? '', /Account holder/);
    }
    const e = await stored(seeded.envelopeId);
    assert.equal(e.values.holder?.value, HOLDER);
    assert.equal(e.values.holder?.recipientId, 'merge');
    const afterTrail = await trail(seeded.envelopeId);
    assert.equal(afterTrail.events.length, before.events.length);
    assert.ok(!afterTrail.events.some((ev) => ev.type === 'field.filled'));
    assert.deepEqual(await fieldOf(t, 'holder').then((f) => [f?.readOnly, f?.value]), [true, HOLDER]);
  });

  it('lets the signer complete without touching it; the agent’s value is what is stored', async () => {
    const seeded = await seedRules();
    const done = await signAsCustomer(s, seeded.session.token);
    assert.equal(done.status, 200, await done.clone().text());
    await s.idle();
    const e = await stored(seeded.envelopeId);
    assert.equal(e.status, 'completed');
    assert.deepEqual([e.values.holder?.value, e.values.holder?.recipientId], [HOLDER, 'merge']);
  });

  it('accepts a change to a signerEditable prefill: stored as the signer’s, still writable', async () => {
    const seeded = await seedRules();
    const t = seeded.session.token;
    const res = await put(t, 'nick', NAMES[2]!);
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as ViewField;
    assert.deepEqual([body.value, body.readOnly], [NAMES[2], false]);
    assert.deepEqual(await fieldOf(t, 'nick').then((f) => [f?.readOnly, f?.value]), [false, NAMES[2]]);
    const e = await stored(seeded.envelopeId);
    assert.equal(e.values.nick?.value, NAMES[2]);
    assert.equal(e.values.nick?.recipientId, seeded.recipients[0]!.id);
    const filled = (await trail(seeded.envelopeId)).events.filter((ev) => ev.type === 'field.filled');
    assert.deepEqual(
      filled.map((ev) => [ev.data?.fieldId, ev.data?.value]),
      [['nick', NAMES[2]]],
    );
    await expectOk(put(t, 'nick', null));
    assert.deepEqual(await fieldOf(t, 'nick').then((f) => [f?.readOnly, f?.value]), [false, null]);
  });
});

describe('field.filled audit events', () => {
  it('record the value, the typed text, the drawn image’s SHA-256 and clears', async () => {
    const seeded = await seedRules();
    const t = seeded.session.token;
    const recipientId = seeded.recipients[0]!.id;
    const png = drawnSignaturePng(7);
    const drawn = `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
    const steps: Array<[string, unknown, Record<string, unknown>]> = [
      [
        'note',
        BIDI,
        { recipientId, fieldId: 'note', type: 'text', value: BIDI, valueSha256: sha256(BIDI), cleared: false },
      ],
      [
        'nick',
        CUSTOMER,
        {
          recipientId,
          fieldId: 'nick',
          label: 'Preferred name',
          type: 'text',
          value: CUSTOMER,
          valueSha256: sha256(CUSTOMER),
          cleared: false,
        },
      ],
      [
        'sig',
        { kind: 'typed', text: `  ${NAMES[1]}  ` },
        {
          recipientId,
          fieldId: 'sig',
          label: 'Signature',
          type: 'signature',
          kind: 'typed',
          text: NAMES[1],
          valueSha256: sha256(NAMES[1]!),
          cleared: false,
        },
      ],
      [
        'sig',
        { kind: 'drawn', image: drawn },
        {
          recipientId,
          fieldId: 'sig',
          label: 'Signature',
          type: 'signature',
          kind: 'drawn',
          imageSha256: STORED_PNG_SHA256,
          valueSha256: STORED_PNG_SHA256,
          cleared: false,
        },
      ],
      [
        'agree',
        true,
        { recipientId, fieldId: 'agree', type: 'checkbox', value: true, valueSha256: sha256('true'), cleared: false },
      ],
      ['note', null, { recipientId, fieldId: 'note', type: 'text', valueSha256: sha256('null'), cleared: true }],
      [
        'sig',
        null,
        {
          recipientId,
          fieldId: 'sig',
          label: 'Signature',
          type: 'signature',
          valueSha256: sha256('null'),
          cleared: true,
        },
      ],
    ];
    for (const [fieldId, value, step] of steps) {
      const res = await put(t, fieldId, value);
      assert.equal(res.status, 200, await res.clone().text());
      let expected = step;
      if (step.imageSha256 === STORED_PNG_SHA256) {
        // The event hashes the PNG as stored, which may be re-encoded: the bytes the server serves
        // back (here in the PUT's answer, read from the store), holding exactly the pixels sent.
        const image = ((await res.clone().json()) as { value: { image: string } }).value.image;
        const served = Buffer.from(image.replace(/^data:image\/png;base64,/, ''), 'base64');
        assert.deepEqual(await rgba(served), await rgba(png));
        expected = { ...step, imageSha256: sha256(served), valueSha256: sha256(served) };
      }
      const last = (await trail(seeded.envelopeId)).events.at(-1)!;
      assert.equal(last.type, 'field.filled');
      assert.deepEqual(dataOf(last), expected, `${fieldId} ${JSON.stringify(value)?.slice(0, 40)}`);
      assert.deepEqual([last.actor.kind, last.actor.id, last.actor.name], ['recipient', recipientId, CUSTOMER]);
    }
    const all = await trail(seeded.envelopeId);
    assert.equal(all.valid, true);
    assert.equal(all.events.filter((ev) => ev.type === 'field.filled').length, steps.length);
    assert.ok(!JSON.stringify(all.events).includes(drawn.slice(30, 90)), 'no image bytes in the trail');
  });

  it('keep the bidi controls of a value exactly as sent, in the store and the view', async () => {
    const seeded = await seedRules();
    await expectOk(put(seeded.session.token, 'note', BIDI));
    assert.equal((await stored(seeded.envelopeId)).values.note?.value, BIDI);
    assert.equal((await fieldOf(seeded.session.token, 'note'))?.value, BIDI);
  });
});

describe('signing view: notifications', () => {
  it('says no mail goes out without a mailer', async () => {
    const seeded = await seedRules();
    assert.deepEqual((await view(seeded.session.token)).notifications, { email: false });
  });

  it('says mail goes out when a mailer is configured', async () => {
    const sent: MailMessage[] = [];
    const mailer: Mailer = { send: async (m) => void sent.push(m) };
    const withMail = await makeServer({ mailer });
    try {
      const seeded = await seed(withMail, smallDocument);
      const res = await withMail.call('GET', '/api/v1/signing', { key: seeded.session.token });
      assert.equal(res.status, 200);
      assert.deepEqual(((await res.json()) as { notifications: unknown }).notifications, { email: true });
    } finally {
      await withMail.close();
    }
  });
});
