import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { PDF, PdfArray, PdfNumber, type SignatureField } from '@libpdf/core';
import {
  PdfRejectedError,
  inspectPdf,
  loadSealSigner,
  sealPdf,
  type CertificateOfCompletion,
  type PageBox,
  type SealSigner,
  type Stamp,
} from '../src/pdf/index.ts';
import { drawnSignaturePng } from '../src/demo/signature-png.ts';
import { fixture, fixturesDir } from './helpers.ts';

const run = promisify(execFile);

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

/** `signatures`: how many signature fields pdfsig lists (an unsigned field of the upload counts). */
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
  for (const m of out.matchAll(
    /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g,
  )) {
    list.push({ xMin: +m[1]!, yMin: +m[2]!, xMax: +m[3]!, yMax: +m[4]!, text: m[5]! });
  }
  return { width: +pageTag[1]!, height: +pageTag[2]!, words: list };
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
function assertPlaced(found: Awaited<ReturnType<typeof words>>, text: string, s: Stamp, box: PageBox): void {
  const w = found.words.find((x) => x.text === text);
  assert.ok(
    w,
    `${text} not found on page: ${found.words
      .map((x) => x.text)
      .join(' ')
      .slice(0, 300)}`,
  );
  // pdftotext -cropbox reports positions in the visible, rotated page (its page tag keeps the unrotated size).
  const left = s.x * box.width;
  const top = s.y * box.height;
  const bottom = top + s.height * box.height;
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
        assert.ok(
          Math.abs(box.width - w) < 0.01 && Math.abs(box.height - h) < 0.01,
          `page ${m[1]}: ${JSON.stringify(box)} vs ${w}x${h}`,
        );
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
    assert.ok(
      field.x! >= 0 && field.x! <= 1 && field.y! >= 0 && field.y! <= 1 && field.width! > 0 && field.height! > 0,
    );
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
    ['a PNG image', async () => drawnSignaturePng(1, 4, 4), 'not_pdf', /PNG image, not a PDF/],
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
    [
      'random bytes after %PDF-',
      async () => {
        const bytes = new Uint8Array(64 * 1024);
        for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
        bytes.set(new TextEncoder().encode('%PDF-1.7\n'));
        return bytes;
      },
    ],
    [
      'a deeply nested array',
      async () =>
        new TextEncoder().encode(
          `%PDF-1.4\n1 0 obj\n${'['.repeat(200_000)}\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`,
        ),
    ],
    [
      'a page whose MediaBox is nested 100,000 arrays deep',
      async () =>
        new TextEncoder().encode(
          `%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox ${'['.repeat(100_000)} >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
        ),
    ],
    [
      'a page tree that points to itself',
      async () =>
        new TextEncoder().encode(
          '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
        ),
    ],
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

/** Make variants of a fixture: turn some pages, give others a crop box offset from the media box. */
async function variant(name: string, edit: (pdf: PDF) => void): Promise<Uint8Array> {
  const pdf = await PDF.load(await fixture(name));
  edit(pdf);
  return pdf.save();
}

describe('sealPdf', () => {
  it('stamps every kind of value, appends the certificate and seals us_constitution.pdf so pdfsig and qpdf accept it', async () => {
    const original = await fixture('us_constitution.pdf');
    const stamps: Stamp[] = [
      marker(19, 'MARKERNINETEEN', 0.1, 0.8),
      {
        page: 19,
        x: 0.55,
        y: 0.8,
        width: 0.35,
        height: 0.08,
        type: 'signature',
        value: { kind: 'drawn', png: drawnSignaturePng(1, 300, 90) },
      },
      {
        page: 19,
        x: 0.55,
        y: 0.9,
        width: 0.35,
        height: 0.05,
        type: 'signature',
        value: { kind: 'typed', text: 'Zoë Łukasz-Müller' },
      },
      { page: 19, x: 0.1, y: 0.9, width: 0.1, height: 0.03, type: 'initials', value: { kind: 'typed', text: 'ZŁM' } },
      {
        page: 19,
        x: 0.25,
        y: 0.9,
        width: 0.2,
        height: 0.03,
        type: 'date_signed',
        value: { kind: 'text', text: '2025-03-04' },
      },
      {
        page: 1,
        x: 0.05,
        y: 0.05,
        width: 0.03,
        height: 0.02,
        type: 'checkbox',
        value: { kind: 'checkbox', checked: true },
      },
    ];
    const sealed = await sealPdf({ original, stamps, certificate: certificate(), signer });
    assert.equal(sealed.sha256, sha(sealed.bytes));
    // Incremental: the upload is a prefix of the sealed file, and so is the stamped document.
    assert.equal(Buffer.compare(Buffer.from(sealed.bytes.subarray(0, original.length)), Buffer.from(original)), 0);
    assert.equal(sealed.stampedSha256, sha(sealed.bytes.subarray(0, sealed.stampedLength)));
    const file = await toFile(sealed.bytes, 'constitution-sealed.pdf');
    await assertSignedAndValid(file);
    await assertQpdfOk(file);
    const info = (await tool('pdfinfo', [file])).out;
    assert.equal(Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]), 20);

    const page19 = await words(file, 19);
    assertPlaced(page19, 'MARKERNINETEEN', stamps[0]!, { width: 612, height: 792, rotation: 0 });
    assert.ok(page19.words.some((w) => w.text === 'Łukasz-Müller'));
    assert.ok(page19.words.some((w) => w.text === '2025-03-04'));
    // The page's own text is still there.
    const originalWords = (await words(path.join(fixturesDir(), 'us_constitution.pdf'), 19)).words;
    assert.ok(originalWords.length > 40);
    for (const w of originalWords)
      assert.ok(
        page19.words.some((x) => x.text === w.text),
        `lost ${w.text}`,
      );

    const cert = (await tool('pdftotext', ['-f', '20', '-l', '20', file, '-'])).out;
    for (const expected of [
      'Certificate of Completion',
      'env_9f3a2c',
      'Master services agreement',
      'a'.repeat(64),
      sealed.stampedSha256!,
      'b'.repeat(64),
      '17',
      'Zoë Łukasz-Müller',
      'zoe@example.com',
      '203.0.113.9',
      'Firefox on Linux',
      'email_otp',
      'esign-disclosure-2025-01',
      '2025-03-04T10:05:00Z',
      '2025-03-03T09:00:00Z',
      `first ${sealed.stampedLength} bytes`,
    ]) {
      assert.ok(cert.includes(expected), `certificate lacks ${expected}`);
    }
  });

  it('places stamps exactly on pages turned by /Rotate 90, 180 and 270', async () => {
    const original = await variant('us_constitution.pdf', (pdf) => {
      const pages = pdf.getPages();
      pages[0]!.setRotation(90);
      pages[1]!.setRotation(180);
      pages[2]!.setRotation(270);
    });
    const stamps = [
      marker(1, 'ROTNINETY', 0.6, 0.1),
      marker(2, 'ROTONEEIGHTY', 0.15, 0.7),
      marker(3, 'ROTTWOSEVENTY', 0.05, 0.45, 0.4),
    ];
    const sealed = await sealPdf({ original, stamps, certificate: certificate(), signer });
    const file = await toFile(sealed.bytes, 'rotated.pdf');
    await assertSignedAndValid(file);
    const { pageBoxes } = await inspectPdf(original);
    assert.deepEqual(pageBoxes.slice(0, 3), [
      { width: 792, height: 612, rotation: 90 },
      { width: 612, height: 792, rotation: 180 },
      { width: 792, height: 612, rotation: 270 },
    ]);
    for (const s of stamps)
      assertPlaced(await words(file, s.page), (s.value as { text: string }).text, s, pageBoxes[s.page - 1]!);
  });

  it('places stamps in the visible box of pages whose CropBox is not the MediaBox', async () => {
    const original = await variant('with_cropbox.pdf', (pdf) => {
      const pages = pdf.getPages();
      pages[0]!.dict.set('CropBox', new PdfArray([40, 90, 520, 760].map((n) => PdfNumber.of(n))));
      pages[1]!.dict.set('CropBox', new PdfArray([40, 90, 520, 760].map((n) => PdfNumber.of(n))));
      pages[1]!.setRotation(90);
    });
    const inspected = await inspectPdf(original);
    assert.deepEqual(inspected.pageBoxes, [
      { width: 480, height: 670, rotation: 0 },
      { width: 670, height: 480, rotation: 90 },
    ]);
    const stamps = [marker(1, 'CROPPEDONE', 0.5, 0.9, 0.4, 0.05), marker(2, 'CROPPEDTWO', 0.02, 0.02, 0.3, 0.08)];
    const sealed = await sealPdf({ original: inspected.bytes, stamps, certificate: certificate(), signer });
    const file = await toFile(sealed.bytes, 'cropped.pdf');
    await assertSignedAndValid(file);
    for (const s of stamps)
      assertPlaced(await words(file, s.page), (s.value as { text: string }).text, s, inspected.pageBoxes[s.page - 1]!);
  });

  it('places stamps on with_cropbox.pdf as it is', async () => {
    const stamps = [marker(2, 'ASITIS', 0.7, 0.95, 0.25, 0.03)];
    const sealed = await sealPdf({
      original: await fixture('with_cropbox.pdf'),
      stamps,
      certificate: certificate(),
      signer,
    });
    const file = await toFile(sealed.bytes, 'with_cropbox-sealed.pdf');
    await assertSignedAndValid(file);
    assertPlaced(await words(file, 2), 'ASITIS', stamps[0]!, { width: 595, height: 842, rotation: 0 });
  });

  it('seals the 206-page linearized file incrementally, keeping its bytes', async () => {
    const original = await fixture('linearized_with_object_streams.pdf');
    const sealed = await sealPdf({
      original,
      stamps: [marker(206, 'LASTPAGE', 0.1, 0.9)],
      certificate: certificate(),
      signer,
    });
    assert.equal(Buffer.compare(Buffer.from(sealed.bytes.subarray(0, original.length)), Buffer.from(original)), 0);
    assert.ok(sealed.bytes.length < original.length + 200_000, `grew to ${sealed.bytes.length}`);
    const file = await toFile(sealed.bytes, 'linearized-sealed.pdf');
    await assertSignedAndValid(file);
    // The original already draws qpdf warnings about its hint tables.
    await assertQpdfOk(file, true);
    assertPlaced(await words(file, 206), 'LASTPAGE', marker(206, 'LASTPAGE', 0.1, 0.9), {
      width: 612,
      height: 792,
      rotation: 0,
    });
  });

  it('keeps annotations and an earlier signature, flattens form fields and drops unsigned signature fields', async () => {
    for (const name of [
      'with_annots.pdf',
      'sample_form.pdf',
      'fancy_fields.pdf',
      'with_signature.pdf',
      'with_update_sections.pdf',
      'with_xfa_fields.pdf',
    ]) {
      const original = await fixture(name);
      const before = await PDF.load(original);
      const otherAnnots = (pdf: PDF) =>
        pdf.getPages().map((p) => p.getAnnotations().filter((a) => a.type !== 'Widget').length);
      const annots = otherAnnots(before);
      const signed = (before.getForm()?.getFields() ?? [])
        .filter((f) => f.type === 'signature' && (f as SignatureField).isSigned())
        .map((f) => f.name);
      const sealed = await sealPdf({
        original,
        stamps: [marker(1, 'FIELDTEST', 0.05, 0.01, 0.3, 0.02)],
        certificate: certificate(),
        signer,
      });
      const file = await toFile(sealed.bytes, name);
      // A signed field of the upload would be listed before ours; unsigned ones (with_signature.pdf's
      // Signature1, sample_form.pdf's) are gone, so a reader lists no blank signature.
      if (name === 'with_signature.pdf') assert.ok(before.getForm()?.getFieldNames().includes('Signature1'));
      const report = await assertSignedAndValid(file, signed.length + 1);
      assert.doesNotMatch(report, /Signature Field Name: Signature1/);
      await assertQpdfOk(file);
      const afterPdf = await PDF.load(sealed.bytes);
      // Annotations other than form widgets stay on their pages.
      otherAnnots(afterPdf).forEach((n, i) =>
        assert.ok(n >= (annots[i] ?? 0), `${name} page ${i + 1}: ${annots[i]} → ${n} annotations`),
      );
      // Form fields are drawn into the pages (no widget can hide a stamped value); signatures stay.
      const afterFields = (afterPdf.getForm()?.getFields() ?? []).map((f) => `${f.type}:${f.name}`).sort();
      assert.deepEqual(
        afterFields,
        [...signed.map((n) => `signature:${n}`), 'signature:CountersignSeal'].sort(),
        `${name} fields after sealing`,
      );
    }
  });

  it('seals the files inspectPdf repaired', async () => {
    for (const name of ['with_invalid_objects.pdf', 'missing_xref_trailer_dict.pdf', 'with_comments.pdf']) {
      const repaired = await inspectPdf(await fixture(name));
      const sealed = await sealPdf({
        original: repaired.bytes,
        stamps: [marker(1, 'REPAIRED', 0.1, 0.1)],
        certificate: certificate(),
        signer,
      });
      const file = await toFile(sealed.bytes, name);
      await assertSignedAndValid(file);
      await assertQpdfOk(file);
      assert.equal(
        Buffer.compare(Buffer.from(sealed.bytes.subarray(0, repaired.bytes.length)), Buffer.from(repaired.bytes)),
        0,
      );
    }
  });

  it('clamps a box that reaches past the page edge instead of failing the seal', async () => {
    const s = marker(1, 'EDGE', 0.85, 0.96, 0.3, 0.08);
    const sealed = await sealPdf({
      original: await fixture('normal.pdf'),
      stamps: [s],
      certificate: certificate(),
      signer,
    });
    const file = await toFile(sealed.bytes, 'edge.pdf');
    await assertSignedAndValid(file);
    const found = (await words(file, 1)).words.find((w) => w.text === 'EDGE');
    assert.ok(found && found.xMax <= 612 && found.yMax <= 792 && found.xMin >= 0.85 * 612 - 1, JSON.stringify(found));
  });

  it('prints user text as text, never as PDF syntax', async () => {
    const evil = ') Tj ET /F1 99 Tf BT (x) << /Type /Catalog >> \\ endstream';
    const sealed = await sealPdf({
      original: await fixture('normal.pdf'),
      stamps: [marker(1, evil, 0.1, 0.1, 0.8, 0.04)],
      certificate: certificate({ title: evil }),
      signer,
    });
    const file = await toFile(sealed.bytes, 'evil.pdf');
    await assertSignedAndValid(file);
    const text = (await tool('pdftotext', [file, '-'])).out.replace(/\s+/g, ' ');
    assert.ok(text.includes(evil.replace(/\s+/g, ' ')), text);
  });

  it('rejects a stamp on a missing page, with a non-number position or a broken image, with a clear error', async () => {
    const original = await fixture('normal.pdf');
    await assert.rejects(
      sealPdf({ original, stamps: [marker(3, 'X', 0.1, 0.1)], certificate: certificate(), signer }),
      /page 3 is not in the document/,
    );
    await assert.rejects(
      sealPdf({ original, stamps: [marker(1, 'X', Number.NaN, 0.1)], certificate: certificate(), signer }),
      /x must be a fraction between 0 and 1/,
    );
    await assert.rejects(
      sealPdf({
        original,
        stamps: [
          {
            page: 1,
            x: 0.1,
            y: 0.1,
            width: 0.2,
            height: 0.1,
            type: 'signature',
            value: { kind: 'drawn', png: new Uint8Array([1, 2, 3]) },
          },
        ],
        certificate: certificate(),
        signer,
      }),
      /not a readable PNG/,
    );
  });
});
