import type { Browser, Page } from 'playwright-core';

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
