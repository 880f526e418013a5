import type { LexicalHit } from '../index/lexical-index.js';
import type { VectorHit } from '../index/vector-index.js';

/** How much each signal counts in the fused ranking (see README "How ranking works" for how they were chosen). */
export interface FusionWeights {
  readonly lexical: number;
  readonly dense: number;
}

export const DEFAULT_FUSION: FusionWeights = { lexical: 0.7, dense: 0.3 };

export interface FusedCandidate {
  readonly label: number;
  /** Weighted sum of the normalised signals, in [0, 1]. */
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
export function fuseRankings(lexicalHits: readonly LexicalHit[], denseHits: readonly VectorHit[], weights: FusionWeights): FusedCandidate[] {
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
      return { label, lexical, dense, score: weights.lexical * lexical + weights.dense * denseNormalised };
    })
    .sort((left, right) => right.score - left.score || left.label - right.label);
}
