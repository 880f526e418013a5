import {
  type Answer,
  type Citation,
  type CodeExample,
  type CorpusDocument,
  marksWithin,
  pageAt,
  type Quote,
  sourceOffset,
  type TimelineEntry,
} from '../core/types.js';

/**
 * Where each cited text stands in its document beyond file and paragraph: the section (heading path),
 * the PDF page, a web page's address; for quotes also the inline marks to render and the offsets in the
 * source file. Plain-text documents get nothing new, so their answers stay as they were.
 */
export function locateCitation<T extends Citation>(cited: T, document: CorpusDocument | undefined): T {
  if (!document?.format || document.format === 'text') return cited;
  const paragraph = document.paragraphs.find((candidate) => candidate.number === cited.paragraph);
  const page = pageAt(document, cited.start);
  const url = document.structure?.url;
  return {
    ...cited,
    ...(paragraph?.section ? { section: paragraph.section } : {}),
    ...(page !== null ? { page } : {}),
    ...(url ? { url } : {}),
  };
}

/** How many blocks after the quoted one its example may start (a sentence introduces the code under it). */
const EXAMPLE_REACH = 4;
/** Longer code blocks are not shown: a reply is read in a chat, and the citation leads to the rest. */
const EXAMPLE_MAX_CHARS = 1200;

/**
 * The code block that follows a paragraph a few blocks on, in its section or a sub-section of it
 * ("Example: basic request" under the method's heading).
 */
export function exampleAfter(document: CorpusDocument, paragraphNumber: number): CodeExample | undefined {
  const index = document.paragraphs.findIndex((paragraph) => paragraph.number === paragraphNumber);
  const quoted = document.paragraphs[index];
  if (!quoted) return undefined;
  const within = (section: string | null | undefined) =>
    section === quoted.section || (typeof quoted.section === 'string' && section?.startsWith(`${quoted.section} › `) === true);
  const following = document.paragraphs.slice(index + 1).filter((paragraph) => paragraph.kind !== 'heading');
  for (const paragraph of following.slice(0, EXAMPLE_REACH)) {
    if (!within(paragraph.section)) return undefined;
    if (paragraph.kind !== 'code') continue;
    if (paragraph.text.length > EXAMPLE_MAX_CHARS) return undefined;
    const { number, start, end, text } = paragraph;
    return {
      text,
      paragraph: number,
      start,
      end,
      sourceStart: sourceOffset(document, start),
      sourceEnd: sourceOffset(document, end - 1) + 1,
    };
  }
  return undefined;
}

export function locateQuote(quote: Quote, documents: ReadonlyMap<string, CorpusDocument>, withExample = false): Quote {
  const document = documents.get(quote.source);
  const located = locateCitation(quote, document);
  if (!document?.format || document.format === 'text') return located;
  const marks = marksWithin(document, quote.start, quote.end);
  const example = withExample ? exampleAfter(document, quote.paragraph) : undefined;
  return {
    ...located,
    ...(marks.length ? { marks } : {}),
    ...(example ? { example } : {}),
    sourceStart: sourceOffset(document, quote.start),
    sourceEnd: sourceOffset(document, quote.end - 1) + 1,
    alsoIn: quote.alsoIn.map((citation) => locateCitation(citation, documents.get(citation.source))),
    ...(quote.conflicts ? { conflicts: quote.conflicts.map((conflict) => locateCitation(conflict, documents.get(conflict.source))) } : {}),
  };
}

/** The files an answer cites (quotes, their corroborations and conflicts, passages). */
export function citedFiles(answer: Pick<Answer, 'quotes' | 'passages'>): string[] {
  const files = new Set<string>();
  for (const quote of answer.quotes) {
    files.add(quote.source);
    for (const citation of [...quote.alsoIn, ...(quote.conflicts ?? [])]) files.add(citation.source);
  }
  for (const passage of answer.passages) files.add(passage.source);
  return [...files];
}

/** `withExample`: the question asks how to do something or for an example, so the first quote's code example is shown. */
export function locateAnswer(answer: Answer, documents: ReadonlyMap<string, CorpusDocument>, withExample = false): Answer {
  return {
    ...answer,
    quotes: answer.quotes.map((quote, index) => locateQuote(quote, documents, withExample && index === 0)),
    passages: answer.passages.map((passage) => locateCitation(passage, documents.get(passage.source))),
  };
}

export function locateEntries(entries: readonly TimelineEntry[], documents: ReadonlyMap<string, CorpusDocument>): TimelineEntry[] {
  return entries.map((entry) => locateCitation(entry, documents.get(entry.source)));
}
