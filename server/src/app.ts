import { randomBytes } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppDeps } from './deps.ts';
import { DomainError, PROBLEM_BASE, type ProblemItem } from './errors.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { clauseRoutes } from './routes/clauses.ts';
import { validationHook, type AppEnv } from './routes/common.ts';
import { documentRoutes } from './routes/documents.ts';
import { embedTokenRoutes } from './routes/embed-tokens.ts';
import { envelopeRoutes } from './routes/envelopes.ts';
import { eventRoutes } from './routes/events.ts';
import { signingRoutes } from './routes/signing.ts';
import { previewRoutes } from './routes/previews.ts';
import { templateRoutes } from './routes/templates.ts';
import type { ServiceDeps } from './services/context.ts';
import { EventBus } from './services/events.ts';
import { createServices } from './services/index.ts';
import { TaskTracker } from './services/tasks.ts';

export function resolveServiceDeps(deps: AppDeps): ServiceDeps {
  deps.events ??= new EventBus();
  deps.tasks ??= new TaskTracker();
  deps.embedSecret ??= new Uint8Array(randomBytes(32));
  return deps as ServiceDeps;
}

function problem(
  c: Context,
  status: number,
  body: { type: string; title: string; detail?: string; errors?: ProblemItem[] },
  headers: Record<string, string> = {},
): Response {
  const payload = { type: body.type, title: body.title, status, detail: body.detail, errors: body.errors };
  return new Response(JSON.stringify(payload), {
    status,
    headers: { ...Object.fromEntries(c.res.headers), 'Content-Type': 'application/problem+json', ...headers },
  });
}

const isUpload = (c: Context) => c.req.method === 'POST' && /^\/api\/v1\/documents\/?$/.test(c.req.path);

const HTTP_PROBLEMS: Partial<Record<number, [kind: string, title: string]>> = {
  400: ['bad-request', 'Bad request'],
  413: ['payload-too-large', 'Payload too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
};

/** Builds the HTTP app over its dependencies. Never listens: main.ts does. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const services = createServices(resolveServiceDeps(deps));
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const allowed = new Set(deps.config.allowedOrigins);

  app.use(
    '*',
    cors({
      origin: (origin) => (allowed.has(origin) ? origin : null),
      allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'Range', 'If-None-Match', 'If-Range', 'Last-Event-ID'],
      exposeHeaders: [
        'Content-Range',
        'Accept-Ranges',
        'Content-Length',
        'ETag',
        'Content-Disposition',
        'WWW-Authenticate',
      ],
      credentials: false,
      maxAge: 600,
    }),
  );
  app.use('*', async (c, next) => {
    c.set('services', services);
    await next();
  });
  // Every body but an upload is small JSON: cut it off at maxJsonBytes, counted while streaming
  // when there is no Content-Length. Uploads have their own limit (routes/documents.ts).
  const jsonLimit = bodyLimit({
    maxSize: deps.config.maxJsonBytes,
    onError: () => {
      throw new DomainError(
        'payload-too-large',
        `The request body is larger than the limit of ${deps.config.maxJsonBytes} bytes`,
      );
    },
  });
  app.use('/api/*', (c, next) => (isUpload(c) ? next() : jsonLimit(c, next)));

  app.get('/healthz', (c) => c.json({ ok: true, envelopes: deps.store.envelopes.count(), ...deps.store.health() }));
  app.route('/api/v1/api-keys', apiKeyRoutes);
  app.route('/api/v1/embed-tokens', embedTokenRoutes);
  app.route('/api/v1/clauses', clauseRoutes);
  app.route('/api/v1/documents', documentRoutes);
  app.route('/api/v1/templates', templateRoutes);
  app.route('/api/v1/previews', previewRoutes);
  app.route('/api/v1/envelopes', envelopeRoutes);
  app.route('/api/v1/events', eventRoutes);
  app.route('/api/v1/signing', signingRoutes);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'API key (`cs_live_…`) for host back ends, or an embed token (JWT) for staff in a host console',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'signingToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'Signing session token (`cs_sign_…`) from POST /envelopes/{id}/recipients/{rid}/signing-session',
  });
  app.doc31('/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Countersign API',
      version: '1.0.0',
      description: 'Errors are RFC 9457 problem details (application/problem+json).',
    },
    servers: [{ url: deps.config.publicUrl }],
  });

  app.notFound((c) =>
    problem(c, 404, {
      type: `${PROBLEM_BASE}not-found`,
      title: 'Not found',
      detail: `No route for ${c.req.method} ${c.req.path}`,
    }),
  );

  app.onError((err, c) => {
    if (err instanceof DomainError) {
      return problem(
        c,
        err.status,
        { type: `${PROBLEM_BASE}${err.kind}`, title: err.title, detail: err.message, errors: err.errors },
        err.headers,
      );
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const [kind, title] = HTTP_PROBLEMS[status] ?? ['http-error', 'Request refused'];
      const detail =
        status === 415 ? 'Send the body as application/json (uploads: multipart/form-data)' : err.message || undefined;
      return problem(c, status, { type: `${PROBLEM_BASE}${kind}`, title, detail });
    }
    console.error('[countersign] unhandled error:', err);
    return problem(c, 500, {
      type: `${PROBLEM_BASE}internal`,
      title: 'Internal server error',
      detail: 'Something went wrong on our side; the request was not completed.',
    });
  });

  return app;
}

export type CountersignApp = ReturnType<typeof createApp>;
