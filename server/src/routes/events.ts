import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { DomainError, PROBLEM_BASE } from '../errors.ts';
import { statusEvent } from '../services/envelopes.ts';
import { problems, router, staffOnly } from './common.ts';

/** Most envelopes one stream may follow: a console page holds far fewer. */
export const MAX_STREAM_ENVELOPES = 200;

const EnvelopeId = z.string().min(1).max(128);

const events = createRoute({
  method: 'get',
  path: '/',
  summary: 'One server-sent event stream for many envelopes',
  description:
    'Repeat `envelope` for each envelope to follow (at most ' +
    `${MAX_STREAM_ENVELOPES}; more is a 400). Events: \`envelope.status\` (an EnvelopeStatusEvent with the ` +
    'envelope `id` and `sealed`) once per envelope on connect and on every change; `envelope.unavailable` ' +
    '(a problem with the envelope `id`) once for each envelope the caller may not see (an agent sees only ' +
    'its own), without ending the stream for the others; `: heartbeat` comments every heartbeatMs. ' +
    'Each `envelope.status` carries an `id:`. Reconnecting with `Last-Event-ID` first replays, in order, the ' +
    'changes to these envelopes made after that id that this server process still holds (its last 1024 ' +
    'events), then sends every current status again as on a fresh connect; an id it no longer holds, or ' +
    'one from another process, gets only the current statuses. The stream stays open until the client ' +
    'closes it.',
  ...staffOnly,
  request: {
    query: z.object({
      envelope: z
        .union([EnvelopeId, z.array(EnvelopeId)])
        .optional()
        .openapi({
          param: { name: 'envelope', in: 'query', style: 'form', explode: true },
          description: `Envelope id; repeat for each (1 to ${MAX_STREAM_ENVELOPES})`,
          example: ['env_123', 'env_456'],
        }),
    }),
    headers: z.object({
      'last-event-id': z
        .string()
        .max(200)
        .optional()
        .openapi({ param: { name: 'last-event-id', in: 'header' }, description: 'Resume after this event' }),
    }),
  },
  responses: {
    200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } },
    ...problems,
  },
});

const badList = (detail: string) =>
  new DomainError('validation', detail, { status: 400, errors: [{ path: 'envelope', message: detail }] });

export const eventRoutes = router().openapi(events, async (c) => {
  const services = c.get('services');
  const staff = c.get('staff');
  const bus = services.deps.events;
  const raw = c.req.valid('query').envelope;
  const ids = [...new Set(raw === undefined ? [] : Array.isArray(raw) ? raw : [raw])];
  if (ids.length === 0) throw badList('Name at least one envelope: ?envelope=<id>');
  if (ids.length > MAX_STREAM_ENVELOPES) {
    throw badList(`At most ${MAX_STREAM_ENVELOPES} envelopes per stream (got ${ids.length}); open another stream`);
  }
  const visible: string[] = [];
  const unavailable: Array<{ id: string; type: string; title: string; status: number; detail: string }> = [];
  for (const id of ids) {
    try {
      await services.envelopes.load(staff, id);
      visible.push(id);
    } catch (error) {
      // A role that may not read envelopes at all is refused outright; a hidden envelope is not.
      if (!(error instanceof DomainError) || error.kind !== 'not-found') throw error;
      unavailable.push({
        id,
        type: `${PROBLEM_BASE}${error.kind}`,
        title: error.title,
        status: error.status,
        detail: error.message,
      });
    }
  }
  const resumeAfter = parseEventId(c.req.valid('header')['last-event-id'], bus.epoch);
  const eventId = (seq: number) => `${bus.epoch}:${seq}`;
  const heartbeatMs = services.deps.config.heartbeatMs;

  return streamSSE(c, async (stream) => {
    const queue: Array<{ seq: number; data: string }> = [];
    let wake: (() => void) | undefined;
    let closed = false;
    const end = () => {
      closed = true;
      wake?.();
    };
    const push = (seq: number, data: string) => {
      queue.push({ seq, data });
      wake?.();
    };
    // Subscribing, reading the head and the replay happen in one tick: no event falls between.
    const offs = visible.map((id) => bus.onEnvelope(id, (ev, seq) => push(seq, JSON.stringify(ev.status))));
    const head = bus.head;
    const wanted = new Set(visible);
    const missed = resumeAfter === undefined ? [] : (bus.since(resumeAfter) ?? []);
    const untrack = bus.trackStream(end);
    const beat = setInterval(() => {
      void stream.write(': heartbeat\n\n');
    }, heartbeatMs);
    stream.onAbort(end);
    try {
      for (const problem of unavailable) {
        await stream.writeSSE({ event: 'envelope.unavailable', data: JSON.stringify(problem) });
      }
      for (const { seq, event } of missed) {
        if (seq <= head && wanted.has(event.envelopeId)) {
          await stream.writeSSE({ event: 'envelope.status', id: eventId(seq), data: JSON.stringify(event.status) });
        }
      }
      for (const id of visible) {
        const current = await services.deps.store.envelopes.get(id);
        if (current) {
          await stream.writeSSE({
            event: 'envelope.status',
            id: eventId(head),
            data: JSON.stringify(statusEvent(current)),
          });
        }
      }
      while (!closed) {
        while (queue.length && !closed) {
          const { seq, data } = queue.shift()!;
          await stream.writeSSE({ event: 'envelope.status', id: eventId(seq), data });
        }
        if (!closed) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      for (const off of offs) off();
      untrack();
      clearInterval(beat);
    }
  });
});

/** The sequence number in a `Last-Event-ID` this process gave out (`<epoch>:<seq>`), else undefined. */
function parseEventId(value: string | undefined, epoch: string): number | undefined {
  if (!value) return undefined;
  const at = value.lastIndexOf(':');
  if (at < 0 || value.slice(0, at) !== epoch) return undefined;
  const seq = Number(value.slice(at + 1));
  return Number.isSafeInteger(seq) && seq >= 0 ? seq : undefined;
}
