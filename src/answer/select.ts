import { getOrInsert } from '../core/maps.js';
import { disjoint, jaccard } from '../core/sets.js';
import { type Citation, type ConflictingQuote, type Quote, citationOnly, byDateDescending } from '../core/types.js';
import { standsAlone } from '../chunk/chunk.js';
import { claimsOf, FIGURE_KINDS, figuresOf, ofKind } from '../text/figures.js';
import {
  type EmbeddedQuestion,
  evidenceOf,
  lacks,
  type ScoredSentence,
  type SentenceCandidate,
  scoreSentence,
  sentenceFeatures,
} from './features.js';
import { type Lexicon, termsOf } from './matching.js';
import { QUOTING, type QuoteSettings } from './settings.js';

export interface QuoteDecision {
  readonly answered: boolean;
  readonly quotes: Quote[];
  /** The evidence of the best sentence; compared with `minEvidence`. */
  readonly evidence: number;
  /** Every candidate sentence with its score, best first (for `eval --explain`). */
  readonly ranked: readonly ScoredSentence[];
}

/**
 * Sentences of other documents that answer the question about as well as the quote (score at
 * least `conflictRatio` of it) but state a different ordinal or figure: "his first visit since
 * 2017" against "his second in less than 18 months". One per document, best first.
 */
function conflictsWith(
  sentence: ScoredSentence,
  ranked: readonly ScoredSentence[],
  agreeing: readonly ScoredSentence[],
  settings: QuoteSettings,
  lexicon: Lexicon,
): ConflictingQuote[] {
  const own = claimsOf(sentence.text);
  const agreeingSources = new Set(agreeing.map((member) => member.passage.source));
  const perDocument = new Map<string, ConflictingQuote>();
  const evidence = evidenceOf(sentence.features, settings);
  for (const other of ranked.slice(0, QUOTING.conflictCandidates)) {
    // Another source that answers the question about as well as the quote does.
    if (evidenceOf(other.features, settings) < settings.conflictRatio * evidence) continue;
    if (agreeingSources.has(other.passage.source) || perDocument.has(other.passage.source)) continue;
    const theirs = claimsOf(other.text);
    // Figures conflict only between sentences on the same subject (shared words) and of the same kind (a percentage against a percentage).
    const sameSubject =
      jaccard(new Set(termsOf(sentence.text, lexicon)), new Set(termsOf(other.text, lexicon))) >=
      settings.corroborationOverlap * QUOTING.conflictOverlapShare;
    const differs =
      disjoint(own.ordinals, theirs.ordinals) ||
      (own.ordinals.size === 0 &&
        theirs.ordinals.size === 0 &&
        sameSubject &&
        FIGURE_KINDS.some((kind) => disjoint(ofKind(own.figures, kind), ofKind(theirs.figures, kind))));
    if (differs) perDocument.set(other.passage.source, { ...citationOf(other), text: other.text });
  }
  return [...perDocument.values()];
}

/**
 * Score every sentence of the retrieved passages against the question and pick the one or two
 * that answer it, verbatim, each with every other document that states the same (corroboration).
 * Abstains when the best evidence is below `settings.minEvidence`, or the best sentence is further in meaning than `settings.minSimilarity`.
 */
export function selectQuotes(
  question: EmbeddedQuestion,
  sentences: readonly SentenceCandidate[],
  lexicon: Lexicon,
  settings: QuoteSettings,
  ranked: readonly ScoredSentence[] = rankSentences(question, sentences, lexicon, settings),
): QuoteDecision {
  const termCache = new Map<string, Set<string>>();
  const termSetOf = (sentence: SentenceCandidate): Set<string> =>
    getOrInsert(termCache, sentence.text, (text) => new Set(termsOf(text, lexicon)));

  // A question in the document ("What can you do if …?") restates what was asked; the answer is a statement.
  const statements = ranked.filter((sentence) => !isQuestion(sentence.text));
  const best = completionOf(statements, sentences, settings) ?? statements[0];
  // The sources say it when one of the best few sentences, read with its neighbours, has what the question asks.
  const evidence = Math.max(0, ...ranked.slice(0, QUOTING.evidenceSentences).map((sentence) => evidenceOf(sentence.features, settings)));
  const closeness = ranked[0]?.features.similarity ?? 0;
  if (!best || evidence < settings.minEvidence || closeness < settings.minSimilarity)
    return { answered: false, quotes: [], evidence, ranked };

  const chosen = [best];
  const runnerUp = statements.find((sentence) => !sameSpan(sentence, best) && sentence.passage.source === best.passage.source);
  if (runnerUp && runnerUp.score >= settings.secondQuoteRatio * best.score) chosen.push(runnerUp);

  const questionFigures = question.figures;
  const quotes = chosen.map((sentence): Quote => {
    const own = termSetOf(sentence);
    const ownFigures = [...figuresOf(sentence.text)].filter((figure) => !questionFigures.has(figure));
    const agrees = (other: ScoredSentence) => {
      if (
        other.passage.source === sentence.passage.source ||
        evidenceOf(other.features, settings) < settings.corroborationRatio * evidenceOf(sentence.features, settings)
      )
        return false;
      // "His first visit" and "his second" share most words but do not agree.
      if (disjoint(claimsOf(sentence.text).ordinals, claimsOf(other.text).ordinals)) return false;
      const overlap = jaccard(own, termSetOf(other));
      if (overlap >= settings.corroborationOverlap) return true;
      // The same figure (not one the question gave) in a sentence on the same subject: "145%" in two articles.
      const otherFigures = figuresOf(other.text);
      return overlap >= settings.corroborationOverlap * QUOTING.figureOverlapShare && ownFigures.some((figure) => otherFigures.has(figure));
    };
    // One citation per other document: its best sentence.
    const perDocument = new Map<string, ScoredSentence>();
    for (const other of ranked) if (agrees(other) && !perDocument.has(other.passage.source)) perDocument.set(other.passage.source, other);
    const group = [sentence, ...perDocument.values()];
    // The headline is the newest statement of the fact; the others are listed as agreeing sources.
    const headline = [...group].sort((left, right) => byDateDescending(left.passage, right.passage))[0] ?? sentence;
    const conflicts = conflictsWith(sentence, ranked, group, settings, lexicon);
    return {
      ...citationOf(headline),
      text: headline.text,
      score: headline === sentence ? sentence.score : Math.min(sentence.score, headline.score),
      alsoIn: group.filter((member) => member !== headline).map(citationOf),
      ...(conflicts.length ? { conflicts } : {}),
    };
  });
  return { answered: true, quotes, evidence, ranked };
}

/** Every sentence with its features and score against the question, best first. */
export function rankSentences(
  question: EmbeddedQuestion,
  sentences: readonly SentenceCandidate[],
  lexicon: Lexicon,
  settings: QuoteSettings,
): ScoredSentence[] {
  const bestPassageScore = Math.max(1e-9, ...sentences.map((sentence) => sentence.passage.score));
  const featured = sentences.map((sentence) => ({
    sentence,
    features: sentenceFeatures(question, sentence, bestPassageScore, lexicon, settings),
  }));
  // Closeness in meaning is relative: 1 for the candidate most similar to the question, 0 for one `meaningSpread` below it.
  const bestSimilarity = Math.max(0, ...featured.map(({ features }) => features.similarity));
  return featured
    .map(({ sentence, features: own }) => {
      const features = { ...own, meaning: Math.max(0, 1 - (bestSimilarity - own.similarity) / settings.meaningSpread) };
      return { ...sentence, features, score: scoreSentence(features, settings) };
    })
    .sort((left, right) => right.score - left.score);
}

/**
 * The sentence that completes the best one: when the best lacks the asked-for number, date, name
 * or focus word, the first of the next `completionWindow` sentences of its document that has it
 * and lacks nothing else, if it scores at least `completionRatio` of the best; else any sentence
 * of its document scoring at least `secondQuoteRatio` of the best that lacks nothing. Null when
 * there is none (or the rule is off).
 */
export function completionOf(
  ranked: readonly ScoredSentence[],
  sentences: readonly SentenceCandidate[],
  settings: QuoteSettings,
): ScoredSentence | null {
  const best = ranked[0];
  const ratio = settings.completionRatio;
  if (!best || ratio > 1) return null;
  const missing = lacks(best.features);
  if (!missing.cue && !missing.focus) return null;
  // The sentences after the best one in its document, among the candidates, in document order.
  const window = settings.completionWindow;
  // A list item or table row is not continued by the next one: each states its own thing.
  const continues = (sentence: SentenceCandidate) =>
    sentence.paragraph === best.paragraph || !(standsAlone(best.block) || standsAlone(sentence.block));
  const following = sentences
    .filter((sentence) => sentence.passage.source === best.passage.source && sentence.start >= best.end && continues(sentence))
    .sort((left, right) => left.start - right.start)
    .slice(0, window);
  // The nearest one that answers: the sentence right after a restatement usually continues it.
  for (const sentence of following) {
    const candidate = ranked.find((scored) => sameSpan(scored, sentence));
    if (!candidate || candidate.score < ratio * best.score) continue;
    const gaps = lacks(candidate.features);
    if (!gaps.cue && !gaps.focus) return candidate;
  }
  // Or one further on that would be quoted second anyway ("… the country's primary northern
  // port." then, two paragraphs later, "… Vietnam's Haiphong port city."): the two swap places.
  for (const candidate of ranked.slice(1)) {
    if (candidate.score < settings.secondQuoteRatio * best.score) break;
    if (candidate.passage.source !== best.passage.source) continue;
    const gaps = lacks(candidate.features);
    if (!gaps.cue && !gaps.focus) return candidate;
  }
  return null;
}

/** A sentence that asks: it ends with a question mark (before any closing quote or bracket). Never quoted. */
export function isQuestion(text: string): boolean {
  return /\?["'”’)\]]*\s*$/.test(text);
}

function sameSpan(left: SentenceCandidate, right: SentenceCandidate): boolean {
  return left.passage.source === right.passage.source && left.start === right.start;
}

/** Where a candidate sentence stands: its passage's document, its own paragraph and offsets. */
export function citationOf(sentence: SentenceCandidate): Citation {
  const { paragraph, start, end } = sentence;
  return citationOnly({ ...sentence.passage, paragraph, start, end });
}
