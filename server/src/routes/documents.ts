import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { DomainError, invalid } from '../errors.ts';
import { requireRole } from '../services/auth.ts';
import { DOCUMENT_ROLES, publicDocument } from '../services/documents.ts';
import { servePdf } from './blob-response.ts';
import { Id, jsonResponse, problems, router, security, staffAuth, staffOnly, type AppEnv } from './common.ts';

const PdfFormFieldSchema = z
  .object({
    name: z.string(),
    type: z.enum(['signature', 'initials', 'date_signed', 'text', 'checkbox']),
    pdfType: z.string(),
    page: z.number().int(),
    x: z.number(),
    y: z.number(),
    width: z.number(),
    height: z.number(),
    required: z.boolean(),
  })
  .openapi('PdfFormField');

const DocumentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    sha256: z.string(),
    pages: z.number().int(),
    size: z.number().int(),
    createdAt: z.string(),
    sourceType: z.enum(['pdf', 'png', 'jpeg']),
    originalSize: z.number().int(),
    formFields: z.array(PdfFormFieldSchema),
  })
  .openapi('Document');

/** Refuses before reading the body: the role first, then a declared Content-Length over the limit. */
const uploadGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  requireRole(c.get('staff'), DOCUMENT_ROLES);
  const max = c.get('services').deps.config.maxUploadBytes;
  const declared = Number(c.req.header('content-length'));
  // Multipart framing adds a little; allow 64 KB of it above the file limit.
  if (Number.isFinite(declared) && declared > max + 65_536) {
    throw new DomainError('payload-too-large', `The upload is larger than the limit of ${max} bytes`);
  }
  const type = c.req.header('content-type') ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    throw new DomainError('unsupported-media-type', 'Send the file as multipart/form-data in the field "file"', {
      errors: [{ path: 'file', message: 'Required' }],
    });
  }
  // Bodies without a Content-Length (chunked) are cut off while streaming.
  return bodyLimit({
    maxSize: max + 65_536,
    onError: () => {
      throw new DomainError('payload-too-large', `The upload is larger than the limit of ${max} bytes`);
    },
  })(c, next);
};

const upload = createRoute({
  method: 'post',
  path: '/',
  summary: 'Upload a PDF, or a PNG/JPEG photo or scan (any staff role; an agent reads back only its own uploads)',
  description:
    'multipart/form-data with the file in `file`. PNG and JPEG (known by their bytes, not the name) are turned upright ' +
    '(EXIF), downscaled to at most 2000 px on the long side, recompressed as JPEG and placed on one A4 page. ' +
    'Refused with 415 (neither PDF nor PNG/JPEG, or not multipart), 422 (encrypted, damaged, empty; an image that ' +
    'cannot be decoded or is over the pixel limit) or 413 (over the size limit, checked from Content-Length first and from the bytes).',
  security,
  middleware: [staffAuth, uploadGuard],
  request: {
    body: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: z.object({ file: z.any().openapi({ type: 'string', format: 'binary' }) }),
        },
      },
    },
  },
  responses: {
    201: jsonResponse(DocumentSchema, 'Stored'),
    413: problems[422],
    415: problems[422],
    ...problems,
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  summary: 'Document metadata with its AcroForm fields (any staff role; an agent only its own uploads)',
  ...staffOnly,
  request: { params: z.object({ id: Id('id', 'doc_123') }) },
  responses: { 200: jsonResponse(DocumentSchema, 'Document'), ...problems },
});

const content = createRoute({
  method: 'get',
  path: '/{id}/content',
  summary: 'The stored PDF, with Range and ETag (same read rule as the metadata)',
  ...staffOnly,
  request: { params: z.object({ id: Id('id', 'doc_123') }) },
  responses: {
    200: { description: 'PDF', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } } },
    206: { description: 'Partial PDF (Range)' },
    304: { description: 'Not modified (If-None-Match)' },
    416: problems[422],
    ...problems,
  },
});

export const documentRoutes = router()
  .openapi(upload, async (c) => {
    const body = await c.req.parseBody();
    const file = body['file'];
    if (!(file instanceof File)) {
      throw invalid('The file is missing', [{ path: 'file', message: 'Required: a file in the field "file"' }]);
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const doc = await c.get('services').documents.upload(c.get('staff'), { name: file.name, bytes });
    return c.json(publicDocument(doc), 201);
  })
  .openapi(get, async (c) => {
    const doc = await c.get('services').documents.get(c.get('staff'), c.req.valid('param').id);
    return c.json(publicDocument(doc), 200);
  })
  .openapi(content, async (c) => {
    const doc = await c.get('services').documents.get(c.get('staff'), c.req.valid('param').id);
    // An image upload is served as the PDF it became.
    const name =
      doc.sourceType && doc.sourceType !== 'pdf' ? `${doc.name.replace(/\.(png|jpe?g)$/i, '')}.pdf` : doc.name;
    return servePdf(c, doc.sha256, name);
  });
