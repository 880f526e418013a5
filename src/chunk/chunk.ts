import type { Chunk, CorpusDocument } from '../answer/types.js';
import { isHeading } from '../corpus/metadata.js';
import { splitSentences } from './sentences.js';

export interface ChunkerSettings {
  /** Chunks never exceed this unless a single sentence does; paragraphs never merge. */
  readonly maxChars: number;
}

/**
 * Cut a document into chunks: one per paragraph, or several sentence-aligned parts when a paragraph
 * is longer than `maxChars`. Headings become context of the chunks below them, not chunks.
 */
export function chunkDocument(document: CorpusDocument, settings: ChunkerSettings): Chunk[] {
  if (!(settings.maxChars > 0)) throw new RangeError(`maxChars must be positive, got ${settings.maxChars}`);
  const chunks: Chunk[] = [];
  let section: string | null = null;
  const isTitleParagraph = (number: number) => number === 1 && document.title === document.paragraphs[0]?.text.replace(/^#+\s*/, '');
  for (const paragraph of document.paragraphs) {
    if (isHeading(paragraph.text) && document.paragraphs.length > 1) {
      if (!isTitleParagraph(paragraph.number)) section = paragraph.text.replace(/^#+\s*/, '');
      continue;
    }
    const parts = packSentences(paragraph.text, settings.maxChars);
    parts.forEach((part, index) => {
      const start = paragraph.start + part.start;
      const end = paragraph.start + part.end;
      chunks.push({
        id: `${document.file}#p${paragraph.number}.${index + 1}`,
        file: document.file,
        paragraph: paragraph.number,
        start,
        end,
        text: document.raw.slice(start, end),
        section,
      });
    });
  }
  return chunks;
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

/** What the embedder sees: the title (and section) prepended for context; the quote stays the chunk text. */
export function embeddingText(document: Pick<CorpusDocument, 'title'>, chunk: Pick<Chunk, 'text' | 'section'>): string {
  return [document.title, chunk.section, chunk.text].filter((part) => part).join('\n');
}
