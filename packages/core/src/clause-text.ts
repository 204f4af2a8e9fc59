/**
 * The clause text format: a small, safe subset of Markdown that legal writes and that both the
 * PDF renderer and the browser preview read. Blocks are paragraphs, numbered lists (`1. `) and
 * bulleted lists (`- ` or `* `), separated by blank lines; inline, `**bold**` and `*italic*`,
 * and `{{variables}}`. Nothing else is markup: no HTML, no links, no images.
 */

export interface TextRun {
  text: string;
  bold?: boolean;
  italic?: boolean;
}

export type ClauseBlock =
  { kind: 'paragraph'; runs: TextRun[] } | { kind: 'list'; ordered: boolean; items: TextRun[][] };

const ORDERED = /^\s*\d{1,3}[.)]\s+/;
const BULLET = /^\s*[-*•]\s+/;

/** Splits one line of text into bold/italic runs; unmatched markers stay as text. */
export function parseInline(text: string): TextRun[] {
  const runs: TextRun[] = [];
  const push = (run: TextRun) => {
    if (!run.text) return;
    const last = runs.at(-1);
    if (last && Boolean(last.bold) === Boolean(run.bold) && Boolean(last.italic) === Boolean(run.italic)) {
      last.text += run.text;
    } else runs.push(run);
  };
  const pattern = /\*\*(.+?)\*\*|\*(?!\s)(.+?)(?<!\s)\*/g;
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    push({ text: text.slice(at, match.index) });
    if (match[1] !== undefined) {
      // Italic may nest inside bold: **all *of* it**
      for (const inner of parseInline(match[1])) push({ ...inner, bold: true });
    } else push({ text: match[2]!, italic: true });
    at = match.index + match[0].length;
  }
  push({ text: text.slice(at) });
  return runs.map((r) => ({ text: r.text, ...(r.bold ? { bold: true } : {}), ...(r.italic ? { italic: true } : {}) }));
}

/** Parses clause text into blocks. Lines of a paragraph are joined with a space. */
export function parseClauseText(source: string): ClauseBlock[] {
  const blocks: ClauseBlock[] = [];
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | undefined;
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', runs: parseInline(paragraph.join(' ')) });
    paragraph = [];
    if (list) blocks.push({ kind: 'list', ordered: list.ordered, items: list.items.map(parseInline) });
    list = undefined;
  };
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) {
      flush();
      continue;
    }
    const ordered = ORDERED.test(raw);
    const bullet = !ordered && BULLET.test(raw);
    if (ordered || bullet) {
      if (paragraph.length || (list && list.ordered !== ordered)) flush();
      list ??= { ordered, items: [] };
      list.items.push(raw.replace(ordered ? ORDERED : BULLET, '').trim());
    } else if (list) {
      // A continuation line of the last list item.
      list.items[list.items.length - 1] += ` ${line}`;
    } else paragraph.push(line);
  }
  flush();
  return blocks;
}

/** The plain text of blocks (for search, diffs and accessibility). */
export function clauseBlocksToText(blocks: readonly ClauseBlock[]): string {
  return blocks
    .map((b) =>
      b.kind === 'paragraph'
        ? b.runs.map((r) => r.text).join('')
        : b.items.map((item, i) => `${b.ordered ? `${i + 1}.` : '•'} ${item.map((r) => r.text).join('')}`).join('\n'),
    )
    .join('\n\n');
}
