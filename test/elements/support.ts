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
