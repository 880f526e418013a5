import { standsAlone } from '../chunk/chunk.js';
import type { ScoredSentence } from './features.js';
import type { RelevanceSettings } from './settings.js';

/** A ranked sentence with how well the cross-encoder judged it answers the question (0–1), when it read it. */
export type JudgedSentence = ScoredSentence & { readonly relevance?: number };

/**
 * The texts the cross-encoder reads for the best `settings.candidates` sentences, in rank order. A list
 * item or table row is read after what introduces it (its `previous`: the list's lead-in, the table's
 * header row), as a reader reads "Visitor | 30 a night" under "Berth | Fee".
 */
export function relevanceTexts(ranked: readonly ScoredSentence[], settings: RelevanceSettings): string[] {
  return ranked
    .slice(0, settings.candidates)
    .map((sentence) =>
      (settings.withPrevious || standsAlone(sentence.block)) && sentence.previous ? `${sentence.previous} ${sentence.text}` : sentence.text,
    );
}

/**
 * The best sentences re-ordered by the cross-encoder's logits (one per text of `relevanceTexts`),
 * blended with their own score by `settings.weight`; the sentences it did not read follow as they were.
 */
export function reorderByRelevance(
  ranked: readonly ScoredSentence[],
  logits: readonly number[],
  settings: RelevanceSettings,
): JudgedSentence[] {
  const read = ranked.slice(0, logits.length);
  const bestScore = Math.max(1e-9, ...read.map((sentence) => sentence.score));
  const judged = read.map((sentence, index) => ({ ...sentence, relevance: sigmoid(logits[index] ?? 0) }));
  const key = (sentence: (typeof judged)[number]) =>
    settings.weight * sentence.relevance + (1 - settings.weight) * (sentence.score / bestScore);
  return [...judged.sort((left, right) => key(right) - key(left)), ...ranked.slice(logits.length)];
}

/** The relevance that decides abstention: the best of the first few sentences the cross-encoder read; null when it read none. */
export function relevanceOf(ranked: readonly JudgedSentence[], first: number): number | null {
  const judged = ranked.slice(0, first).flatMap((sentence) => (sentence.relevance === undefined ? [] : [sentence.relevance]));
  return judged.length ? Math.max(...judged) : null;
}

function sigmoid(logit: number): number {
  return 1 / (1 + Math.exp(-logit));
}
