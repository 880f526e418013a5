import { getOrInsert, getOrInsertBounded, getOrInsertWeak } from '../core/maps.js';
import type { Chunk, CorpusDocument } from '../core/types.js';
import { exampleQuestion } from '../core/example.js';
import { cosine } from '../core/vectors.js';
import type { Embedder } from '../embed/embedder.js';
import type { IndexSnapshot } from '../index/store.js';
import { documentSentences } from '../chunk/chunk.js';
import { distinctiveFigures } from '../text/figures.js';
import { contentWords, terms } from '../text/terms.js';
import { type CitedSentence, type FigureIndex, indexFigures } from './corroborate.js';
import type { Lexicon } from './matching.js';
import type { QuestionContext } from './question.js';
import type { SentenceCandidate } from './features.js';
import { type CorpusScope, type DateSpan, dateSpanOf, scopeOf } from './scope.js';

/** A sentence of a passage as kept per snapshot (everything but the passage's score for a question). */
export type PassageSentence = Omit<SentenceCandidate, 'passage' | 'passageRank'>;

interface TermHolder {
  has(term: string): boolean;
}

/** Entries kept per cache before it starts over (question words and texts are unbounded input). */
const CACHE_LIMIT = 50_000;
/** Passages whose sentences are kept (about 2 KB each with their vectors): a large corpus is not cached whole. */
const PASSAGE_CACHE_LIMIT = 20_000;
/** Documents whose words outside every chunk are kept. */
const OUTSIDE_TERMS_LIMIT = 20_000;
/** Word pairs whose cosine is kept. */
const SIMILARITY_CACHE_LIMIT = 1_000_000;
/** Scopes kept (a bot has one per scoped channel at most, and few distinct ones). */
const SCOPE_CACHE_LIMIT = 1_000;

/**
 * Everything the query path derives from one index snapshot, made once when the snapshot starts
 * serving (a start, a `/reindex`) and dropped with it: the corpus's names and words, where
 * figures are stated, each document's terms, and the caches of work questions repeat.
 */
export class CorpusView implements QuestionContext {
  readonly documents: ReadonlyMap<string, CorpusDocument>;
  /** Oldest and newest article dates, for the recency prior. */
  readonly dateSpan: DateSpan | null;
  /** Terms written capitalised in at least 70% of their mid-sentence uses ("Lam", "Dalian", "Chinese"). */
  readonly names: ReadonlySet<string>;
  /** Every term the corpus uses. */
  readonly known: ReadonlySet<string>;
  /** Every sentence that states a percentage or an amount, with its citation (for corroboration). */
  readonly figureSentences: FigureIndex;
  /** The index terms of a document, including its text outside every chunk (headline, dateline). */
  readonly documentTerms: (file: string) => TermHolder;
  /** Sentences of each passage (by file, start, end), with vectors and term sets. */
  readonly passageSentences = new Map<string, readonly PassageSentence[]>();
  /** The vector of a single question word. */
  readonly wordVectors = new Map<string, Float32Array>();
  private readonly termCache = new Map<string, string[]>();
  private readonly scopes = new Map<string, CorpusScope>();
  private similarities = new WeakMap<Float32Array, WeakMap<Float32Array, number>>();
  private similarityCount = 0;

  private constructor(
    readonly snapshot: IndexSnapshot,
    /** Each corpus term's word vector (its first word); empty unless words are matched by their vectors. */
    readonly vocabulary: ReadonlyMap<string, Float32Array>,
  ) {
    this.documents = new Map(snapshot.documents.map((document) => [document.file, document]));
    this.dateSpan = dateSpanOf(snapshot.documents);
    this.names = corpusNames(snapshot.documents);
    this.known = new Set(snapshot.lexicalIndex.vocabulary());
    this.figureSentences = figureSentences(snapshot);
    this.documentTerms = documentTermHolders(snapshot, this.documents);
  }

  /**
   * Derive everything before the snapshot serves, so the first question after a start or a
   * `/reindex` does not pay for it (0.1 s at the seeds, seconds at thousands of documents).
   */
  static async open(snapshot: IndexSnapshot, embedder: Embedder, withWordVectors: boolean): Promise<CorpusView> {
    snapshot.lexicalIndex.prepareTypoLookup();
    return new CorpusView(snapshot, withWordVectors ? await vocabularyVectors(snapshot, embedder) : new Map());
  }

  isName(term: string): boolean {
    return this.names.has(term);
  }

  pertainsTo(term: string): readonly string[] {
    return this.snapshot.thesaurus.pertainsTo(term);
  }

  /** `terms(text)`, kept: a sentence is scored again as its neighbours' context and in later questions. */
  termsOf(text: string): string[] {
    return getOrInsertBounded(this.termCache, text, terms, CACHE_LIMIT);
  }

  /** Cosine of two word vectors, kept per pair of vectors (pairs recur across sentences and questions). */
  similarity(left: Float32Array, right: Float32Array): number {
    const row = getOrInsertWeak(this.similarities, left, () => new WeakMap<Float32Array, number>());
    let found = row.get(right);
    if (found === undefined) {
      found = cosine(left, right);
      row.set(right, found);
      // A long-running bot meets ever new pairs: start over past a bound.
      if (++this.similarityCount > SIMILARITY_CACHE_LIMIT) {
        this.similarities = new WeakMap();
        this.similarityCount = 0;
      }
    }
    return found;
  }

  rememberPassage(key: string, sentences: readonly PassageSentence[]): void {
    getOrInsertBounded(this.passageSentences, key, () => sentences, PASSAGE_CACHE_LIMIT);
  }

  rememberWordVector(word: string, vector: Float32Array): void {
    getOrInsertBounded(this.wordVectors, word, () => vector, CACHE_LIMIT);
  }

  /** What quote selection reads of the corpus, with the question's own word vectors. */
  lexicon(questionWordVectors: ReadonlyMap<string, Float32Array>): Lexicon {
    const { lexicalIndex, thesaurus } = this.snapshot;
    return {
      idf: (term) => lexicalIndex.idf(term),
      vectorOf: (term) => this.vocabulary.get(term) ?? questionWordVectors.get(term),
      isKnown: (term) => this.known.has(term),
      terms: (text) => this.termsOf(text),
      similarity: (left, right) => this.similarity(left, right),
      kindsOf: (term) => thesaurus.kindsOf(term),
      synonymsOf: (term) => thesaurus.synonymsOf(term),
    };
  }

  /** The scope of some collections (null: the whole corpus), made once per set of names and kept with the snapshot. */
  scope(collections: readonly string[] | undefined): CorpusScope | null {
    if (collections === undefined) return null;
    const key = [...new Set(collections)].sort().join('\n');
    return getOrInsertBounded(this.scopes, key, () => scopeOf(this.snapshot, collections), SCOPE_CACHE_LIMIT);
  }

  /** A question to suggest in a help reply, from the newest document (as `/sources` lists them first) of the scope. */
  newestExample(scope: CorpusScope | null = null): string | undefined {
    const documents = scope?.documents ?? this.snapshot.documents;
    const newest = [...documents].sort((left, right) => (right.date ?? '').localeCompare(left.date ?? ''))[0];
    return newest ? exampleQuestion(newest.title) : undefined;
  }
}

/** The corpus words with their embeddings: each term's vector is its first word's. */
async function vocabularyVectors(snapshot: IndexSnapshot, embedder: Embedder): Promise<Map<string, Float32Array>> {
  // The documents, not the chunks: chunks overlap, and every word of a chunk is in its document.
  const words = contentWords(snapshot.documents.map((document) => document.raw).join('\n'));
  const vectors = await embedder.embed(words.map((word) => word.word));
  const byTerm = new Map<string, Float32Array>();
  words.forEach((word, index) => {
    if (!byTerm.has(word.term)) byTerm.set(word.term, vectors[index] ?? new Float32Array(0));
  });
  return byTerm;
}

/** Terms written capitalised in at least 70% of their mid-sentence uses: "Lam", "Dalian", "Chinese". */
function corpusNames(documents: readonly CorpusDocument[]): Set<string> {
  const capitalised = new Map<string, number>();
  const lower = new Map<string, number>();
  // Words repeat (Zipf): each distinct word is turned into terms once.
  const termsOfWord = new Map<string, string[]>();
  for (const document of documents) {
    for (const paragraph of document.paragraphs) {
      for (const match of paragraph.text.matchAll(/(?<=[^.!?:“"]\s+)[\p{L}\p{M}][\p{L}\p{M}’'-]*/gu)) {
        const word = match[0];
        const counts = /^\p{Lu}/u.test(word) ? capitalised : lower;
        for (const term of getOrInsert(termsOfWord, word, terms)) counts.set(term, (counts.get(term) ?? 0) + 1);
      }
    }
  }
  return new Set([...capitalised].filter(([term, count]) => count >= 0.7 * (count + (lower.get(term) ?? 0))).map(([term]) => term));
}

/** Every sentence of the corpus that states a percentage or an amount, with its citation. */
function figureSentences(snapshot: IndexSnapshot): FigureIndex {
  const chunksByFile = new Map<string, Chunk[]>();
  for (const chunk of snapshot.chunks) getOrInsert(chunksByFile, chunk.file, () => []).push(chunk);
  const sentences = snapshot.documents.flatMap((document) =>
    documentSentences(document)
      .filter((sentence) => distinctiveFigures(sentence.text).length > 0)
      .map((sentence): CitedSentence => {
        const chunk = chunksByFile
          .get(document.file)
          ?.find((candidate) => candidate.start <= sentence.start && candidate.end >= sentence.end);
        return {
          source: document.file,
          title: document.title,
          date: document.date,
          paragraph: sentence.paragraph,
          chunkId: chunk?.id ?? `${document.file}#p${sentence.paragraph}.1`,
          start: sentence.start,
          end: sentence.end,
          text: sentence.text,
        };
      }),
  );
  return indexFigures(sentences);
}

/**
 * The index terms of each document: those of its chunks (looked up in the lexical index's
 * postings) and those of the text no chunk covers (headline, dateline: tokenized when first asked,
 * a few words each). Nothing is held per document, so 100,000 documents cost no memory here.
 */
function documentTermHolders(snapshot: IndexSnapshot, documents: ReadonlyMap<string, CorpusDocument>): (file: string) => TermHolder {
  const spans = new Map<string, { first: number; last: number; covered: [number, number][] }>();
  snapshot.chunks.forEach((chunk, label) => {
    const span = spans.get(chunk.file);
    if (span) {
      span.last = label;
      span.covered.push([chunk.start, chunk.end]);
    } else spans.set(chunk.file, { first: label, last: label, covered: [[chunk.start, chunk.end]] });
  });
  const outside = new Map<string, Set<string>>();
  const outsideTerms = (file: string) =>
    getOrInsertBounded(
      outside,
      file,
      () => new Set(terms(uncoveredText(documents.get(file)?.raw ?? '', spans.get(file)?.covered ?? []))),
      OUTSIDE_TERMS_LIMIT,
    );
  return (file) => {
    const span = spans.get(file);
    return {
      has: (term) => outsideTerms(file).has(term) || (span !== undefined && snapshot.lexicalIndex.textHasIn(term, span.first, span.last)),
    };
  };
}

/** The parts of a text outside the given spans, joined by line breaks. */
function uncoveredText(raw: string, spans: readonly (readonly [number, number])[]): string {
  const parts: string[] = [];
  let position = 0;
  for (const [start, end] of [...spans].sort((left, right) => left[0] - right[0])) {
    if (start > position) parts.push(raw.slice(position, start));
    position = Math.max(position, end);
  }
  parts.push(raw.slice(position));
  return parts.join('\n');
}
