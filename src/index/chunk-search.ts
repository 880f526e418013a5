import type { LexicalHit } from './lexical-index.js';
import type { VectorHit } from './vector-index.js';

/** The words of a question, as both the in-memory BM25 (terms, weighted expansions) and a database's text search (text) read them. */
export interface LexicalQuery {
  readonly text: string;
  readonly terms: readonly string[];
  readonly expansions: ReadonlyMap<string, number>;
}

/**
 * The two top-k searches of retrieval. Absent from a snapshot, they run in memory over its
 * `vectorIndex` and `lexicalIndex`; the database store runs them as SQL.
 */
export interface ChunkSearch {
  dense(query: Float32Array, limit: number): Promise<readonly VectorHit[]>;
  lexical(query: LexicalQuery, limit: number): Promise<readonly LexicalHit[]>;
}
