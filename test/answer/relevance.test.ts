import { describe, expect, it } from 'vitest';
import type { ScoredSentence, SentenceFeatures } from '../../src/answer/features.js';
import { relevanceOf, relevanceTexts, reorderByRelevance } from '../../src/answer/relevance.js';
import type { RelevanceSettings } from '../../src/answer/settings.js';

const features: SentenceFeatures = {
  coverage: 1,
  context: 0,
  similarity: 0.5,
  meaning: 1,
  passage: 1,
  cue: true,
  focus: 0,
  predicate: 1,
  topic: 1,
  wantsCue: false,
};

function scored(text: string, score: number, previous = ''): ScoredSentence {
  const passage = { source: 'a.md', title: 'a', date: null, paragraph: 1, chunkId: 'a.md#p1.1', start: 0, end: 100, text: '', score: 1 };
  return {
    passage,
    passageRank: 0,
    paragraph: 1,
    start: 0,
    end: text.length,
    text,
    previous,
    vector: new Float32Array(2),
    features,
    score,
  };
}

const settings: RelevanceSettings = { candidates: 2, weight: 1, minRelevance: 0.5, minEvidence: 0.5, withPrevious: false };

describe('the cross-encoder’s part in choosing the quote', () => {
  const ranked = [scored('first', 0.9, 'before first'), scored('second', 0.8), scored('third', 0.7)];

  it('reads the best `candidates` sentences, with the one before only when asked', () => {
    expect(relevanceTexts(ranked, settings)).toEqual(['first', 'second']);
    expect(relevanceTexts(ranked, { ...settings, withPrevious: true })).toEqual(['before first first', 'second']);
  });

  it('reads a table row or list item after what introduces it', () => {
    const row = { ...scored('Visitor | 30 a night', 1, 'Berth | Fee'), block: 'table-row' as const };
    const item = { ...scored('Fees are paid at the office.', 0.9, 'Berths are assigned as follows:'), block: 'list-item' as const };
    expect(relevanceTexts([row, item], settings)).toEqual([
      'Berth | Fee Visitor | 30 a night',
      'Berths are assigned as follows: Fees are paid at the office.',
    ]);
  });

  it('puts the sentence it judges most relevant first, and leaves the unread ones after, in their order', () => {
    const order = reorderByRelevance(ranked, [-3, 2], settings);
    expect(order.map((sentence) => sentence.text)).toEqual(['second', 'first', 'third']);
    expect(order[0]?.relevance).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(order[2]).not.toHaveProperty('relevance');
  });

  it('blends its judgement with the sentence’s own score by `weight`', () => {
    // 0.5 · relevance + 0.5 · score / best: first 0.5·0.27 + 0.5 = 0.63; second 0.5·0.73 + 0.44 = 0.81.
    expect(reorderByRelevance(ranked, [-1, 1], { ...settings, weight: 0.5 }).map((sentence) => sentence.text)[0]).toBe('second');
    expect(reorderByRelevance(ranked, [-1, 1], { ...settings, weight: 0 }).map((sentence) => sentence.text)[0]).toBe('first');
  });

  it('decides abstention by the best relevance of the first few, or not at all when it read none', () => {
    const order = reorderByRelevance(ranked, [-4, -1], settings);
    expect(relevanceOf(order, 2)).toBeCloseTo(1 / (1 + Math.exp(1)), 6);
    expect(relevanceOf(ranked, 2)).toBeNull();
  });
});
