import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/engine.js';
import { indexDirOf, ingestCorpus } from '../../src/ingest/ingest.js';
import { renderAnswerText } from '../../src/render/text.js';
import type { Answer, Citation, CorpusDocument } from '../../src/core/types.js';
import { DEFAULT_MODEL, STATIC_MODEL } from '../../src/config.js';
import { loadEmbedder, type Embedder } from '../../src/embed/embedder.js';
import { readQuestions } from '../../src/eval/evaluate.js';
import { silentLogger } from '../../src/core/log.js';
import { createWorkspace, MODEL_CACHE_DIR, PROJECT_DIR, type Workspace } from '../support/workspace.js';

let model: Embedder;
let project: Workspace;
let engine: Engine;

beforeAll(async () => {
  model = await loadEmbedder({ modelId: DEFAULT_MODEL, modelCacheDir: MODEL_CACHE_DIR, allowRemoteModels: false, log: silentLogger });
  // This file's own index, built here (the other workspaces start from a copy of the seed index).
  project = await createWorkspace({ index: 'none' });
  engine = await createEngine(project.config, silentLogger, { embedder: model });
});

afterAll(() => project.remove());

/** Every citation must point at exactly its text, inside the paragraph it names. */
function expectVerbatim(citation: Citation & { text: string }, documents: ReadonlyMap<string, CorpusDocument>) {
  const document = documents.get(citation.source);
  expect(document, citation.source).toBeDefined();
  const paragraph = document?.paragraphs.find((candidate) => candidate.number === citation.paragraph);
  expect(paragraph, `${citation.source} ¶${citation.paragraph}`).toBeDefined();
  expect(document?.raw.slice(citation.start, citation.end)).toBe(citation.text);
  expect(citation.start).toBeGreaterThanOrEqual(paragraph?.start ?? Infinity);
  expect(citation.end).toBeLessThanOrEqual(paragraph?.end ?? -1);
  expect(citation.title).toBe(document?.title);
  expect(citation.date).toBe(document?.date);
}

describe('answers', () => {
  it('quotes a seed verbatim and cites file, paragraph, title and date', async () => {
    const answer = await engine.ask('What US duties does Beijing face?');
    expect(answer.answered).toBe(true);
    expect(answer.quotes[0]?.text).toContain('145%');
    expect(answer.quotes[0]?.source).toMatch(/^00[01]_/);
    expect(answer.passages.length).toBeGreaterThan(0);
    expect(answer.timings.totalMs).toBeGreaterThan(0);
  });

  it('every quote of every public eval question is verbatim at its cited paragraph', async () => {
    const documents = new Map((await engine.corpusDocuments()).map((document) => [document.file, document]));
    const questions = await readQuestions(path.join(PROJECT_DIR, 'test/eval/questions.jsonl'));
    let quotes = 0;
    for (const question of questions) {
      const answer: Answer = await engine.ask(question.question);
      for (const quote of answer.quotes) {
        expectVerbatim(quote, documents);
        for (const other of quote.alsoIn) {
          const document = documents.get(other.source);
          expectVerbatim({ ...other, text: document?.raw.slice(other.start, other.end) ?? '' }, documents);
        }
        quotes++;
      }
    }
    expect(quotes).toBeGreaterThan(questions.length / 2);
  });

  it.each([
    ['What is the best recipe for banana bread?', 'weak-evidence'],
    ['Who won the 1998 football World Cup final?', 'weak-evidence'],
    // A few words that mean nothing to the documents get the help reply.
    ['asdkjh qwpoeiru zzzxq', 'small-talk'],
    ['hi', 'small-talk'],
  ])('abstains on a message the seeds cannot answer: %s', async (question, reason) => {
    const answer = await engine.ask(question);
    expect(answer.answered).toBe(false);
    expect(answer.quotes).toEqual([]);
    expect(answer.abstainReason).toBe(reason);
    if (reason === 'small-talk') expect(answer.passages).toEqual([]);
  });

  it.each(['', '   ', '?!'])('asks for words when the question has none: %j', async (question) => {
    const answer = await engine.ask(question);
    expect(answer).toMatchObject({ answered: false, abstainReason: 'empty-question', quotes: [], passages: [] });
  });

  it.each(['the of and', 'who are you?', 'what is this'])(
    'gives %j the help reply, with an example from the loaded corpus',
    async (question) => {
      const answer = await engine.ask(question);
      expect(answer).toMatchObject({ answered: false, abstainReason: 'small-talk', quotes: [], passages: [] });
      // The newest seed's headline, not a sentence written for one corpus.
      expect(renderAnswerText(answer)).toBe(
        `I answer questions about the documents with quotes from them, each cited. Ask me a question, e.g. “What does “${engine.documents()[0]?.title}” say?”.`,
      );
    },
  );

  it('takes its help example from whatever corpus it serves', async () => {
    const other = await createWorkspace({
      documents: {
        'ferries.md': '# Harbour ferries resume service\n\ndate 2024-05-01 The harbour ferries resumed service on Monday after repairs.\n',
      },
    });
    try {
      const answer = await (await createEngine(other.config, silentLogger, { embedder: model })).ask('who are you?');
      expect(renderAnswerText(answer)).toContain('“What does “Harbour ferries resume service” say?”');
    } finally {
      await other.remove();
    }
  });

  it('search returns scored passages best first, limited as asked', async () => {
    const passages = await engine.search('railway to Haiphong port', 3);
    expect(passages).toHaveLength(3);
    expect(passages.map((passage) => passage.score)).toEqual([...passages.map((passage) => passage.score)].sort((a, b) => b - a));
    expect(passages.some((passage) => passage.text.includes('Haiphong'))).toBe(true);
  });

  it('lists documents newest first with their metadata', () => {
    const documents = engine.documents();
    expect(documents).toHaveLength(5);
    expect(documents[0]).toMatchObject({ file: '000_7bb7f1e19a806c78.txt', date: '2025-04-14' });
    expect(documents[1]).toMatchObject({ file: '003_f015f23f54aca59a.txt', date: '2023-12-12' });
    expect(documents[0]?.opening).toMatch(/^HANOI: China’s President Xi Jinping/);
  });
});

describe('the saved index', () => {
  it('is loaded, not rebuilt, when nothing changed; the manifest records model, settings and seed hashes', async () => {
    const again = await createEngine(project.config, silentLogger, { embedder: model });
    expect(again.lastReport).toMatchObject({ rebuilt: false, reason: 'up to date', documents: 5 });
    expect(again.builtAt()).toBe(engine.builtAt());
    const manifest = JSON.parse(await readFile(path.join(indexDirOf(project.config), 'manifest.json'), 'utf8'));
    expect(manifest.model).toEqual({ id: DEFAULT_MODEL, revision: model.revision, dimensions: model.dimensions });
    expect(Object.keys(manifest.seeds)).toHaveLength(5);
    expect(manifest.settings.chunker).toEqual({ maxChars: project.config.chunkMaxChars, overlap: project.config.chunkOverlap });
    // Atomic writes leave no temporary folders behind.
    expect((await readdir(project.indexDir)).filter((name) => name.includes('.tmp-') || name.includes('.old-'))).toEqual([]);
  });

  it('is rebuilt when a seed is added, changed or removed, and reports which', async () => {
    const local = await createWorkspace();
    try {
      await createEngine(local.config, silentLogger, { embedder: model });
      await local.writeDocument('005_new.md', '# Coffee exports\n\nVietnam exported record coffee volumes to China in 2024.');
      await writeFile(path.join(local.corpusDir, '004_f87e3345d6d88ebb.txt'), 'China and Vietnam discussed a railway.\n');
      await local.removeDocument('002_21a587edf0f19edc.txt');
      const rebuilt = await createEngine(local.config, silentLogger, { embedder: model });
      expect(rebuilt.lastReport).toMatchObject({
        rebuilt: true,
        added: ['005_new.md'],
        changed: ['004_f87e3345d6d88ebb.txt'],
        removed: ['002_21a587edf0f19edc.txt'],
        documents: 5,
      });
      const answer = await rebuilt.ask('How much coffee did Vietnam export to China?');
      expect(answer.quotes[0]?.source).toBe('005_new.md');
      expect((await rebuilt.search('Li Qiang Dalian', 10)).some((passage) => passage.source === '002_21a587edf0f19edc.txt')).toBe(false);
    } finally {
      await local.remove();
    }
  });

  it('is rebuilt when chunker settings change', async () => {
    const smaller = await createEngine(project.configWith({ CHUNK_MAX_CHARS: '300' }), silentLogger, { embedder: model });
    expect(smaller.lastReport).toMatchObject({ rebuilt: true, reason: 'settings changed' });
    const back = await createEngine(project.config, silentLogger, { embedder: model });
    expect(back.lastReport.rebuilt).toBe(true);
  });

  it('swaps between the sentence model and its fallback without asking, since the user changed nothing', async () => {
    const local = await createWorkspace();
    try {
      await createEngine(local.config, silentLogger, { embedder: model });
      // The sentence model went missing: the program answers with the fallback, rebuilding the index for it.
      const fallbackModel = await loadEmbedder({
        modelId: STATIC_MODEL,
        modelCacheDir: MODEL_CACHE_DIR,
        allowRemoteModels: false,
        log: silentLogger,
      });
      const fallback = await createEngine(local.config, silentLogger, { embedder: fallbackModel });
      expect(fallback.lastReport).toMatchObject({ rebuilt: true, reason: `model ${DEFAULT_MODEL} → ${STATIC_MODEL}` });
      expect((await fallback.ask('What tariff did the US impose on Chinese goods?')).quotes[0]?.text).toContain('145%');
      // Installed again: back to the sentence model.
      const back = await createEngine(local.config, silentLogger, { embedder: model });
      expect(back.lastReport).toMatchObject({ rebuilt: true, reason: `model ${STATIC_MODEL} → ${DEFAULT_MODEL}` });
      // A model the user chose is still not swapped in silently.
      await expect(
        createEngine(local.configWith({ EMBEDDING_MODEL: STATIC_MODEL }), silentLogger, { embedder: fallbackModel }),
      ).rejects.toThrow(/npm run ingest/);
    } finally {
      await local.remove();
    }
  });

  it('refuses an index built by another model, naming both, and ingest rebuilds it', async () => {
    const otherModel: Embedder = { ...model, modelId: 'local/other-model', embed: (texts) => model.embed(texts) };
    await expect(createEngine(project.config, silentLogger, { embedder: otherModel })).rejects.toThrow(
      /built with the model "local\/all-minilm-l6-v2".*EMBEDDING_MODEL is "local\/other-model".*npm run ingest/s,
    );
    const rebuilt = await createEngine(project.config, silentLogger, { embedder: otherModel, mode: 'ingest' });
    expect(rebuilt.lastReport.rebuilt).toBe(true);
    await expect(createEngine(project.config, silentLogger, { embedder: model })).rejects.toThrow(/other-model/);
    await createEngine(project.config, silentLogger, { embedder: model, mode: 'ingest' });
  });

  it('rebuilds, embedding every chunk afresh, when the model files change under the same id', async () => {
    let embedded = 0;
    const rebuiltModel: Embedder = {
      ...model,
      revision: `${model.revision}-rebuilt`,
      embed: (texts) => {
        embedded += texts.length;
        return model.embed(texts);
      },
    };
    const engine = await createEngine(project.config, silentLogger, { embedder: rebuiltModel });
    expect(engine.lastReport).toMatchObject({
      rebuilt: true,
      reason: expect.stringMatching(/files of model local\/all-minilm-l6-v2 changed/),
    });
    // Every chunk, plus questions asked at load (none): no vector of the old files was reused.
    expect(embedded).toBeGreaterThanOrEqual(engine.lastReport.chunks);
    const back = await createEngine(project.config, silentLogger, { embedder: model });
    expect(back.lastReport.rebuilt).toBe(true);
  });

  it('refuses to quote from an index whose stored text was edited, even keeping its length', async () => {
    const local = await createWorkspace();
    try {
      await createEngine(local.config, silentLogger, { embedder: model });
      const file = path.join(indexDirOf(local.config), 'documents.jsonl');
      const stored = await readFile(file, 'utf8');
      expect(stored).toContain('145% US duties');
      await writeFile(file, stored.replace('145% US duties', '999% US duties'));
      await expect(createEngine(local.config, silentLogger, { embedder: model })).rejects.toThrow(
        /damaged \(the stored text of 000_7bb7f1e19a806c78\.txt does not match its checksum\).*npm run ingest/s,
      );
    } finally {
      await local.remove();
    }
  });

  it('reports a damaged index with the command that fixes it', async () => {
    const local = await createWorkspace();
    try {
      await createEngine(local.config, silentLogger, { embedder: model });
      const indexDir = indexDirOf(local.config);
      const lexical = (await readdir(indexDir)).find((name) => name.startsWith('lexical'));
      await writeFile(path.join(indexDir, lexical ?? 'lexical.json'), '{not json');
      await expect(createEngine(local.config, silentLogger, { embedder: model })).rejects.toThrow(/damaged.*npm run ingest/s);
      // The command it names repairs it, although the corpus did not change.
      const { report } = await ingestCorpus(local.config, silentLogger, { embedder: model });
      expect(report).toMatchObject({ rebuilt: true, reason: expect.stringMatching(/index file lexical.* damaged/) });
      expect((await createEngine(local.config, silentLogger, { embedder: model })).lastReport.rebuilt).toBe(false);
    } finally {
      await local.remove();
    }
  });

  it('ingest on an unchanged corpus only checks the index; reindex then keeps the index in use, or loads one rebuilt meanwhile', async () => {
    const local = await createWorkspace();
    try {
      const live = await createEngine(local.config, silentLogger, { embedder: model });
      const builtAt = live.builtAt();
      expect((await ingestCorpus(local.config, silentLogger, { embedder: model })).report).toMatchObject({
        rebuilt: false,
        reason: 'up to date',
        builtAt,
      });
      expect(await live.reindex()).toMatchObject({ rebuilt: false });
      expect(live.builtAt()).toBe(builtAt);

      // Another process (npm run ingest) rebuilds the index while the bot runs; /reindex loads it.
      await local.writeDocument('005_new.md', '# Coffee exports\n\nVietnam exported record coffee volumes to China in 2024.');
      const { report } = await ingestCorpus(local.config, silentLogger, { embedder: model });
      expect(report).toMatchObject({ rebuilt: true, added: ['005_new.md'] });
      expect(await live.reindex()).toMatchObject({ rebuilt: false, builtAt: report.builtAt });
      expect(live.documents().map((document) => document.file)).toContain('005_new.md');
    } finally {
      await local.remove();
    }
  });

  it('reindex swaps in a new index while questions keep being answered', async () => {
    const local = await createWorkspace();
    try {
      const live = await createEngine(local.config, silentLogger, { embedder: model });
      await local.writeDocument('005_new.md', '# Coffee exports\n\nVietnam exported record coffee volumes to China in 2024.');
      const during = live.ask('What US duties does Beijing face?');
      const report = await live.reindex();
      expect((await during).answered).toBe(true);
      expect(report).toMatchObject({ rebuilt: true, added: ['005_new.md'] });
      expect(live.documents().map((document) => document.file)).toContain('005_new.md');
    } finally {
      await local.remove();
    }
  });
});
