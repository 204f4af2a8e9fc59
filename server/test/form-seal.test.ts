import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { inspectPdf, loadSealSigner, sealPdf, type SealSigner, type Stamp } from '../src/pdf/index.ts';
import { returnAuthorizationPdf } from '../src/demo/return-form.ts';
import { fixture } from './helpers.ts';

const run = promisify(execFile);
const DPI = 150;
let work: string;
let signer: SealSigner;
let counter = 0;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cs-form-seal-'));
  signer = await loadSealSigner({ dataDir: work });
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

async function toFile(bytes: Uint8Array): Promise<string> {
  const file = path.join(work, `${counter++}.pdf`);
  await writeFile(file, bytes);
  return file;
}

/** Page 1 as RGB pixels (pdftoppm, binary PPM). */
async function raster(file: string): Promise<{ width: number; height: number; px: Uint8Array }> {
  const out = path.join(work, `${counter++}`);
  await run('pdftoppm', ['-f', '1', '-l', '1', '-r', String(DPI), '-singlefile', file, out]);
  const ppm = await readFile(`${out}.ppm`);
  const head = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 40).toString('latin1'));
  assert.ok(head, 'pdftoppm wrote no binary PPM');
  const [width, height] = [+head[1]!, +head[2]!];
  return { width, height, px: new Uint8Array(ppm.subarray(head[0].length, head[0].length + width * height * 3)) };
}

/** The stamps' ink, rgb(0.05, 0.1, 0.35): no fixture's own field colours come near it. */
const INK = [13, 26, 89] as const;

/**
 * Pixels of stamp ink inside the box (fractions of the page), inset by a fifth so that field
 * borders do not count.
 */
function inkInside(r: Awaited<ReturnType<typeof raster>>, box: Pick<Stamp, 'x' | 'y' | 'width' | 'height'>): number {
  const x0 = Math.round((box.x + box.width * 0.2) * r.width);
  const x1 = Math.round((box.x + box.width * 0.8) * r.width);
  const y0 = Math.round((box.y + box.height * 0.2) * r.height);
  const y1 = Math.round((box.y + box.height * 0.8) * r.height);
  let ink = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const i = (y * r.width + x) * 3;
      const d = Math.hypot(r.px[i]! - INK[0], r.px[i + 1]! - INK[1], r.px[i + 2]! - INK[2]);
      if (d < 40) ink++;
    }
  return ink;
}

async function pdfsig(file: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('pdfsig', [file]);
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return (e.stdout ?? '') + (e.stderr ?? '');
  }
}

const certificate = {
  envelopeId: 'env_form',
  title: 'Fillable form',
  originalSha256: 'a'.repeat(64),
  completedAt: '2026-01-02T03:04:05Z',
  auditHeadHash: 'b'.repeat(64),
  auditEventCount: 9,
  consentVersion: 'esign-disclosure-2025-01',
  recipients: [
    {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      role: 'customer',
      action: 'sign' as const,
      status: 'signed',
      authMethod: 'none',
      steps: [{ label: 'Completed', at: '2026-01-02T03:04:05Z' }],
    },
  ],
};

/**
 * What a template built on the fillable PDF stamps: its own AcroForm fields are the placed fields
 * (as the document upload reports them in `formFields`), each given a value.
 */
function stampsFor(fields: Awaited<ReturnType<typeof inspectPdf>>['formFields']): Stamp[] {
  const stamps: Stamp[] = [];
  for (const f of fields) {
    if (f.page === undefined || f.x === undefined || f.y === undefined || !f.width || !f.height) continue;
    const box = { page: f.page, x: f.x, y: f.y, width: f.width, height: f.height };
    if (f.type === 'text') stamps.push({ ...box, type: 'text', value: { kind: 'text', text: 'WMWMWMWMWM' } });
    else if (f.type === 'checkbox')
      stamps.push({ ...box, type: 'checkbox', value: { kind: 'checkbox', checked: true } });
    else if (f.type === 'signature')
      stamps.push({ ...box, type: 'signature', value: { kind: 'typed', text: 'Ada Lovelace' } });
  }
  return stamps;
}

const SOURCES: Array<[string, () => Promise<Uint8Array>]> = [
  ['sample_form.pdf', () => fixture('sample_form.pdf')],
  ['fancy_fields.pdf', () => fixture('fancy_fields.pdf')],
  ['the demo return form', () => returnAuthorizationPdf()],
];

describe('sealing a fillable PDF', () => {
  for (const [name, load] of SOURCES) {
    it(`${name}: every stamped value shows in its field's rectangle when rendered, and the seal is the only signature`, async () => {
      const inspected = await inspectPdf(await load());
      const stamps = stampsFor(inspected.formFields);
      assert.ok(
        stamps.some((s) => s.type === 'text') && stamps.some((s) => s.type === 'checkbox'),
        'no fields to fill',
      );
      const original = await raster(await toFile(inspected.bytes));
      for (const s of stamps)
        assert.equal(inkInside(original, s), 0, `the unsealed ${s.type} at ${s.x},${s.y} is already inked`);

      const sealed = await sealPdf({ original: inspected.bytes, stamps, certificate, signer });
      const file = await toFile(sealed.bytes);
      const page = await raster(file);
      for (const s of stamps) {
        assert.ok(inkInside(page, s) > 0, `the ${s.type} value at ${s.x},${s.y} is hidden in the rendered seal`);
      }

      const sig = await pdfsig(file);
      const listed = sig.split(/Signature #\d+:/).slice(1);
      assert.equal(listed.length, 1, sig);
      assert.match(listed[0]!, /Signature is Valid/, sig);
      assert.match(listed[0]!, /Total document signed/, sig);
      assert.doesNotMatch(sig, /unsigned|not signed/i, sig);
      const qpdf = await run('qpdf', ['--check', file]).catch((e: { code: number; stdout: string }) => e);
      assert.match(qpdf.stdout, /No syntax or stream encoding errors/, qpdf.stdout);
      assert.ok(
        Buffer.from(sealed.bytes.subarray(0, inspected.bytes.length)).equals(Buffer.from(inspected.bytes)),
        'the seal rewrote the original bytes instead of appending to them',
      );
    });
  }
});
