import { PdfArray, PdfRef, type CheckboxField, type PDF, type SignatureField, type TextField } from '@libpdf/core';
import { pageFrame, userToVisible } from './geometry.ts';
import type { Stamp } from './stamps.ts';

export interface SettledForm {
  /** Form fields turned into page content. */
  flattened: number;
  /** Fields whose own value was cleared because a stamped value takes their place. */
  cleared: string[];
  /** Unsigned signature fields removed (the seal is the document's signature). */
  removedSignatureFields: string[];
}

interface Box {
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Before values are stamped into a fillable PDF, turn its form fields into page content.
 *
 * A widget is drawn above the page content, so an empty field's appearance (often an opaque
 * background) hid the value stamped beneath it, and viewers showed a blank form. Flattening draws
 * each widget's own appearance into the page instead (background and border kept), so the
 * stamps drawn after it land on top and every viewer shows the same page; it also keeps a sealed
 * record from being edited in a viewer. A field a stamp covers loses its own (pre-filled) value
 * first, so the two never print over each other. Signed signature fields stay as they are
 * (earlier signatures must keep verifying); unsigned ones are removed, so the seal is the only
 * signature a reader lists besides those.
 */
export function settleForm(pdf: PDF, stamps: readonly Stamp[]): SettledForm {
  const settled: SettledForm = { flattened: 0, cleared: [], removedSignatureFields: [] };
  let form;
  try {
    form = pdf.getForm();
  } catch {
    return settled;
  }
  if (!form || form.getFields().length === 0) return settled;
  const boxesOf = widgetBoxes(pdf);
  for (const field of form.getFields()) {
    if (field.type !== 'text' && field.type !== 'checkbox') continue;
    const covered = field
      .getWidgets()
      .some((w) => w.ref && boxesOf(w.ref, w.rect).some((b) => stamps.some((s) => covers(s, b))));
    if (!covered) continue;
    try {
      if (field.type === 'text') {
        const text = field as TextField;
        if (text.getValue() !== '') text.setValue('');
      } else {
        const box = field as CheckboxField;
        if (box.isChecked()) box.uncheck();
      }
      settled.cleared.push(field.name);
    } catch {
      // A read-only field keeps its value; the stamp still prints on top of it.
    }
  }
  settled.flattened = form.getFields().filter((f) => f.type !== 'signature').length;
  if (settled.flattened > 0) form.flatten({ skipSignatures: true });
  for (const field of form.getFields()) {
    if (field.type !== 'signature' || (field as SignatureField).isSigned()) continue;
    if (form.removeField(field)) settled.removedSignatureFields.push(field.name);
  }
  return settled;
}

/** A stamp takes a field's place when it covers most of the smaller of the two boxes. */
function covers(s: Box, b: Box): boolean {
  if (s.page !== b.page) return false;
  const w = Math.min(s.x + s.width, b.x + b.width) - Math.max(s.x, b.x);
  const h = Math.min(s.y + s.height, b.y + b.height) - Math.max(s.y, b.y);
  if (w <= 0 || h <= 0) return false;
  return w * h >= 0.5 * Math.min(s.width * s.height, b.width * b.height);
}

/** A widget's box on its page(s), in stamp coordinates (fractions of the visible page, from its top-left). */
function widgetBoxes(pdf: PDF): (ref: PdfRef, rect: [number, number, number, number]) => Box[] {
  const onPages = new Map<string, number[]>();
  const pages = pdf.getPages();
  pages.forEach((p, i) => {
    const annots = p.dict.get('Annots', (r) => pdf.getObject(r));
    if (!(annots instanceof PdfArray)) return;
    for (const a of annots) {
      if (!(a instanceof PdfRef)) continue;
      const key = `${a.objectNumber} ${a.generation}`;
      onPages.set(key, [...(onPages.get(key) ?? []), i]);
    }
  });
  return (ref, [x1, y1, x2, y2]) =>
    (onPages.get(`${ref.objectNumber} ${ref.generation}`) ?? []).map((i) => {
      const frame = pageFrame(pdf, pages[i]!);
      const a = userToVisible(frame, x1, y1);
      const b = userToVisible(frame, x2, y2);
      return {
        page: i + 1,
        x: Math.min(a.x, b.x) / frame.width,
        y: (frame.height - Math.max(a.y, b.y)) / frame.height,
        width: Math.abs(b.x - a.x) / frame.width,
        height: Math.abs(b.y - a.y) / frame.height,
      };
    });
}
