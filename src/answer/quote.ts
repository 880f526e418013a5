import { terms } from '../index/terms.js';
import type { Citation, Passage, Quote } from './types.js';
import { cosine } from './vectors.js';

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
  /** The sentences just before it in its document ('' at the start): news answers often continue them. */
  readonly previous: string;
  readonly vector: Float32Array;
}

/** The question as the scorer sees it. */
export interface QuestionView {
  readonly text: string;
  readonly vector: Float32Array;
  /** Index terms of the question. */
  readonly terms: ReadonlySet<string>;
}

/** Corpus statistics the scorer needs: term specificity and the embedding of each term's word. */
export interface Lexicon {
  idf(term: string): number;
  vectorOf(term: string): Float32Array | undefined;
}

export interface QuoteSettings {
  /** Weights of the sentence score. */
  readonly coverageWeight: number;
  readonly contextWeight: number;
  readonly denseWeight: number;
  readonly passageWeight: number;
  readonly cueWeight: number;
  readonly focusWeight: number;
  /** A question word counts as softly matched by a sentence word at least this similar. */
  readonly softMatchFrom: number;
  /** Below this evidence the engine abstains. */
  readonly minEvidence: number;
  /** A second quote is added when it scores at least this share of the best. */
  readonly secondQuoteRatio: number;
  /** Term overlap (Jaccard) from which a sentence of another document corroborates the quote. */
  readonly corroborationOverlap: number;
}

export const DEFAULT_QUOTE_SETTINGS: QuoteSettings = {
  coverageWeight: 0.5,
  contextWeight: 0.15,
  denseWeight: 0,
  passageWeight: 0.15,
  cueWeight: 0.05,
  focusWeight: 0.1,
  softMatchFrom: 1,
  minEvidence: 0.35,
  secondQuoteRatio: 0.9,
  corroborationOverlap: 0.4,
};

export interface SentenceFeatures {
  /** Share of the question's idf mass matched in the sentence, exactly or by a near-synonym (weighted by similarity). */
  readonly coverage: number;
  /** Extra share matched only by the sentence before it. */
  readonly context: number;
  /** Cosine of sentence and question embeddings. */
  readonly similarity: number;
  /** Fused score of its passage relative to the best passage. */
  readonly passage: number;
  /** The sentence has what the question asks for (a number for "how many", a date for "when"...). */
  readonly cue: boolean;
  /** How well the sentence names the thing asked for ("which port" → "port"), 0 when the question has no such word. */
  readonly focus: number;
}

export interface ScoredSentence extends SentenceCandidate {
  readonly features: SentenceFeatures;
  readonly score: number;
}

export interface QuoteDecision {
  readonly answered: boolean;
  readonly quotes: Quote[];
  /** The evidence of the best sentence; compared with `minEvidence`. */
  readonly evidence: number;
  /** Every candidate sentence with its score, best first (for `eval --explain`). */
  readonly ranked: readonly ScoredSentence[];
}

type AnswerType = 'number' | 'time' | 'name' | null;

/** What kind of answer the question asks for, from its wording. */
export function expectedAnswerType(question: string): AnswerType {
  const text = question.toLowerCase();
  if (/\bhow (much|many|large|big|long|far|high)\b|\bwhat (percentage|share|amount|value|figure|number|rate)\b|\bpercent|\b(tariffs?|duties|duty|rate) (on|for)\b/.test(text)) return 'number';
  if (/\bwhen\b|\b(what|which) (year|date|day|month)\b|\byear\b.*\?$/.test(text)) return 'time';
  if (/\bwho\b|\bwhose\b|\bwhich\b|\bwhere\b|\bname\b/.test(text)) return 'name';
  return null;
}

/**
 * The head word of "which X", "what kind of X", "how many X": the thing asked for. The answer
 * sentence usually names it ("which port" → "… Haiphong port city").
 */
export function focusTerm(question: string): string | null {
  const match = /\b(?:which|what|how many|how much)\s+(?:(?:kinds?|types?|sorts?)\s+of\s+)?([\p{L}\s-]+)/iu.exec(question.replace(/\b(?:kinds?|types?|sorts?) of\b/gi, ''));
  if (!match?.[1]) return null;
  const words = match[1].trim().split(/\s+/).slice(0, 3);
  let head: string | null = null;
  for (const word of words) {
    const term = terms(word)[0];
    if (!term) break;
    head = term;
  }
  return head;
}

const MONTH_OR_DAY = /\b(January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b/g;

/** Does the sentence hold something of the asked type that the question does not already say? */
function hasCue(type: AnswerType, sentence: string, questionTerms: ReadonlySet<string>): boolean {
  const isNew = (found: string) => !terms(found).every((term) => questionTerms.has(term));
  switch (type) {
    case 'number':
      return (sentence.match(/\d[\d.,]*%?/g) ?? []).some(isNew) || /\b(dozens|hundreds|thousands|millions|billions)\b/i.test(sentence);
    case 'time':
      return [...(sentence.match(/\b(?:1[89]|20)\d{2}\b/g) ?? []), ...(sentence.match(MONTH_OR_DAY) ?? [])].some(isNew);
    case 'name':
      // A capitalised word after the first one, not in the question: a person, place or organisation.
      return (sentence.slice(1).match(/\b\p{Lu}[\p{L}’'-]+/gu) ?? []).some(isNew);
    default:
      return false;
  }
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
): number {
  let total = 0;
  let found = 0;
  for (const term of questionTerms) {
    const weight = lexicon.idf(term);
    total += weight;
    found += weight * matchStrength(term, candidateTerms, lexicon, softFrom);
  }
  return total > 0 ? found / total : 0;
}

function matchStrength(term: string, candidateTerms: ReadonlySet<string>, lexicon: Lexicon, softFrom: number): number {
  if (candidateTerms.has(term)) return 1;
  const vector = lexicon.vectorOf(term);
  if (!vector || softFrom >= 1) return 0;
  let best = 0;
  for (const candidate of candidateTerms) {
    const other = lexicon.vectorOf(candidate);
    if (other) best = Math.max(best, cosine(vector, other));
  }
  return best >= softFrom ? best : 0;
}

/** Features of one candidate sentence; pure, so `eval --explain` and tuning see exactly what ranking saw. */
export function sentenceFeatures(
  question: QuestionView,
  sentence: SentenceCandidate,
  bestPassageScore: number,
  lexicon: Lexicon,
  settings: QuoteSettings,
): SentenceFeatures {
  const own = new Set(terms(sentence.text));
  const coverage = softCoverage(question.terms, own, lexicon, settings.softMatchFrom);
  const withContext = sentence.previous
    ? softCoverage(question.terms, new Set([...own, ...terms(sentence.previous)]), lexicon, settings.softMatchFrom)
    : coverage;
  return {
    coverage,
    context: Math.max(0, withContext - coverage),
    similarity: cosine(question.vector, sentence.vector),
    passage: bestPassageScore > 0 ? sentence.passage.score / bestPassageScore : 0,
    cue: hasCue(expectedAnswerType(question.text), sentence.text, question.terms),
    focus: focusMatch(question.text, own, lexicon, settings.softMatchFrom),
  };
}

function focusMatch(question: string, sentenceTerms: ReadonlySet<string>, lexicon: Lexicon, softFrom: number): number {
  const focus = focusTerm(question);
  return focus ? matchStrength(focus, sentenceTerms, lexicon, Math.min(softFrom, 0.7)) : 0;
}

export function scoreSentence(features: SentenceFeatures, settings: QuoteSettings): number {
  return (
    settings.coverageWeight * features.coverage +
    settings.contextWeight * features.context +
    settings.denseWeight * Math.max(0, features.similarity) +
    settings.passageWeight * features.passage +
    settings.cueWeight * (features.cue ? 1 : 0) +
    settings.focusWeight * features.focus
  );
}

function jaccard(left: ReadonlySet<string>, right: ReadonlySet<string>): number {
  let shared = 0;
  for (const term of left) if (right.has(term)) shared++;
  const union = left.size + right.size - shared;
  return union > 0 ? shared / union : 0;
}

function citationOf(sentence: SentenceCandidate): Citation {
  const { source, title, date, chunkId } = sentence.passage;
  return { source, title, date, paragraph: sentence.paragraph, chunkId, start: sentence.start, end: sentence.end };
}

/** Newer first; undated last. */
function byDateDescending(left: { date: string | null }, right: { date: string | null }): number {
  return (right.date ?? '').localeCompare(left.date ?? '');
}

/**
 * Score every sentence of the retrieved passages against the question and pick the one or two
 * that answer it, verbatim, each with every other document that states the same (corroboration).
 * Abstains when the best evidence is below `settings.minEvidence`.
 */
export function selectQuotes(
  question: QuestionView,
  sentences: readonly SentenceCandidate[],
  lexicon: Lexicon,
  settings: QuoteSettings = DEFAULT_QUOTE_SETTINGS,
): QuoteDecision {
  const bestPassageScore = Math.max(1e-9, ...sentences.map((sentence) => sentence.passage.score));
  const termsOf = new Map(sentences.map((sentence) => [sentence, new Set(terms(sentence.text))]));
  const ranked: ScoredSentence[] = sentences
    .map((sentence) => {
      const features = sentenceFeatures(question, sentence, bestPassageScore, lexicon, settings);
      return { ...sentence, features, score: scoreSentence(features, settings) };
    })
    .sort((left, right) => right.score - left.score);

  const best = ranked[0];
  const evidence = best ? evidenceOf(best) : 0;
  if (!best || evidence < settings.minEvidence) return { answered: false, quotes: [], evidence, ranked };

  const chosen = [best];
  const runnerUp = ranked.find((sentence) => !sameSpan(sentence, best) && sentence.passage.source === best.passage.source);
  if (runnerUp && runnerUp.score >= settings.secondQuoteRatio * best.score) chosen.push(runnerUp);

  const quotes = chosen.map((sentence): Quote => {
    const own = termsOf.get(sentence) ?? new Set<string>();
    const agreeing = ranked.filter(
      (other) =>
        other.passage.source !== sentence.passage.source &&
        jaccard(own, termsOf.get(other) ?? new Set()) >= settings.corroborationOverlap,
    );
    // One citation per other document: its closest sentence.
    const perDocument = new Map<string, ScoredSentence>();
    for (const other of agreeing) if (!perDocument.has(other.passage.source)) perDocument.set(other.passage.source, other);
    const group = [sentence, ...perDocument.values()];
    // The headline is the newest statement of the fact; the others are listed as agreeing sources.
    const headline = [...group].sort((left, right) => byDateDescending(left.passage, right.passage))[0] ?? sentence;
    return {
      ...citationOf(headline),
      text: headline.text,
      score: headline === sentence ? sentence.score : Math.min(sentence.score, headline.score),
      alsoIn: group.filter((member) => member !== headline).map(citationOf),
    };
  });
  return { answered: true, quotes, evidence, ranked };
}

/** Evidence leans on term coverage: a static embedding finds "similar" text even for questions the sources don't answer. */
function evidenceOf(sentence: ScoredSentence): number {
  const { coverage, context, similarity } = sentence.features;
  return 0.75 * (coverage + context) + 0.25 * Math.max(0, similarity);
}

function sameSpan(left: SentenceCandidate, right: SentenceCandidate): boolean {
  return left.passage.source === right.passage.source && left.start === right.start;
}
