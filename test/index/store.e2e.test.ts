import { mkdtemp, mkdir, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateDocument, learnSeeds } from '../../bench/corpus.js';
import { DEFAULT_MODEL } from '../../src/config.js';
import { loadEmbedder, type Embedder } from '../../src/embed/embedder.js';
import { silentLogger } from '../../src/core/log.js';
import { readCorpus } from '../../src/corpus/read.js';
import { ResumeLog } from '../../src/ingest/resume.js';
import { LocalIndexStore } from '../../src/index/local-store.js';
import { loadIndex, readManifest } from '../../src/index/store.js';
import { buildSnapshot, DEFAULT_INDEX_SETTINGS, syncIndex, type IndexSettings } from '../../src/ingest/sync.js';
import { RememberingEmbedder } from '../support/remembering-embedder.js';

const settings: IndexSettings = { chunker: { maxChars: 600, overlap: true }, ...DEFAULT_INDEX_SETTINGS };
let model: Embedder;
let workDir: string;

beforeAll(async () => {
  model = await loadEmbedder({
    modelId: DEFAULT_MODEL,
    modelCacheDir: path.resolve('embeddings/models'),
    allowRemoteModels: false,
    log: silentLogger,
  });
}, 300_000);

beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'store-test-'));
});

afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('index files', () => {
  it('searches exactly up to the exact-search size and with HNSW above; a saved index answers like the built one', async () => {
    const corpusDir = path.join(workDir, 'corpus');
    await mkdir(corpusDir);
    const seeds = await learnSeeds(path.resolve('seeds'));
    for (let index = 0; index < 30; index++) {
      await writeFile(path.join(corpusDir, `${String(index).padStart(4, '0')}.txt`), generateDocument(seeds, index));
    }
    const question = 'Vietnam tariffs on Chinese steel';
    const [vector] = await model.embed([question]);
    const quiet = () => ({ update() {}, finish() {} });
    // Both builds embed the same texts: the model runs once for them, the two index kinds are what is compared.
    const embedder = new RememberingEmbedder(model);
    const build = (indexDir: string, exactSearchMaxChunks: number) =>
      syncIndex({
        corpusDir,
        store: new LocalIndexStore(indexDir, { ef: 256, exactSearchMaxChunks }),
        resumeDir: indexDir,
        embedder,
        settings,
        log: silentLogger,
        mode: 'ingest',
        progress: quiet,
      });

    const exactDir = path.join(workDir, 'exact');
    const exact = await build(exactDir, 100_000);
    const hnswDir = path.join(workDir, 'hnsw');
    const hnsw = await build(hnswDir, 100);
    expect(hnsw.snapshot.chunks.length).toBeGreaterThan(100);
    expect(exact.snapshot.vectorIndex.kind).toBe('exact');
    expect(hnsw.snapshot.vectorIndex.kind).toBe('hnsw');

    for (const [indexDir, built] of [
      [exactDir, exact],
      [hnswDir, hnsw],
    ] as const) {
      const loaded = await loadIndex(indexDir, (await readManifest(indexDir))!, 256);
      expect(loaded.vectorIndex.kind).toBe(built.snapshot.vectorIndex.kind);
      expect(loaded.chunks).toEqual(built.snapshot.chunks);
      for (const chunk of loaded.chunks.slice(0, 50)) {
        const document = loaded.documents.find((candidate) => candidate.file === chunk.file);
        expect(document?.raw.slice(chunk.start, chunk.end)).toBe(chunk.text);
      }
      expect(loaded.lexicalIndex.query(question, 10)).toEqual(built.snapshot.lexicalIndex.query(question, 10));
      expect(loaded.lexicalIndex.idf('vietnam')).toBeCloseTo(built.snapshot.lexicalIndex.idf('vietnam'), 10);
      expect(loaded.vectorIndex.search(vector!, 10)).toEqual(built.snapshot.vectorIndex.search(vector!, 10));
    }

    // HNSW's top results agree with exact search on this data (ties in similarity aside).
    const truth = exact.snapshot.vectorIndex.search(vector!, 5);
    const approximate = hnsw.snapshot.vectorIndex.search(vector!, 5);
    expect(approximate).toHaveLength(5);
    approximate.forEach((hit, index) => {
      expect(hit.similarity).toBeCloseTo(truth[index]?.similarity ?? NaN, 5);
    });
  }, 120_000);

  it('a save hands back the snapshot it was given: the files are what was built, nothing is read back', async () => {
    const { documents } = await readCorpus(path.resolve('seeds'));
    const built = await buildSnapshot(documents, model, settings, 64);
    const indexDir = path.join(workDir, 'saved');
    const store = new LocalIndexStore(indexDir, { ef: 64 });
    const stored = await store.save(built.snapshot, built.vectors);
    expect(await stored.load()).toBe(built.snapshot);
    expect((await stored.serve()).manifest).toBe(built.snapshot.manifest);
    expect((await store.readManifest())?.builtAt).toBe(stored.manifest.builtAt);
  });

  it('the resume log keeps whole records and drops one cut short by a crash', async () => {
    const indexDir = path.join(workDir, 'index');
    const key = { model: 'm', chunker: { maxChars: 600 } };
    const { log } = await ResumeLog.open(indexDir, key, 2);
    const first = 'a'.repeat(64);
    const second = 'b'.repeat(64);
    await log.append([{ hash: first, matrix: new Float32Array([1, 0, 0, 1]) }]);
    await log.append([{ hash: second, matrix: new Float32Array([0.5, 0.5]) }]);
    await appendFile(
      path.join(`${indexDir}.partial`, 'vectors.bin'),
      Buffer.from(`${'c'.repeat(64)}\u0003\u0000\u0000\u0000abc`, 'latin1'),
    );

    const reopened = await ResumeLog.open(indexDir, key, 2);
    expect([...reopened.vectors.keys()]).toEqual([first, second]);
    expect([...reopened.vectors.get(first)!]).toEqual([1, 0, 0, 1]);
    expect([...reopened.vectors.get(second)!]).toEqual([0.5, 0.5]);

    const otherKey = await ResumeLog.open(indexDir, { ...key, model: 'other' }, 2);
    expect(otherKey.vectors.size).toBe(0);
    await otherKey.log.discard();
  });
});
