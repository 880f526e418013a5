/** A sentence as a span of some text: `text === source.slice(start, end)`. */
export interface SentenceSpan {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Titles and short forms that never end a sentence. */
const TITLE_ABBREVIATION =
  /(?:^|[\s(“"])(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Capt|Sgt|Gov|Sen|Rep|Pres|Rev|St|Jr|Sr|No|Nos|vs|etc|e\.g|i\.e|Inc|Co|Corp|Ltd|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|approx|est|Mt|Ft)\.\s*$/;
/** Initialisms such as "U.S." or "U.N." end a sentence only when a typical sentence opener follows. */
const INITIALISM = /(?:^|[\s(“"])(?:\p{Lu}\.){2,}\s*$/u;
const SENTENCE_OPENER =
  /^\s*(?:The|A|An|It|Its|He|She|They|We|I|This|That|These|Those|There|In|On|At|But|And|However|Meanwhile|Still|Yet|So|As|After|Before|While|When|If|Both|Most|Many|Some|Such|Its|Their|His|Her|Our)\b/;

function continuesAfter(previous: string, next: string): boolean {
  if (TITLE_ABBREVIATION.test(previous)) return true;
  if (INITIALISM.test(previous)) return !SENTENCE_OPENER.test(next);
  // A lowercase start means the segmenter split inside a sentence (e.g. after "approx.").
  return /^\s*\p{Ll}/u.test(next);
}

/**
 * Split text into sentences with Intl.Segmenter, repairing splits after abbreviations such as
 * "U.S." or "Mr.". Spans exclude surrounding whitespace; offsets are relative to `text`.
 */
export function splitSentences(text: string): SentenceSpan[] {
  const merged: { start: number; end: number }[] = [];
  for (const { segment, index } of segmenter.segment(text)) {
    const last = merged.at(-1);
    if (last && continuesAfter(text.slice(last.start, last.end), segment)) {
      last.end = index + segment.length;
    } else {
      merged.push({ start: index, end: index + segment.length });
    }
  }
  return merged.flatMap(({ start, end }) => {
    const trimmed = trimSpan(text, start, end);
    return trimmed ? [trimmed] : [];
  });
}

/** Narrow [start, end) of `text` to exclude leading/trailing whitespace (NBSP included); null if nothing is left. */
export function trimSpan(text: string, start: number, end: number): SentenceSpan | null {
  let from = start;
  let to = end;
  while (from < to && /\s/u.test(text[from] ?? '')) from++;
  while (to > from && /\s/u.test(text[to - 1] ?? '')) to--;
  return from < to ? { start: from, end: to, text: text.slice(from, to) } : null;
}
