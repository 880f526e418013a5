/**
 * Collections and scope in the engine, with the real model and real hnswlib over a temp corpus in
 * three collections: `news` (four seeds), `wire` (the fifth seed, which repeats the "145%" figure
 * of one of them) and `local` (two short articles written for this test). A scope filters inside
 * retrieval, so a small collection is answered from even when the whole corpus would answer from
 * another; unscoped, the engine answers from everything.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/engine.js';
import { collectionOf } from '../../src/corpus/collections.js';
import { DEFAULT_MODEL } from '../../src/config.js';
import { silentLogger } from '../../src/core/log.js';
import { type Embedder, loadEmbedder } from '../../src/embed/embedder.js';
import { startTestDatabase } from '../support/test-database.js';
import { createWorkspace, MODEL_CACHE_DIR, SEEDS_DIR, type Workspace } from '../support/workspace.js';
import { DUTIES_QUESTION, LOCAL_ARTICLES } from '../support/collections-corpus.js';

let project: Workspace;
let engine: Engine;
let embedder: Embedder;

beforeAll(async () => {
  // The seeds moved into collections: their vectors are reused from a copy of the seed index (by content), the rest embedded.
  project = await createWorkspace({ documents: {}, index: 'seeds' });
  const corpus = project.corpusDir;
  for (const folder of ['news', 'wire', 'local']) await mkdir(path.join(corpus, folder));
  for (const seed of ['000_7bb7f1e19a806c78.txt', '002_21a587edf0f19edc.txt', '003_f015f23f54aca59a.txt', '004_f87e3345d6d88ebb.txt']) {
    await copyFile(path.join(SEEDS_DIR, seed), path.join(corpus, 'news', seed));
  }
  await copyFile(path.join(SEEDS_DIR, '001_77b7f39d73393a4f.txt'), path.join(corpus, 'wire', '001_77b7f39d73393a4f.txt'));
  for (const [file, text] of Object.entries(LOCAL_ARTICLES)) await writeFile(path.join(corpus, 'local', file), text);
  embedder = await loadEmbedder({
    modelId: DEFAULT_MODEL,
    modelCacheDir: MODEL_CACHE_DIR,
    allowRemoteModels: false,
    log: silentLogger,
  });
  engine = await createEngine(project.config, silentLogger, { embedder });
});
afterAll(() => project?.remove());

const collectionsCited = (sources: readonly string[]) => [...new Set(sources.map(collectionOf))].sort();

describe('collections', () => {
  it('lists the collections with their documents, and the documents of a scope', () => {
    expect(engine.collections()).toEqual([
      { name: 'local', documents: 2 },
      { name: 'news', documents: 4 },
      { name: 'wire', documents: 1 },
    ]);
    expect(engine.documents({ collections: ['local'] }).map((document) => [document.file, document.collection])).toEqual([
      ['local/ferry.txt', 'local'],
      ['local/furniture.txt', 'local'],
    ]);
    expect(engine.documents()).toHaveLength(7);
  });
});

describe('answering within a scope', () => {
  it('unscoped, answers from the whole corpus: the seed, corroborated by the wire copy of the figure', async () => {
    const answer = await engine.ask(DUTIES_QUESTION);
    expect(answer.answered).toBe(true);
    expect(answer.quotes[0]?.text).toContain('145% US duties');
    const cited = answer.quotes.flatMap((quote) => [quote.source, ...quote.alsoIn.map((citation) => citation.source)]);
    expect(collectionsCited(cited)).toEqual(['news', 'wire']);
  });

  it('scoped to a small collection the whole corpus would not answer from, quotes that collection', async () => {
    const unscopedPassages = (await engine.ask(DUTIES_QUESTION)).passages.map((passage) => passage.source);
    expect(collectionsCited(unscopedPassages)).not.toContain('local');
    const answer = await engine.ask(DUTIES_QUESTION, { collections: ['local'] });
    expect(answer.answered).toBe(true);
    expect(answer.quotes[0]?.source).toBe('local/furniture.txt');
    expect(answer.quotes[0]?.text).toContain('US duties they face rose to 25%');
    expect(collectionsCited(answer.passages.map((passage) => passage.source))).toEqual(['local']);
  });

  it('cites no corroborating document outside the scope', async () => {
    const answer = await engine.ask(DUTIES_QUESTION, { collections: ['news'] });
    expect(answer.quotes[0]?.text).toContain('145% US duties');
    const cited = answer.quotes.flatMap((quote) => [quote.source, ...quote.alsoIn.map((citation) => citation.source)]);
    expect(collectionsCited(cited)).toEqual(['news']);
    expect(collectionsCited(answer.passages.map((passage) => passage.source))).toEqual(['news']);
  });

  it('search and timeline keep to the scope; a follow-up too', async () => {
    const passages = await engine.search('ferry passengers harbour', 5, { collections: ['news', 'wire'] });
    expect(passages.length).toBe(5);
    expect(collectionsCited(passages.map((passage) => passage.source))).not.toContain('local');
    const timeline = await engine.timeline('US duties', 25, { collections: ['local', 'wire'] });
    const entries = [...timeline.dated, ...timeline.undated];
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(['local', 'wire']).toContain(collectionOf(entry.source));
    const followUp = await engine.ask('and how many passengers?', {
      earlier: [{ question: 'When did the new ferry line open?' }],
      collections: ['news'],
    });
    for (const passage of followUp.passages) expect(collectionOf(passage.source)).toBe('news');
  });

  it('suggests a question from the newest document of the scope', async () => {
    const everywhere = await engine.ask('hello');
    const local = await engine.ask('hello', { collections: ['local'] });
    expect(local.abstainReason).toBe('small-talk');
    expect(local.example).toContain('ferry');
    expect(everywhere.example).not.toBe(local.example);
  });

  it('ignores collections the corpus lacks, and finds nothing when none of the scope is left', async () => {
    const mixed = await engine.ask(DUTIES_QUESTION, { collections: ['local', 'gone'] });
    expect(mixed.quotes[0]?.source).toBe('local/furniture.txt');
    const none = await engine.ask(DUTIES_QUESTION, { collections: ['gone'] });
    expect(none.answered).toBe(false);
    expect(none.passages).toEqual([]);
    expect(await engine.search(DUTIES_QUESTION, 5, { collections: ['gone'] })).toEqual([]);
    expect(engine.documents({ collections: ['gone'] })).toEqual([]);
  });
});

describe('a scope in the PostgreSQL store', () => {
  it('filters inside the SQL searches: the same answers and passages as the local store, scope by scope', async () => {
    const database = await startTestDatabase();
    // Our BM25 in memory: answers identical to the local store's.
    const postgres = await createEngine(
      project.configWith({ STORE: 'postgres', DATABASE_URL: database.url, POSTGRES_LEXICAL_SEARCH: 'memory' }),
      silentLogger,
      { embedder },
    );
    // Word search in SQL too, so its filter is exercised as well.
    const sqlWords = await createEngine(
      project.configWith({ STORE: 'postgres', DATABASE_URL: database.url, POSTGRES_LEXICAL_SEARCH: 'bm25' }),
      silentLogger,
      { embedder },
    );
    try {
      for (const collections of [['local'], ['news'], ['local', 'wire']]) {
        const { timings: _local, ...local } = await engine.ask(DUTIES_QUESTION, { collections });
        const { timings: _postgres, ...fromPostgres } = await postgres.ask(DUTIES_QUESTION, { collections });
        expect(fromPostgres).toEqual(local);
        const passages = await sqlWords.search('harbour duties ferry passengers', 10, { collections });
        expect(passages.length).toBeGreaterThan(0);
        for (const passage of passages) expect(collections).toContain(collectionOf(passage.source));
      }
    } finally {
      await postgres.close();
      await sqlWords.close();
      await database.stop();
    }
  });
});
