import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/engine.js';
import { DEFAULT_MODEL, STATIC_MODEL } from '../../src/config.js';
import { silentLogger } from '../../src/core/log.js';
import type { Answer } from '../../src/core/types.js';
import { type Embedder, loadEmbedder } from '../../src/embed/embedder.js';
import { readQuestions } from '../../src/eval/evaluate.js';
import { migrate, SCHEMA_VERSION, SchemaError } from '../../src/index/postgres/migrations.js';
import { INDEX_CHANNEL, PostgresIndexStore, WRITER_LOCK } from '../../src/index/postgres/postgres-store.js';
import { SentenceVectors } from '../../src/index/sentence-vectors.js';
import { ingestCorpus, storeFor, syncOptionsFor } from '../../src/ingest/ingest.js';
import { syncIndex } from '../../src/ingest/sync.js';
import { onRealServer, startTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createWorkspace, MODEL_CACHE_DIR, PROJECT_DIR, type Workspace } from '../support/workspace.js';
import { CountingEmbedder } from '../support/counting-embedder.js';

let database: TestDatabase;
let model: Embedder;
let project: Workspace;
let sql: pg.Client;
const engines: Engine[] = [];

beforeAll(async () => {
  database = await startTestDatabase();
  model = await loadEmbedder({ modelId: DEFAULT_MODEL, modelCacheDir: MODEL_CACHE_DIR, allowRemoteModels: false, log: silentLogger });
  project = await createWorkspace();
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
});

afterAll(async () => {
  for (const engine of engines) await engine.close();
  await sql?.end();
  await database?.stop();
  await project?.remove();
});

const postgresConfig = (extra: Record<string, string> = {}) =>
  // Our BM25 in memory, so answers can be compared with the local store's word for word.
  project.configWith({ STORE: 'postgres', DATABASE_URL: database.url, POSTGRES_LEXICAL_SEARCH: 'memory', ...extra });

async function open(config = postgresConfig(), embedder: Embedder = model): Promise<Engine> {
  const engine = await createEngine(config, silentLogger, { embedder });
  engines.push(engine);
  return engine;
}

async function count(table: string): Promise<number> {
  const { rows } = await sql.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${table}`);
  return rows[0]?.count ?? -1;
}

/** An answer without its timings (the only part that may differ between two runs). */
function comparable(answer: Answer): unknown {
  const { timings: _timings, ...rest } = answer;
  return rest;
}

describe('schema migrations', () => {
  it('migrate a fresh database, do nothing the second time, and refuse a schema newer than the program', async () => {
    expect(await migrate(sql)).toEqual([1, 2, 3, 4, 5]);
    const { rows } = await sql.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((row) => row.version)).toEqual([1, 2, 3, 4, SCHEMA_VERSION]);
    for (const table of ['index_manifest', 'documents', 'chunks', 'chunk_vectors', 'sentence_vectors', 'index_data', 'figure_sentences']) {
      expect(await count(table)).toBe(0);
    }
    expect(await migrate(sql)).toEqual([]);

    await sql.query(`INSERT INTO schema_migrations (version, name) VALUES (${SCHEMA_VERSION + 1}, 'from a newer program')`);
    try {
      const refused = await migrate(sql).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(SchemaError);
      expect((refused as Error).message).toContain(
        `schema is version ${SCHEMA_VERSION + 1}, newer than this program's (${SCHEMA_VERSION})`,
      );
      // Refused before touching anything: the store cannot be opened either.
      const store = new PostgresIndexStore({ url: database.url, lexicalSearch: 'memory', ef: 64 });
      await expect(store.readManifest()).rejects.toThrow(/newer than this program's/);
      await store.close();
    } finally {
      await sql.query(`DELETE FROM schema_migrations WHERE version = ${SCHEMA_VERSION + 1}`);
    }
  });
});

describe('the PostgreSQL store', () => {
  it('one writer: the writer holds an advisory lock until it releases it', async () => {
    const store = storeFor(postgresConfig());
    const held = async () => {
      const { rows } = await sql.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM pg_locks
         WHERE locktype = 'advisory' AND granted AND objid = $1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [WRITER_LOCK],
      );
      return rows[0]?.count ?? 0;
    };
    try {
      const lock = await store.lockForWriting(silentLogger);
      expect(await held()).toBe(1);
      await lock.release();
      expect(await held()).toBe(0);
    } finally {
      await store.close();
    }
  });

  // PGlite is one session for every connection, so its advisory locks never block: only a real server shows the wait.
  it.runIf(onRealServer)('a second writer waits until the first has released the lock, and says so', async () => {
    const first = storeFor(postgresConfig());
    const second = storeFor(postgresConfig());
    const said: string[] = [];
    const log = { ...silentLogger, info: (message: string) => said.push(message) };
    try {
      const lock = await first.lockForWriting(silentLogger);
      let secondHolds = false;
      const waiting = second.lockForWriting(log).then((secondLock) => {
        secondHolds = true;
        return secondLock;
      });
      await expect.poll(() => said.length).toBe(1);
      expect(said[0]).toMatch(/Another ingest is writing .*waiting/);
      expect(secondHolds).toBe(false);
      await lock.release();
      await (await waiting).release();
      expect(secondHolds).toBe(true);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('`npm run ingest` writes the seeds as rows, with vectors of the model’s dimension and an HNSW index', async () => {
    const { report } = await ingestCorpus(postgresConfig(), silentLogger, { embedder: model });
    expect(report.rebuilt).toBe(true);
    expect(report.added).toHaveLength(5);
    expect(await count('documents')).toBe(5);
    const chunks = await count('chunks');
    expect(chunks).toBe(report.chunks);
    expect(await count('chunk_vectors')).toBe(chunks);
    const store = storeFor(postgresConfig());
    const snapshot = await syncIndex(syncOptionsFor(postgresConfig(), model, silentLogger, 'load', store));
    await store.close();
    const sentences = snapshot.snapshot.documents.reduce((sum, document) => sum + SentenceVectors.textsOf(document).length, 0);
    expect(await count('sentence_vectors')).toBe(sentences);
    const { rows } = await sql.query<{ type: string }>(
      `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'chunk_vectors'::regclass AND attname = 'embedding'`,
    );
    expect(rows[0]?.type).toBe(`vector(${model.dimensions})`);
    const indexes = await sql.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename IN ('chunks', 'chunk_vectors')`);
    expect(indexes.rows.some((row) => /USING bm25 \(body\)/.test(row.indexdef))).toBe(true);
    expect(indexes.rows.some((row) => /USING hnsw \(embedding vector_cosine_ops\)/.test(row.indexdef))).toBe(true);

    const again = await ingestCorpus(postgresConfig(), silentLogger, { embedder: model });
    expect(again.report.rebuilt).toBe(false);
  });

  it('answers exactly as the local store does (full answers, on an eval set), with SQL top-k', async () => {
    const local = await open(project.config);
    const database = await open();
    const questions = (await readQuestions(path.join(PROJECT_DIR, 'test/eval/questions.jsonl'))).slice(0, 40);
    for (const { question } of questions) {
      expect(comparable(await database.ask(question)), question).toEqual(comparable(await local.ask(question)));
    }
    expect(await database.search('Vietnam China trade', 5)).toEqual(await local.search('Vietnam China trade', 5));
  });

  it('finds the same nearest chunks through the HNSW index as by exact search', async () => {
    const store = storeFor(postgresConfig());
    const { snapshot } = await syncIndex(syncOptionsFor(postgresConfig(), model, silentLogger, 'load', store));
    try {
      const questions = (await readQuestions(path.join(PROJECT_DIR, 'test/eval/questions-b.jsonl'))).slice(0, 20);
      const vectors = await model.embed(questions.map((entry) => entry.question));
      // The planner would scan 100 rows rather than use an index: make it use the HNSW index, and check it did.
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL enable_seqscan = off');
        await client.query('SET LOCAL hnsw.ef_search = 64');
        const literal = (vector: Float32Array) => `[${Array.from(vector).join(',')}]`;
        const plan = await client.query(`EXPLAIN SELECT file FROM chunk_vectors ORDER BY embedding <=> $1::vector LIMIT 10`, [
          literal(vectors[0] as Float32Array),
        ]);
        expect(plan.rows.map((row) => Object.values(row).join(' ')).join('\n')).toContain('chunk_vectors_hnsw');
        const labelOf = new Map(snapshot.chunks.map((chunk, label) => [chunk.id, label]));
        for (const vector of vectors) {
          const { rows } = await client.query<{ id: string }>(
            `SELECT c.file || '#p' || c.paragraph || '.' || c.part AS id FROM chunk_vectors v JOIN chunks c USING (file, ordinal)
              ORDER BY v.embedding <=> $1::vector LIMIT 10`,
            [literal(vector)],
          );
          const exact = snapshot.vectorIndex.search(vector, 10).map((hit) => hit.label);
          expect(rows.map((row) => labelOf.get(row.id))).toEqual(exact);
        }
        await client.query('COMMIT');
      } finally {
        await client.end();
      }
      // And the store's own search (as retrieval calls it) agrees with exact search, similarities included.
      for (const vector of vectors) {
        const sqlHits = await snapshot.search?.dense(vector, 10);
        const exact = snapshot.vectorIndex.search(vector, 10);
        expect(sqlHits?.map((hit) => hit.label)).toEqual(exact.map((hit) => hit.label));
        sqlHits?.forEach((hit, rank) => {
          expect(hit.similarity).toBeCloseTo(exact[rank]?.similarity ?? Number.NaN, 5);
        });
      }
    } finally {
      await store.close();
    }
  });

  it('refuses an index of another model, or vectors of another dimension, naming the command that fixes it', async () => {
    const fallback = await loadEmbedder({
      modelId: STATIC_MODEL,
      modelCacheDir: MODEL_CACHE_DIR,
      allowRemoteModels: false,
      log: silentLogger,
    });
    // The configured model is not the default, so the two are not interchangeable: refused, not rebuilt.
    const refused = await open(postgresConfig({ EMBEDDING_MODEL: STATIC_MODEL }), fallback).catch((error: unknown) => error);
    expect((refused as Error).message).toContain(`was built with the model "${DEFAULT_MODEL}" (${model.dimensions} dimensions)`);
    expect((refused as Error).message).toContain('Run `npm run ingest`');

    // Vectors whose column lost its dimension (edited by hand, a failed migration) are not read as the model's.
    await sql.query('DROP INDEX chunk_vectors_hnsw');
    await sql.query('ALTER TABLE chunk_vectors ALTER COLUMN embedding TYPE vector');
    const store = storeFor(postgresConfig());
    try {
      const manifest = await store.readManifest();
      await expect(store.load(manifest!)).rejects.toThrow(/are vector, but its manifest says 384 dimensions; run `npm run ingest`/);
    } finally {
      await store.close();
    }
    // `npm run ingest` gives them back their dimension (and re-embeds, since the vectors could not be trusted).
    await sql.query(`DELETE FROM index_manifest`);
    const { report } = await ingestCorpus(postgresConfig(), silentLogger, { embedder: model });
    expect(report.rebuilt).toBe(true);
    const { rows } = await sql.query<{ type: string }>(
      `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'chunk_vectors'::regclass AND attname = 'embedding'`,
    );
    expect(rows[0]?.type).toBe(`vector(${model.dimensions})`);
  });

  it('a change to one file re-embeds that file only, and a serving engine answers from it after the NOTIFY, without restart', async () => {
    const serving = await open();
    await serving.watchStore();
    const before = serving.builtAt();
    expect((await serving.search('zebras escaped onto the pier', 3))[0]?.source).not.toBe('001_77b7f39d73393a4f.txt');

    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    const notified = new Promise<string | undefined>((resolve) => listener.on('notification', (message) => resolve(message.payload)));
    await listener.query(`LISTEN ${INDEX_CHANNEL}`);
    const untouched = await sql.query<{ file: string; xmin: string }>(
      `SELECT file, xmin::text FROM chunk_vectors WHERE file <> '001_77b7f39d73393a4f.txt' ORDER BY file, ordinal`,
    );

    // Another process's ingest: the writer has its own project folder with one seed changed.
    const writer = await createWorkspace();
    try {
      const file = path.join(writer.corpusDir, '001_77b7f39d73393a4f.txt');
      await writeFile(
        file,
        `${await readFile(file, 'utf8')}\n\nOn Tuesday two zebras escaped from a circus and ran onto the pier, where keepers caught them.\n`,
      );
      const counting = new CountingEmbedder(model);
      const config = writer.configWith({ STORE: 'postgres', DATABASE_URL: database.url });
      const { report } = await ingestCorpus(config, silentLogger, { embedder: counting });
      expect(report.changed).toEqual(['001_77b7f39d73393a4f.txt']);
      const { rows: changedChunks } = await sql.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM chunks WHERE file = '001_77b7f39d73393a4f.txt'`,
      );
      const { rows: changedSentences } = await sql.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM sentence_vectors WHERE file = '001_77b7f39d73393a4f.txt'`,
      );
      // The changed document's chunks and sentences, nothing of the other four.
      expect(counting.texts).toBe((changedChunks[0]?.count ?? 0) + (changedSentences[0]?.count ?? 0));
      const after = await sql.query<{ file: string; xmin: string }>(
        `SELECT file, xmin::text FROM chunk_vectors WHERE file <> '001_77b7f39d73393a4f.txt' ORDER BY file, ordinal`,
      );
      expect(after.rows).toEqual(untouched.rows);

      const { rows: built } = await sql.query<{ built_at: string }>('SELECT built_at FROM index_manifest');
      expect(await notified).toBe(built[0]?.built_at);
      // The serving engine reloads on the same notification; wait for it (bounded by the test's timeout).
      while (serving.builtAt() === before) await new Promise((resolve) => setTimeout(resolve, 50));
      const found = await serving.search('zebras escaped onto the pier', 3);
      expect(found[0]?.source).toBe('001_77b7f39d73393a4f.txt');
      expect(found[0]?.text).toContain('zebras escaped from a circus');

      // `/reindex` in the serving process writes its own folder (the seeds) back, and answers from the database again.
      const reindexed = await serving.reindex();
      expect(reindexed.changed).toEqual(['001_77b7f39d73393a4f.txt']);
      expect((await serving.search('zebras escaped onto the pier', 3)).some((passage) => passage.text.includes('zebras'))).toBe(false);
    } finally {
      await listener.end();
      await writer.remove();
    }
  });

  // PGlite is one session: its listening connection cannot be cut alone. A real server can.
  it.runIf(onRealServer)('a serving engine whose listening connection was cut listens again and loads the change', async () => {
    const serving = await open();
    await serving.watchStore();
    const before = serving.builtAt();
    const { rows: cut } = await sql.query<{ cut: boolean }>(
      `SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity
        WHERE datname = current_database() AND query = $1 AND pid <> pg_backend_pid()`,
      [`LISTEN ${INDEX_CHANNEL}`],
    );
    expect(cut.length).toBeGreaterThan(0);

    const writer = await createWorkspace();
    try {
      const file = path.join(writer.corpusDir, '003_f015f23f54aca59a.txt');
      await writeFile(file, `${await readFile(file, 'utf8')}\n\nA herd of llamas crossed the harbour bridge at dawn, the port said.\n`);
      await ingestCorpus(writer.configWith({ STORE: 'postgres', DATABASE_URL: database.url }), silentLogger, { embedder: model });
      // Whether the commit came before or after the reconnect, the engine ends up on the new index (bounded by the test's timeout).
      while (serving.builtAt() === before) await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await serving.search('llamas crossed the harbour bridge', 3))[0]?.text).toContain('A herd of llamas');
      await serving.reindex();
    } finally {
      await writer.remove();
    }
  });

  it('a serving process that has not loaded a writer’s new index yet quotes only the text its index describes', async () => {
    const held = await open();
    const seed = '000_7bb7f1e19a806c78.txt';
    const heldText = await readFile(path.join(project.corpusDir, seed), 'utf8');
    const question = 'What US duties does Beijing face?';
    const verbatimIn = (texts: ReadonlyMap<string, string>, answer: Answer) => {
      for (const quote of answer.quotes) expect(texts.get(quote.source)?.slice(quote.start, quote.end)).toBe(quote.text);
      for (const passage of answer.passages) expect(texts.get(passage.source)?.slice(passage.start, passage.end)).toBe(passage.text);
    };
    const before = await held.ask(question);
    expect(before.quotes[0]?.source).toBe(seed);

    // Another process writes the document with a paragraph in front: every offset of the old text moves.
    const writer = await createWorkspace();
    try {
      const [dateline, ...rest] = heldText.split('\n\n');
      const changed = [
        dateline,
        'Officials in Hanoi met their counterparts from Beijing for a second round of talks on Monday.',
        ...rest,
      ].join('\n\n');
      await writeFile(path.join(writer.corpusDir, seed), changed);
      await ingestCorpus(writer.configWith({ STORE: 'postgres', DATABASE_URL: database.url }), silentLogger, { embedder: model });

      // Until it loads the new index (it is not listening), the held engine leaves the rewritten document out.
      const stale = await held.ask(question);
      const texts = new Map((await held.corpusDocuments()).map((document) => [document.file, document.raw]));
      // Its text is the held one if kept from the first question, else left out.
      expect(texts.get(seed) ?? heldText).toBe(heldText);
      texts.set(seed, heldText);
      verbatimIn(texts, stale);
      expect([...stale.quotes, ...stale.passages].some((cited) => cited.source === seed)).toBe(false);

      // Loaded, it quotes the new text.
      expect(await held.reload()).toBe(true);
      const fresh = await held.ask(question);
      expect(fresh.quotes[0]?.source).toBe(seed);
      verbatimIn(new Map((await held.corpusDocuments()).map((document) => [document.file, document.raw])), fresh);
      expect((await held.corpusDocuments()).find((document) => document.file === seed)?.raw).toBe(changed);
    } finally {
      await writer.remove();
      // The project's own seeds back in the database for the tests after this one.
      await (await open()).reindex();
    }
  });

  it('an index stored before the serving facts existed is written again by the next ingest', async () => {
    await open();
    await sql.query(`UPDATE documents SET terms = NULL WHERE file = '002_21a587edf0f19edc.txt'`);
    const store = storeFor(postgresConfig());
    try {
      const manifest = await store.readManifest();
      expect(await store.checkStored(manifest!)).toBe('documents stored by an older version');
      await expect(store.serve(manifest!)).rejects.toThrow(/stored by an older version.*npm run ingest/);
    } finally {
      await store.close();
    }
    const { report } = await ingestCorpus(postgresConfig(), silentLogger, { embedder: model });
    expect(report.rebuilt).toBe(true);
    expect(await count('documents WHERE terms IS NULL')).toBe(0);
    expect((await open()).documents().length).toBe(5);
  });
});
