import { PDFDocument, PDFString, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';

/**
 * The demo's "uploaded PDF": Northwind Fibre's equipment return authorization form, the kind of
 * fillable PDF a retail team already has. It carries its own AcroForm fields (text, checkbox
 * and an empty signature field), which the builder offers as placed fields, as it would for a
 * real upload. Made with pdf-lib at seed time so no binary sits in the repo.
 */
export async function returnAuthorizationPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle('Equipment return authorization');
  pdf.setAuthor('Northwind Fibre Ltd');
  const page = pdf.addPage([595.28, 841.89]); // A4
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const form = pdf.getForm();
  const ink = rgb(0.11, 0.16, 0.26);
  const muted = rgb(0.35, 0.38, 0.45);
  const text = (p: PDFPage, s: string, x: number, y: number, size: number, font: PDFFont = regular, color = ink) =>
    p.drawText(s, { x, y, size, font, color });

  page.drawRectangle({ x: 0, y: 781.89, width: 595.28, height: 60, color: rgb(0.05, 0.33, 0.55) });
  text(page, 'Northwind Fibre', 48, 812, 18, bold, rgb(1, 1, 1));
  text(page, 'Equipment return authorization (RMA)', 48, 792, 11, regular, rgb(1, 1, 1));
  text(page, 'Form NWF-RMA-3 · 2026 edition', 420, 792, 9, regular, rgb(1, 1, 1));

  let y = 740;
  const label = (s: string) => text(page, s, 48, y + 22, 9, bold, muted);
  const input = (name: string, x = 48, width = 499) => {
    const f = form.createTextField(name);
    f.addToPage(page, { x, y, width, height: 18, borderColor: muted, borderWidth: 1 });
    return f;
  };

  label('RETURN AUTHORIZATION NUMBER');
  input('rma_number', 48, 200).enableReadOnly();
  text(page, 'ORDER NUMBER', 280, y + 22, 9, bold, muted);
  input('order_number', 280, 267);
  y -= 50;
  label('CUSTOMER NAME');
  input('customer_name').enableRequired();
  y -= 50;
  label('ITEM BEING RETURNED (MODEL AND SERIAL NUMBER)');
  input('item_description');
  y -= 50;
  label('REASON FOR RETURN');
  input('return_reason');
  y -= 50;
  label('REFUND AMOUNT');
  input('refund_amount', 48, 200);
  text(page, 'COURIER COLLECTION DATE', 280, y + 22, 9, bold, muted);
  input('collection_date', 280, 267);

  y -= 56;
  text(page, 'Conditions of return', 48, y, 12, bold);
  const conditions = [
    '1. Return the equipment with its power supply within 14 days of this authorization.',
    '2. The refund is paid to the original payment method within 10 working days of receipt.',
    '3. Equipment returned damaged beyond normal wear may be charged at its replacement cost.',
    '4. Northwind Fibre erases any stored data from returned equipment before refurbishment.',
  ];
  for (const line of conditions) {
    y -= 18;
    text(page, line, 48, y, 10);
  }

  y -= 40;
  const agree = form.createCheckBox('accept_conditions');
  agree.addToPage(page, { x: 48, y: y - 2, width: 14, height: 14, borderColor: muted, borderWidth: 1 });
  agree.enableRequired();
  text(page, 'I have read the conditions of return and agree to them.', 70, y + 1, 10);

  y -= 80;
  text(page, 'CUSTOMER SIGNATURE', 48, y + 50, 9, bold, muted);
  // pdf-lib has no API to create a signature field: an empty /Sig field (merged with its
  // widget), as signing tools leave in their forms.
  const sig = pdf.context.register(
    pdf.context.obj({
      FT: 'Sig',
      T: PDFString.of('customer_signature'),
      Type: 'Annot',
      Subtype: 'Widget',
      Rect: [48, y, 348, y + 42],
      F: 4,
      P: page.ref,
      MK: { BC: [0.35, 0.38, 0.45] },
    }),
  );
  page.node.addAnnot(sig);
  form.acroForm.addField(sig);
  page.drawRectangle({ x: 48, y, width: 300, height: 42, borderColor: muted, borderWidth: 1 });
  text(page, 'DATE', 380, y + 50, 9, bold, muted);
  input('date_signed', 380, 167);

  text(
    page,
    'Northwind Fibre Ltd · 1 Temple Quay, Bristol BS1 6DZ · returns@northwind.example',
    48,
    40,
    8,
    regular,
    muted,
  );
  return pdf.save();
}
