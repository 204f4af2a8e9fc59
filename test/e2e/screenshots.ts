/**
 * Screenshots of every demo page at desktop width and at 360 px, left-to-right and mirrored
 * right-to-left (`dir="rtl"`, `lang="ar"`), for looking at layout by eye:
 *   node --import tsx test/e2e/screenshots.ts [baseUrl]   (default http://localhost:8787)
 * Writes .artifacts/screens/<page>-<width>[-rtl].png. Start the demo first (`npm start`).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../support/chromium.ts';
import { repoRoot } from './support.ts';

const base = (process.argv[2] ?? 'http://localhost:8787').replace(/\/+$/, '');
const out = path.join(repoRoot, '.artifacts/screens');
await mkdir(out, { recursive: true });

const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
try {
  for (const [width, rtl] of [
    [1280, false],
    [360, false],
    [1280, true],
    [360, true],
  ] as const) {
    const context = await browser.newContext({ viewport: { width, height: width > 400 ? 900 : 780 } });
    const page = await context.newPage();
    if (rtl) {
      await page.addInitScript(() => {
        document.addEventListener('DOMContentLoaded', () => {
          document.documentElement.dir = 'rtl';
          document.documentElement.lang = 'ar';
        });
      });
    }
    const suffix = `${width}${rtl ? '-rtl' : ''}`;
    page.on('console', (m) => m.type() === 'error' && console.log(`[${width}] console: ${m.text()}`));
    page.on('pageerror', (e) => console.log(`[${width}] pageerror: ${e.message}`));
    const demo = (await (await fetch(`${base}/demo/api/agent-session`)).json()) as {
      envelopes: { completed?: string };
    };
    const pages: Record<string, string> = {
      index: 'index.html',
      account: 'account.html',
      agent: 'agent.html',
      evidence: `evidence.html?envelope=${demo.envelopes.completed ?? ''}`,
      'evidence-picker': 'evidence.html',
      legal: 'legal.html',
      clauses: 'legal.html?view=clauses',
    };
    for (const [name, url] of Object.entries(pages)) {
      await page.goto(`${base}/demo/${url}`, { waitUntil: 'load', timeout: 20_000 });
      await page.waitForTimeout(2000);
      const file = path.join(out, `${name}-${suffix}.png`);
      await page.screenshot({ path: file, fullPage: true });
      if (width < 400) {
        // Narrow full pages are too tall to read when scaled down: also keep screen-sized slices.
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        for (let y = 0, i = 1; y < height; y += 760, i++) {
          await page.screenshot({
            path: path.join(out, `${name}-${suffix}-${i}.png`),
            fullPage: true,
            clip: { x: 0, y, width, height: Math.min(760, height - y) },
          });
        }
      }
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      console.log(`${file}${overflow > 0 ? `  (horizontal overflow ${overflow}px)` : ''}`);
    }
    await context.close();
  }
} finally {
  await browser.close();
}
