import SearchableMap from 'minisearch/SearchableMap';
import { FUZZY_MIN_LENGTH, FUZZY_WEIGHT, MAX_FUZZY_DISTANCE } from './lexical-settings.js';

/** A vocabulary term that a question's term may stand for, and how much a match of it counts (1 for the term itself). */
export interface TermMatch {
  readonly term: string;
  readonly weight: number;
}

/**
 * Typo-tolerant lookup of a question's words in a vocabulary (single-word terms, as `terms()`
 * makes them), the way `LexicalIndex` matches unknown words: a known term stands for itself; an
 * unknown one of six letters or more, without digits, for the vocabulary's terms within
 * `fuzziness` × its length edits, each weighted 0.45·len/(len+distance). A search that does not
 * hold the postings in memory (SQL) turns an unknown word into known ones with it before querying.
 */
export class TypoLookup {
  private readonly known: SearchableMap<true>;

  constructor(
    vocabulary: Iterable<string>,
    private readonly fuzziness: number,
  ) {
    this.known = new SearchableMap<true>();
    for (const term of vocabulary) this.known.set(term, true);
  }

  has(term: string): boolean {
    return this.known.has(term);
  }

  matchesOf(term: string): TermMatch[] {
    if (this.known.has(term)) return [{ term, weight: 1 }];
    if (this.fuzziness <= 0 || term.length < FUZZY_MIN_LENGTH || /\d/.test(term)) return [];
    const distance = Math.min(MAX_FUZZY_DISTANCE, Math.round(term.length * this.fuzziness));
    if (distance === 0) return [];
    return [...this.known.fuzzyGet(term, distance)].map(([found, [, editDistance]]) => ({
      term: found,
      weight: (FUZZY_WEIGHT * found.length) / (found.length + editDistance),
    }));
  }
}
