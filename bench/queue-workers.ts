/**
 * Embedding as jobs on the queue (issue #27): `npm run ingest -- --workers N` with 1 worker against
 * 2 workers (EMBED_THREADS threads each, default 1) on the same generated corpus, each run on a fresh
 * database of a real PostgreSQL server (`DATABASE_URL`, an admin URL: e.g. from scripts/real-postgres.sh).
 * Runs alternate (1, 2, 1, 2, …); medians of the embedding stage (queueing, workers' start and model
 * load, embedding, reading the vectors back) and of the whole ingest, and the ratio of each pair.
 *
 *   DATABASE_URL=… node --import tsx bench/queue-workers.ts [--size 40] [--runs 3] [--job-chunks 64] [--threads 1]
 *
 * Prints one JSON line on stdout; the load average before and after each run is in it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DEFAULT_MODEL, loadConfig } from '../src/config.js';
import { silentLogger } from '../src/core/log.js';
import { loadEmbedder } from '../src/embed/embedder.js';
import { ingestCorpus } from '../src/ingest/ingest.js';
import { ensureCorpus } from './corpus.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '40' },
    runs: { type: 'string', default: '3' },
    'job-chunks': { type: 'string', default: '64' },
    threads: { type: 'string', default: '1' },
  },
});
const admin = process.env.DATABASE_URL;
if (!admin) throw new Error('DATABASE_URL: a real PostgreSQL server (scripts/real-postgres.sh start prints one)');
const projectDir = path.resolve(import.meta.dirname, '..');
const modelCacheDir = path.join(projectDir, 'embeddings', 'models');
const size = Number(values.size);
const corpusDir = await ensureCorpus(path.join(projectDir, 'seeds'), path.join(projectDir, 'bench', 'corpora', `docs-${size}`), size);
const embedder = await loadEmbedder({ modelId: DEFAULT_MODEL, modelCacheDir, allowRemoteModels: false, log: silentLogger });

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

async function run(workers: number) {
  const name = `bench_${randomUUID().replaceAll('-', '')}`;
  await sql(`CREATE DATABASE ${name} TEMPLATE template1`);
  const indexDir = await mkdtemp(path.join(os.tmpdir(), 'queue-bench-'));
  const url = new URL(admin as string);
  url.pathname = `/${name}`;
  const config = loadConfig(
    {
      CORPUS_DIR: corpusDir,
      INDEX_DIR: indexDir,
      MODEL_DIR: modelCacheDir,
      STORE: 'postgres',
      DATABASE_URL: url.toString(),
      EMBED_THREADS: values.threads as string,
      LOG_LEVEL: 'silent',
    },
    { baseDir: projectDir, loadDotenv: false },
  );
  const loadBefore = os.loadavg()[0] as number;
  const started = performance.now();
  try {
    const { report, stagesMs } = await ingestCorpus(config, silentLogger, {
      embedder,
      workers,
      embedGroupChunks: Number(values['job-chunks']),
    });
    return {
      workers,
      embedMs: Math.round(stagesMs['embed (jobs)'] ?? Number.NaN),
      ingestMs: Math.round(performance.now() - started),
      chunks: report.chunks,
      load: [loadBefore, os.loadavg()[0] as number].map((value) => Math.round(value * 100) / 100),
    };
  } finally {
    await rm(indexDir, { recursive: true, force: true });
    await sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

const runs: Awaited<ReturnType<typeof run>>[] = [];
for (let index = 0; index < Number(values.runs); index++) {
  for (const workers of [1, 2]) {
    const result = await run(workers);
    process.stderr.write(`${JSON.stringify(result)}\n`);
    runs.push(result);
  }
}
const of = (workers: number) => runs.filter((result) => result.workers === workers);
const ratios = of(1).map((one, index) => Math.round((one.embedMs / (of(2)[index]?.embedMs ?? Number.NaN)) * 100) / 100);
process.stdout.write(
  `${JSON.stringify({
    date: new Date().toISOString(),
    size,
    chunks: runs[0]?.chunks,
    jobChunks: Number(values['job-chunks']),
    threadsPerWorker: Number(values.threads),
    cores: os.availableParallelism(),
    medianEmbedMs: { one: median(of(1).map((result) => result.embedMs)), two: median(of(2).map((result) => result.embedMs)) },
    medianIngestMs: { one: median(of(1).map((result) => result.ingestMs)), two: median(of(2).map((result) => result.ingestMs)) },
    embedRatios: ratios,
    medianEmbedRatio: median(ratios),
    runs,
  })}\n`,
);
process.exit(0);
