// Kept in its own module so only bundlers that understand `?url` (Vite) ever see it: the worker
// is emitted as a separate asset and never inlined into an entry.
export { default } from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
