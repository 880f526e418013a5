import { BLOCK_KINDS, type CorpusDocument, type DocumentFormat, type DocumentStructure, type Paragraph } from '../core/types.js';
import { hashContent } from '../corpus/metadata.js';

/** `[number, start, end]`, and for a block of a structured document also `[kind, section]` (kind: an index into BLOCK_KINDS). */
export type StoredParagraph = [number, number, number] | [number, number, number, number, string | null];

/** What both stores keep of a document beyond its title, date and text. */
export interface StoredShape {
  readonly paragraphs: StoredParagraph[];
  readonly format?: DocumentFormat;
  readonly structure?: DocumentStructure;
  /** sha256 of the text when it is not the file's own (a structured document's). */
  readonly textHash?: string;
}

export function storedShape(document: CorpusDocument): StoredShape {
  const structured = document.format !== undefined && document.format !== 'text';
  const paragraphs = document.paragraphs.map(
    (paragraph): StoredParagraph =>
      structured && paragraph.kind
        ? [paragraph.number, paragraph.start, paragraph.end, BLOCK_KINDS.indexOf(paragraph.kind), paragraph.section ?? null]
        : [paragraph.number, paragraph.start, paragraph.end],
  );
  if (!structured) return { paragraphs };
  return {
    paragraphs,
    format: document.format as DocumentFormat,
    ...(document.structure ? { structure: document.structure } : {}),
    textHash: hashContent(document.raw),
  };
}

/** The paragraphs of a stored document, their text sliced from `raw`. */
export function paragraphsFromStored(raw: string, stored: readonly StoredParagraph[]): Paragraph[] {
  return stored.map(([number, start, end, kind, section]) => {
    const blockKind = kind === undefined ? undefined : BLOCK_KINDS[kind];
    return {
      number,
      start,
      end,
      text: raw.slice(start, end),
      ...(blockKind ? { kind: blockKind, section: section ?? null } : {}),
    };
  });
}

/** A stored document back as the reader made it; the caller has checked `raw` against its hash. */
export function documentFromStored(
  stored: StoredShape & { file: string; title: string; date: string | null; raw: string; contentHash: string },
): CorpusDocument {
  return {
    file: stored.file,
    title: stored.title,
    date: stored.date,
    raw: stored.raw,
    contentHash: stored.contentHash,
    paragraphs: paragraphsFromStored(stored.raw, stored.paragraphs),
    ...(stored.format ? { format: stored.format } : {}),
    ...(stored.structure ? { structure: stored.structure } : {}),
  };
}
