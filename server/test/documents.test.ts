import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixture, makeServer, pdfForm, problemOf, type TestServer } from './helpers.ts';

let s: TestServer;
before(async () => {
  s = await makeServer({ maxUploadBytes: 1024 * 1024 });
});
after(() => s.close());

const upload = (form: FormData | string, headers?: Record<string, string>) =>
  s.call('POST', '/api/v1/documents', { key: s.adminKey, body: form, headers });

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  }
  return out;
}

describe('POST /api/v1/documents', () => {
  it('stores a PDF and returns id, name, sha256 and pages', async () => {
    const res = await upload(pdfForm(await fixture('us_constitution.pdf'), 'contract.pdf'));
    assert.equal(res.status, 201);
    const doc = (await res.json()) as { id: string; name: string; sha256: string; pages: number };
    assert.equal(doc.pages, 19);
    assert.match(doc.sha256, /^[0-9a-f]{64}$/);
    assert.equal(doc.name, 'contract.pdf');
    const blobs = await listFiles(path.join(s.dataDir, 'blobs'));
    assert.ok(blobs.some((f) => f.endsWith(doc.sha256)));
    assert.ok(!blobs.some((f) => f.endsWith('.tmp')));
  });

  it('keeps unicode and hostile file names as text, never as a path', async () => {
    const names = [
      'Zoë Łukasz-Müller.pdf',
      'Ἀθηνᾶ.pdf',
      'Юлия.pdf',
      '山田太郎.pdf',
      'محمد.pdf',
      '<script>alert(1)</script>.pdf',
      '../../etc/passwd',
    ];
    for (const name of names) {
      const res = await upload(pdfForm(await fixture('normal.pdf'), name));
      assert.equal(res.status, 201, name);
      const doc = (await res.json()) as { id: string; name: string };
      assert.equal(doc.name, name);
      const again = (await (await s.call('GET', `/api/v1/documents/${doc.id}`, { key: s.adminKey })).json()) as {
        name: string;
      };
      assert.equal(again.name, name);
    }
    const files = await listFiles(s.dataDir);
    assert.ok(files.every((f) => f.startsWith(s.dataDir)));
    assert.ok(!files.some((f) => /passwd|script|Zo|Юлия/.test(path.basename(f))));
  });

  it('refuses a file that is not a PDF with 415', async () => {
    const form = new FormData();
    form.append('file', new File(['hello, not a pdf'], 'note.pdf'));
    const res = await upload(form);
    assert.equal(res.status, 415);
    const p = await problemOf(res);
    assert.ok(p.detail);
    assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
  });

  it('refuses an encrypted PDF with a problem that says so', async () => {
    const res = await upload(pdfForm(await fixture('encrypted_new.pdf'), 'secret.pdf'));
    assert.equal(res.status, 422);
    const p = await problemOf(res);
    assert.match(`${p.detail} ${JSON.stringify(p.errors)}`, /encrypt|password/i);
  });

  it('repairs or refuses damaged PDFs with a clear 4xx, never a 500', async () => {
    for (const name of ['invalid_root_ref.pdf', 'missing_xref_trailer_dict.pdf', 'with_invalid_objects.pdf']) {
      const res = await upload(pdfForm(await fixture(name), name));
      if (res.status === 201) {
        const doc = (await res.json()) as { pages: number };
        assert.ok(doc.pages >= 1, name);
      } else {
        assert.ok(res.status >= 400 && res.status < 500, `${name}: ${res.status}`);
        const p = await problemOf(res);
        assert.ok(p.detail, name);
      }
    }
  });

  it('refuses an upload over the limit from Content-Length before reading it (413)', async () => {
    const res = await upload('x', {
      'Content-Type': 'multipart/form-data; boundary=x',
      'Content-Length': String(50 * 1024 * 1024),
    });
    assert.equal(res.status, 413);
  });

  it('refuses an upload whose actual size is over the limit (413)', async () => {
    const big = await fixture('linearized_with_object_streams.pdf');
    const res = await upload(pdfForm(big, 'big.pdf'));
    assert.equal(res.status, 413);
    assert.equal((await problemOf(res)).status, 413);
  });

  it('answers a missing file field with 422', async () => {
    const form = new FormData();
    form.append('other', 'x');
    const res = await upload(form);
    assert.equal(res.status, 422);
    assert.equal((await problemOf(res)).errors?.[0]?.path, 'file');
  });
});
