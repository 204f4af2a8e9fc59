import { X509Certificate, createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import { P12Signer, type Signer } from '@libpdf/core';
import { DIR_MODE, mkdirPrivate, syncDir, writeFileAtomic, writeFileSynced } from '../store/lowdb.ts';
import { warmUpFonts } from './fonts.ts';

/** The server's sealing identity: a @libpdf/core signer plus what we print about it. */
export interface SealSigner {
  signer: Signer;
  /** Subject of the signing certificate, e.g. "CN=Countersign Development Seal, O=Countersign". */
  subject: string;
  /** SHA-256 of the DER certificate, hex. */
  certificateSha256: string;
  /** True for the generated development key (not trusted by any PDF reader). */
  development: boolean;
}

const DEV_SUBJECT_CN = 'Countersign Development Seal';

/**
 * Where the development key and its passphrase live in the data dir. They are kept apart, so a
 * copy of `keys/` alone (a backup, a support bundle) does not hold what opens the key; servers
 * before this kept the passphrase beside the key as `keys/dev-signing.p12.pass`.
 */
export function developmentKeyFiles(dataDir: string) {
  const p12 = path.join(dataDir, 'keys', 'dev-signing.p12');
  return { p12, passphrase: path.join(dataDir, 'secrets', 'dev-signing.passphrase'), legacyPassphrase: `${p12}.pass` };
}

export async function loadSealSigner(opts: {
  dataDir: string;
  p12Path?: string;
  passphrase?: string;
}): Promise<SealSigner> {
  // The signer is loaded at start-up; the fonts it will seal with can get ready meanwhile.
  setTimeout(() => {
    try {
      warmUpFonts();
    } catch {
      // Sealing reports font problems itself.
    }
  }, 0).unref();
  if (opts.p12Path) {
    const bytes = await fs.readFile(opts.p12Path);
    return fromP12(new Uint8Array(bytes), opts.passphrase ?? '', false, opts.p12Path);
  }
  const { p12: p12File, passphrase: passFile, legacyPassphrase } = developmentKeyFiles(opts.dataDir);
  const dir = path.dirname(p12File);
  await mkdirPrivate(dir);
  await mkdirPrivate(path.dirname(passFile));
  await fs.chmod(dir, DIR_MODE);
  await fs.chmod(path.dirname(passFile), DIR_MODE);
  await moveLegacyPassphrase(legacyPassphrase, passFile);
  for (let attempt = 0; ; attempt++) {
    const existing = await readPair(p12File, passFile);
    if (existing) return fromP12(existing.p12, existing.passphrase, true, p12File);
    if (attempt > 200) throw new Error(`could not create or read the development signing key in ${dir}`);
    if (await passExistsWithoutKey(p12File, passFile)) {
      // Another process is writing the key right now (or crashed half-way, long ago).
      await sleep(50);
      continue;
    }
    await createDevelopmentKey(p12File, passFile);
  }
}

/** Moves a passphrase kept beside the key (older servers) to its own file outside `keys/`. */
async function moveLegacyPassphrase(legacy: string, passFile: string): Promise<void> {
  let passphrase: string;
  try {
    passphrase = await fs.readFile(legacy, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const current = await fs.readFile(passFile, 'utf8').catch(() => undefined);
  if (current === undefined) {
    await writeFileAtomic(passFile, passphrase);
  } else if (current.trim() !== passphrase.trim()) {
    // Not ours to choose: the operator restored one of the two from somewhere else.
    console.error(`[countersign] ${legacy} and ${passFile} differ; using ${passFile} and leaving ${legacy} in place`);
    return;
  }
  await fs.rm(legacy, { force: true });
  await syncDir(path.dirname(legacy));
}

async function readPair(
  p12File: string,
  passFile: string,
): Promise<{ p12: Uint8Array; passphrase: string } | undefined> {
  try {
    const [p12, passphrase] = await Promise.all([fs.readFile(p12File), fs.readFile(passFile, 'utf8')]);
    return { p12: new Uint8Array(p12), passphrase: passphrase.trim() };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function passExistsWithoutKey(p12File: string, passFile: string): Promise<boolean> {
  try {
    const stat = await fs.stat(passFile);
    if (Date.now() - stat.mtimeMs > 30_000) {
      // A crash between writing the passphrase and the key: start over.
      await fs.rm(passFile, { force: true });
      return false;
    }
    return !(await exists(p12File));
  } catch {
    return false;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Generate a self-signed RSA-2048 certificate and store it as PKCS#12, its random passphrase in
 * a separate directory (both 0600, fsynced). Files are written to temporary names and then hard-linked into place:
 * `link` fails if the target exists, so when two processes start at once exactly one wins and
 * the other reads the winner's pair instead of mixing a key with the wrong passphrase.
 */
async function createDevelopmentKey(p12File: string, passFile: string): Promise<void> {
  const passphrase = randomBytes(24).toString('base64url');
  const p12 = buildDevelopmentP12(passphrase);
  const suffix = `${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const passTmp = `${passFile}.${suffix}`;
  const p12Tmp = `${p12File}.${suffix}`;
  try {
    await writeFileSynced(passTmp, passphrase + '\n');
    await writeFileSynced(p12Tmp, p12);
    try {
      await fs.link(passTmp, passFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return; // someone else won
      throw err;
    }
    await syncDir(path.dirname(passFile));
    await fs.link(p12Tmp, p12File);
    await syncDir(path.dirname(p12File));
  } finally {
    await fs.rm(passTmp, { force: true });
    await fs.rm(p12Tmp, { force: true });
  }
}

function buildDevelopmentP12(passphrase: string): Uint8Array {
  // Key generation in node:crypto (native, fast); certificate and PKCS#12 with node-forge.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000);
  const attrs = [
    { name: 'commonName', value: DEV_SUBJECT_CN },
    { name: 'organizationName', value: 'Countersign' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], passphrase, { algorithm: '3des', friendlyName: DEV_SUBJECT_CN });
  const der = forge.asn1.toDer(asn1).getBytes();
  return Uint8Array.from(der, (c) => c.charCodeAt(0));
}

async function fromP12(
  bytes: Uint8Array,
  passphrase: string,
  development: boolean,
  where: string,
): Promise<SealSigner> {
  let signer: P12Signer;
  try {
    signer = await P12Signer.create(bytes, passphrase);
  } catch (err) {
    throw new Error(
      `cannot load the signing key from ${where}: ${(err as Error).message} (wrong passphrase or not a PKCS#12 file?)`,
    );
  }
  const subject = new X509Certificate(signer.certificate).subject.split('\n').join(', ');
  return {
    signer,
    subject,
    certificateSha256: createHash('sha256').update(signer.certificate).digest('hex'),
    development,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
