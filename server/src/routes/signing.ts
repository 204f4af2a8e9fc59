import { createRoute, z } from '@hono/zod-openapi';
import { invalid } from '../errors.ts';
import { servePdf } from './blob-response.ts';
import { FieldShape } from './templates.ts';
import { Id, jsonBody, jsonResponse, problems, requestMeta, router, signerAuth } from './common.ts';

const auth = { security: [{ signingToken: [] }], middleware: [signerAuth] };

const FieldValueSchema = z
  .union([
    z.strictObject({ kind: z.literal('drawn'), image: z.string().max(1_000_000) }),
    z.strictObject({ kind: z.literal('typed'), text: z.string().max(200) }),
    z.string(),
    z.boolean(),
    z.null(),
  ])
  .openapi('FieldValue', {
    description:
      'signature/initials: {kind:"drawn", image:"data:image/png;base64,…"} (a real PNG, ≤ 512 KB) or ' +
      '{kind:"typed", text}; text: a string; checkbox: a boolean; null clears. date_signed is filled by the ' +
      'server at completion and refused here (422).',
  });

const SigningFieldSchema = FieldShape.extend({
  value: FieldValueSchema,
  readOnly: z.boolean().openapi({
    description:
      'The sender set this value from merge data and the template does not let the signer change it: ' +
      'PUT …/fields/{fieldId} answers 403',
  }),
}).openapi('SigningField');

const ConsentSchema = z
  .object({ version: z.string(), text: z.string(), accepted: z.boolean(), acceptedAt: z.string().optional() })
  .openapi('Consent');

const SigningViewSchema = z
  .object({
    envelope: z.object({ id: z.string(), title: z.string(), status: z.string() }),
    recipient: z.object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      role: z.string(),
      action: z.string(),
      status: z.string(),
      completedAt: z.string().optional().openapi({ description: 'When this recipient signed, approved or declined' }),
    }),
    fields: z.array(SigningFieldSchema),
    document: z.object({
      sha256: z.string(),
      pages: z.number().int(),
      name: z.string(),
      attachments: z
        .array(z.object({ name: z.string(), firstPage: z.number().int(), pages: z.number().int() }))
        .optional()
        .openapi({
          description: 'Supporting documents whose pages follow the contract’s (absent when there are none)',
        }),
    }),
    consent: ConsentSchema,
    sealed: z.boolean(),
    notifications: z
      .object({
        email: z.boolean().openapi({ description: 'False while the server has no mail transport: it sends no mail' }),
      })
      .openapi({ description: 'What the server will send the signer by itself' }),
    expiresAt: z.string(),
  })
  .openapi('SigningView');

const view = createRoute({
  method: 'get',
  path: '/',
  summary: 'The signer’s view (signing token); the first call records envelope.opened',
  description:
    'Still readable after completion, decline or void, to show the final state. An expired token gives 401 ' +
    'with type …/token-expired, an unknown one 401 with type …/unauthorized.',
  ...auth,
  responses: { 200: jsonResponse(SigningViewSchema, 'Signing view'), ...problems },
});

const document = createRoute({
  method: 'get',
  path: '/document',
  summary: 'The PDF to sign, with Range support; `?version=sealed` gives the sealed copy once it exists',
  ...auth,
  request: { query: z.object({ version: z.enum(['original', 'sealed']).default('original') }) },
  responses: {
    200: { description: 'PDF', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } } },
    206: { description: 'Partial content (Range)' },
    416: problems[422],
    ...problems,
  },
});

const consent = createRoute({
  method: 'post',
  path: '/consent',
  summary: 'Accept the ESIGN/UETA disclosure (required before completing; fields may be saved before)',
  ...auth,
  request: { body: jsonBody(z.strictObject({ accepted: z.boolean() })) },
  responses: { 200: jsonResponse(ConsentSchema, 'Accepted'), ...problems },
});

const setField = createRoute({
  method: 'put',
  path: '/fields/{fieldId}',
  summary: 'Save one of this recipient’s fields (403 for a read-only one: the sender filled it in)',
  ...auth,
  request: {
    params: z.object({ fieldId: Id('fieldId', 'fld_123') }),
    body: jsonBody(z.strictObject({ value: FieldValueSchema })),
  },
  responses: { 200: jsonResponse(SigningFieldSchema, 'Saved'), ...problems },
});

const complete = createRoute({
  method: 'post',
  path: '/complete',
  summary: 'Finish: requires consent (409 …/consent-required) and every required field (422 with errors[].fieldId)',
  ...auth,
  responses: {
    200: jsonResponse(z.object({ recipientStatus: z.string(), envelopeStatus: z.string() }), 'Completed'),
    ...problems,
  },
});

const decline = createRoute({
  method: 'post',
  path: '/decline',
  summary: 'Decline to sign; the envelope becomes declined',
  ...auth,
  request: { body: jsonBody(z.strictObject({ reason: z.string().trim().min(1).max(1000) })) },
  responses: { 200: jsonResponse(z.object({ status: z.literal('declined') }), 'Declined'), ...problems },
});

export const signingRoutes = router()
  .openapi(view, async (c) => {
    return c.json(await c.get('services').signing.view(c.get('signer'), requestMeta(c)), 200);
  })
  .openapi(document, async (c) => {
    const { version } = c.req.valid('query');
    const doc = await c.get('services').signing.document(c.get('signer'), version, requestMeta(c));
    return servePdf(c, doc.sha256, doc.name);
  })
  .openapi(consent, async (c) => {
    if (!c.req.valid('json').accepted) {
      throw invalid('Consent must be accepted to sign electronically', [{ path: 'accepted', message: 'Must be true' }]);
    }
    return c.json(await c.get('services').signing.consent(c.get('signer'), requestMeta(c)), 200);
  })
  .openapi(setField, async (c) => {
    const { fieldId } = c.req.valid('param');
    const { value } = c.req.valid('json');
    const field = await c.get('services').signing.setField(c.get('signer'), fieldId, value, requestMeta(c));
    return c.json(field, 200);
  })
  .openapi(complete, async (c) => {
    return c.json(await c.get('services').signing.complete(c.get('signer'), requestMeta(c)), 200);
  })
  .openapi(decline, async (c) => {
    await c.get('services').signing.decline(c.get('signer'), c.req.valid('json').reason, requestMeta(c));
    return c.json({ status: 'declined' as const }, 200);
  });
