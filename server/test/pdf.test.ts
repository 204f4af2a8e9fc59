import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { PDF, PdfArray, PdfNumber } from '@libpdf/core';
import {
  PdfRejectedError,
  inspectPdf,
  loadSealSigner,
  sealPdf,
  type CertificateOfCompletion,
  type SealSigner,
  type Stamp,
} from '../src/pdf/index.ts';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = process.env.COUNTERSIGN_FIXTURES ?? path.resolve(repoRoot, '../shared/fixtures/pdfs');

async function fixture(name: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path.join(FIXTURES, name)));
}

let work: string;
let signer: SealSigner;
let fileCounter = 0;

async function toFile(bytes: Uint8Array, name = 'doc.pdf'): Promise<string> {
  const file = path.join(work, `${fileCounter++}-${name}`);
  await writeFile(file, bytes);
  return file;
}

/** Run a poppler/qpdf tool; resolves with stdout+stderr and the exit code instead of throwing. */
async function tool(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

async function assertSignedAndValid(file: string, signatures = 1): Promise<string> {
  const { out } = await tool('pdfsig', [file]);
  const sigs = out.split(/Signature #\d+:/).slice(1);
  assert.equal(sigs.length, signatures, out);
  const ours = sigs.at(-1)!;
  assert.match(ours, /Signature Validation: Signature is Valid\./, out);
  assert.match(ours, /Total document signed/, out);
  assert.match(ours, /Signature Type: ETSI\.CAdES\.detached/, out);
  return out;
}

/** qpdf exit codes: 0 clean, 3 warnings only, 2 errors. */
async function assertQpdfOk(file: string, allowWarnings = false): Promise<void> {
  const { code, out } = await tool('qpdf', ['--check', file]);
  assert.ok(code === 0 || (allowWarnings && code === 3), `qpdf --check exit ${code}: ${out}`);
  assert.doesNotMatch(out, /^ERROR/m);
}

interface Word {
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}
/** Words of a page with boxes in the page's visible (crop box, rotated) space, origin top-left. */
async function words(file: string, page: number): Promise<{ width: number; height: number; words: Word[] }> {
  const { out } = await tool('pdftotext', ['-cropbox', '-bbox', '-f', String(page), '-l', String(page), file, '-']);
  const pageTag = /<page width="([\d.]+)" height="([\d.]+)">/.exec(out);
  assert.ok(pageTag, out);
  const list: Word[] = [];
  for (const m of out.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)) {
    list.push({ xMin: +m[1]!, yMin: +m[2]!, xMax: +m[3]!, yMax: +m[4]!, text: m[5]! });
  }
  return { width: +pageTag[1]!, height: +pageTag[2]!, words: list };
}

function png(width: number, height: number): Uint8Array {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * (width * 4 + 1) + 1 + x * 4;
      raw[o + 2] = 140;
      raw[o + 3] = Math.abs(y - height / 2 - Math.sin(x / 9) * height * 0.3) < 3 ? 255 : 0;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return new Uint8Array(
    Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]),
  );
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function certificate(overrides: Partial<CertificateOfCompletion> = {}): CertificateOfCompletion {
  return {
    envelopeId: 'env_9f3a2c',
    title: 'Master services agreement',
    originalSha256: 'a'.repeat(64),
    completedAt: '2025-03-04T10:11:12Z',
    auditHeadHash: 'b'.repeat(64),
    auditEventCount: 17,
    consentVersion: 'esign-disclosure-2025-01',
    recipients: [
      {
        name: 'Zoë Łukasz-Müller',
        email: 'zoe@example.com',
        role: 'customer',
        action: 'sign',
        status: 'signed',
        ip: '203.0.113.9',
        device: 'Firefox on Linux',
        authMethod: 'email_otp',
        consent: { version: 'esign-disclosure-2025-01', acceptedAt: '2025-03-04T10:05:00Z' },
        steps: [
          { label: 'sent', at: '2025-03-03T09:00:00Z' },
          { label: 'signed', at: '2025-03-04T10:11:12Z' },
        ],
      },
    ],
    ...overrides,
  };
}

function marker(page: number, text: string, x: number, y: number, w = 0.3, h = 0.04): Stamp {
  return { page, x, y, width: w, height: h, type: 'text', value: { kind: 'text', text } };
}

/** The marker word must start at the box's left edge and sit vertically inside the box. */
function assertPlaced(found: Awaited<ReturnType<typeof words>>, text: string, s: Stamp): void {
  const w = found.words.find((x) => x.text === text);
  assert.ok(w, `${text} not found on page: ${found.words.map((x) => x.text).join(' ').slice(0, 300)}`);
  const left = s.x * found.width;
  const top = s.y * found.height;
  const bottom = top + s.height * found.height;
  assert.ok(w.xMin >= left - 0.5 && w.xMin <= left + 4, `${text} xMin ${w.xMin} expected ≈ ${left}`);
  const mid = (w.yMin + w.yMax) / 2;
  assert.ok(Math.abs(mid - (top + bottom) / 2) < 3, `${text} vertical centre ${mid} expected ≈ ${(top + bottom) / 2}`);
  assert.ok(w.yMin >= top - 2 && w.yMax <= bottom + 2, `${text} [${w.yMin}, ${w.yMax}] outside [${top}, ${bottom}]`);
}

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cs-pdf-test-'));
  signer = await loadSealSigner({ dataDir: work });
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('inspectPdf', () => {
  const readable = [
    'normal.pdf',
    'us_constitution.pdf',
    'linearized_with_object_streams.pdf',
    'with_cropbox.pdf',
    'sample_form.pdf',
    'fancy_fields.pdf',
    'with_xfa_fields.pdf',
    'with_annots.pdf',
    'with_comments.pdf',
    'with_signature.pdf',
    'with_update_sections.pdf',
    'with_invalid_objects.pdf',
    'missing_xref_trailer_dict.pdf',
  ];
  for (const name of readable) {
    it(`reports the page count and visible page boxes pdfinfo reports for ${name}`, async () => {
      const result = await inspectPdf(await fixture(name));
      assert.equal(result.sha256, sha(result.bytes));
      const file = await toFile(result.bytes, name);
      const { out } = await tool('pdfinfo', ['-f', '1', '-l', String(result.pages), '-box', file]);
      assert.equal(result.pages, Number(/^Pages:\s+(\d+)/m.exec(out)?.[1]), out);
      assert.equal(result.pageBoxes.length, result.pages);
      for (const m of out.matchAll(/^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts/gm)) {
        const box = result.pageBoxes[Number(m[1]) - 1]!;
        const rot = Number(new RegExp(`^Page\\s+${m[1]} rot:\\s+(\\d+)`, 'm').exec(out)?.[1]);
        assert.equal(box.rotation, rot);
        const [w, h] = rot === 90 || rot === 270 ? [+m[3]!, +m[2]!] : [+m[2]!, +m[3]!];
        assert.ok(Math.abs(box.width - w) < 0.01 && Math.abs(box.height - h) < 0.01, `page ${m[1]}: ${JSON.stringify(box)} vs ${w}x${h}`);
      }
    });
  }

  it('keeps a clean upload byte for byte', async () => {
    const original = await fixture('with_update_sections.pdf');
    const result = await inspectPdf(original);
    assert.equal(result.repaired, false);
    assert.equal(Buffer.compare(Buffer.from(result.bytes), Buffer.from(original)), 0);
    assert.equal(result.sha256, sha(original));
  });

  it('lists existing form fields with their place on the page', async () => {
    const result = await inspectPdf(await fixture('sample_form.pdf'));
    assert.ok(result.formFields.length >= 20);
    const field = result.formFields.find((f) => f.page !== undefined)!;
    assert.ok(field.x! >= 0 && field.x! <= 1 && field.y! >= 0 && field.y! <= 1 && field.width! > 0 && field.height! > 0);
  });

  const repairable: Array<[string, string]> = [
    // poppler cannot read this one at all; the repaired file shows its text
    ['missing_xref_trailer_dict.pdf', 'This is a PDF 2.0 document'],
    ['with_comments.pdf', 'Electronic Return Payment Voucher'],
    // an empty page whose Info dictionary has non-name keys
    ['with_invalid_objects.pdf', ''],
  ];
  for (const [name, text] of repairable) {
    it(`repairs ${name} into a clean file that qpdf accepts, keeping its content`, async () => {
      const original = await fixture(name);
      const result = await inspectPdf(original);
      assert.equal(result.repaired, true);
      assert.notEqual(result.sha256, sha(original));
      const file = await toFile(result.bytes, name);
      await assertQpdfOk(file);
      const extracted = (await tool('pdftotext', [file, '-'])).out;
      assert.ok(extracted.replace(/\s+/g, ' ').includes(text), extracted);
      assert.doesNotMatch((await tool('pdfinfo', [file])).out, /Syntax Error/);
    });
  }

  it('refuses invalid_root_ref.pdf, whose catalog cannot be found, as damaged', async () => {
    await assert.rejects(inspectPdf(await fixture('invalid_root_ref.pdf')), (err: unknown) => {
      assert.ok(err instanceof PdfRejectedError);
      assert.equal(err.reason, 'damaged');
      assert.match(err.message, /damaged/);
      return true;
    });
  });

  it('refuses a password-protected PDF with a clear message', async () => {
    await assert.rejects(inspectPdf(await fixture('encrypted_new.pdf')), (err: unknown) => {
      assert.ok(err instanceof PdfRejectedError);
      assert.equal(err.reason, 'encrypted');
      assert.match(err.message, /password-protected PDFs cannot be signed; remove the password and upload again/);
      return true;
    });
  });

  const refusals: Array<[string, () => Promise<Uint8Array>, string, RegExp]> = [
    ['an empty file', async () => new Uint8Array(), 'empty', /empty/],
    ['a PNG image', async () => png(4, 4), 'not_pdf', /PNG image, not a PDF/],
    ['a text file', async () => new TextEncoder().encode('Dear customer,\nplease sign.\n'), 'not_pdf', /not a PDF/],
  ];
  for (const [what, make, reason, message] of refusals) {
    it(`refuses ${what} as ${reason}`, async () => {
      await assert.rejects(inspectPdf(await make()), (err: unknown) => {
        assert.ok(err instanceof PdfRejectedError);
        assert.equal(err.reason, reason);
        assert.match(err.message, message);
        return true;
      });
    });
  }

  it('refuses a file over maxBytes before parsing it', async () => {
    await assert.rejects(inspectPdf(await fixture('us_constitution.pdf'), { maxBytes: 100_000 }), (err: unknown) => {
      assert.ok(err instanceof PdfRejectedError);
      assert.equal(err.reason, 'too_large');
      assert.match(err.message, /limit is 0\.1 MB/);
      return true;
    });
  });

  const hostile: Array<[string, () => Promise<Uint8Array>]> = [
    ['a truncated PDF', async () => (await fixture('us_constitution.pdf')).slice(0, 150_000)],
    ['random bytes after %PDF-', async () => {
      const bytes = new Uint8Array(64 * 1024);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
      bytes.set(new TextEncoder().encode('%PDF-1.7\n'));
      return bytes;
    }],
    ['a deeply nested array', async () => new TextEncoder().encode(`%PDF-1.4\n1 0 obj\n${'['.repeat(200_000)}\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`)],
    ['a page tree that points to itself', async () =>
      new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')],
  ];
  for (const [what, make] of hostile) {
    it(`answers ${what} quickly with a repair or a PdfRejectedError, never another error`, async () => {
      const started = performance.now();
      try {
        const result = await inspectPdf(await make());
        // Whatever was recovered must be a usable PDF.
        assert.ok(result.pages >= 1);
        await assertQpdfOk(await toFile(result.bytes), true);
      } catch (err) {
        assert.ok(err instanceof PdfRejectedError, `unexpected ${(err as Error)?.stack}`);
        assert.ok(['damaged', 'not_pdf'].includes(err.reason));
      }
      assert.ok(performance.now() - started < 5000);
    });
  }
});
