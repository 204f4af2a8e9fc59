import { createRoute, z } from '@hono/zod-openapi';
import { EMBED_DEFAULT_TTL_S, EMBED_MAX_TTL_S } from '../services/embed-tokens.ts';
import { jsonBody, jsonResponse, problems, router, staffOnly } from './common.ts';

const EmbedTokenInput = z
  .strictObject({
    role: z.enum(['agent', 'manager', 'legal', 'admin']),
    user: z.strictObject({
      id: z.string().trim().min(1).max(128),
      name: z.string().trim().min(1).max(200),
      email: z.string().trim().max(254).pipe(z.email()),
    }),
    expiresIn: z
      .number()
      .int()
      .min(1)
      .max(EMBED_MAX_TTL_S)
      .optional()
      .openapi({ description: `Seconds; default ${EMBED_DEFAULT_TTL_S}, at most ${EMBED_MAX_TTL_S}` }),
  })
  .openapi('EmbedTokenInput');

const mint = createRoute({
  method: 'post',
  path: '/',
  summary: 'Mint a short-lived embed token (JWT) for a logged-in staff user (admin API key only)',
  description:
    'The token acts with `role` on staff routes (Authorization: Bearer) and makes `user` the audit actor. ' +
    'It cannot mint embed tokens or manage API keys, and never reaches the signing routes.',
  ...staffOnly,
  request: { body: jsonBody(EmbedTokenInput) },
  responses: {
    201: jsonResponse(z.object({ token: z.string(), expiresAt: z.string() }).openapi('EmbedToken'), 'Minted'),
    ...problems,
  },
});

export const embedTokenRoutes = router().openapi(mint, async (c) => {
  const minted = await c.get('services').embedTokens.mint(c.get('staff'), c.req.valid('json'));
  return c.json(minted, 201);
});
