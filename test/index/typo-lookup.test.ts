import { describe, expect, it } from 'vitest';
import { LexicalIndex } from '../../src/index/lexical-index.js';
import { TypoLookup } from '../../src/index/typo-lookup.js';
import { terms } from '../../src/text/terms.js';

describe('TypoLookup (typo matches from a vocabulary, for word search in SQL)', () => {
  const vocabulary = ['haiphong', 'hanoi', 'aerospac', 'railway', '2025'];
  const lookup = new TypoLookup(vocabulary, 0.2);

  it('a known term stands for itself; an unknown one for the terms within its edit distance, weighted as LexicalIndex weighs them', () => {
    expect(lookup.matchesOf('hanoi')).toEqual([{ term: 'hanoi', weight: 1 }]);
    // "haipohng": two edits from "haiphong" (8 letters × 0.2 rounds to 2): 0.45 · 8 / (8 + 2).
    expect(lookup.matchesOf('haipohng')).toEqual([{ term: 'haiphong', weight: 0.36 }]);
    expect(lookup.matchesOf('zzzzzzzz')).toEqual([]);
  });

  it('short words, figures, and fuzziness 0 get no typo matches', () => {
    expect(lookup.matchesOf('hanoj')).toEqual([]);
    expect(lookup.matchesOf('2026')).toEqual([]);
    expect(new TypoLookup(vocabulary, 0).matchesOf('haipohng')).toEqual([]);
  });

  it('finds what the in-memory BM25 finds for a misspelt word', () => {
    const entries = ['Trains will run from Haiphong to Kunming.', 'Hanoi plans a railway to the border.'].map((text, label) => ({
      label,
      text,
      title: 'Railways',
      section: null,
    }));
    const index = LexicalIndex.build(entries);
    const typoLookup = new TypoLookup(index.vocabulary(), index.settings.fuzziness);
    const [typo] = terms('Haipohng');
    const matched = typoLookup.matchesOf(typo as string).map((match) => match.term);
    expect(matched).toEqual(['haiphong']);
    expect(index.query([typo as string], 5).map((hit) => hit.label)).toEqual(index.query(matched, 5).map((hit) => hit.label));
    expect(index.query(matched, 5).map((hit) => hit.label)).toEqual([0]);
  });
});
