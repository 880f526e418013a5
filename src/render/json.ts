import type { Answer, Citation } from '../core/types.js';
import { renderAnswerText } from './text.js';

type JsonCitation = {
  source: string;
  title: string;
  date: string | null;
  paragraph: number;
  chunkId: string;
  /** The heading path of a structured document's block. */
  section?: string;
  /** The PDF page (1-based). */
  page?: number;
  /** A web page's address. */
  url?: string;
};

const citation = ({ source, title, date, paragraph, chunkId, section, page, url }: Citation): JsonCitation => ({
  source,
  title,
  date,
  paragraph,
  chunkId,
  ...(section ? { section } : {}),
  ...(page ? { page } : {}),
  ...(url ? { url } : {}),
});

/** The stable JSON shape other tools read (`ask --json`, `--jsonl`). */
export interface AnswerJson {
  question: string;
  /** Only for a follow-up whose reading is a grammatical question: that question. */
  readAs?: string;
  /** Only for a question read as a follow-up of earlier turns: what it was about, what it took from which turn (counted from 1). */
  followUp?: {
    about?: string;
    carried: { turn: number; how: 'pronoun' | 'replaced' | 'subject'; text: string }[];
  };
  answered: boolean;
  /** Only when not answered because the question names these and the documents never do. */
  unknownNames?: string[];
  answer: string;
  quotes: (JsonCitation & {
    text: string;
    score: number;
    /** Offsets of the quote in the source file (for Markdown and HTML: around the markup it had there; for a PDF: in its text). */
    start: number;
    end: number;
    /** When the question asks how or for an example: the code block after the quote in its section, verbatim, with its offsets in the source file. */
    example?: { text: string; paragraph: number; start: number; end: number };
    /** Inline code and emphasis inside `text` (offsets into it), when the source had them. */
    marks?: { start: number; end: number; kind: string }[];
    alsoIn: JsonCitation[];
    /** Other documents' sentences that give a different figure or date, each quoted verbatim. */
    conflicts: (JsonCitation & { text: string })[];
  })[];
  passages: { text: string; source: string; chunkId: string; score: number; paragraph: number }[];
  timings: { embedMs: number; searchMs: number; totalMs: number };
}

const milliseconds = (value: number) => Math.round(value * 1000) / 1000;

export function answerToJson(answer: Answer): AnswerJson {
  return {
    question: answer.question,
    ...(answer.readAs === undefined ? {} : { readAs: answer.readAs }),
    ...(answer.followUp === undefined
      ? {}
      : {
          followUp: {
            ...(answer.followUp.about === undefined ? {} : { about: answer.followUp.about }),
            carried: answer.followUp.carried.map(({ turn, how, text }) => ({ turn, how, text })),
          },
        }),
    answered: answer.answered,
    ...(answer.unknownNames?.length ? { unknownNames: [...answer.unknownNames] } : {}),
    answer: renderAnswerText(answer),
    quotes: answer.quotes.map((quote) => ({
      text: quote.text,
      ...citation(quote),
      score: quote.score,
      start: quote.sourceStart ?? quote.start,
      end: quote.sourceEnd ?? quote.end,
      ...(quote.marks?.length ? { marks: quote.marks.map(({ start, end, kind }) => ({ start, end, kind })) } : {}),
      ...(quote.example
        ? {
            example: {
              text: quote.example.text,
              paragraph: quote.example.paragraph,
              start: quote.example.sourceStart,
              end: quote.example.sourceEnd,
            },
          }
        : {}),
      alsoIn: quote.alsoIn.map(citation),
      conflicts: (quote.conflicts ?? []).map((conflict) => ({ ...citation(conflict), text: conflict.text })),
    })),
    passages: answer.passages
      .slice(0, 5)
      .map(({ text, source, chunkId, score, paragraph }) => ({ text, source, chunkId, score, paragraph })),
    timings: {
      embedMs: milliseconds(answer.timings.embedMs),
      searchMs: milliseconds(answer.timings.searchMs),
      totalMs: milliseconds(answer.timings.totalMs),
    },
  };
}
