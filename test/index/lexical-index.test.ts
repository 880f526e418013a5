import { describe, expect, it } from 'vitest';
import { LexicalIndex, type LexicalEntry } from '../../src/index/lexical-index.js';

const entry = (label: number, text: string, title = ''): LexicalEntry => ({ label, text, title, section: null });

const entries = [
  entry(0, 'Vietnam exported record coffee volumes to China.', 'Coffee trade'),
  entry(1, 'Vietnam and China agreed to patrol the land border together.'),
  entry(2, 'A boarder at the Hanoi hostel said Vietnam was welcoming.'),
  entry(3, 'The ambassador of Vietnam met Chinese officials in Beijing.'),
  entry(4, 'Phạm Minh Chính said tariffs of 46% would hurt Vietnam.'),
];
const index = LexicalIndex.build(entries);
const labels = (question: string) => index.query(question, 10).map((hit) => hit.label);

describe('lexical index', () => {
  it('matches a misspelt word the corpus does not have, but a known word only as it is', () => {
    expect(labels('ambasador')).toEqual([3]);
    expect(labels('border')).toEqual([1]);
    expect(labels('boarder')).toEqual([2]);
  });

  it('does not search on their own terms found in most chunks, unless nothing else is left', () => {
    expect(labels('Vietnam coffee')).toEqual([0]);
    expect(labels('Vietnam')).toHaveLength(5);
    // A common word still counts inside a phrase pair.
    expect(labels('land border of Vietnam')[0]).toBe(1);
  });

  it('folds accents and keeps numbers whole', () => {
    expect(labels('Pham Minh Chinh')).toEqual([4]);
    expect(labels('46%')).toEqual([4]);
  });

  it('answers the same after a round trip through its JSON lines', () => {
    const restored = LexicalIndex.fromJSONLines([...index.toJSONLines()]);
    for (const question of ['Vietnam coffee', 'ambasador', 'land border', 'Pham Minh Chinh tariffs']) {
      expect(restored.query(question, 10)).toEqual(index.query(question, 10));
    }
    expect(restored.idf('coffe')).toBeCloseTo(index.idf('coffe'), 12);
  });
});
