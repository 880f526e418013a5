import type { BlockKind } from '../../core/types.js';
import { MARK_KINDS } from '../../core/types.js';
import type { ReadBlock, ReadDocument } from './document-model.js';

/** Refused beyond this many pages (a PDF that large is a book or a scan; say so rather than run for minutes). */
export const MAX_PDF_PAGES = 2000;
/** A line this much taller than the body text is a heading. */
const HEADING_SCALE = 1.15;
/** Lines repeating at the same place on at least this share of pages (and 2) are running headers or footers. */
const FURNITURE_SHARE = 0.5;
/** Only the top and bottom of a page hold furniture. */
const MARGIN_SHARE = 0.12;
const PAGE_NUMBER = /^\s*(?:page\s*)?\d+(?:\s*(?:of|\/)\s*\d+)?\s*$/i;
const LIST_MARKER = /^\s*(?:[•◦▪‣●○■□–—*-]|\d{1,3}[.)]|[a-z][.)])\s+/u;
const SENTENCE_END = /[.!?:;…)"”’]$/u;

/** A reader's refusal: the file is skipped with this reason. */
export class UnreadableDocument extends Error {
  override name = 'UnreadableDocument';
}

interface Line {
  readonly page: number;
  readonly y: number;
  readonly x: number;
  readonly size: number;
  readonly text: string;
  /** [start, end] of monospace runs in `text`. */
  readonly code: readonly number[];
  readonly monospace: boolean;
  /** Distance to the line above on the same page (0 for the first line of a page). */
  gap: number;
}

interface TextItemLike {
  readonly str: string;
  readonly transform: number[];
  readonly width: number;
  readonly height: number;
  readonly fontName: string;
  readonly hasEOL: boolean;
}

/**
 * A PDF's text layer read with pdf.js, page by page: items are laid into lines by their baseline,
 * lines repeating at the same place on most pages (running headers, footers, page numbers) are
 * dropped, larger lines become headings, monospace lines code, and the rest paragraphs by their
 * vertical gaps; wrapped lines and hyphenation are joined, and a paragraph that runs over a page
 * break stays one (its page breaks are kept, so every quote knows its page).
 */
export function readPdf(bytes: Uint8Array): Promise<ReadDocument> {
  // One PDF at a time: pdf.js in Node runs every document through one fake worker, and a document
  // failing to open (an encrypted one) while another is being read could take the other down with it.
  const read = pdfQueue.then(() => readOnePdf(bytes));
  pdfQueue = read.then(
    () => undefined,
    () => undefined,
  );
  return read;
}

let pdfQueue: Promise<void> = Promise.resolve();

async function readOnePdf(bytes: Uint8Array): Promise<ReadDocument> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let pdf: Awaited<ReturnType<typeof pdfjs.getDocument>['promise']>;
  try {
    pdf = await pdfjs.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, useSystemFonts: false, verbosity: 0 }).promise;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'PasswordException') throw new UnreadableDocument('an encrypted PDF (it needs a password): save it without one');
    throw new UnreadableDocument(`not a readable PDF (${(error as Error).message})`);
  }
  try {
    if (pdf.numPages > MAX_PDF_PAGES) throw new UnreadableDocument(`${pdf.numPages} pages, more than the ${MAX_PDF_PAGES} read`);
    const metadata = await pdf.getMetadata().catch(() => null);
    const info = (metadata?.info ?? {}) as { Title?: string; CreationDate?: string };
    const lines: Line[] = [];
    const heights: number[] = [];
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number);
      const height = page.view[3] ?? 792;
      heights.push(height);
      const content = await page.getTextContent();
      const monospace = new Set(
        Object.entries(content.styles)
          .filter(([, style]) => /mono|courier|consol/i.test(`${style.fontFamily}`))
          .map(([name]) => name),
      );
      const items = content.items.filter((item) => 'str' in item) as unknown as TextItemLike[];
      lines.push(...linesOf(items, number, height, monospace));
      page.cleanup();
    }
    if (!lines.some((line) => /\p{L}{2}/u.test(line.text))) {
      throw new UnreadableDocument('no text layer (a scanned PDF?): run it through OCR first');
    }
    const body = withoutFurniture(lines, heights, pdf.numPages);
    const date = /^D:(\d{4})(\d{2})(\d{2})/.exec(info.CreationDate ?? '');
    return {
      format: 'pdf',
      title: info.Title?.trim() || null,
      date: date ? `${date[1]}-${date[2]}-${date[3]}` : null,
      blocks: blocksOf(body),
    };
  } finally {
    await pdf.destroy();
  }
}

/** Items into lines: a new line where pdf.js marks an end of line or the baseline moves. */
function linesOf(items: readonly TextItemLike[], page: number, pageHeight: number, monospace: ReadonlySet<string>): Line[] {
  const lines: Line[] = [];
  let text = '';
  let code: number[] = [];
  let y = Number.NaN;
  let x = 0;
  let size = 0;
  let right = 0;
  let allMono = true;
  const end = () => {
    if (text.trim()) {
      const trimmed = text.trimEnd();
      lines.push({ page, y: pageHeight - y, x, size, text: trimmed, code, monospace: allMono, gap: 0 });
    }
    text = '';
    code = [];
    size = 0;
    allMono = true;
  };
  for (const item of items) {
    const [a = 0, b = 0, , , left = 0, baseline = 0] = item.transform;
    const itemSize = Math.hypot(a, b) || item.height;
    if (text && Math.abs(baseline - y) > itemSize * 0.4) end();
    if (!item.str) {
      if (item.hasEOL) end();
      continue;
    }
    if (!text) {
      y = baseline;
      x = left;
    } else if (left - right > itemSize * 0.15 && !/\s$/.test(text) && !/^\s/.test(item.str)) {
      text += ' ';
    }
    const mono = monospace.has(item.fontName);
    if (mono && item.str.trim()) code.push(text.length, text.length + item.str.length);
    if (item.str.trim()) allMono &&= mono;
    text += item.str;
    size = Math.max(size, itemSize);
    right = left + item.width;
    if (item.hasEOL) end();
  }
  end();
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index] as Line;
    line.gap = Math.max(0, line.y - (lines[index - 1] as Line).y);
  }
  return lines;
}

/** Drop running headers and footers (the same text, digits aside, at the same height on many pages) and page numbers. */
function withoutFurniture(lines: readonly Line[], heights: readonly number[], pages: number): Line[] {
  const key = (line: Line) => `${Math.round(line.y / 3)}|${line.text.replace(/\d+/g, '#').replace(/\s+/g, ' ').trim()}`;
  const pagesWith = new Map<string, Set<number>>();
  for (const line of lines) {
    const found = pagesWith.get(key(line)) ?? new Set<number>();
    found.add(line.page);
    pagesWith.set(key(line), found);
  }
  const repeated = Math.max(2, Math.ceil(pages * FURNITURE_SHARE));
  return lines.filter((line) => {
    const height = heights[line.page - 1] ?? 792;
    const inMargin = line.y < height * MARGIN_SHARE || line.y > height * (1 - MARGIN_SHARE);
    if (!inMargin) return true;
    if (PAGE_NUMBER.test(line.text)) return false;
    return pages < 2 || (pagesWith.get(key(line))?.size ?? 0) < repeated;
  });
}

const median = (values: readonly number[]) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)] ?? 0;

/** Lines into blocks: headings by size, code by font, paragraphs and list items by gaps and markers. */
function blocksOf(lines: readonly Line[]): ReadBlock[] {
  const prose = lines.filter((line) => !line.monospace);
  const bodySize = median(prose.flatMap((line) => Array<number>(Math.min(line.text.length, 200)).fill(Math.round(line.size * 10) / 10)));
  const spacing =
    median(prose.filter((line) => line.gap > 0 && Math.abs(line.size - bodySize) < 0.5).map((line) => line.gap)) || bodySize * 1.2;
  const headingSizes = [
    ...new Set(prose.filter((line) => line.size >= bodySize * HEADING_SCALE).map((line) => Math.round(line.size))),
  ].sort((left, right) => right - left);
  const blocks: ReadBlock[] = [];
  const path: { level: number; text: string }[] = [];
  let open: { kind: BlockKind; text: string; marks: number[]; page: number; breaks: number[]; last: Line } | null = null;
  const close = () => {
    if (open?.text.trim()) {
      blocks.push({
        kind: open.kind,
        text: open.text,
        section: (open.kind === 'heading' ? path.slice(0, -1) : path).map((heading) => heading.text),
        ...(open.marks.length ? { marks: open.marks } : {}),
        page: open.page,
        ...(open.breaks.length ? { pageBreaks: open.breaks } : {}),
      });
    }
    open = null;
  };
  for (const line of lines) {
    const isHeading = !line.monospace && line.size >= bodySize * HEADING_SCALE && line.text.length <= 150;
    if (isHeading) {
      const level = headingSizes.indexOf(Math.round(line.size)) + 1;
      const previous: typeof open = open;
      if (
        previous &&
        previous.kind === 'heading' &&
        previous.last.page === line.page &&
        Math.abs(previous.last.size - line.size) < 0.5 &&
        line.gap <= line.size * 1.6
      ) {
        previous.text += ` ${line.text.trim()}`;
        previous.last = line;
        (path.at(-1) as { text: string }).text = previous.text;
        continue;
      }
      close();
      while ((path.at(-1)?.level ?? 0) >= level) path.pop();
      const text = line.text.trim();
      path.push({ level, text });
      open = { kind: 'heading', text, marks: [], page: line.page, breaks: [], last: line };
      continue;
    }
    const kind: BlockKind = line.monospace ? 'code' : LIST_MARKER.test(line.text) ? 'list-item' : 'paragraph';
    const current: typeof open = open;
    const samePage = current !== null && current.last.page === line.page;
    const continues =
      current !== null &&
      current.kind !== 'heading' &&
      (kind === 'code'
        ? current.kind === 'code' && (!samePage || line.gap <= spacing * 1.6)
        : current.kind !== 'code' &&
          kind !== 'list-item' &&
          (samePage ? line.gap <= spacing * 1.35 : !SENTENCE_END.test(current.text.trimEnd())));
    if (current && continues) {
      const joined = joinLine(current.text, line.text, kind === 'code');
      if (!samePage) current.breaks.push(joined.offset);
      addMarks(current.marks, line, joined.offset);
      current.text = joined.text;
      current.last = line;
      continue;
    }
    close();
    const text = kind === 'code' ? line.text : line.text.trimStart();
    const shift = line.text.length - text.length;
    const started = { kind, text, marks: [] as number[], page: line.page, breaks: [] as number[], last: line };
    addMarks(started.marks, line, -shift);
    open = started;
  }
  close();
  return blocks;
}

/** Join a wrapped line: a hyphen at a line's end before a lowercase letter was a word broken by the layout. */
function joinLine(text: string, next: string, code: boolean): { text: string; offset: number } {
  if (code) return { text: `${text}\n${next}`, offset: text.length + 1 };
  const trimmed = text.trimEnd();
  const start = next.trimStart();
  if (/\p{L}-$/u.test(trimmed) && /^\p{Ll}/u.test(start))
    return { text: trimmed.slice(0, -1) + start, offset: trimmed.length - 1 - (next.length - start.length) };
  return { text: `${trimmed} ${start}`, offset: trimmed.length + 1 - (next.length - start.length) };
}

function addMarks(marks: number[], line: Line, offset: number): void {
  if (line.monospace) return;
  const code = MARK_KINDS.indexOf('code');
  for (let index = 0; index + 1 < line.code.length; index += 2) {
    const start = (line.code[index] ?? 0) + offset;
    const end = (line.code[index + 1] ?? 0) + offset;
    if (start >= 0 && end > start) marks.push(start, end, code);
  }
}
