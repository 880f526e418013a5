import type { LexicalHit } from '../index/lexical-index.js';
import type { VectorHit } from '../index/vector-index.js';
import type { Question } from './question.js';
import { DATE_PRIOR, type FusionWeights } from './settings.js';

/**
 * How well a document's date fits the question, in [-0.5, 1]: 1 when the question names the
 * document's year (and month, if it names one), -0.5 when it names only other years, a recency
 * score when it asks for the latest; 0 when nothing is said or the document is undated.
 * `newestDate`/`oldestDate` span the corpus, for the recency score.
 */
export function dateAffinity(
  question: Pick<Question, 'years' | 'months' | 'asksForLatest'>,
  date: string | null,
  corpusDates: { readonly newest: string; readonly oldest: string } | null,
): number {
  if (!date) return 0;
  const { years, months } = question;
  const [year, month] = date.split('-').map(Number);
  if (years.size > 0) {
    if (!years.has(String(year))) return DATE_PRIOR.otherYear;
    return months.length === 0 || months.includes(month ?? 0) ? 1 : DATE_PRIOR.otherMonth;
  }
  if (question.asksForLatest && corpusDates && corpusDates.newest > corpusDates.oldest) {
    const span = Date.parse(corpusDates.newest) - Date.parse(corpusDates.oldest);
    return (Date.parse(date) - Date.parse(corpusDates.oldest)) / span;
  }
  return 0;
}

export interface FusedCandidate {
  readonly label: number;
  /** Weighted sum of the normalised signals and the date prior. */
  readonly score: number;
  /** BM25 relative to the best BM25 of this query, in [0, 1]. */
  readonly lexical: number;
  /** Cosine similarity to the question. */
  readonly dense: number;
}

/**
 * Fuse lexical and dense hits by weighted normalised scores. BM25 is divided by the query's best
 * score; cosine is rescaled between the worst and best dense hit, so neither scale dominates.
 * Candidates found by one side only get the other side's floor.
 */
export function fuseRankings(
  lexicalHits: readonly LexicalHit[],
  denseHits: readonly VectorHit[],
  weights: FusionWeights,
  dateOf: (label: number) => number = () => 0,
  documentOf: (label: number) => number = () => 0,
): FusedCandidate[] {
  const bestLexical = Math.max(0, ...lexicalHits.map((hit) => hit.score));
  const similarities = denseHits.map((hit) => hit.similarity);
  const floor = similarities.length ? Math.min(...similarities) : 0;
  const ceiling = similarities.length ? Math.max(...similarities) : 1;
  const lexicalByLabel = new Map(lexicalHits.map((hit) => [hit.label, bestLexical > 0 ? hit.score / bestLexical : 0]));
  const denseByLabel = new Map(denseHits.map((hit) => [hit.label, hit.similarity]));
  const labels = new Set([...lexicalByLabel.keys(), ...denseByLabel.keys()]);
  const spread = ceiling - floor;
  return [...labels]
    .map((label) => {
      const lexical = lexicalByLabel.get(label) ?? 0;
      const dense = denseByLabel.get(label) ?? floor;
      const denseNormalised = spread > 1e-9 ? (dense - floor) / spread : 0;
      const score =
        weights.lexical * lexical + weights.dense * denseNormalised + weights.date * dateOf(label) + weights.document * documentOf(label);
      return { label, lexical, dense, score };
    })
    .sort((left, right) => right.score - left.score || left.label - right.label);
}

/** Share of the question's idf mass that a set of terms holds (each term counted once). */
export function termCoverage(
  questionTerms: ReadonlySet<string>,
  held: { has(term: string): boolean },
  idf: (term: string) => number,
): number {
  let total = 0;
  let found = 0;
  for (const term of questionTerms) {
    const weight = idf(term);
    total += weight;
    if (held.has(term)) found += weight;
  }
  return total > 0 ? found / total : 0;
}

/**
 * Second stage: reorder the first passages by how well their best sentence answers the question.
 * `share` of the new score comes from the sentence (relative to the best sentence), the rest from
 * the fused score (relative to the best passage). Passages past the first `sentenceScores.length`
 * keep their order. Every passage gets the score it is ranked by, in [0, 1], so the scores shown
 * go down the list (the passages after the head score their fused part only, which no head passage is under).
 */
export function rerankPassages<P extends { score: number }>(passages: readonly P[], sentenceScores: readonly number[], share: number): P[] {
  const head = passages.slice(0, sentenceScores.length);
  const bestFused = Math.max(1e-9, ...head.map((passage) => passage.score));
  const bestSentence = Math.max(1e-9, ...sentenceScores);
  const fusedPart = (passage: P) => (1 - share) * Math.max(0, passage.score / bestFused);
  const rescored = head
    .map((passage, index) => ({ passage, index, score: fusedPart(passage) + share * ((sentenceScores[index] ?? 0) / bestSentence) }))
    .sort((left, right) => right.score - left.score || left.index - right.index)
    .map((entry) => ({ ...entry.passage, score: roundScore(entry.score) }));
  return [...rescored, ...passages.slice(sentenceScores.length).map((passage) => ({ ...passage, score: roundScore(fusedPart(passage)) }))];
}

/** A score as shown to users: four decimals. */
export function roundScore(value: number): number {
  return Math.round(value * 10000) / 10000;
}
