import { toTerm, tokenize } from '../text/terms.js';
import { cosine } from '../core/vectors.js';

/** A word of the corpus with its index term and its embedding (the model's view of the word alone). */
export interface VocabularyWord {
  readonly word: string;
  readonly term: string;
  readonly vector: Float32Array;
}

export interface ExpansionSettings {
  /** Minimum cosine between a question word and a corpus word to count as a near-synonym. */
  readonly minSimilarity: number;
  /** Near-synonyms kept per question word. */
  readonly perWord: number;
  /** Weight of an expansion relative to the question's own words (times its cosine). */
  readonly weight: number;
}

export const DEFAULT_EXPANSION: ExpansionSettings = { minSimilarity: 0.6, perWord: 3, weight: 0.5 };

/** The distinct content words of a text, folded, that can be looked up as single-word embeddings. */
export function contentWords(text: string): { word: string; term: string }[] {
  const seen = new Map<string, string>();
  for (const token of tokenize(text)) {
    const term = toTerm(token);
    const word = token.replace(/['’]s$/, '');
    if (term !== null && !/^\p{N}/u.test(word) && !seen.has(word)) seen.set(word, term);
  }
  return [...seen].map(([word, term]) => ({ word, term }));
}

/**
 * Near-synonym expansion: for each question word, the corpus words the embedding model places
 * closest ("wrote" → "writing", "america" → "states"), as extra lexical terms with a weight below 1.
 * This is where the static word vectors help most: BM25 cannot match words that are not there.
 */
export function expandQuery(
  question: readonly { term: string; vector: Float32Array }[],
  vocabulary: readonly VocabularyWord[],
  settings: ExpansionSettings = DEFAULT_EXPANSION,
): Map<string, number> {
  const own = new Set(question.map((word) => word.term));
  const known = new Set(vocabulary.map((word) => word.term));
  const expansions = new Map<string, number>();
  // Only words the corpus never uses are expanded: related-but-different words of a known one add noise.
  for (const word of question.filter((candidate) => !known.has(candidate.term))) {
    const nearest = vocabulary
      .filter((candidate) => !own.has(candidate.term))
      .map((candidate) => ({ term: candidate.term, similarity: cosine(word.vector, candidate.vector) }))
      .filter((candidate) => candidate.similarity >= settings.minSimilarity)
      .sort((left, right) => right.similarity - left.similarity)
      .slice(0, settings.perWord);
    for (const { term, similarity } of nearest) {
      expansions.set(term, Math.max(expansions.get(term) ?? 0, settings.weight * similarity));
    }
  }
  return expansions;
}

/**
 * WordNet expansion: each question word, and each adjacent pair of question words, brings the
 * corpus terms that share one of its usual senses ("raise" → elevate, "tariff" → duty), weighted
 * `weight`, below the question's own words. Unlike the word-vector neighbours above, WordNet's
 * synonyms of frequent senses are precise enough to expand words the corpus also uses.
 */
export function synonymExpansions(
  questionTerms: readonly string[],
  synonymsOf: (term: string) => readonly string[],
  weight: number,
): Map<string, number> {
  const expansions = new Map<string, number>();
  if (weight <= 0) return expansions;
  const own = new Set(questionTerms);
  const pairs = questionTerms.slice(1).map((term, index) => `${questionTerms[index]}_${term}`);
  for (const term of [...questionTerms, ...pairs]) {
    for (const synonym of synonymsOf(term)) if (!own.has(synonym)) expansions.set(synonym, weight);
  }
  return expansions;
}

/**
 * "Which port", "what type of railway": the corpus terms that are a kind of the thing asked for
 * (Haiphong, standard gauge) join the lexical query with a small weight, so passages naming one
 * rank higher. A focus with more than `maxKinds` kinds is too broad ("group", "person") to say much.
 */
export function kindExpansions(
  askedThings: readonly string[],
  kindsOf: (term: string) => ReadonlySet<string>,
  weight: number,
  maxKinds: number,
): Map<string, number> {
  const expansions = new Map<string, number>();
  if (weight <= 0) return expansions;
  for (const thing of askedThings) {
    const kinds = kindsOf(thing);
    if (kinds.size <= maxKinds) for (const kind of kinds) expansions.set(kind, weight);
  }
  return expansions;
}
