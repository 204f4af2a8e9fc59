import { createRoute, z } from '@hono/zod-openapi';
import { pdfResponse } from './blob-response.ts';
import { jsonBody, MergeDataInput, problems, router, staffOnly } from './common.ts';
import { ClausesSourceInput, PdfBody, Variables } from './templates.ts';

const PreviewInput = z
  .strictObject({
    source: ClausesSourceInput,
    variables: Variables.optional(),
    mergeData: MergeDataInput.optional(),
  })
  .openapi('SourcePreviewInput');

const preview = createRoute({
  method: 'post',
  path: '/',
  summary: 'Unsaved builder state (a clauses source) as a PDF (admin, legal)',
  description:
    'Checked as saving it would be (library references resolved, conditions checked: 422 otherwise); merge values ' +
    'that are missing or invalid print as blanks such as "[fee]".',
  ...staffOnly,
  request: { body: jsonBody(PreviewInput) },
  responses: { 200: PdfBody, ...problems },
});

export const previewRoutes = router().openapi(preview, async (c) => {
  const bytes = await c.get('services').templates.previewSource(c.get('staff'), c.req.valid('json'));
  return pdfResponse(bytes, 'preview.pdf');
});
