/**
 * A PDF file of `objects` (object 1 first: the catalog), with its cross-reference table, for
 * stories that show a document without a server. Text only in ASCII, so string offsets are byte
 * offsets.
 */
export function pdfFile(objects: string[]): string {
  let out = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const offset = out.length;
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return out;
}

/** `text` as a PDF string's content in Helvetica: other than printable ASCII prints as "?". */
export const pdfText = (text: string) => text.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`);
