import type { LexicalHit } from './lexical-index.js';
import type { VectorHit } from './vector-index.js';

/** The words of a question, as both the in-memory BM25 (terms, weighted expansions) and a database's text search (text) read them. */
export interface LexicalQuery {
  readonly text: string;
  readonly terms: readonly string[];
  readonly expansions: ReadonlyMap<string, number>;
}

/** Which chunks a search may return (a scope of collections): by label in memory, by document in SQL. */
export interface ChunkFilter {
  /** The documents (ids) whose chunks are allowed. */
  readonly files: readonly string[];
  allowsLabel(label: number): boolean;
}

/**
 * The two top-k searches of retrieval. Absent from a snapshot, they run in memory over its
 * `vectorIndex` and `lexicalIndex`; the database store runs them as SQL.
 */
export interface ChunkSearch {
  /** With a filter, the `limit` best among the allowed chunks (searched among them, not filtered after). */
  dense(query: Float32Array, limit: number, filter?: ChunkFilter): Promise<readonly VectorHit[]>;
  lexical(query: LexicalQuery, limit: number, filter?: ChunkFilter): Promise<readonly LexicalHit[]>;
}
