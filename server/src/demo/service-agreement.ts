import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';

/**
 * The demo's broadband service agreement: Northwind Fibre's three-page contract, made with
 * pdf-lib at seed time (no binary in the repo, no borrowed fixture). Where the text leaves a
 * labelled box for the customer, the generator records it as a template field placement, so the
 * fields always sit on the boxes the pages draw. Deterministic: the same bytes on every start.
 */

const A4 = { width: 595.28, height: 841.89 } as const;
const MARGIN = 56;
const INK = rgb(0.11, 0.16, 0.26);
const MUTED = rgb(0.35, 0.38, 0.45);
const BRAND = rgb(0.05, 0.33, 0.55);
/** A fixed date for the document's metadata, so the seed's upload is byte-identical each time. */
const EDITION_DATE = new Date('2026-01-05T09:00:00Z');

export interface AgreementField {
  id: string;
  key?: string;
  type: 'text' | 'initials' | 'signature' | 'date_signed' | 'checkbox';
  role: string;
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  required?: boolean;
  label: string;
}

export interface ServiceAgreement {
  pdf: Uint8Array;
  pages: number;
  fields: AgreementField[];
}

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
}

/** One page being written top-down: a cursor, wrapped paragraphs and boxes that become fields. */
class PageWriter {
  y = A4.height - MARGIN;

  constructor(
    readonly page: PDFPage,
    readonly number: number,
    readonly fonts: Fonts,
    readonly fields: AgreementField[],
    readonly role: string,
  ) {}

  text(s: string, x: number, y: number, size: number, font = this.fonts.regular, color = INK): void {
    this.page.drawText(s, { x, y, size, font, color });
  }

  heading(s: string): void {
    this.y -= 22;
    this.text(s, MARGIN, this.y, 12, this.fonts.bold, BRAND);
    this.y -= 6;
  }

  paragraph(s: string, size = 9.5, indent = 0): void {
    const width = A4.width - 2 * MARGIN - indent;
    let line = '';
    const flush = () => {
      this.y -= size * 1.45;
      this.text(line, MARGIN + indent, this.y, size);
      line = '';
    };
    for (const word of s.split(' ')) {
      const next = line ? `${line} ${word}` : word;
      if (this.fonts.regular.widthOfTextAtSize(next, size) > width && line) {
        flush();
        line = word;
      } else line = next;
    }
    if (line) flush();
    this.y -= 3;
  }

  /** A numbered clause: its number in bold, then the wrapped text. */
  clause(n: string, s: string): void {
    this.y -= 2;
    this.text(n, MARGIN, this.y - 9.5 * 1.45, 9.5, this.fonts.bold);
    this.paragraph(s, 9.5, 26);
  }

  /** A labelled box at (x, top) in points from the top-left, recorded as a field placement. */
  box(
    field: Omit<AgreementField, 'page' | 'x' | 'y' | 'width' | 'height' | 'role'>,
    x: number,
    top: number,
    w: number,
    h: number,
    caption?: string,
  ): void {
    const y = A4.height - top - h;
    this.page.drawRectangle({ x, y, width: w, height: h, borderColor: MUTED, borderWidth: 0.75 });
    if (caption) this.text(caption, x, y + h + 4, 7.5, this.fonts.bold, MUTED);
    this.fields.push({
      ...field,
      role: this.role,
      page: this.number,
      x: round(x / A4.width),
      y: round(top / A4.height),
      width: round(w / A4.width),
      height: round(h / A4.height),
    });
  }

  footer(total: number): void {
    this.page.drawLine({
      start: { x: MARGIN, y: 46 },
      end: { x: A4.width - MARGIN, y: 46 },
      thickness: 0.5,
      color: MUTED,
    });
    this.text(
      'Northwind Fibre Ltd · Broadband service agreement NWF-BSA-7 (2026 edition)',
      MARGIN,
      32,
      7.5,
      this.fonts.regular,
      MUTED,
    );
    this.text(`Page ${this.number} of ${total}`, A4.width - MARGIN - 44, 32, 7.5, this.fonts.regular, MUTED);
  }
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

const SPEEDS: Array<[string, string, string, string, string]> = [
  ['Fibre 150', '150 Mbps', '30 Mbps', '120 Mbps', '£26.00'],
  ['Fibre 500', '500 Mbps', '75 Mbps', '400 Mbps', '£32.00'],
  ['Fibre 900', '900 Mbps', '110 Mbps', '750 Mbps', '£38.00'],
];

/** Builds the agreement and the fields for the signer role `role`. */
export async function serviceAgreementPdf(role: string): Promise<ServiceAgreement> {
  const pdf = await PDFDocument.create();
  pdf.setTitle('Broadband service agreement');
  pdf.setAuthor('Northwind Fibre Ltd');
  pdf.setSubject('Residential fibre broadband: terms of service, NWF-BSA-7');
  pdf.setProducer('Countersign demo');
  pdf.setCreator('Countersign demo');
  pdf.setCreationDate(EDITION_DATE);
  pdf.setModificationDate(EDITION_DATE);
  const fonts: Fonts = {
    regular: await pdf.embedFont(StandardFonts.Helvetica),
    bold: await pdf.embedFont(StandardFonts.HelveticaBold),
  };
  const fields: AgreementField[] = [];
  const TOTAL = 3;
  const pages = [1, 2, 3].map((n) => new PageWriter(pdf.addPage([A4.width, A4.height]), n, fonts, fields, role));
  const [p1, p2, p3] = pages as [PageWriter, PageWriter, PageWriter];

  // Page 1: parties, the service, speeds and price.
  p1.page.drawRectangle({ x: 0, y: A4.height - 70, width: A4.width, height: 70, color: BRAND });
  p1.text('Northwind Fibre', MARGIN, A4.height - 36, 18, fonts.bold, rgb(1, 1, 1));
  p1.text('Broadband service agreement', MARGIN, A4.height - 56, 11, fonts.regular, rgb(1, 1, 1));
  p1.text('NWF-BSA-7 · 2026 edition', A4.width - MARGIN - 112, A4.height - 56, 9, fonts.regular, rgb(1, 1, 1));
  p1.y = A4.height - 96;
  p1.paragraph(
    'This agreement is between Northwind Fibre Ltd, 1 Temple Quay, Bristol BS1 6DZ, registered in England and ' +
      'Wales under company number 09876543 ("Northwind", "we"), and the account holder named below ("you"). ' +
      'It covers the fibre broadband service at the service address, the equipment we lend you and how either ' +
      'of us may end the agreement. Please read all three pages before you sign.',
  );

  p1.heading('The parties');
  const left = MARGIN;
  const full = A4.width - 2 * MARGIN;
  let top = A4.height - p1.y + 20;
  p1.box(
    { id: 'account_holder', key: 'customer_name', type: 'text', label: 'Account holder' },
    left,
    top,
    full * 0.62,
    20,
    'ACCOUNT HOLDER',
  );
  p1.box(
    { id: 'account_number', key: 'account_number', type: 'text', label: 'Account number' },
    left + full * 0.66,
    top,
    full * 0.34,
    20,
    'ACCOUNT NUMBER',
  );
  top += 42;
  p1.box(
    { id: 'service_address', key: 'service_address', type: 'text', label: 'Service address' },
    left,
    top,
    full,
    20,
    'SERVICE ADDRESS',
  );
  top += 42;
  p1.box(
    { id: 'install_phone', type: 'text', required: true, label: 'Phone number for the installer' },
    left,
    top,
    full * 0.5,
    20,
    'PHONE NUMBER FOR THE INSTALLER (WE CALL IT ONLY ABOUT YOUR INSTALLATION)',
  );
  p1.y = A4.height - top - 20;

  p1.heading('1. The service');
  p1.paragraph(
    'We provide a full-fibre broadband connection to the service address on the plan below, with unlimited ' +
      'data and no traffic management. Speeds are to and from the Northwind network; the minimum guaranteed ' +
      'download speed is the speed we commit to at peak time (8 pm to 10 pm).',
  );
  top = A4.height - p1.y + 16;
  p1.box({ id: 'plan', key: 'plan', type: 'text', label: 'Plan' }, left, top, full * 0.3, 20, 'YOUR PLAN');
  p1.box(
    { id: 'monthly_price', key: 'monthly_price', type: 'text', label: 'Monthly price' },
    left + full * 0.34,
    top,
    full * 0.3,
    20,
    'MONTHLY PRICE (INCL. VAT)',
  );
  p1.y = A4.height - top - 20 - 8;

  // The speed table.
  const cols = [left, left + 110, left + 210, left + 310, left + 420];
  const header = ['Plan', 'Download', 'Upload', 'Minimum guaranteed', 'Monthly price'];
  p1.y -= 18;
  p1.page.drawRectangle({ x: left, y: p1.y - 5, width: full, height: 17, color: rgb(0.92, 0.95, 0.98) });
  header.forEach((h, i) => p1.text(h, cols[i]! + 4, p1.y, 8.5, fonts.bold));
  for (const row of SPEEDS) {
    p1.y -= 16;
    row.forEach((cell, i) => p1.text(cell, cols[i]! + 4, p1.y, 8.5));
  }
  p1.y -= 6;

  p1.heading('2. Price and payment');
  p1.clause(
    '2.1',
    'You pay the monthly price shown above, including VAT, by direct debit, monthly in advance. There is no ' +
      'installation charge on a 24-month term.',
  );
  p1.clause(
    '2.2',
    'Each April the monthly price rises by a fixed £2.00. We tell you of any other change at least 30 days ' +
      'before it applies, and you may then leave without an early termination charge.',
  );
  p1.clause(
    '2.3',
    'Calls, if you add our phone service, are charged as set out in our price guide at northwind.example/prices.',
  );

  top = A4.height - 150;
  p1.text('Please initial to confirm you have received all three pages:', left, A4.height - top - 20, 9.5);
  p1.box(
    { id: 'initials', type: 'initials', required: true, label: 'Initials: I received all pages' },
    left + 300,
    top,
    90,
    34,
    'INITIALS',
  );

  // Page 2: term, cancellation, equipment, faults, data protection.
  p2.heading('3. Minimum term and cancellation');
  p2.clause('3.1', 'The agreement starts on the day your service goes live and has a minimum term of 24 months.');
  p2.clause(
    '3.2',
    'You may cancel within 14 days of signing without giving a reason and without charge (your cooling-off ' +
      'period). Call 0800 000 0000 or write to cancellations@northwind.example.',
  );
  p2.clause(
    '3.3',
    'If you end the agreement during the minimum term, an early termination charge applies: the monthly price ' +
      'for each remaining month, less 20 per cent for the costs we save. There is no charge if you move to an ' +
      'address we cannot serve.',
  );
  p2.clause(
    '3.4',
    'After the minimum term the agreement runs month to month, and either of us may end it with 30 days\u2019 notice.',
  );

  p2.heading('4. Equipment');
  p2.clause(
    '4.1',
    'We lend you a Northwind Hub 3 router and, where needed, an optical network terminal. They remain our ' +
      'property; please keep them powered on and in a ventilated place.',
  );
  p2.clause(
    '4.2',
    'When the agreement ends, return the equipment within 30 days using the prepaid returns bag. Equipment we ' +
      'do not receive is charged at £60.00 for the router and £40.00 for the terminal.',
  );

  p2.heading('5. Installation');
  p2.paragraph(
    'An engineer installs the service at the service address on an agreed date. An adult must be present. The ' +
      'installer calls the phone number you give on page 1 on the morning of the appointment.',
  );

  p2.heading('6. Faults and compensation');
  p2.clause('6.1', 'Report faults at northwind.example/help or on 0800 000 0000, 24 hours a day.');
  p2.clause(
    '6.2',
    'If your service stops working and is not fixed within two full working days, we pay £9.76 for each ' +
      'further calendar day, and £30.00 for a missed engineer appointment, in line with Ofcom\u2019s automatic ' +
      'compensation scheme.',
  );
  p2.clause(
    '6.3',
    'If your download speed is below the minimum guaranteed speed for three days in a row and we cannot fix it ' +
      'within 30 days, you may leave without an early termination charge.',
  );

  p2.heading('7. Data protection');
  p2.paragraph(
    'Northwind Fibre Ltd is the controller of the personal data in this agreement. We use it to provide and ' +
      'bill the service, to meet our legal obligations and, if you agree separately, to tell you about offers. ' +
      'We keep your account records for six years after the agreement ends. You may ask for a copy of your ' +
      'data, its correction or its erasure by writing to privacy@northwind.example. You may complain to the ' +
      'Information Commissioner\u2019s Office (ico.org.uk).',
  );

  p2.heading('8. Complaints');
  p2.paragraph(
    'Tell us first and we will try to put it right. If we cannot resolve your complaint within eight weeks, or ' +
      'we write to you that we cannot, you may take it to our independent dispute resolution scheme, ' +
      'Communications Ombudsman, free of charge.',
  );

  // Page 3: general terms and the signature block.
  p3.heading('9. General');
  p3.clause('9.1', 'This agreement and our price guide are the whole agreement between us about the service.');
  p3.clause('9.2', 'We may transfer this agreement to another company in our group; your rights stay the same.');
  p3.clause('9.3', 'The laws of England and Wales govern this agreement, and its courts may hear any dispute.');

  p3.heading('10. Signatures');
  p3.paragraph(
    'By signing you confirm that the details on page 1 are correct and that you accept this agreement, ' +
      'including the 24-month minimum term.',
  );
  top = A4.height - p3.y + 14;
  p3.box(
    {
      id: 'accept_terms',
      type: 'checkbox',
      required: true,
      label: 'I agree to the service terms and the 24-month minimum term',
    },
    left,
    top,
    14,
    14,
  );
  p3.text('I agree to the service terms and the 24-month minimum term.', left + 22, A4.height - top - 11, 10);
  top += 52;
  p3.box(
    { id: 'signature', type: 'signature', required: true, label: 'Customer signature' },
    left,
    top,
    full * 0.56,
    56,
    'CUSTOMER SIGNATURE',
  );
  p3.box(
    { id: 'date_signed', type: 'date_signed', required: true, label: 'Date signed' },
    left + full * 0.62,
    top + 30,
    full * 0.38,
    26,
    'DATE',
  );
  top += 86;
  p3.box(
    { id: 'printed_name', key: 'customer_name', type: 'text', label: 'Printed name' },
    left,
    top,
    full * 0.56,
    22,
    'PRINTED NAME',
  );

  p3.y = A4.height - top - 22 - 24;
  p3.text('Signed for Northwind Fibre Ltd', left, p3.y, 8.5, fonts.bold, MUTED);
  p3.y -= 16;
  p3.text('Helen Okafor, Director of Customer Operations, under the authority of the board', left, p3.y, 9.5);
  p3.y -= 14;
  p3.text('Northwind Fibre Ltd · 1 Temple Quay, Bristol BS1 6DZ · 0800 000 0000', left, p3.y, 9.5);

  for (const p of pages) p.footer(TOTAL);
  return { pdf: await pdf.save({ useObjectStreams: false }), pages: TOTAL, fields };
}
