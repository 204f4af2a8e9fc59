import { createRoute, z } from '@hono/zod-openapi';
import type { TemplateRecord, TemplateVersionRecord } from '../store/types.ts';
import { Id, jsonBody, jsonResponse, problems, router, security, staffAuth } from './common.ts';

const Fraction = z.number().min(0).max(1);
const FieldTypeSchema = z.enum(['signature', 'initials', 'date_signed', 'text', 'checkbox']);
const ActionSchema = z.enum(['sign', 'approve', 'view']);
const Key = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'Letters, digits, _ . - only');

const RoleInput = z.strictObject({
  key: Key,
  label: z.string().max(200).optional(),
  action: ActionSchema,
  order: z.number().int().min(1).max(100).optional(),
});

const FieldInput = z.strictObject({
  id: Key.optional(),
  key: Key.optional(),
  type: FieldTypeSchema,
  role: Key,
  page: z.number().int().min(1),
  x: Fraction,
  y: Fraction,
  width: Fraction.refine((v) => v > 0, 'Must be > 0'),
  height: Fraction.refine((v) => v > 0, 'Must be > 0'),
  required: z.boolean().optional(),
  label: z.string().max(200).optional(),
});

const TemplateInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    documentId: z.string().min(1).max(128),
    roles: z.array(RoleInput).min(1).max(20),
    fields: z.array(FieldInput).max(500),
  })
  .openapi('TemplateInput');

/** A placed field as read back; the signing view's field is the same plus its value. */
export const FieldShape = z.object({
  id: z.string(),
  key: z.string().optional(),
  type: FieldTypeSchema,
  role: z.string(),
  page: z.number().int(),
  x: z.number(),
  y: z.number(),
  width: z.number(),
  height: z.number(),
  required: z.boolean(),
  label: z.string().optional(),
});

const FieldSchema = FieldShape.openapi('Field');

const VersionSchema = z
  .object({
    version: z.number().int(),
    status: z.enum(['draft', 'published']),
    source: z.object({ kind: z.literal('pdf'), documentId: z.string() }),
    documentSha256: z.string(),
    pages: z.number().int(),
    roles: z.array(RoleInput.extend({ order: z.number().int() })),
    fields: z.array(FieldSchema),
    variables: z.array(z.object({ key: z.string(), type: z.string(), label: z.string().optional() })),
    createdAt: z.string(),
    publishedAt: z.string().optional(),
  })
  .openapi('TemplateVersion');

const TemplateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.number().int().openapi({ description: 'Latest version number' }),
    status: z.enum(['draft', 'published']).openapi({ description: 'Status of the latest version' }),
    latestPublishedVersion: z.number().int().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    versions: z.array(VersionSchema),
  })
  .openapi('Template');

function view(t: TemplateRecord) {
  const latest = t.versions.at(-1)!;
  const published = t.versions.filter((v) => v.status === 'published').at(-1);
  return {
    id: t.id,
    name: t.name,
    version: latest.version,
    status: latest.status,
    latestPublishedVersion: published?.version ?? null,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    versions: t.versions,
  };
}

function summary(t: TemplateRecord) {
  const { versions: _versions, ...rest } = view(t);
  return rest;
}

const TemplateIdParam = z.object({ id: Id('id', 'tpl_123') });

const create = createRoute({
  method: 'post',
  path: '/',
  summary: 'Create a template from an uploaded document (admin, legal); version 1, draft',
  security,
  middleware: [staffAuth],
  request: { body: jsonBody(TemplateInput) },
  responses: { 201: jsonResponse(TemplateSchema, 'Created'), ...problems },
});

const list = createRoute({
  method: 'get',
  path: '/',
  summary: 'List templates (admin, legal: all; agent, manager: published versions only)',
  security,
  middleware: [staffAuth],
  responses: {
    200: jsonResponse(z.object({ items: z.array(TemplateSchema.omit({ versions: true })) }), 'Templates'),
    ...problems,
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  summary: 'A template with its versions (admin, legal: all; agent, manager: published only)',
  security,
  middleware: [staffAuth],
  request: { params: TemplateIdParam },
  responses: { 200: jsonResponse(TemplateSchema, 'Template'), ...problems },
});

const publish = createRoute({
  method: 'post',
  path: '/{id}/versions/{n}/publish',
  summary: 'Publish a version (admin, legal); idempotent, a published version never changes',
  security,
  middleware: [staffAuth],
  request: {
    params: TemplateIdParam.extend({
      n: z.coerce
        .number()
        .int()
        .min(1)
        .openapi({ param: { name: 'n', in: 'path' }, example: 1 }),
    }),
  },
  responses: { 200: jsonResponse(VersionSchema.extend({ templateId: z.string() }), 'Published'), ...problems },
});

function versionView(id: string, v: TemplateVersionRecord) {
  return { templateId: id, ...v };
}

export const templateRoutes = router()
  .openapi(create, async (c) => {
    const t = await c.get('services').templates.create(c.get('staff'), c.req.valid('json'));
    return c.json(view(t), 201);
  })
  .openapi(list, async (c) => {
    const items = await c.get('services').templates.list(c.get('staff'));
    return c.json({ items: items.map(summary) }, 200);
  })
  .openapi(get, async (c) => {
    return c.json(view(await c.get('services').templates.get(c.get('staff'), c.req.valid('param').id)), 200);
  })
  .openapi(publish, async (c) => {
    const { id, n } = c.req.valid('param');
    const v = await c.get('services').templates.publish(c.get('staff'), id, n);
    return c.json(versionView(id, v), 200);
  });
