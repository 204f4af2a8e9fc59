import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { loadSealSigner, sealPdf, type CertificateOfCompletion, type SealSigner } from '../src/pdf/index.ts';
import { fixture } from './helpers.ts';

const run = promisify(execFile);

let work: string;
let signer: SealSigner;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cs-pdf-cert-'));
  signer = await loadSealSigner({ dataDir: work });
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

const NAMES = ['Zoë Łukasz-Müller', 'Юлия Смирнова', 'Ἀθηνᾶ Παππᾶ', '山田太郎', 'محمد عبد الله'];

function recipient(name: string, i: number, steps = 3): CertificateOfCompletion['recipients'][number] {
  return {
    name,
    email: `person${i}@example.com`,
    role: i % 2 ? 'legal' : 'customer',
    action: i % 2 ? 'approve' : 'sign',
    status: i % 2 ? 'approved' : 'signed',
    ip: `198.51.100.${i + 1}`,
    device: 'Safari 17 on iPhone',
    userAgent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    authMethod: i % 2 ? 'sms_otp' : 'email_otp',
    consent: { version: 'esign-2025-01', acceptedAt: `2025-03-04T10:0${i % 10}:00Z` },
    steps: Array.from({ length: steps }, (_, j) => ({
      label: `step ${j + 1} of ${name}`,
      at: `2025-03-0${(j % 9) + 1}T09:00:00Z`,
    })),
  };
}

function cert(recipients: CertificateOfCompletion['recipients'], title = 'Agreement'): CertificateOfCompletion {
  return {
    envelopeId: 'env_cert_test',
    title,
    originalSha256: 'c'.repeat(64),
    completedAt: '2025-03-04T10:11:12Z',
    auditHeadHash: 'd'.repeat(64),
    auditEventCount: 99,
    consentVersion: 'esign-2025-01',
    recipients,
  };
}

async function seal(certificate: CertificateOfCompletion, name = 'normal.pdf') {
  const original = await fixture(name);
  const sealed = await sealPdf({ original, stamps: [], certificate, signer });
  const file = path.join(work, `${Math.random().toString(36).slice(2)}.pdf`);
  await writeFile(file, sealed.bytes);
  const { stdout } = await run('pdfinfo', [file]);
  return { file, sealed, pages: Number(/^Pages:\s+(\d+)/m.exec(stdout)![1]) };
}

async function text(file: string, first: number, last: number): Promise<string> {
  return (await run('pdftotext', ['-f', String(first), '-l', String(last), file, '-'])).stdout;
}

describe('certificate of completion', () => {
  it('prints names in Latin, Cyrillic, Greek, Japanese and Arabic so that they can be extracted', async () => {
    const { file, pages } = await seal(cert(NAMES.map((n, i) => recipient(n, i, 2))));
    assert.ok(pages > 2);
    const extracted = (await text(file, 3, pages)).normalize('NFC');
    for (const name of NAMES.slice(0, 4)) assert.ok(extracted.includes(name), `missing ${name}`);
    // Arabic is drawn in visual order with its joining forms; the text layer carries the letters.
    for (const word of ['محمد', 'عبد', 'الله']) assert.ok(extracted.includes(word), `missing Arabic ${word}`);
    const fonts = (await run('pdffonts', [file])).stdout;
    for (const font of ['NotoSans-Regular', 'NotoSans-Bold', 'NotoSansJP-Regular', 'NotoSansArabic-Regular']) {
      const line = fonts.split('\n').find((l) => l.includes(font));
      assert.ok(line, `${font} not embedded:\n${fonts}`);
      // Subset tag, embedded, with a ToUnicode map: "ABCDEF+Name CID TrueType Identity-H yes yes yes".
      assert.match(line!, /^[A-Z]{6}\+\S+\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
    }
  });

  it('flows long content onto further pages and never off the page', async () => {
    const many = Array.from({ length: 24 }, (_, i) => recipient(`${NAMES[i % NAMES.length]} ${i}`, i, 6));
    const longTitle = 'Master services agreement '.repeat(30) + 'https://example.com/' + 'x'.repeat(300);
    const { file, pages, sealed } = await seal(cert(many, longTitle));
    const certPages = pages - 2;
    assert.ok(certPages >= 5, `only ${certPages} certificate pages`);
    const bbox = (
      await run('pdftotext', ['-bbox', '-f', '3', '-l', String(pages), file, '-'], { maxBuffer: 32 * 1024 * 1024 })
    ).stdout;
    const pageBlocks = bbox.split('<page ').slice(1);
    assert.equal(pageBlocks.length, certPages);
    for (const block of pageBlocks) {
      const [, w, h] = /width="([\d.]+)" height="([\d.]+)"/.exec(block)!;
      for (const m of block.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">/g)) {
        assert.ok(+m[1]! >= 36 && +m[3]! <= +w! - 36, `word outside the margins: ${m[0]}`);
        assert.ok(+m[2]! >= 36 && +m[4]! <= +h! - 36, `word outside the margins: ${m[0]}`);
      }
    }
    const all = (await text(file, 3, pages)).replace(/\s+/g, '');
    // Every step of every recipient is there, and the long unbroken URL in full.
    for (const r of many)
      for (const s of r.steps)
        assert.ok(
          all.includes(s.label.replace(/\s+/g, '').normalize('NFC')) || r.name.includes('محمد'),
          `missing ${s.label}`,
        );
    assert.ok(all.includes('x'.repeat(300)));
    assert.ok(all.includes(`page${certPages}of${certPages}`));
    await run('pdfsig', [file]).then(({ stdout }) => assert.match(stdout, /Signature is Valid/));
    assert.ok(sealed.bytes.length > 0);
  });

  it('uses the size of the last page for the certificate (A4 after an A4 document)', async () => {
    const { file, pages } = await seal(cert([recipient('Ada Lovelace', 0)]), 'with_cropbox.pdf');
    const { stdout } = await run('pdfinfo', ['-f', String(pages), '-l', String(pages), file]);
    assert.match(stdout, new RegExp(`Page\\s+${pages} size:\\s+595 x 842 pts`));
  });
});
