import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { expectOk, fixture, makeServer, NAMES, problemOf, type TestServer, uploadFixture } from './helpers.ts';

let s: TestServer;
let legal: string;
let agent: string;
let manager: string;

before(async () => {
  s = await makeServer({ maxJsonBytes: 256 * 1024 });
  legal = await s.keyFor('legal');
  agent = await s.keyFor('agent');
  manager = await s.keyFor('manager');
});
after(() => s.close());

const SCRIPT = '<img src=x onerror=alert(1)>';

const VARIABLES = [
  { key: 'customer', type: 'text', label: 'Customer name', required: true },
  { key: 'fee', type: 'money', currency: 'EUR', required: true, min: 0 },
  { key: 'amount', type: 'number', min: 0 },
];

const SOURCE = {
  kind: 'clauses',
  title: 'Service agreement for {{customer}}',
  parties: [{ label: 'Customer', lines: ['{{customer}}'] }],
  clauses: [
    { key: 'fees', title: 'Fees', body: 'The customer pays a monthly fee of {{fee}}.' },
    {
      key: 'deposit',
      title: 'Security deposit',
      body: 'A deposit applies to amounts of {{amount}}.',
      condition: { '>': [{ var: 'amount' }, 5000] },
    },
    { key: 'law', title: 'Governing law', body: 'The laws of Ireland apply.' },
  ],
};

/** The text of a PDF, as poppler reads it (an independent reader), with whitespace folded. */
function pdfText(bytes: Uint8Array): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: bytes }).toString('utf8').replace(/\s+/g, ' ');
}

async function pdfOf(res: Response): Promise<Uint8Array> {
  assert.equal(res.status, 200, res.status === 200 ? '' : await res.clone().text());
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal(Buffer.from(bytes.subarray(0, 5)).toString('latin1'), '%PDF-');
  return bytes;
}

async function clausesTemplate(publish: boolean): Promise<string> {
  const res = await expectOk(
    s.call('POST', '/api/v1/templates', {
      key: legal,
      json: { name: 'Service', source: SOURCE, roles: [{ key: 'customer', action: 'sign' }], variables: VARIABLES },
    }),
  );
  const id = ((await res.json()) as { id: string }).id;
  if (publish) await expectOk(s.call('POST', `/api/v1/templates/${id}/versions/1/publish`, { key: legal }));
  return id;
}

const previewVersion = (id: string, mergeData?: unknown, key = legal, n = 1) =>
  s.call('POST', `/api/v1/templates/${id}/versions/${n}/preview`, {
    key,
    ...(mergeData === undefined ? {} : { json: { mergeData } }),
  });

describe('POST /templates/{id}/versions/{n}/preview', () => {
  it('composes a clauses version with the merge data; a true condition includes its clause', async () => {
    const id = await clausesTemplate(true);
    const text = pdfText(await pdfOf(await previewVersion(id, { customer: NAMES[0], fee: 1200, amount: 9000 })));
    assert.match(text, /Service agreement for Zoë Łukasz-Müller/);
    assert.match(text, /monthly fee of €1,200\.00/);
    assert.match(text, /Security deposit/);
    assert.match(text, /amounts of 9,000/);
    assert.match(text, /Preview — not for signature/);
    assert.match(text, /Signature/, 'the signing role’s box is shown');
  });

  it('missing and invalid values print as visible blanks, never a 422; a condition on a missing value is false', async () => {
    const id = await clausesTemplate(true);
    const res = await previewVersion(id, { fee: 'twelve hundred' });
    const text = pdfText(await pdfOf(res));
    assert.match(text, /Service agreement for \[Customer name\]/);
    assert.match(text, /monthly fee of \[fee\]/);
    assert.doesNotMatch(text, /\{\{/);
    assert.doesNotMatch(text, /Security deposit/);
    assert.doesNotMatch(text, /twelve hundred/, 'an invalid value is not printed as if it were valid');
    const none = pdfText(await pdfOf(await previewVersion(id)));
    assert.match(none, /monthly fee of \[fee\]/);
  });

  it('prints script and names in any script as text', async () => {
    const id = await clausesTemplate(true);
    for (const name of [SCRIPT, ...NAMES]) {
      const text = pdfText(await pdfOf(await previewVersion(id, { customer: name, fee: 10, amount: 1 })));
      assert.ok(text.includes(name), `${name} not in ${text.slice(0, 200)}`);
    }
  });

  it('a PDF version answers its document, with ETag and Range', async () => {
    const documentId = await uploadFixture(s, 'normal.pdf');
    const doc = (await (await s.call('GET', `/api/v1/documents/${documentId}`, { key: legal })).json()) as {
      sha256: string;
    };
    const res = await expectOk(
      s.call('POST', '/api/v1/templates', {
        key: legal,
        json: { name: 'Pdf', documentId, roles: [{ key: 'customer', action: 'sign' }] },
      }),
    );
    const id = ((await res.json()) as { id: string }).id;
    const full = await previewVersion(id, {});
    await pdfOf(full.clone());
    assert.equal(full.headers.get('etag'), `"${doc.sha256}"`);
    const part = await s.call('POST', `/api/v1/templates/${id}/versions/1/preview`, {
      key: legal,
      headers: { Range: 'bytes=0-4' },
    });
    assert.equal(part.status, 206);
  });

  it('agents and managers preview published versions only; drafts and unknown versions are 404', async () => {
    const draft = await clausesTemplate(false);
    const published = await clausesTemplate(true);
    for (const key of [agent, manager]) {
      assert.equal((await previewVersion(draft, {}, key)).status, 404);
      await pdfOf(await previewVersion(published, { fee: 5 }, key));
    }
    assert.equal((await previewVersion(published, {}, legal, 9)).status, 404);
    await pdfOf(await previewVersion(draft, {}, legal));
    const anonymous = await s.call('POST', `/api/v1/templates/${published}/versions/1/preview`, { json: {} });
    assert.equal(anonymous.status, 401);
  });

  it('bounds its input: merge data is scalars, at most 200 keys, short values', async () => {
    const id = await clausesTemplate(true);
    const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, 'x']));
    for (const mergeData of [many, { fee: { nested: true } }, { customer: 'x'.repeat(2001) }]) {
      const res = await previewVersion(id, mergeData);
      assert.equal(res.status, 422);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
    }
    const extra = await s.call('POST', `/api/v1/templates/${id}/versions/1/preview`, {
      key: legal,
      json: { mergeData: {}, other: 1 },
    });
    assert.equal(extra.status, 422);
  });
});

describe('POST /previews', () => {
  const previewSource = (json: unknown, key = legal) => s.call('POST', '/api/v1/previews', { key, json });

  it('renders unsaved builder state for legal and admin', async () => {
    for (const key of [legal, s.adminKey]) {
      const text = pdfText(
        await pdfOf(
          await previewSource(
            { source: SOURCE, variables: VARIABLES, mergeData: { customer: 'Юлия', fee: 99.5, amount: 6000 } },
            key,
          ),
        ),
      );
      assert.match(text, /Service agreement for Юлия/);
      assert.match(text, /€99\.50/);
      assert.match(text, /Security deposit/);
    }
    const off = pdfText(await pdfOf(await previewSource({ source: SOURCE, mergeData: { amount: 10 } })));
    assert.doesNotMatch(off, /Security deposit/);
    assert.match(off, /Governing law/);
    assert.match(off, /\[customer\]/, 'without variables the blank shows the key');
  });

  it('refuses agents and managers (403) and no credential (401)', async () => {
    for (const key of [agent, manager]) assert.equal((await previewSource({ source: SOURCE }, key)).status, 403);
    assert.equal((await s.call('POST', '/api/v1/previews', { json: { source: SOURCE } })).status, 401);
  });

  it('checks the source as saving would: bad conditions, duplicate keys, unknown library clauses are 422', async () => {
    const cases: Array<[unknown, string]> = [
      [
        { ...SOURCE, clauses: [{ key: 'a', title: 'A', body: 'x', condition: { nope: [1] } }] },
        'source.clauses.0.condition',
      ],
      [
        {
          ...SOURCE,
          clauses: [
            { key: 'a', title: 'A', body: 'x' },
            { key: 'a', title: 'B', body: 'y' },
          ],
        },
        'source.clauses.1.key',
      ],
      [{ ...SOURCE, clauses: [{ clauseId: 'cl_nope' }] }, 'source.clauses.0.clauseId'],
      [{ ...SOURCE, clauses: [] }, 'source.clauses'],
      [{ kind: 'pdf', documentId: 'doc_x' }, 'source.kind'],
    ];
    for (const [source, path] of cases) {
      const res = await previewSource({ source });
      assert.equal(res.status, 422, JSON.stringify(source));
      const p = await problemOf(res);
      assert.ok(
        p.errors?.some((e) => e.path?.startsWith(path)),
        `${path} not in ${JSON.stringify(p.errors)}`,
      );
    }
  });

  it('refuses a body over the JSON limit with 413', async () => {
    const clauses = Array.from({ length: 20 }, (_, i) => ({ key: `c${i}`, title: 'T', body: 'x'.repeat(15_000) }));
    const res = await previewSource({ source: { ...SOURCE, clauses } });
    assert.equal(res.status, 413);
  });
});

describe('POST /templates/{id}/versions/{n}/preview of a PDF version', () => {
  const FIELDS = [
    { id: 'name', key: 'customer', label: 'Name', x: 0.1, y: 0.1 },
    { id: 'fee', key: 'fee', label: 'Monthly fee', x: 0.1, y: 0.3 },
    { id: 'amount', key: 'amount', label: 'Amount', x: 0.1, y: 0.5 },
  ].map((f) => ({ ...f, type: 'text', role: 'customer', page: 1, width: 0.5, height: 0.05, required: false }));

  async function pdfTemplate(): Promise<string> {
    const documentId = await uploadFixture(s, 'normal.pdf');
    const res = await expectOk(
      s.call('POST', '/api/v1/templates', {
        key: legal,
        json: {
          name: 'Form',
          documentId,
          roles: [{ key: 'customer', action: 'sign' }],
          fields: FIELDS,
          variables: VARIABLES,
        },
      }),
    );
    const id = ((await res.json()) as { id: string }).id;
    await expectOk(s.call('POST', `/api/v1/templates/${id}/versions/1/publish`, { key: legal }));
    return id;
  }

  /** Words poppler finds inside a field's rectangle (fractions of the page), joined by spaces. */
  function wordsIn(bytes: Uint8Array, box: { x: number; y: number; width: number; height: number }): string {
    const html = execFileSync('pdftotext', ['-bbox', '-f', '1', '-l', '1', '-enc', 'UTF-8', '-', '-'], {
      input: bytes,
    }).toString('utf8');
    const page = /<page width="([\d.]+)" height="([\d.]+)">/.exec(html)!;
    const [w, h] = [+page[1]!, +page[2]!];
    const out: string[] = [];
    for (const m of html.matchAll(/xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</g)) {
      const [x0, y0, x1, y1] = [+m[1]! / w, +m[2]! / h, +m[3]! / w, +m[4]! / h];
      if (x0 >= box.x - 0.01 && x1 <= box.x + box.width + 0.01 && y0 >= box.y - 0.01 && y1 <= box.y + box.height + 0.01)
        out.push(m[5]!.replace(/&amp;/g, '&'));
    }
    return out.join(' ');
  }

  it('stamps each merge value, formatted as in an envelope, inside its field, and [Label] where it is missing or invalid', async () => {
    const id = await pdfTemplate();
    const original = await fixture('normal.pdf');
    /** What the preview prints in a field: its words minus those the page already had there. */
    const printed = (bytes: Uint8Array, i: number) => {
      const had = wordsIn(original, FIELDS[i]!).split(' ');
      return wordsIn(bytes, FIELDS[i]!)
        .split(' ')
        .filter((w) => {
          const at = had.indexOf(w);
          if (at < 0) return true;
          had.splice(at, 1);
          return false;
        })
        .join(' ');
    };
    const bytes = await pdfOf(await previewVersion(id, { customer: NAMES[0], fee: 1200 }, agent));
    assert.equal(printed(bytes, 0), NAMES[0]);
    assert.equal(printed(bytes, 1), '€1,200.00');
    // No variable label for amount: the field's label names the blank.
    assert.equal(printed(bytes, 2), '[Amount]');

    const invalid = await pdfOf(await previewVersion(id, { fee: 'twelve hundred' }, agent));
    assert.equal(printed(invalid, 0), '[Customer name]');
    assert.equal(printed(invalid, 1), '[Monthly fee]');
  });
});
