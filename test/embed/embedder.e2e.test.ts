import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { STATIC_MODEL } from '../../src/config.js';
import { AutoTokenizer, env } from '@xenova/transformers';
import { loadEmbedder, modelRevision, staticTokenizer, type Embedder } from '../../src/embed/embedder.js';
import { ensureStaticModel, FULL_FP32_STATIC_MODEL } from '../../src/embed/static-model.js';
import { silentLogger } from '../../src/core/log.js';

// The project's default cache, so the one-time build (~10-20 s) is shared with later runs.
const modelCacheDir = fileURLToPath(new URL('../../embeddings/models', import.meta.url));
const fp32ModelCacheDir = fileURLToPath(new URL('../../embeddings/test-models-fp32', import.meta.url));
const seedsDir = fileURLToPath(new URL('../../seeds', import.meta.url));
const modelFiles = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt', 'onnx/model.onnx', 'build-info.json'];

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let index = 0; index < a.length; index++) dot += a[index]! * b[index]!;
  return dot;
}

describe('offline static embedding model', () => {
  let folder: string;
  let embedder: Embedder;

  beforeAll(async () => {
    folder = await ensureStaticModel(modelCacheDir, silentLogger);
    embedder = await loadEmbedder({ modelId: STATIC_MODEL, modelCacheDir, allowRemoteModels: false, log: silentLogger });
  }, 300_000);

  it('builds a complete model folder', () => {
    expect(folder).toBe(path.join(modelCacheDir, 'local', 'glove-sif-100d'));
    for (const file of modelFiles) expect(statSync(path.join(folder, file)).size).toBeGreaterThan(0);
  });

  it('reads the vocabulary from vocab.txt into the same tokens and ids as tokenizer.json gives', async () => {
    env.localModelPath = modelCacheDir;
    env.allowRemoteModels = false;
    const reference = await AutoTokenizer.from_pretrained(STATIC_MODEL);
    const fast = await staticTokenizer(folder);
    const seeds = readdirSync(seedsDir).map((file) => readFileSync(path.join(seedsDir, file), 'utf8'));
    const texts = [
      ...seeds,
      'Phạm Minh Chính’s café in Hà Nội',
      'U.S.-China “trade war”: 145%!',
      '中国 và Việt Nam',
      'zzqxv unknownword [CLS] [unused]',
      '',
    ];
    for (const text of texts) {
      const expected = reference(text, { truncation: true, return_tensor: false }) as { input_ids: number[] };
      const actual = fast(text, { truncation: true, return_tensor: false }) as { input_ids: number[] };
      expect(actual.input_ids).toEqual(expected.input_ids);
    }
    expect(fast.model.vocab.length).toBe(reference.model.vocab.length);
  });

  it('does not rebuild an existing model', async () => {
    const mtimes = modelFiles.map((file) => statSync(path.join(folder, file)).mtimeMs);
    const started = performance.now();
    await expect(ensureStaticModel(modelCacheDir, silentLogger)).resolves.toBe(folder);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(modelFiles.map((file) => statSync(path.join(folder, file)).mtimeMs)).toEqual(mtimes);
  });

  it('returns unit-length 100-dimensional vectors', async () => {
    expect(embedder.modelId).toBe(STATIC_MODEL);
    expect(embedder.dimensions).toBe(100);
    const vectors = await embedder.embed(['Tariffs on imports rose sharply.', 'Hanoi', 'Café']);
    expect(vectors).toHaveLength(3);
    for (const vector of vectors) {
      expect(vector).toHaveLength(100);
      expect(cosine(vector, vector)).toBeCloseTo(1, 5);
    }
  });

  it('scores related sentences above unrelated ones', async () => {
    const [tariffs, duties, railway] = await embedder.embed(['tariffs on imports', 'duties on goods', 'the railway to the port']);
    expect(cosine(tariffs!, duties!)).toBeGreaterThan(cosine(tariffs!, railway!) + 0.1);
  });

  it('handles empty texts, unknown words and more than one batch', async () => {
    const texts = ['', '   ', 'qzxqzxqzx', ...Array.from({ length: 70 }, (_, index) => `sentence number ${index} about trade`)];
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(texts.length);
    for (const vector of vectors) expect(vector.every(Number.isFinite)).toBe(true);
    expect(await embedder.embed([])).toEqual([]);
    const [alone] = await embedder.embed([texts[10]!]);
    expect(cosine(alone!, vectors[10]!)).toBeCloseTo(1, 5);
  });

  it('gives a text the same vector alone as among others of any length (batches run unpadded)', async () => {
    const texts = [
      'Vietnam',
      'Tariffs of 46% on Vietnam and 145% on China. '.repeat(40),
      '',
      'Hanoi and Beijing signed 45 agreements.',
      ...Array.from({ length: 300 }, (_, index) => `note ${index}`),
    ];
    const together = await embedder.embed(texts);
    for (const index of [0, 1, 2, 3, 150, 302]) {
      const [alone] = await embedder.embed([texts[index]!]);
      expect(together[index]).toEqual(alone);
    }
  });

  it('stays close to the full fp32 model on the seed sentences', async () => {
    const fp32 = await loadEmbedder({
      modelId: STATIC_MODEL,
      modelCacheDir: fp32ModelCacheDir,
      allowRemoteModels: false,
      log: silentLogger,
      staticModel: FULL_FP32_STATIC_MODEL,
    });
    const sentences = readdirSync(seedsDir)
      .flatMap((file) => readFileSync(path.join(seedsDir, file), 'utf8').split(/(?<=[.!?])\s+|\n+/))
      .filter((sentence) => /[a-z]/i.test(sentence));
    const compact = await embedder.embed(sentences);
    const full = await fp32.embed(sentences);
    const cosines = compact.map((vector, index) => cosine(vector, full[index]!));
    expect(Math.min(...cosines)).toBeGreaterThan(0.999);
    expect(cosines.reduce((sum, value) => sum + value, 0) / cosines.length).toBeGreaterThan(0.99);
  }, 300_000);

  it('fingerprints the model files, so a model rebuilt under the same id is told apart', async () => {
    const copies = mkdtempSync(path.join(os.tmpdir(), 'model-revision-'));
    try {
      const copy = path.join(copies, 'copy');
      cpSync(folder, copy, { recursive: true });
      expect(embedder.revision).toMatch(/^[0-9a-f]{16}$/);
      expect(await modelRevision(copy)).toBe(embedder.revision);
      const buildInfo = path.join(copy, 'build-info.json');
      writeFileSync(buildInfo, readFileSync(buildInfo, 'utf8').replace('"int8"', '"fp32"'));
      expect(await modelRevision(copy)).not.toBe(embedder.revision);
      expect(await modelRevision(path.join(copies, 'missing'))).toBe('unknown');
    } finally {
      rmSync(copies, { recursive: true, force: true });
    }
  });

  it('loads the same model from a folder path', async () => {
    const fromFolder = await loadEmbedder({ modelId: folder, modelCacheDir, allowRemoteModels: false, log: silentLogger });
    const [a] = await fromFolder.embed(['trade talks in Hanoi']);
    const [b] = await embedder.embed(['trade talks in Hanoi']);
    expect(cosine(a!, b!)).toBeCloseTo(1, 5);
  }, 60_000);

  it('loads a hub model id from the cache folder without the network', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'embedder-cache-'));
    try {
      const copy = path.join(cache, 'Example', 'glove-copy');
      cpSync(folder, copy, { recursive: true });
      renameSync(path.join(copy, 'onnx', 'model.onnx'), path.join(copy, 'onnx', 'model_quantized.onnx'));
      const hubEmbedder = await loadEmbedder({
        modelId: 'Example/glove-copy',
        modelCacheDir: cache,
        allowRemoteModels: false,
        log: silentLogger,
      });
      const [a] = await hubEmbedder.embed(['trade talks in Hanoi']);
      const [b] = await embedder.embed(['trade talks in Hanoi']);
      expect(cosine(a!, b!)).toBeCloseTo(1, 5);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 60_000);

  it('explains how to get a hub model that is not available offline', async () => {
    const load = loadEmbedder({ modelId: 'Xenova/no-such-model', modelCacheDir, allowRemoteModels: false, log: silentLogger });
    await expect(load).rejects.toThrow(/"Xenova\/no-such-model".*not available offline/);
    await expect(load).rejects.toThrow(path.join(modelCacheDir, 'Xenova', 'no-such-model'));
    await expect(load).rejects.toThrow(/ALLOW_REMOTE_MODELS=true/);
  });

  it('names a missing model folder', async () => {
    const missing = path.join(modelCacheDir, 'no-such-folder');
    await expect(loadEmbedder({ modelId: missing, modelCacheDir, allowRemoteModels: true, log: silentLogger })).rejects.toThrow(
      `Looked for it in ${missing}`,
    );
  });
});
