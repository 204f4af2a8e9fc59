import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { canonicalJson, sha256Hex } from '@countersign/core';
import {
  expectOk,
  makeServer,
  PNG_DATA_URL,
  problemOf,
  session,
  signAsCustomer,
  tempDir,
  type TestServer,
  uploadFixture,
} from './helpers.ts';

let s: TestServer;
let documentId: string;
let legal: string;
let agent: string;

before(async () => {
  s = await makeServer();
  documentId = await uploadFixture(s);
  legal = await s.keyFor('legal');
  agent = await s.keyFor('agent');
});
after(() => s.close());

const box = { page: 1, x: 0.1, width: 0.3, height: 0.04 };
const FIELDS = [
  { id: 'sig', type: 'signature', role: 'customer', ...box, y: 0.7 },
  { id: 'company', key: 'company', type: 'text', role: 'customer', ...box, y: 0.1 },
  { id: 'amount', key: 'amount', type: 'text', role: 'customer', ...box, y: 0.2 },
  { id: 'start', key: 'start', type: 'text', role: 'customer', ...box, y: 0.3 },
  {
    id: 'deposit',
    type: 'text',
    role: 'customer',
    ...box,
    y: 0.4,
    required: true,
    label: 'Deposit account',
    condition: { '>': [{ var: 'amount' }, 1000] },
  },
];
const VARIABLES = [
  { key: 'company', type: 'text', required: true, maxLength: 40 },
  { key: 'amount', type: 'money', currency: 'EUR', required: true, min: 0, max: 100000 },
  { key: 'start', type: 'date' },
  { key: 'email', type: 'email' },
  { key: 'plan', type: 'enum', options: [{ value: 'basic' }, { value: 'premium', label: 'Premium' }] },
  { key: 'seats', type: 'number', integer: true, min: 1 },
];

const newTemplate = (body: Record<string, unknown> = {}) =>
  s.call('POST', '/api/v1/templates', {
    key: legal,
    json: {
      name: 'Lease',
      documentId,
      roles: [{ key: 'customer', action: 'sign' }],
      fields: FIELDS,
      variables: VARIABLES,
      ...body,
    },
  });

async function published(): Promise<string> {
  const res = await newTemplate();
  assert.equal(res.status, 201, await res.clone().text());
  const id = ((await res.json()) as { id: string }).id;
  await expectOk(s.call('POST', `/api/v1/templates/${id}/versions/1/publish`, { key: legal }));
  return id;
}

const envelope = (templateId: string, mergeData: Record<string, unknown>) =>
  s.call('POST', '/api/v1/envelopes', {
    key: agent,
    json: { templateId, mergeData, recipients: [{ role: 'customer', name: 'Ada', email: 'ada@example.com' }] },
  });

interface Envelope {
  id: string;
  recipients: Array<{ id: string }>;
}

async function signingView(e: Envelope) {
  const token = ((await (await session(s, e.id, e.recipients[0]!.id)).json()) as { token: string }).token;
  const view = (await (await s.call('GET', '/api/v1/signing', { key: token })).json()) as {
    fields: Array<{ id: string; value: unknown }>;
  };
  return { token, view };
}

const count = async () =>
  ((await (await s.call('GET', '/api/v1/envelopes', { key: s.adminKey })).json()) as { items: unknown[] }).items.length;

describe('typed variables on a version', () => {
  it('stores the variables and field conditions of a valid version', async () => {
    const res = await newTemplate();
    assert.equal(res.status, 201);
    const t = (await res.json()) as {
      versions: Array<{ variables: unknown[]; fields: Array<{ id: string; condition?: unknown }> }>;
    };
    assert.deepEqual(t.versions[0]!.variables, VARIABLES);
    assert.deepEqual(t.versions[0]!.fields.find((f) => f.id === 'deposit')!.condition, {
      '>': [{ var: 'amount' }, 1000],
    });
  });

  it('refuses unsound variables with 422 at their path, creating nothing', async () => {
    const before = ((await (await s.call('GET', '/api/v1/templates', { key: legal })).json()) as { items: unknown[] })
      .items.length;
    const cases: Array<[unknown[], string]> = [
      [
        [
          { key: 'a', type: 'text' },
          { key: 'a', type: 'number' },
        ],
        'variables.1.key',
      ],
      [[{ key: 'plan', type: 'enum', options: [] }], 'variables.0.options'],
      [[{ key: 'plan', type: 'enum', options: [{ value: 'x' }, { value: 'x' }] }], 'variables.0.options.1.value'],
      [[{ key: 'fee', type: 'money', currency: 'XYZ' }], 'variables.0.currency'],
      [[{ key: 'fee', type: 'money', currency: 'eur' }], 'variables.0.currency'],
      [[{ key: 'fee', type: 'money' }], 'variables.0.currency'],
      [[{ key: 'code', type: 'text', pattern: '([a-z' }], 'variables.0.pattern'],
      [[{ key: 'n', type: 'number', min: 5, max: 1 }], 'variables.0.max'],
      [[{ key: 'd', type: 'date', min: '2026-13-01x' }], 'variables.0.min'],
      [[{ key: 'x', type: 'colour' }], 'variables.0.type'],
      [[{ key: 'bad key!', type: 'text' }], 'variables.0.key'],
    ];
    for (const [variables, path] of cases) {
      const res = await newTemplate({ variables });
      assert.equal(res.status, 422, JSON.stringify(variables));
      const p = await problemOf(res);
      assert.ok(
        p.errors?.some((e) => e.path === path),
        `${path}: ${JSON.stringify(p.errors)}`,
      );
    }
    const after = ((await (await s.call('GET', '/api/v1/templates', { key: legal })).json()) as { items: unknown[] })
      .items.length;
    assert.equal(after, before);
  });

  it('checks field conditions with core (422 with every problem) on create, new version and patch', async () => {
    const bad = [
      { ...FIELDS[0], condition: { eval: ['process.exit()'] } },
      { ...FIELDS[1], condition: { '>': [1], '<': [2] } },
    ];
    const res = await newTemplate({ fields: bad });
    assert.equal(res.status, 422);
    const paths = (await problemOf(res)).errors!.map((e) => e.path);
    assert.ok(paths.includes('fields.0.condition'), JSON.stringify(paths));
    assert.ok(paths.includes('fields.1.condition'), JSON.stringify(paths));
    const text = await newTemplate({ fields: [{ ...FIELDS[0], condition: 'amount > 1000' }] });
    assert.equal(text.status, 422);
    assert.ok((await problemOf(text)).errors!.some((e) => e.path?.startsWith('fields.0.condition')));

    const id = await published();
    const before = JSON.stringify(await (await s.call('GET', `/api/v1/templates/${id}`, { key: legal })).json());
    const v = await s.call('POST', `/api/v1/templates/${id}/versions`, { key: legal, json: { fields: bad } });
    assert.equal(v.status, 422);
    assert.equal(JSON.stringify(await (await s.call('GET', `/api/v1/templates/${id}`, { key: legal })).json()), before);
    await expectOk(s.call('POST', `/api/v1/templates/${id}/versions`, { key: legal, json: {} }));
    const p = await s.call('PATCH', `/api/v1/templates/${id}/versions/2`, {
      key: legal,
      json: { variables: [{ key: 'fee', type: 'money', currency: 'ABC' }] },
    });
    assert.equal(p.status, 422);
  });
});

describe('merge data at envelope creation', () => {
  it('lists every merge error (missing, wrong type, out of range) as a 422 and creates nothing', async () => {
    const id = await published();
    const before = await count();
    const res = await envelope(id, {
      amount: 250000,
      start: '2026-02-30',
      email: 'not-an-email',
      plan: 'gold',
      seats: 2.5,
    });
    assert.equal(res.status, 422);
    const p = await problemOf(res);
    assert.deepEqual(
      p.errors!.map((e) => e.path),
      [
        'mergeData.company',
        'mergeData.amount',
        'mergeData.start',
        'mergeData.email',
        'mergeData.plan',
        'mergeData.seats',
      ],
    );
    assert.match(p.errors![0]!.message, /required/i);
    assert.match(p.errors![1]!.message, /at most/i);
    const wrongType = await problemOf(await envelope(id, { company: 42, amount: 'lots' }));
    assert.deepEqual(
      wrongType.errors!.map((e) => e.path),
      ['mergeData.company', 'mergeData.amount'],
    );
    assert.equal(await count(), before);
  });

  it('prefills text fields whose key names a variable with the formatted value', async () => {
    const id = await published();
    const res = await envelope(id, { company: 'Acme GmbH', amount: 1500, start: '2026-03-01' });
    assert.equal(res.status, 201, await res.clone().text());
    const { view } = await signingView((await res.json()) as Envelope);
    const value = (fid: string) => view.fields.find((f) => f.id === fid)?.value;
    assert.equal(value('company'), 'Acme GmbH');
    assert.equal(value('amount'), '€1,500.00');
    assert.equal(value('start'), 'March 1, 2026');
  });

  it('records the canonical hash of the merge data in envelope.created', async () => {
    const id = await published();
    const mergeData = { amount: '1500', company: 'Acme', start: null };
    const e = (await (await envelope(id, mergeData)).json()) as Envelope;
    const trail = (await (await s.call('GET', `/api/v1/envelopes/${e.id}/audit`, { key: agent })).json()) as {
      events: Array<{ type: string; data: { mergeDataSha256: string } }>;
      valid: boolean;
    };
    const created = trail.events.find((ev) => ev.type === 'envelope.created')!;
    assert.equal(created.data.mergeDataSha256, await sha256Hex(canonicalJson(mergeData)));
    assert.equal(
      created.data.mergeDataSha256,
      await sha256Hex(canonicalJson({ start: null, company: 'Acme', amount: '1500' })),
      'key order does not matter',
    );
    assert.equal(trail.valid, true);
  });
});

describe('conditional fields', () => {
  it('shows and requires the deposit field when amount > 1000', async () => {
    const id = await published();
    const e = (await (
      await envelope(id, { company: 'Acme', amount: '1500.50', start: '2026-03-01' })
    ).json()) as Envelope;
    const { token, view } = await signingView(e);
    assert.ok(view.fields.some((f) => f.id === 'deposit'));
    await expectOk(
      s.call('PUT', '/api/v1/signing/fields/sig', {
        key: token,
        json: { value: { kind: 'drawn', image: PNG_DATA_URL } },
      }),
    );
    await expectOk(s.call('POST', '/api/v1/signing/consent', { key: token, json: { accepted: true } }));
    const res = await s.call('POST', '/api/v1/signing/complete', { key: token });
    assert.equal(res.status, 422);
    assert.deepEqual(
      (await problemOf(res)).errors!.map((x) => x.fieldId),
      ['deposit'],
    );
  });

  it('leaves the field out when the condition is false: not shown, not required, not stamped', async () => {
    const id = await published();
    const e = (await (await envelope(id, { company: 'Acme', amount: 500, start: '2026-03-01' })).json()) as Envelope;
    const { token, view } = await signingView(e);
    assert.ok(!view.fields.some((f) => f.id === 'deposit'));
    assert.equal(
      (await s.call('PUT', '/api/v1/signing/fields/deposit', { key: token, json: { value: 'x' } })).status,
      404,
    );
    const done = await signAsCustomer(s, token);
    assert.equal(done.status, 200, await done.clone().text());
    const stored = await s.deps.store.envelopes.get(e.id);
    assert.ok(!stored!.fields.some((f) => f.id === 'deposit'), 'not in the envelope, so never stamped');
    assert.ok(!('deposit' in stored!.values));
    const created = stored!.audit.find((ev) => ev.type === 'envelope.created')!;
    assert.deepEqual((created.data as { hiddenFields: string[] }).hiddenFields, ['deposit']);
    await s.idle();
    assert.equal((await s.deps.store.envelopes.get(e.id))!.seal?.state, 'sealed');
  });
});

const run = promisify(execFile);

/** Text of a PDF (pdftotext), whitespace collapsed. */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const file = path.join(await tempDir('cs-merge-'), 'doc.pdf');
  await writeFile(file, bytes);
  return (await run('pdftotext', [file, '-'])).stdout.replace(/\s+/g, ' ');
}

const SOURCE = {
  kind: 'clauses',
  title: 'Service agreement with {{company}}',
  parties: [
    { label: 'Provider', lines: ['Countersign Ltd'] },
    { label: 'Customer', lines: ['{{company}}'] },
  ],
  clauses: [
    { key: 'scope', title: 'Scope', body: 'The provider serves {{company}} for {{amount}} a year.' },
    {
      key: 'premium-sla',
      title: 'Premium service levels',
      body: 'Incidents are answered within one hour, day and night.',
      condition: { '==': [{ var: 'plan' }, 'premium'] },
    },
    { key: 'term', title: 'Term and termination', body: 'Either party may end this agreement with notice.' },
  ],
};

async function clauseTemplate(): Promise<string> {
  const res = await s.call('POST', '/api/v1/templates', {
    key: legal,
    json: {
      name: 'Clause MSA',
      source: SOURCE,
      roles: [{ key: 'customer', label: 'Customer', action: 'sign' }],
      variables: [
        { key: 'company', type: 'text', required: true },
        { key: 'amount', type: 'money', currency: 'EUR', required: true },
        { key: 'plan', type: 'enum', required: true, options: [{ value: 'basic' }, { value: 'premium' }] },
      ],
    },
  });
  assert.equal(res.status, 201, await res.clone().text());
  const id = ((await res.json()) as { id: string }).id;
  await expectOk(s.call('POST', `/api/v1/templates/${id}/versions/1/publish`, { key: legal }));
  return id;
}

describe('clause-composed versions', () => {
  it('renders the clauses with the merge data, leaving out a clause whose condition is false', async () => {
    const id = await clauseTemplate();
    const texts: Record<string, string> = {};
    for (const plan of ['premium', 'basic']) {
      const res = await envelope(id, { company: 'Acme GmbH', amount: 12000, plan });
      assert.equal(res.status, 201, await res.clone().text());
      const e = (await res.json()) as Envelope & { documentSha256: string; documentName: string; pages: number };
      assert.equal(e.documentName, 'Service agreement with Acme GmbH.pdf');
      assert.ok(e.pages >= 1);
      const stored = (await s.deps.store.envelopes.get(e.id))!;
      const bytes = (await s.deps.blobs.get(e.documentSha256))!;
      texts[plan] = await pdfText(bytes);
      const created = stored.audit.find((ev) => ev.type === 'envelope.created')!;
      assert.equal(created.documentSha256, e.documentSha256);
      assert.deepEqual(
        stored.fields.map((f) => [f.type, f.role]),
        [
          ['signature', 'customer'],
          ['date_signed', 'customer'],
        ],
      );
    }
    assert.match(texts.premium!, /Premium service levels/);
    assert.match(texts.premium!, /3\.? ?Term and termination/);
    assert.doesNotMatch(texts.basic!, /Premium service levels|within one hour/);
    assert.match(texts.basic!, /2\.? ?Term and termination/, 'numbering stays continuous');
    assert.match(texts.basic!, /Acme GmbH/);
    assert.match(texts.basic!, /€12,000\.00/);
  });

  it('refuses (422) when required variables are missing, creating nothing', async () => {
    const id = await clauseTemplate();
    const before = await count();
    const res = await envelope(id, { company: 'Acme GmbH' });
    assert.equal(res.status, 422);
    assert.deepEqual(
      (await problemOf(res)).errors!.map((e) => e.path),
      ['mergeData.amount', 'mergeData.plan'],
    );
    assert.equal(await count(), before);
  });

  it('refuses placed fields and bad clause conditions on a clauses version', async () => {
    const placed = await s.call('POST', '/api/v1/templates', {
      key: legal,
      json: { name: 'X', source: SOURCE, roles: [{ key: 'customer', action: 'sign' }], fields: [FIELDS[0]] },
    });
    assert.equal(placed.status, 422);
    assert.ok((await problemOf(placed)).errors!.some((e) => e.path === 'fields'));
    const bad = { ...SOURCE, clauses: [{ key: 'a', title: 'A', body: 'x', condition: { exec: [] } }] };
    const cond = await s.call('POST', '/api/v1/templates', {
      key: legal,
      json: { name: 'X', source: bad, roles: [{ key: 'customer', action: 'sign' }] },
    });
    assert.equal(cond.status, 422);
    assert.ok((await problemOf(cond)).errors!.some((e) => e.path === 'source.clauses.0.condition'));
    const both = await s.call('POST', '/api/v1/templates', {
      key: legal,
      json: { name: 'X', documentId, source: SOURCE, roles: [{ key: 'customer', action: 'sign' }] },
    });
    assert.equal(both.status, 422);
  });

  it('diffs clause versions by key and the source hash', async () => {
    const id = await clauseTemplate();
    const clauses = [
      SOURCE.clauses[0],
      { ...SOURCE.clauses[2], body: 'Either party may end this with 30 days notice.' },
    ];
    await expectOk(
      s.call('POST', `/api/v1/templates/${id}/versions`, { key: legal, json: { source: { ...SOURCE, clauses } } }),
    );
    const d = (await (await s.call('GET', `/api/v1/templates/${id}/versions/1/diff/2`, { key: legal })).json()) as {
      document: { changed: boolean };
      clauses: { removed: Array<{ key: string }>; changed: Array<{ key: string }> };
    };
    assert.equal(d.document.changed, true);
    assert.deepEqual(
      d.clauses.removed.map((c) => c.key),
      ['premium-sla'],
    );
    assert.deepEqual(
      d.clauses.changed.map((c) => c.key),
      ['term'],
    );
  });

  it('lets the customer sign the composed document and seals it so pdfsig accepts it', async () => {
    const id = await clauseTemplate();
    const e = (await (await envelope(id, { company: 'Acme GmbH', amount: 12000, plan: 'premium' })).json()) as Envelope;
    const { token, view } = await signingView(e);
    assert.deepEqual(view.fields.map((f) => (f as unknown as { type: string }).type).sort(), [
      'date_signed',
      'signature',
    ]);
    const done = await signAsCustomer(s, token);
    assert.equal(done.status, 200, await done.clone().text());
    await s.idle();
    const stored = (await s.deps.store.envelopes.get(e.id))!;
    assert.equal(stored.seal?.state, 'sealed');
    const file = path.join(await tempDir('cs-merge-'), 'sealed.pdf');
    await writeFile(file, (await s.deps.blobs.get(stored.seal!.sha256!))!);
    const { stdout } = await run('pdfsig', [file]);
    assert.match(stdout, /Signature is Valid/);
    assert.match(stdout, /Total document signed/);
    assert.match(await pdfText((await s.deps.blobs.get(stored.seal!.sha256!))!), /Premium service levels/);
  });
});
