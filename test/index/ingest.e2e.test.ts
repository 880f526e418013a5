import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../src/config.js';
import { loadEmbedder, type Embedder } from '../../src/embed/embedder.js';
import { silentLogger } from '../../src/core/log.js';
import { createProgress } from '../../src/ingest/progress.js';
import { LocalIndexStore } from '../../src/index/local-store.js';
import { DEFAULT_INDEX_SETTINGS, syncIndex, type IndexSettings, type SyncOptions } from '../../src/ingest/sync.js';
import { ExactVectorIndex, VectorIndex, DEFAULT_HNSW } from '../../src/index/vector-index.js';
import { SentenceVectors } from '../../src/index/sentence-vectors.js';
import type { CorpusDocument } from '../../src/core/types.js';
import { CountingEmbedder } from '../support/counting-embedder.js';

const modelCacheDir = path.resolve('embeddings/models');
const seedsDir = path.resolve('seeds');
const settings: IndexSettings = { chunker: { maxChars: 600, overlap: true }, ...DEFAULT_INDEX_SETTINGS };

let model: Embedder;
let workDir: string;
let corpusDir: string;
let indexDir: string;

beforeAll(async () => {
  model = await loadEmbedder({ modelId: DEFAULT_MODEL, modelCacheDir, allowRemoteModels: false, log: silentLogger });
}, 300_000);

beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'index-test-'));
  corpusDir = path.join(workDir, 'corpus');
  indexDir = path.join(workDir, 'index');
  await cp(seedsDir, corpusDir, { recursive: true });
  for (const file of await readdir(corpusDir)) await chmod(path.join(corpusDir, file), 0o644);
});

afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** How many texts the documents' sentences make (each distinct sentence of a document once). */
function sentenceTextsOf(documents: readonly CorpusDocument[]): number {
  return documents.reduce((sum, document) => sum + SentenceVectors.textsOf(document).length, 0);
}

/** The index files in `dir`, an interrupted build's vectors beside them (as `npm run ingest` keeps them). */
function inFolder(dir: string): Pick<SyncOptions, 'store' | 'resumeDir'> {
  return { store: new LocalIndexStore(dir, { ef: 64 }), resumeDir: dir };
}

function sync(embedder: Embedder, extra: Partial<SyncOptions> = {}) {
  return syncIndex({ corpusDir, ...inFolder(indexDir), embedder, settings, log: silentLogger, mode: 'ingest', ...extra });
}

describe('ingest', () => {
  it('re-ingesting an unchanged corpus embeds nothing and loads the saved index', async () => {
    const first = await sync(new CountingEmbedder(model));
    expect(first.embedded).toBe(first.snapshot.chunks.length);
    const again = new CountingEmbedder(model);
    const second = await sync(again);
    expect(second.report.rebuilt).toBe(false);
    expect(again.texts).toBe(0);
    expect(second.snapshot.chunks).toEqual(first.snapshot.chunks);
    expect(second.snapshot.documents.map((document) => document.raw)).toEqual(first.snapshot.documents.map((document) => document.raw));
  });

  it('embeds only new and changed documents, and deleted documents leave the index', async () => {
    const first = await sync(new CountingEmbedder(model));
    const files = (await readdir(corpusDir)).sort();
    const [changed, removed, copied] = files as [string, string, string];
    await writeFile(
      path.join(corpusDir, changed),
      `${await readFile(path.join(corpusDir, changed), 'utf8')}\nA new closing paragraph about zebras.\n`,
    );
    await rm(path.join(corpusDir, removed));
    await writeFile(
      path.join(corpusDir, 'zz_new.txt'),
      'A short new story\n\nThe harbour authority counted 412 zebras on the pier on Tuesday.\n',
    );
    // The same text under a new name reuses its vectors (they are keyed by content hash).
    await cp(path.join(corpusDir, copied), path.join(corpusDir, 'zz_copy.txt'));

    const counting = new CountingEmbedder(model);
    const { snapshot, report, embedded, embeddedSentences } = await sync(counting);
    const chunksOf = (file: string) => snapshot.chunks.filter((chunk) => chunk.file === file).length;
    const sentencesOf = (file: string) => sentenceTextsOf(snapshot.documents.filter((document) => document.file === file));
    expect(report.rebuilt).toBe(true);
    expect(report.removed).toEqual([removed]);
    expect(embedded).toBe(chunksOf(changed) + chunksOf('zz_new.txt'));
    expect(embeddedSentences).toBe(sentencesOf(changed) + sentencesOf('zz_new.txt'));
    expect(counting.texts).toBe(embedded + embeddedSentences);
    // Every sentence has its vector, the copied document's reused ones included.
    for (const document of snapshot.documents) expect(snapshot.sentenceVectors.matrixFor(document)).toBeDefined();
    expect(snapshot.chunks.some((chunk) => chunk.file === removed)).toBe(false);
    expect(snapshot.documents.some((document) => document.file === removed)).toBe(false);
    expect(snapshot.vectorIndex.size).toBe(snapshot.chunks.length);

    // Searching for a removed document's own words never returns it.
    const removedChunk = first.snapshot.chunks.find((chunk) => chunk.file === removed);
    const [query] = await model.embed([removedChunk?.text ?? '']);
    const hits = snapshot.vectorIndex.search(query as Float32Array, 10).map((hit) => snapshot.chunks[hit.label]?.file);
    expect(hits).not.toContain(removed);
    const lexicalHits = snapshot.lexicalIndex.query(removedChunk?.text ?? '', 10).map((hit) => snapshot.chunks[hit.label]?.file);
    expect(lexicalHits).not.toContain(removed);
    // The new document is found.
    const zebras = snapshot.lexicalIndex.query('zebras on the pier', 1)[0];
    expect(snapshot.chunks[zebras?.label ?? -1]?.file).toBe('zz_new.txt');
  });

  it('follows files added, changed, moved and removed in collections (sub-folders), embedding only what changed', async () => {
    await mkdir(path.join(corpusDir, 'news'));
    const seeds = (await readdir(corpusDir)).filter((file) => file.endsWith('.txt')).sort();
    // A seed moved into a collection is read under its new id, `news/<name>`.
    await rename(path.join(corpusDir, seeds[0] as string), path.join(corpusDir, 'news', seeds[0] as string));
    await writeFile(path.join(corpusDir, 'news', 'harbour.txt'), 'Harbour news\n\nThe harbour authority counted 412 zebras on the pier.\n');
    await writeFile(path.join(corpusDir, 'news', 'ferry.txt'), 'Ferry news\n\nThe ferry carried 3,000 passengers in its first week.\n');
    const first = await sync(new CountingEmbedder(model));
    expect(first.snapshot.documents.map((document) => document.file).filter((file) => file.startsWith('news/'))).toEqual([
      `news/${seeds[0]}`,
      'news/ferry.txt',
      'news/harbour.txt',
    ]);
    expect(first.snapshot.chunks.filter((chunk) => chunk.file === 'news/harbour.txt').map((chunk) => chunk.id)).toEqual([
      'news/harbour.txt#p2.1',
    ]);

    await writeFile(path.join(corpusDir, 'news', 'harbour.txt'), 'Harbour news\n\nThe harbour authority counted 500 zebras on the pier.\n');
    await rm(path.join(corpusDir, 'news', 'ferry.txt'));
    await mkdir(path.join(corpusDir, 'blogs'));
    await writeFile(path.join(corpusDir, 'blogs', 'post.md'), '# A post\n\nThe island ferry is late again, writes a reader.\n');
    const counting = new CountingEmbedder(model);
    const { snapshot, report, embedded } = await sync(counting);
    expect(report).toMatchObject({ added: ['blogs/post.md'], changed: ['news/harbour.txt'], removed: ['news/ferry.txt'] });
    const chunksOf = (file: string) => snapshot.chunks.filter((chunk) => chunk.file === file).length;
    expect(embedded).toBe(chunksOf('news/harbour.txt') + chunksOf('blogs/post.md'));
    expect(snapshot.chunks.some((chunk) => chunk.file === 'news/ferry.txt')).toBe(false);
    const zebras = snapshot.lexicalIndex.query('500 zebras on the pier', 1)[0];
    expect(snapshot.chunks[zebras?.label ?? -1]?.file).toBe('news/harbour.txt');
  });

  it('an interrupted ingest resumes without embedding finished documents again', async () => {
    const broken = new CountingEmbedder(model, 2);
    await expect(sync(broken, { embedGroupChunks: 5 })).rejects.toThrow('interrupted');
    expect(existsSync(`${indexDir}.partial`)).toBe(true);
    expect(existsSync(path.join(indexDir, 'manifest.json'))).toBe(false);
    const alreadyEmbedded = broken.texts;
    expect(alreadyEmbedded).toBeGreaterThan(0);

    const resumed = new CountingEmbedder(model);
    const { snapshot, embedded, embeddedSentences } = await sync(resumed, { embedGroupChunks: 5 });
    expect(resumed.texts).toBe(snapshot.chunks.length + sentenceTextsOf(snapshot.documents) - alreadyEmbedded);
    expect(embedded + embeddedSentences).toBe(resumed.texts);
    expect(existsSync(`${indexDir}.partial`)).toBe(false);

    // Same result as an uninterrupted build.
    const freshDir = path.join(workDir, 'fresh');
    const fresh = await syncIndex({ corpusDir, ...inFolder(freshDir), embedder: model, settings, log: silentLogger, mode: 'ingest' });
    expect(snapshot.chunks).toEqual(fresh.snapshot.chunks);
    const [query] = await model.embed(['tariffs on Chinese goods']);
    expect(snapshot.vectorIndex.search(query as Float32Array, 5)).toEqual(fresh.snapshot.vectorIndex.search(query as Float32Array, 5));
  });

  it('throws away partial work made with other settings', async () => {
    await expect(sync(new CountingEmbedder(model, 2), { embedGroupChunks: 5 })).rejects.toThrow('interrupted');
    const counting = new CountingEmbedder(model);
    const other: IndexSettings = { ...settings, chunker: { maxChars: 300, overlap: true } };
    const { snapshot } = await sync(counting, { settings: other });
    expect(counting.texts).toBe(snapshot.chunks.length + sentenceTextsOf(snapshot.documents));
  });
});

describe('exact and HNSW search', () => {
  it('give the same top results on small data', async () => {
    const { snapshot } = await sync(model);
    const vectors = await model.embed(snapshot.chunks.map((chunk) => chunk.text));
    const exact = ExactVectorIndex.fromVectors(vectors, model.dimensions);
    const hnsw = VectorIndex.build(vectors, model.dimensions, { ...DEFAULT_HNSW, ef: 64 });
    const questions = [
      'How high were the US tariffs on Chinese goods?',
      'Who is the top leader of Vietnam?',
      'railway cooperation',
      'South China Sea disputes',
    ];
    for (const query of await model.embed(questions)) {
      const fromExact = exact.search(query, 5);
      const fromHnsw = hnsw.search(query, 5);
      expect(fromHnsw.map((hit) => hit.label)).toEqual(fromExact.map((hit) => hit.label));
      fromHnsw.forEach((hit, index) => {
        expect(hit.similarity).toBeCloseTo(fromExact[index]?.similarity ?? NaN, 5);
      });
    }
  });

  it('exact search ranks by inner product and handles limits', () => {
    const vectors = [new Float32Array([1, 0]), new Float32Array([0, 1]), new Float32Array([0.6, 0.8]), new Float32Array([-1, 0])];
    const exact = ExactVectorIndex.fromVectors(vectors, 2);
    expect(exact.search(new Float32Array([1, 0]), 3).map((hit) => hit.label)).toEqual([0, 2, 1]);
    expect(exact.search(new Float32Array([0, 1]), 10).map((hit) => hit.label)).toEqual([1, 2, 0, 3]);
    expect(exact.search(new Float32Array([0, 1]), 0)).toEqual([]);
    expect(ExactVectorIndex.fromVectors([], 2).search(new Float32Array([1, 0]), 5)).toEqual([]);
  });
});

describe('progress', () => {
  it('prints periodic lines with rate and ETA when stderr is not a terminal, nothing for small stages', () => {
    const written: string[] = [];
    let clock = 0;
    const stream = { write: (text: string) => written.push(text), isTTY: false };
    const progress = createProgress('embedding', 10_000, 'chunks', { stream, now: () => clock, lineEverySeconds: 1 });
    for (let done = 1000; done <= 10_000; done += 1000) {
      clock += 500;
      progress.update(done);
    }
    progress.finish();
    expect(written.length).toBeGreaterThanOrEqual(5);
    expect(written[1]).toMatch(/^embedding \[#+-*\] \d+% [\d,]+\/10,000 chunks [\d,]+\/s ETA \d\d:\d\d\n$/);
    expect(written.at(-1)).toBe('embedding: 10,000 chunks in 00:05\n');

    const quiet: string[] = [];
    const small = createProgress('embedding', 50, 'chunks', { stream: { write: (text: string) => quiet.push(text) } });
    small.update(50);
    small.finish();
    expect(quiet).toEqual([]);
  });
});
