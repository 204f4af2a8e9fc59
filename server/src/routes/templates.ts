import { patternError, type TemplateVersion } from '@countersign/core';
import { createRoute, z } from '@hono/zod-openapi';
import type { TemplateRecord, TemplateVersionRecord } from '../store/types.ts';
import { pdfResponse, servePdf } from './blob-response.ts';
import { Id, jsonBody, jsonResponse, MergeDataInput, problems, router, staffOnly, VersionNumber } from './common.ts';

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

/** A JSON Logic rule over the merge data (checked against core's operator list by the service). */
const Condition = z
  .union([z.boolean(), z.record(z.string(), z.unknown())])
  .openapi('Condition', { description: 'JSON Logic, e.g. {">": [{"var": "amount"}, 1000]}' });

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date as YYYY-MM-DD');
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const Bound = z.number().finite().optional();
const variableBase = {
  key: Key,
  label: z.string().max(200).optional(),
  required: z.boolean().optional(),
  help: z.string().max(1000).optional(),
};

/** A legal-written pattern that core's linear-time engine can run (see core's compilePattern). */
const Pattern = z
  .string()
  .max(500)
  .superRefine((source, ctx) => {
    const error = patternError(source);
    if (error) ctx.addIssue({ code: 'custom', message: error.message });
  });

/** A typed merge variable (core's Variable), with its constraints checked for sense. */
const VariableSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      ...variableBase,
      type: z.literal('text'),
      minLength: z.number().int().min(0).max(2000).optional(),
      maxLength: z.number().int().min(1).max(2000).optional(),
      pattern: Pattern.optional(),
    }),
    z.strictObject({
      ...variableBase,
      type: z.literal('number'),
      min: Bound,
      max: Bound,
      integer: z.boolean().optional(),
    }),
    z.strictObject({
      ...variableBase,
      type: z.literal('money'),
      currency: z.string().refine((c) => CURRENCIES.has(c), 'Not an ISO 4217 currency code'),
      min: Bound,
      max: Bound,
    }),
    z.strictObject({ ...variableBase, type: z.literal('date'), min: IsoDate.optional(), max: IsoDate.optional() }),
    z.strictObject({ ...variableBase, type: z.literal('email') }),
    z.strictObject({ ...variableBase, type: z.literal('phone') }),
    z.strictObject({
      ...variableBase,
      type: z.literal('enum'),
      options: z
        .array(z.strictObject({ value: z.string().min(1).max(200), label: z.string().max(200).optional() }))
        .min(1, 'An enum needs at least one option')
        .max(200),
    }),
    z.strictObject({ ...variableBase, type: z.literal('boolean') }),
  ])
  .superRefine((v, ctx) => {
    const order = (lo: unknown, hi: unknown, at: string) => {
      if (lo !== undefined && hi !== undefined && (lo as number | string) > (hi as number | string)) {
        ctx.addIssue({ code: 'custom', path: [at], message: 'Must not be below the minimum' });
      }
    };
    if (v.type === 'text') order(v.minLength, v.maxLength, 'maxLength');
    if (v.type === 'number' || v.type === 'money' || v.type === 'date') order(v.min, v.max, 'max');
    if (v.type === 'enum') {
      const seen = new Set<string>();
      v.options.forEach((o, i) => {
        if (seen.has(o.value))
          ctx.addIssue({ code: 'custom', path: ['options', i, 'value'], message: 'Duplicate option' });
        seen.add(o.value);
      });
    }
  })
  .openapi('Variable');

export const Variables = z
  .array(VariableSchema)
  .max(200)
  .superRefine((vars, ctx) => {
    const seen = new Set<string>();
    vars.forEach((v, i) => {
      if (seen.has(v.key)) ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `Duplicate variable ${v.key}` });
      seen.add(v.key);
    });
  });

/** A text field's format; the rule's own consistency (pattern compiles, min ≤ max) is checked by the service. */
const FieldValidationSchema = z
  .strictObject({
    kind: z.enum(['email', 'phone', 'number', 'date', 'pattern']),
    pattern: z.string().max(500).optional().openapi({
      description:
        'kind pattern: a JavaScript regex (u flag) without backreferences or lookaround, matched against the whole value in linear time',
    }),
    min: z.number().finite().optional().openapi({ description: 'kind number: the least value' }),
    max: z.number().finite().optional().openapi({ description: 'kind number: the greatest value' }),
    message: z
      .string()
      .max(200)
      .optional()
      .openapi({ description: 'Shown to the signer instead of the default message' }),
  })
  .openapi('FieldValidation');

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
  condition: Condition.optional(),
  validation: FieldValidationSchema.optional().openapi({ description: 'Text fields only' }),
  signerEditable: z
    .boolean()
    .optional()
    .openapi({
      description:
        'Text fields only: a field whose key names a merge-data value is prefilled with it and read-only for ' +
        'the signer unless this is true',
    }),
});

const ClauseId = z.string().min(1).max(128);
const ClauseVersionNumber = z.number().int().min(1).max(1_000_000);

/** A clause written into the version; with `clauseId` and `clauseVersion` (as read back) it is a library reference. */
const InlineClauseInput = z
  .strictObject({
    key: Key,
    title: z.string().trim().min(1).max(300),
    body: z.string().min(1).max(20_000).openapi({ description: 'Clause text format, with {{variables}}' }),
    locked: z.boolean().optional(),
    condition: Condition.optional(),
    clauseId: ClauseId.optional(),
    clauseVersion: ClauseVersionNumber.optional(),
  })
  .openapi('InlineClauseInput');

const ClauseRefInput = z
  .strictObject({
    clauseId: ClauseId,
    version: ClauseVersionNumber.optional().openapi({ description: 'Default: the latest published version' }),
    locked: z.boolean().optional().openapi({ description: 'Lock it here even if the library clause is not locked' }),
    condition: Condition.optional().openapi({ description: 'Replaces the clause’s own condition' }),
  })
  .openapi('ClauseRefInput');

/** A clause of a saved version: inline, or a library clause resolved to its pinned text. */
const TemplateClauseSchema = z
  .object({
    key: z.string(),
    title: z.string(),
    body: z.string(),
    locked: z.boolean(),
    condition: Condition.optional(),
    clauseId: z.string().optional(),
    clauseVersion: z.number().int().optional(),
  })
  .openapi('TemplateClause');

const Parties = z
  .array(z.strictObject({ label: z.string().min(1).max(200), lines: z.array(z.string().max(300)).max(10) }))
  .max(10);

const PdfSource = z.strictObject({ kind: z.literal('pdf'), documentId: z.string().min(1).max(128) });

/** Clauses to compose: written inline or taken from the library (keys checked once resolved). */
export const ClausesSourceInput = z
  .strictObject({
    kind: z.literal('clauses'),
    title: z.string().trim().min(1).max(300),
    parties: Parties.optional(),
    clauses: z
      .array(z.union([InlineClauseInput, ClauseRefInput]))
      .min(1)
      .max(300),
  })
  .openapi('ClausesSourceInput');

/** Where a version's document comes from: an uploaded PDF, or clauses composed per envelope. */
const SourceSchema = z.discriminatedUnion('kind', [PdfSource, ClausesSourceInput]).openapi('TemplateSourceInput');

const SourceView = z
  .discriminatedUnion('kind', [
    PdfSource,
    z.object({
      kind: z.literal('clauses'),
      title: z.string(),
      parties: Parties.optional(),
      clauses: z.array(TemplateClauseSchema),
    }),
  ])
  .openapi('TemplateSource');

const oneSource = (v: { documentId?: string; source?: unknown }, ctx: z.RefinementCtx) => {
  if (v.documentId !== undefined && v.source !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['source'], message: 'Give documentId or source, not both' });
  }
};

const TemplateInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    documentId: z.string().min(1).max(128).optional(),
    source: SourceSchema.optional(),
    roles: z.array(RoleInput).min(1).max(20),
    fields: z.array(FieldInput).max(500).default([]),
    variables: Variables.optional(),
  })
  .superRefine((v, ctx) => {
    oneSource(v, ctx);
    if (v.documentId === undefined && v.source === undefined) {
      ctx.addIssue({ code: 'custom', path: ['documentId'], message: 'Give documentId or source' });
    }
  })
  .openapi('TemplateInput');

const VersionInput = z
  .strictObject({
    documentId: z.string().min(1).max(128).optional(),
    source: SourceSchema.optional(),
    roles: z.array(RoleInput).min(1).max(20).optional(),
    fields: z.array(FieldInput).max(500).optional(),
    variables: Variables.optional(),
  })
  .superRefine(oneSource)
  .openapi('TemplateVersionInput', { description: 'What to replace; anything left out is kept' });

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
  validation: FieldValidationSchema.optional(),
  signerEditable: z.boolean().optional().openapi({ description: 'The signer may change a prefilled value' }),
});

const FieldSchema = FieldShape.openapi('Field');

const VersionSchema = z
  .object({
    version: z.number().int(),
    status: z.enum(['draft', 'published']),
    source: SourceView,
    documentSha256: z.string(),
    pages: z.number().int(),
    roles: z.array(RoleInput.extend({ order: z.number().int() })),
    fields: z.array(FieldSchema.extend({ condition: Condition.optional() })),
    variables: z.array(VariableSchema),
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

/** A version as read: every clause says whether it is locked (older versions stored no flag). */
function versionOut(v: TemplateVersionRecord): Omit<TemplateVersion, 'templateId'> {
  if (v.source.kind !== 'clauses') return { ...v, source: v.source };
  const clauses = v.source.clauses.map((c) => ({ ...c, locked: c.locked ?? false }));
  return { ...v, source: { ...v.source, clauses } };
}

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
    versions: t.versions.map(versionOut),
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
  ...staffOnly,
  request: { body: jsonBody(TemplateInput) },
  responses: { 201: jsonResponse(TemplateSchema, 'Created'), ...problems },
});

const list = createRoute({
  method: 'get',
  path: '/',
  summary: 'List templates (admin, legal: all; agent, manager: published versions only)',
  ...staffOnly,
  responses: {
    200: jsonResponse(z.object({ items: z.array(TemplateSchema.omit({ versions: true })) }), 'Templates'),
    ...problems,
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  summary: 'A template with its versions (admin, legal: all; agent, manager: published only)',
  ...staffOnly,
  request: { params: TemplateIdParam },
  responses: { 200: jsonResponse(TemplateSchema, 'Template'), ...problems },
});

const VersionParams = TemplateIdParam.extend({ n: VersionNumber('n') });
const PublishedVersionSchema = VersionSchema.extend({ templateId: z.string() });

const publish = createRoute({
  method: 'post',
  path: '/{id}/versions/{n}/publish',
  summary: 'Publish a version (admin, legal); idempotent, a published version never changes',
  ...staffOnly,
  request: { params: VersionParams },
  responses: { 200: jsonResponse(PublishedVersionSchema, 'Published'), ...problems },
});

const createVersion = createRoute({
  method: 'post',
  path: '/{id}/versions',
  summary: 'Open the next version as a draft, starting from the latest (admin, legal); 409 while a draft is open',
  ...staffOnly,
  request: { params: TemplateIdParam, body: jsonBody(VersionInput) },
  responses: { 201: jsonResponse(PublishedVersionSchema, 'Created'), ...problems },
});

const updateVersion = createRoute({
  method: 'patch',
  path: '/{id}/versions/{n}',
  summary: 'Edit a draft version (admin, legal); a published version is immutable (409)',
  ...staffOnly,
  request: { params: VersionParams, body: jsonBody(VersionInput) },
  responses: { 200: jsonResponse(PublishedVersionSchema, 'Updated'), ...problems },
});

const listVersions = createRoute({
  method: 'get',
  path: '/{id}/versions',
  summary: 'Versions of a template, oldest first (agent, manager: published only)',
  ...staffOnly,
  request: { params: TemplateIdParam },
  responses: { 200: jsonResponse(z.object({ items: z.array(PublishedVersionSchema) }), 'Versions'), ...problems },
});

const Change = <T extends z.ZodType>(schema: T) => ({ before: schema, after: schema });
const Role = VersionSchema.shape.roles.element;
const Field = VersionSchema.shape.fields.element;
const Geometry = Field.pick({ page: true, x: true, y: true, width: true, height: true });
const DiffSchema = z
  .object({
    templateId: z.string(),
    from: z.number().int(),
    to: z.number().int(),
    identical: z.boolean(),
    document: z.object({
      changed: z.boolean(),
      ...Change(
        z.object({
          kind: z.enum(['pdf', 'clauses']),
          documentId: z.string().optional(),
          sha256: z.string(),
          pages: z.number().int(),
        }),
      ),
    }),
    clauses: z.object({
      added: z.array(TemplateClauseSchema),
      removed: z.array(TemplateClauseSchema),
      changed: z.array(z.object({ key: z.string(), ...Change(TemplateClauseSchema) })),
    }),
    roles: z.object({
      added: z.array(Role),
      removed: z.array(Role),
      changed: z.array(z.object({ key: z.string(), ...Change(Role) })),
    }),
    fields: z.object({
      added: z.array(Field),
      removed: z.array(Field),
      moved: z.array(z.object({ id: z.string(), ...Change(Geometry) })),
      changed: z.array(z.object({ id: z.string(), ...Change(Field) })),
    }),
    variables: z.object({
      added: z.array(VariableSchema),
      removed: z.array(VariableSchema),
      changed: z.array(z.object({ key: z.string(), ...Change(VariableSchema) })),
    }),
  })
  .openapi('TemplateVersionDiff');

const diff = createRoute({
  method: 'get',
  path: '/{id}/versions/{a}/diff/{b}',
  summary: 'What changed from version a to version b: roles by key, fields by id, variables by key, the document',
  ...staffOnly,
  request: { params: TemplateIdParam.extend({ a: VersionNumber('a'), b: VersionNumber('b') }) },
  responses: { 200: jsonResponse(DiffSchema, 'Diff'), ...problems },
});

export const PdfBody = {
  description: 'PDF',
  content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } },
};

const preview = createRoute({
  method: 'post',
  path: '/{id}/versions/{n}/preview',
  summary: 'A version as a PDF to read (agent, manager: published versions only)',
  description:
    'A clauses version is composed with `mergeData`: a missing or invalid value prints as a blank such as "[fee]" ' +
    '(never a 422 here), and conditions are evaluated on the values given. A PDF version answers its document ' +
    'with each text field tied to a variable stamped with its value (formatted as in an envelope) or "[Label]".',
  ...staffOnly,
  request: {
    params: VersionParams,
    body: {
      required: false,
      content: { 'application/json': { schema: z.strictObject({ mergeData: MergeDataInput.optional() }) } },
    },
  },
  responses: { 200: PdfBody, ...problems },
});

function versionView(id: string, v: TemplateVersionRecord) {
  return { templateId: id, ...versionOut(v) };
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
  })
  .openapi(createVersion, async (c) => {
    const { id } = c.req.valid('param');
    const v = await c.get('services').templates.createVersion(c.get('staff'), id, c.req.valid('json'));
    return c.json(versionView(id, v), 201);
  })
  .openapi(updateVersion, async (c) => {
    const { id, n } = c.req.valid('param');
    const v = await c.get('services').templates.updateVersion(c.get('staff'), id, n, c.req.valid('json'));
    return c.json(versionView(id, v), 200);
  })
  .openapi(listVersions, async (c) => {
    const { id } = c.req.valid('param');
    const versions = await c.get('services').templates.versions(c.get('staff'), id);
    return c.json({ items: versions.map((v) => versionView(id, v)) }, 200);
  })
  .openapi(preview, async (c) => {
    const { id, n } = c.req.valid('param');
    const body = c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {};
    const out = await c.get('services').templates.preview(c.get('staff'), id, n, body.mergeData ?? {});
    return out.kind === 'stored' ? servePdf(c, out.sha256, out.name) : pdfResponse(out.bytes, out.name);
  })
  .openapi(diff, async (c) => {
    const { id, a, b } = c.req.valid('param');
    return c.json(await c.get('services').templates.diff(c.get('staff'), id, a, b), 200);
  });
