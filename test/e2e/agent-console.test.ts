/**
 * The agent console with more agreements than fit on a page: search (unicode names), the status
 * filter and "Show more" reach every envelope exactly once, the query survives a reload, a fresh
 * signing link opens that envelope in the account page, finished rows offer none, and a refusal
 * shows the server's message. axe checks each state; 360 px and RTL do not scroll sideways.
 *
 *   node --import tsx --test test/e2e/agent-console.test.ts      (needs `npm run build` first)
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { demoApi } from './demo-server.ts';
import { demoWithBrowser, openPage } from './sign-helpers.ts';
import { repoRoot } from './support.ts';

const ADMIN_KEY = 'cs_live_e2e-agent-console-key-0123456789abcdef';
const ctx = demoWithBrowser('cs-e2e-agent-', ADMIN_KEY);
const PAGE_SIZE = 20;
/** Screenshots to look at, git-ignored. */
const shots = path.join(repoRoot, '.scratch');
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let agentToken: string;
/** Every envelope the demo agent sees, as the API lists them. */
let all: Array<{ id: string; title: string; status: string; recipients: Array<{ id: string; name: string }> }>;
const YAMADA = '山田太郎';

const api = <T>(method: string, url: string, token: string, body?: unknown) =>
  demoApi<T>(ctx.demo, method, url, token, body);

const newPage = (width = 1280, rtl = false) => openPage(ctx.browser, { width, rtl });

async function openConsole(page: Page, query = ''): Promise<void> {
  await page.goto(`${ctx.demo.url}/demo/agent.html${query}`);
  await page.locator('body[data-ready="true"]').waitFor();
}

const rowIds = (page: Page) =>
  page
    .locator('#envelopes tr[data-envelope-id]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-envelope-id')!));

/** Waits until the table shows exactly these envelopes, in this order. */
async function waitForRows(page: Page, ids: string[]): Promise<void> {
  await page
    .waitForFunction(
      (want) =>
        [...document.querySelectorAll('#envelopes tr[data-envelope-id]')]
          .map((r) => r.getAttribute('data-envelope-id'))
          .join() === want.join(),
      ids,
    )
    .catch(async (error: Error) => {
      assert.deepEqual(await rowIds(page), ids, error.message);
    });
}

async function expectAccessible(page: Page, state: string): Promise<void> {
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: unknown[] }> } })
      .axe;
    const result = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'] });
    return result.violations.map((v) => {
      const violation = v as { id: string; nodes: Array<{ target: string[] }> };
      return `${violation.id}: ${violation.nodes.map((n) => n.target.join(' ')).join(', ')}`;
    });
  });
  assert.deepEqual(violations, [], `axe, ${state}`);
}

before(async () => {
  await ctx.ready;
  await mkdir(shots, { recursive: true });
  // The demo agent's own token, as the console gets it: envelopes it sends are the agent's.
  const session = await api<{ token: string; templates: Array<{ id: string }> }>('GET', '/demo/api/agent-session', '');
  agentToken = session.token;
  const names = ['Zoë Łukasz-Müller', 'Ἀθηνᾶ Παπαδοπούλου', 'Юлия Смирнова', YAMADA, 'محمد الأحمد'];
  for (let i = 0; i < 46; i++) {
    const name = names[i % names.length]!;
    await api('POST', '/api/v1/envelopes', agentToken, {
      templateId: session.templates[0]!.id,
      title: `Broadband service agreement — Fibre 900 (#${i + 1})`,
      mergeData: {
        customer_name: name,
        customer_email: `customer${i}@example.com`,
        service_address: '1 Example Street, Bristol',
        account_number: `NWF-${100000 + i}`,
        plan: 'Fibre 900',
        monthly_price: '38.00',
      },
      recipients: [{ role: 'customer', name, email: `customer${i}@example.com` }],
      send: true,
    });
  }
  all = [];
  let cursor: string | undefined;
  do {
    const page = await api<{ items: typeof all; nextCursor?: string }>(
      'GET',
      `/api/v1/envelopes?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      agentToken,
    );
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  assert.ok(all.length > 2 * PAGE_SIZE, `${all.length} envelopes: more than two pages`);
});

describe('the agent console', { timeout: 150_000 }, () => {
  test('"Show more" reaches every envelope exactly once, newest first, and says how many', async () => {
    const page = await newPage();
    try {
      await openConsole(page);
      assert.equal((await rowIds(page)).length, PAGE_SIZE);
      assert.equal(
        await page.locator('#list-summary').innerText(),
        `Showing 1–${PAGE_SIZE} of ${all.length} agreements.`,
      );
      await expectAccessible(page, 'first page');
      const more = page.getByRole('button', { name: 'Show more' });
      while (await more.isVisible()) {
        const before = (await rowIds(page)).length;
        await more.click();
        await page.waitForFunction(
          (n) => document.querySelectorAll('#envelopes tr[data-envelope-id]').length > n,
          before,
        );
        // Focus moves to the first new row, so a keyboard user carries on from there.
        assert.equal(
          await page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-envelope-id')),
          (await rowIds(page))[before],
        );
      }
      const ids = await rowIds(page);
      assert.equal(new Set(ids).size, ids.length, 'no envelope twice');
      assert.deepEqual(
        ids,
        all.map((e) => e.id),
        'every envelope, in the API order',
      );
      assert.equal(await page.locator('#list-summary').innerText(), `${all.length} agreements.`);
      // One event stream for every badge on the page.
      const badges = await page.locator('cs-status-badge').count();
      assert.equal(badges, all.length);
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('cs-status-badge')].every((b) => (b as unknown as { status?: string }).status),
        undefined,
        { timeout: 30_000 },
      );
    } finally {
      await page.context().close();
    }
  });

  test('search by a unicode name and the status filter narrow the list; a reload keeps the query', async () => {
    const page = await newPage();
    try {
      await openConsole(page);
      await page.getByRole('searchbox', { name: 'Search' }).fill('山田');
      await page.waitForFunction(() => document.getElementById('list-summary')!.textContent!.includes('山田'));
      const expected = all.filter((e) => e.recipients.some((r) => r.name === YAMADA)).length;
      assert.ok(expected > 1);
      const rows = page.locator('#envelopes tr[data-envelope-id]');
      assert.equal(await rows.count(), expected);
      for (const text of await rows.locator('.sub').allInnerTexts()) assert.ok(text.includes(YAMADA), text);
      assert.match(page.url(), /\?q=%E5%B1%B1%E7%94%B0$/);

      await page.reload();
      await page.locator('body[data-ready="true"]').waitFor();
      assert.equal(await page.getByRole('searchbox', { name: 'Search' }).inputValue(), '山田');
      assert.equal(await rows.count(), expected, 'the reload shows the same list');

      // Completed only: exactly the agent's completed agreements (the demo seeds one, signed).
      await page.getByRole('searchbox', { name: 'Search' }).fill('');
      await page.getByLabel('Status').selectOption('completed');
      const completed = all.filter((e) => e.status === 'completed').map((e) => e.id);
      assert.ok(completed.length > 0, 'the demo agent has a completed agreement');
      await waitForRows(page, completed);
      assert.equal(
        await page.locator('#list-summary').innerText(),
        `${completed.length} completed agreement${completed.length === 1 ? '' : 's'}.`,
      );
      assert.equal(await page.locator('#envelopes [data-action="new-link"]').count(), 0, 'nothing left to sign');

      // A search that matches nothing says so.
      await page.getByRole('searchbox', { name: 'Search' }).fill('no such customer anywhere');
      const none = 'No agreements match “no such customer anywhere”.';
      await page.waitForFunction((text) => document.getElementById('list-summary')!.textContent === text, none);
      assert.equal(await rows.count(), 0);
      assert.equal(await page.locator('#envelopes td[colspan]').innerText(), none);
      await expectAccessible(page, 'no match');

      await page.getByRole('searchbox', { name: 'Search' }).fill('');
      await page.getByLabel('Status').selectOption('sent');
      await page.waitForFunction(() => document.querySelectorAll('#envelopes tr[data-envelope-id]').length > 0);
      const statuses = await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-status')));
      assert.ok(
        statuses.every((s) => s === 'sent'),
        statuses.join(),
      );
      assert.match(page.url(), /status=sent/);

      // Hostile text is text: markup in the query is neither run nor rendered.
      await page.getByRole('searchbox', { name: 'Search' }).fill('<img src=x onerror="window.pwned=1">');
      await page.waitForFunction(() => document.getElementById('list-summary')!.textContent!.includes('<img'));
      assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    } finally {
      await page.context().close();
    }
  });

  test('a fresh signing link opens that envelope for the customer; finished rows offer none', async () => {
    const target = all.find((e) => e.status === 'sent' && e.title.endsWith('(#7)'))!;
    const page = await newPage();
    try {
      await openConsole(page, `?q=${encodeURIComponent(target.title.slice(-5))}`);
      const rowFor = (id: string) => page.locator(`#envelopes tr[data-envelope-id="${id}"]`);
      await rowFor(target.id).waitFor();
      const button = rowFor(target.id).getByRole('button', {
        name: new RegExp(`^New signing link for ${escape(target.title)}`),
      });
      await button.click();
      await page.locator('#link-box').waitFor({ state: 'visible' });
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'link-title');
      assert.ok((await page.locator('#link-title').innerText()).includes(target.title));
      const url = await page.locator('#link').inputValue();
      await expectAccessible(page, 'link shown');

      // A second link: the first still opens the envelope (sessions stay valid until they expire).
      await button.click();
      await page.waitForFunction((old) => (document.getElementById('link') as HTMLInputElement).value !== old, url);
      const second = await page.locator('#link').inputValue();
      for (const link of [url, second]) {
        const customer = await page.context().newPage();
        await customer.goto(link);
        const id = await customer.locator('cs-signer-pad').evaluate(
          (pad) =>
            new Promise<string>((resolve) => {
              const view = (pad as unknown as { view?: { envelope: { id: string } } }).view;
              if (view) resolve(view.envelope.id);
              pad.addEventListener('cs-ready', (e) => resolve((e as CustomEvent).detail.envelopeId), { once: true });
            }),
        );
        assert.equal(id, target.id);
        await customer.close();
      }

      // A declined envelope has nothing to sign: no link to offer.
      await page.getByRole('searchbox', { name: 'Search' }).fill('');
      await page.getByLabel('Status').selectOption('declined');
      const declined = all.filter((e) => e.status === 'declined').map((e) => e.id);
      assert.ok(declined.length > 0, 'the demo seeds a declined envelope');
      await waitForRows(page, declined);
      assert.equal(await page.locator('#envelopes [data-action="new-link"]').count(), 0);
    } finally {
      await page.context().close();
    }
  });

  test('when the server refuses a link, the page says why', async () => {
    const target = all.find((e) => e.status === 'sent' && e.title.endsWith('(#31)'))!;
    const page = await newPage();
    try {
      await openConsole(page, `?q=${encodeURIComponent(target.title.slice(-5))}`);
      const row = page.locator(`#envelopes tr[data-envelope-id="${target.id}"]`);
      await row.waitFor();
      // The envelope is voided elsewhere while the page is open.
      await api('POST', `/api/v1/envelopes/${target.id}/void`, agentToken, { reason: 'Customer moved house' });
      await row.locator('[data-action="new-link"]').click();
      // What the server answers to the same request: a problem whose detail the page must show.
      const res = await fetch(
        `${ctx.demo.url}/api/v1/envelopes/${target.id}/recipients/${target.recipients[0]!.id}/signing-session`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
          body: '{}',
        },
      );
      assert.equal(res.status, 409);
      const problem = (await res.json()) as { detail: string };
      assert.equal(problem.detail, 'The envelope is voided, not sent');

      // Said under the row, in view where the agent clicked, not only in the banner at the top.
      const alert = page.locator(`#envelopes tr[data-envelope-id="${target.id}"] + tr.row-alert [role="alert"]`);
      await alert.waitFor({ state: 'visible' });
      assert.equal(await alert.innerText(), `Could not issue a new link for ${target.title}\n${problem.detail}`);
      const box = (await alert.boundingBox())!;
      assert.ok(box.y >= 0 && box.y + box.height <= page.viewportSize()!.height, 'the alert is on screen');
      assert.equal(await page.locator('#link-box').isVisible(), false, 'no link is shown');
      await expectAccessible(page, 'refused');
      await page.evaluate(() => document.querySelector('#envelopes tr.row-alert')!.scrollIntoView({ block: 'center' }));
      await page.screenshot({ path: path.join(shots, 'agent-refused.png') });

      // Trying again replaces the message rather than stacking another.
      await row.locator('[data-action="new-link"]').click();
      await alert.waitFor({ state: 'visible' });
      await row.locator('[data-action="new-link"]:enabled').waitFor();
      assert.equal(await page.locator('#envelopes tr.row-alert').count(), 1);
    } finally {
      await page.context().close();
    }
  });

  test('at 360 px and right-to-left the console fits the screen and every target is at least 24 px', async () => {
    for (const [width, rtl] of [
      [1280, false],
      [360, false],
      [360, true],
      [1280, true],
    ] as const) {
      const page = await newPage(width, rtl);
      try {
        await openConsole(page);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${width} px${rtl ? ' rtl' : ''}: ${overflow} px sideways`);
        const small = await page.evaluate(() =>
          [...document.querySelectorAll('main button, main a, main input, main select')]
            .map((el) => ({ el, r: el.getBoundingClientRect() }))
            .filter(({ r }) => r.width > 0 && (r.width < 24 || r.height < 24))
            .map(({ el, r }) => `${el.tagName} ${el.textContent?.trim().slice(0, 30)} ${r.width}×${r.height}`),
        );
        assert.deepEqual(small, [], `${width} px${rtl ? ' rtl' : ''}`);
        await expectAccessible(page, `${width} px${rtl ? ' rtl' : ''}`);
        const name = `agent-${width}${rtl ? '-rtl' : ''}`;
        await page.screenshot({ path: path.join(shots, `${name}.png`) });
        await page.evaluate(() => document.querySelector('#envelopes tr')!.scrollIntoView({ block: 'start' }));
        await page.screenshot({ path: path.join(shots, `${name}-rows.png`) });
        await page.evaluate(() => document.getElementById('more')!.scrollIntoView({ block: 'end' }));
        await page.screenshot({ path: path.join(shots, `${name}-more.png`) });
      } finally {
        await page.context().close();
      }
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
