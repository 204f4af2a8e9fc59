import { getConnInfo } from '@hono/node-server/conninfo';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { DomainError, invalid } from '../errors.ts';
import type { RequestMeta, SignerPrincipal, StaffPrincipal } from '../services/context.ts';
import type { Services } from '../services/index.ts';

export interface AppEnv {
  Variables: {
    services: Services;
    staff: StaffPrincipal;
    signer: SignerPrincipal;
  };
}

/** Turns zod issues into a 422 problem with `errors: [{path, message}]`. */
export function validationHook(
  result: { success: true } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } },
): void {
  if (!result.success) {
    throw invalid(
      'The request is not valid',
      result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  }
}

/**
 * The same for a list's query string, as 400: a bad `limit` or `status` is a bad request line,
 * like a cursor the server never gave out, not content it could not process.
 */
export function queryValidationHook(result: Parameters<typeof validationHook>[0]): undefined {
  if (!result.success) {
    throw new DomainError('validation', 'The query is not valid', {
      status: 400,
      errors: result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    });
  }
  return undefined;
}

export function router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

export function bearer(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const m = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return m?.[1];
}

export const staffAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('staff', await c.get('services').auth.authenticateStaff(bearer(c)));
  await next();
};

export const signerAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('signer', await c.get('services').auth.authenticateSigner(bearer(c)));
  await next();
};

/** Client IP (X-Forwarded-For only behind a trusted proxy) and user agent, for the audit trail. */
export function requestMeta(c: Context<AppEnv>): RequestMeta {
  const meta: RequestMeta = {};
  const ua = c.req.header('user-agent');
  if (ua) meta.userAgent = ua.slice(0, 512);
  if (c.get('services').deps.config.trustProxy) {
    const xff = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (xff) meta.ip = xff.slice(0, 64);
  }
  if (!meta.ip) {
    try {
      const address = getConnInfo(c).remote.address;
      if (address) meta.ip = address;
    } catch {
      // Not served by @hono/node-server (app.request() in tests): no socket address.
    }
  }
  return meta;
}

export const Id = (name: string, example: string) =>
  z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name, in: 'path' }, example });

/** A version number in a path (`/versions/{n}`), for templates and clauses alike. */
export const VersionNumber = (name: string) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .openapi({ param: { name, in: 'path' }, example: 1 });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string().optional(), fieldId: z.string().optional(), message: z.string() }))
      .optional(),
  })
  .openapi('Problem');

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** A list route's 400: a query parameter it cannot use. */
export const queryProblem = { 400: problem('A query parameter is not valid (errors[].path names it)') } as const;

/** A route whose work can fail on the server's side, and says why (the reason, never the internals). */
export const serverProblem = { 500: problem('The server could not finish the work (detail says why)') } as const;

export const problems = {
  401: problem('Missing, unknown or expired credentials'),
  403: problem('The role may not do this'),
  404: problem('Not found'),
  409: problem('The state does not allow this'),
  422: problem('Validation failed'),
} as const;

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const security = [{ bearerAuth: [] }];

/** Spread into a staff route: bearer security in the OpenAPI document, and the staff check. */
export const staffOnly = { security, middleware: [staffAuth] };

/** Merge values are scalars (text, number, money, date… as text or number), each bounded. */
const MergeValue = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);

export const MergeDataInput = z
  .record(z.string().max(64), MergeValue)
  .refine((d) => Object.keys(d).length <= 200, 'At most 200 merge fields');
