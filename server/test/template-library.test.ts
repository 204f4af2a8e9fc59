import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Template, TemplateClause, TemplateVersion } from '@countersign/core';
import { expectOk, makeServer, problemOf, type TestServer } from './helpers.ts';

/** Library clauses in templates: pinned when the draft is saved, read back resolved, composed from the pinned text. */
let s: TestServer;
let legal: string;
let agent: string;
before(async () => {
  s = await makeServer();
  legal = await s.keyFor('legal');
  agent = await s.keyFor('agent');
});
after(() => s.close());

let n = 0;
async function clause(opts: { locked?: boolean; condition?: unknown; publish?: boolean } = {}) {
  n += 1;
  const res = await expectOk(
    s.call('POST', '/api/v1/clauses', {
      key: legal,
      json: {
        key: `liability-${n}`,
        title: `Liability ${n}`,
        body: `Liability is capped at {{cap}} (text ${n}.1).`,
        locked: opts.locked ?? false,
        ...(opts.condition ? { condition: opts.condition } : {}),
      },
    }),
  );
  const { id, key } = (await res.json()) as { id: string; key: string };
  if (opts.publish !== false)
    await expectOk(s.call('POST', `/api/v1/clauses/${id}/versions/1/publish`, { key: legal }));
  return { id, key };
}

/** A new published version of a library clause, with new body text. */
async function edit(id: string, body: string, publish = true): Promise<number> {
  const res = await expectOk(s.call('PATCH', `/api/v1/clauses/${id}`, { key: legal, json: { body } }));
  const { version } = (await res.json()) as { version: number };
  if (publish) await expectOk(s.call('POST', `/api/v1/clauses/${id}/versions/${version}/publish`, { key: legal }));
  return version;
}

const source = (clauses: unknown[]) => ({ kind: 'clauses', title: 'Master agreement', clauses });
const INLINE = { key: 'intro', title: 'Introduction', body: 'This agreement is made today.' };

const createTemplate = (clauses: unknown[]) =>
  s.call('POST', '/api/v1/templates', {
    key: legal,
    json: {
      name: 'Master',
      source: source(clauses),
      roles: [{ key: 'customer', action: 'sign' }],
      variables: [{ key: 'cap', type: 'text' }],
    },
  });

const clausesOf = (v: { source: TemplateVersion['source'] }): TemplateClause[] =>
  v.source.kind === 'clauses' ? v.source.clauses : [];

function pdfText(bytes: Uint8Array): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: bytes }).toString('utf8').replace(/\s+/g, ' ');
}

describe('library clauses in template versions', () => {
  it('a reference is pinned to the latest published version and read back as its text', async () => {
    const c = await clause();
    const res = await createTemplate([INLINE, { clauseId: c.id }]);
    assert.equal(res.status, 201, await res.clone().text());
    const t = (await res.json()) as Template;
    const [intro, ref] = clausesOf(t.versions[0]!);
    assert.deepEqual(intro, { ...INLINE, locked: false });
    assert.deepEqual(ref, {
      key: c.key,
      title: `Liability ${n}`,
      body: `Liability is capped at {{cap}} (text ${n}.1).`,
      locked: false,
      clauseId: c.id,
      clauseVersion: 1,
    });
    const again = (await (await s.call('GET', `/api/v1/templates/${t.id}`, { key: legal })).json()) as Template;
    assert.deepEqual(clausesOf(again.versions[0]!), [intro, ref]);
  });

  it('a later clause edit changes neither the saved version nor envelopes from it; a new version pins the new text', async () => {
    const c = await clause();
    const first = `text ${n}.1`;
    const t = (await (await expectOk(createTemplate([{ clauseId: c.id }]))).json()) as Template;
    await expectOk(s.call('POST', `/api/v1/templates/${t.id}/versions/1/publish`, { key: legal }));
    const v2 = await edit(c.id, 'Liability is capped at {{cap}} (text edited).');
    assert.equal(v2, 2);

    const v1 = (await (await s.call('GET', `/api/v1/templates/${t.id}`, { key: agent })).json()) as Template;
    assert.match(clausesOf(v1.versions[0]!)[0]!.body, new RegExp(first.replace('.', '\\.')));
    const env = await expectOk(
      s.call('POST', '/api/v1/envelopes', {
        key: agent,
        json: {
          templateId: t.id,
          mergeData: { cap: '€5,000' },
          recipients: [{ role: 'customer', name: 'Ἀθηνᾶ', email: 'a@example.com' }],
        },
      }),
    );
    const { id: envelopeId } = (await env.json()) as { id: string };
    const pdf = await expectOk(
      s.call('GET', `/api/v1/envelopes/${envelopeId}/document?version=original`, { key: agent }),
    );
    const text = pdfText(new Uint8Array(await pdf.arrayBuffer()));
    assert.ok(text.includes(first), text);
    assert.ok(text.includes('capped at €5,000'), text);
    assert.ok(!text.includes('text edited'));

    // The next version, with the same reference, pins version 2; the diff shows the clause by key.
    const next = await s.call('POST', `/api/v1/templates/${t.id}/versions`, {
      key: legal,
      json: { source: source([{ clauseId: c.id }]) },
    });
    assert.equal(next.status, 201, await next.clone().text());
    const nv = (await next.json()) as TemplateVersion;
    assert.equal(clausesOf(nv)[0]!.clauseVersion, 2);
    assert.match(clausesOf(nv)[0]!.body, /text edited/);
    const diff = (await (
      await s.call('GET', `/api/v1/templates/${t.id}/versions/1/diff/2`, { key: legal })
    ).json()) as {
      clauses: { changed: Array<{ key: string; before: TemplateClause; after: TemplateClause }> };
    };
    assert.deepEqual(
      diff.clauses.changed.map((x) => [x.key, x.before.clauseVersion, x.after.clauseVersion]),
      [[c.key, 1, 2]],
    );
  });

  it('a draft keeps its pins when edited without a new source, and a clause read back can be sent back as is', async () => {
    const c = await clause();
    const t = (await (await expectOk(createTemplate([INLINE, { clauseId: c.id }]))).json()) as Template;
    await edit(c.id, 'Newer text {{cap}}.');
    const patched = await s.call('PATCH', `/api/v1/templates/${t.id}/versions/1`, {
      key: legal,
      json: { variables: [{ key: 'cap', type: 'text', label: 'Cap' }] },
    });
    assert.equal(patched.status, 200, await patched.clone().text());
    assert.equal(clausesOf((await patched.json()) as TemplateVersion)[1]!.clauseVersion, 1);

    const readBack = clausesOf(t.versions[0]!);
    const resent = await s.call('PATCH', `/api/v1/templates/${t.id}/versions/1`, {
      key: legal,
      json: { source: source(readBack) },
    });
    assert.equal(resent.status, 200, await resent.clone().text());
    assert.deepEqual(clausesOf((await resent.json()) as TemplateVersion), readBack);
  });

  it('locked is the clause’s OR the reference’s; the reference’s condition replaces the clause’s', async () => {
    const own = { '>': [{ var: 'amount' }, 100] };
    const given = { '==': [{ var: 'plan' }, 'premium'] };
    const locked = await clause({ locked: true, condition: own });
    const open = await clause({ condition: own });
    const res = await createTemplate([
      { clauseId: locked.id, locked: false },
      { clauseId: open.id, locked: true, condition: given },
    ]);
    assert.equal(res.status, 201, await res.clone().text());
    const [a, b] = clausesOf(((await res.json()) as Template).versions[0]!);
    assert.equal(a!.locked, true);
    assert.deepEqual(a!.condition, own);
    assert.equal(b!.locked, true);
    assert.deepEqual(b!.condition, given);
  });

  it('refuses unknown clauses, clauses never published, draft or missing versions and key clashes (422, nothing saved)', async () => {
    const draftOnly = await clause({ publish: false });
    const c = await clause();
    await edit(c.id, 'Draft text.', false);
    const before = await (await s.call('GET', '/api/v1/templates', { key: legal })).text();
    const cases: Array<[unknown[], string, RegExp]> = [
      [[INLINE, { clauseId: 'cl_missing' }], 'source.clauses.1.clauseId', /No such clause/],
      [[{ clauseId: draftOnly.id }], 'source.clauses.0.clauseId', /no published version/],
      [[{ clauseId: c.id, version: 2 }], 'source.clauses.0.version', /draft/],
      [[{ clauseId: c.id, version: 7 }], 'source.clauses.0.version', /no version 7/],
      [[{ ...INLINE, key: c.key }, { clauseId: c.id }], 'source.clauses.1.key', /already clause 1/],
      [[{ clauseId: c.id }, { clauseId: c.id }], 'source.clauses.1.key', /already/],
    ];
    for (const [clauses, path, message] of cases) {
      const res = await createTemplate(clauses);
      assert.equal(res.status, 422, JSON.stringify(clauses));
      const p = await problemOf(res);
      const hit = p.errors?.find((e) => e.path === path);
      assert.ok(hit, `${path} not in ${JSON.stringify(p.errors)}`);
      assert.match(hit.message, message);
    }
    assert.equal(await (await s.call('GET', '/api/v1/templates', { key: legal })).text(), before);
  });

  it('a preview of unsaved state resolves references to the latest published text', async () => {
    const c = await clause();
    await edit(c.id, 'Published second text {{cap}}.');
    await edit(c.id, 'Unpublished third text.', false);
    const res = await s.call('POST', '/api/v1/previews', {
      key: legal,
      json: { source: source([{ clauseId: c.id }]), mergeData: { cap: 'five' } },
    });
    assert.equal(res.status, 200);
    const text = pdfText(new Uint8Array(await res.arrayBuffer()));
    assert.match(text, /Published second text five/);
    assert.doesNotMatch(text, /Unpublished/);
  });

  it('an agent cannot write template text anywhere, locked or not (403, nothing saved)', async () => {
    const c = await clause({ locked: true });
    const t = (await (await expectOk(createTemplate([{ clauseId: c.id }]))).json()) as Template;
    const before = await (await s.call('GET', `/api/v1/templates/${t.id}`, { key: legal })).text();
    const edits = [
      s.call('PATCH', `/api/v1/templates/${t.id}/versions/1`, {
        key: agent,
        json: { source: source([{ key: c.key, title: 'Mine', body: 'No liability at all.' }]) },
      }),
      s.call('POST', `/api/v1/templates/${t.id}/versions`, { key: agent, json: { source: source([INLINE]) } }),
      s.call('POST', '/api/v1/templates', {
        key: agent,
        json: { name: 'x', source: source([{ clauseId: c.id, locked: false }]), roles: [{ key: 'c', action: 'sign' }] },
      }),
    ];
    for (const res of await Promise.all(edits)) assert.equal(res.status, 403);
    assert.equal(await (await s.call('GET', `/api/v1/templates/${t.id}`, { key: legal })).text(), before);
  });
});
