import {
  type Answer,
  type Citation,
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

export function locateQuote(quote: Quote, documents: ReadonlyMap<string, CorpusDocument>): Quote {
  const document = documents.get(quote.source);
  const located = locateCitation(quote, document);
  if (!document?.format || document.format === 'text') return located;
  const marks = marksWithin(document, quote.start, quote.end);
  return {
    ...located,
    ...(marks.length ? { marks } : {}),
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

export function locateAnswer(answer: Answer, documents: ReadonlyMap<string, CorpusDocument>): Answer {
  return {
    ...answer,
    quotes: answer.quotes.map((quote) => locateQuote(quote, documents)),
    passages: answer.passages.map((passage) => locateCitation(passage, documents.get(passage.source))),
  };
}

export function locateEntries(entries: readonly TimelineEntry[], documents: ReadonlyMap<string, CorpusDocument>): TimelineEntry[] {
  return entries.map((entry) => locateCitation(entry, documents.get(entry.source)));
}
