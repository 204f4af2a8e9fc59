import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { openCountersign } from '../../server/src/bootstrap.ts';
import { DEMO_CUSTOMER, pendingAdminKeyFile, seedDemo } from '../../server/src/demo/seed-demo.ts';
import { createDemoSite, SESSION_REUSE_MARGIN_MS } from '../../server/src/demo/site.ts';
import { printedAdminKey, runDemoToExit, startDemo } from './demo-server.ts';
import { repoRoot } from './support.ts';

const dirs: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the demo bootstrap', { timeout: 240_000 }, () => {
  test('a first start that fails leaves the data dir usable: the next start finishes and prints a working admin key', async () => {
    const dataDir = await tempDir('cs-boot-');
    const failed = await runDemoToExit({ dataDir, env: { COUNTERSIGN_DEMO_INJECT_SEED_FAILURE: '1' } });
    assert.equal(failed.code, 1, failed.output);
    assert.match(failed.output, /injected failure/);
    assert.equal(printedAdminKey(failed.output), undefined, 'a failed start prints no key it cannot stand behind');
    assert.match(failed.output, /next start finishes it and prints the admin key/);
    assert.ok(existsSync(pendingAdminKeyFile(dataDir)), 'the generated key waits for the next start');

    const demo = await startDemo({ dataDir });
    try {
      assert.equal(printedAdminKey(demo.output()), demo.adminKey);
      assert.doesNotMatch(demo.output(), /already has API keys/);
      const res = await fetch(`${demo.url}/api/v1/api-keys`, {
        headers: { authorization: `Bearer ${demo.adminKey}` },
      });
      assert.equal(res.status, 200, 'the printed key is an admin key of this data dir');
      await res.body?.cancel();
      const session = await fetch(`${demo.url}/demo/api/customer/signing-session`);
      assert.ok(((await session.json()) as { token?: string }).token, 'the demo is seeded');
      assert.ok(!existsSync(pendingAdminKeyFile(dataDir)), 'once printed, the key is not kept');
    } finally {
      await demo.stop();
    }

    // A third start reuses the demo and prints no key (only its hash is stored).
    const again = await startDemo({ dataDir });
    try {
      assert.equal(printedAdminKey(again.output()), undefined);
      assert.match(again.output(), /listening on/);
    } finally {
      await again.stop();
    }
  });

  test('reloading the account page reuses the live signing session until it nears expiry', async () => {
    const dataDir = await tempDir('cs-session-');
    const cs = await openCountersign({ dataDir });
    try {
      const state = await seedDemo(cs.app, { dataDir, adminKey: cs.adminKey });
      let now = Date.now();
      const site = createDemoSite({
        app: cs.app,
        state,
        demoDir: path.join(repoRoot, 'demo'),
        elementsDir: path.join(repoRoot, 'packages/elements/dist'),
        now: () => now,
      });
      const session = async () =>
        (await (await site.request('/demo/api/customer/signing-session')).json()) as {
          envelopeId: string;
          token: string;
          expiresAt: string;
          title: string;
          plan: string | null;
        };
      const issued = async (id: string) => {
        const res = await cs.app.request(`/api/v1/envelopes/${id}/audit`, {
          headers: { authorization: `Bearer ${state.backendKey}` },
        });
        const body = (await res.json()) as { events: Array<{ type: string }> };
        return body.events.filter((e) => e.type === 'signing_session.issued').length;
      };

      const first = await session();
      assert.equal(first.title, 'Broadband service agreement — Fibre 900');
      assert.equal(first.plan, 'Fibre 900');
      for (let i = 0; i < 3; i++) assert.equal((await session()).token, first.token, 'a reload gets the same session');
      assert.equal(await issued(first.envelopeId), 1, 'one "Signing link issued" event for four loads');

      now = Date.parse(first.expiresAt) - SESSION_REUSE_MARGIN_MS + 1;
      const fresh = await session();
      assert.notEqual(fresh.token, first.token, 'near its expiry the session is replaced');
      assert.equal(await issued(first.envelopeId), 2);

      // An equipment return is described by its own title, not by the broadband plan.
      const created = await cs.app.request('/api/v1/envelopes', {
        method: 'POST',
        headers: { authorization: `Bearer ${state.backendKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          templateId: state.templates.returnAuthorization,
          title: 'Equipment return authorization — RMA-40211',
          mergeData: {
            rma_number: 'RMA-40211',
            order_number: 'ORD-77812',
            customer_name: DEMO_CUSTOMER.name,
            item_description: 'Northwind Hub 2, serial NH2-0091-4471',
            return_reason: 'Upgrade to a newer router',
          },
          recipients: [{ role: 'customer', name: DEMO_CUSTOMER.name, email: DEMO_CUSTOMER.email }],
          send: true,
        }),
      });
      assert.equal(created.status, 201, await created.clone().text());
      const rma = (await created.json()) as { id: string };
      const described = (await (await site.request(`/demo/api/customer/envelopes/${rma.id}`)).json()) as {
        title: string;
        plan: string | null;
      };
      assert.deepEqual(described, {
        id: rma.id,
        title: 'Equipment return authorization — RMA-40211',
        plan: null,
        status: 'sent',
      });
      const broadband = await site.request(`/demo/api/customer/envelopes/${first.envelopeId}`);
      assert.equal(((await broadband.json()) as { plan: string }).plan, 'Fibre 900');
      const missing = await site.request('/demo/api/customer/envelopes/env_nope');
      assert.equal(missing.status, 404);
    } finally {
      await cs.close();
    }
  });
});
