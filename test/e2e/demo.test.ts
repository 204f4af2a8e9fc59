/**
 * End to end through the demo, as people use it: the customer signs inline in the account page
 * (drawing a signature with the mouse), the sealed PDF verifies with poppler and qpdf, the audit
 * chain holds and breaks where a stored event is changed; the agent console sends an agreement
 * and its badge follows the envelope live until completed.
 *
 *   node --import tsx --test test/e2e/demo.test.ts      (needs `npm run build` first; done if missing)
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { drawnSignaturePng, pngDataUrl } from '../../server/src/demo/signature-png.ts';
import { demoApi, startDemo } from './demo-server.ts';
import { demoWithBrowser, drawSignature, openPage } from './sign-helpers.ts';
import { repoRoot, waitFor } from './support.ts';

const run = promisify(execFile);
const ADMIN_KEY = 'cs_live_e2e-demo-admin-key-0123456789abcdef';
const ctx = demoWithBrowser('cs-e2e-demo-', ADMIN_KEY);
const CUSTOMER = 'Zoë Łukasz-Müller';
const artifacts = path.join(repoRoot, '.artifacts');

const api = <T>(method: string, url: string, token = ADMIN_KEY, body?: unknown) =>
  demoApi<T>(ctx.demo, method, url, token, body);

const newPage = (width = 1280, height = 900) => openPage(ctx.browser, { width, height });

/**
 * The README picture: the account page from its header down, the pad inline below the portal's
 * own panels, its viewer scrolled to the filled fields of the first page.
 */
async function readmeShot(page: Page): Promise<void> {
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 1280, height: 1200 });
  await page.locator('cs-signer-pad [data-field-id="account_holder"]').evaluate((field) => {
    const viewer = (field.getRootNode() as ShadowRoot).querySelector('[part~="viewer"]') as HTMLElement;
    viewer.scrollTop += field.getBoundingClientRect().top - viewer.getBoundingClientRect().top - 48;
    window.scrollTo(0, 0);
  });
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(artifacts, 'account-readme.png') });
  await page.setViewportSize(size);
}

/** Changes one byte of the stored audit event `seq` of an envelope (a digit of its timestamp). */
async function tamperWithEvent(envelopeId: string, seq: number): Promise<void> {
  const file = path.join(ctx.dataDir, 'store', 'envelopes', `${envelopeId}.json`);
  const bytes = await readFile(file);
  const audit = bytes.indexOf('"audit"');
  assert.ok(audit > 0, 'the envelope file has an audit array');
  const event = bytes.indexOf(`"seq": ${seq},`, audit);
  assert.ok(event > 0, `event ${seq} found in ${file}`);
  const at = bytes.indexOf('"at": "', event) + '"at": "'.length;
  const z = bytes.indexOf('Z"', at);
  const pos = z - 1; // last millisecond digit
  bytes[pos] = bytes[pos] === 0x39 ? 0x38 : 0x39;
  await writeFile(file, bytes);
  const changed = (JSON.parse(bytes.toString('utf8')) as { audit: Array<{ seq: number; at: string }> }).audit;
  assert.ok(
    changed.some((e) => e.seq === seq),
    'the file is still valid JSON with the event',
  );
}

before(async () => {
  if (!existsSync(path.join(repoRoot, 'packages/elements/dist/signer-pad.js'))) {
    execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit', timeout: 120_000 });
  }
  await mkdir(artifacts, { recursive: true });
});

describe('demo', { timeout: 150_000 }, () => {
  test('every demo page passes axe at desktop width and at 360 px, with no sideways scrolling', async () => {
    const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    const completed = (await api<{ envelopes: { completed: string } }>('GET', '/demo/api/agent-session', '')).envelopes
      .completed;
    const pages = [
      'index.html',
      'account.html',
      'agent.html',
      `evidence.html?envelope=${completed}`,
      'evidence.html',
      'legal.html',
      'legal.html?view=clauses',
    ];
    const found: string[] = [];
    for (const width of [1280, 360]) {
      const page = await newPage(width, 800);
      try {
        for (const url of pages) {
          await page.goto(`${ctx.demo.url}/demo/${url}`);
          await page.waitForLoadState('load');
          await page.waitForTimeout(1500); // elements fetch and render
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          if (overflow > 0) found.push(`${url} @${width}px: scrolls sideways by ${overflow}px`);
          await page.addScriptTag({ path: axePath });
          const violations = await page.evaluate(async () => {
            const axe = (window as unknown as { axe: { run: (o: unknown) => Promise<AxeResults> } }).axe;
            type AxeResults = { violations: Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }> };
            const result = await axe.run({ resultTypes: ['violations'] });
            return result.violations.flatMap((v) =>
              v.nodes.map((n) => ({
                text: `${v.impact} ${v.id}: ${JSON.stringify(n.target)}`,
                // A target inside a shadow root is a path of selectors: the element's own markup.
                inElement: Array.isArray((n.target as unknown[])[0]),
              })),
            );
          });
          // The host's markup and the elements' shadow DOM alike: a person meets both.
          for (const v of violations) found.push(`${url} @${width}px: ${v.inElement ? 'element ' : ''}${v.text}`);
        }
      } finally {
        await page.context().close();
      }
    }
    assert.deepEqual(found, []);
  });

  test('the agent console lists envelopes with live badges, and a sent agreement goes live to completed', async () => {
    const page = await newPage();
    try {
      await page.goto(`${ctx.demo.url}/demo/agent.html`);
      await page.locator('body[data-ready="true"]').waitFor();
      // The seeded envelopes: waiting, declined and completed, each with a badge that loaded its status.
      const rows = page.locator('#envelopes tr[data-envelope-id]');
      assert.ok((await rows.count()) >= 3, 'at least the three seeded envelopes are listed');
      await page.waitForFunction(() =>
        [...document.querySelectorAll('#envelopes cs-status-badge')].every(
          (b) => (b as HTMLElement & { status?: string }).status,
        ),
      );
      const statuses = await page.$$eval('#envelopes cs-status-badge', (badges) =>
        badges.map((b) => (b as HTMLElement & { status?: string }).status),
      );
      assert.ok(
        statuses.includes('completed') && statuses.includes('declined') && statuses.includes('sent'),
        `${statuses}`,
      );

      // Send a new agreement with the composer: the page prefills it from the customer record on screen.
      const composer = page.locator('cs-envelope-composer');
      await composer.getByRole('button', { name: /Broadband service agreement/ }).click();
      await composer.getByLabel('Customer name').fill('Jonas Ærøskøbing-Şahin');
      await composer.getByLabel('Customer email').fill('jonas.sahin@example.com');
      await composer.getByRole('radio', { name: 'Fibre 900' }).check();
      await composer.getByLabel('Monthly price').fill('38.00');
      await composer.getByLabel('Agreement title').fill('Broadband service agreement — Fibre 900');
      const recipient = composer.locator('fieldset.recipient[data-role="customer"]');
      await recipient.getByLabel('Name').fill('Jonas Ærøskøbing-Şahin');
      await recipient.getByLabel('Email').fill('jonas.sahin@example.com');
      await composer.getByRole('button', { name: 'Send for signature' }).click();
      const link = page.locator('#link');
      await link.waitFor({ state: 'visible' });
      const url = new URL(await link.inputValue());
      assert.equal(url.pathname, '/demo/account.html');
      const token = new URLSearchParams(url.hash.slice(1)).get('token');
      assert.ok(token, 'the link carries the signing token in its fragment');

      // The link opens the signing session inline in the account page, and the token leaves the address bar.
      const customerPage = await page.context().newPage();
      await customerPage.goto(url.href);
      await customerPage.locator('cs-signer-pad [part~="toolbar"]').waitFor();
      assert.match(await customerPage.locator('cs-signer-pad [part~="toolbar"]').innerText(), /Fibre 900/);
      const holder = customerPage.locator('cs-signer-pad [data-field-id="account_holder"]');
      assert.equal(
        await holder.locator('.readonly-value').innerText(),
        'Jonas Ærøskøbing-Şahin',
        'the merge data typed in the composer is prefilled for the customer',
      );
      assert.equal(await holder.locator('input').count(), 0, 'and the customer cannot edit what the agent set');
      assert.ok(!customerPage.url().includes('token='), 'the token was removed from the URL');
      await customerPage.close();

      const view = await api<{
        envelope: { id: string };
        fields: Array<{ id: string; type: string; required: boolean; value: unknown }>;
      }>('GET', '/api/v1/signing', token);
      const badge = page.locator(`tr[data-envelope-id="${view.envelope.id}"] cs-status-badge`);
      await page.waitForFunction(
        (id) =>
          (document.querySelector(`tr[data-envelope-id="${id}"] cs-status-badge`) as { status?: string } | null)
            ?.status === 'sent',
        view.envelope.id,
      );

      // The customer signs through the signer API; the badge on the open page must follow.
      await api('POST', '/api/v1/signing/consent', token, { accepted: true });
      for (const f of view.fields) {
        if (f.value !== null && f.value !== '' && f.value !== undefined) continue;
        const value =
          f.type === 'signature'
            ? { kind: 'drawn', image: pngDataUrl(drawnSignaturePng(3)) }
            : f.type === 'initials'
              ? { kind: 'typed', text: 'JÆŞ' }
              : f.type === 'text'
                ? '+44 20 7946 0018'
                : f.type === 'checkbox'
                  ? true
                  : undefined;
        if (value !== undefined) await api('PUT', `/api/v1/signing/fields/${f.id}`, token, { value });
      }
      await api('POST', '/api/v1/signing/complete', token, {});
      await page.waitForFunction(
        (id) =>
          (document.querySelector(`tr[data-envelope-id="${id}"] cs-status-badge`) as { status?: string } | null)
            ?.status === 'completed',
        view.envelope.id,
        { timeout: 15_000 },
      );
      assert.match(await badge.locator('[part~="label"]').innerText(), /completed/i);
      await page.screenshot({ path: path.join(artifacts, 'agent-console.png'), fullPage: true });
    } finally {
      await page.context().close();
    }
  });

  test('legal builds a clause template and publishes it, an agent sends it with the composer, the customer signs; the sealed PDF has the merged values in place', async () => {
    const NAME = 'Premium support addendum — Ἀθηνᾶ';
    const SIGNER = 'Юлия Соколова';
    const PHONE = '+44 117 496 0777';
    const legal = await newPage();
    try {
      // Legal: a new template composed from the library, with two typed variables.
      await legal.goto(`${ctx.demo.url}/demo/legal.html`);
      await legal.locator('body[data-ready="true"]').waitFor();
      const builder = legal.locator('cs-template-builder');
      await builder.getByLabel('Template name').fill(NAME);
      await builder.getByRole('button', { name: 'Compose from the clause library' }).click();
      await builder.getByLabel('Document title').fill('Premium support addendum');

      await builder.getByRole('tab', { name: 'Variables' }).click();
      await builder.getByRole('button', { name: 'Add a variable' }).click();
      await builder.getByLabel('Key').last().fill('tier');
      await builder.getByLabel('Type').last().selectOption('enum');
      await builder.getByLabel('Value of option 1').fill('standard');
      await builder.getByRole('button', { name: 'Add an option' }).click();
      await builder.getByLabel('Value of option 2').fill('premium');
      await builder.getByRole('button', { name: 'Add a variable' }).click();
      await builder.getByLabel('Key').last().fill('support_phone');
      await builder.getByLabel('Type').last().selectOption('phone');

      await builder.getByRole('tab', { name: 'Clauses' }).click();
      for (const [query, title] of [
        ['premium', 'Premium service levels'],
        ['governing', 'Governing law'],
      ] as const) {
        await builder.getByRole('searchbox', { name: 'Search the clause library' }).fill(query);
        await builder.getByRole('button', { name: `Add “${title}”` }).click();
      }
      await builder.getByRole('button', { name: 'Save draft' }).click();
      await legal.getByText('Draft saved as version 1.').waitFor();
      await builder.getByRole('button', { name: 'Publish' }).click();
      await legal.getByText('Version 1 published').waitFor();
      await legal.screenshot({ path: path.join(artifacts, 'legal-builder.png'), fullPage: true });
    } finally {
      await legal.context().close();
    }

    // The agent: the new template is offered; fill it in, address it to the customer, send.
    const agent = await newPage();
    let signingUrl: URL;
    try {
      await agent.goto(`${ctx.demo.url}/demo/agent.html`);
      await agent.locator('body[data-ready="true"]').waitFor();
      const composer = agent.locator('cs-envelope-composer');
      await composer.getByRole('button', { name: new RegExp(NAME) }).click();
      await composer.getByRole('radio', { name: 'premium' }).check();
      await composer.getByLabel(/support_phone/).fill(PHONE);
      // The conditional clause applies now that the tier is premium; the preview follows.
      await composer.getByText('Premium service levels').first().waitFor();
      const recipient = composer.locator('fieldset.recipient').first();
      await recipient.getByLabel('Name').fill(SIGNER);
      await recipient.getByLabel('Email').fill('yulia.sokolova@example.com');
      await composer.getByRole('button', { name: 'Send for signature' }).click();
      await agent.locator('#link').waitFor({ state: 'visible' });
      signingUrl = new URL(await agent.locator('#link').inputValue());
      await agent.screenshot({ path: path.join(artifacts, 'agent-composer-sent.png'), fullPage: true });
    } finally {
      await agent.context().close();
    }

    // The customer signs in the account page.
    const customer = await newPage();
    try {
      await customer.goto(signingUrl.href);
      const pad = 'cs-signer-pad';
      await customer.locator(`${pad} [part~="toolbar"]`).waitFor();
      await customer.locator(`${pad} [data-field-id^="signature"]`).click();
      await drawSignature(customer, `${pad} canvas[part~="signature-canvas"]`);
      await customer.locator(`${pad} button.adopt:not([disabled])`).click();
      await customer.locator(`${pad} dialog.signature`).waitFor({ state: 'hidden' });
      await customer.locator(`${pad} [part~="consent"] input[type="checkbox"]`).check();
      await customer.locator(`${pad} [part~="actions"] button[part~="primary"]`).click();
      await customer.locator(`${pad} [part="message"][data-state="done"]`).waitFor({ timeout: 30_000 });
    } finally {
      await customer.context().close();
    }

    // The sealed PDF: valid, with the merged phone number inside the premium clause, and the
    // signer's name under the signature.
    const list = await api<{ items: Array<{ id: string; title: string; status: string }> }>('GET', '/api/v1/envelopes');
    const sent = list.items.find((e) => e.title.includes('Premium support addendum'));
    assert.ok(sent, 'the envelope sent from the composer exists');
    await waitFor(
      'the seal',
      async () => (await api<{ sealed: boolean }>('GET', `/api/v1/envelopes/${sent.id}`)).sealed,
    );
    const res = await fetch(`${ctx.demo.url}/api/v1/envelopes/${sent.id}/document`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      signal: AbortSignal.timeout(15_000),
    });
    const file = path.join(ctx.dataDir, 'sealed-composed.pdf');
    await writeFile(file, new Uint8Array(await res.arrayBuffer()));
    await writeFile(path.join(artifacts, 'composed-sealed.pdf'), await readFile(file));
    const sig = String((await run('pdfsig', [file]).catch((e: { stdout?: string }) => e)).stdout);
    assert.match(sig, /Signature is Valid/, sig);
    await run('qpdf', ['--check', file]);
    const { stdout: text } = await run('pdftotext', ['-enc', 'UTF-8', '-layout', file, '-']);
    const premium = text.indexOf('Premium service levels');
    const law = text.indexOf('Governing law');
    const phone = text.indexOf(PHONE);
    assert.ok(premium >= 0 && law > premium, 'both clauses are in the document, in order');
    assert.ok(phone > premium && phone < law, 'the merged phone number sits inside the premium clause');
    assert.ok(text.includes(SIGNER), 'the signer is named in the signature block and the certificate');
  });

  test('the customer signs inline; the sealed PDF verifies; a changed audit event breaks the chain', async () => {
    const page = await newPage();
    let envelopeId: string;
    try {
      await page.goto(`${ctx.demo.url}/demo/account.html`);
      const pad = 'cs-signer-pad';
      await page.locator(`${pad} [part~="toolbar"]`).waitFor();
      // Inline in the page: the pad is in the document's own DOM, not an iframe.
      assert.equal(await page.locator('iframe').count(), 0);
      envelopeId = (await api<{ envelopes: { pending: string } }>('GET', '/demo/api/agent-session', '')).envelopes
        .pending;

      // Text: the prefilled merge fields are there; the customer adds a phone number.
      assert.equal(
        await page.locator(`${pad} [data-field-id="account_holder"] .readonly-value`).innerText(),
        CUSTOMER,
        'the prefilled name is shown as the agent set it, read-only',
      );
      const phone = page.locator(`${pad} [data-field-id="install_phone"] input`);
      await page.locator(`${pad} [data-field-id="install_phone"]`).click();
      await phone.pressSequentially('+44 117 496 0123', { delay: 5 });
      await phone.press('Tab');

      // Initials, typed.
      await page.locator(`${pad} [data-field-id="initials"]`).click();
      await page.locator(`${pad} #tab-type`).click();
      await page.locator(`${pad} #typed-name`).fill('ZŁM');
      await page.locator(`${pad} button.adopt`).click();
      await page.locator(`${pad} dialog.signature`).waitFor({ state: 'hidden' });

      await readmeShot(page);

      // Signature, drawn with the mouse on the last page.
      await page.locator(`${pad} [data-field-id="signature"]`).click();
      await drawSignature(page, `${pad} canvas[part~="signature-canvas"]`);
      await page.locator(`${pad} button.adopt:not([disabled])`).click();
      await page.locator(`${pad} dialog.signature`).waitFor({ state: 'hidden' });
      await page.locator(`${pad} [data-field-id="signature"] img`).waitFor();

      // The terms checkbox and the consent to electronic records.
      // Field boxes carry a 44 px touch target over their control: click the box, as a person does.
      await page.locator(`${pad} [data-field-id="accept_terms"]`).click();
      assert.equal(await page.locator(`${pad} [data-field-id="accept_terms"] input`).isChecked(), true);
      await page.locator(`${pad} [part~="consent"] input[type="checkbox"]`).check();
      await page.locator(`${pad} [data-field-id="signature"]`).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(artifacts, 'account-mid-signing.png') });

      await page.locator(`${pad} [part~="actions"] button[part~="primary"]`).click();
      await page.locator(`${pad} [part="message"][data-state="done"]`).waitFor({ timeout: 30_000 });
      await page.locator('#banner.banner--done').waitFor();
      assert.match(await page.locator('#agreement-pill').innerText(), /signed/i);
      await page.screenshot({ path: path.join(artifacts, 'account-signed.png'), fullPage: true });
    } finally {
      await page.context().close();
    }

    // The sealed PDF, fetched with the API key, verifies with poppler and qpdf.
    await waitFor(
      'the seal',
      async () => (await api<{ sealed: boolean }>('GET', `/api/v1/envelopes/${envelopeId}`)).sealed,
    );
    const res = await fetch(`${ctx.demo.url}/api/v1/envelopes/${envelopeId}/document`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      signal: AbortSignal.timeout(15_000),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    const pdfFile = path.join(ctx.dataDir, 'sealed.pdf');
    await writeFile(pdfFile, new Uint8Array(await res.arrayBuffer()));
    await writeFile(path.join(artifacts, 'demo-sealed.pdf'), await readFile(pdfFile));

    const pdfsig = await run('pdfsig', [pdfFile], { timeout: 20_000 }).catch((e: { stdout?: string }) => e);
    const sigOut = String(pdfsig.stdout);
    assert.match(sigOut, /Signature is Valid/, sigOut);
    assert.match(sigOut, /Total document signed/, sigOut);
    await run('qpdf', ['--check', pdfFile], { timeout: 20_000 }); // throws unless exit 0
    const { stdout: text } = await run('pdftotext', ['-enc', 'UTF-8', pdfFile, '-'], {
      timeout: 20_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    assert.match(text, /Certificate of Completion/);
    assert.ok(text.includes(CUSTOMER), 'the certificate page names the customer in full, with its diacritics');

    // The audit chain holds…
    type Trail = { valid: boolean; brokenAt?: number; events: Array<{ seq: number; type: string }> };
    const trail = await api<Trail>('GET', `/api/v1/envelopes/${envelopeId}/audit`);
    assert.equal(trail.valid, true);
    const consent = trail.events.find((e) => e.type === 'consent.accepted');
    assert.ok(consent, 'the trail records the consent');

    // …until one byte of one stored event changes. The store caches open files, so restart the
    // server as an operator would after tampering at rest, then read the trail again.
    await ctx.demo.stop();
    await tamperWithEvent(envelopeId, consent.seq);
    ctx.demo = await startDemo({ dataDir: ctx.dataDir, adminKey: ADMIN_KEY, port: ctx.demo.port });
    const broken = await api<Trail>('GET', `/api/v1/envelopes/${envelopeId}/audit`);
    assert.equal(broken.valid, false);
    assert.equal(broken.brokenAt, consent.seq);

    // The evidence page verifies again in the browser and points at the same event.
    const evidence = await newPage();
    try {
      await evidence.goto(`${ctx.demo.url}/demo/evidence.html?envelope=${envelopeId}`);
      await evidence.locator('cs-audit-viewer [part~="broken"]').first().waitFor();
      await evidence.screenshot({ path: path.join(artifacts, 'evidence-broken.png'), fullPage: true });
      // The sealed PDF downloads through the page (bearer fetch → object URL).
      const [download] = await Promise.all([
        evidence.waitForEvent('download'),
        evidence.getByRole('button', { name: 'Download sealed PDF' }).click(),
      ]);
      const downloaded = await readFile((await download.path())!);
      assert.deepEqual(downloaded, await readFile(pdfFile));
      assert.match(download.suggestedFilename(), /\(signed\)\.pdf$/);
    } finally {
      await evidence.context().close();
    }
  });
});
