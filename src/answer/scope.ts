import { collectionOf } from '../corpus/collections.js';
import type { ChunkFilter } from '../index/chunk-search.js';
import { type DocumentEntry, documentOfLabel } from '../index/serving-index.js';

/** Oldest and newest document dates (for the recency prior of "latest" questions). */
export interface DateSpan {
  readonly oldest: string;
  readonly newest: string;
}

/**
 * The part of a corpus one question may be answered from: the documents of some collections.
 * Retrieval skips every chunk outside it (inside the searches, so a small collection still gets
 * its full share of candidates), and the facts derived from the corpus (date span, newest
 * document, corroborating sentences) are those of the scope.
 */
export interface CorpusScope extends ChunkFilter {
  /** The asked collections the corpus has (an asked collection it lacks is left out). */
  readonly collections: readonly string[];
  readonly documents: readonly DocumentEntry[];
  readonly dateSpan: DateSpan | null;
  allowsFile(file: string): boolean;
  /** Whether the chunk at this label (position in the index) is in scope. */
  allowsLabel(label: number): boolean;
}

/** The date span of some documents; null when none is dated. */
export function dateSpanOf(documents: readonly Pick<DocumentEntry, 'date'>[]): DateSpan | null {
  const dates = documents.flatMap((document) => (document.date ? [document.date] : [])).sort();
  return dates.length ? { oldest: dates[0] ?? '', newest: dates.at(-1) ?? '' } : null;
}

/** The scope of `collections` (unknown names ignored) over the documents of an index (in label order). */
export function scopeOf(corpus: readonly DocumentEntry[], collections: readonly string[]): CorpusScope {
  const asked = new Set(collections);
  const documents = corpus.filter((document) => asked.has(collectionOf(document.file)));
  const files = new Set(documents.map((document) => document.file));
  const present = new Set(documents.map((document) => collectionOf(document.file)));
  return {
    collections: [...asked].filter((name) => present.has(name)).sort(),
    documents,
    files: [...files],
    dateSpan: dateSpanOf(documents),
    allowsFile: (file) => files.has(file),
    // The scope's documents keep label order: a binary search over their label ranges.
    allowsLabel: (label) => documentOfLabel(documents, label) !== undefined,
  };
}

/** Each collection of a corpus with its number of documents, by name. */
export function collectionsOf(documents: readonly Pick<DocumentEntry, 'file'>[]): { name: string; documents: number }[] {
  const counts = new Map<string, number>();
  for (const document of documents) {
    const name = collectionOf(document.file);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, count]) => ({ name, documents: count })).sort((left, right) => left.name.localeCompare(right.name));
}
