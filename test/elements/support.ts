import { executeServerCommand } from '@web/test-runner-commands';

/** Runs a command of the test server plugin (test/support/wtr-countersign.ts). */
export const serverCommand = <R>(command: string, payload?: unknown) =>
  executeServerCommand<R, unknown>(command, payload);

/**
 * The elements call the test server cross-origin from the test page, as on a host's site, with
 * an Authorization header (so through a CORS preflight). Fails fast, saying why, when the
 * server refuses that.
 */
export async function expectCrossOriginServer(): Promise<void> {
  const { server } = await serverCommand<{ server: string }>('cs-server');
  try {
    await fetch(`${server}/api/v1/signing`, { headers: { authorization: 'Bearer probe' } });
  } catch {
    throw new Error(
      `The test server refuses cross-origin calls from ${location.origin}: its CORS middleware must ` +
        `honour allowedOrigins, which test/support/wtr-countersign.ts sets to this page's origin.`,
    );
  }
}

/** What the `cs-api` command answers: the server's status and parsed body. */
export interface ApiResponse<T> {
  status: number;
  body: T;
}

/** Calls the test server's API through `cs-api`, with the admin key unless a `token` is given. */
export const api = <T = unknown>(method: string, path: string, body?: unknown, token?: string) =>
  serverCommand<ApiResponse<T>>('cs-api', { method, path, body, token });

/** {@link api} for a call that must succeed (a 2xx): fails the test with the answer otherwise. */
export async function ok<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const res = await api<T>(method, path, body, token);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export type TokenRole = 'legal' | 'agent' | 'manager' | 'admin';

/** Mints an embed token for `role` acting as `user` (`POST /api/v1/embed-tokens`). */
export async function mintToken(role: TokenRole, user: { id: string; name: string; email: string }): Promise<string> {
  const { token } = await ok<{ token: string }>('POST', '/api/v1/embed-tokens', { role, user });
  return token;
}

/** Polls `check` every 25 ms until it returns something truthy, which it returns; fails after `timeout` ms. */
export async function until<T>(check: () => T | undefined | null | false, what: string, timeout = 10_000): Promise<T> {
  const start = performance.now();
  for (;;) {
    const value = check();
    if (value) return value;
    if (performance.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The first element matching `selector` in `el`'s shadow root (null when none does). */
export const $ = <E extends Element = HTMLElement>(el: Element, selector: string) =>
  el.shadowRoot!.querySelector<E>(selector);

/** Every element matching `selector` in `el`'s shadow root. */
export const $$ = <E extends Element = HTMLElement>(el: Element, selector: string) => [
  ...el.shadowRoot!.querySelectorAll<E>(selector),
];

/** The element that has focus inside `el`'s shadow root. */
export const active = (el: Element) => el.shadowRoot!.activeElement as HTMLElement | null;
