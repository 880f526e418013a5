/**
 * One measurement in its own process (so RSS and cold start are those of a real run):
 *   tsx bench/worker.ts ingest <corpusDir> <indexRoot>
 *   tsx bench/worker.ts cold   <corpusDir> <indexRoot>
 *   tsx bench/worker.ts serve  <corpusDir> <indexRoot> <questionsFile>
 *   tsx bench/worker.ts serve-store <corpusDir> <indexRoot> <questionsFile>   (STORE=postgres: concurrency, SQL, recall)
 *   node --expose-gc --import tsx bench/worker.ts memory <corpusDir> <indexRoot>   (STORE=postgres: what the serving process holds)
 * Prints one JSON line on stdout.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type Config } from '../src/config.js';
import { createEngine } from '../src/answer/engine.js';
import { indexDirOf, syncOptionsFor } from '../src/ingest/ingest.js';
import { loadEmbedder, type Embedder } from '../src/embed/embedder.js';
import { silentLogger } from '../src/core/log.js';
import { loadIndex, readManifest } from '../src/index/store.js';
import { refreshIndex } from '../src/ingest/sync.js';
import { PostgresIndexStore } from '../src/index/postgres/postgres-store.js';
import type { ServingIndex } from '../src/index/serving-index.js';
import pg from 'pg';
import { DEFAULT_HNSW, ExactVectorIndex, VectorIndex } from '../src/index/vector-index.js';

const [task, corpusDir, indexRoot, questionsFile] = process.argv.slice(2);

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function benchConfig(): Config {
  const base = loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, { loadDotenv: false });
  // The model stays in the project's cache; only corpus and index move.
  return { ...base, corpusDir: path.resolve(corpusDir as string), indexDir: path.resolve(indexRoot as string) };
}

function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] as number;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((left, right) => left - right);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) };
}

function emit(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

async function ingest(): Promise<void> {
  const config = benchConfig();
  const started = performance.now();
  const embedder = await loadEmbedder({
    modelId: config.embeddingModel,
    modelCacheDir: config.modelCacheDir,
    allowRemoteModels: false,
    log: silentLogger,
  });
  const modelMs = performance.now() - started;
  const { report, embedded, stagesMs } = await refreshIndex(syncOptionsFor(config, embedder, silentLogger, 'ingest'));
  emit({
    modelMs,
    ingestMs: report.durationMs,
    rebuilt: report.rebuilt,
    documents: report.documents,
    chunks: report.chunks,
    embedded,
    stagesMs,
    peakRssMb: peakRssMb(),
  });
}

async function cold(): Promise<void> {
  const config = benchConfig();
  const started = performance.now();
  const engine = await createEngine(config, silentLogger, { mode: 'load' });
  const engineReady = performance.now();
  await engine.ask('How high were the US tariffs on Chinese goods?');
  const answered = performance.now();
  emit({
    beforeEngineMs: started,
    createEngineMs: engineReady - started,
    firstAskMs: answered - engineReady,
    sinceProcessStartMs: answered,
    peakRssMb: peakRssMb(),
  });
}

/**
 * The query path through the real engine. The engine is unreachable once this returns, so its
 * index can be collected before the baselines load their own copy (two copies of a 100k-document
 * index would not fit the worker's heap).
 */
async function measureQueries(config: Config, embedder: Embedder, questions: readonly string[]) {
  const engine = await createEngine(config, silentLogger, { embedder, mode: 'load' });
  await engine.ask(questions[0] ?? 'warm up');
  const queryMs: number[] = [];
  const stageEmbedMs: number[] = [];
  const stageSearchAndQuoteMs: number[] = [];
  let answered = 0;
  for (const question of questions) {
    const started = performance.now();
    const answer = await engine.ask(question);
    queryMs.push(performance.now() - started);
    stageEmbedMs.push(answer.timings.embedMs);
    stageSearchAndQuoteMs.push(answer.timings.searchMs);
    if (answer.answered) answered++;
  }
  return { answered, queryMs, stageEmbedMs, stageSearchAndQuoteMs, servingPeakRssMb: peakRssMb() };
}

async function serve(): Promise<void> {
  const config = benchConfig();
  const questions = (await readFile(questionsFile as string, 'utf8')).split('\n').filter(Boolean);
  const embedder = await loadEmbedder({
    modelId: config.embeddingModel,
    modelCacheDir: config.modelCacheDir,
    allowRemoteModels: false,
    log: silentLogger,
  });
  const { answered, queryMs, stageEmbedMs, stageSearchAndQuoteMs, servingPeakRssMb } = await measureQueries(config, embedder, questions);

  // Baselines, on a second copy of the index loaded here (after the serving RSS was taken).
  const manifest = await readManifest(indexDirOf(config));
  if (!manifest) throw new Error('no index');
  const snapshot = await loadIndex(indexDirOf(config), manifest, config.hnswEf);
  const matrix = new Float32Array((await readFile(path.join(indexDirOf(config), 'vectors.f32'))).buffer.slice(0));
  const exact = ExactVectorIndex.fromMatrix(
    new Float32Array(matrix.buffer, 0, manifest.chunks * manifest.model.dimensions),
    manifest.model.dimensions,
  );
  const questionVectors = await embedder.embed(questions);
  const embedMs: number[] = [];
  for (const question of questions.slice(0, 200)) {
    const started = performance.now();
    await embedder.embed([question]);
    embedMs.push(performance.now() - started);
  }
  const exactMs: number[] = [];
  const lexicalMs: number[] = [];
  const exactHits = questionVectors.map((vector) => {
    const started = performance.now();
    const hits = exact.search(vector, 50);
    exactMs.push(performance.now() - started);
    return hits;
  });
  questions.forEach((question) => {
    const started = performance.now();
    snapshot.lexicalIndex.query(question, 50);
    lexicalMs.push(performance.now() - started);
  });
  // HNSW at several ef values: latency and recall@10 against the exact top 10.
  const hnswFile = path.join(indexDirOf(config), 'vectors.hnsw');
  const dimensions = manifest.model.dimensions;
  // Below the exact-search size no graph is saved: build one here, to show where the switch pays.
  const hnsw = existsSync(hnswFile)
    ? await VectorIndex.load(hnswFile, dimensions, config.hnswEf)
    : VectorIndex.build(
        Array.from({ length: manifest.chunks }, (_, row) => matrix.subarray(row * dimensions, (row + 1) * dimensions)),
        dimensions,
        { ...DEFAULT_HNSW, ef: config.hnswEf },
      );
  const hnswByEf: { ef: number; p50: number; p95: number; recallAt10: number; recallAt50: number }[] = [];
  for (const ef of [16, 32, 64, 128, 256]) {
    hnsw.setEf(ef);
    const times: number[] = [];
    let found10 = 0;
    let found50 = 0;
    let total10 = 0;
    let total50 = 0;
    questionVectors.forEach((vector, index) => {
      const started = performance.now();
      const hits = hnsw.search(vector, 50);
      times.push(performance.now() - started);
      // Recall by similarity, so ties (duplicate sentences are common in news) count as found:
      // a hit is right when it is at least as similar as the exact k-th neighbour.
      const truth = exactHits[index] ?? [];
      const kth = (k: number) => (truth[Math.min(k, truth.length) - 1]?.similarity ?? Infinity) - 1e-6;
      found10 += hits.slice(0, 10).filter((hit) => hit.similarity >= kth(10)).length;
      found50 += hits.filter((hit) => hit.similarity >= kth(50)).length;
      total10 += Math.min(10, truth.length);
      total50 += truth.length;
    });
    hnswByEf.push({ ef, ...summary(times), recallAt10: found10 / total10, recallAt50: found50 / total50 });
  }
  emit({
    questions: questions.length,
    answered,
    query: summary(queryMs),
    stages: { embed: summary(stageEmbedMs), searchAndQuote: summary(stageSearchAndQuoteMs) },
    servingPeakRssMb,
    vectorSearchKind: snapshot.vectorIndex.kind,
    embed: summary(embedMs),
    exact: summary(exactMs),
    lexical: summary(lexicalMs),
    hnswByEf,
  });
}

/** Run `work` over `items` with `askers` at a time; per-item latency and overall throughput. */
async function concurrently<T>(askers: number, items: readonly T[], work: (item: T) => Promise<unknown>) {
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: askers }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        const begun = performance.now();
        await work(item);
        times.push(performance.now() - begun);
      }
    }),
  );
  const wallMs = performance.now() - started;
  return { askers, ...summary(times), perSecond: (items.length / wallMs) * 1000 };
}

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('serve-store needs STORE=postgres and DATABASE_URL');
  return url;
}

const vectorLiteral = (vector: Float32Array) => `[${Array.from(vector).join(',')}]`;
/** The store's vector search (SqlChunkSearch.dense without a scope), as SQL. */
const DENSE_SQL =
  'SELECT file, ordinal, 1 - (embedding <=> $1::vector) AS similarity FROM chunk_vectors ORDER BY embedding <=> $1::vector LIMIT $2';

/** `hnsw.ef_search` values whose recall@10 the postgres bench measures: pgvector's default, then up to its maximum. */
const RECALL_EFS = [40, 100, 256, 500, 1000];

/**
 * The postgres store's serving process, opened as a shard opens it (the stored index, without the
 * corpus folder): `engine.ask` at 1, 4 and 16 concurrent askers (RSS after warm-up and after all),
 * the SQL vector search alone at the same concurrency, and recall@10 of pgvector's HNSW index
 * against an exact scan (index scans off) at several `ef_search`, the store's own (HNSW_EF) among them.
 */
async function serveStore(): Promise<void> {
  const config = benchConfig();
  if (config.store.kind !== 'postgres') throw new Error('serve-store needs STORE=postgres');
  const questions = (await readFile(questionsFile as string, 'utf8')).split('\n').filter(Boolean);
  const embedder = await loadEmbedder({
    modelId: config.embeddingModel,
    modelCacheDir: config.modelCacheDir,
    allowRemoteModels: false,
    log: silentLogger,
  });
  const engineStarted = performance.now();
  const engine = await createEngine(config, silentLogger, { embedder, mode: 'read' });
  const engineLoadMs = performance.now() - engineStarted;
  // Each level asks questions of its own, none asked before in this process: the serving index
  // keeps the texts and sentence vectors of recent documents, and a question asked again would
  // find them there (the same questions at every level made 1 asker look slower than 4).
  const warmUp = Math.min(20, Math.floor(questions.length / 4));
  for (const question of questions.slice(0, warmUp)) await engine.ask(question);
  const levelQuestions = (level: number) => questions.slice(warmUp).filter((_, index) => index % 3 === level);
  const warmRssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  const heapUsedMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  let answered = 0;
  const ask: Record<string, ReturnType<typeof summary> & { askers: number; perSecond: number }> = {};
  for (const [level, askers] of [1, 4, 16].entries()) {
    ask[askers] = await concurrently(askers, levelQuestions(level), async (question) => {
      if ((await engine.ask(question)).answered) answered++;
    });
  }
  const servingPeakRssMb = peakRssMb();

  // The SQL alone: one pool of as many connections as askers, hnsw.ef_search set as the store sets it.
  const questionVectors = await embedder.embed(questions);
  const dense: Record<string, unknown> = {};
  for (const askers of [1, 4, 16]) {
    const pool = new pg.Pool({ connectionString: databaseUrl(), max: askers, options: `-c hnsw.ef_search=${Math.max(50, config.hnswEf)}` });
    await Promise.all(Array.from({ length: askers }, () => pool.query('SELECT 1')));
    dense[askers] = await concurrently(askers, questionVectors, (vector) => pool.query(DENSE_SQL, [vectorLiteral(vector), 50]));
    await pool.end();
  }

  // Recall@10 of the HNSW index against exact search, on a sample of the questions.
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  const sample = questionVectors.slice(0, 100);
  const explain = async () =>
    (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${DENSE_SQL}`, [vectorLiteral(sample[0] as Float32Array), 50])).rows
      .map((row) => row['QUERY PLAN'])
      .join(' ');
  const topOf = async (vector: Float32Array) =>
    (await client.query<{ similarity: number }>(DENSE_SQL, [vectorLiteral(vector), 10])).rows.map((row) => Number(row.similarity));
  await client.query('SET enable_indexscan = off');
  await client.query('SET enable_bitmapscan = off');
  const exactPlan = await explain();
  const exactMs: number[] = [];
  const exactTop: number[][] = [];
  for (const vector of sample) {
    const begun = performance.now();
    exactTop.push(await topOf(vector));
    exactMs.push(performance.now() - begun);
  }
  await client.query('RESET enable_indexscan');
  await client.query('RESET enable_bitmapscan');
  const recall: Record<string, unknown>[] = [];
  const storeEf = Math.max(50, config.hnswEf);
  for (const ef of [...new Set([...RECALL_EFS, storeEf])].sort((left, right) => left - right)) {
    const name = ef === storeEf ? 'store (HNSW_EF)' : ef === 40 ? 'pgvector default' : `ef_search ${ef}`;
    await client.query(`SET hnsw.ef_search = ${ef}`);
    const plan = await explain();
    let found = 0;
    let total = 0;
    const times: number[] = [];
    for (const [index, vector] of sample.entries()) {
      const begun = performance.now();
      const hits = await topOf(vector);
      times.push(performance.now() - begun);
      // As the local benchmark counts it: a hit at least as similar as the exact 10th counts (ties).
      const truth = exactTop[index] ?? [];
      const tenth = (truth[Math.min(10, truth.length) - 1] ?? Infinity) - 1e-6;
      found += hits.filter((similarity) => similarity >= tenth).length;
      total += Math.min(10, truth.length);
    }
    recall.push({ name, ef, usesHnsw: plan.includes('chunk_vectors_hnsw'), recallAt10: found / total, ...summary(times) });
  }
  await client.end();
  emit({
    questions: questions.length,
    warmUp,
    asked: questions.length - warmUp,
    answered,
    engineLoadMs,
    warmRssMb,
    heapUsedMb,
    servingPeakRssMb,
    ask,
    dense,
    exact: { usesIndex: exactPlan.includes('chunk_vectors_hnsw'), samples: sample.length, ...summary(exactMs) },
    recall,
  });
}

function memoryNow() {
  globalThis.gc?.();
  const usage = process.memoryUsage();
  const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  return { rssMb: mb(usage.rss), heapUsedMb: mb(usage.heapUsed), externalMb: mb(usage.external + usage.arrayBuffers) };
}

/**
 * What a postgres-store serving process holds, step by step (after a GC each): the model, the
 * index as it serves (`store.serve`: documents without text, word statistics, thesaurus, and the
 * lexical index with \`memory\` word search), then a whole engine after one question, with the
 * sizes of what is held.
 */
async function memory(): Promise<void> {
  const config = benchConfig();
  if (config.store.kind !== 'postgres') throw new Error('memory needs STORE=postgres');
  const start = memoryNow();
  const embedder = await loadEmbedder({
    modelId: config.embeddingModel,
    modelCacheDir: config.modelCacheDir,
    allowRemoteModels: false,
    log: silentLogger,
  });
  const model = memoryNow();
  const store = new PostgresIndexStore({ url: config.store.url, lexicalSearch: config.store.lexicalSearch, ef: config.hnswEf });
  const manifest = await store.readManifest();
  if (!manifest) throw new Error('no index in the database');
  let index: ServingIndex | null = await store.serve(manifest);
  const loaded = memoryNow();
  const structures = {
    documents: index.documents.length,
    chunks: manifest.chunks,
    documentEntriesJsonMb: JSON.stringify(index.documents).length / 1e6,
    thesaurusJsonMb: JSON.stringify(index.thesaurus.toData()).length / 1e6,
    lexicalSearch: config.store.lexicalSearch,
  };
  index = null;
  await store.close();
  const released = memoryNow();
  const engine = await createEngine(config, silentLogger, { embedder, mode: 'read' });
  await engine.ask('How high were the US tariffs on Chinese goods?');
  const withEngine = memoryNow();
  emit({ start, model, loaded, released, withEngine, structures, peakRssMb: peakRssMb() });
}

const tasks: Record<string, () => Promise<void>> = { ingest, cold, serve, 'serve-store': serveStore, memory };
const run = tasks[task ?? ''];
if (!run) {
  process.stderr.write(`unknown task ${task}\n`);
  process.exit(2);
}
await run();
