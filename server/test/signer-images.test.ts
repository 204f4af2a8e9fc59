import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { crc32, createDeflate, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { drawnSignaturePng, pngDataUrl } from '../src/demo/signature-png.ts';
import {
  blobPath,
  embedToken,
  expectOk,
  filesUnder,
  fillAsCustomer,
  makeServer,
  openApiOperations,
  pdfsigReport,
  problemOf,
  quietly,
  seed,
  signAsCustomer,
  smallDocument,
  tempDir,
  type TestServer,
} from './helpers.ts';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG whose chunks are all well formed (right lengths and CRCs), whatever its IDAT holds. */
function pngWith(width: number, height: number, idat: Uint8Array[], extra: Buffer[] = []): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    ...extra,
    ...idat.map((d) => chunk('IDAT', d)),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** The chunk types of a PNG, in order. */
function chunkTypes(png: Uint8Array): string[] {
  const b = Buffer.from(png);
  const types: string[] = [];
  for (let at = 8; at + 8 <= b.length; at += 12 + b.readUInt32BE(at)) types.push(b.toString('latin1', at + 4, at + 8));
  return types;
}

/** 8192 × 8192 RGBA, every byte zero: 268 MB of pixels in about 261 KB, deflated row by row. */
async function zeroBomb(): Promise<Buffer> {
  const side = 8192;
  const row = Buffer.alloc(1 + side * 4);
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (d: Buffer) => parts.push(d));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  for (let y = 0; y < side; y++) if (!deflate.write(row)) await new Promise((r) => deflate.once('drain', r));
  deflate.end();
  await done;
  return pngWith(side, side, [Buffer.concat(parts)]);
}

const good = drawnSignaturePng(5);
/** What the old check let through: header, size fields and IEND all fine. */
const HOSTILE: Array<[string, () => Promise<Uint8Array> | Uint8Array, RegExp]> = [
  ['garbage image data', () => pngWith(480, 160, [Buffer.alloc(4000, 'garbage!')]), /damaged|cannot be drawn/],
  [
    'image data that inflates to too few rows',
    () => pngWith(480, 160, [deflateSync(Buffer.alloc(100))]),
    /damaged|cannot be drawn/,
  ],
  [
    'a truncated PNG (the end of its IDAT cut off, IEND still last)',
    () => Buffer.concat([good.subarray(0, Math.floor(good.length / 2)), chunk('IEND', new Uint8Array())]),
    /damaged or truncated/,
  ],
  [
    'a huge declared size (8000 × 8000) over a few bytes of data',
    () => pngWith(8000, 8000, [deflateSync(Buffer.alloc(1000))]),
    /8000 × 8000 pixels/,
  ],
  [
    'a JPEG sent as data:image/png',
    () =>
      sharp({ create: { width: 64, height: 32, channels: 3, background: '#123456' } })
        .jpeg()
        .toBuffer(),
    /not a PNG/,
  ],
  [
    'an SVG sent as data:image/png',
    () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>1</script></svg>'),
    /not a PNG/,
  ],
];

interface Trail {
  valid: boolean;
  events: Array<{ type: string; actor: { kind: string; id?: string }; data?: Record<string, unknown> }>;
}

let s: TestServer;
before(async () => {
  s = await makeServer();
});
after(() => s.close());

const put = (server: TestServer, token: string, fieldId: string, value: unknown) =>
  server.call('PUT', `/api/v1/signing/fields/${fieldId}`, { key: token, json: { value } });
const trailOf = async (server: TestServer, id: string) =>
  (await (await server.call('GET', `/api/v1/envelopes/${id}/audit`, { key: server.adminKey })).json()) as Trail;
const envelopeOf = async (server: TestServer, id: string, key = server.adminKey) =>
  (await (await server.call('GET', `/api/v1/envelopes/${id}`, { key })).json()) as {
    status: string;
    sealed: boolean;
    sealState?: string;
  };

async function expect422(res: Response, fieldId: string, message: RegExp) {
  assert.equal(res.status, 422, await res.clone().text());
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  const p = await problemOf(res);
  assert.equal(p.status, 422);
  assert.equal(p.errors?.[0]?.fieldId, fieldId);
  assert.equal(p.errors?.[0]?.path, 'value');
  assert.match(p.errors?.[0]?.message ?? '', message);
}

/** The first drawn field of the seeded customer's view. */
async function signatureField(server: TestServer, token: string): Promise<string> {
  const view = (await (await server.call('GET', '/api/v1/signing', { key: token })).json()) as {
    fields: Array<{ id: string; type: string }>;
  };
  return view.fields.find((f) => f.type === 'signature')!.id;
}

describe('a drawn signature is decoded in full when it is saved', () => {
  for (const [name, make, message] of HOSTILE) {
    it(`refuses ${name} with 422, storing nothing`, async () => {
      const seeded = await seed(s, smallDocument);
      const token = seeded.session.token;
      const fieldId = await signatureField(s, token);
      const blobsBefore = (await filesUnder(s.dataDir)).filter((f) => f.includes('/blobs/')).length;
      const eventsBefore = (await trailOf(s, seeded.envelopeId)).events.length;

      await expect422(
        await put(s, token, fieldId, { kind: 'drawn', image: pngDataUrl(await make()) }),
        fieldId,
        message,
      );

      const trail = await trailOf(s, seeded.envelopeId);
      assert.equal(trail.events.length, eventsBefore, 'no audit event');
      assert.ok(!trail.events.some((e) => e.type === 'field.filled'));
      const stored = await s.deps.store.envelopes.get(seeded.envelopeId);
      assert.equal(stored?.values[fieldId], undefined, 'no value');
      assert.equal((await filesUnder(s.dataDir)).filter((f) => f.includes('/blobs/')).length, blobsBefore, 'no blob');
    });
  }

  it('refuses the 8192 × 8192 all-zero PNG (a decompression bomb under the body limit) and stays responsive', async (t) => {
    const bomb = await zeroBomb();
    assert.ok(bomb.length > 200_000 && bomb.length < 512 * 1024, `${bomb.length} bytes`);
    const seeded = await seed(s, smallDocument);
    const fieldId = await signatureField(s, seeded.session.token);
    const started = performance.now();
    const [res, health] = await Promise.all([
      put(s, seeded.session.token, fieldId, { kind: 'drawn', image: pngDataUrl(bomb) }),
      s.call('GET', '/healthz'),
    ]);
    t.diagnostic(`bomb of ${bomb.length} bytes refused in ${Math.round(performance.now() - started)} ms`);
    await expect422(res, fieldId, /8192 × 8192 pixels/);
    assert.equal(health.status, 200);
    assert.equal((await s.call('GET', '/healthz')).status, 200);
    assert.equal((await s.deps.store.envelopes.get(seeded.envelopeId))?.values[fieldId], undefined);
  });

  it('stores a PNG with metadata re-encoded without it, same pixels, and the audit event hashes what is stored', async () => {
    const seeded = await seed(s, smallDocument);
    const token = seeded.session.token;
    const fieldId = await signatureField(s, token);
    const raw = await sharp(good).raw().toBuffer();
    const text = chunk('tEXt', Buffer.from('Comment\0C:\\Users\\someone\\Private\\scan.png', 'latin1'));
    const sent = pngWith(480, 160, [deflateSync(rowsOf(raw, 480))], [text]);
    const res = await expectOk(put(s, token, fieldId, { kind: 'drawn', image: pngDataUrl(sent) }));
    const image = ((await res.json()) as { value: { image: string } }).value.image;
    const served = Buffer.from(image.replace(/^data:image\/png;base64,/, ''), 'base64');
    assert.ok(!served.includes('Private'), 'metadata dropped');
    assert.deepEqual(
      chunkTypes(served).filter((c) => c !== 'IDAT'),
      ['IHDR', 'IEND'],
    );
    assert.deepEqual(await sharp(served).raw().toBuffer(), raw, 'the same pixels');
    const filled = (await trailOf(s, seeded.envelopeId)).events.at(-1)!;
    assert.equal(filled.type, 'field.filled');
    assert.equal(filled.data?.imageSha256, sha256(served));
    assert.equal(filled.data?.sentImageSha256, sha256(sent));
  });

  it('scales a drawing larger than 2000 × 800 into that box', async () => {
    const seeded = await seed(s, smallDocument);
    const fieldId = await signatureField(s, seeded.session.token);
    const big = drawnSignaturePng(2, 2400, 800);
    const res = await expectOk(put(s, seeded.session.token, fieldId, { kind: 'drawn', image: pngDataUrl(big) }));
    const image = ((await res.json()) as { value: { image: string } }).value.image;
    const meta = await sharp(Buffer.from(image.split(',')[1]!, 'base64')).metadata();
    assert.deepEqual([meta.width, meta.height], [2000, 667]);
  });

  it('keeps a plain drawn signature byte for byte, and the sealed PDF verifies with pdfsig', async () => {
    const seeded = await seed(s, smallDocument);
    const token = seeded.session.token;
    await fillAsCustomer(s, token, { image: pngDataUrl(good) });
    const trail = await trailOf(s, seeded.envelopeId);
    const drawn = trail.events.filter((e) => e.type === 'field.filled' && e.data?.kind === 'drawn');
    assert.ok(drawn.length >= 1);
    for (const e of drawn) {
      assert.equal(e.data?.imageSha256, sha256(good));
      assert.equal(e.data?.sentImageSha256, undefined);
    }
    await expectOk(s.call('POST', '/api/v1/signing/complete', { key: token }));
    await s.idle();
    const pdf = await expectOk(s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}/document`, { key: s.adminKey }));
    const report = await pdfsigReport(new Uint8Array(await pdf.arrayBuffer()));
    assert.match(report, /Signature is Valid\./);
    assert.match(report, /Total document signed/);
  });
});

/** PNG scanlines for RGBA pixels: filter byte 0 before each row. */
function rowsOf(rgba: Buffer, width: number): Buffer {
  const stride = width * 4;
  const rows: Buffer[] = [];
  for (let at = 0; at < rgba.length; at += stride) rows.push(Buffer.from([0]), rgba.subarray(at, at + stride));
  return Buffer.concat(rows);
}

describe('a seal that fails', () => {
  it('is recorded with a reason and no internal path, blocks no other envelope, and an admin retry seals it', async () => {
    const dataDir = await tempDir();
    const server = await makeServer({ dataDir });
    try {
      const broken = await seed(server, smallDocument);
      await fillAsCustomer(server, broken.session.token, { image: pngDataUrl(good) });
      // The stored image goes bad on disk before the seal reads it (a damaged disk, or an image
      // stored before images were checked).
      const file = blobPath(dataDir, sha256(good));
      const original = await readFile(file);
      await writeFile(file, pngWith(480, 160, [Buffer.alloc(3000, 'rot')]));
      const other = await seed(server, smallDocument);
      await quietly(async () => {
        await expectOk(server.call('POST', '/api/v1/signing/complete', { key: broken.session.token }));
        assert.equal((await signAsCustomer(server, other.session.token)).status, 200);
        await server.idle();
      });

      const { status, sealed: isSealed, sealState } = await envelopeOf(server, broken.envelopeId);
      assert.deepEqual([status, isSealed, sealState], ['completed', false, 'failed']);
      assert.equal((await envelopeOf(server, other.envelopeId)).sealed, true, 'the other envelope is sealed');
      const failedTrail = await trailOf(server, broken.envelopeId);
      assert.equal(failedTrail.valid, true);
      const failed = failedTrail.events.filter((e) => e.type === 'envelope.seal_failed');
      assert.equal(failed.length, 1);
      assert.equal(failed[0]!.data?.reason, 'signature_image_unreadable');
      assert.match(String(failed[0]!.data?.detail), /signature "Signature" on page 1 cannot be read/);
      assert.ok(!JSON.stringify(failed[0]).includes(dataDir) && !JSON.stringify(failed[0]).includes('/blobs/'));
      assert.equal(
        (await server.call('GET', `/api/v1/envelopes/${broken.envelopeId}/document`, { key: server.adminKey })).status,
        409,
      );

      const retry = (key: string | undefined, id = broken.envelopeId) =>
        server.call('POST', `/api/v1/envelopes/${id}/seal/retry`, key ? { key } : {});
      const refusals: Array<[string, string | undefined, number]> = [
        ['agent key', await server.keyFor('agent'), 403],
        ['manager key', await server.keyFor('manager'), 403],
        ['legal key', await server.keyFor('legal'), 403],
        ['agent embed token', await embedToken(server, 'agent'), 403],
        ['legal embed token', await embedToken(server, 'legal'), 403],
        ['signer token', broken.session.token, 401],
        ['no credential', undefined, 401],
      ];
      for (const [who, key, status] of refusals) {
        const res = await retry(key);
        assert.equal(res.status, status, who);
        assert.equal(res.headers.get('content-type'), 'application/problem+json', who);
      }
      assert.equal((await trailOf(server, broken.envelopeId)).events.length, failedTrail.events.length);

      // Still broken: the retry fails again, says why, and is recorded with who asked.
      const again = await quietly(() => retry(server.adminKey));
      assert.equal(again.status, 500);
      const problem = await problemOf(again);
      assert.match(problem.detail ?? '', /attempt 2.*cannot be read/);
      assert.ok(!(problem.detail ?? '').includes(dataDir));
      const second = (await trailOf(server, broken.envelopeId)).events.at(-1)!;
      assert.equal(second.type, 'envelope.seal_failed');
      assert.equal(second.data?.attempts, 2);
      assert.equal((second.data?.requestedBy as { kind: string }).kind, 'api_key');

      // Fixed on disk: an admin (here through an embed token) retries and it is sealed.
      await writeFile(file, original);
      const ok = await retry(await embedToken(server, 'admin'));
      assert.equal(ok.status, 200, await ok.clone().text());
      assert.deepEqual(
        [(await ok.json()) as { sealed: boolean; sealState: string }].map((e) => [e.sealed, e.sealState]),
        [[true, 'sealed']],
      );
      const trail = await trailOf(server, broken.envelopeId);
      assert.equal(trail.valid, true);
      const sealed = trail.events.at(-1)!;
      assert.equal(sealed.type, 'envelope.sealed');
      assert.deepEqual(sealed.data?.requestedBy, {
        kind: 'user',
        id: 'u-admin',
        name: 'admin user',
        email: 'admin@example.com',
        role: 'admin',
      });
      const pdf = await expectOk(
        server.call('GET', `/api/v1/envelopes/${broken.envelopeId}/document`, { key: server.adminKey }),
      );
      assert.match(await pdfsigReport(new Uint8Array(await pdf.arrayBuffer())), /Signature is Valid\./);

      // Nothing left to retry: sealed, or not completed.
      assert.equal((await retry(server.adminKey)).status, 409);
      const sent = await seed(server, smallDocument);
      const notCompleted = await retry(server.adminKey, sent.envelopeId);
      assert.equal(notCompleted.status, 409);
      assert.match((await problemOf(notCompleted)).detail ?? '', /sent/);
      assert.equal((await retry(server.adminKey, 'env_missing')).status, 404);
    } finally {
      await server.close();
    }
  });

  it('is documented in the OpenAPI document', async () => {
    assert.deepEqual(await openApiOperations(s, (p) => p.endsWith('/seal/retry')), [
      'POST /api/v1/envelopes/{id}/seal/retry',
    ]);
  });
});
