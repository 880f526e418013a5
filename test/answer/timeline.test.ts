/**
 * The timeline of a topic, from plain scored sentences (no model): dated entries oldest first, the
 * undated apart, one entry per document. The real engine over the seeds: timeline.e2e.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { evidenceOf, type ScoredSentence, type SentenceFeatures } from '../../src/answer/features.js';
import { bestPassagesPerDocument, timelineOf } from '../../src/answer/timeline.js';
import { DEFAULT_QUOTE_SETTINGS } from '../../src/answer/settings.js';
import type { Passage } from '../../src/core/types.js';

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

  it("takes a document's best statement, never a sentence of it that asks", () => {
    const question = { ...scored('faq.txt', '2024-01-01', 0.9, 0.6), text: 'What happened at the border in 2024?' };
    const answer = scored('faq.txt', '2024-01-01', 0.8, 0.6, 100);
    const picked = timelineOf(ranked(question, answer), settings, 5);
    expect(picked.dated.map((entry) => entry.text)).toEqual([answer.text]);
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
