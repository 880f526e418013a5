import type { BlockKind, Chunk, CorpusDocument, Paragraph } from '../core/types.js';
import { isHeading } from '../corpus/metadata.js';
import { splitSentences } from '../text/sentences.js';

export interface ChunkerSettings {
  /** Chunks never exceed this unless a single sentence does. */
  readonly maxChars: number;
  /**
   * When true, every paragraph starts a chunk that runs on into the following paragraphs of its
   * section (up to `maxChars`), so a passage keeps the context a reader needs ("… ministry
   * spokeswoman Mao Ning said" answers the paragraph before it). When false, chunks never overlap.
   */
  readonly overlap: boolean;
}

/**
 * Cut a document into chunks of whole sentences within one section. Long paragraphs are split at
 * sentence boundaries; short ones are grouped with the paragraphs after them. Headings become
 * context of the chunks below them, never chunk text.
 */
export function chunkDocument(document: CorpusDocument, settings: ChunkerSettings): Chunk[] {
  if (!(settings.maxChars > 0)) throw new RangeError(`maxChars must be positive, got ${settings.maxChars}`);
  const chunks: Chunk[] = [];
  // A structured document's blocks are already units of meaning under their heading: windows of
  // them side by side, not one starting at every block (a page of short list items would otherwise
  // embed each item with its followers again and again).
  const overlap = settings.overlap && (document.format ?? 'text') === 'text';
  for (const { heading, paragraphs } of sections(document)) {
    const pieces = paragraphs.flatMap((paragraph) =>
      packSentences(paragraph.text, settings.maxChars).map((span) => ({
        paragraph: paragraph.number,
        start: paragraph.start + span.start,
        end: paragraph.start + span.end,
      })),
    );
    let first = 0;
    while (first < pieces.length) {
      let last = first;
      while (last + 1 < pieces.length && (pieces[last + 1]?.end ?? 0) - (pieces[first]?.start ?? 0) <= settings.maxChars) last++;
      const head = pieces[first];
      const tail = pieces[last];
      if (!head || !tail) break;
      const part = pieces.slice(0, first).filter((piece) => piece.paragraph === head.paragraph).length + 1;
      chunks.push({
        id: `${document.file}#p${head.paragraph}.${part}`,
        file: document.file,
        paragraph: head.paragraph,
        start: head.start,
        end: tail.end,
        text: document.raw.slice(head.start, tail.end),
        section: heading,
      });
      first = overlap ? first + 1 : last + 1;
    }
  }
  return chunks;
}

/**
 * A list item or table row up to this long is quoted whole: in reference documentation an item
 * ("timeout number - Default: 30e3 - … Defaults to 30 seconds.") is one statement, its parts read
 * as sentences only together. Longer ones are split into sentences like paragraphs.
 */
const WHOLE_ITEM_MAX_CHARS = 500;

/** The blocks a quote may come from: prose, never headings or code. */
const PROSE: ReadonlySet<BlockKind> = new Set(['paragraph', 'list-item', 'table-row', 'quote']);

/** A heading: as its reader said, or for plain text by its shape (a short line without closing punctuation). */
export function isHeadingParagraph(paragraph: Pick<Paragraph, 'kind' | 'text'>): boolean {
  return paragraph.kind ? paragraph.kind === 'heading' : isHeading(paragraph.text);
}

/** A paragraph whose sentences may be quoted. */
export function isProse(paragraph: Pick<Paragraph, 'kind' | 'text'>): boolean {
  return paragraph.kind ? PROSE.has(paragraph.kind) : !isHeading(paragraph.text);
}

/**
 * Consecutive paragraphs under the same heading (the document title is not a section). In a
 * structured document a code block is a section part of its own, so a chunk is prose or code,
 * never both: code stays searchable without diluting the prose around it.
 */
function sections(document: CorpusDocument): { heading: string | null; paragraphs: Paragraph[] }[] {
  if (document.format && document.format !== 'text') {
    const parts: { heading: string | null; paragraphs: Paragraph[]; code: boolean }[] = [];
    for (const paragraph of document.paragraphs) {
      if (paragraph.kind === 'heading') {
        parts.push({ heading: null, paragraphs: [], code: false });
        continue;
      }
      const code = paragraph.kind === 'code';
      const section = paragraph.section ?? null;
      const last = parts.at(-1);
      if (last && last.code === code && last.heading === section && !code) last.paragraphs.push(paragraph);
      else parts.push({ heading: section, paragraphs: [paragraph], code });
    }
    return parts.filter((part) => part.paragraphs.length > 0);
  }
  const result: { heading: string | null; paragraphs: Paragraph[] }[] = [{ heading: null, paragraphs: [] }];
  for (const paragraph of document.paragraphs) {
    if (document.paragraphs.length > 1 && isHeading(paragraph.text)) {
      const isTitle = paragraph.number === 1;
      if (!isTitle) result.push({ heading: paragraph.text.replace(/^#+\s*/, ''), paragraphs: [] });
      continue;
    }
    result.at(-1)?.paragraphs.push(paragraph);
  }
  return result.filter((section) => section.paragraphs.length > 0);
}

/** Greedily pack whole sentences into spans of at most `maxChars` (relative offsets). */
function packSentences(text: string, maxChars: number): { start: number; end: number }[] {
  if (text.length <= maxChars) return [{ start: 0, end: text.length }];
  const spans: { start: number; end: number }[] = [];
  for (const sentence of splitSentences(text)) {
    const current = spans.at(-1);
    if (current && sentence.end - current.start <= maxChars) current.end = sentence.end;
    else spans.push({ start: sentence.start, end: sentence.end });
  }
  return spans;
}

/** The paragraph number at a character offset of a document (for citing a sentence of a longer chunk). */
export function paragraphAt(document: Pick<CorpusDocument, 'paragraphs'>, offset: number): number {
  return document.paragraphs.find((paragraph) => offset >= paragraph.start && offset < paragraph.end)?.number ?? 0;
}

/** What the embedder sees: the title (and section) prepended for context; the quote stays the chunk text. */
export function embeddingText(document: Pick<CorpusDocument, 'title'>, chunk: Pick<Chunk, 'text' | 'section'>): string {
  return [document.title, chunk.section, chunk.text].filter((part) => part).join('\n');
}

/**
 * The sentences of the paragraphs overlapping [start, end), preceded by those of the paragraph
 * before (context for the first one), with document offsets. Headings are not sentences.
 */
export function sentencesAround(document: CorpusDocument, start: number, end: number) {
  const first = document.paragraphs.findIndex((paragraph) => paragraph.end > start);
  const after = document.paragraphs.findIndex((paragraph) => paragraph.start >= end);
  const paragraphs = document.paragraphs.slice(Math.max(0, first - 1), after === -1 ? undefined : after);
  return paragraphs
    .filter(isProse)
    .flatMap((paragraph) =>
      quoteUnits(paragraph).map((sentence) => ({
        paragraph: paragraph.number,
        start: paragraph.start + sentence.start,
        end: paragraph.start + sentence.end,
        text: sentence.text,
        ...(paragraph.kind ? { block: paragraph.kind } : {}),
        section: paragraph.section ?? null,
      })),
    )
    .filter((sentence) => sentence.end <= end);
}

/** Blocks that stand on their own: a list item or table row does not continue the one before it. */
export function standsAlone(block: BlockKind | undefined): boolean {
  return block === 'list-item' || block === 'table-row';
}

/**
 * What introduces a list item or table row: the last sentence of the prose block the list follows
 * in its section ("The following options are accepted:") and, for a table row, the table's header
 * row ("Error | Error Code | Description"); '' when there is neither.
 */
export function leadInOf(document: Pick<CorpusDocument, 'paragraphs'>, paragraphNumber: number): string {
  const index = document.paragraphs.findIndex((paragraph) => paragraph.number === paragraphNumber);
  const item = document.paragraphs[index];
  if (!item) return '';
  let first = index;
  // Back to the first row of this table or item of this list (a table right after a list is not part of it).
  while (first > 0 && document.paragraphs[first - 1]?.kind === item.kind && document.paragraphs[first - 1]?.section === item.section)
    first--;
  const header = item.kind === 'table-row' && first < index ? document.paragraphs[first] : undefined;
  const before = document.paragraphs[first - 1];
  const introduces = before && before.section === item.section && isProse(before) && !standsAlone(before.kind);
  return [introduces ? quoteUnits(before).at(-1)?.text : undefined, header?.kind === 'table-row' ? header.text : undefined]
    .filter((text) => text)
    .join(' ');
}

/** What a paragraph is quoted by: its sentences, or a short list item or table row whole. */
function quoteUnits(paragraph: Paragraph): { start: number; end: number; text: string }[] {
  const whole = standsAlone(paragraph.kind) && paragraph.text.length <= WHOLE_ITEM_MAX_CHARS;
  return whole ? [{ start: 0, end: paragraph.text.length, text: paragraph.text }] : splitSentences(paragraph.text);
}

/** Every sentence of a document (headings are not sentences), with document offsets. */
export function documentSentences(document: CorpusDocument): ReturnType<typeof sentencesAround> {
  return sentencesAround(document, 0, document.raw.length);
}
