/**
 * Issue 8: a user clones only this repository. The demo must start from a `git clone` of HEAD
 * with nothing beside it, and a customer must be able to sign. The clone borrows this checkout's
 * installed packages (node_modules entries linked), but its own workspace packages, its own
 * build of the elements and its own server: every file the clone's server loads is checked to
 * come from the clone or from a third-party package, never from this checkout's sources.
 *
 *   node --import tsx --test test/e2e/lone-clone.test.ts
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../support/chromium.ts';
import { demoApi, startDemo, type DemoServer } from './demo-server.ts';
import { adoptDrawing } from './sign-helpers.ts';
import { repoRoot, waitFor } from './support.ts';

const run = promisify(execFile);
const WORKSPACES = ['packages/core', 'packages/elements', 'server'];
const pad = 'cs-signer-pad';

/**
 * Gives the clone this checkout's installed packages without its workspace links: `node_modules`
 * becomes a real folder of links to the installed entries, except `@countersign`, whose links
 * (relative, into this checkout) are made again into the clone's own folders. A workspace's own
 * `node_modules`, where npm put one, is linked the same way. Returns where the links lead (real
 * paths): the installed packages the clone may load.
 */
async function linkInstalledPackages(clone: string): Promise<string[]> {
  const borrowed: string[] = [];
  for (const dir of ['', ...WORKSPACES]) {
    const from = path.join(repoRoot, dir, 'node_modules');
    if (!existsSync(from)) continue;
    const real = await realpath(from);
    const to = path.join(clone, dir, 'node_modules');
    await mkdir(to);
    for (const name of await readdir(real)) {
      // Caches (.vite-temp, .cache) stay the clone's own; `.bin` is needed to run the build.
      if (name === '@countersign' || (name.startsWith('.') && name !== '.bin')) continue;
      await symlink(path.join(real, name), path.join(to, name));
      borrowed.push(await realpath(path.join(real, name)));
    }
    if (existsSync(path.join(real, '@countersign'))) {
      await mkdir(path.join(to, '@countersign'));
      for (const name of await readdir(path.join(real, '@countersign'))) {
        const pkg = path.relative(repoRoot, await realpath(path.join(real, '@countersign', name)));
        assert.ok(WORKSPACES.includes(pkg), `@countersign/${name} is one of the workspaces (${pkg})`);
        await symlink(path.join(clone, pkg), path.join(to, '@countersign', name));
      }
    }
  }
  return borrowed;
}

/**
 * Node options for the demo that append every `file:` URL its modules resolve to `log`: a
 * resolve hook registered after tsx's, so it sees where tsx and Node finally resolved each import.
 */
async function recordResolvedFiles(dir: string, log: string): Promise<string[]> {
  const hooks = path.join(dir, 'record-hooks.mjs');
  const register = path.join(dir, 'record-register.mjs');
  await writeFile(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, result.url + '\\n');
  return result;
}
`,
  );
  await writeFile(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  return ['--import', pathToFileURL(register).href];
}

/** This process's environment without npm's script variables, which would point npm at this checkout. */
function envOutsideNpm(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD'));
}

test(
  'the demo starts from a lone git clone of HEAD, runs only the clone’s code, and the customer signs',
  { timeout: 240_000 },
  async (t) => {
    const started = Date.now();
    const tmp = await mkdtemp(path.join(tmpdir(), 'cs-lone-clone-'));
    const work = await mkdtemp(path.join(tmpdir(), 'cs-lone-clone-work-'));
    const running: { demo?: DemoServer; browser?: Browser } = {};
    const stopChild = () => void running.demo?.stop();
    process.on('exit', stopChild); // the child must not outlive an interrupted run
    t.after(async () => {
      await running.browser?.close().catch(() => {});
      await running.demo?.stop();
      process.off('exit', stopChild);
      await rm(tmp, { recursive: true, force: true });
      await rm(work, { recursive: true, force: true });
      t.diagnostic(`lone clone: ${((Date.now() - started) / 1000).toFixed(1)} s from clone to cleanup`);
    });

    // The committed state, cloned where nothing is beside it.
    const clone = path.join(tmp, 'countersign');
    await run('git', ['clone', '--quiet', repoRoot, clone], { timeout: 60_000 });
    const head = async (cwd: string) => (await run('git', ['rev-parse', 'HEAD'], { cwd })).stdout.trim();
    assert.equal(await head(clone), await head(repoRoot), 'the clone is at HEAD');
    const borrowed = await linkInstalledPackages(clone);

    // What `npm start` does first, in the clone.
    await run('npm', ['run', 'build'], { cwd: clone, env: envOutsideNpm(), timeout: 120_000 });
    const dist = path.join(clone, 'packages/elements/dist');
    // A file only the clone's build folder has: served back, it shows which folder the demo serves.
    const marker = `lone-clone-${process.pid}-${started}.txt`;
    await writeFile(path.join(dist, marker), marker);

    const dataDir = path.join(work, 'data');
    const loadLog = path.join(work, 'resolved.log');
    const demo = (running.demo = await startDemo({
      dataDir,
      root: clone,
      nodeArgs: await recordResolvedFiles(work, loadLog),
    }));
    assert.ok(demo.adminKey, `the first start printed an admin key:\n${demo.output()}`);

    // The customer signs inline in the account page, in Chromium.
    const browser = (running.browser = await chromium.launch({
      executablePath: chromiumPath,
      args: chromiumArgs,
      timeout: 30_000,
    }));
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    const elementScripts = new Map<string, Buffer>();
    page.on('response', (res) => {
      const { pathname } = new URL(res.url());
      if (pathname.startsWith('/elements/') && pathname.endsWith('.js')) {
        res.body().then(
          (body) => elementScripts.set(pathname, body),
          () => {},
        );
      }
    });
    const envelopeId = (await demoApi<{ envelopes: { pending: string } }>(demo, 'GET', '/demo/api/agent-session', ''))
      .envelopes.pending;
    await page.goto(`${demo.url}/demo/account.html`);
    await page.locator(`${pad} [part~="toolbar"]`).waitFor();
    await page.locator(`${pad} [data-field-id="install_phone"]`).click();
    await page.locator(`${pad} [data-field-id="install_phone"] input`).fill('+44 117 496 0123');
    await page.keyboard.press('Tab');
    await adoptDrawing(page, 'initials');
    await adoptDrawing(page, 'signature');
    await page.locator(`${pad} [data-field-id="accept_terms"]`).click();
    await page.locator(`${pad} [part~="consent"] input[type="checkbox"]`).check();
    await page.locator(`${pad} [part~="actions"] button[part~="primary"]`).click();
    await page.locator(`${pad} [part="message"][data-state="done"]`).waitFor({ timeout: 30_000 });
    await page.locator('#banner.banner--done').waitFor();
    await context.close();

    // The sealed PDF, fetched with the printed admin key, verifies.
    await waitFor(
      'the seal',
      async () => (await demoApi<{ sealed: boolean }>(demo, 'GET', `/api/v1/envelopes/${envelopeId}`)).sealed,
    );
    const res = await fetch(`${demo.url}/api/v1/envelopes/${envelopeId}/document`, {
      headers: { authorization: `Bearer ${demo.adminKey}` },
      signal: AbortSignal.timeout(15_000),
    });
    assert.equal(res.status, 200);
    const pdf = path.join(work, 'sealed.pdf');
    await writeFile(pdf, new Uint8Array(await res.arrayBuffer()));
    const sig = String((await run('pdfsig', [pdf], { timeout: 20_000 }).catch((e: { stdout?: string }) => e)).stdout);
    assert.match(sig, /Signature is Valid/, sig);
    assert.match(sig, /Total document signed/, sig);
    await run('qpdf', ['--check', pdf], { timeout: 20_000 }); // throws unless exit 0

    // The elements the page ran are the clone's build, served from the clone's dist.
    const served = await fetch(`${demo.url}/elements/${marker}`);
    assert.equal(await served.text(), marker, 'the demo serves the clone’s packages/elements/dist');
    assert.ok(elementScripts.has('/elements/signer-pad.js'), [...elementScripts.keys()].join(', '));
    for (const [pathname, body] of elementScripts) {
      const built = await readFile(path.join(dist, pathname.slice('/elements/'.length)));
      assert.ok(body.equals(built), `${pathname} is the clone’s build`);
    }

    // Every module the clone's server resolved is the clone's own or an installed package.
    const cloneReal = await realpath(clone);
    const resolved = new Set(
      (await readFile(loadLog, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((url) => fileURLToPath(url.replace(/[?#].*$/, ''))),
    );
    const inside = (dir: string) => (file: string) => file.startsWith(dir + path.sep);
    const foreign = [...resolved].filter((f) => !inside(cloneReal)(f) && !borrowed.some((dir) => inside(dir)(f)));
    assert.deepEqual(foreign, [], 'the clone’s server loaded nothing from outside the clone but installed packages');
    for (const own of ['server/src', 'packages/core/src']) {
      assert.ok([...resolved].some(inside(path.join(cloneReal, own))), `the clone’s ${own} was loaded`);
    }
    assert.ok(resolved.has(path.join(cloneReal, 'server/src/demo-main.ts')));

    // And nothing was beside the clone to lean on.
    assert.deepEqual(await readdir(tmp), ['countersign'], 'the temp dir holds only the clone');
    assert.ok(!existsSync(path.join(path.dirname(clone), 'shared')));
  },
);
