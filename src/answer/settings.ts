import type { EmbedderKind } from '../embed/embedder.js';
import { DEFAULT_QUOTE_SETTINGS, type QuoteSettings } from './quote.js';
import { DEFAULT_FUSION, type FusionWeights } from './retrieve.js';

/** The weights that decide ranking, quoting and abstention. */
export interface RankingSettings {
  readonly fusion: FusionWeights;
  readonly quote: QuoteSettings;
  /**
   * A message of a few words whose best candidate sentence is less similar than this is small talk
   * ("hi" matches "hi-tech" by its letters, not by its meaning). Word vectors give every pair a high
   * cosine, so they leave this to abstention (0).
   */
  readonly smallTalkSimilarity: number;
}

/**
 * Weights for each kind of model. A sentence encoder's cosines spread differently from averaged
 * word vectors', so fusion, evidence and the abstention threshold are fitted for each:
 * `bench/fit-weights.ts` (leave-one-set-out cross-validation over the tuning sets; figures in docs/ranking.md).
 */
export const RANKING_SETTINGS: Readonly<Record<EmbedderKind, RankingSettings>> = {
  'word-vectors': { fusion: DEFAULT_FUSION, quote: DEFAULT_QUOTE_SETTINGS, smallTalkSimilarity: 0 },
  'sentence-encoder': {
    fusion: { ...DEFAULT_FUSION, dense: 0.7 },
    quote: {
      ...DEFAULT_QUOTE_SETTINGS,
      // Kept by set G (written blind before tuning): +6.7 first quote there, +2 and +1.7 on E and F,
      // -8.7 on set A, whose word rules were fitted to it.
      meaningWeight: 0.1,
      evidenceDenseWeight: 1,
      evidenceTopicWeight: 0.2,
      // Single words' vectors from a sentence encoder are no thesaurus: no near-synonym matching of words.
      evidenceSoftFrom: 1,
      minEvidence: 0.69,
      // The cosine now weighs 1 in every sentence's evidence, which brings ratios closer to 1 than
      // the word vectors' 0.3 did: a source that disagrees shows at 0.75 of the quote's evidence.
      conflictRatio: 0.75,
    },
    // Greetings and thanks reach 0.10-0.21 with the seeds' sentences, short real questions 0.27-0.63 (docs/ranking.md).
    smallTalkSimilarity: 0.25,
  },
};
