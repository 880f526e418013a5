import type pg from 'pg';
import type { ChunkFilter, ChunkSearch, LexicalQuery } from '../chunk-search.js';
import type { LexicalHit, LexicalIndex } from '../lexical-index.js';
import type { VectorHit } from '../vector-index.js';
import { vectorLiteral } from './rows.js';

/** The `hnsw.ef_search` each pooled connection was given. */
const searchBreadth = new WeakMap<pg.PoolClient, number>();

export type LexicalSearchKind = 'memory' | 'bm25' | 'fts';

/**
 * Retrieval's two top-k searches in SQL. Vectors: pgvector's cosine distance, through the HNSW
 * index. Words, by `lexicalSearch`: `memory` runs our BM25 (with WordNet expansions and typo
 * matches) over the stored lexical index — answers identical to the local store; `bm25` is
 * pg_textsearch's BM25 over the chunk text; `fts` is PostgreSQL's own full-text search ranked by
 * `ts_rank_cd`. The last two see the question's words only (no expansions, no typo matches).
 */
export class SqlChunkSearch implements ChunkSearch {
  constructor(
    private readonly pool: pg.Pool,
    /** The label of a stored chunk in the index held (undefined: not in it). */
    private readonly labelOf: (file: string, ordinal: number) => number | undefined,
    /** Held for `memory` word search only. */
    private readonly lexicalIndex: LexicalIndex | null,
    private readonly lexicalSearch: LexicalSearchKind,
    /** HNSW search breadth; an HNSW scan returns at most this many rows, so never below the rows asked for. */
    private readonly ef: number,
  ) {}

  async dense(query: Float32Array, limit: number, filter?: ChunkFilter): Promise<VectorHit[]> {
    const client = await this.pool.connect();
    let rows: { file: string; ordinal: number; distance: number }[];
    try {
      const breadth = Math.min(1000, Math.max(limit, Math.floor(this.ef)));
      // Set once per connection, not per search (two round trips less). Within a scope the HNSW scan
      // goes on past its first `ef_search` rows until `limit` allowed ones are found (pgvector ≥ 0.8);
      // without one, the first `ef_search` rows already hold the `limit` asked for, so it changes nothing.
      if (searchBreadth.get(client) !== breadth) {
        await client.query(`SET hnsw.ef_search = ${breadth}; SET hnsw.iterative_scan = strict_order`);
        searchBreadth.set(client, breadth);
      }
      ({ rows } = await client.query<{ file: string; ordinal: number; distance: number }>(
        `SELECT file, ordinal, embedding <=> $1::vector AS distance FROM chunk_vectors
          WHERE $3::text[] IS NULL OR file = ANY($3::text[])
          ORDER BY embedding <=> $1::vector LIMIT $2`,
        [vectorLiteral(query), limit, filter ? filter.files : null],
      ));
    } finally {
      client.release();
    }
    return this.hits(rows.map((row) => ({ ...row, value: 1 - row.distance }))).map(({ label, value }) => ({ label, similarity: value }));
  }

  async lexical(query: LexicalQuery, limit: number, filter?: ChunkFilter): Promise<LexicalHit[]> {
    if (this.lexicalSearch === 'memory') {
      if (!this.lexicalIndex) throw new Error('memory word search without a lexical index');
      return this.lexicalIndex.query(query.terms, limit, query.expansions, filter?.allowsLabel);
    }
    const words = query.text.match(/[\p{L}\p{N}]+/gu) ?? [];
    if (words.length === 0) return [];
    const { rows } =
      this.lexicalSearch === 'bm25'
        ? // pg_textsearch scores are negative (lower is better); rows without any query word score 0.
          await this.pool.query<{ file: string; ordinal: number; value: number }>(
            `SELECT file, ordinal, -(body <@> to_bm25query($1, 'chunks_bm25')) AS value FROM chunks
              WHERE $3::text[] IS NULL OR file = ANY($3::text[])
              ORDER BY body <@> to_bm25query($1, 'chunks_bm25') LIMIT $2`,
            [words.join(' '), limit, filter ? filter.files : null],
          )
        : await this.pool.query<{ file: string; ordinal: number; value: number }>(
            `SELECT file, ordinal, ts_rank_cd(to_tsvector('english', body), query) AS value
               FROM chunks, to_tsquery('english', $1) AS query
              WHERE to_tsvector('english', body) @@ query AND ($3::text[] IS NULL OR file = ANY($3::text[]))
              ORDER BY value DESC LIMIT $2`,
            [words.join(' | '), limit, filter ? filter.files : null],
          );
    return this.hits(rows.filter((row) => row.value > 0)).map(({ label, value }) => ({ label, score: value }));
  }

  /** Rows to labels of the index held, best first, ties by label (as the in-memory searches order them). */
  private hits(rows: readonly { file: string; ordinal: number; value: number }[]): { label: number; value: number }[] {
    return rows
      .flatMap((row) => {
        const label = this.labelOf(row.file, row.ordinal);
        return label === undefined ? [] : [{ label, value: Number(row.value) }];
      })
      .sort((left, right) => right.value - left.value || left.label - right.label);
  }
}
