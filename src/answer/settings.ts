import type { EmbedderKind } from '../embed/embedder.js';

/** How much each signal counts in the fused ranking (docs/ranking.md says how they were chosen). */
export interface FusionWeights {
  readonly lexical: number;
  readonly dense: number;
  /** Weight of the document-date prior (question names the article's year/month, or asks for the latest). */
  readonly date: number;
  /**
   * Weight of document coverage: the share of the question's idf mass found anywhere in the
   * passage's article ("… at the Dalian meeting" is answered by a paragraph that never repeats "Dalian").
   */
  readonly document: number;
}

/** Retrieval before quoting: candidates, WordNet expansion of the lexical query, the second-stage rerank. */
export interface RetrievalSettings {
  /** Candidates each side (BM25, vectors) retrieves before fusion. */
  readonly candidatesPerSide: number;
  /** How many of the best passages feed quote selection. */
  readonly passagesForQuotes: number;
  /** Share of a passage's final rank that comes from its best sentence (second stage); 0 keeps the fused order. */
  readonly rerank: number;
  /** Weight of WordNet synonyms of the question's words in the lexical query (0.2-0.5 give the same eval); 0: off. */
  readonly synonymWeight: number;
  /** Weight of corpus terms that are a kind of the thing asked for ("which port" → Haiphong; 0.1-0.5 give the same eval); 0: off. */
  readonly kindWeight: number;
  /** A thing asked for with more kinds in the corpus than this is too broad to expand. */
  readonly maxKinds: number;
  /** Sentences before a candidate that count as its context (news answers often continue them). */
  readonly contextSentences: number;
}

export interface QuoteSettings {
  /** Abstain when the question names something written as code or an acronym that the documents never use ("QUIC"). */
  readonly abstainOnUnknownNames: boolean;
  /** Weights of the sentence score. */
  readonly coverageWeight: number;
  readonly contextWeight: number;
  /** Weight of the sentence's closeness in meaning to the question, relative to the closest candidate (`meaning`). */
  readonly meaningWeight: number;
  /** How far below the closest candidate's similarity `meaning` reaches 0. */
  readonly meaningSpread: number;
  readonly passageWeight: number;
  readonly cueWeight: number;
  readonly focusWeight: number;
  /**
   * When the best sentence lacks what the question asks for (a number, date or name; the focus
   * word) and one of the next sentences of its document supplies it, scoring at least this share
   * of the best, that one is quoted first: news often restates the question, then answers it.
   * Above 1: off.
   */
  readonly completionRatio: number;
  /** How many sentences after the best one may complete it. */
  readonly completionWindow: number;
  /** A sentence naming a kind of the focus word ("which port" → Haiphong, per WordNet) has the focus and the cue. */
  readonly kindMatching: boolean;
  /** Below this evidence the engine abstains. */
  readonly minEvidence: number;
  /** Below this cosine between the question and the best sentence the engine abstains, whatever words they share. */
  readonly minSimilarity: number;
  /** A second quote is added when it scores at least this share of the best. */
  readonly secondQuoteRatio: number;
  /** Term overlap (Jaccard) from which a sentence of another document corroborates the quote. */
  readonly corroborationOverlap: number;
  /** Similarity of word vectors from which a question word counts as matched by a near-synonym in the evidence; 1: exact words only. */
  readonly evidenceSoftFrom: number;
  /** How much a WordNet synonym of a question word counts in the evidence check (0: not at all). */
  readonly evidenceSynonymStrength: number;
  /** Weights of the evidence: what the question asks (predicate words), what it is about (names, figures), embedding similarity. */
  readonly evidencePredicateWeight: number;
  readonly evidenceTopicWeight: number;
  readonly evidenceDenseWeight: number;
  /** Evidence is multiplied by this when the question asks for a number, date or name and the sentence has none. */
  readonly missingCuePenalty: number;
  /** A sentence of another document with at least this share of the quote's evidence, stating a different ordinal or figure, is shown as a conflict. */
  readonly conflictRatio: number;
  /** A sentence of another document must have at least this share of the quote's evidence to corroborate it. */
  readonly corroborationRatio: number;
}

/** The cross-encoder's part in choosing the quote. */
export interface RelevanceSettings {
  /** How many of the best-ranked sentences the cross-encoder reads (0: off). */
  readonly candidates: number;
  /** Share of those sentences' order that comes from the cross-encoder (1: its order alone). */
  readonly weight: number;
  /** Below this relevance (0–1) of the best sentences the engine abstains. */
  readonly minRelevance: number;
  /** The evidence floor (`QuoteSettings.minEvidence`) when the relevance floor decides too: fitted with it. */
  readonly minEvidence: number;
  /** The cross-encoder reads a sentence with the one before it (a sentence often continues the one before). */
  readonly withPrevious: boolean;
}

/** The weights that decide ranking, quoting and abstention. */
export interface RankingSettings {
  readonly fusion: FusionWeights;
  readonly retrieval: RetrievalSettings;
  readonly quote: QuoteSettings;
  /** The cross-encoder's part (when one is loaded). */
  readonly relevance: RelevanceSettings;
  /**
   * A message of a few words whose best candidate sentence is less similar than this is small talk
   * ("hi" matches "hi-tech" by its letters, not by its meaning). Word vectors give every pair a high
   * cosine, so they leave this to abstention (0).
   */
  readonly smallTalkSimilarity: number;
}

export const DEFAULT_FUSION: FusionWeights = { lexical: 0.7, dense: 0.3, date: 0.15, document: 0.2 };

export const DEFAULT_RETRIEVAL: RetrievalSettings = {
  candidatesPerSide: 50,
  passagesForQuotes: 5,
  rerank: 0.5,
  synonymWeight: 0.3,
  kindWeight: 0.2,
  maxKinds: 20,
  contextSentences: 2,
};

export const DEFAULT_QUOTE_SETTINGS: QuoteSettings = {
  abstainOnUnknownNames: true,
  coverageWeight: 0.5,
  contextWeight: 0.15,
  meaningWeight: 0,
  meaningSpread: 0.15,
  passageWeight: 0.15,
  cueWeight: 0.05,
  focusWeight: 0.1,
  completionRatio: 0.4,
  completionWindow: 3,
  kindMatching: true,
  minEvidence: 0.335,
  // Word vectors' cosines are not on the sentence model's scale; no floor was fitted for them.
  minSimilarity: 0,
  secondQuoteRatio: 0.9,
  corroborationOverlap: 0.4,
  evidenceSoftFrom: 0.8,
  evidenceSynonymStrength: 0.8,
  evidencePredicateWeight: 0.5,
  evidenceTopicWeight: 0,
  evidenceDenseWeight: 0.3,
  missingCuePenalty: 0.5,
  conflictRatio: 0.9,
  corroborationRatio: 0.7,
};

/** No cross-encoder: the ranking as fitted without one. */
export const NO_RELEVANCE: RelevanceSettings = { candidates: 0, weight: 0, minRelevance: 0, minEvidence: 0, withPrevious: false };

/**
 * Weights for each kind of model. A sentence encoder's cosines spread differently from averaged
 * word vectors', so fusion, evidence and the abstention threshold are fitted for each:
 * `bench/fit-weights.ts` (leave-one-set-out cross-validation over the tuning sets; figures in docs/ranking.md).
 */
export const RANKING_SETTINGS: Readonly<Record<EmbedderKind, RankingSettings>> = {
  'word-vectors': {
    fusion: DEFAULT_FUSION,
    retrieval: DEFAULT_RETRIEVAL,
    quote: DEFAULT_QUOTE_SETTINGS,
    relevance: NO_RELEVANCE,
    smallTalkSimilarity: 0,
  },
  'sentence-encoder': {
    fusion: { ...DEFAULT_FUSION, dense: 0.7 },
    retrieval: DEFAULT_RETRIEVAL,
    quote: {
      ...DEFAULT_QUOTE_SETTINGS,
      // Kept by set G (written blind before tuning): +6.7 first quote there, +2 and +1.7 on E and F,
      // -8.7 on set A, whose word rules were fitted to it.
      meaningWeight: 0.1,
      evidenceDenseWeight: 1,
      evidenceTopicWeight: 0.2,
      // Single words' vectors from a sentence encoder are no thesaurus: no near-synonym matching of words.
      evidenceSoftFrom: 1,
      // Without the cross-encoder's floor (RERANKER=off, a follow-up that does not stand alone); with it, `relevance.minEvidence`.
      minEvidence: 0.69,
      // "hello" in a tutorial with 'hello' strings, "capital of Italy" beside "Italian": words shared,
      // meaning not. Fitted leave one corpus out on news, Markdown, HTML and PDF sets (0.30–0.35 chosen,
      // no held-out corpus losing 0.5 points of right first quotes): docs/documents.md.
      minSimilarity: 0.3,
      // The cosine now weighs 1 in every sentence's evidence, which brings ratios closer to 1 than
      // the word vectors' 0.3 did: a source that disagrees shows at 0.75 of the quote's evidence.
      conflictRatio: 0.75,
    },
    relevance: {
      // Weight and floors fitted leave one collection out (news, Markdown, web pages, PDFs; the news as
      // pages and PDFs only scored) by bench/fit-relevance.py: docs/documents.md.
      candidates: 10,
      weight: 0.5,
      minRelevance: 0.6,
      minEvidence: 0.45,
      // With the sentence before, the sentence after an answer reads as the answer (news A: 26% right first quotes).
      withPrevious: false,
    },
    // Greetings and thanks reach 0.10-0.21 with the seeds' sentences, short real questions 0.27-0.63 (docs/ranking.md).
    smallTalkSimilarity: 0.25,
  },
};

/** Ranking settings with some of them overridden (tuning, tests). */
export interface RankingOverrides {
  readonly fusion?: Partial<FusionWeights>;
  readonly retrieval?: Partial<RetrievalSettings>;
  readonly quote?: Partial<QuoteSettings>;
  readonly relevance?: Partial<RelevanceSettings>;
  readonly smallTalkSimilarity?: number;
}

export function withOverrides(settings: RankingSettings, overrides: RankingOverrides = {}): RankingSettings {
  return {
    fusion: { ...settings.fusion, ...overrides.fusion },
    retrieval: { ...settings.retrieval, ...overrides.retrieval },
    quote: { ...settings.quote, ...overrides.quote },
    relevance: { ...settings.relevance, ...overrides.relevance },
    smallTalkSimilarity: overrides.smallTalkSimilarity ?? settings.smallTalkSimilarity,
  };
}
