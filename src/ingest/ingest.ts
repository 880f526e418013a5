import os from 'node:os';
import path from 'node:path';
import { type Config, DEFAULT_MODEL, STATIC_MODEL } from '../config.js';
import type { Logger } from '../core/log.js';
import type { IngestReport } from '../core/types.js';
import { type Embedder, loadEmbedder } from '../embed/embedder.js';
import type { IndexStore } from '../index/index-store.js';
import { LocalIndexStore } from '../index/local-store.js';
import { PostgresIndexStore } from '../index/postgres/postgres-store.js';
import { QueueEmbedding, runEmbedWorker, threadsPerWorker } from './queue.js';
import { DEFAULT_INDEX_SETTINGS, type IndexSettings, refreshIndex, type SyncOptions } from './sync.js';

/** How a configuration is turned into index settings, folders and a model: shared by the CLI, the bot and the benchmark. */
export function indexSettingsFrom(config: Config): IndexSettings {
  return { chunker: { maxChars: config.chunkMaxChars, overlap: config.chunkOverlap }, ...DEFAULT_INDEX_SETTINGS };
}

export function indexDirOf(config: Config): string {
  return path.join(config.indexDir, 'index');
}

/** Where the configuration keeps the index: the files in INDEX_DIR, or the database of DATABASE_URL. */
export function storeFor(config: Config): IndexStore {
  const { store } = config;
  if (store.kind === 'local') return new LocalIndexStore(indexDirOf(config), { ef: config.hnswEf });
  return new PostgresIndexStore({ url: store.url, lexicalSearch: store.lexicalSearch, ef: config.hnswEf });
}

/** Where an interrupted ingest's vectors wait until the store has them: beside the index files, or in INDEX_DIR for the database. */
function resumeDirOf(config: Config): string {
  return config.store.kind === 'local' ? indexDirOf(config) : path.join(config.indexDir, 'postgres');
}

/**
 * The configured embedding model, loaded. `ownRuntime` for a process that runs no other model (an
 * ingest worker): the model then runs on the runtime that holds EMBED_THREADS (default: every core).
 */
export function embedderFor(config: Config, log: Logger, options: { ownRuntime?: boolean } = {}): Promise<Embedder> {
  return loadEmbedder({
    modelId: config.embeddingModel,
    modelCacheDir: config.modelCacheDir,
    allowRemoteModels: config.allowRemoteModels,
    log,
    ...(options.ownRuntime ? { ownRuntime: { threads: config.embedThreads ?? os.availableParallelism() } } : {}),
  });
}

/** How the CLI, the bot and the benchmark build or load the index from a configuration. */
export function syncOptionsFor(
  config: Config,
  embedder: Embedder,
  log: Logger,
  mode: SyncOptions['mode'],
  store: IndexStore = storeFor(config),
): SyncOptions {
  // With the default model configured, the program itself switches to the fallback and back: the index follows.
  const interchangeableModels = config.embeddingModel === DEFAULT_MODEL ? [DEFAULT_MODEL, STATIC_MODEL] : [];
  return {
    corpusDir: config.corpusDir,
    store,
    resumeDir: resumeDirOf(config),
    embedder,
    settings: indexSettingsFrom(config),
    log,
    mode,
    interchangeableModels,
  };
}

/**
 * `npm run ingest`: build or refresh the index, without loading one that is already up to date
 * (an unchanged corpus costs a read and a hash of it, and the model load).
 */
export async function ingestCorpus(
  config: Config,
  log: Logger,
  options: {
    readonly embedder?: Embedder;
    /** STORE=postgres: embed as jobs on the database's queue, with this many worker processes here (`--workers N`). */
    readonly workers?: number;
    /** Chunks per job (default: the resume log's groups, 512). */
    readonly embedGroupChunks?: number;
  } = {},
): Promise<{ report: IngestReport; modelId: string; stagesMs: Record<string, number> }> {
  const embedder = options.embedder ?? (await embedderFor(config, log));
  const store = storeFor(config);
  try {
    const jobEmbedding = options.workers === undefined ? undefined : queueEmbeddingFor(config, embedder, log, options.workers);
    const { report, stagesMs } = await refreshIndex({
      ...syncOptionsFor(config, embedder, log, 'ingest', store),
      ...(jobEmbedding ? { jobEmbedding } : {}),
      ...(options.embedGroupChunks === undefined ? {} : { embedGroupChunks: options.embedGroupChunks }),
    });
    return { report, modelId: embedder.modelId, stagesMs };
  } finally {
    await store.close();
  }
}

/** The queue in the database of STORE=postgres, with `workers` local worker processes (each EMBED_THREADS, default cores ÷ workers). */
function queueEmbeddingFor(config: Config, embedder: Embedder, log: Logger, workers: number): QueueEmbedding {
  if (config.store.kind !== 'postgres') throw new Error('Embedding jobs need STORE=postgres: the queue is in its database.');
  const { url } = config.store;
  return new QueueEmbedding({
    url,
    model: { id: embedder.modelId, revision: embedder.revision, dimensions: embedder.dimensions },
    leaseSeconds: config.embedJobLeaseSeconds,
    log,
    localWorkers: workers,
    workerEnv: {
      STORE: 'postgres',
      DATABASE_URL: url,
      MODEL_DIR: config.modelCacheDir,
      // The ingest's model (after a fallback, not the configured one): the jobs are refused by any other.
      EMBEDDING_MODEL: embedder.modelId,
      EMBED_THREADS: String(config.embedThreads ?? threadsPerWorker(workers)),
      LOG_LEVEL: config.logLevel,
    },
  });
}

/** `npm run ingest:worker`: load the model and take the embedding jobs of the ingest running on DATABASE_URL until none is left. */
export async function embedInWorker(config: Config, log: Logger): Promise<number> {
  if (config.store.kind !== 'postgres') throw new Error('An ingest worker needs STORE=postgres and the DATABASE_URL of the ingest.');
  // A worker runs the sentence model alone (no cross-encoder), so it may run it on the runtime that holds its threads.
  const embedder = await embedderFor(config, log, { ownRuntime: true });
  return runEmbedWorker(config.store.url, embedder, log);
}
