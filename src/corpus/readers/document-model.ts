import type { BlockKind, CorpusDocument, DocumentFormat, MarkKind, Paragraph } from '../../core/types.js';
import { MARK_KINDS } from '../../core/types.js';

/** One block as a reader found it: its text (markup gone, wraps joined) and where that text came from. */
export interface ReadBlock {
  readonly kind: BlockKind;
  readonly text: string;
  /** The headings above it, outermost first. */
  readonly section: readonly string[];
  /** `[textOffset, sourceOffset, …]` relative to this block's text (see DocumentStructure.sourceMap). */
  readonly map?: readonly number[];
  /** `[start, end, kind, …]` relative to this block's text. */
  readonly marks?: readonly number[];
  /** The page it starts on (PDF), and the offsets in its text where a later page starts. */
  readonly page?: number;
  readonly pageBreaks?: readonly number[];
}

/** What every reader returns: one model for every format. */
export interface ReadDocument {
  readonly format: DocumentFormat;
  readonly title: string | null;
  readonly date: string | null;
  readonly url?: string;
  readonly blocks: readonly ReadBlock[];
}

const SECTION_SEPARATOR = ' › ';

/**
 * Lay a read document out as the text the rest of the program reads: blocks separated by a blank
 * line, each a paragraph with its kind and section; the source map, marks and page starts moved to
 * document offsets. The document's title is left out of section paths (it is cited already).
 */
export function assembleDocument(file: string, contentHash: string, document: ReadDocument): CorpusDocument {
  const read = withDatePrefix(document);
  const title = read.title?.trim() || read.blocks.find((block) => block.kind === 'heading')?.text || file;
  const paragraphs: Paragraph[] = [];
  const sourceMap: number[] = [];
  const marks: number[] = [];
  const pageStarts: number[] = [];
  let raw = '';
  for (const block of read.blocks) {
    const text = block.text;
    if (!text.trim()) continue;
    if (raw) raw += '\n\n';
    const start = raw.length;
    raw += text;
    const top = block.section[0];
    // A page's title often repeats its first heading ("Sorting HOW TO — Python documentation" over "Sorting HOW TO").
    const path = top !== undefined && (top === title || title.startsWith(top)) ? block.section.slice(1) : block.section;
    paragraphs.push({
      number: paragraphs.length + 1,
      start,
      end: raw.length,
      text,
      kind: block.kind,
      section: path.length ? path.join(SECTION_SEPARATOR) : null,
    });
    for (let index = 0; index + 1 < (block.map?.length ?? 0); index += 2) {
      sourceMap.push(start + (block.map?.[index] ?? 0), block.map?.[index + 1] ?? 0);
    }
    for (let index = 0; index + 2 < (block.marks?.length ?? 0); index += 3) {
      marks.push(start + (block.marks?.[index] ?? 0), start + (block.marks?.[index + 1] ?? 0), block.marks?.[index + 2] ?? 0);
    }
    if (block.page !== undefined) {
      while (pageStarts.length < block.page) pageStarts.push(start);
      for (const offset of block.pageBreaks ?? []) pageStarts.push(start + offset);
    }
  }
  return {
    file,
    title: title.replace(/\s+/g, ' ').trim(),
    date: read.date,
    raw,
    paragraphs,
    contentHash,
    format: read.format,
    structure: {
      ...(sourceMap.length ? { sourceMap } : {}),
      ...(marks.length ? { marks } : {}),
      ...(pageStarts.length ? { pageStarts } : {}),
      ...(read.url ? { url: read.url } : {}),
    },
  };
}

/** A block opening with ` date 2025-04-14 ` (the corpus's plain-text convention) gives the date; the prefix is not text. */
const DATE_PREFIX = /^\s*date\s+(\d{4}-\d{2}-\d{2})\s+/;

/** The first prose block's date prefix, when the document has no date of its own, moved into its date. */
function withDatePrefix(read: ReadDocument): ReadDocument {
  const index = read.blocks.findIndex((block) => block.kind !== 'heading');
  const block = read.blocks[index];
  const prefix = block ? DATE_PREFIX.exec(block.text) : null;
  if (read.date !== null || !block || !prefix) return read;
  const cut = prefix[0].length;
  const shifted: ReadBlock = { ...block, text: block.text.slice(cut), ...shiftOffsets(block, cut) };
  return { ...read, date: prefix[1] ?? null, blocks: read.blocks.map((other, at) => (at === index ? shifted : other)) };
}

/** A block's map and marks for its text with the first `cut` characters gone. */
function shiftOffsets(block: ReadBlock, cut: number): Pick<ReadBlock, 'map' | 'marks'> {
  const map: number[] = [];
  const source = block.map ?? [];
  for (let index = 0; index + 1 < source.length; index += 2) {
    const text = (source[index] ?? 0) - cut;
    const next = source[index + 2];
    // The pair in force at the cut starts the new map; pairs before it are gone.
    if (text >= 0) map.push(text, source[index + 1] ?? 0);
    else if (next === undefined || next - cut > 0) map.push(0, (source[index + 1] ?? 0) - text);
  }
  const marks: number[] = [];
  const own = block.marks ?? [];
  for (let index = 0; index + 2 < own.length; index += 3) {
    const end = (own[index + 1] ?? 0) - cut;
    if (end > 0) marks.push(Math.max(0, (own[index] ?? 0) - cut), end, own[index + 2] ?? 0);
  }
  return { ...(map.length ? { map } : {}), ...(marks.length ? { marks } : {}) };
}

/**
 * Builds one block's text from pieces of inline content: whitespace runs become one space (as a
 * browser shows them, and as soft line wraps read), each word is mapped back to where it stands in
 * the source, and inline code and emphasis are recorded as marks.
 */
export class BlockText {
  private text = '';
  private readonly map: number[] = [];
  private readonly marks: number[] = [];
  private readonly open: { kind: MarkKind; start: number }[] = [];
  private pendingSpace = false;
  private delta: number | null = null;

  /**
   * Append `value`; when its source is known (`source.slice(from, to)` is where it was written, with
   * markup, escapes or line prefixes around its words), each word is found there and mapped.
   */
  append(value: string, source?: string, from = 0, to = source?.length ?? 0): void {
    let cursor = from;
    for (const match of value.matchAll(/\s+|\S+/g)) {
      const piece = match[0];
      if (/^\s/.test(piece)) {
        this.space();
        continue;
      }
      if (this.pendingSpace) {
        this.text += ' ';
        this.pendingSpace = false;
      }
      if (source !== undefined) {
        const at = source.indexOf(piece, cursor);
        if (at >= 0 && at + piece.length <= to) {
          cursor = at + piece.length;
          const delta = at - this.text.length;
          if (delta !== this.delta) {
            this.map.push(this.text.length, at);
            this.delta = delta;
          }
        }
      }
      this.text += piece;
    }
  }

  /** A break between words (a line break, a table cell, a tag that separates). */
  space(): void {
    this.pendingSpace = this.text.length > 0;
  }

  /** Literal text of our own between pieces (a table's cell separator); it maps to nothing. */
  separator(value: string): void {
    if (!this.text) return;
    this.pendingSpace = false;
    this.text += value;
  }

  openMark(kind: MarkKind): void {
    this.open.push({ kind, start: this.text.length + (this.pendingSpace ? 1 : 0) });
  }

  closeMark(): void {
    const mark = this.open.pop();
    if (mark && this.text.length > mark.start) this.marks.push(mark.start, this.text.length, MARK_KINDS.indexOf(mark.kind));
  }

  get length(): number {
    return this.text.length;
  }

  /** The block, or null when it holds no text. */
  finish(kind: BlockKind, section: readonly string[], page?: number): ReadBlock | null {
    if (!this.text.trim()) return null;
    return {
      kind,
      text: this.text,
      section: [...section],
      ...(this.map.length ? { map: this.map } : {}),
      ...(this.marks.length ? { marks: this.marks } : {}),
      ...(page !== undefined ? { page } : {}),
    };
  }
}

/** The heading path as headings arrive: a heading of level N replaces those of level N and below. */
export class SectionPath {
  private readonly stack: { level: number; text: string }[] = [];

  enter(level: number, text: string): void {
    while ((this.stack.at(-1)?.level ?? 0) >= level) this.stack.pop();
    this.stack.push({ level, text: text.replace(/\s+/g, ' ').trim() });
  }

  /** The path of a block below the current headings. */
  get current(): readonly string[] {
    return this.stack.map((heading) => heading.text);
  }

  /** The path of a heading itself: the headings above it. */
  get above(): readonly string[] {
    return this.current.slice(0, -1);
  }
}

/** An http(s) address as a citation may link to it, or null (a relative, `javascript:` or malformed one). */
export function webAddress(href: string | null | undefined): string | null {
  if (!href) return null;
  try {
    const url = new URL(href.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}
