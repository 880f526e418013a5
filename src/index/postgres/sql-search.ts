import type pg from 'pg';
import type { ChunkFilter, ChunkSearch, LexicalQuery } from '../chunk-search.js';
import type { LexicalHit, LexicalIndex, LexicalSettings } from '../lexical-index.js';
import { FUZZY_GROUP_WEIGHT } from '../lexical-settings.js';
import type { VectorHit } from '../vector-index.js';
import { getOrInsert } from '../../core/maps.js';
import { TypoLookup } from '../typo-lookup.js';
import { chunkKey, vectorLiteral } from './rows.js';

/** The `hnsw.ef_search` each pooled connection was given. */
const searchBreadth = new WeakMap<pg.PoolClient, number>();

/** Top-k chunks by pg_textsearch's BM25 over our terms (scores are negative, lower is better; 0 when no word matches). */
const TERM_SEARCH_SQL = `SELECT file, ordinal, -(lexical_terms <@> to_bm25query($1, 'chunks_terms_bm25')) AS value, lexical_terms
  FROM chunks
 WHERE $3::text[] IS NULL OR file = ANY($3::text[])
 ORDER BY lexical_terms <@> to_bm25query($1, 'chunks_terms_bm25') LIMIT $2`;

/** What word search in SQL reads of the corpus's words (the lexical index has it, and so do the stored term statistics). */
export interface WordStatistics {
  /** Chunks in the index. */
  readonly size: number;
  /** How many chunks' text has the term. */
  documentFrequency(term: string): number;
  /** Every term some chunk's text has. */
  vocabulary(): Iterable<string>;
}

export type LexicalSearchKind = 'memory' | 'bm25' | 'fts';

/**
 * Retrieval's two top-k searches in SQL. Vectors: pgvector's cosine distance, through the HNSW
 * index. Words, by `lexicalSearch`: `memory` runs our BM25 (with WordNet expansions and typo
 * matches) over the stored lexical index — answers identical to the local store; `bm25` is
 * pg_textsearch's BM25 over our own terms of each chunk (`chunks.lexical_terms`), queried with the
 * question's terms, their typo matches and WordNet expansions (`termSearch`); `fts` is PostgreSQL's
 * own full-text search over the chunk text ranked by `ts_rank_cd`, which sees the question's words only.
 */
export class SqlChunkSearch implements ChunkSearch {
  constructor(
    private readonly pool: pg.Pool,
    /** The label of a stored chunk in the index held (undefined: not in it). */
    private readonly labelOf: (file: string, ordinal: number) => number | undefined,
    /** Held for `memory` word search only. */
    private readonly lexicalIndex: LexicalIndex | null,
    /** How many chunks have each term (common terms are left out of `bm25` queries, unknown ones matched to typos). */
    private readonly words: WordStatistics,
    private readonly lexicalSettings: LexicalSettings,
    private readonly lexicalSearch: LexicalSearchKind,
    /** HNSW search breadth; an HNSW scan returns at most this many rows, so never below the rows asked for. */
    private readonly ef: number,
  ) {}

  /** Built at the first word search that needs it, from the vocabulary of the index held. */
  private typos: TypoLookup | null = null;

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
    if (this.lexicalSearch === 'bm25') return this.termSearch(query, limit, filter);
    const words = query.text.match(/[\p{L}\p{N}]+/gu) ?? [];
    if (words.length === 0) return [];
    const { rows } = await this.pool.query<{ file: string; ordinal: number; value: number }>(
      `SELECT file, ordinal, ts_rank_cd(to_tsvector('english', body), query) AS value
         FROM chunks, to_tsquery('english', $1) AS query
        WHERE to_tsvector('english', body) @@ query AND ($3::text[] IS NULL OR file = ANY($3::text[]))
        ORDER BY value DESC LIMIT $2`,
      [words.join(' | '), limit, filter ? filter.files : null],
    );
    return this.hits(rows.filter((row) => row.value > 0)).map(({ label, value }) => ({ label, score: value }));
  }

  /**
   * pg_textsearch's BM25 over `chunks.lexical_terms` (our own terms), queried with the question's
   * terms read as the in-memory BM25 reads them: common terms left out, unknown words turned into
   * their typo matches, WordNet expansions added. pg_textsearch weighs every word of a query alike,
   * so the words are grouped by weight (the question's own terms 1, typo matches and each expansion
   * weight below), one top-k query per group, and a chunk's score is the weighted sum of its
   * groups' scores times the number of distinct question terms and expansions it holds (as
   * MiniSearch's BM25+ counts them).
   */
  private async termSearch(query: LexicalQuery, limit: number, filter?: ChunkFilter): Promise<LexicalHit[]> {
    const plan = this.termQueryPlan(query);
    if (plan.groups.size === 0) return [];
    const results = await Promise.all(
      [...plan.groups].map(async ([weight, words]) => {
        const { rows } = await this.pool.query<{ file: string; ordinal: number; value: number; lexical_terms: string }>(TERM_SEARCH_SQL, [
          [...words].join(' '),
          limit,
          filter ? filter.files : null,
        ]);
        return { weight, rows };
      }),
    );
    const byChunk = new Map<string, { file: string; ordinal: number; value: number; terms: ReadonlySet<string> }>();
    for (const { weight, rows } of results) {
      for (const row of rows) {
        if (!(row.value > 0)) continue;
        const key = chunkKey(row.file, row.ordinal);
        const entry = byChunk.get(key) ?? { file: row.file, ordinal: row.ordinal, value: 0, terms: new Set(row.lexical_terms.split(' ')) };
        entry.value += weight * Number(row.value);
        byChunk.set(key, entry);
      }
    }
    const scored = [...byChunk.values()].map((entry) => {
      const held = plan.queryTerms.filter((matches) => matches.some((term) => entry.terms.has(term))).length;
      return { file: entry.file, ordinal: entry.ordinal, value: entry.value * Math.max(1, held) };
    });
    return this.hits(scored)
      .slice(0, limit)
      .map(({ label, value }) => ({ label, score: value }));
  }

  /** The words of each weight group, and per distinct query term the vocabulary terms that count as holding it. */
  private termQueryPlan(query: LexicalQuery): { groups: Map<number, Set<string>>; queryTerms: string[][] } {
    const { fuzziness, maxTermShare } = this.lexicalSettings;
    const { words } = this;
    this.typos ??= new TypoLookup(words.vocabulary(), fuzziness);
    const typos = this.typos;
    const common = (term: string) => words.documentFrequency(term) > maxTermShare * words.size;
    const own = [...new Set(query.terms)];
    const kept = own.filter((term) => !common(term));
    if (kept.length === 0 && own.length > 0) {
      kept.push(own.reduce((rarest, term) => (words.documentFrequency(term) < words.documentFrequency(rarest) ? term : rarest)));
    }
    const weightOf = new Map<string, number>();
    const queryTerms: string[][] = [];
    const use = (term: string, weight: number) => weightOf.set(term, Math.max(weightOf.get(term) ?? 0, weight));
    for (const term of kept) {
      const matches = typos.matchesOf(term);
      for (const match of matches) use(match.term, match.weight === 1 ? 1 : FUZZY_GROUP_WEIGHT);
      if (matches.length > 0) queryTerms.push(matches.map((match) => match.term));
    }
    for (const [term, weight] of query.expansions) {
      if (!typos.has(term) || common(term) || weightOf.has(term)) continue;
      use(term, weight);
      queryTerms.push([term]);
    }
    const groups = new Map<number, Set<string>>();
    for (const [term, weight] of weightOf) getOrInsert(groups, Math.round(weight * 10) / 10, () => new Set()).add(term);
    return { groups, queryTerms };
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
