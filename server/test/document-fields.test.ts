import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { UploadedDocument } from '@countersign/core';
import { PDFDocument } from 'pdf-lib';
import { embedToken, fixture, fixturesDir, makeServer, pdfForm, type TestServer } from './helpers.ts';

let s: TestServer;
before(async () => {
  s = await makeServer();
});
after(() => s.close());

async function upload(bytes: Uint8Array, name: string, key = s.adminKey): Promise<UploadedDocument> {
  const res = await s.call('POST', '/api/v1/documents', { key, body: pdfForm(bytes, name) });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as UploadedDocument;
}

/** Every terminal field's widgets as qpdf (an independent parser) reads it: type, flags, /Rect. */
function qpdfFields(file: string) {
  const json = JSON.parse(execFileSync('qpdf', ['--json', path.join(fixturesDir(), file)]).toString('utf8')) as {
    acroform: {
      fields: Array<{ fullname: string; fieldtype: string; fieldflags: number; annotation: { object: string } }>;
    };
    qpdf: [unknown, Record<string, { value?: { '/Rect'?: number[] } }>];
  };
  const out = new Map<string, { fieldtype: string; flags: number; rects: number[][] }>();
  for (const f of json.acroform.fields) {
    const rect = json.qpdf[1][`obj:${f.annotation.object}`]?.value?.['/Rect'];
    if (!rect) continue;
    const known = out.get(f.fullname);
    if (known) known.rects.push(rect);
    else out.set(f.fullname, { fieldtype: f.fieldtype, flags: f.fieldflags, rects: [rect] });
  }
  return out;
}

describe('document form fields', () => {
  for (const file of ['sample_form.pdf', 'fancy_fields.pdf']) {
    it(`${file}: every AcroForm field but push buttons is offered, at the widget's /Rect as page fractions`, async () => {
      const doc = await upload(await fixture(file), file);
      assert.equal(doc.sourceType, 'pdf');
      assert.equal(doc.originalSize, doc.size);
      const expected = qpdfFields(file);
      const pushButtons = [...expected].filter(([, f]) => f.fieldtype === '/Btn' && f.flags & 65536);
      assert.equal(doc.formFields.length, expected.size - pushButtons.length);
      const [W, H] = [612, 792]; // both fixtures are US Letter, unrotated
      for (const field of doc.formFields) {
        const q = expected.get(field.name);
        assert.ok(q, `${field.name} is not a field qpdf sees`);
        assert.equal(field.page, 1);
        // A field with several widgets (radio buttons, a list) is placed at one of them.
        const near = (a: number, b: number) => Math.abs(a - b) < 0.001;
        const at = q.rects.some(
          ([x1, y1, x2, y2]) =>
            near(field.x, x1! / W) &&
            near(field.y, (H - y2!) / H) &&
            near(field.width, (x2! - x1!) / W) &&
            near(field.height, (y2! - y1!) / H),
        );
        assert.ok(at, `${field.name} at ${JSON.stringify(field)}, widgets at ${JSON.stringify(q.rects)}`);
        const ours = { '/Tx': 'text', '/Ch': 'text', '/Sig': 'signature', '/Btn': 'checkbox' }[q.fieldtype];
        assert.equal(field.type, ours, field.name);
        assert.equal(field.required, Boolean(q.flags & 2), field.name);
      }
      const byName = new Map(doc.formFields.map((f) => [f.name, f]));
      if (file === 'sample_form.pdf') {
        assert.equal(byName.get('EMPLOYEE SIGNATURE')?.type, 'signature');
        assert.equal(byName.get('Sex')?.pdfType, 'radio');
        assert.equal(byName.get('STATE')?.pdfType, 'text');
        assert.ok(!byName.has('Print'), 'a push button is not a field to fill');
      } else {
        assert.equal(byName.get('Choose A Gundam 🤖')?.pdfType, 'dropdown');
        assert.equal(byName.get('Which Are Planets? 🌎')?.pdfType, 'listbox');
        assert.equal(byName.get('Historical Figures 🐺')?.type, 'checkbox');
      }
      const again = await s.call('GET', `/api/v1/documents/${doc.id}`, { key: s.adminKey });
      assert.deepEqual(await again.json(), doc, 'GET returns what the upload returned');
    });
  }

  it('reads the Required flag', async () => {
    const pdf = await PDFDocument.create();
    const page = pdf.addPage([600, 800]);
    const form = pdf.getForm();
    const must = form.createTextField('must');
    must.enableRequired();
    must.addToPage(page, { x: 60, y: 700, width: 240, height: 20 });
    form.createTextField('may').addToPage(page, { x: 60, y: 600, width: 240, height: 20 });
    const doc = await upload(await pdf.save(), 'required.pdf');
    const byName = new Map(doc.formFields.map((f) => [f.name, f]));
    assert.equal(byName.get('must')?.required, true);
    assert.equal(byName.get('may')?.required, false);
    // pdf-lib widens the widget by its border: 60/600 and 80/800 give 0.1 within a point.
    const placed = byName.get('must')!;
    for (const [got, want] of [
      [placed.x, 0.1],
      [placed.y, 0.1],
      [placed.width, 0.4],
      [placed.height, 0.025],
    ]) {
      assert.ok(Math.abs(got! - want!) < 2 / 600, `${got} vs ${want}`);
    }
  });

  it('a PDF without a form has no form fields', async () => {
    const pdf = await PDFDocument.create();
    pdf.addPage([600, 800]).drawText('No form here');
    const doc = await upload(await pdf.save(), 'plain.pdf');
    assert.deepEqual(doc.formFields, []);
  });
});

describe('GET /api/v1/documents/{id}/content', () => {
  it('serves the stored bytes with ETag, If-None-Match and Range', async () => {
    const bytes = await fixture('sample_form.pdf');
    const doc = await upload(bytes, 'Zoë Łukasz-Müller.pdf');
    const url = `/api/v1/documents/${doc.id}/content`;
    const full = await s.call('GET', url, { key: s.adminKey });
    assert.equal(full.status, 200);
    assert.equal(full.headers.get('content-type'), 'application/pdf');
    assert.equal(full.headers.get('etag'), `"${doc.sha256}"`);
    assert.match(full.headers.get('content-disposition') ?? '', /filename\*=UTF-8''Zo%C3%AB/);
    assert.deepEqual(new Uint8Array(await full.arrayBuffer()), bytes);
    const cached = await s.call('GET', url, { key: s.adminKey, headers: { 'If-None-Match': `"${doc.sha256}"` } });
    assert.equal(cached.status, 304);
    const part = await s.call('GET', url, { key: s.adminKey, headers: { Range: 'bytes=0-7' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 0-7/${bytes.length}`);
    assert.equal(
      Buffer.from(await part.arrayBuffer()).toString('latin1'),
      Buffer.from(bytes.subarray(0, 8)).toString('latin1'),
    );
    const bad = await s.call('GET', url, { key: s.adminKey, headers: { Range: `bytes=${bytes.length + 10}-` } });
    assert.equal(bad.status, 416);
  });

  it('unknown id is a 404 problem', async () => {
    const res = await s.call('GET', '/api/v1/documents/doc_nope/content', { key: s.adminKey });
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
  });
});

describe('document roles', () => {
  it('every staff role uploads; an agent reads only its own uploads, the others read all', async () => {
    const keys = {
      agent: await s.keyFor('agent', 'agent one'),
      agent2: await s.keyFor('agent', 'agent two'),
      manager: await s.keyFor('manager'),
      legal: await s.keyFor('legal'),
    };
    const bytes = await fixture('normal.pdf');
    const byAgent = await upload(bytes, 'supporting.pdf', keys.agent);
    const byLegal = await upload(bytes, 'template.pdf', keys.legal);
    const byManager = await upload(bytes, 'manager.pdf', keys.manager);
    const status = async (key: string | undefined, id: string, suffix = '') =>
      (await s.call('GET', `/api/v1/documents/${id}${suffix}`, { key })).status;
    for (const suffix of ['', '/content']) {
      assert.equal(await status(keys.agent, byAgent.id, suffix), 200);
      assert.equal(await status(keys.agent2, byAgent.id, suffix), 404, 'another agent’s upload');
      assert.equal(await status(keys.agent, byLegal.id, suffix), 404);
      assert.equal(await status(keys.agent, byManager.id, suffix), 404);
      for (const key of [keys.manager, keys.legal, s.adminKey]) {
        assert.equal(await status(key, byAgent.id, suffix), 200);
        assert.equal(await status(key, byLegal.id, suffix), 200);
      }
      assert.equal(await status(undefined, byAgent.id, suffix), 401);
      assert.equal(await status('cs_live_nope', byAgent.id, suffix), 401);
    }
    // An embed token's user owns what it uploads, keyed by the user, not the minting key.
    const mint = (id: string) => embedToken(s, 'agent', { id, name: 'Юлия', email: `${id}@example.com` });
    const julia = await mint('julia');
    const other = await mint('other');
    const mine = await upload(bytes, 'mine.pdf', julia);
    assert.equal(await status(julia, mine.id), 200);
    assert.equal(await status(other, mine.id), 404);
  });
});
