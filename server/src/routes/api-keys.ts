import { createRoute, z } from '@hono/zod-openapi';
import { requireApiKey, requireRole } from '../services/auth.ts';
import { jsonBody, jsonResponse, problems, router, staffOnly } from './common.ts';

const RoleSchema = z.enum(['admin', 'legal', 'agent', 'manager']);
const ApiKeyInfo = z
  .object({ id: z.string(), name: z.string(), role: RoleSchema, createdAt: z.string() })
  .openapi('ApiKey');

const create = createRoute({
  method: 'post',
  path: '/',
  summary: 'Create an API key (admin); the key is shown once',
  ...staffOnly,
  request: { body: jsonBody(z.strictObject({ name: z.string().trim().min(1).max(200), role: RoleSchema })) },
  responses: {
    201: jsonResponse(ApiKeyInfo.extend({ key: z.string() }), 'Created; `key` is never shown again'),
    ...problems,
  },
});

const list = createRoute({
  method: 'get',
  path: '/',
  summary: 'List API keys (admin; no secrets)',
  ...staffOnly,
  responses: { 200: jsonResponse(z.object({ items: z.array(ApiKeyInfo) }), 'API keys'), ...problems },
});

export const apiKeyRoutes = router()
  .openapi(create, async (c) => {
    const staff = c.get('staff');
    requireRole(staff, ['admin']);
    requireApiKey(staff);
    const { record, key } = await c.get('services').auth.createApiKey(c.req.valid('json'));
    return c.json({ id: record.id, name: record.name, role: record.role, createdAt: record.createdAt, key }, 201);
  })
  .openapi(list, async (c) => {
    requireRole(c.get('staff'), ['admin']);
    requireApiKey(c.get('staff'));
    const keys = await c.get('services').deps.store.apiKeys.list();
    return c.json({ items: keys.map(({ id, name, role, createdAt }) => ({ id, name, role, createdAt })) }, 200);
  });
