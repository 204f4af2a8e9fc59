import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadSealSigner, type SealSigner } from '../src/pdf/index.ts';
import { makeServer, problemOf, quietly, seed, signAsCustomer, smallDocument, tempDir } from './helpers.ts';

/** A seal signer whose key is unreachable (an HSM that is down). */
async function brokenSigner(): Promise<SealSigner> {
  const real = await loadSealSigner({ dataDir: await tempDir('cs-signer-') });
  const signer = new Proxy(real.signer, {
    get: (target, key, receiver) =>
      key === 'sign'
        ? async () => {
            throw new Error('HSM unreachable at /etc/countersign/hsm.sock');
          }
        : Reflect.get(target, key, receiver),
  });
  return { ...real, signer };
}

describe('a seal that throws', () => {
  it('is recorded (sealState failed, envelope.seal_failed in a valid chain), explained, and retried at the next start', async () => {
    const dataDir = await tempDir();
    const s = await makeServer({ dataDir, signer: await brokenSigner() });
    const seeded = await seed(s, smallDocument);
    assert.equal((await signAsCustomer(s, seeded.session.token)).status, 200);
    await quietly(() => s.idle());

    const env = (await (await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}`, { key: s.adminKey })).json()) as {
      status: string;
      sealed: boolean;
      sealState: string;
    };
    assert.deepEqual([env.status, env.sealed, env.sealState], ['completed', false, 'failed']);
    const trail = (await (
      await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}/audit`, { key: s.adminKey })
    ).json()) as { valid: boolean; events: Array<{ type: string; data?: Record<string, unknown> }> };
    assert.equal(trail.valid, true);
    const failed = trail.events.filter((e) => e.type === 'envelope.seal_failed');
    assert.equal(failed.length, 1);
    assert.deepEqual(failed[0]!.data, {
      attempts: 1,
      reason: 'internal',
      detail: 'The server could not seal the document; the cause is in the server log',
    });
    for (const res of [
      await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}/document`, { key: s.adminKey }),
      await s.call('GET', '/api/v1/signing/document?version=sealed', { key: seeded.session.token }),
    ]) {
      assert.equal(res.status, 409);
      const text = await res.text();
      assert.match(JSON.parse(text).detail, /failed.*retried/);
      assert.ok(!text.includes('hsm'), 'the internal message stays internal');
    }
    assert.ok(!JSON.stringify(trail).includes('hsm'));

    await s.close();
    const restarted = await makeServer({ dataDir, adminKey: s.adminKey });
    try {
      await restarted.idle();
      const after = (await (
        await restarted.call('GET', `/api/v1/envelopes/${seeded.envelopeId}`, { key: s.adminKey })
      ).json()) as { sealed: boolean; sealState: string };
      assert.deepEqual([after.sealed, after.sealState], [true, 'sealed']);
      const res = await restarted.call('GET', `/api/v1/envelopes/${seeded.envelopeId}/document`, { key: s.adminKey });
      assert.equal(res.status, 200);
      const types = (
        (await (
          await restarted.call('GET', `/api/v1/envelopes/${seeded.envelopeId}/audit`, { key: s.adminKey })
        ).json()) as { events: Array<{ type: string }> }
      ).events.map((e) => e.type);
      assert.deepEqual(types.slice(-3), ['envelope.completed', 'envelope.seal_failed', 'envelope.sealed']);
    } finally {
      await restarted.close();
    }
  });
});

describe('a blob lost from disk', () => {
  it('answers 410 with a clear detail and no path, for staff and signer', async () => {
    const s = await makeServer();
    try {
      const seeded = await seed(s, smallDocument);
      const env = (await (
        await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}`, { key: s.adminKey })
      ).json()) as {
        documentSha256: string;
      };
      const sha = env.documentSha256;
      await rm(path.join(s.dataDir, 'blobs', sha.slice(0, 2), sha));
      await quietly(async () => {
        for (const res of [
          await s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}/document?version=original`, { key: s.adminKey }),
          await s.call('GET', '/api/v1/signing/document', { key: seeded.session.token }),
        ]) {
          assert.equal(res.status, 410);
          const text = await res.text();
          assert.ok(!text.includes(s.dataDir) && !text.includes(sha));
          assert.match((await problemOf(new Response(text))).detail ?? '', /no longer in storage/);
        }
      });
    } finally {
      await s.close();
    }
  });
});
