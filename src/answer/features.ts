import { cosine } from '../core/vectors.js';
import type { BlockKind, Passage } from '../core/types.js';
import { dateTerms } from '../text/dates.js';
import { terms } from '../text/terms.js';
import { hasCue } from './cues.js';
import { type Lexicon, matchStrength, softCoverage, termsOf } from './matching.js';
import type { Question } from './question.js';
import { type QuoteSettings, WORD_MATCHING } from './settings.js';

/** The question as the scorer sees it: read once, with its embedding. */
export type EmbeddedQuestion = Question & { readonly vector: Float32Array };

/** A sentence of a retrieved passage, with offsets into its document's raw text. */
export interface SentenceCandidate {
  readonly passage: Passage;
  /** 0 for the best passage. */
  readonly passageRank: number;
  /** The sentence's own paragraph (a passage may span several). */
  readonly paragraph: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** The kind of block it is in, for a structured document (absent for plain text). */
  readonly block?: BlockKind;
  /** The sentences just before it in its document ('' at the start): news answers often continue them. */
  readonly previous: string;
  /** The sentence right after it in its paragraph ('' at the end): part of the evidence that the passage answers. */
  readonly following?: string;
  readonly vector: Float32Array;
  /**
   * The sentence's terms (with its article's date terms), with the sentences before it, and with
   * the one after it too, when precomputed (the corpus view keeps them per index snapshot). Used only
   * when `date` is the passage's date.
   */
  readonly termSets?: SentenceTermSets;
}

export interface SentenceTermSets {
  readonly date: string | null;
  readonly own: ReadonlySet<string>;
  readonly withPrevious: ReadonlySet<string>;
  readonly around: ReadonlySet<string>;
}

export interface SentenceFeatures {
  /** Share of the question's idf mass matched in the sentence, exactly or by a near-synonym (weighted by similarity). */
  readonly coverage: number;
  /** Extra share matched only by the sentence before it. */
  readonly context: number;
  /** Cosine of sentence and question embeddings. */
  readonly similarity: number;
  /** `similarity` relative to the most similar candidate: 1 for it, down to 0 at `meaningSpread` below it. */
  readonly meaning: number;
  /** Fused score of its passage relative to the best passage. */
  readonly passage: number;
  /** The sentence has what the question asks for (a number for "how many", a date for "when"...). */
  readonly cue: boolean;
  /** How well the sentence names the thing asked for ("which port" → "port"), 0 when the question has no such word. */
  readonly focus: number;
  /**
   * Share of the idf mass of the question's predicate words (not names, not figures: "born", "old",
   * "passengers") matched by the sentence or its context, exactly or by a near-synonym; 1 when the question has none.
   */
  readonly predicate: number;
  /** Share of the idf mass of the question's names and figures matched by the sentence or its context; 1 when none. */
  readonly topic: number;
  /** Whether the question asks for a number, date or name at all (so a missing cue counts against it). */
  readonly wantsCue: boolean;
  /** Whether the question names the thing asked for (a focus word). */
  readonly wantsFocus?: boolean;
}

export interface ScoredSentence extends SentenceCandidate {
  readonly features: SentenceFeatures;
  readonly score: number;
}

/** Features of one candidate sentence; pure, so `eval --explain` and tuning see exactly what ranking saw. */
export function sentenceFeatures(
  question: EmbeddedQuestion,
  sentence: SentenceCandidate,
  bestPassageScore: number,
  lexicon: Lexicon,
  settings: QuoteSettings,
): Omit<SentenceFeatures, 'meaning'> {
  // The article's date is part of what a sentence says: "in December 2023" is answered by a sentence of the 2023-12 article.
  const { own, withPrevious, around } = termSetsOf(sentence, lexicon);
  // Coverage counts exact words (and typos): near-synonyms by word vectors only in the evidence and the focus.
  const coverage = softCoverage(question.terms, own, lexicon, 1);
  const withContext = withPrevious === own ? coverage : softCoverage(question.terms, withPrevious, lexicon, 1);
  const { predicateTerms, topicTerms, type, focus, given } = question;
  const namesKind = settings.kindMatching && focus.some((term) => namesKindOf(term, sentence, question.terms, lexicon));
  return {
    coverage,
    context: Math.max(0, withContext - coverage),
    similarity: cosine(question.vector, sentence.vector),
    passage: bestPassageScore > 0 ? sentence.passage.score / bestPassageScore : 0,
    // A kind named answers "which …" questions, never "how many" or "when".
    cue:
      hasCue(type, sentence.text, given, (word) => terms(word).some((term) => (lexicon.pertainsTo?.(term).length ?? 0) > 0)) ||
      (namesKind && (type === 'name' || type === 'place' || type === null)),
    focus: namesKind ? 1 : Math.max(0, ...focus.map((term) => matchStrength(term, own, lexicon, WORD_MATCHING.focusSoftFrom))),
    // A kind named ("frozen durian" for "which produce") says the thing asked for, as the word itself would.
    predicate: predicateTerms.size
      ? softCoverage(
          predicateTerms,
          namesKind ? new Set([...around, ...focus]) : around,
          lexicon,
          settings.evidenceSoftFrom,
          settings.evidenceSynonymStrength,
        )
      : 1,
    topic: topicTerms.size ? softCoverage(topicTerms, around, lexicon, 1) : 1,
    wantsCue: type !== null,
    wantsFocus: focus.length > 0,
  };
}

/**
 * Does the sentence name something that is a kind of the focus word, which the question does not
 * already say ("which port" → "… Haiphong port city", "which produce" → "durian")? A kind may be
 * a word pair ("what type of railway" → "standard gauge").
 */
function namesKindOf(focus: string, sentence: SentenceCandidate, questionTerms: ReadonlySet<string>, lexicon: Lexicon): boolean {
  const kinds = lexicon.kindsOf?.(focus);
  if (!kinds || kinds.size === 0) return false;
  const sentenceTerms = termsOf(sentence.text, lexicon);
  return sentenceTerms.some((term, index) => {
    if (kinds.has(term) && !questionTerms.has(term)) return true;
    const next = sentenceTerms[index + 1];
    return next !== undefined && kinds.has(`${term}_${next}`) && !(questionTerms.has(term) && questionTerms.has(next));
  });
}

function termSetsOf(sentence: SentenceCandidate, lexicon: Lexicon): Omit<SentenceTermSets, 'date'> {
  if (sentence.termSets && sentence.termSets.date === sentence.passage.date) return sentence.termSets;
  const own = new Set([...termsOf(sentence.text, lexicon), ...dateTerms(sentence.passage.date)]);
  const withPrevious = sentence.previous ? new Set([...own, ...termsOf(sentence.previous, lexicon)]) : own;
  const around = sentence.following ? new Set([...withPrevious, ...termsOf(sentence.following, lexicon)]) : withPrevious;
  return { own, withPrevious, around };
}

export function scoreSentence(features: SentenceFeatures, settings: QuoteSettings): number {
  return (
    settings.coverageWeight * features.coverage +
    settings.contextWeight * features.context +
    settings.meaningWeight * features.meaning +
    settings.passageWeight * features.passage +
    settings.cueWeight * (features.cue ? 1 : 0) +
    settings.focusWeight * features.focus
  );
}

/**
 * How sure we are that the sentence answers the question. Names and figures only say what the
 * question is about ("how old is To Lam?" shares "Lam" with many sentences); the predicate words
 * ("old", "born", "passengers") must be there too, exactly or as near-synonyms. A question asking
 * for a number, date or name whose sentence has none is discounted.
 */
export function evidenceOf(
  features: Pick<SentenceFeatures, 'predicate' | 'topic' | 'similarity' | 'cue' | 'wantsCue'>,
  settings: QuoteSettings,
): number {
  const { predicate, topic, similarity, cue, wantsCue } = features;
  const evidence =
    settings.evidencePredicateWeight * predicate +
    settings.evidenceTopicWeight * topic +
    settings.evidenceDenseWeight * Math.max(0, similarity);
  return wantsCue && !cue ? evidence * settings.missingCuePenalty : evidence;
}

export function lacks(features: SentenceFeatures): { cue: boolean; focus: boolean } {
  return { cue: features.wantsCue && !features.cue, focus: (features.wantsFocus ?? false) && features.focus < WORD_MATCHING.focusFound };
}
