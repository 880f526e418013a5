import { cosine } from '../core/vectors.js';
import { terms } from '../text/terms.js';
import { WORD_MATCHING } from './settings.js';

/** Corpus statistics the scorer needs: term specificity, the embedding of each term's word, WordNet. */
export interface Lexicon {
  idf(term: string): number;
  vectorOf(term: string): Float32Array | undefined;
  /** Does the corpus use the term at all? Unknown words may be typos ("ambasador"). */
  isKnown?(term: string): boolean;
  /** `terms(text)`, when the caller keeps them (per index snapshot). */
  terms?(text: string): readonly string[];
  /** Cosine of two word vectors, when the caller keeps them (word pairs recur across sentences and questions). */
  similarity?(left: Float32Array, right: Float32Array): number;
  /** Corpus terms that are a kind or an instance of the term (WordNet: "port" → "haiphong"). */
  kindsOf?(term: string): ReadonlySet<string>;
  /** Corpus terms sharing a usual sense with the term (WordNet: "speed" → "acceler"). */
  synonymsOf?(term: string): readonly string[];
  /** Nouns an adjective of the corpus pertains to (WordNet: "vietnames" → "vietnam"). */
  pertainsTo?(term: string): readonly string[];
}

/** Levenshtein distance, giving up (returning limit + 1) once it exceeds `limit`. */
function editDistance(left: string, right: string, limit: number): number {
  if (Math.abs(left.length - right.length) > limit) return limit + 1;
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    let rowBest = i;
    for (let j = 1; j <= right.length; j++) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      rowBest = Math.min(rowBest, value);
    }
    if (rowBest > limit) return limit + 1;
    previous = current;
  }
  return previous[right.length] ?? limit + 1;
}

/** A word the corpus never uses but one edit from a word the sentence has ("ambasador") is a typo of it. */
function typoMatch(term: string, candidateTerms: ReadonlySet<string>): boolean {
  if (term.length < WORD_MATCHING.typoMinLength || /\d/.test(term)) return false;
  const limit = term.length >= WORD_MATCHING.typoTwoEditsFrom ? 2 : 1;
  for (const candidate of candidateTerms) {
    if (candidate[0] === term[0] && editDistance(term, candidate, limit) <= limit) return true;
  }
  return false;
}

/**
 * Share of the question's idf mass that `candidateTerms` match: exactly (1), or through the most
 * similar word when it is at least `softFrom` similar (its similarity), so paraphrases count partly.
 */
export function softCoverage(
  questionTerms: ReadonlySet<string>,
  candidateTerms: ReadonlySet<string>,
  lexicon: Lexicon,
  softFrom: number,
  synonymStrength = 0,
): number {
  let total = 0;
  let found = 0;
  for (const term of questionTerms) {
    const weight = lexicon.idf(term);
    total += weight;
    found += weight * matchStrength(term, candidateTerms, lexicon, softFrom, synonymStrength);
  }
  return total > 0 ? found / total : 0;
}

export function matchStrength(
  term: string,
  candidateTerms: ReadonlySet<string>,
  lexicon: Lexicon,
  softFrom: number,
  synonymStrength = 0,
): number {
  if (candidateTerms.has(term)) return 1;
  if (lexicon.isKnown && !lexicon.isKnown(term) && typoMatch(term, candidateTerms)) return WORD_MATCHING.typoStrength;
  if (synonymStrength > 0 && lexicon.synonymsOf?.(term).some((synonym) => candidateTerms.has(synonym))) return synonymStrength;
  if (softFrom >= 1) return 0;
  const vector = lexicon.vectorOf(term);
  if (!vector) return 0;
  const similarity = lexicon.similarity ?? cosine;
  let best = 0;
  for (const candidate of candidateTerms) {
    const other = lexicon.vectorOf(candidate);
    if (other) best = Math.max(best, similarity(vector, other));
  }
  return best >= softFrom ? best : 0;
}

/** `terms(text)`, from the lexicon when it keeps them (a sentence is also its neighbours' context). */
export function termsOf(text: string, lexicon: Lexicon): readonly string[] {
  return lexicon.terms?.(text) ?? terms(text);
}
