import path from 'node:path';
import { type Config, DEFAULT_MODEL, STATIC_MODEL } from '../config.js';
import type { Logger } from '../core/log.js';
import type { IngestReport } from '../core/types.js';
import { type Embedder, loadEmbedder } from '../embed/embedder.js';
import { DEFAULT_INDEX_SETTINGS, type IndexSettings, refreshIndex, type SyncOptions } from './sync.js';

/** How a configuration is turned into index settings, folders and a model: shared by the CLI, the bot and the benchmark. */
export function indexSettingsFrom(config: Config): IndexSettings {
  return { chunker: { maxChars: config.chunkMaxChars, overlap: config.chunkOverlap }, ...DEFAULT_INDEX_SETTINGS };
}

export function indexDirOf(config: Config): string {
  return path.join(config.indexDir, 'index');
}

/** The configured embedding model, loaded. */
export function embedderFor(config: Config, log: Logger): Promise<Embedder> {
  return loadEmbedder({
    modelId: config.embeddingModel,
    modelCacheDir: config.modelCacheDir,
    allowRemoteModels: config.allowRemoteModels,
    log,
  });
}

/** How the CLI, the bot and the benchmark build or load the index from a configuration. */
export function syncOptionsFor(config: Config, embedder: Embedder, log: Logger, mode: SyncOptions['mode']): SyncOptions {
  // With the default model configured, the program itself switches to the fallback and back: the index follows.
  const interchangeableModels = config.embeddingModel === DEFAULT_MODEL ? [DEFAULT_MODEL, STATIC_MODEL] : [];
  return {
    corpusDir: config.corpusDir,
    indexDir: indexDirOf(config),
    embedder,
    settings: indexSettingsFrom(config),
    ef: config.hnswEf,
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
  options: { readonly embedder?: Embedder } = {},
): Promise<{ report: IngestReport; modelId: string }> {
  const embedder = options.embedder ?? (await embedderFor(config, log));
  const { report } = await refreshIndex(syncOptionsFor(config, embedder, log, 'ingest'));
  return { report, modelId: embedder.modelId };
}
