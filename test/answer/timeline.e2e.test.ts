/**
 * The timeline of a topic: the selection on plain scored sentences, then the real engine (real
 * model, real index) over a temp copy of the seeds.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/engine.js';
import { evidenceOf, type ScoredSentence, type SentenceFeatures } from '../../src/answer/features.js';
import { bestPassagesPerDocument, timelineOf } from '../../src/answer/timeline.js';
import { DEFAULT_QUOTE_SETTINGS } from '../../src/answer/settings.js';
import { silentLogger } from '../../src/core/log.js';
import type { Passage, Timeline } from '../../src/core/types.js';
import { createTempProject, type TempProject } from '../support/temp-project.js';

const settings = DEFAULT_QUOTE_SETTINGS;

function passage(source: string, date: string | null, score = 1): Passage {
  return { source, title: `Title of ${source}`, date, paragraph: 1, chunkId: `${source}#p1.0`, start: 0, end: 500, text: '', score };
}

/** Features whose evidence (word-vector settings: 0.5 × predicate + 0.3 × similarity) is about `evidence`. */
function features(evidence: number): SentenceFeatures {
  const similarity = Math.min(1, evidence / settings.evidenceDenseWeight);
  const predicate = Math.max(0, (evidence - settings.evidenceDenseWeight * similarity) / settings.evidencePredicateWeight);
  return { coverage: 1, context: 0, similarity, meaning: 1, passage: 1, cue: false, focus: 0, predicate, topic: 1, wantsCue: false };
}

/** A scored sentence; `ranked` lists them best first, as `rankSentences` does. */
function scored(source: string, date: string | null, score: number, evidence: number, start = 0): ScoredSentence {
  const text = `${source} sentence at ${start}`;
  return {
    passage: passage(source, date),
    passageRank: 0,
    paragraph: 2,
    start,
    end: start + text.length,
    text,
    previous: '',
    vector: new Float32Array([1, 0]),
    features: features(evidence),
    score,
  };
}

function ranked(...sentences: ScoredSentence[]): ScoredSentence[] {
  return [...sentences].sort((left, right) => right.score - left.score);
}

describe('timelineOf (plain scored sentences)', () => {
  it('builds sentences of the evidence asked for', () => {
    expect(evidenceOf(features(0.5), settings)).toBeCloseTo(0.5);
    expect(evidenceOf(features(0.2), settings)).toBeCloseTo(0.2);
  });

  it('puts the dated entries oldest first, one per document, and the undated apart, best first', () => {
    const picked = timelineOf(
      ranked(
        scored('new.txt', '2025-04-14', 0.9, 0.6),
        scored('new.txt', '2025-04-14', 0.8, 0.6, 100),
        scored('old.txt', '2023-12-12', 0.7, 0.6),
        scored('undated-b.txt', null, 0.65, 0.6),
        scored('middle.txt', '2024-06-01', 0.5, 0.6),
        scored('undated-a.txt', null, 0.95, 0.6),
      ),
      settings,
      10,
    );
    expect(picked.dated.map((entry) => [entry.date, entry.source])).toEqual([
      ['2023-12-12', 'old.txt'],
      ['2024-06-01', 'middle.txt'],
      ['2025-04-14', 'new.txt'],
    ]);
    // The document's best-scoring sentence, with its citation and offsets.
    expect(picked.dated[2]).toMatchObject({ start: 0, score: 0.9, text: 'new.txt sentence at 0', title: 'Title of new.txt', paragraph: 2 });
    expect(picked.undated.map((entry) => entry.source)).toEqual(['undated-a.txt', 'undated-b.txt']);
  });

  it('keeps two documents of the same date, best first', () => {
    const picked = timelineOf(
      ranked(scored('b.txt', '2025-01-01', 0.6, 0.6), scored('a.txt', '2025-01-01', 0.9, 0.6), scored('c.txt', '2024-01-01', 0.3, 0.6)),
      settings,
      10,
    );
    expect(picked.dated.map((entry) => entry.source)).toEqual(['c.txt', 'a.txt', 'b.txt']);
  });

  it('takes a document’s best sentence that passes the evidence floor, and leaves out a document with none', () => {
    const floor = settings.minEvidence;
    const picked = timelineOf(
      ranked(
        scored('a.txt', '2025-01-01', 0.9, floor - 0.05),
        scored('a.txt', '2025-01-01', 0.5, floor + 0.05, 200),
        scored('b.txt', '2024-01-01', 0.8, floor - 0.01),
      ),
      settings,
      10,
    );
    expect(picked.dated.map((entry) => [entry.source, entry.start])).toEqual([['a.txt', 200]]);
    expect(picked.undated).toEqual([]);
  });

  it('leaves out a sentence far weaker than the best one (below the corroboration share of its evidence)', () => {
    const best = 0.6;
    const picked = timelineOf(
      ranked(
        scored('a.txt', '2025-01-01', 0.9, best),
        scored('b.txt', '2024-01-01', 0.8, best * settings.corroborationRatio + 0.01),
        scored('c.txt', '2023-01-01', 0.7, best * settings.corroborationRatio - 0.01),
      ),
      settings,
      10,
    );
    expect(picked.dated.map((entry) => entry.source)).toEqual(['b.txt', 'a.txt']);
  });

  it('keeps the best-scoring `limit` documents, then orders them by date', () => {
    const picked = timelineOf(
      ranked(
        scored('a.txt', '2025-01-01', 0.9, 0.6),
        scored('b.txt', '2023-01-01', 0.2, 0.6),
        scored('c.txt', '2024-01-01', 0.8, 0.6),
        scored('d.txt', null, 0.7, 0.6),
      ),
      settings,
      2,
    );
    expect(picked.dated.map((entry) => entry.source)).toEqual(['c.txt', 'a.txt']);
    expect(picked.undated).toEqual([]);
  });

  it('is empty when nothing is ranked', () => {
    expect(timelineOf([], settings, 10)).toEqual({ dated: [], undated: [] });
  });
});

describe('bestPassagesPerDocument', () => {
  it('keeps each document’s first passages, in retrieval order', () => {
    const passages = ['a', 'a', 'b', 'a', 'c', 'b', 'b'].map((source, index) => ({ ...passage(`${source}.txt`, null), start: index }));
    expect(bestPassagesPerDocument(passages, 2).map((kept) => [kept.source, kept.start])).toEqual([
      ['a.txt', 0],
      ['a.txt', 1],
      ['b.txt', 2],
      ['c.txt', 4],
      ['b.txt', 5],
    ]);
  });
});

describe('Engine.timeline over the seeds', () => {
  let project: TempProject;
  let engine: Engine;
  beforeAll(async () => {
    project = await createTempProject();
    engine = await createEngine(project.config, silentLogger, { mode: 'ingest' });
  });
  afterAll(async () => {
    await project?.cleanup();
  });

  /** Every entry is verbatim: its text is the document's raw text at its offsets. */
  async function expectVerbatim(timeline: Timeline): Promise<void> {
    for (const entry of [...timeline.dated, ...timeline.undated]) {
      const raw = await readFile(path.join(project.corpusDir, entry.source), 'utf8');
      expect(raw.slice(entry.start, entry.end)).toBe(entry.text);
    }
  }

  it('"South China Sea": both dated articles oldest first, the undated ones apart, one entry per document', async () => {
    const timeline = await engine.timeline('South China Sea', 10);
    expect(timeline.abstainReason).toBeNull();
    expect(timeline.dated.map((entry) => [entry.date, entry.source])).toEqual([
      ['2023-12-12', '003_f015f23f54aca59a.txt'],
      ['2025-04-14', '000_7bb7f1e19a806c78.txt'],
    ]);
    for (const entry of timeline.dated) expect(entry.text).toContain('South China Sea');
    expect(timeline.undated.length).toBeGreaterThan(0);
    for (const entry of timeline.undated) expect(entry.date).toBeNull();
    const sources = [...timeline.dated, ...timeline.undated].map((entry) => entry.source);
    expect(new Set(sources).size).toBe(sources.length);
    // The article that only names China, never the sea, is left out.
    expect(sources).not.toContain('001_77b7f39d73393a4f.txt');
    await expectVerbatim(timeline);
  });

  it('"tariffs": the dated article quoting the duties, and the undated one apart', async () => {
    const timeline = await engine.timeline('tariffs', 10);
    expect(timeline.dated.map((entry) => entry.source)).toEqual(['000_7bb7f1e19a806c78.txt']);
    expect(timeline.dated[0]?.text).toMatch(/145%/);
    expect(timeline.undated.map((entry) => entry.source)).toContain('001_77b7f39d73393a4f.txt');
    for (const entry of timeline.undated) expect(entry.text.toLowerCase()).toMatch(/tariff|duties/);
    await expectVerbatim(timeline);
  });

  it('a topic only undated articles speak of has no dated entry', async () => {
    const timeline = await engine.timeline('rare earths', 10);
    expect(timeline.abstainReason).toBeNull();
    expect(timeline.dated).toEqual([]);
    expect(timeline.undated.map((entry) => entry.source)).toEqual(['004_f87e3345d6d88ebb.txt']);
  });

  it('keeps at most `limit` entries', async () => {
    const timeline = await engine.timeline('railway', 2);
    expect(timeline.dated.length + timeline.undated.length).toBe(2);
  });

  it('a topic the documents do not speak of, small talk and an empty topic have no entries and say why', async () => {
    for (const [topic, reason] of [
      ['recipe for banana bread with walnuts and cinnamon', 'weak-evidence'],
      ['hi', 'small-talk'],
      ['', 'empty-question'],
    ] as const) {
      const timeline = await engine.timeline(topic, 10);
      expect([timeline.dated, timeline.undated, timeline.abstainReason], topic).toEqual([[], [], reason]);
    }
  });
});
