import { createHash } from 'node:crypto';
import type { CorpusDocument, Paragraph } from '../core/types.js';
import { withoutDateline } from '../text/dateline.js';
import { splitSentences, trimSpan } from '../text/sentences.js';

/** Seed lines may open with ` date 2025-04-14 `: the date is metadata, not text. */
const DATE_PREFIX = /^[ \t\u00a0]*date[ \t]+(\d{4}-\d{2}-\d{2})[ \t\u00a0]+/;
const MARKDOWN_HEADING = /^#{1,6}\s+/;
const TITLE_MAX_CHARS = 90;

/**
 * A short line without closing punctuation reads as a headline or section heading, not a sentence.
 * Headings are kept as paragraphs (they are cited by number) but never quoted as answers.
 */
export function isHeading(text: string): boolean {
  const line = text.trim();
  if (MARKDOWN_HEADING.test(line)) return true;
  // Quoted speech ("“…,” Xi added") is prose even without a closing full stop.
  return line.length > 0 && line.length <= 120 && !/[.!?:;,"”’)…]$/.test(line) && !/[\n“”"]/.test(line);
}

/** Split raw text into paragraphs: every non-blank line, except that hard-wrapped lines are joined back. */
export function splitParagraphs(raw: string): { paragraphs: Paragraph[]; date: string | null } {
  const lines: { start: number; end: number }[] = [];
  let offset = 0;
  for (const line of raw.split('\n')) {
    lines.push({ start: offset, end: offset + line.length });
    offset += line.length + 1;
  }
  let date: string | null = null;
  const spans: { start: number; end: number }[] = [];
  for (const line of lines) {
    let start = line.start;
    const prefix = DATE_PREFIX.exec(raw.slice(line.start, line.end));
    if (prefix) {
      date ??= prefix[1] ?? null;
      start += prefix[0].length;
    }
    const span = trimSpan(raw, start, line.end);
    if (!span) {
      spans.push({ start: -1, end: -1 }); // blank line: a hard paragraph break
      continue;
    }
    const previous = spans.at(-1);
    if (previous && previous.start >= 0 && isHardWrapped(raw.slice(previous.start, previous.end), span.text)) {
      previous.end = span.end;
    } else {
      spans.push({ start: span.start, end: span.end });
    }
  }
  const paragraphs = spans
    .filter((span) => span.start >= 0)
    .map((span, index) => ({ number: index + 1, start: span.start, end: span.end, text: raw.slice(span.start, span.end) }));
  return { paragraphs, date };
}

/** A long line that stops mid-sentence and a next line starting in lowercase were one paragraph, wrapped. */
function isHardWrapped(previousLine: string, nextLine: string): boolean {
  const lastLine = previousLine.slice(previousLine.lastIndexOf('\n') + 1);
  return lastLine.length >= 60 && !/[.!?:"”’)]$/.test(lastLine) && /^\p{Ll}/u.test(nextLine);
}

/** Title: the first paragraph when it is a headline, else the first sentence (without dateline), shortened. */
export function deriveTitle(paragraphs: readonly Paragraph[], file: string): string {
  const first = paragraphs[0];
  if (!first) return file;
  if (paragraphs.length > 1 && isHeading(first.text)) return first.text.replace(MARKDOWN_HEADING, '').trim();
  const sentence = splitSentences(first.text)[0]?.text ?? first.text;
  // A dateline ("HANOI: ") opens a story but makes a poor title.
  return shorten(withoutDateline(sentence), TITLE_MAX_CHARS);
}

/** Cut at a word boundary and add an ellipsis when longer than `maxChars`. */
export function shorten(text: string, maxChars: number): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= maxChars) return clean;
  const cut = clean.slice(0, maxChars - 1);
  const atWord = cut.lastIndexOf(' ') > maxChars / 2 ? cut.slice(0, cut.lastIndexOf(' ')) : cut;
  return `${atWord.replace(/[\s,;:.-]+$/, '')}…`;
}

export function hashContent(raw: string): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** Parse one corpus file into a document: paragraphs with offsets into `raw`, title, date, hash. */
export function parseDocument(file: string, raw: string): CorpusDocument {
  const { paragraphs, date } = splitParagraphs(raw);
  return { file, title: deriveTitle(paragraphs, file), date, raw, paragraphs, contentHash: hashContent(raw) };
}
