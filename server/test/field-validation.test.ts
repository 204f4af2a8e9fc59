import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FieldPlacement, FieldValidation } from '@countersign/core';
import {
  expectOk,
  makeServer,
  NAMES,
  PNG_DATA_URL,
  problemOf,
  session,
  textFieldPlacement,
  uploadFixture,
  type TestServer,
} from './helpers.ts';

let s: TestServer;
let doc: string;
let legal: string;
let agent: string;

before(async () => {
  s = await makeServer();
  doc = await uploadFixture(s, 'normal.pdf');
  legal = await s.keyFor('legal');
  agent = await s.keyFor('agent');
});
after(() => s.close());

const sig = { id: 'sig', type: 'signature', role: 'customer', page: 1, x: 0.1, y: 0.7, width: 0.3, height: 0.08 };
const textField = (id: string, validation?: FieldValidation, y = 0.1) =>
  textFieldPlacement(id, { y, validation, label: id });

const EMAIL: FieldValidation = { kind: 'email' };
const PO: FieldValidation = { kind: 'pattern', pattern: 'PO-\\d{4}', message: 'Use your PO number, e.g. PO-1234' };
const SEATS: FieldValidation = { kind: 'number', min: 1, max: 500 };

const createTemplate = (fields: unknown[]) =>
  s.call('POST', '/api/v1/templates', {
    key: legal,
    json: { name: 'Order form', documentId: doc, roles: [{ key: 'customer', action: 'sign' }], fields },
  });

async function publishedTemplate(fields: unknown[]): Promise<string> {
  const res = await createTemplate(fields);
  assert.equal(res.status, 201, await res.clone().text());
  const id = ((await res.json()) as { id: string }).id;
  await expectOk(s.call('POST', `/api/v1/templates/${id}/versions/1/publish`, { key: legal }));
  return id;
}

/** Sends an envelope from the template; returns the customer's signing token. */
async function signerToken(templateId: string): Promise<{ token: string; envelopeId: string }> {
  const env = (await (
    await expectOk(
      s.call('POST', '/api/v1/envelopes', {
        key: agent,
        json: {
          templateId,
          send: true,
          recipients: [{ role: 'customer', name: NAMES[0], email: 'zoe@example.com' }],
        },
      }),
    )
  ).json()) as { id: string; recipients: Array<{ id: string }> };
  const token = ((await (await session(s, env.id, env.recipients[0]!.id)).json()) as { token: string }).token;
  return { token, envelopeId: env.id };
}

const put = (token: string, id: string, value: unknown) =>
  s.call('PUT', `/api/v1/signing/fields/${id}`, { key: token, json: { value } });
const view = async (token: string) =>
  (await (await expectOk(s.call('GET', '/api/v1/signing', { key: token }))).json()) as {
    fields: Array<FieldPlacement & { value: unknown }>;
  };

describe('field validation in templates', () => {
  it('keeps a text field’s validation exactly as sent, in the version and its diff', async () => {
    const res = await createTemplate([
      sig,
      textField('email', EMAIL),
      textField('po', PO, 0.2),
      textField('seats', SEATS, 0.3),
    ]);
    assert.equal(res.status, 201, await res.clone().text());
    const t = (await res.json()) as { id: string; versions: Array<{ fields: FieldPlacement[] }> };
    const got = (await (await s.call('GET', `/api/v1/templates/${t.id}`, { key: legal })).json()) as typeof t;
    const byId = new Map(got.versions.at(-1)!.fields.map((f) => [f.id, f]));
    assert.deepEqual(byId.get('email')!.validation, EMAIL);
    assert.deepEqual(byId.get('po')!.validation, PO);
    assert.deepEqual(byId.get('seats')!.validation, SEATS);
    assert.equal(byId.get('sig')!.validation, undefined);

    // A changed validation is a changed field in the version diff; the rest is not.
    const seats2 = textField('seats', { kind: 'number', min: 1, max: 1000 }, 0.3);
    await expectOk(s.call('POST', `/api/v1/templates/${t.id}/versions/1/publish`, { key: legal }));
    await expectOk(
      s.call('POST', `/api/v1/templates/${t.id}/versions`, {
        key: legal,
        json: { fields: [sig, textField('email', EMAIL), textField('po', PO, 0.2), seats2] },
      }),
    );
    const diff = (await (
      await expectOk(s.call('GET', `/api/v1/templates/${t.id}/versions/1/diff/2`, { key: legal }))
    ).json()) as {
      identical: boolean;
      fields: { changed: Array<{ id: string; before: FieldPlacement; after: FieldPlacement }> };
    };
    assert.equal(diff.identical, false);
    assert.deepEqual(
      diff.fields.changed.map((c) => [c.id, c.before.validation, c.after.validation]),
      [['seats', SEATS, { kind: 'number', min: 1, max: 1000 }]],
    );
  });

  it('refuses (422) a validation on a non-text field, a pattern that does not compile, min above max', async () => {
    const count = async () =>
      ((await (await s.call('GET', '/api/v1/templates', { key: legal })).json()) as { items: unknown[] }).items.length;
    const templatesBefore = await count();
    const cases: Array<[unknown, string]> = [
      [{ ...sig, validation: EMAIL }, 'fields.0.validation'],
      [textField('po', { kind: 'pattern', pattern: '([A-Z' }), 'fields.0.validation.pattern'],
      [textField('po', { kind: 'pattern', pattern: 'a)|(b' }), 'fields.0.validation.pattern'],
      [textField('po', { kind: 'pattern' }), 'fields.0.validation.pattern'],
      // Lookaround: the linear-time engine that checks patterns cannot run it.
      [textField('po', { kind: 'pattern', pattern: '(?=PO)PO-\\d{4}' }), 'fields.0.validation.pattern'],
      [textField('n', { kind: 'number', min: 10, max: 2 }), 'fields.0.validation.max'],
      [textField('n', { kind: 'email', min: 1 }), 'fields.0.validation.min'],
    ];
    for (const [field, path] of cases) {
      const res = await createTemplate([field]);
      assert.equal(res.status, 422, JSON.stringify(field));
      const problem = await problemOf(res);
      assert.ok(
        problem.errors?.some((e) => e.path === path),
        `${JSON.stringify(field)} → ${JSON.stringify(problem.errors)}`,
      );
    }
    // Schema level: an unknown kind or an unknown property.
    for (const validation of [{ kind: 'postcode' }, { kind: 'email', extra: 1 }]) {
      assert.equal((await createTemplate([textField('x', validation as FieldValidation)])).status, 422);
    }
    assert.equal(await count(), templatesBefore, 'a refused template is not created');
  });
});

describe('field validation when signing', () => {
  it('the signing view carries the validation; a bad value is refused with 422 and nothing is stored', async () => {
    const id = await publishedTemplate([
      sig,
      textField('email', EMAIL),
      textField('po', PO, 0.2),
      textField('seats', SEATS, 0.3),
    ]);
    const { token, envelopeId } = await signerToken(id);
    const fields = (await view(token)).fields;
    assert.deepEqual(fields.find((f) => f.id === 'po')!.validation, PO);

    await expectOk(put(token, 'email', 'zoe@example.com'));
    const before = JSON.stringify(
      await (await s.call('GET', `/api/v1/envelopes/${envelopeId}/audit`, { key: s.adminKey })).json(),
    );

    const bad: Array<[string, string, string]> = [
      ['email', '<img src=x onerror=alert(1)>', 'Enter an email address, like name@example.com'],
      ['po', 'PO-12', 'Use your PO number, e.g. PO-1234'],
      ['seats', '501', 'Enter a number of at most 500'],
      ['seats', 'ten', 'Enter a number'],
    ];
    for (const [fieldId, value, message] of bad) {
      const res = await put(token, fieldId, value);
      assert.equal(res.status, 422, `${fieldId}=${value}`);
      const problem = await problemOf(res);
      assert.deepEqual(problem.errors, [{ path: 'value', fieldId, message }]);
    }
    const after = (await view(token)).fields;
    assert.equal(after.find((f) => f.id === 'email')!.value, 'zoe@example.com', 'the earlier good value stays');
    assert.equal(after.find((f) => f.id === 'po')!.value, null);
    assert.equal(after.find((f) => f.id === 'seats')!.value, null);
    const audit = JSON.stringify(
      await (await s.call('GET', `/api/v1/envelopes/${envelopeId}/audit`, { key: s.adminKey })).json(),
    );
    assert.equal(audit, before, 'a refused value leaves no audit event');

    // Good values are stored; clearing an optional field is allowed.
    await expectOk(put(token, 'po', 'PO-1234'));
    await expectOk(put(token, 'seats', '12,5'));
    await expectOk(put(token, 'seats', null));
    await expectOk(put(token, 'seats', '500'));
    const stored = new Map((await view(token)).fields.map((f) => [f.id, f.value]));
    assert.equal(stored.get('po'), 'PO-1234');
    assert.equal(stored.get('seats'), '500');
  });

  it('complete re-checks stored values against the fields’ validation', async () => {
    const id = await publishedTemplate([sig, textField('po', PO)]);
    const { token, envelopeId } = await signerToken(id);
    await expectOk(put(token, 'sig', { kind: 'drawn', image: PNG_DATA_URL }));
    await expectOk(put(token, 'po', 'PO-1234'));
    await expectOk(s.call('POST', '/api/v1/signing/consent', { key: token, json: { accepted: true } }));
    // A value stored before the check existed (or written around it) is caught at completion.
    await s.deps.store.envelopes.transact(envelopeId, (e) => {
      e.values['po']!.value = 'not a PO';
      return e;
    });
    const res = await s.call('POST', '/api/v1/signing/complete', { key: token });
    assert.equal(res.status, 422);
    assert.deepEqual((await problemOf(res)).errors, [
      { fieldId: 'po', path: 'fields.po', message: 'Use your PO number, e.g. PO-1234' },
    ]);
    const env = (await (await s.call('GET', `/api/v1/envelopes/${envelopeId}`, { key: s.adminKey })).json()) as {
      status: string;
    };
    assert.equal(env.status, 'sent');

    await expectOk(put(token, 'po', 'PO-9999'));
    await expectOk(s.call('POST', '/api/v1/signing/complete', { key: token }));
  });
});
