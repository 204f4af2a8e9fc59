import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../support/chromium.ts';
import { startDemo, type DemoServer } from './demo-server.ts';

/** Draws a signature the way a person does: press, move through a looping stroke, release. */
export async function drawSignature(page: Page, canvasSelector: string): Promise<void> {
  const canvas = page.locator(canvasSelector);
  await canvas.waitFor({ state: 'visible' });
  const box = (await canvas.boundingBox())!;
  const at = (fx: number, fy: number) => [box.x + box.width * fx, box.y + box.height * fy] as const;
  await page.mouse.move(...at(0.12, 0.65));
  await page.mouse.down();
  for (let i = 1; i <= 40; i++) {
    const t = i / 40;
    const x = 0.12 + 0.72 * t + 0.05 * Math.sin(t * Math.PI * 8);
    const y = 0.55 - 0.25 * Math.sin(t * Math.PI * 4) * Math.sin(t * Math.PI);
    await page.mouse.move(...at(x, y), { steps: 2 });
  }
  await page.mouse.up();
  // A second stroke: the underline.
  await page.mouse.move(...at(0.15, 0.82));
  await page.mouse.down();
  await page.mouse.move(...at(0.8, 0.78), { steps: 12 });
  await page.mouse.up();
}

/** Opens a field's signature (or initials) dialog, draws in it and adopts the drawing. */
export async function adoptDrawing(page: Page, fieldId: string, pad = 'cs-signer-pad'): Promise<void> {
  await page.locator(`${pad} [data-field-id="${fieldId}"]`).click();
  await drawSignature(page, `${pad} canvas[part~="signature-canvas"]`);
  await page.locator(`${pad} button.adopt:not([disabled])`).click();
  await page.locator(`${pad} dialog.signature`).waitFor({ state: 'hidden' });
}

/**
 * A page in a fresh context (en-GB, 20 s default timeout) that logs the page's errors; `rtl`
 * mirrors the page (`dir="rtl"`, `lang="ar"`) as soon as its document exists.
 */
export async function openPage(
  browser: Browser,
  { width = 1280, height = 900, rtl = false }: { width?: number; height?: number; rtl?: boolean } = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'en-GB' });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.log(`[page error] ${err.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[console] ${m.text()} ${m.location().url}`);
  });
  if (rtl) {
    await page.addInitScript(() =>
      document.addEventListener('DOMContentLoaded', () => {
        document.documentElement.dir = 'rtl';
        document.documentElement.lang = 'ar';
      }),
    );
  }
  return page;
}

/** What a browser test file of the demo works with; `demo` may be replaced (a restart). */
export interface DemoSession {
  dataDir: string;
  demo: DemoServer;
  browser: Browser;
  /** Settles once both are up: a file's own `before` hooks that use them await it first. */
  ready: Promise<void>;
}

/**
 * Registers hooks that start the demo on a fresh temp data dir and a headless Chromium before
 * the file's tests, and after them close both and remove the data dir. The demo never outlives
 * the test process, even when it is interrupted.
 */
export function demoWithBrowser(prefix: string, adminKey: string): DemoSession {
  const session = {} as Partial<DemoSession>;
  let started: (error?: unknown) => void = () => {};
  session.ready = new Promise<void>((resolve, reject) => {
    started = (error) => (error ? reject(error as Error) : resolve());
  });
  session.ready.catch(() => {}); // the hook below reports the failure
  before(async () => {
    try {
      session.dataDir = await mkdtemp(path.join(tmpdir(), prefix));
      session.demo = await startDemo({ dataDir: session.dataDir, adminKey });
      session.browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: 30_000 });
      started();
    } catch (error) {
      started(error);
      throw error;
    }
  });
  after(async () => {
    await session.browser?.close().catch(() => {});
    await session.demo?.stop();
    if (session.dataDir) await rm(session.dataDir, { recursive: true, force: true });
  });
  process.on('exit', () => void session.demo?.stop());
  return session as DemoSession;
}
