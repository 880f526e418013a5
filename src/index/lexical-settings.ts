/**
 * The word index's ranking constants and the thesaurus's. They sit here, not in `answer/settings.ts`, because ingest and
 * the stores (below answer/) build and read the index with them; `answer/settings.ts` re-exports them,
 * so every ranking constant can be found from there. Measurements behind them: docs/ranking.md.
 */

export interface LexicalSettings {
  /** Multiplier of matches in the document title relative to the chunk text. */
  readonly titleBoost: number;
  /** Multiplier of adjacent word pairs ("top leader") matched as a phrase. */
  readonly pairBoost: number;
  /** Largest edit distance, as a share of the term length, for typo-tolerant matches of unknown words; 0 turns it off. */
  readonly fuzziness: number;
  /** Terms found in more than this share of all chunks are not searched on their own. */
  readonly maxTermShare: number;
}

/** Kept in each index's manifest, so an index is read with the settings it was built with. */
export const DEFAULT_LEXICAL: LexicalSettings = {
  titleBoost: 0.5, // not tuned: a title names the whole article, so it says less of a paragraph than its own words
  pairBoost: 0.5, // not tuned: a phrase matched counts beside its two words, not instead of them
  fuzziness: 0.2, // one slip in five letters catches typos without joining different words
  maxTermShare: 0.25, // words in a quarter of the chunks ("vietnam" in the seeds) tell passages apart little and cost the most
};

/**
 * BM25+ as MiniSearch 7 scores it (k 1.2, b 0.7, d 0.5; field length = distinct terms), so ranking is
 * unchanged from when MiniSearch held the index (test/index/lexical-index.test.ts compares the two).
 */
export const BM25 = { k: 1.2, b: 0.7, d: 0.5 };

/** A typo match weighs `FUZZY_WEIGHT`·len/(len+distance), as in MiniSearch: well below the word itself. */
export const FUZZY_WEIGHT = 0.45;
/** Words shorter than this are not matched by typos: a few edits turn them into other words. */
export const FUZZY_MIN_LENGTH = 6;
/** The edit distance of a typo match, whatever the word's length. */
export const MAX_FUZZY_DISTANCE = 6;
/**
 * Word pairs are long, so their share-based distance reached 3-4 edits: a radix-tree walk that
 * grew with the corpus. Two edits still catch a typo or an inflection inside a phrase
 * ("tariff_chines" for "tariffs on Chinese").
 */
export const MAX_PAIR_FUZZY_DISTANCE = 2;

/**
 * Word search in SQL (`postgres/sql-search.ts`) weighs typo matches as one group: they weigh
 * `FUZZY_WEIGHT`·len/(len+distance) in the in-memory BM25, about 0.4 for the words they are found for.
 */
export const FUZZY_GROUP_WEIGHT = 0.4;

/** How WordNet expands a word (`index/thesaurus.ts`): built into each index's thesaurus. */
export interface ThesaurusSettings {
  /** A word's synonyms come from its most frequent senses only (rarer senses are mostly noise: "paper" → "wallpaper"). */
  readonly sensesPerWord: number;
  /**
   * Words with more senses than this (all parts of speech) neither have nor give synonyms, nor are kinds: "become"
   * shares a sense with "go", "get" and "turn", which say almost nothing (36 senses of "get").
   */
  readonly maxSynonymSenses: number;
  /** How many is-a steps up a corpus word may be from the kind a question names (durian → edible fruit → produce: 2). */
  readonly kindDepth: number;
}

/** Measured on the news sets (docs/ranking.md, "Settings, and why"): each value sits on a plateau. */
export const DEFAULT_THESAURUS: ThesaurusSettings = {
  sensesPerWord: 3, // 1–2 the same; all senses answered a question the sets expect declined
  maxSynonymSenses: 10, // 5, 20, 100 the same; 10 keeps "get", "go", "turn" out by construction
  kindDepth: 4, // 2, 3, 6 the same: room for "durian → edible fruit → produce"
};
