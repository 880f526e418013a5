import { existsSync } from 'node:fs';
import path from 'node:path';
import { env, pipeline, type FeatureExtractionPipeline } from '@xenova/transformers';
import { DEFAULT_MODEL } from '../config.js';
import type { Logger } from '../log.js';
import { ensureStaticModel } from './static-model.js';

/** Turns texts into unit-length vectors (cosine similarity = dot product). */
export interface Embedder {
  /** The configured model id (`EMBEDDING_MODEL`), recorded in the index to detect a model change. */
  readonly modelId: string;
  /** Length of every vector. */
  readonly dimensions: number;
  /** One vector per text, in order. Empty texts (or texts without known words) give a zero vector. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** Texts per model call: large enough to amortize the call, small enough to bound padding. */
const BATCH_SIZE = 64;

/** Where transformers.js should look: `localModelPath` + `name` is the model folder. */
interface ModelLocation {
  readonly localModelPath: string;
  readonly name: string;
  /** False for a path given by the user: it is never downloaded. */
  readonly downloadable: boolean;
}

function looksLikePath(modelId: string): boolean {
  return path.isAbsolute(modelId) || /^\.\.?([/\\]|$)/.test(modelId) || modelId.includes('\\') || modelId.split('/').length > 2;
}

async function locateModel(modelId: string, modelCacheDir: string, log: Logger): Promise<ModelLocation> {
  if (modelId === DEFAULT_MODEL) {
    await ensureStaticModel(modelCacheDir, log);
    return { localModelPath: modelCacheDir, name: modelId, downloadable: false };
  }
  const folder = path.resolve(modelId);
  if (looksLikePath(modelId) || existsSync(path.join(folder, 'config.json'))) {
    return { localModelPath: path.dirname(folder), name: path.basename(folder), downloadable: false };
  }
  // A hub id: downloads land in modelCacheDir/<id>, which is also where offline runs look.
  return { localModelPath: modelCacheDir, name: modelId, downloadable: true };
}

/** transformers.js loads onnx/model_quantized.onnx when `quantized`; prefer it when present, as the hub models do. */
function prefersQuantized(folder: string): boolean {
  return existsSync(path.join(folder, 'onnx', 'model_quantized.onnx')) || !existsSync(path.join(folder, 'onnx', 'model.onnx'));
}

/**
 * Load the embedding model `modelId`: the default offline model (built on first use), a local
 * model folder (absolute or relative path), or a Hugging Face hub id such as
 * `Xenova/all-MiniLM-L6-v2`, downloaded into `modelCacheDir` only when `allowRemoteModels` is true.
 * Vectors are mean-pooled and L2-normalized.
 */
export async function loadEmbedder(options: {
  modelId: string;
  modelCacheDir: string;
  allowRemoteModels: boolean;
  log: Logger;
}): Promise<Embedder> {
  const { modelId, modelCacheDir, allowRemoteModels, log } = options;
  const location = await locateModel(modelId, modelCacheDir, log);
  const folder = path.join(location.localModelPath, location.name);
  const canDownload = location.downloadable && allowRemoteModels;
  if (!canDownload && !existsSync(path.join(folder, 'config.json'))) {
    throw new Error(modelNotFoundMessage(modelId, folder, location.downloadable));
  }

  env.localModelPath = location.localModelPath;
  env.cacheDir = modelCacheDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = canDownload;
  const started = performance.now();
  let extractor: FeatureExtractionPipeline;
  try {
    extractor = (await pipeline('feature-extraction', location.name, {
      quantized: prefersQuantized(folder),
    })) as FeatureExtractionPipeline;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint = canDownload ? '' : ` ${modelNotFoundMessage(modelId, folder, location.downloadable)}`;
    throw new Error(`Could not load embedding model "${modelId}" from ${folder}: ${reason}.${hint}`, { cause: error });
  }

  const embed = async (texts: readonly string[]): Promise<Float32Array[]> => {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += BATCH_SIZE) {
      const batch = texts.slice(start, start + BATCH_SIZE);
      const output = await extractor(batch, { pooling: 'mean', normalize: true });
      const data = output.data as Float32Array;
      const width = data.length / batch.length;
      for (let row = 0; row < batch.length; row++) {
        const vector = data.slice(row * width, (row + 1) * width);
        // A text without known tokens pools to zeros, which normalizing turns into NaN.
        if (Number.isNaN(vector[0])) vector.fill(0);
        vectors.push(vector);
      }
    }
    return vectors;
  };

  const [probe] = await embed(['dimension probe']);
  const dimensions = probe?.length ?? 0;
  log.debug(`Embedding model ${modelId} loaded in ${Math.round(performance.now() - started)} ms (${dimensions} dimensions)`);
  return { modelId, dimensions, embed };
}

function modelNotFoundMessage(modelId: string, folder: string, downloadable: boolean): string {
  const where = `Looked for it in ${folder} (config.json, tokenizer.json, onnx/model.onnx or onnx/model_quantized.onnx).`;
  return downloadable
    ? `Embedding model "${modelId}" is not available offline. ${where} Set ALLOW_REMOTE_MODELS=true to download it from the Hugging Face hub (saved there for later offline runs).`
    : `Embedding model "${modelId}" was not found. ${where} Set EMBEDDING_MODEL to a model folder or a hub id; with ALLOW_REMOTE_MODELS=true hub ids are downloaded.`;
}
