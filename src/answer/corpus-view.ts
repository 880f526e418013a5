import { getOrInsertBounded, getOrInsertWeak } from '../core/maps.js';
import { exampleQuestion } from '../core/example.js';
import { cosine } from '../core/vectors.js';
import type { Embedder } from '../embed/embedder.js';
import type { DocumentEntry, ServingIndex } from '../index/serving-index.js';
import { terms } from '../text/terms.js';
import type { Lexicon } from './matching.js';
import type { Question, QuestionContext } from './question.js';
import type { SentenceCandidate } from './features.js';
import { type CorpusScope, type DateSpan, dateSpanOf, scopeOf } from './scope.js';

/** A sentence of a passage as kept per index (everything but the passage's score for a question). */
export type PassageSentence = Omit<SentenceCandidate, 'passage' | 'passageRank'>;

/** Entries kept per cache before it starts over (question words and texts are unbounded input). */
const CACHE_LIMIT = 50_000;
/** Passages whose sentences are kept (about 2 KB each with their vectors): a large corpus is not cached whole. */
const PASSAGE_CACHE_LIMIT = 20_000;
/** Word pairs whose cosine is kept. */
const SIMILARITY_CACHE_LIMIT = 1_000_000;
/** Scopes kept (a bot has one per scoped channel at most, and few distinct ones). */
const SCOPE_CACHE_LIMIT = 1_000;

/**
 * What the query path derives from one index while it serves (from a start or a `/reindex` until
 * the next), dropped with it: the documents by name, their date span, the scopes asked for, and
 * the caches of work questions repeat (terms of texts, passages' sentences, word vectors).
 */
export class CorpusView implements QuestionContext {
  readonly documents: ReadonlyMap<string, DocumentEntry>;
  /** Oldest and newest article dates, for the recency prior. */
  readonly dateSpan: DateSpan | null;
  /** Sentences of each passage (by file, start, end), with vectors and term sets. */
  readonly passageSentences = new Map<string, readonly PassageSentence[]>();
  /** The vector of a single word (a question's, or the first word the corpus writes for a term). */
  readonly wordVectors = new Map<string, Float32Array>();
  private readonly termCache = new Map<string, string[]>();
  private readonly scopes = new Map<string, CorpusScope>();
  private similarities = new WeakMap<Float32Array, WeakMap<Float32Array, number>>();
  private similarityCount = 0;

  constructor(
    readonly index: ServingIndex,
    private readonly embedder: Embedder,
    /** Whether words are matched by their vectors (near-synonyms): only then are corpus words embedded. */
    readonly withWordVectors: boolean,
  ) {
    this.documents = new Map(index.documents.map((document) => [document.file, document]));
    this.dateSpan = dateSpanOf(index.documents);
  }

  isName(term: string): boolean {
    return this.index.terms.isName(term);
  }

  pertainsTo(term: string): readonly string[] {
    return this.index.thesaurus.pertainsTo(term);
  }

  isKnown(term: string): boolean {
    return this.index.terms.isKnown(term);
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

  /**
   * What quote selection reads of the corpus for a question and its candidate sentences. With word
   * vectors, the corpus words those sentences and the question use are embedded first (each term's
   * vector is its first corpus word's), so scoring itself reads nothing more.
   */
  async lexicon(
    question: Question,
    sentences: readonly SentenceCandidate[],
    questionWordVectors: ReadonlyMap<string, Float32Array>,
  ): Promise<Lexicon> {
    const { terms: statistics, thesaurus } = this.index;
    const corpusVectors = this.withWordVectors ? await this.corpusWordVectors(question, sentences) : new Map<string, Float32Array>();
    return {
      idf: (term) => statistics.idf(term),
      vectorOf: (term) => corpusVectors.get(term) ?? questionWordVectors.get(term),
      isKnown: (term) => statistics.isKnown(term),
      terms: (text) => this.termsOf(text),
      similarity: (left, right) => this.similarity(left, right),
      kindsOf: (term) => thesaurus.kindsOf(term),
      synonymsOf: (term) => thesaurus.synonymsOf(term),
      pertainsTo: (term) => thesaurus.pertainsTo(term),
    };
  }

  /** The word vector of each corpus term the question and the sentences use, embedding the words not seen before in one batch. */
  private async corpusWordVectors(question: Question, sentences: readonly SentenceCandidate[]): Promise<Map<string, Float32Array>> {
    const used = new Set([...question.terms, ...question.focus, ...question.predicateTerms, ...question.topicTerms]);
    for (const sentence of sentences) {
      for (const term of sentence.termSets?.around ?? []) used.add(term);
      for (const term of this.termsOf(sentence.text)) used.add(term);
    }
    const wordOf = new Map<string, string>();
    for (const term of used) {
      const word = this.index.terms.firstWord(term);
      if (word !== undefined) wordOf.set(term, word);
    }
    const unseen = [...new Set([...wordOf.values()].filter((word) => !this.wordVectors.has(word)))];
    const embedded = unseen.length > 0 ? await this.embedder.embed(unseen) : [];
    const byWord = new Map(unseen.map((word, index) => [word, embedded[index] ?? new Float32Array(0)]));
    for (const [word, vector] of byWord) this.rememberWordVector(word, vector);
    return new Map([...wordOf].map(([term, word]) => [term, this.wordVectors.get(word) ?? byWord.get(word) ?? new Float32Array(0)]));
  }

  /** The scope of some collections (null: the whole corpus), made once per set of names and kept with the snapshot. */
  scope(collections: readonly string[] | undefined): CorpusScope | null {
    if (collections === undefined) return null;
    const key = [...new Set(collections)].sort().join('\n');
    return getOrInsertBounded(this.scopes, key, () => scopeOf(this.index.documents, collections), SCOPE_CACHE_LIMIT);
  }

  /** A question to suggest in a help reply, from the newest document (as `/sources` lists them first) of the scope. */
  newestExample(scope: CorpusScope | null = null): string | undefined {
    const documents = scope?.documents ?? this.index.documents;
    const newest = [...documents].sort((left, right) => (right.date ?? '').localeCompare(left.date ?? ''))[0];
    return newest ? exampleQuestion(newest.title) : undefined;
  }
}
