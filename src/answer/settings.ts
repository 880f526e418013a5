import type { EmbedderKind } from '../embed/embedder.js';

// The word index's constants: built into each index, so defined where ingest and the stores can read them.
export {
  BM25,
  DEFAULT_LEXICAL,
  DEFAULT_THESAURUS,
  FUZZY_GROUP_WEIGHT,
  FUZZY_MIN_LENGTH,
  FUZZY_WEIGHT,
  type LexicalSettings,
  MAX_FUZZY_DISTANCE,
  MAX_PAIR_FUZZY_DISTANCE,
  type ThesaurusSettings,
} from '../index/lexical-settings.js';

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
  /** Weight of WordNet synonyms of the question's words in the lexical query; 0: off. */
  readonly synonymWeight: number;
  /** Weight of corpus terms that are a kind of the thing asked for ("which port" → Haiphong); 0: off. */
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
  /** A quote also shows the next sentence of its paragraph when the two stay within this many characters (0: never). */
  readonly withNextSentenceUpTo: number;
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

// Each value's reason in a line; the measurements behind them are in docs/ranking.md ("Why these weights" and the passes).

export const DEFAULT_FUSION: FusionWeights = {
  lexical: 0.7, // words find the answering passage better than averaged word vectors; measured best
  dense: 0.3, // the rest of the fused score: a paraphrase the words miss still reaches the candidates
  date: 0.15, // a hint, never the deciding term; off and larger both lost
  document: 0.2, // a paragraph may leave the question's names to the rest of its article
};

export const DEFAULT_RETRIEVAL: RetrievalSettings = {
  candidatesPerSide: 50, // not tuned: ten times the passages quoted from, so fusion decides, not the cut
  passagesForQuotes: 5, // more passages brought no more first quotes
  rerank: 0.5, // half fused, half best sentence: a passage must answer, not only match; measured best
  synonymWeight: 0.3, // below the question's own words (1) and word pairs (0.5), within a flat range
  kindWeight: 0.2, // below synonyms: a kind is a guess at the answer, not a word of the question
  maxKinds: 20, // a focus with more kinds ("group", "person") is too broad to point anywhere
  contextSentences: 2, // news answers continue the sentence or two before; one was too few
};

export const DEFAULT_QUOTE_SETTINGS: QuoteSettings = {
  abstainOnUnknownNames: true, // a name written as code or an acronym that no document uses cannot be answered by them
  coverageWeight: 0.5, // the question's words in the sentence decide most; a fitted grid over all weights overfit and lost
  contextWeight: 0.15, // news answers continue the sentence before; a minor term, measured best
  meaningWeight: 0, // averaged word vectors' closeness cost first quotes in the sentence score
  meaningSpread: 0.15, // not tuned: `meaning` falls from 1 to 0 over the band where the best candidates sit
  passageWeight: 0.15, // a sentence of a better passage is more likely the answer; switched off, it lost
  cueWeight: 0.05, // a tie-breaker between sentences that match alike; larger lost top passages
  focusWeight: 0.1, // naming the thing asked for is a strong hint, not an answer; measured best
  completionRatio: 0.4, // low enough for an answer scoring half its restatement ("what is the purpose of …")
  completionWindow: 3, // the answer may come a paragraph after the restatement
  kindMatching: true, // switched off, it lost on the sets nobody tuned on
  minEvidence: 0.335, // cross-validated; higher abstains on more near-misses but declines real questions
  // Word vectors' cosines are not on the sentence model's scale; no floor was fitted for them.
  minSimilarity: 0,
  secondQuoteRatio: 0.9, // not tuned: a second quote only when it is nearly as good as the first
  // The answer is often the sentence after the best-judged one ("…, it starts with the last one configured");
  // it changes the words shown, never whether the bot answers. Won or tied on every set; 350 lost PDFs' (docs/documents.md).
  withNextSentenceUpTo: 400,
  corroborationOverlap: 0.4, // not tuned: two sentences sharing this share of their terms say the same thing
  evidenceSoftFrom: 0.8, // cross-validated: word-vector near-synonyms from here count as the word
  evidenceSynonymStrength: 0.8, // as much as a word-vector near-synonym at the 0.8 threshold
  evidencePredicateWeight: 0.5, // cross-validated: what the question asks must be in the sentence or next to it
  evidenceTopicWeight: 0, // cross-validated: names say what a question is about, not whether it is answered
  evidenceDenseWeight: 0.3, // cross-validated: closeness in meaning as the second witness
  missingCuePenalty: 0.5, // cross-validated: a sentence without the number, date or name asked for is weak evidence
  conflictRatio: 0.9, // only sources that answer about as well as the quote are shown as disagreeing
  corroborationRatio: 0.7, // not tuned: an agreeing source must answer the question too, if less well
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
    // Cross-validated over sets A-D and G: the sentence encoder's cosine finds paraphrases the words miss.
    fusion: { ...DEFAULT_FUSION, dense: 0.7 },
    retrieval: DEFAULT_RETRIEVAL,
    quote: {
      ...DEFAULT_QUOTE_SETTINGS,
      // Wins on the sets nobody tuned on (E, F, G), loses on A, whose word rules were fitted to it.
      meaningWeight: 0.1,
      // Cross-validated over sets A-D and G with the meaning weight fixed.
      evidenceDenseWeight: 1,
      evidenceTopicWeight: 0.2,
      // Single words' vectors from a sentence encoder are no thesaurus: no near-synonym matching of words.
      evidenceSoftFrom: 1,
      // Without the cross-encoder's floor (RERANKER=off, a follow-up that does not stand alone); with it, `relevance.minEvidence`.
      // Cross-validated over sets A-D and G.
      minEvidence: 0.69,
      // Words shared, meaning not ("hello" in a tutorial's 'hello' strings, "capital of Italy" beside "Italian"):
      // fitted leave one corpus out on news, Markdown, HTML and PDF sets (docs/documents.md).
      minSimilarity: 0.3,
      // The cosine weighs 1 in every sentence's evidence, which brings ratios closer to 1 than the word
      // vectors' 0.3 did: a source that disagrees still shows.
      conflictRatio: 0.75,
    },
    relevance: {
      // Weight and floors fitted leave one collection out (news, Markdown, web pages, PDFs; the news as
      // pages and PDFs only scored) by bench/fit-relevance.py: docs/documents.md.
      candidates: 10,
      weight: 0.5,
      minRelevance: 0.6,
      minEvidence: 0.45,
      // Read with the sentence before, the sentence after an answer reads as the answer (docs/documents.md, third pass).
      withPrevious: false,
    },
    // Between greetings and thanks and short real questions, against the seeds' sentences (docs/ranking.md, fifth pass).
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

/*
 * Constants of ranking that are the same for every kind of model, by the stage that reads them.
 * The word index's own (BM25, its fields, typo matches) are re-exported at the top of this file.
 */

/** Word matching in the sentence score and the evidence (`matching.ts`, `features.ts`). */
export const WORD_MATCHING = {
  /** A typo match ("ambasador" → ambassador) counts a little less than the word itself. */
  typoStrength: 0.9,
  /** Shorter words are not matched as typos: one edit turns them into other words. */
  typoMinLength: 5,
  /** From this length a typo may be two edits away (one below it): long words take more slips. */
  typoTwoEditsFrom: 8,
  /** A focus word counts as named by a word whose vector is at least this close ("port" ~ "harbour"). */
  focusSoftFrom: 0.7,
  /** A focus named at least this well counts as named, so the sentence lacks nothing (completion). */
  focusFound: 0.5,
} as const;

/** The date prior of the fusion (`fusion.ts`, `dateAffinity`); the match itself scores 1. */
export const DATE_PRIOR = {
  /** The question names only other years: the article is most likely about something else. */
  otherYear: -0.5,
  /** The question names the article's year but another month: half a match. */
  otherMonth: 0.5,
} as const;

/** Choosing, corroborating and contrasting quotes (`select.ts`, `corroborate.ts`). */
export const QUOTING = {
  /** How many of the best-ranked sentences may carry the evidence: with 3 an unrelated sentence often carried it. */
  evidenceSentences: 2,
  /** How many of the best-ranked sentences are checked for a conflicting statement: past these they no longer answer. */
  conflictCandidates: 10,
  /** Figures conflict only between sentences on the same subject: sharing this share of `corroborationOverlap`. */
  conflictOverlapShare: 0.5,
  /** The same figure corroborates with less shared wording: this share of `corroborationOverlap`. */
  figureOverlapShare: 0.25,
  /** Sentences stating a quote's figures checked for corroboration per quote: each costs a tokenization. */
  corroborationCandidates: 500,
  /** A sentence stating a quote's figure corroborates it when it also shares this many other words: one could be chance. */
  figureSharedTerms: 2,
} as const;

/** Reading a thread's follow-ups (`follow-up.ts`; docs/ranking.md, issue 25). */
export const FOLLOW_UPS = {
  /**
   * A question with more words of its own than this that carry meaning (not pronouns, not words that only
   * ask: "when", "exactly") says enough to stand alone unless it points back; not tuned.
   */
  maxOwnTerms: 4,
} as const;

/** Small talk and timelines (`engine.ts`). */
export const ENGINE_LIMITS = {
  /** Up to this many words, a message may be small talk ("hi", "ok thanks", "hello there"). */
  smallTalkMaxWords: 3,
  /** A timeline scores the sentences of this many retrieved passages… */
  timelinePassages: 50,
  /** …at most this many of each document, so one long article does not fill it. */
  timelinePassagesPerDocument: 3,
} as const;
