import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { conflict } from '../errors.ts';
import { MAX_ATTACHMENTS, notSealedDetail, publicEnvelope, statusEvent } from '../services/envelopes.ts';
import { servePdf } from './blob-response.ts';
import {
  Id,
  jsonBody,
  jsonResponse,
  MergeDataInput,
  problems,
  queryProblem,
  serverProblem,
  queryValidationHook,
  requestMeta,
  router,
  staffOnly,
} from './common.ts';

const RecipientSchema = z
  .object({
    id: z.string(),
    role: z.string(),
    name: z.string(),
    email: z.string(),
    order: z.number().int(),
    action: z.enum(['sign', 'approve', 'view']),
    status: z.enum(['pending', 'notified', 'opened', 'verified', 'signed', 'approved', 'declined']),
    authMethod: z.enum(['none', 'email_otp', 'sms_otp', 'kba']).optional(),
    completedAt: z.string().optional(),
  })
  .openapi('Recipient');

const StatusSchema = z.enum(['draft', 'sent', 'completed', 'declined', 'voided', 'expired']);

export const AttachmentSchema = z
  .object({
    documentId: z.string(),
    name: z.string(),
    sha256: z.string(),
    firstPage: z.number().int().openapi({ description: '1-based, inside the signing document' }),
    pages: z.number().int(),
  })
  .openapi('EnvelopeAttachment');

const EnvelopeSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    status: StatusSchema,
    templateId: z.string(),
    templateVersion: z.number().int(),
    recipients: z.array(RecipientSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
    sentAt: z.string().optional(),
    completedAt: z.string().optional(),
    documentSha256: z.string(),
    documentName: z.string(),
    pages: z.number().int(),
    sealed: z.boolean(),
    sealedSha256: z.string().optional(),
    attachments: z.array(AttachmentSchema).optional().openapi({ description: 'Absent when there are none' }),
    sealState: z.enum(['pending', 'sealed', 'failed']).optional().openapi({
      description:
        'Once completed: failed means sealing threw; it is retried at the next start or by POST …/seal/retry (admin)',
    }),
    voidReason: z.string().optional(),
  })
  .openapi('Envelope');

const EnvelopeSummarySchema = z
  .object({
    id: z.string(),
    title: z.string(),
    status: StatusSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
    sentAt: z.string().optional(),
    completedAt: z.string().optional(),
    sealed: z.boolean(),
    recipients: z.array(
      RecipientSchema.pick({ id: true, status: true, name: true, email: true, role: true, action: true, order: true }),
    ),
  })
  .openapi('EnvelopeSummary');

const EnvelopeInput = z
  .strictObject({
    templateId: z.string().min(1).max(128),
    version: z.number().int().min(1).optional(),
    title: z.string().trim().min(1).max(300).optional(),
    mergeData: MergeDataInput.optional(),
    recipients: z
      .array(
        z.strictObject({
          role: z.string().min(1).max(64),
          name: z.string().trim().min(1).max(200),
          email: z.string().trim().max(254).pipe(z.email()),
          order: z.number().int().min(1).max(100).optional(),
        }),
      )
      .min(1)
      .max(20),
    attachments: z.array(z.string().min(1).max(128)).max(MAX_ATTACHMENTS).optional().openapi({
      description: 'Uploaded document ids; their pages follow the contract in the signing document, in order',
    }),
    send: z.boolean().default(true).openapi({ description: 'false keeps the envelope as a draft' }),
  })
  .openapi('EnvelopeInput');

const AuditEventSchema = z
  .object({
    seq: z.number().int(),
    type: z.string(),
    at: z.string(),
    actor: z.object({
      kind: z.string(),
      id: z.string().optional(),
      name: z.string().optional(),
      email: z.string().optional(),
      role: z.string().optional(),
    }),
    ip: z.string().optional(),
    userAgent: z.string().optional(),
    authMethod: z.string().optional(),
    documentSha256: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi('AuditEvent');

const Params = z.object({ id: Id('id', 'env_123') });

const create = createRoute({
  method: 'post',
  path: '/',
  summary: 'Create (and by default send) an envelope from a published template version',
  description:
    "mergeData is checked against the version's typed variables (422 listing every error at mergeData.<key>, " +
    'nothing created); fields whose condition is false for it are left out; a clauses version is composed to PDF.',
  ...staffOnly,
  request: { body: jsonBody(EnvelopeInput) },
  responses: { 201: jsonResponse(EnvelopeSchema, 'Created'), ...problems },
});

const list = createRoute({
  method: 'get',
  path: '/',
  summary: 'Envelopes, newest first (an agent sees its own), searched and paged',
  ...staffOnly,
  request: {
    query: z.object({
      q: z.string().max(200).optional(),
      status: StatusSchema.optional(),
      limit: z.coerce.number().int().min(1).max(100).optional(),
      cursor: z.string().max(512).optional(),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({ items: z.array(EnvelopeSummarySchema), total: z.number().int(), nextCursor: z.string().optional() }),
      'Envelopes',
    ),
    ...queryProblem,
    ...problems,
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  summary: 'One envelope',
  ...staffOnly,
  request: { params: Params },
  responses: { 200: jsonResponse(EnvelopeSchema, 'Envelope'), ...problems },
});

const send = createRoute({
  method: 'post',
  path: '/{id}/send',
  summary: 'Send a draft envelope',
  ...staffOnly,
  request: { params: Params },
  responses: { 200: jsonResponse(EnvelopeSchema, 'Sent'), ...problems },
});

const voidRoute = createRoute({
  method: 'post',
  path: '/{id}/void',
  summary: 'Void a draft or sent envelope',
  ...staffOnly,
  request: { params: Params, body: jsonBody(z.strictObject({ reason: z.string().trim().min(1).max(1000) })) },
  responses: { 200: jsonResponse(EnvelopeSchema, 'Voided'), ...problems },
});

const session = createRoute({
  method: 'post',
  path: '/{id}/recipients/{rid}/signing-session',
  summary: 'Issue a signing session token for one recipient',
  description:
    'The token is valid `sessionTtlMinutes` (default 30) and bound to the recipient. 409 when the envelope ' +
    'is not sent, the recipient has finished, or it is not yet their turn (type …/not-your-turn).',
  ...staffOnly,
  request: { params: Params.extend({ rid: Id('rid', 'rcp_123') }) },
  responses: {
    201: jsonResponse(
      z.object({ token: z.string(), url: z.string(), expiresAt: z.string() }).openapi('SigningSession'),
      'Issued',
    ),
    ...problems,
  },
});

const audit = createRoute({
  method: 'get',
  path: '/{id}/audit',
  summary: 'The audit trail and whether its hash chain holds',
  ...staffOnly,
  request: { params: Params },
  responses: {
    200: jsonResponse(
      z
        .object({ events: z.array(AuditEventSchema), valid: z.boolean(), brokenAt: z.number().int().optional() })
        .openapi('AuditTrail'),
      'Audit trail',
    ),
    ...problems,
  },
});

const document = createRoute({
  method: 'get',
  path: '/{id}/document',
  summary: 'The sealed PDF once completed (`?version=original` for the uploaded one); Range supported',
  ...staffOnly,
  request: {
    params: Params,
    query: z.object({ version: z.enum(['sealed', 'original']).default('sealed') }),
  },
  responses: {
    200: { description: 'PDF', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } } },
    206: { description: 'Partial PDF (Range)' },
    ...problems,
  },
});

const sealRetry = createRoute({
  method: 'post',
  path: '/{id}/seal/retry',
  summary: 'Seal again a completed envelope whose seal failed (admin)',
  description:
    'Runs the seal now and answers once it is done: 200 with the sealed envelope, or 500 when it fails again ' +
    '(a new envelope.seal_failed event in the audit trail gives the reason). 409 when the envelope is not ' +
    'completed, is already sealed, or is being sealed. The audit event of the attempt names who asked (requestedBy).',
  ...staffOnly,
  request: { params: Params },
  responses: { 200: jsonResponse(EnvelopeSchema, 'Sealed'), ...problems, ...serverProblem },
});

const events = createRoute({
  method: 'get',
  path: '/{id}/events',
  summary: 'Server-sent events: `status` on connect and on every change, heartbeat comments',
  ...staffOnly,
  request: { params: Params },
  responses: {
    200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } },
    ...problems,
  },
});

export const envelopeRoutes = router()
  .openapi(create, async (c) => {
    const e = await c.get('services').envelopes.create(c.get('staff'), c.req.valid('json'), requestMeta(c));
    return c.json(publicEnvelope(e), 201);
  })
  .openapi(
    list,
    async (c) => {
      const page = await c.get('services').envelopes.list(c.get('staff'), c.req.valid('query'));
      const items = page.items.map(({ createdByKeyId: _k, searchText: _t, ...rest }) => rest);
      return c.json({ items, total: page.total, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }, 200);
    },
    queryValidationHook,
  )
  .openapi(get, async (c) => {
    const e = await c.get('services').envelopes.load(c.get('staff'), c.req.valid('param').id);
    return c.json(publicEnvelope(e), 200);
  })
  .openapi(send, async (c) => {
    const e = await c.get('services').envelopes.send(c.get('staff'), c.req.valid('param').id, requestMeta(c));
    return c.json(publicEnvelope(e), 200);
  })
  .openapi(voidRoute, async (c) => {
    const { id } = c.req.valid('param');
    const e = await c.get('services').envelopes.void(c.get('staff'), id, c.req.valid('json').reason, requestMeta(c));
    return c.json(publicEnvelope(e), 200);
  })
  .openapi(session, async (c) => {
    const { id, rid } = c.req.valid('param');
    const s = await c.get('services').envelopes.issueSession(c.get('staff'), id, rid, requestMeta(c));
    return c.json(s, 201);
  })
  .openapi(audit, async (c) => {
    return c.json(await c.get('services').envelopes.audit(c.get('staff'), c.req.valid('param').id), 200);
  })
  .openapi(document, async (c) => {
    const e = await c.get('services').envelopes.load(c.get('staff'), c.req.valid('param').id);
    if (c.req.valid('query').version === 'original') return servePdf(c, e.documentSha256, e.documentName);
    if (e.seal?.state !== 'sealed' || !e.seal.sha256) {
      throw conflict(notSealedDetail(e));
    }
    return servePdf(c, e.seal.sha256, e.documentName.replace(/\.pdf$/i, '') + ' (signed).pdf');
  })
  .openapi(sealRetry, async (c) => {
    const e = await c.get('services').seal.retry(c.get('staff'), c.req.valid('param').id);
    return c.json(publicEnvelope(e), 200);
  })
  .openapi(events, async (c) => {
    const services = c.get('services');
    const e = await services.envelopes.load(c.get('staff'), c.req.valid('param').id);
    const heartbeatMs = services.deps.config.heartbeatMs;
    return streamSSE(c, async (stream) => {
      const queue: string[] = [];
      let wake: (() => void) | undefined;
      let closed = false;
      const push = (data: string) => {
        queue.push(data);
        wake?.();
      };
      const off = services.deps.events.onEnvelope(e.id, (ev) => push(JSON.stringify(ev.status)));
      const beat = setInterval(() => {
        void stream.write(': heartbeat\n\n');
      }, heartbeatMs);
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });
      try {
        // The current state comes from the store after subscribing, so no change can slip between.
        const current = await services.deps.store.envelopes.get(e.id);
        push(JSON.stringify(statusEvent(current ?? e)));
        while (!closed) {
          while (queue.length) {
            const data = queue.shift()!;
            await stream.writeSSE({ event: 'status', data });
            const s = JSON.parse(data) as { status: string; sealed: boolean };
            if (['declined', 'voided', 'expired'].includes(s.status) || (s.status === 'completed' && s.sealed)) {
              closed = true;
            }
          }
          if (!closed) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        off();
        clearInterval(beat);
      }
    });
  });
