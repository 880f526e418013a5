import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../src/config.js';
import { silentLogger } from '../../src/core/log.js';
import { type Embedder, loadEmbedder } from '../../src/embed/embedder.js';
import type { ChunkFilter, LexicalQuery } from '../../src/index/chunk-search.js';
import { lexicalTermsColumn } from '../../src/index/postgres/lexical-column.js';
import type { IndexSnapshot } from '../../src/index/store.js';
import { ingestCorpus, storeFor, syncOptionsFor } from '../../src/ingest/ingest.js';
import { syncIndex } from '../../src/ingest/sync.js';
import { terms } from '../../src/text/terms.js';
import { startTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createWorkspace, MODEL_CACHE_DIR, type Workspace } from '../support/workspace.js';

/**
 * `POSTGRES_LEXICAL_SEARCH=bm25`: pg_textsearch's BM25 over our own terms of each chunk, queried
 * with the question's terms, typo matches of unknown words and WordNet expansions.
 */
let database: TestDatabase;
let model: Embedder;
let project: Workspace;

beforeAll(async () => {
  database = await startTestDatabase();
  model = await loadEmbedder({ modelId: DEFAULT_MODEL, modelCacheDir: MODEL_CACHE_DIR, allowRemoteModels: false, log: silentLogger });
  project = await createWorkspace();
  await ingestCorpus(bm25Config(), silentLogger, { embedder: model });
});

afterAll(async () => {
  await sql?.end();
  await database?.stop();
  await project?.remove();
});

const bm25Config = () => project.configWith({ STORE: 'postgres', DATABASE_URL: database.url, POSTGRES_LEXICAL_SEARCH: 'bm25' });

/** The stored index as a serving process loads it, with its SQL searches. */
async function withSnapshot(use: (snapshot: IndexSnapshot) => Promise<void>): Promise<void> {
  const store = storeFor(bm25Config());
  try {
    const { snapshot } = await syncIndex(syncOptionsFor(bm25Config(), model, silentLogger, 'load', store));
    await use(snapshot);
  } finally {
    await store.close();
  }
}

let sql: pg.Client | null = null;

/** One connection for the test's own queries, opened at the first. */
async function query<Row extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<Row[]> {
  if (!sql) {
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
  }
  return (await sql.query<Row>(text, values)).rows;
}

function wordQuery(text: string, expansions: ReadonlyMap<string, number> = new Map()): LexicalQuery {
  return { text, terms: terms(text), expansions };
}

describe('word search in SQL (bm25 over our terms)', () => {
  it('stores each chunk’s own terms, and rewrites documents stored before the column existed', async () => {
    // Digests, not the texts: PGlite's socket server stalls after a few results of tens of kB.
    const digest = (text: string) => createHash('md5').update(text).digest('hex');
    const stored = async () =>
      new Map(
        (await query<{ id: string; digest: string }>(`SELECT file || '#' || ordinal AS id, md5(lexical_terms) AS digest FROM chunks`)).map(
          (row) => [row.id, row.digest],
        ),
      );
    const expected = new Map<string, string>();
    await withSnapshot(async (snapshot) => {
      let previous = '';
      let ordinal = 0;
      for (const chunk of snapshot.chunks) {
        ordinal = chunk.file === previous ? ordinal + 1 : 0;
        previous = chunk.file;
        expected.set(`${chunk.file}#${ordinal}`, digest(lexicalTermsColumn(chunk.text)));
      }
    });
    expect(expected.size).toBeGreaterThan(50);
    expect(await stored()).toEqual(expected);
    expect(lexicalTermsColumn('Vietnamese tariffs on the U.S.')).toBe('vietnames tariff us');

    // A document written before migration 3 has no terms: the next ingest writes it again.
    const file = [...expected.keys()][0]?.split('#')[0] as string;
    await query('UPDATE chunks SET lexical_terms = NULL WHERE file = $1', [file]);
    expect((await stored()).get(`${file}#0`)).toBeNull();
    await ingestCorpus(bm25Config(), silentLogger, { embedder: model });
    expect(await stored()).toEqual(expected);
  });

  it('finds a passage by a misspelt word, as the in-memory BM25 does', async () => {
    await withSnapshot(async (snapshot) => {
      const search = snapshot.search;
      if (!search) throw new Error('the postgres store has SQL searches');
      for (const [typo, word] of [
        ['Haipohng', 'Haiphong'],
        ['aerospaec', 'aerospace'],
      ] as const) {
        expect(snapshot.lexicalIndex.hasTerm(terms(typo)[0] as string)).toBe(false);
        const hits = await search.lexical(wordQuery(typo), 10);
        expect(hits.length, typo).toBeGreaterThan(0);
        const top = snapshot.chunks[hits[0]?.label as number];
        expect(top?.text, typo).toContain(word);
        expect(hits[0]?.label).toBe(snapshot.lexicalIndex.query(terms(typo), 10)[0]?.label);
      }
    });
  });

  it('finds a passage by a WordNet expansion alone, weighted below the question’s own words', async () => {
    await withSnapshot(async (snapshot) => {
      const search = snapshot.search;
      if (!search) throw new Error('the postgres store has SQL searches');
      // No chunk has "zyxwv"; the expansion "camaraderi" is in one.
      const expanded = await search.lexical(wordQuery('zyxwv', new Map([['camaraderi', 0.3]])), 10);
      expect(expanded.length).toBeGreaterThan(0);
      for (const hit of expanded) expect(snapshot.chunks[hit.label]?.text.toLowerCase()).toContain('camaraderie');
      expect(await search.lexical(wordQuery('zyxwv'), 10)).toEqual([]);

      // The same word counts less as an expansion than as the question's own word.
      const own = await search.lexical(wordQuery('railway camaraderie'), 50);
      const asExpansion = await search.lexical(wordQuery('railway', new Map([['camaraderi', 0.3]])), 50);
      const share = (hits: readonly { label: number; score: number }[]) => {
        const best = Math.max(...hits.map((hit) => hit.score));
        const found = hits.find((hit) => snapshot.chunks[hit.label]?.text.toLowerCase().includes('camaraderie'));
        return (found?.score ?? 0) / best;
      };
      expect(share(asExpansion)).toBeGreaterThan(0);
      expect(share(asExpansion)).toBeLessThan(share(own));
    });
  });

  it('a scoped search returns the scope’s best chunks only', async () => {
    await withSnapshot(async (snapshot) => {
      const search = snapshot.search;
      if (!search) throw new Error('the postgres store has SQL searches');
      const everywhere = await search.lexical(wordQuery('railway'), 50);
      const files = new Set(everywhere.map((hit) => snapshot.chunks[hit.label]?.file));
      expect(files.size).toBeGreaterThan(1);
      const first = snapshot.documents[0]?.file as string;
      const filter: ChunkFilter = { files: [first], allowsLabel: (label) => snapshot.chunks[label]?.file === first };
      const scoped = await search.lexical(wordQuery('railway'), 20, filter);
      expect(scoped.length).toBeGreaterThan(0);
      for (const hit of scoped) expect(snapshot.chunks[hit.label]?.file).toBe(first);
      // The same chunks as the unscoped search's within the scope, in the same order.
      expect(scoped.map((hit) => hit.label)).toEqual(everywhere.filter((hit) => filter.allowsLabel(hit.label)).map((hit) => hit.label));
    });
  });
});
