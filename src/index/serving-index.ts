import { getOrInsert, getOrInsertBounded } from '../core/maps.js';
import type { Chunk, CorpusDocument } from '../core/types.js';
import type { ChunkSearch } from './chunk-search.js';
import {
  type CitedSentence,
  corpusNames,
  type FigureSentence,
  figureSentences,
  firstWords,
  openingOf,
  uncoveredText,
} from './corpus-facts.js';
import type { LexicalIndex } from './lexical-index.js';
import type { IndexSnapshot, Manifest } from './store.js';
import type { Thesaurus } from './thesaurus.js';
import { terms } from '../text/terms.js';

/** A document as answering holds it for the whole corpus: everything but its text. */
export interface DocumentEntry {
  readonly file: string;
  readonly title: string;
  readonly date: string | null;
  readonly characters: number;
  readonly paragraphs: number;
  /** Chunks of it in the index; its chunks' labels are `firstLabel` … `firstLabel + chunks - 1`. */
  readonly chunks: number;
  readonly firstLabel: number;
  /** The first paragraph that is not the headline. */
  readonly opening: string;
}

/** The corpus's words as answering weighs them. */
export interface TermStatistics {
  /** Inverse document frequency over chunks; unseen terms get the highest value (they are the most specific). */
  idf(term: string): number;
  /** Whether some chunk's text has the term. */
  isKnown(term: string): boolean;
  /** Whether the corpus writes the term as a proper name (capitalised mid-sentence). */
  isName(term: string): boolean;
  /** The first word the corpus writes for a term (its word vector is that word's), if any. */
  firstWord(term: string): string | undefined;
}

/**
 * An index as answering reads it. What every question needs is held (each document without its
 * text, word statistics, the thesaurus); what one question touches (chunks, document texts,
 * sentence vectors, sentences stating figures) is asked for by key. The local store holds
 * everything and answers at once (`servingIndexOf`); the database store reads it per question, so
 * a serving process does not hold the corpus.
 */
export interface ServingIndex {
  readonly manifest: Manifest;
  /** Every document, in corpus order (the order of chunk labels). */
  readonly documents: readonly DocumentEntry[];
  readonly terms: TermStatistics;
  readonly thesaurus: Thesaurus;
  /** The two top-k searches of retrieval. */
  readonly search: ChunkSearch;
  /** The chunks of these labels (those the index has). */
  chunks(labels: readonly number[]): Promise<ReadonlyMap<number, Chunk>>;
  /** These documents with their text and paragraphs. */
  texts(files: readonly string[]): Promise<ReadonlyMap<string, CorpusDocument>>;
  /** The stored vectors of the sentences of these documents, by sentence text. */
  sentenceVectors(files: readonly string[]): Promise<(text: string) => Float32Array | undefined>;
  /** Which of `terms` each of these documents has (in a chunk, or outside every chunk: headline, dateline). */
  documentTerms(files: readonly string[], terms: readonly string[]): Promise<ReadonlyMap<string, ReadonlySet<string>>>;
  /**
   * The first `limit` sentences in corpus order that state one of these figures, among the
   * documents of `files` (null: all).
   */
  figureSentences(figures: readonly string[], files: readonly string[] | null, limit: number): Promise<readonly CitedSentence[]>;
}

/** The document of a label: a binary search over the documents' first labels. */
export function documentOfLabel(documents: readonly DocumentEntry[], label: number): DocumentEntry | undefined {
  let low = 0;
  let high = documents.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const document = documents[middle] as DocumentEntry;
    if (label < document.firstLabel) high = middle - 1;
    else if (label >= document.firstLabel + document.chunks) low = middle + 1;
    else return document;
  }
  return undefined;
}

/** Each document of an index as answering holds it; `chunkCounts` by file. */
function documentEntries(documents: readonly CorpusDocument[], chunkCounts: ReadonlyMap<string, number>): DocumentEntry[] {
  let firstLabel = 0;
  return documents.map((document) => {
    const chunks = chunkCounts.get(document.file) ?? 0;
    const entry = {
      file: document.file,
      title: document.title,
      date: document.date,
      characters: document.raw.length,
      paragraphs: document.paragraphs.length,
      chunks,
      firstLabel,
      opening: openingOf(document),
    };
    firstLabel += chunks;
    return entry;
  });
}

/** Idf and known terms from a lexical index, names as given, first words derived when first asked for (the word-vector model only). */
function lexicalTermStatistics(
  lexicalIndex: LexicalIndex,
  names: ReadonlySet<string>,
  documents: readonly CorpusDocument[],
): TermStatistics {
  let words: ReadonlyMap<string, string> | null = null;
  return {
    idf: (term) => lexicalIndex.idf(term),
    isKnown: (term) => lexicalIndex.isKnown(term),
    isName: (term) => names.has(term),
    firstWord: (term) => {
      words ??= firstWords(documents);
      return words.get(term);
    },
  };
}

/** Documents whose words outside every chunk are kept. */
const OUTSIDE_TERMS_LIMIT = 20_000;

/**
 * The local store's index, held whole: every lookup answers from memory. Derives the corpus facts
 * (names, first words, sentences stating figures) once, as the database store does at ingest.
 */
export function servingIndexOf(snapshot: IndexSnapshot): ServingIndex {
  const { lexicalIndex, vectorIndex, chunks } = snapshot;
  const chunkCounts = new Map<string, number>();
  for (const chunk of chunks) chunkCounts.set(chunk.file, (chunkCounts.get(chunk.file) ?? 0) + 1);
  const documents = documentEntries(snapshot.documents, chunkCounts);
  const entries = new Map(documents.map((entry) => [entry.file, entry]));
  const byFile = new Map(snapshot.documents.map((document) => [document.file, document]));
  const figures = snapshot.documents.flatMap((document) => {
    const entry = entries.get(document.file) as DocumentEntry;
    return figureSentences(document, chunks.slice(entry.firstLabel, entry.firstLabel + entry.chunks));
  });
  const byFigure = new Map<string, number[]>();
  figures.forEach((sentence, position) => {
    for (const figure of sentence.figures) getOrInsert(byFigure, figure, () => []).push(position);
  });
  lexicalIndex.prepareTypoLookup();
  // Words outside every chunk (headline, dateline): a few per document, tokenized when first asked.
  const outside = new Map<string, Set<string>>();
  const outsideTerms = (entry: DocumentEntry) =>
    getOrInsertBounded(
      outside,
      entry.file,
      () =>
        new Set(terms(uncoveredText(byFile.get(entry.file)?.raw ?? '', chunks.slice(entry.firstLabel, entry.firstLabel + entry.chunks)))),
      OUTSIDE_TERMS_LIMIT,
    );
  // The chunks' words: a binary search in the term's posting list, so a document's words need no set of their own.
  const hasTerm = (entry: DocumentEntry, term: string) =>
    outsideTerms(entry).has(term) ||
    (entry.chunks > 0 && lexicalIndex.textHasIn(term, entry.firstLabel, entry.firstLabel + entry.chunks - 1));
  return {
    manifest: snapshot.manifest,
    documents,
    terms: lexicalTermStatistics(lexicalIndex, corpusNames(snapshot.documents), snapshot.documents),
    thesaurus: snapshot.thesaurus,
    search: snapshot.search ?? {
      dense: async (query, limit, filter) => vectorIndex.search(query, limit, filter?.allowsLabel),
      lexical: async (query, limit, filter) => lexicalIndex.query(query.terms, limit, query.expansions, filter?.allowsLabel),
    },
    chunks: async (labels) => new Map(labels.flatMap((label) => (chunks[label] ? [[label, chunks[label]] as const] : []))),
    texts: async (files) =>
      new Map(files.flatMap((file) => (byFile.has(file) ? [[file, byFile.get(file) as CorpusDocument] as const] : []))),
    sentenceVectors: async () => (text) => snapshot.sentenceVectors.get(text),
    documentTerms: async (files, asked) =>
      new Map(
        files.flatMap((file) => {
          const entry = entries.get(file);
          return entry ? [[file, new Set(asked.filter((term) => hasTerm(entry, term)))] as const] : [];
        }),
      ),
    figureSentences: async (wanted, files, limit) => {
      const allowed = files === null ? null : new Set(files);
      return [...new Set(wanted.flatMap((figure) => byFigure.get(figure) ?? []))]
        .filter((position) => allowed === null || allowed.has((figures[position] as FigureSentence).source))
        .sort((left, right) => left - right)
        .slice(0, limit)
        .map((position) => {
          const { figures: _figures, ...cited } = figures[position] as FigureSentence;
          return cited;
        });
    },
  };
}
