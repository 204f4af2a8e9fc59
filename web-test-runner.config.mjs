// Browser tests: the real elements in Debian's Chromium, the real server beside them.
// Run through `node --import tsx` (see package.json) so the server's TypeScript loads here.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { fileURLToPath } from 'node:url';
import { chromiumArgs, chromiumPath } from './test/support/chromium.ts';
import { countersignServerPlugin } from './test/support/wtr-countersign.ts';

export default {
  files: ['test/elements/**/*.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'development'] },
  rootDir: fileURLToPath(new URL('.', import.meta.url)),
  // One test file at a time: with two, one file's page is a background tab, where Chromium
  // delivers no IntersectionObserver callbacks or frames, so the pdf.js pages of that file never
  // render (the composer's file hung for 5 minutes beside another file and takes 16 s alone).
  concurrency: 1,
  concurrentBrowsers: 1,
  testsFinishTimeout: 300_000,
  testFramework: { config: { timeout: 20_000 } },
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
    }),
  ],
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('./tsconfig.base.json', import.meta.url)) }),
    countersignServerPlugin(),
  ],
};
