// The one Chromium every browser run uses: the element tests (web-test-runner), the demo's
// end-to-end test and screenshots (playwright-core), and the signer-pad benchmark.

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--headless=new',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
