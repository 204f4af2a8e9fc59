import { createRoute, z } from '@hono/zod-openapi';
import { placeholders } from '@countersign/core';
import type { ClauseDiff } from '@countersign/core';
import { CLAUSE_BODY_MAX, diffVersions } from '../services/clauses.ts';
import type { ClauseProposalRecord, ClauseRecord, ClauseVersionRecord } from '../store/types.ts';
import { Id, jsonBody, jsonResponse, problems, router, staffOnly, VersionNumber } from './common.ts';

const Key = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'Letters, digits, _ . - only');
const Title = z.string().trim().min(1).max(200);
const Body = z
  .string()
  .min(1)
  .max(CLAUSE_BODY_MAX)
  .refine((s) => s.trim().length > 0, 'Must not be blank');
const ConditionSchema = z
  .union([z.record(z.string(), z.unknown()), z.boolean()])
  .openapi('Condition', { description: 'JSON Logic over the merge data, e.g. {">": [{"var": "amount"}, 5000]}' });
const Category = z.string().trim().min(1).max(64);
const Tags = z.array(z.string().trim().min(1).max(40)).max(20);
const Comment = z.string().trim().min(1).max(2000);

const ClauseInput = z
  .strictObject({
    key: Key,
    title: Title,
    body: Body,
    locked: z.boolean().default(false),
    condition: ConditionSchema.optional(),
    category: Category.optional(),
    tags: Tags.optional(),
  })
  .openapi('ClauseInput');

const ClausePatch = z
  .strictObject({
    title: Title.optional(),
    body: Body.optional(),
    locked: z.boolean().optional(),
    condition: ConditionSchema.nullable().optional().openapi({ description: 'null removes the condition' }),
    category: Category.nullable().optional(),
    tags: Tags.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'Change at least one of title, body, locked, condition, category, tags')
  .openapi('ClausePatch');

const ActorSchema = z
  .object({
    kind: z.string(),
    id: z.string().optional(),
    name: z.string().optional(),
    email: z.string().optional(),
    role: z.string().optional(),
  })
  .openapi('Actor');

const DiffParts = z.array(z.object({ op: z.enum(['equal', 'insert', 'delete']), text: z.string() }));
const DiffSchema = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    changed: z.array(z.enum(['title', 'body', 'locked', 'condition'])),
    title: DiffParts,
    body: DiffParts,
    locked: DiffParts,
    condition: DiffParts,
  })
  .openapi('ClauseDiff');

const VersionSchema = z
  .object({
    clauseId: z.string(),
    version: z.number().int(),
    status: z.enum(['draft', 'published']),
    title: z.string(),
    body: z.string(),
    locked: z.boolean(),
    condition: ConditionSchema.optional(),
    category: z.string().optional(),
    tags: z.array(z.string()).optional(),
    variables: z.array(z.string()).openapi({ description: 'The {{keys}} the body uses' }),
    createdAt: z.string(),
    createdBy: ActorSchema,
    approvedBy: ActorSchema.optional(),
    proposalId: z.string().optional(),
    publishedAt: z.string().optional(),
    publishedBy: ActorSchema.optional(),
  })
  .openapi('ClauseVersion');

const ClauseSchema = VersionSchema.omit({ clauseId: true })
  .extend({
    id: z.string(),
    key: z.string(),
    latestPublishedVersion: z.number().int().nullable(),
    versionCount: z.number().int(),
    updatedAt: z.string(),
  })
  .openapi('Clause', {
    description:
      'A clause as of its latest version (legal, admin) or its latest published version (agent, manager); `createdAt` is the version’s',
  });

const ProposalSchema = z
  .object({
    id: z.string(),
    clauseId: z.string(),
    baseVersion: z.number().int(),
    title: z.string().optional(),
    body: z.string(),
    comment: z.string(),
    status: z.enum(['pending', 'approved', 'rejected']),
    proposedBy: ActorSchema,
    proposedAt: z.string(),
    decidedBy: ActorSchema.optional(),
    decidedAt: z.string().optional(),
    decisionComment: z.string().optional(),
    resultingVersion: z.number().int().optional(),
    diff: DiffSchema.optional().openapi({ description: 'What the proposal changes against its base version' }),
  })
  .openapi('ClauseProposal');

function versionView(clauseId: string, v: ClauseVersionRecord) {
  return { clauseId, ...v, variables: placeholders(v.body) };
}

function clauseView(c: ClauseRecord) {
  const current = c.versions.at(-1)!;
  const { clauseId: _c, ...version } = versionView(c.id, current);
  return {
    ...version,
    id: c.id,
    key: c.key,
    latestPublishedVersion: c.versions.filter((v) => v.status === 'published').at(-1)?.version ?? null,
    versionCount: c.versions.length,
    updatedAt: c.updatedAt,
  };
}

function proposalDiff(c: ClauseRecord, x: ClauseProposalRecord): ClauseDiff | undefined {
  const base = c.versions.find((v) => v.version === x.baseVersion);
  if (!base) return undefined;
  const proposed = { ...base, title: x.title ?? base.title, body: x.body };
  return { ...diffVersions(base, proposed), to: x.resultingVersion ?? base.version };
}

function proposalView(c: ClauseRecord, x: ClauseProposalRecord) {
  return { ...x, clauseId: c.id, diff: proposalDiff(c, x) };
}

const ClauseId = z.object({ id: Id('id', 'cl_123') });
const ProposalId = ClauseId.extend({ pid: Id('pid', 'prop_123') });

const create = createRoute({
  method: 'post',
  path: '/',
  summary: 'Create a clause (admin, legal): version 1, draft',
  ...staffOnly,
  request: { body: jsonBody(ClauseInput) },
  responses: { 201: jsonResponse(ClauseSchema, 'Created'), ...problems },
});

const list = createRoute({
  method: 'get',
  path: '/',
  summary: 'List clauses (admin, legal: all, as of the latest version; agent, manager: published only)',
  ...staffOnly,
  request: {
    query: z.object({
      search: z.string().max(200).optional().openapi({ description: 'Case-insensitive text in key, title or body' }),
    }),
  },
  responses: { 200: jsonResponse(z.object({ items: z.array(ClauseSchema) }), 'Clauses'), ...problems },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  summary: 'A clause (admin, legal: latest version; agent, manager: latest published version)',
  ...staffOnly,
  request: { params: ClauseId },
  responses: { 200: jsonResponse(ClauseSchema, 'Clause'), ...problems },
});

const patch = createRoute({
  method: 'patch',
  path: '/{id}',
  summary: 'Change a clause (admin, legal): writes a new draft version; earlier versions never change',
  ...staffOnly,
  request: { params: ClauseId, body: jsonBody(ClausePatch) },
  responses: { 200: jsonResponse(ClauseSchema, 'The clause with its new version'), ...problems },
});

const versions = createRoute({
  method: 'get',
  path: '/{id}/versions',
  summary:
    'Versions, oldest first, each with who made it and its diff from the one before (agent, manager: published only)',
  ...staffOnly,
  request: { params: ClauseId },
  responses: {
    200: jsonResponse(
      z.object({ items: z.array(VersionSchema.extend({ diffFromPrevious: DiffSchema.optional() })) }),
      'Versions',
    ),
    ...problems,
  },
});

const publish = createRoute({
  method: 'post',
  path: '/{id}/versions/{n}/publish',
  summary: 'Publish a clause version (admin, legal); idempotent',
  ...staffOnly,
  request: { params: ClauseId.extend({ n: VersionNumber('n') }) },
  responses: { 200: jsonResponse(VersionSchema, 'Published'), ...problems },
});

const diff = createRoute({
  method: 'get',
  path: '/{id}/versions/{a}/diff/{b}',
  summary: 'Word-level diff of title, body, locked and condition between two versions',
  ...staffOnly,
  request: { params: ClauseId.extend({ a: VersionNumber('a'), b: VersionNumber('b') }) },
  responses: { 200: jsonResponse(DiffSchema, 'Diff'), ...problems },
});

const propose = createRoute({
  method: 'post',
  path: '/{id}/proposals',
  summary: 'Propose a change (any staff role); agents and managers may not propose on a locked clause (403)',
  ...staffOnly,
  request: {
    params: ClauseId,
    body: jsonBody(
      z.strictObject({ title: Title.optional(), body: Body, comment: Comment }).openapi('ClauseProposalInput'),
    ),
  },
  responses: { 201: jsonResponse(ProposalSchema, 'Proposed'), ...problems },
});

const proposals = createRoute({
  method: 'get',
  path: '/{id}/proposals',
  summary: 'Proposals with their diffs (admin, legal: all; agent, manager: their own)',
  ...staffOnly,
  request: { params: ClauseId },
  responses: { 200: jsonResponse(z.object({ items: z.array(ProposalSchema) }), 'Proposals'), ...problems },
});

const Decision = z.object({ proposal: ProposalSchema, version: VersionSchema.optional() }).openapi('ClauseDecision');

const approve = createRoute({
  method: 'post',
  path: '/{id}/proposals/{pid}/approve',
  summary:
    'Approve (admin, legal): a new draft version authored by the proposer, approved by the reviewer; decided once (409)',
  ...staffOnly,
  request: { params: ProposalId, body: jsonBody(z.strictObject({ comment: Comment.optional() })) },
  responses: { 200: jsonResponse(Decision, 'Approved'), ...problems },
});

const reject = createRoute({
  method: 'post',
  path: '/{id}/proposals/{pid}/reject',
  summary: 'Reject (admin, legal) with a comment; decided once (409)',
  ...staffOnly,
  request: { params: ProposalId, body: jsonBody(z.strictObject({ comment: Comment })) },
  responses: { 200: jsonResponse(Decision, 'Rejected'), ...problems },
});

export const clauseRoutes = router()
  .openapi(create, async (c) => {
    return c.json(clauseView(await c.get('services').clauses.create(c.get('staff'), c.req.valid('json'))), 201);
  })
  .openapi(list, async (c) => {
    const items = await c.get('services').clauses.list(c.get('staff'), c.req.valid('query').search);
    return c.json({ items: items.map(clauseView) }, 200);
  })
  .openapi(get, async (c) => {
    return c.json(clauseView(await c.get('services').clauses.get(c.get('staff'), c.req.valid('param').id)), 200);
  })
  .openapi(patch, async (c) => {
    const { id } = c.req.valid('param');
    const clauses = c.get('services').clauses;
    await clauses.update(c.get('staff'), id, c.req.valid('json'));
    return c.json(clauseView(await clauses.get(c.get('staff'), id)), 200);
  })
  .openapi(versions, async (c) => {
    const clause = await c.get('services').clauses.get(c.get('staff'), c.req.valid('param').id);
    const items = clause.versions.map((v, i) => {
      const prev = clause.versions[i - 1];
      return { ...versionView(clause.id, v), ...(prev ? { diffFromPrevious: diffVersions(prev, v) } : {}) };
    });
    return c.json({ items }, 200);
  })
  .openapi(publish, async (c) => {
    const { id, n } = c.req.valid('param');
    return c.json(versionView(id, await c.get('services').clauses.publish(c.get('staff'), id, n)), 200);
  })
  .openapi(diff, async (c) => {
    const { id, a, b } = c.req.valid('param');
    return c.json(await c.get('services').clauses.diff(c.get('staff'), id, a, b), 200);
  })
  .openapi(propose, async (c) => {
    const { id } = c.req.valid('param');
    const clauses = c.get('services').clauses;
    const proposal = await clauses.propose(c.get('staff'), id, c.req.valid('json'));
    return c.json(proposalView(await clauses.get(c.get('staff'), id), proposal), 201);
  })
  .openapi(proposals, async (c) => {
    const clause = await c.get('services').clauses.get(c.get('staff'), c.req.valid('param').id);
    return c.json({ items: clause.proposals.map((x) => proposalView(clause, x)) }, 200);
  })
  .openapi(approve, async (c) => {
    const { id, pid } = c.req.valid('param');
    const clauses = c.get('services').clauses;
    const r = await clauses.decide(c.get('staff'), id, pid, 'approve', c.req.valid('json').comment);
    const clause = await clauses.get(c.get('staff'), id);
    return c.json(
      { proposal: proposalView(clause, r.proposal), ...(r.version ? { version: versionView(id, r.version) } : {}) },
      200,
    );
  })
  .openapi(reject, async (c) => {
    const { id, pid } = c.req.valid('param');
    const clauses = c.get('services').clauses;
    const r = await clauses.decide(c.get('staff'), id, pid, 'reject', c.req.valid('json').comment);
    return c.json({ proposal: proposalView(await clauses.get(c.get('staff'), id), r.proposal) }, 200);
  });
