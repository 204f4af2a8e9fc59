/**
 * What the browser benchmarks share: Chromium, a host page around an element, and the real
 * server behind a host app on an ephemeral loopback port.
 */
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../test/support/chromium.ts';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

/** A host page titled `title` that runs `moduleScript` (a module script's body). */
export function hostPage(title: string, moduleScript: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{margin:0;padding:12px;font-family:system-ui;background:#f6f7f9}</style>
</head>
<body>
<script type="module">
${moduleScript}
</script>
</body>
</html>`;
}

/** Serves `host` on an ephemeral port of 127.0.0.1: its base URL, and how to stop it. */
export async function listenOnLoopback(host: Hono): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: host.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
