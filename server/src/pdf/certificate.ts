import type { PDF } from '@libpdf/core';
import { appendPage, type DocumentFonts, type PageCanvas, type Rgb } from './canvas.ts';
import type { TextStyle } from './fonts.ts';
import { wrap } from './layout.ts';

export interface CertificateOfCompletion {
  envelopeId: string;
  title: string;
  originalSha256: string;
  /** Supporting documents appended after the contract, as uploaded (their pages are in the original). */
  attachments?: Array<{ name: string; sha256: string; firstPage: number; pages: number }>;
  completedAt: string;
  auditHeadHash: string;
  auditEventCount: number;
  consentVersion: string;
  recipients: Array<{
    name: string;
    email: string;
    role: string;
    action: string;
    status: string;
    ip?: string;
    userAgent?: string;
    device?: string;
    authMethod: string;
    consent?: { version: string; acceptedAt: string };
    steps: Array<{ label: string; at: string }>;
  }>;
}

export interface CertificateContext {
  /** SHA-256 of the stamped document (the first `stampedLength` bytes of the sealed file). */
  stampedSha256: string;
  stampedLength: number;
  signerSubject: string;
  signerCertificateSha256: string;
  /** Size of the new pages (points). */
  pageSize: { width: number; height: number };
}

const MARGIN = 54;
const LABEL_WIDTH = 132;
const GAP = 10;
const GREY: Rgb = [0.35, 0.35, 0.4];
const BLACK: Rgb = [0.1, 0.1, 0.12];
const RULE: Rgb = [0.8, 0.8, 0.84];

/**
 * Append the certificate-of-completion pages. Content flows onto as many pages as it needs;
 * every value wraps within its column (long words and hashes break anywhere).
 */
export function drawCertificate(
  pdf: PDF,
  fonts: DocumentFonts,
  cert: CertificateOfCompletion,
  ctx: CertificateContext,
): PageCanvas[] {
  const { width, height } = ctx.pageSize;
  const pages: PageCanvas[] = [];
  let canvas!: PageCanvas;
  let y = 0;
  const contentWidth = width - 2 * MARGIN;
  const bottom = MARGIN + 24; // room for the footer

  const newPage = () => {
    canvas = appendPage(pdf, fonts, { width, height });
    pages.push(canvas);
    y = height - MARGIN;
  };
  const ensure = (h: number) => {
    if (y - h < bottom) newPage();
  };
  const paragraph = (
    text: string,
    style: TextStyle,
    size: number,
    color: Rgb,
    x = MARGIN,
    w = contentWidth,
    leading = 1.35,
  ) => {
    for (const line of wrap(text, style, size, w)) {
      ensure(size * leading);
      y -= size * leading;
      canvas.fillColor(color);
      canvas.text(line.runs, x, y + size * 0.3, size);
    }
  };
  const heading = (text: string, size = 12) => {
    ensure(size * 2.6 + 14);
    y -= size * 1.2;
    paragraph(text, 'bold', size, BLACK);
    y -= 3;
    canvas.strokeColor(RULE);
    canvas.line(MARGIN, y, width - MARGIN, y, 0.6);
    y -= 4;
  };
  const row = (label: string, value: string) => {
    const size = 9;
    const lh = size * 1.4;
    const valueLines = wrap(value || '—', 'regular', size, contentWidth - LABEL_WIDTH - GAP);
    const labelLines = wrap(label, 'bold', 8, LABEL_WIDTH);
    const n = Math.max(valueLines.length, labelLines.length, 1);
    for (let i = 0; i < n; i++) {
      ensure(lh);
      y -= lh;
      const base = y + size * 0.3;
      const l = labelLines[i];
      if (l) {
        canvas.fillColor(GREY);
        canvas.text(l.runs, MARGIN, base, 8);
      }
      const v = valueLines[i];
      if (v) {
        canvas.fillColor(BLACK);
        canvas.text(v.runs, MARGIN + LABEL_WIDTH + GAP, base, size);
      }
    }
    y -= 2;
  };

  newPage();
  paragraph('Certificate of Completion', 'bold', 20, BLACK, MARGIN, contentWidth, 1.2);
  y -= 4;
  paragraph(
    'This page records how this document was completed in Countersign. It is part of the sealed file: the digital signature that follows covers the document and this certificate.',
    'regular',
    8.5,
    GREY,
  );

  heading('Envelope');
  row('Envelope ID', cert.envelopeId);
  row('Title', cert.title);
  row('Completed at', cert.completedAt);
  row('Consent disclosure version', cert.consentVersion);

  heading('Document integrity');
  row('Original document SHA-256', cert.originalSha256);
  for (const a of cert.attachments ?? []) {
    const pages = a.pages > 1 ? `pages ${a.firstPage}–${a.firstPage + a.pages - 1}` : `page ${a.firstPage}`;
    row(`Attachment (${pages}) SHA-256`, `${a.sha256}  ${a.name}`);
  }
  row('Final document SHA-256', ctx.stampedSha256);
  paragraph(
    `The original hash is of the PDF as uploaded. The final hash is of the document after every field value was stamped into its pages and before this certificate was added: it is the SHA-256 of the first ${ctx.stampedLength} bytes of this file. The certificate and the digital seal were appended to that document as incremental updates.`,
    'regular',
    8,
    GREY,
    MARGIN + LABEL_WIDTH + GAP,
    contentWidth - LABEL_WIDTH - GAP,
  );
  y -= 4;
  row('Sealed by', ctx.signerSubject);
  row('Seal certificate SHA-256', ctx.signerCertificateSha256);

  heading('Audit trail');
  row('Audit chain head hash', cert.auditHeadHash);
  row('Audit events', String(cert.auditEventCount));

  heading(`Recipients (${cert.recipients.length})`);
  cert.recipients.forEach((r, i) => {
    ensure(40);
    y -= 6;
    paragraph(`${i + 1}. ${r.name}`, 'bold', 10.5, BLACK);
    row('Email', r.email);
    row('Role', r.role);
    row('Action / status', `${r.action} / ${r.status}`);
    row('Authentication', r.authMethod);
    row('IP address', r.ip ?? 'not recorded');
    row('Device', r.device ?? 'not recorded');
    if (r.userAgent) row('User agent', r.userAgent);
    row('Consent', r.consent ? `version ${r.consent.version}, accepted ${r.consent.acceptedAt}` : 'not recorded');
    if (r.steps.length === 0) row('Steps', 'none recorded');
    r.steps.forEach((s, j) => row(j === 0 ? 'Steps' : '', `${s.at}  ${s.label}`));
  });

  // Footers, now that the page count is known.
  pages.forEach((p, i) => {
    const footer = `Countersign certificate of completion · envelope ${cert.envelopeId} · page ${i + 1} of ${pages.length}`;
    const line = wrap(footer, 'regular', 7, contentWidth)[0];
    if (!line) return;
    p.strokeColor(RULE);
    p.line(MARGIN, MARGIN + 12, width - MARGIN, MARGIN + 12, 0.5);
    p.fillColor(GREY);
    p.text(line.runs, MARGIN, MARGIN, 7);
  });
  return pages;
}
