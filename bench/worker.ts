/**
 * One measurement in its own process (so RSS and cold start are those of a real run):
 *   tsx bench/worker.ts ingest <corpusDir> <indexRoot>
 *   tsx bench/worker.ts cold   <corpusDir> <indexRoot>
 *   tsx bench/worker.ts serve  <corpusDir> <indexRoot> <questionsFile>
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

const tasks: Record<string, () => Promise<void>> = { ingest, cold, serve };
const run = tasks[task ?? ''];
if (!run) {
  process.stderr.write(`unknown task ${task}\n`);
  process.exit(2);
}
await run();
