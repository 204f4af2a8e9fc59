import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { loadSealSigner, sealPdf, type CertificateOfCompletion } from '../src/pdf/index.ts';
import { fixture } from './helpers.ts';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cs-pdf-signer-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

const certificate: CertificateOfCompletion = {
  envelopeId: 'env_signer',
  title: 'Signer test',
  originalSha256: 'e'.repeat(64),
  completedAt: '2025-03-04T10:11:12Z',
  auditHeadHash: 'f'.repeat(64),
  auditEventCount: 3,
  consentVersion: 'v1',
  recipients: [],
};

async function sealAndCheck(signer: Awaited<ReturnType<typeof loadSealSigner>>): Promise<string> {
  const original = await fixture('normal.pdf');
  const sealed = await sealPdf({ original, stamps: [], certificate, signer, reason: 'Test seal', location: 'Berlin' });
  const file = path.join(work, `${Math.random().toString(36).slice(2)}.pdf`);
  await writeFile(file, sealed.bytes);
  const { stdout } = await run('pdfsig', [file]);
  assert.match(stdout, /Signature is Valid\./);
  assert.match(stdout, /Total document signed/);
  return stdout;
}

describe('loadSealSigner', () => {
  it('generates a development seal on first use, private to the owner, and reuses it afterwards', async () => {
    const dataDir = path.join(work, 'first-use');
    const first = await loadSealSigner({ dataDir });
    assert.equal(first.development, true);
    assert.match(first.subject, /CN=Countersign Development Seal/);
    const keyDir = path.join(dataDir, 'keys');
    for (const file of [
      path.join(keyDir, 'dev-signing.p12'),
      path.join(dataDir, 'secrets', 'dev-signing.passphrase'),
    ]) {
      assert.equal((await stat(file)).mode & 0o777, 0o600, file);
    }
    // The passphrase is kept apart from the key: keys/ alone does not open it.
    assert.deepEqual(await readdir(keyDir), ['dev-signing.p12']);
    const second = await loadSealSigner({ dataDir });
    assert.equal(second.certificateSha256, first.certificateSha256);
    const report = await sealAndCheck(first);
    assert.match(report, /Signer Certificate Common Name: Countersign Development Seal/);
  });

  it('ends with one consistent key when several processes start at once', async () => {
    const dataDir = path.join(work, 'race');
    const script = `import { loadSealSigner } from ${JSON.stringify(path.join(repoRoot, 'server/src/pdf/index.ts'))};
      const s = await loadSealSigner({ dataDir: ${JSON.stringify(dataDir)} }); console.log(s.certificateSha256);`;
    const starts = Array.from({ length: 2 }, () =>
      run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot }),
    );
    // And two more in this process, concurrently.
    const local = await Promise.all([loadSealSigner({ dataDir }), loadSealSigner({ dataDir })]);
    const remote = (await Promise.all(starts)).map((r) => r.stdout.trim());
    const fingerprints = new Set([...remote, ...local.map((s) => s.certificateSha256)]);
    assert.equal(fingerprints.size, 1, [...fingerprints].join(' '));
    const reread = await loadSealSigner({ dataDir });
    assert.ok(fingerprints.has(reread.certificateSha256));
    assert.deepEqual(await readdir(path.join(dataDir, 'keys')), ['dev-signing.p12']);
    assert.deepEqual(await readdir(path.join(dataDir, 'secrets')), ['dev-signing.passphrase']);
  });

  it('loads a production PKCS#12 (EC P-256 made with openssl) and seals with it', async () => {
    const dir = path.join(work, 'prod');
    await run('mkdir', ['-p', dir]);
    const key = path.join(dir, 'key.pem');
    const crt = path.join(dir, 'cert.pem');
    const p12 = path.join(dir, 'seal.p12');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      crt,
      '-days',
      '30',
      '-subj',
      '/CN=Acme Corp Document Seal/O=Acme Corp',
    ]);
    await run('openssl', ['pkcs12', '-export', '-inkey', key, '-in', crt, '-out', p12, '-passout', 'pass:s3cret']);
    const signer = await loadSealSigner({ dataDir: path.join(work, 'unused'), p12Path: p12, passphrase: 's3cret' });
    assert.equal(signer.development, false);
    assert.match(signer.subject, /CN=Acme Corp Document Seal/);
    const report = await sealAndCheck(signer);
    assert.match(report, /Signer Certificate Common Name: Acme Corp Document Seal/);
    await assert.rejects(stat(path.join(work, 'unused', 'keys')), /ENOENT/);

    await assert.rejects(
      loadSealSigner({ dataDir: work, p12Path: p12, passphrase: 'wrong' }),
      /cannot load the signing key from .*seal\.p12/,
    );
    await assert.rejects(loadSealSigner({ dataDir: work, p12Path: path.join(dir, 'missing.p12') }), /ENOENT/);
  });
});
