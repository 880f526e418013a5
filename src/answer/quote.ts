import { terms } from '../index/terms.js';
import type { Citation, Passage, Quote } from './types.js';

/** A sentence of a retrieved passage, with offsets into its document's raw text. */
export interface SentenceCandidate {
  readonly passage: Passage;
  /** 0 for the best passage. */
  readonly passageRank: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly vector: Float32Array;
}

export interface QuoteSettings {
  /** Weights of the sentence score: idf-weighted term coverage, cosine to the question, passage score, answer-type cue. */
  readonly coverageWeight: number;
  readonly denseWeight: number;
  readonly passageWeight: number;
  readonly cueWeight: number;
  /** Below this evidence the engine abstains. */
  readonly minEvidence: number;
  /** A second quote is added when it scores at least this share of the best. */
  readonly secondQuoteRatio: number;
  /** Term overlap (Jaccard) from which a sentence of another document corroborates the quote. */
  readonly corroborationOverlap: number;
}

export const DEFAULT_QUOTE_SETTINGS: QuoteSettings = {
  coverageWeight: 0.5,
  denseWeight: 0.2,
  passageWeight: 0.3,
  cueWeight: 0.1,
  minEvidence: 0.35,
  secondQuoteRatio: 0.9,
  corroborationOverlap: 0.4,
};

export interface ScoredSentence extends SentenceCandidate {
  readonly score: number;
  /** Share of the question's idf mass found in the sentence, in [0, 1]. */
  readonly coverage: number;
  readonly similarity: number;
  readonly cue: boolean;
}

export interface QuoteDecision {
  readonly answered: boolean;
  readonly quotes: Quote[];
  /** The evidence of the best sentence; compared with `minEvidence`. */
  readonly evidence: number;
  /** Every candidate sentence with its score, best first (for `eval --explain`). */
  readonly ranked: readonly ScoredSentence[];
}

type AnswerType = 'number' | 'time' | 'person' | null;

/** What kind of answer the question asks for, from its wording. */
export function expectedAnswerType(question: string): AnswerType {
  const text = question.toLowerCase();
  if (/\bhow (much|many|large|big|long|far)\b|\bwhat (percentage|share|amount|value|figure|number)\b|\bpercent/.test(text)) return 'number';
  if (/\bwhen\b|\bwhat (year|date|day|month)\b|\bwhich (year|date|day|month)\b/.test(text)) return 'time';
  if (/\bwho\b|\bwhose\b|\bwhich (leader|official|minister|person|president|premier)\b/.test(text)) return 'person';
  return null;
}

const MONTH_OR_DAY = /\b(January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b/;

function hasCue(type: AnswerType, sentence: string): boolean {
  switch (type) {
    case 'number':
      return /\d/.test(sentence);
    case 'time':
      return /\b(1[89]|20)\d{2}\b/.test(sentence) || MONTH_OR_DAY.test(sentence);
    case 'person':
      return /(?<!^)\b\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}+)+/u.test(sentence);
    default:
      return false;
  }
}

export function cosine(left: Float32Array, right: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < left.length; index++) sum += (left[index] ?? 0) * (right[index] ?? 0);
  return sum;
}

/** Share of the question's idf mass present in `candidateTerms`. */
export function idfCoverage(questionTerms: ReadonlySet<string>, candidateTerms: ReadonlySet<string>, idf: (term: string) => number): number {
  let total = 0;
  let found = 0;
  for (const term of questionTerms) {
    const weight = idf(term);
    total += weight;
    if (candidateTerms.has(term)) found += weight;
  }
  return total > 0 ? found / total : 0;
}

function jaccard(left: ReadonlySet<string>, right: ReadonlySet<string>): number {
  let shared = 0;
  for (const term of left) if (right.has(term)) shared++;
  const union = left.size + right.size - shared;
  return union > 0 ? shared / union : 0;
}

function citationOf(sentence: SentenceCandidate): Citation {
  const { source, title, date, paragraph, chunkId } = sentence.passage;
  return { source, title, date, paragraph, chunkId, start: sentence.start, end: sentence.end };
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
  question: string,
  questionVector: Float32Array,
  sentences: readonly SentenceCandidate[],
  idf: (term: string) => number,
  settings: QuoteSettings = DEFAULT_QUOTE_SETTINGS,
): QuoteDecision {
  const questionTerms = new Set(terms(question));
  const answerType = expectedAnswerType(question);
  const bestPassageScore = Math.max(1e-9, ...sentences.map((sentence) => sentence.passage.score));
  const termsOf = new Map(sentences.map((sentence) => [sentence, new Set(terms(sentence.text))]));

  const ranked: ScoredSentence[] = sentences
    .map((sentence) => {
      const coverage = idfCoverage(questionTerms, termsOf.get(sentence) ?? new Set(), idf);
      const similarity = cosine(questionVector, sentence.vector);
      const cue = hasCue(answerType, sentence.text);
      const score =
        settings.coverageWeight * coverage +
        settings.denseWeight * Math.max(0, similarity) +
        settings.passageWeight * (sentence.passage.score / bestPassageScore) +
        settings.cueWeight * (cue ? 1 : 0);
      return { ...sentence, score, coverage, similarity, cue };
    })
    .sort((left, right) => right.score - left.score);

  const best = ranked[0];
  const evidence = best ? evidenceOf(best, settings) : 0;
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
function evidenceOf(sentence: ScoredSentence, settings: QuoteSettings): number {
  void settings;
  return 0.75 * sentence.coverage + 0.25 * Math.max(0, sentence.similarity);
}

function sameSpan(left: SentenceCandidate, right: SentenceCandidate): boolean {
  return left.passage.source === right.passage.source && left.start === right.start;
}
