/**
 * A pretend Countersign server inside the Storybook page, so stories need no running server:
 * it answers fetch() for MOCK_SERVER with one scenario per envelope id.
 */
import type { AuditEvent, EnvelopeStatus, EnvelopeStatusEvent, RecipientStatus } from '@countersign/core';
import { mockFetch, problemResponse } from './mock-fetch.ts';

export const MOCK_SERVER = 'https://demo.countersign.invalid';
export const MOCK_TOKEN = 'cs_live_storybook';

type Recipients = EnvelopeStatusEvent['recipients'];

/** A status with two signers, `signed` of whom have signed. */
export function statusWith(status: EnvelopeStatus, signed = status === 'completed' ? 2 : 1): Recipients {
  const done: RecipientStatus = 'signed';
  return [
    { id: 'rcp_1', status: signed >= 1 ? done : 'notified' },
    { id: 'rcp_2', status: signed >= 2 ? done : status === 'declined' ? 'declined' : 'opened' },
  ];
}

export type Scenario =
  | { kind: 'status'; status: EnvelopeStatus; recipients?: Recipients }
  /** Walks through the steps, one every `everyMs`, and stays on the last. */
  | { kind: 'live'; steps: Array<{ status: EnvelopeStatus; recipients: Recipients }>; everyMs: number }
  | { kind: 'audit'; events: AuditEvent[]; valid?: boolean; brokenAt?: number }
  | { kind: 'problem'; status: number; title: string; detail?: string }
  | { kind: 'hang' }
  | { kind: 'offline' };

const scenarios = new Map<string, Scenario | (() => Promise<Scenario>)>();

/** Makes `envelopeId` answer as `scenario` describes. */
export function mockEnvelope(envelopeId: string, scenario: Scenario | (() => Promise<Scenario>)): string {
  scenarios.set(envelopeId, scenario);
  install();
  return envelopeId;
}

function install(): void {
  mockFetch(MOCK_SERVER, async (url, init) => {
    if (url.pathname === '/api/v1/events') return sharedStream(url.searchParams.getAll('envelope'), init?.signal);
    const match = url.pathname.match(/^\/api\/v1\/envelopes\/([^/]+)(\/events|\/audit)?$/);
    const entry = match && scenarios.get(decodeURIComponent(match[1]!));
    const scenario = typeof entry === 'function' ? await entry() : entry;
    const signal = init?.signal ?? undefined;
    if (!match || !scenario) return problem(404, 'Not found', 'No such envelope');
    await delay(150, signal);
    switch (scenario.kind) {
      case 'hang':
        return new Promise<Response>((_resolve, reject) =>
          signal?.addEventListener('abort', () => reject(signal.reason)),
        );
      case 'offline':
        throw new TypeError('Failed to fetch');
      case 'problem':
        return problem(scenario.status, scenario.title, scenario.detail);
      case 'audit':
        return match[2] === '/audit'
          ? Response.json({
              events: scenario.events,
              valid: scenario.valid ?? true,
              ...(scenario.brokenAt ? { brokenAt: scenario.brokenAt } : {}),
            })
          : problem(404, 'Not found');
      case 'status':
      case 'live': {
        const steps =
          scenario.kind === 'live'
            ? scenario.steps
            : [{ status: scenario.status, recipients: scenario.recipients ?? statusWith(scenario.status) }];
        const envelopeId = match[1]!;
        if (match[2] === '/events')
          return eventStream(envelopeId, steps, scenario.kind === 'live' ? scenario.everyMs : 0, signal);
        return Response.json({ id: envelopeId, title: 'Service agreement', status: steps[0]!.status, recipients: [] });
      }
    }
  });
}

function eventStream(
  id: string,
  steps: Array<{ status: EnvelopeStatus; recipients: Recipients }>,
  everyMs: number,
  signal?: AbortSignal,
): Response {
  const encoder = new TextEncoder();
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let index = 0;
      const send = () => {
        const step = steps[index];
        if (!step) return clearInterval(timer);
        const data: EnvelopeStatusEvent = { id, ...step, at: new Date().toISOString() };
        controller.enqueue(encoder.encode(`event: status\ndata: ${JSON.stringify(data)}\n\n`));
        index++;
      };
      send();
      if (everyMs > 0) timer = setInterval(send, everyMs);
      signal?.addEventListener('abort', () => clearInterval(timer));
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

/**
 * `GET /api/v1/events?envelope=…`: the one stream a page's badges share. Each envelope plays its
 * scenario on it; one that `hang`s sends nothing, a `problem` is an `envelope.unavailable` event,
 * and a stream of only `offline` envelopes cannot connect (give such a story its own token, so its
 * badge has a stream of its own).
 */
async function sharedStream(ids: string[], signal?: AbortSignal | null): Promise<Response> {
  const entries = await Promise.all(
    ids.map(async (id) => {
      const entry = scenarios.get(id);
      return [id, typeof entry === 'function' ? await entry() : entry] as const;
    }),
  );
  await delay(150, signal ?? undefined);
  if (entries.length > 0 && entries.every(([, s]) => s?.kind === 'offline')) throw new TypeError('Failed to fetch');
  const encoder = new TextEncoder();
  const timers: Array<ReturnType<typeof setInterval>> = [];
  const stop = () => timers.forEach(clearInterval);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (event: string, data: unknown) =>
        controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      for (const [id, scenario] of entries) {
        if (!scenario || scenario.kind === 'problem') {
          const [status, title] = scenario ? [scenario.status, scenario.title] : [404, 'Not found'];
          write('envelope.unavailable', { id, type: 'about:blank', title, status });
        } else if (scenario.kind === 'status' || scenario.kind === 'live') {
          const steps =
            scenario.kind === 'live'
              ? scenario.steps
              : [{ status: scenario.status, recipients: scenario.recipients ?? statusWith(scenario.status) }];
          let index = 0;
          const send = () => {
            const step = steps[index++];
            if (step) write('envelope.status', { id, ...step, at: new Date().toISOString() });
          };
          send();
          if (scenario.kind === 'live') timers.push(setInterval(send, scenario.everyMs));
        }
      }
      signal?.addEventListener('abort', stop);
    },
    cancel: stop,
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

const problem = (status: number, title: string, detail?: string) => problemResponse(status, title, { detail });

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
