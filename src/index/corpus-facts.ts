import { documentSentences } from '../chunk/chunk.js';
import { getOrInsert } from '../core/maps.js';
import type { Chunk, ConflictingQuote, CorpusDocument } from '../core/types.js';
import { distinctiveFigures, figuresOf } from '../text/figures.js';
import { contentWords, terms } from '../text/terms.js';

/**
 * What answering needs to know of the whole corpus, derived from its documents and chunks: the
 * local store derives it when an index starts serving, the database store at ingest (stored, so a
 * serving process reads only what a question touches).
 */

/** A sentence of the corpus with its citation, e.g. one stating a distinctive figure. */
export type CitedSentence = ConflictingQuote;

/** A sentence that states a percentage or an amount, with the figures it states (as `figuresOf` reads them). */
export interface FigureSentence extends CitedSentence {
  readonly figures: readonly string[];
}

/** Terms written capitalised in at least 70% of their mid-sentence uses: "Lam", "Dalian", "Chinese". */
export function corpusNames(documents: readonly CorpusDocument[]): Set<string> {
  const capitalised = new Map<string, number>();
  const lower = new Map<string, number>();
  // Words repeat (Zipf): each distinct word is turned into terms once.
  const termsOfWord = new Map<string, string[]>();
  for (const document of documents) {
    for (const paragraph of document.paragraphs) {
      for (const match of paragraph.text.matchAll(/(?<=[^.!?:“"]\s+)[\p{L}\p{M}][\p{L}\p{M}’'-]*/gu)) {
        const word = match[0];
        const counts = /^\p{Lu}/u.test(word) ? capitalised : lower;
        for (const term of getOrInsert(termsOfWord, word, terms)) counts.set(term, (counts.get(term) ?? 0) + 1);
      }
    }
  }
  return new Set([...capitalised].filter(([term, count]) => count >= 0.7 * (count + (lower.get(term) ?? 0))).map(([term]) => term));
}

/** Every sentence of a document that states a percentage or an amount, with its citation (`chunks`: the document's). */
export function figureSentences(document: CorpusDocument, chunks: readonly Chunk[]): FigureSentence[] {
  return documentSentences(document)
    .filter((sentence) => distinctiveFigures(sentence.text).length > 0)
    .map((sentence) => {
      const chunk = chunks.find((candidate) => candidate.start <= sentence.start && candidate.end >= sentence.end);
      return {
        source: document.file,
        title: document.title,
        date: document.date,
        paragraph: sentence.paragraph,
        chunkId: chunk?.id ?? `${document.file}#p${sentence.paragraph}.1`,
        start: sentence.start,
        end: sentence.end,
        text: sentence.text,
        figures: [...figuresOf(sentence.text)],
      };
    });
}

/** The index terms of a document: those of its chunks' text and of the text no chunk covers (headline, dateline). */
export function documentTerms(document: CorpusDocument, chunks: readonly Chunk[]): Set<string> {
  const found = new Set(terms(uncoveredText(document.raw, chunks)));
  for (const chunk of chunks) for (const term of terms(chunk.text)) found.add(term);
  return found;
}

/** The parts of a text outside the chunks, joined by line breaks. */
export function uncoveredText(raw: string, chunks: readonly Pick<Chunk, 'start' | 'end'>[]): string {
  const parts: string[] = [];
  let position = 0;
  for (const { start, end } of [...chunks].sort((left, right) => left.start - right.start)) {
    if (start > position) parts.push(raw.slice(position, start));
    position = Math.max(position, end);
  }
  parts.push(raw.slice(position));
  return parts.join('\n');
}

/**
 * Each corpus term with the first word written for it, in corpus order ("chines" → "Chinese"):
 * a term's word vector is that word's (the word-vector model matches near-synonyms by them).
 */
export function firstWords(documents: readonly CorpusDocument[]): Map<string, string> {
  // The documents, not the chunks: chunks overlap, and every word of a chunk is in its document.
  // One document at a time: all of them joined would pass V8's longest string (~536 M characters).
  const byTerm = new Map<string, string>();
  for (const document of documents) {
    for (const { word, term } of contentWords(document.raw)) if (!byTerm.has(term)) byTerm.set(term, word);
  }
  return byTerm;
}

/** The first paragraph that is not the headline, as document lists show it. */
export function openingOf(document: CorpusDocument): string {
  return document.paragraphs.find((paragraph) => paragraph.text !== document.title)?.text ?? '';
}
