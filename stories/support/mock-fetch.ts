/**
 * Pretend servers inside the Storybook page: fetch() calls to a registered origin are answered
 * by that origin's handler, every other call reaches the real fetch. One patch of window.fetch
 * for all stories; registering an origin again (a story file reloaded) replaces its handler.
 */
export type FetchHandler = (url: URL, init: RequestInit | undefined, input: RequestInfo | URL) => Promise<Response>;

const handlers = new Map<string, FetchHandler>();

/** Answers fetch() calls to `origin` with `handler`. */
export function mockFetch(origin: string, handler: FetchHandler): void {
  if (handlers.size === 0) {
    const realFetch = window.fetch.bind(window);
    window.fetch = (input, init) => {
      const url = new URL(String(input instanceof Request ? input.url : input), location.href);
      const answer = handlers.get(url.origin);
      return answer ? answer(url, init, input) : realFetch(input, init);
    };
  }
  handlers.set(origin, handler);
}

/** An RFC 9457 problem details answer, as the server sends. */
export function problemResponse(
  status: number,
  title: string,
  extra: { type?: string; detail?: string; errors?: unknown[] } = {},
): Response {
  const { type = 'about:blank', detail, errors } = extra;
  return Response.json(
    { type, title, status, ...(detail ? { detail } : {}), ...(errors ? { errors } : {}) },
    { status, headers: { 'content-type': 'application/problem+json' } },
  );
}
