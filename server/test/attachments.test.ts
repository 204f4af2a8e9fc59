import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { Envelope, SigningView, UploadedDocument } from '@countersign/core';
import sharp from 'sharp';
import {
  expectOk,
  fixture,
  makeServer,
  problemOf,
  session,
  signAsCustomer,
  tempDir,
  type TestServer,
  uploadFixture,
} from './helpers.ts';

const run = promisify(execFile);
let s: TestServer;
let agent: string;
let photo: Uint8Array;

before(async () => {
  s = await makeServer();
  agent = await s.keyFor('agent', 'Agent with photos');
  // A 12-megapixel camera photo: noise (the worst case for JPEG) at quality 90, held sideways
  // (EXIF orientation 6: the camera was turned, so the upright image is 3000 × 4000).
  const [w, h] = [4000, 3000];
  photo = new Uint8Array(
    await sharp(randomBytes(w * h * 3), { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality: 90 })
      .withMetadata({ orientation: 6 })
      .toBuffer(),
  );
});
after(() => s.close());

function form(bytes: Uint8Array, name: string, type = 'application/octet-stream'): FormData {
  const f = new FormData();
  f.append('file', new File([bytes as Uint8Array<ArrayBuffer>], name, { type }));
  return f;
}

const upload = (bytes: Uint8Array, name: string, key = agent, server = s) =>
  server.call('POST', '/api/v1/documents', { key, body: form(bytes, name) });

async function uploaded(bytes: Uint8Array, name: string, key = agent): Promise<UploadedDocument> {
  const res = await upload(bytes, name, key);
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as UploadedDocument;
}

async function toFile(bytes: Uint8Array, name: string): Promise<string> {
  const file = path.join(await tempDir(), name);
  await writeFile(file, bytes);
  return file;
}

async function content(id: string, key = agent): Promise<Uint8Array> {
  const res = await expectOk(s.call('GET', `/api/v1/documents/${id}/content`, { key }));
  return new Uint8Array(await res.arrayBuffer());
}

/** A PNG whose header claims `w` × `h` pixels, with almost no data behind it (a decompression bomb's shape). */
function claimedPng(w: number, h: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

describe('image uploads', () => {
  it('a 12-megapixel JPEG becomes a one-page PDF, upright, at most 2000 px, much smaller than the upload', async (t) => {
    const doc = await uploaded(photo, 'receipt.jpg');
    t.diagnostic(
      `12 MP noisy JPEG: ${(doc.originalSize / 1e6).toFixed(2)} MB uploaded → ${(doc.size / 1e6).toFixed(2)} MB stored PDF ` +
        `(${((100 * doc.size) / doc.originalSize).toFixed(0)}%)`,
    );
    assert.equal(doc.sourceType, 'jpeg');
    assert.equal(doc.originalSize, photo.byteLength);
    assert.equal(doc.pages, 1);
    assert.ok(doc.size < doc.originalSize / 4, `${doc.size} is not much smaller than ${doc.originalSize}`);
    assert.deepEqual(doc.formFields, []);
    const file = await toFile(await content(doc.id), 'receipt.pdf');
    const images = (await run('pdfimages', ['-list', file])).stdout.split('\n').slice(2).filter(Boolean);
    assert.equal(images.length, 1);
    const [, , , width, height, , , , encoding] = images[0]!.trim().split(/\s+/);
    assert.deepEqual([Number(width), Number(height)], [1500, 2000], 'turned upright and downscaled');
    assert.equal(encoding, 'jpeg');
    const info = (await run('pdfinfo', [file])).stdout;
    assert.match(info, /Pages:\s+1\b/);
    assert.match(info, /Page size:\s+595\.2\d* x 841\.8\d* pts \(A4\)/, 'portrait A4 for an upright photo');
    const res = await s.call('GET', `/api/v1/documents/${doc.id}/content`, { key: agent });
    assert.match(res.headers.get('content-disposition') ?? '', /filename="receipt\.pdf"/);
  });

  it('a wide PNG with transparency goes on a landscape page, known by its bytes whatever its name', async () => {
    const png = await sharp({
      create: { width: 900, height: 300, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 0.5 } },
    })
      .png()
      .toBuffer();
    const doc = await uploaded(new Uint8Array(png), 'scan.pdf');
    assert.equal(doc.sourceType, 'png');
    const info = (await run('pdfinfo', [await toFile(await content(doc.id), 'scan.pdf')])).stdout;
    assert.match(info, /Page size:\s+841\.8\d* x 595\.2\d* pts/);
  });

  it('refuses damaged images, pixel bombs, other image types and over-size uploads with clear 4xx problems', async () => {
    const truncated = photo.subarray(0, Math.floor(photo.byteLength / 3));
    const garbage = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...randomBytes(500)]);
    const cases: Array<[Uint8Array, string, number, RegExp]> = [
      [truncated, 'cut.jpg', 422, /cannot be read/],
      [garbage, 'garbage.png', 422, /cannot be read/],
      [claimedPng(30_000, 30_000), 'bomb.png', 422, /30000 × 30000 pixels \(900 megapixels\); the limit is 80/],
      [new Uint8Array(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')), 'a.gif', 415, /GIF/],
    ];
    const before = (await import('./helpers.ts')).filesUnder(s.dataDir);
    for (const [bytes, name, status, detail] of cases) {
      const res = await upload(bytes, name);
      assert.equal(res.status, status, name);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
      const p = await problemOf(res);
      assert.match(p.detail ?? '', detail, name);
    }
    assert.deepEqual(await (await import('./helpers.ts')).filesUnder(s.dataDir), await before, 'nothing stored');
    const small = await makeServer({ maxUploadBytes: 1024 * 1024 });
    try {
      const res = await upload(photo, 'big.jpg', small.adminKey, small);
      assert.equal(res.status, 413);
    } finally {
      await small.close();
    }
  });
});

describe('envelope attachments', () => {
  let templateId: string;
  before(async () => {
    const documentId = await uploadFixture(s, 'with_annots.pdf');
    const res = await expectOk(
      s.call('POST', '/api/v1/templates', {
        key: s.adminKey,
        json: {
          name: 'Lease',
          documentId,
          roles: [{ key: 'customer', action: 'sign' }],
          fields: [
            { id: 'sig', type: 'signature', role: 'customer', page: 1, x: 0.1, y: 0.8, width: 0.3, height: 0.05 },
          ],
        },
      }),
    );
    templateId = ((await res.json()) as { id: string }).id;
    await expectOk(s.call('POST', `/api/v1/templates/${templateId}/versions/1/publish`, { key: s.adminKey }));
  });

  const create = (attachments: string[], key = agent) =>
    s.call('POST', '/api/v1/envelopes', {
      key,
      json: {
        templateId,
        recipients: [{ role: 'customer', name: 'محمد', email: 'm@example.com' }],
        attachments,
      },
    });

  it('appends attachments after the contract, lists them, records their hashes, and seals them in', async () => {
    const image = await uploaded(photo, 'ID card.jpg');
    const pdf = await uploaded(await fixture('sample_form.pdf'), 'Proof of address.pdf');
    const res = await create([image.id, pdf.id]);
    assert.equal(res.status, 201, await res.clone().text());
    const e = (await res.json()) as Envelope & { pages: number; recipients: Array<{ id: string }> };
    const contractPages = 2;
    assert.deepEqual(e.attachments, [
      { documentId: image.id, name: 'ID card.jpg', sha256: image.sha256, firstPage: contractPages + 1, pages: 1 },
      { documentId: pdf.id, name: 'Proof of address.pdf', sha256: pdf.sha256, firstPage: contractPages + 2, pages: 1 },
    ]);
    assert.equal(e.pages, contractPages + 2);

    const trail = (await (await s.call('GET', `/api/v1/envelopes/${e.id}/audit`, { key: agent })).json()) as {
      events: Array<{ type: string; documentSha256?: string; data?: { attachments?: Array<{ sha256: string }> } }>;
    };
    const created = trail.events.find((x) => x.type === 'envelope.created')!;
    assert.deepEqual(
      created.data?.attachments?.map((a) => a.sha256),
      [image.sha256, pdf.sha256],
    );
    assert.equal(created.documentSha256, e.documentSha256);

    const token = ((await (await expectOk(session(s, e.id, e.recipients[0]!.id, agent))).json()) as { token: string })
      .token;
    const view = (await (await s.call('GET', '/api/v1/signing', { key: token })).json()) as SigningView;
    assert.deepEqual(view.document.attachments, [
      { name: 'ID card.jpg', firstPage: 3, pages: 1 },
      { name: 'Proof of address.pdf', firstPage: 4, pages: 1 },
    ]);
    assert.equal(view.document.pages, 4);
    assert.ok(view.fields.every((f) => f.page <= contractPages));
    const signingPdf = await toFile(
      new Uint8Array(await (await s.call('GET', '/api/v1/signing/document', { key: token })).arrayBuffer()),
      'signing.pdf',
    );
    assert.match((await run('pdfinfo', [signingPdf])).stdout, /Pages:\s+4\b/);
    assert.match((await run('pdftotext', [signingPdf, '-'])).stdout, /EMPLOYEE|Name/i, 'the attached form’s text');

    await expectOk(signAsCustomer(s, token));
    await s.idle();
    const sealed = await expectOk(s.call('GET', `/api/v1/envelopes/${e.id}/document`, { key: agent }));
    const file = await toFile(new Uint8Array(await sealed.arrayBuffer()), 'sealed.pdf');
    const pages = Number(/Pages:\s+(\d+)/.exec((await run('pdfinfo', [file])).stdout)![1]);
    assert.ok(pages >= 5, `contract 2 + attachments 2 + certificate: ${pages}`);
    const certificate = (await run('pdftotext', ['-f', String(contractPages + 3), file, '-'])).stdout.replace(
      /\s+/g,
      ' ',
    );
    assert.ok(certificate.includes(image.sha256) && certificate.includes(pdf.sha256), 'the certificate lists them');
    assert.match(certificate, /Attachment \(page 3\) SHA-256/);
    const sig = await run('pdfsig', [file]);
    assert.match(sig.stdout, /Signature is Valid/);
    assert.match(sig.stdout, /Total document signed/);
    assert.match((await run('qpdf', ['--check', file])).stdout, /No syntax or stream encoding errors/);
  });

  it('follows a composed (clauses) contract too, after its signature page', async () => {
    const res = await expectOk(
      s.call('POST', '/api/v1/templates', {
        key: s.adminKey,
        json: {
          name: 'Composed',
          source: { kind: 'clauses', title: 'Agreement', clauses: [{ key: 'a', title: 'Terms', body: 'Agreed.' }] },
          roles: [{ key: 'customer', action: 'sign' }],
        },
      }),
    );
    const id = ((await res.json()) as { id: string }).id;
    await expectOk(s.call('POST', `/api/v1/templates/${id}/versions/1/publish`, { key: s.adminKey }));
    const image = await uploaded(
      new Uint8Array(
        await sharp({ create: { width: 60, height: 80, channels: 3, background: '#336' } })
          .jpeg()
          .toBuffer(),
      ),
      'tiny.jpg',
    );
    const created = await s.call('POST', '/api/v1/envelopes', {
      key: agent,
      json: {
        templateId: id,
        recipients: [{ role: 'customer', name: '山田太郎', email: 'y@example.com' }],
        attachments: [image.id],
      },
    });
    assert.equal(created.status, 201, await created.clone().text());
    const e = (await created.json()) as Envelope & { pages: number };
    assert.deepEqual(
      e.attachments?.map((a) => [a.firstPage, a.pages]),
      [[e.pages, 1]],
    );
    const doc = await expectOk(s.call('GET', `/api/v1/envelopes/${e.id}/document?version=original`, { key: agent }));
    const file = await toFile(new Uint8Array(await doc.arrayBuffer()), 'composed.pdf');
    assert.match((await run('pdfinfo', [file])).stdout, new RegExp(`Pages:\\s+${e.pages}\\b`));
    assert.match((await run('qpdf', ['--check', file])).stdout, /No syntax or stream encoding errors/);
  });

  it('refuses unknown, foreign, repeated and too many attachments (422, no envelope)', async () => {
    const other = await s.keyFor('agent', 'Other agent');
    const theirs = await uploaded(await fixture('normal.pdf'), 'theirs.pdf', other);
    const mine = await uploaded(await fixture('normal.pdf'), 'mine.pdf');
    const count = async () =>
      ((await (await s.call('GET', '/api/v1/envelopes', { key: s.adminKey })).json()) as { items: unknown[] }).items
        .length;
    const before = await count();
    const cases: Array<[string[], string]> = [
      [['doc_missing'], 'attachments.0'],
      [[mine.id, theirs.id], 'attachments.1'],
      [[mine.id, mine.id], 'attachments.1'],
      [Array.from({ length: 11 }, () => mine.id), 'attachments'],
    ];
    for (const [ids, at] of cases) {
      const res = await create(ids);
      assert.equal(res.status, 422, JSON.stringify(ids));
      const p = await problemOf(res);
      assert.ok(
        p.errors?.some((x) => x.path === at),
        `${at} not in ${JSON.stringify(p.errors)}`,
      );
    }
    assert.equal(await count(), before);
    // A manager may attach anyone's upload (managers see the team's work).
    const manager = await s.keyFor('manager');
    assert.equal((await create([theirs.id], manager)).status, 201);
  });
});
