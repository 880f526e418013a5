import type { Passage, TimelineEntry } from '../core/types.js';
import { evidenceOf, type ScoredSentence } from './features.js';
import { citationOf, isQuestion } from './select.js';
import type { QuoteSettings } from './settings.js';

/** The entries of a timeline: dated ones oldest first, undated ones apart (best first). */
export interface TimelinePick {
  readonly dated: readonly TimelineEntry[];
  readonly undated: readonly TimelineEntry[];
}

/**
 * The best `perDocument` passages of each document, in retrieval order: a timeline wants every
 * source's best sentence, not the five best passages overall (which may all be one article's).
 */
export function bestPassagesPerDocument(passages: readonly Passage[], perDocument: number): Passage[] {
  const taken = new Map<string, number>();
  return passages.filter((passage) => {
    const count = taken.get(passage.source) ?? 0;
    if (count >= perDocument) return false;
    taken.set(passage.source, count + 1);
    return true;
  });
}

/**
 * A topic's timeline from its ranked sentences (best first, as quote selection scores them): for
 * each document and date, its best-scoring sentence on the topic; at most `limit` of them, the
 * best-scoring documents first. The dated ones are then put in date order, oldest first (same
 * date: best first); the undated ones are kept apart, best first, since they cannot be placed.
 *
 * On the topic means the two evidence floors quoting already uses: the evidence an answer must
 * reach (`minEvidence`), and the share of the best evidence a source of another document must
 * reach to corroborate a quote (`corroborationRatio`). The second keeps out sentences that only
 * share the topic's names: a topic of names alone ("South China Sea") has no predicate words, so
 * any sentence near it in meaning clears the first.
 */
export function timelineOf(ranked: readonly ScoredSentence[], settings: QuoteSettings, limit: number): TimelinePick {
  const evidence = new Map(ranked.map((sentence) => [sentence, evidenceOf(sentence.features, settings)]));
  const floor = Math.max(settings.minEvidence, settings.corroborationRatio * Math.max(0, ...evidence.values()));
  const picked = new Map<string, ScoredSentence>();
  for (const sentence of ranked) {
    if (picked.size >= limit) break;
    const key = `${sentence.passage.source}\u0000${sentence.passage.date ?? ''}`;
    if (!picked.has(key) && !isQuestion(sentence.text) && (evidence.get(sentence) ?? 0) >= floor) picked.set(key, sentence);
  }
  const entries = [...picked.values()].map(
    (sentence): TimelineEntry => ({ ...citationOf(sentence), text: sentence.text, score: sentence.score }),
  );
  return {
    // Sorting is stable: entries of the same date stay best first.
    dated: entries.filter((entry) => entry.date !== null).sort((left, right) => (left.date ?? '').localeCompare(right.date ?? '')),
    undated: entries.filter((entry) => entry.date === null),
  };
}
