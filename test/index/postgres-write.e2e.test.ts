import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATIC_MODEL } from '../../src/config.js';
import { silentLogger } from '../../src/core/log.js';
import { readCorpus } from '../../src/corpus/read.js';
import { type Embedder, loadEmbedder } from '../../src/embed/embedder.js';
import { migrate } from '../../src/index/postgres/migrations.js';
import { PostgresIndexStore } from '../../src/index/postgres/postgres-store.js';
import { readValues, writeValues } from '../../src/index/postgres/rows.js';
import { rowRewrite, writeIndex } from '../../src/index/postgres/write.js';
import type { IndexSnapshot } from '../../src/index/store.js';
import { DEFAULT_HNSW } from '../../src/index/vector-index.js';
import { buildSnapshot, DEFAULT_INDEX_SETTINGS, type IndexSettings } from '../../src/ingest/sync.js';
import { startTestDatabase, type TestDatabase } from '../support/test-database.js';
import { MODEL_CACHE_DIR, SEEDS_DIR } from '../support/workspace.js';

/** The writer's two paths (src/index/postgres/write.ts, bulk-load.ts) on the seeds, through a real database. */

const SETTINGS: IndexSettings = { chunker: { maxChars: 600, overlap: true }, ...DEFAULT_INDEX_SETTINGS };
const EF = 64;

let database: TestDatabase;
let model: Embedder;
let sql: pg.Client;
let workDir: string;
let seeds: Built;

interface Built {
  readonly snapshot: IndexSnapshot;
  readonly vectors: Float32Array[];
}

async function build(corpusDir: string, settings: IndexSettings = SETTINGS): Promise<Built> {
  const { documents } = await readCorpus(corpusDir);
  const { snapshot, vectors } = await buildSnapshot(documents, model, settings, EF);
  return { snapshot, vectors };
}

beforeAll(async () => {
  database = await startTestDatabase();
  model = await loadEmbedder({ modelId: STATIC_MODEL, modelCacheDir: MODEL_CACHE_DIR, allowRemoteModels: false, log: silentLogger });
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  await migrate(sql);
  workDir = await mkdtemp(path.join(os.tmpdir(), 'postgres-write-'));
  seeds = await build(SEEDS_DIR);
});

afterAll(async () => {
  await sql?.end();
  await database?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** One writer's transaction, as `PostgresIndexStore.save` runs it. */
async function write({ snapshot, vectors }: Built) {
  await sql.query('BEGIN');
  try {
    const written = await writeIndex(sql, snapshot, vectors);
    await sql.query('COMMIT');
    return written;
  } catch (error) {
    await sql.query('ROLLBACK');
    throw error;
  }
}

/** Every stored row of the per-document tables, vectors in pgvector's text form. */
async function storedRows(): Promise<unknown[]> {
  const tables = [
    'SELECT file, position, title, date, raw, content_hash, paragraphs FROM documents ORDER BY file',
    'SELECT file, ordinal, paragraph, part, start_offset, end_offset, section, body FROM chunks ORDER BY file, ordinal',
    'SELECT file, ordinal, embedding::text FROM chunk_vectors ORDER BY file, ordinal',
    'SELECT file, ordinal, embedding::text FROM sentence_vectors ORDER BY file, ordinal',
  ];
  return Promise.all(tables.map(async (query) => (await sql.query(query)).rows));
}

async function indexDefinitions(): Promise<string[]> {
  const { rows } = await sql.query<{ indexdef: string }>(
    `SELECT indexdef FROM pg_indexes WHERE tablename IN ('documents', 'chunks', 'chunk_vectors', 'sentence_vectors') ORDER BY indexname`,
  );
  return rows.map((row) => row.indexdef);
}

describe('the PostgreSQL writer', () => {
  it('a first ingest takes the bulk path, writes the rows the row-by-row path writes, and leaves the indexes as the migrations define them', async () => {
    const migrated = await indexDefinitions();
    expect(migrated.some((definition) => /USING bm25/.test(definition))).toBe(true);
    expect(migrated.some((definition) => /USING gin/.test(definition))).toBe(true);

    expect(await write(seeds)).toEqual({ path: 'bulk', written: 5 });
    const bulk = await storedRows();
    const counts = (bulk as unknown[][]).map((rows) => rows.length);
    expect(counts[0]).toBe(5);
    expect(counts[2]).toBe(seeds.snapshot.chunks.length);
    expect(counts[3]).toBe(seeds.snapshot.sentenceVectors.size);
    // Analysed by the writer (not autovacuum): the planner knows the new rows from the first question.
    const analysed = await sql.query<{ relname: string }>(
      `SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL AND relname IN ('chunks', 'chunk_vectors') ORDER BY relname`,
    );
    expect(analysed.rows.map((row) => row.relname)).toEqual(['chunk_vectors', 'chunks']);
    const afterBulk = await indexDefinitions();
    // The HNSW index the writer gives the vector column, besides the migrations' word indexes.
    expect(afterBulk.filter((definition) => !definition.includes('USING hnsw'))).toEqual(migrated);
    const { m, efConstruction } = DEFAULT_HNSW;
    expect(afterBulk.filter((definition) => definition.includes('USING hnsw'))).toEqual([
      `CREATE INDEX chunk_vectors_hnsw ON public.chunk_vectors USING hnsw (embedding vector_cosine_ops) WITH (m='${m}', ef_construction='${efConstruction}')`,
    ]);

    // The same documents written one by one, in a transaction rolled back: the very same rows.
    await sql.query('BEGIN');
    try {
      await sql.query('TRUNCATE documents CASCADE');
      await rowRewrite(sql, { snapshot: seeds.snapshot, vectors: seeds.vectors, keep: new Set(), gone: [] });
      expect(await storedRows()).toEqual(bulk);
    } finally {
      await sql.query('ROLLBACK');
    }
    expect(await storedRows()).toEqual(bulk);
  });

  it('a change to one document of five takes the row-by-row path', async () => {
    const corpusDir = path.join(workDir, 'one-changed');
    await cp(SEEDS_DIR, corpusDir, { recursive: true });
    const file = path.join(corpusDir, '001_77b7f39d73393a4f.txt');
    await writeFile(file, `${await readFile(file, 'utf8')}\n\nTwo zebras escaped onto the pier.\n`);
    const indexes = await indexDefinitions();
    expect(await write(await build(corpusDir))).toEqual({ path: 'rows', written: 1 });
    expect(await indexDefinitions()).toEqual(indexes);
    // Back to the seeds, for the next test.
    expect(await write(seeds)).toEqual({ path: 'rows', written: 1 });
  });

  it('a bulk rewrite that fails rolls everything back: the old rows and indexes stay, and the store still answers from them', async () => {
    const before = await storedRows();
    const indexes = await indexDefinitions();
    const { rows: manifest } = await sql.query<{ built_at: string }>('SELECT built_at FROM index_manifest');
    // Other settings rewrite every document (the bulk path); one vector of the wrong dimension fails mid-load.
    const rebuilt = await build(SEEDS_DIR, {
      ...SETTINGS,
      lexical: { ...SETTINGS.lexical, titleBoost: SETTINGS.lexical.titleBoost + 0.5 },
    });
    const broken = [...rebuilt.vectors];
    broken[Math.floor(broken.length / 2)] = new Float32Array(3);
    await expect(write({ snapshot: rebuilt.snapshot, vectors: broken })).rejects.toThrow(/dimensions/);

    expect(await storedRows()).toEqual(before);
    expect(await indexDefinitions()).toEqual(indexes);
    expect((await sql.query<{ built_at: string }>('SELECT built_at FROM index_manifest')).rows).toEqual(manifest);
    const store = new PostgresIndexStore({ url: database.url, lexicalSearch: 'bm25', ef: EF });
    try {
      const stored = await store.readManifest();
      expect(stored?.builtAt).toBe(seeds.snapshot.manifest.builtAt);
      const snapshot = await store.load(seeds.snapshot.manifest);
      const [question] = await model.embed(['How high were the US tariffs on Chinese goods?']);
      const hits = await snapshot.search?.dense(question as Float32Array, 3);
      expect(hits?.length).toBe(3);
      const exact = seeds.snapshot.vectorIndex.search(question as Float32Array, 1);
      expect(hits?.[0]?.label).toBe(exact[0]?.label);
    } finally {
      await store.close();
    }
  });

  it('a save hands back the index as the database serves it: read back, with the top-k searches in SQL', async () => {
    const store = new PostgresIndexStore({ url: database.url, lexicalSearch: 'bm25', ef: EF });
    try {
      const stored = await store.save(seeds.snapshot, seeds.vectors);
      expect(stored.manifest.builtAt).toBe(seeds.snapshot.manifest.builtAt);
      const snapshot = await stored.load();
      expect(snapshot).not.toBe(seeds.snapshot);
      expect(snapshot.search).toBeDefined();
      expect(snapshot.chunks.length).toBe(seeds.snapshot.chunks.length);
      expect((await stored.serve()).manifest.builtAt).toBe(seeds.snapshot.manifest.builtAt);
    } finally {
      await store.close();
    }
  });

  it('keeps a whole-corpus value larger than a part in several rows and reads it back whole', async () => {
    const value = Buffer.from(Array.from({ length: 10_000 }, (_, index) => index % 251));
    await sql.query('BEGIN');
    try {
      await writeValues(sql, { 'test-value': value, 'test-empty': Buffer.alloc(0) }, 3_000);
      const { rows } = await sql.query<{ part: number; bytes: number }>(
        `SELECT part, length(data) AS bytes FROM index_data WHERE name = 'test-value' ORDER BY part`,
      );
      expect(rows).toEqual([
        { part: 0, bytes: 3_000 },
        { part: 1, bytes: 3_000 },
        { part: 2, bytes: 3_000 },
        { part: 3, bytes: 1_000 },
      ]);
      const read = await readValues(sql, ['test-value', 'test-empty']);
      expect(read('test-value').equals(value)).toBe(true);
      expect(read('test-empty').length).toBe(0);
      expect(() => read('not-stored')).toThrow(/no not-stored stored/);
      // Written again with fewer parts: no part of the longer value is left behind.
      await writeValues(sql, { 'test-value': value.subarray(0, 4_000) }, 3_000);
      expect((await readValues(sql, ['test-value']))('test-value').equals(value.subarray(0, 4_000))).toBe(true);
    } finally {
      await sql.query('ROLLBACK');
    }
  });
});
