import { sentencesAround, standsAlone } from '../chunk/chunk.js';
import type { Citation, CorpusDocument } from '../core/types.js';
import { POINTS_BACK } from '../text/en.js';
import { isQuestion } from './select.js';

/**
 * A quote with the sentences of its paragraph it cannot be read without: the one before, when it opens
 * by pointing back to it ("It is the preferred way to instrument Undici"), and the one after, when that
 * one points back to the quote ("This can be done by passing -i before the script."), or, for an answer,
 * when the two stay within `withNextSentenceUpTo` characters (an answer often continues in the next
 * sentence; a question there is never shown). Still one verbatim span of the document's text; a list
 * item or table row stands alone, and a paragraph's edge ends it. For answers' quotes and timelines' entries.
 */
export function wholeQuote<T extends Citation & { readonly text: string }>(
  quote: T,
  document: CorpusDocument | undefined,
  withNextSentenceUpTo = 0,
): T {
  const paragraph = document?.paragraphs.find((candidate) => candidate.number === quote.paragraph);
  if (!document || !paragraph || standsAlone(paragraph.kind)) return quote;
  const sentences = sentencesAround(document, paragraph.start, paragraph.end).filter((sentence) => sentence.paragraph === paragraph.number);
  const index = sentences.findIndex((sentence) => sentence.start === quote.start && sentence.end === quote.end);
  if (index === -1) return quote;
  const before = POINTS_BACK.test(quote.text) ? sentences[index - 1] : undefined;
  const start = before?.start ?? quote.start;
  const next = sentences[index + 1];
  const continues = next && !isQuestion(next.text) && next.end - start <= withNextSentenceUpTo;
  const after = next && (continues || POINTS_BACK.test(next.text)) ? next : undefined;
  if (!before && !after) return quote;
  const end = after?.end ?? quote.end;
  return { ...quote, start, end, text: document.raw.slice(start, end) };
}
