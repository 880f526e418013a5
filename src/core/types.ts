/**
 * The values that flow through the program, from corpus files to answers. Pure data (and two
 * functions on it): every stage takes and returns these, so each can be tested with plain objects.
 * Nothing here imports anything of ours.
 */

/** What a block of a document is: only prose (paragraphs, list items, table rows, block quotes) is quoted. */
export type BlockKind = 'heading' | 'paragraph' | 'list-item' | 'table-row' | 'quote' | 'code';
export const BLOCK_KINDS: readonly BlockKind[] = ['heading', 'paragraph', 'list-item', 'table-row', 'quote', 'code'];

/** The formats the corpus reader reads, each with a parser of its own (`corpus/readers/`). */
export type DocumentFormat = 'text' | 'markdown' | 'html' | 'pdf';

/** One paragraph (block) of a document; offsets index into the document's text (`raw`). */
export interface Paragraph {
  /** 1-based paragraph number, as cited to readers. */
  readonly number: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** What the block is, as its reader parsed it; absent for plain text, where headings are told by their shape. */
  readonly kind?: BlockKind;
  /** The headings above it, outermost first, joined with ` › ` (the document's title left out); absent or null when none. */
  readonly section?: string | null;
}

/** Inline formatting kept from the source, so a quote renders as its author wrote it. */
export type MarkKind = 'code' | 'emphasis' | 'strong';
export const MARK_KINDS: readonly MarkKind[] = ['code', 'emphasis', 'strong'];

/**
 * What a structured document (Markdown, a web page, a PDF) keeps beside its text. All offsets are
 * offsets into the document's text; flat number arrays keep the stored index small.
 */
export interface DocumentStructure {
  /**
   * Pairs `[textOffset, sourceOffset, …]`, ascending: from each listed text offset on, text and source
   * file advance together, so an offset of the text maps back into the source file (Markdown, HTML).
   * Absent for PDFs, whose text is the source's text layer.
   */
  readonly sourceMap?: readonly number[];
  /** Triples `[start, end, kind, …]` of inline marks, `kind` an index into MARK_KINDS. */
  readonly marks?: readonly number[];
  /** The text offset where each page starts (PDF): page N starts at `pageStarts[N - 1]`. */
  readonly pageStarts?: readonly number[];
  /** Where a web page came from, when known (its canonical address). */
  readonly url?: string;
}

/** A corpus file with its metadata parsed once. */
export interface CorpusDocument {
  /** File name relative to the corpus folder, e.g. `000_7bb7f1e19a806c78.txt`. */
  readonly file: string;
  readonly title: string;
  /** ISO date (YYYY-MM-DD) when the document carries one. */
  readonly date: string | null;
  /**
   * The document's text, as its reader gives it: the file itself for plain text; for Markdown, web
   * pages and PDFs the blocks' text (markup, code fences' fences, site chrome and page furniture
   * gone, wrapped lines joined), blocks separated by a blank line. Every offset in the system points into it.
   */
  readonly raw: string;
  readonly paragraphs: readonly Paragraph[];
  /** sha256 of the file's content (its decoded text, or its bytes for a PDF), for staleness checks. */
  readonly contentHash: string;
  /** Absent for plain text. */
  readonly format?: DocumentFormat;
  readonly structure?: DocumentStructure;
}

/** The page (1-based) at a text offset of a paged document, or null when it has no pages. */
export function pageAt(document: Pick<CorpusDocument, 'structure'>, offset: number): number | null {
  const starts = document.structure?.pageStarts;
  if (!starts?.length) return null;
  let page = 1;
  while (page < starts.length && (starts[page] ?? Infinity) <= offset) page++;
  return page;
}

/** The offset in the source file of a text offset (the same offset for plain text and PDFs). */
export function sourceOffset(document: Pick<CorpusDocument, 'structure'>, offset: number): number {
  const map = document.structure?.sourceMap;
  if (!map?.length) return offset;
  let textAt = 0;
  let sourceAt = 0;
  for (let index = 0; index + 1 < map.length && (map[index] ?? 0) <= offset; index += 2) {
    textAt = map[index] ?? 0;
    sourceAt = map[index + 1] ?? 0;
  }
  return sourceAt + (offset - textAt);
}

/** The marks inside [start, end) of a document's text, relative to `start`. */
export function marksWithin(document: Pick<CorpusDocument, 'structure'>, start: number, end: number): readonly InlineMark[] {
  const marks = document.structure?.marks;
  if (!marks?.length) return [];
  const within: InlineMark[] = [];
  for (let index = 0; index + 2 < marks.length; index += 3) {
    const from = Math.max(start, marks[index] ?? 0);
    const to = Math.min(end, marks[index + 1] ?? 0);
    const kind = MARK_KINDS[marks[index + 2] ?? -1];
    if (kind && from < to) within.push({ start: from - start, end: to - start, kind });
  }
  return within;
}

/** A span of a quote's text to render as code or emphasis (offsets into the quote's text). */
export interface InlineMark {
  readonly start: number;
  readonly end: number;
  readonly kind: MarkKind;
}

/** A retrievable unit: part of one paragraph, never crossing paragraphs. */
export interface Chunk {
  /** Stable id: `${file}#p${paragraph}.${part}`. */
  readonly id: string;
  readonly file: string;
  readonly paragraph: number;
  readonly start: number;
  readonly end: number;
  /** `raw.slice(start, end)` of its document. */
  readonly text: string;
  /** The nearest section heading above it, if any (context for embedding, never quoted). */
  readonly section: string | null;
}

/** Where a quote or passage stands. */
export interface Citation {
  readonly source: string;
  readonly title: string;
  readonly date: string | null;
  readonly paragraph: number;
  readonly chunkId: string;
  /** Character offsets of the quoted text in the document's text (`raw`; the file itself for plain text). */
  readonly start: number;
  readonly end: number;
  /** The heading path of the cited block (`Client › Parameter: ClientOptions`), for structured documents. */
  readonly section?: string | null;
  /** The 1-based page of a PDF the cited text starts on. */
  readonly page?: number | null;
  /** Where a web page came from, when known. */
  readonly url?: string;
}

/** The citation fields alone (a quote or passage carries more). */
export function citationOnly(cited: Citation): Citation {
  const { source, title, date, paragraph, chunkId, start, end, section, page, url } = cited;
  return {
    source,
    title,
    date,
    paragraph,
    chunkId,
    start,
    end,
    ...(section ? { section } : {}),
    ...(page ? { page } : {}),
    ...(url ? { url } : {}),
  };
}

/** Newer first; undated last. */
export function byDateDescending(left: { readonly date: string | null }, right: { readonly date: string | null }): number {
  return (right.date ?? '').localeCompare(left.date ?? '');
}

/** A verbatim sentence (or two) from a seed, with where it stands. */
export interface Quote extends Citation {
  readonly text: string;
  readonly score: number;
  /** Other documents that state the same thing (corroboration); empty when only one source says it. */
  readonly alsoIn: readonly Citation[];
  /**
   * Sentences of other documents that answer the same question with a different figure, ordinal
   * or date ("his first visit since 2017" vs "his second in less than 18 months"), each with its
   * citation (and so its document date). Absent or empty when the sources agree.
   */
  readonly conflicts?: readonly ConflictingQuote[];
  /** Inline code and emphasis of the source inside the quote (structured documents). */
  readonly marks?: readonly InlineMark[];
  /** The quote's offsets in the source file (Markdown, HTML; equal to start/end for plain text and PDFs). */
  readonly sourceStart?: number;
  readonly sourceEnd?: number;
  /** When the question asks how or for an example: the code block that follows the quote in its section, shown as code. */
  readonly example?: CodeExample;
}

/** A code block of the quoted document, verbatim; offsets into the document's text (and its source file). */
export interface CodeExample {
  readonly text: string;
  readonly paragraph: number;
  readonly start: number;
  readonly end: number;
  readonly sourceStart: number;
  readonly sourceEnd: number;
}

/** A verbatim sentence of another document that disagrees with a quote. */
export interface ConflictingQuote extends Citation {
  readonly text: string;
}

/** A retrieved chunk with its fused score. */
export interface Passage extends Citation {
  readonly text: string;
  readonly score: number;
}

export interface Timings {
  readonly embedMs: number;
  readonly searchMs: number;
  readonly totalMs: number;
}

/**
 * Why a question got no quoted answer: no words at all; a few words the documents do not answer
 * ("hi", "thanks", "ok": a help reply, no passages); or a question the documents do not answer.
 */
export type AbstainReason = 'empty-question' | 'small-talk' | 'weak-evidence';

export interface Answer {
  readonly question: string;
  readonly answered: boolean;
  /** Best first; empty when not answered. */
  readonly quotes: readonly Quote[];
  /** Top retrieved passages, best first (shown as "closest passages" when not answered). */
  readonly passages: readonly Passage[];
  readonly abstainReason: AbstainReason | null;
  /** With a help reply (`empty-question`, `small-talk`): a question to try, made from the loaded corpus. */
  readonly example?: string | undefined;
  /** Not answered because the question names these (written as code or acronyms) and the documents never do. */
  readonly unknownNames?: readonly string[] | undefined;
  /** A follow-up whose reading is a grammatical question (a pronoun or an entity resolved): that question. */
  readonly readAs?: string | undefined;
  /** A question read as a follow-up of earlier turns: how, and what it took from which turn. */
  readonly followUp?: FollowUpReading | undefined;
  readonly timings: Timings;
}

/** How a follow-up was read with the conversation's earlier turns. */
export interface FollowUpReading {
  /** What it was taken to be about, when its reading is no grammatical question ("agreements Xi sign in Hanoi"). */
  readonly about?: string | undefined;
  /** What was carried over, from which turns. */
  readonly carried: readonly CarriedContext[];
}

/** One thing a follow-up took from an earlier turn. */
export interface CarriedContext {
  /** The turn it came from, counted from 1 (the conversation's first question). */
  readonly turn: number;
  /**
   * `pronoun`: "he", "there", "they" resolved to it; `replaced`: "and X?" asked that turn's question again about X;
   * `subject`: what that turn asked about, for "it", "that" or a follow-up that names nothing ("when?").
   */
  readonly how: 'pronoun' | 'replaced' | 'subject';
  /** The words taken. */
  readonly text: string;
}

/** One earlier turn of a conversation, as it was read and answered: what a follow-up is read with. */
export interface ConversationTurn {
  /** As asked. */
  readonly question: string;
  /** Its grammatical reading, when it was a follow-up read as one (`Answer.readAs`). */
  readonly readAs?: string | undefined;
  /** What it was about, when it was a follow-up read so (`FollowUpReading.about`). */
  readonly about?: string | undefined;
  /** Its first quote, when it was answered. */
  readonly answer?: string | undefined;
}

/** The turn to remember after answering a question in a conversation. */
export function conversationTurnOf(answer: Answer): ConversationTurn {
  return {
    question: answer.question,
    ...(answer.readAs === undefined ? {} : { readAs: answer.readAs }),
    ...(answer.followUp?.about === undefined ? {} : { about: answer.followUp.about }),
    ...(answer.answered && answer.quotes[0] ? { answer: answer.quotes[0].text } : {}),
  };
}

/** One source's sentence on a topic, placed by its document's date (`/timeline`). */
export interface TimelineEntry extends Citation {
  readonly text: string;
  readonly score: number;
}

/** What the sources say on a topic, in date order. */
export interface Timeline {
  readonly topic: string;
  /** Oldest first (documents of the same date: best first); at most one per document and date. */
  readonly dated: readonly TimelineEntry[];
  /** Sources without a date, which cannot be placed: best first, one per document. */
  readonly undated: readonly TimelineEntry[];
  /** Why there is no entry at all (as for an answer); null when there is one. */
  readonly abstainReason: AbstainReason | null;
  /** With a help reply (`empty-question`, `small-talk`): a question to try, made from the loaded corpus. */
  readonly example?: string | undefined;
  readonly timings: Timings;
}

/** A document as listed to users (`/sources`, `/source`). */
export interface DocumentSummary {
  /** Its id: the file name, or `<collection>/<file name>` in a sub-folder of the corpus. */
  readonly file: string;
  /** The sub-folder it is in, or `default` at the top of the corpus folder. */
  readonly collection: string;
  readonly title: string;
  readonly date: string | null;
  readonly characters: number;
  readonly paragraphs: number;
  /** Chunks of it in the index. */
  readonly chunks: number;
  /** The first paragraph's text (without a date prefix). */
  readonly opening: string;
}

/** What an ingest or reindex did. */
export interface IngestReport {
  readonly rebuilt: boolean;
  /** Why it rebuilt (or "up to date"). */
  readonly reason: string;
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
  /** Files of the corpus folder that were not read, and why (not text, a sub-folder, a broken link). */
  readonly skipped: readonly { readonly file: string; readonly reason: string }[];
  readonly documents: number;
  readonly chunks: number;
  readonly builtAt: string;
  readonly durationMs: number;
}

/**
 * Which part of the corpus to answer from: the documents of these collections (sub-folders of the
 * corpus folder; `default` for its top). Absent: the whole corpus. Names the corpus lacks are ignored.
 */
export interface ScopeOptions {
  readonly collections?: readonly string[];
}

/** A collection of the corpus and how many documents it holds. */
export interface CollectionSummary {
  readonly name: string;
  readonly documents: number;
}

/** How a question is asked: in a conversation, after earlier questions, within a scope. */
export interface AskOptions extends ScopeOptions {
  /** The conversation's earlier turns, oldest first: a follow-up takes what it leaves out from them. */
  readonly earlier?: readonly ConversationTurn[];
}

/** What the bot and CLI need from the engine; the bot is tested against the real implementation. */
export interface AnswerEngine {
  ask(question: string, options?: AskOptions): Promise<Answer>;
  search(query: string, limit: number, options?: ScopeOptions): Promise<readonly Passage[]>;
  /** Each source's best sentence on a topic (at most `limit`), dated ones oldest first, undated apart. */
  timeline(topic: string, limit: number, options?: ScopeOptions): Promise<Timeline>;
  /** Every indexed document (of the scope, when given), newest first. */
  documents(options?: ScopeOptions): readonly DocumentSummary[];
  /** The corpus's collections, by name (`default` for the files at the top of the corpus folder). */
  collections(): readonly CollectionSummary[];
  /** When the index in use was built (ISO). */
  builtAt(): string;
  /** Rebuild from the corpus folder; questions asked meanwhile are answered from the old index. */
  reindex(): Promise<IngestReport>;
}
