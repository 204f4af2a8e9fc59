/**
 * The customer's account page says what the envelope is, and only what is true: an equipment
 * return link is described by its own title (not the broadband plan), Finish with items missing
 * lists them in the pad and leaves the page's banner alone, a bad link gets one message on the
 * banner, the pills and the pad, and after signing every later visit offers the signed copy.
 *
 *   node --import tsx --test test/e2e/account-page.test.ts      (needs `npm run build` first)
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { demoApi } from './demo-server.ts';
import { demoWithBrowser, openPage } from './sign-helpers.ts';
import { waitFor } from './support.ts';

const ADMIN_KEY = 'cs_live_e2e-account-admin-key-0123456789abcdef';
const ctx = demoWithBrowser('cs-e2e-account-', ADMIN_KEY);
const CUSTOMER = { name: 'Zoë Łukasz-Müller', email: 'zoe.lukasz-muller@example.com' };
const RMA_TITLE = 'Equipment return authorization — RMA-40211';
const pad = 'cs-signer-pad';

const api = <T>(method: string, url: string, token = ADMIN_KEY, body?: unknown) =>
  demoApi<T>(ctx.demo, method, url, token, body);

const newPage = () => openPage(ctx.browser);

interface Envelope {
  id: string;
  sealed?: boolean;
  recipients: Array<{ id: string }>;
}

/** A signer link for the envelope's first recipient, minted as the company's back end would. */
async function signerLink(envelope: Envelope): Promise<string> {
  const session = await api<{ token: string }>(
    'POST',
    `/api/v1/envelopes/${envelope.id}/recipients/${envelope.recipients[0]!.id}/signing-session`,
  );
  return `${ctx.demo.url}/demo/account.html#token=${encodeURIComponent(session.token)}`;
}

/** Visible text of the page's own words about the agreement (not the static plan panel). */
async function pageWords(page: Page): Promise<string> {
  return [
    await page.locator('#banner').innerText(),
    await page.locator('#agreement-title').innerText(),
    await page.locator('#signing-intro').innerText(),
  ].join('\n');
}

/** Fills every field the signer may fill, consents and finishes, through the signer API. */
async function signAll(token: string): Promise<void> {
  const signer = <T>(method: string, url: string, body?: unknown) => api<T>(method, url, token, body);
  const view = await signer<{ fields: Array<{ id: string; type: string; readOnly?: boolean }> }>(
    'GET',
    '/api/v1/signing',
  );
  await signer('POST', '/api/v1/signing/consent', { accepted: true });
  const values: Record<string, unknown> = {
    signature: { kind: 'typed', text: CUSTOMER.name },
    initials: { kind: 'typed', text: 'ZŁM' },
    checkbox: true,
    text: '+44 117 496 0123',
  };
  for (const field of view.fields) {
    if (field.readOnly || !(field.type in values)) continue;
    await signer('PUT', `/api/v1/signing/fields/${encodeURIComponent(field.id)}`, { value: values[field.type] });
  }
  await signer('POST', '/api/v1/signing/complete', {});
}

async function waitSealed(envelopeId: string): Promise<void> {
  await waitFor(
    `${envelopeId} sealed`,
    async () => (await api<Envelope>('GET', `/api/v1/envelopes/${envelopeId}`)).sealed,
  );
}

describe('the account page', { timeout: 120_000 }, () => {
  test('an equipment return link is described by its own title; Finish lists what is missing and sends nothing', async () => {
    const legal = await api<{ templates: { returnAuthorization: string } }>('GET', '/demo/api/legal-session', '');
    const rma = await api<Envelope>('POST', '/api/v1/envelopes', ADMIN_KEY, {
      templateId: legal.templates.returnAuthorization,
      title: RMA_TITLE,
      mergeData: {
        rma_number: 'RMA-40211',
        order_number: 'ORD-77812',
        customer_name: CUSTOMER.name,
        item_description: 'Northwind Hub 2, serial NH2-0091-4471',
        return_reason: 'Upgrade to a newer router',
        refund_amount: 19.99,
      },
      recipients: [{ role: 'customer', ...CUSTOMER }],
      send: true,
    });
    const page = await newPage();
    try {
      await page.goto(await signerLink(rma));
      await page.locator(`${pad} [part~="toolbar"]`).waitFor();
      await page.waitForFunction(
        (title) => document.getElementById('banner-title')?.textContent?.includes(title),
        RMA_TITLE,
      );
      const words = await pageWords(page);
      assert.ok(words.includes(RMA_TITLE), words);
      assert.doesNotMatch(words, /Fibre \d|broadband|upgrade/i, 'nothing about the broadband plan');
      assert.equal(await page.locator(pad).getAttribute('aria-label'), `Sign: ${RMA_TITLE}`);
      assert.ok(!page.url().includes('token='), 'the token left the address bar');

      // The refund the agent set is read-only text for the customer.
      const refund = page.locator(`${pad} [data-field-id="refund_amount"]`);
      assert.equal(await refund.locator('input').count(), 0, 'no input for the agent-set refund');
      assert.match(await refund.locator('.readonly-value').innerText(), /19\.99/);

      // Finish with the consent, the checkbox, the date and the signature all missing.
      const completes: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/api/v1/signing/complete')) completes.push(r.url());
      });
      const error = page.evaluate(
        (sel) =>
          new Promise<{ code: string; status: number }>((resolve) =>
            document.querySelector(sel)!.addEventListener('cs-error', (e) => resolve((e as CustomEvent).detail), {
              once: true,
            }),
          ),
        pad,
      );
      await page.locator(`${pad} [part~="actions"] button[part~="primary"]`).click();
      const missing = page.locator(`${pad} [part~="missing"] button`);
      await missing.first().waitFor();
      const items = await missing.allInnerTexts();
      assert.ok(items.length >= 3, `every missing item is listed at once: ${items.join(' | ')}`);
      assert.ok(
        items.some((t) => /consent|electronic/i.test(t)),
        items.join(' | '),
      );
      assert.ok(
        items.some((t) => /signature/i.test(t)),
        items.join(' | '),
      );
      assert.ok(
        items.some((t) => /conditions of return/i.test(t)),
        items.join(' | '),
      );
      const detail = await error;
      assert.equal(detail.status, 0, 'held back in the browser');
      assert.deepEqual(completes, [], 'no request to complete was sent');
      // The page's banner still says an agreement waits; it does not claim the agreement failed to load.
      assert.equal(await page.locator('#banner').getAttribute('class'), 'banner banner--todo');
      assert.ok((await page.locator('#banner-title').innerText()).includes(RMA_TITLE));
      assert.equal(await page.locator('#agreement-pill').innerText(), 'Awaiting signature');
    } finally {
      await page.context().close();
    }
  });

  test('a bad link gets one message: the banner, the pills and the pad agree', async () => {
    const page = await newPage();
    try {
      const errors: Array<{ code: string; message: string }> = [];
      await page.exposeFunction('recordError', (d: { code: string; message: string }) => errors.push(d));
      await page.addInitScript(() => {
        document.addEventListener(
          'cs-error',
          (e) => (window as unknown as { recordError(d: unknown): void }).recordError((e as CustomEvent).detail),
          true,
        );
      });
      await page.goto(`${ctx.demo.url}/demo/account.html#token=cs_sign_not-a-real-token`);
      await page.locator('#banner.banner--error').waitFor();
      const message = await page.locator(`${pad} [part="message"]`).innerText();
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0]!.code, 'token-invalid');
      assert.equal(await page.locator('#banner-text').innerText(), errors[0]!.message);
      assert.ok(message.includes(errors[0]!.message), `the pad says the same: ${message}`);
      assert.equal(await page.locator('#agreement-pill').innerText(), 'Signing link not valid');
      assert.equal(await page.locator('#agreement-status').innerText(), 'Signing link not valid');
    } finally {
      await page.context().close();
    }
  });

  test('after signing, every later visit offers the signed copy', async () => {
    // The customer's back end hands the page a session for each waiting agreement, newest first;
    // the customer signs them all (through the API here).
    type Session = { token: string | null; envelopeId: string; title: string };
    const signed: Session[] = [];
    for (;;) {
      const session = await api<Session>('GET', '/demo/api/customer/signing-session', '');
      if (!session.token) break;
      assert.ok(signed.length < 5, 'each signed agreement leaves the waiting list');
      signed.push(session);
      await signAll(session.token);
      await waitSealed(session.envelopeId);
    }
    assert.ok(signed.length >= 1, 'an agreement was waiting for the customer');
    const newest = signed[0]!;

    const page = await newPage();
    try {
      for (let visit = 0; visit < 2; visit++) {
        await page.goto(`${ctx.demo.url}/demo/account.html`);
        await page.locator('#banner.banner--done').waitFor();
        assert.ok((await page.locator('#banner').innerText()).includes('signed'));
        const link = page.getByRole('link', { name: 'Download your signed copy' });
        const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
        const res = await fetch(`${ctx.demo.url}/api/v1/envelopes/${newest.envelopeId}/document`, {
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        });
        const sealed = Buffer.from(await res.arrayBuffer());
        assert.deepEqual(await readFile((await download.path())!), sealed, 'the sealed PDF itself');
        assert.match(download.suggestedFilename(), /\(signed\)\.pdf$/);
      }
    } finally {
      await page.context().close();
    }

    // The back end serves only this customer's signed agreements: not another customer's.
    const seeded = await api<{ envelopes: { completed: string } }>('GET', '/demo/api/agent-session', '');
    assert.equal(
      (await api<{ status: string }>('GET', `/api/v1/envelopes/${seeded.envelopes.completed}`)).status,
      'completed',
    );
    const foreign = await fetch(`${ctx.demo.url}/demo/api/customer/envelopes/${seeded.envelopes.completed}/document`);
    assert.equal(foreign.status, 404);
    assert.match(foreign.headers.get('content-type') ?? '', /problem\+json/);
  });
});
