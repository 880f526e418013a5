import path from 'node:path';
import { isHeading } from '../corpus/metadata.js';
import { splitSentences } from '../chunk/sentences.js';
import type { Config } from '../config.js';
import { loadEmbedder, type Embedder } from '../embed/embedder.js';
import { terms } from '../index/terms.js';
import type { IndexSnapshot } from '../index/store.js';
import { DEFAULT_INDEX_SETTINGS, syncIndex, type IndexSettings } from '../index/sync.js';
import type { Logger } from '../log.js';
import { DEFAULT_QUOTE_SETTINGS, selectQuotes, type Lexicon, type QuoteDecision, type QuoteSettings, type SentenceCandidate } from './quote.js';
import { contentWords, DEFAULT_EXPANSION, expandQuery, type ExpansionSettings, type VocabularyWord } from './expand.js';
import { dateAffinity, DEFAULT_FUSION, fuseRankings, type FusedCandidate, type FusionWeights } from './retrieve.js';
import type { Answer, AnswerEngine, CorpusDocument, DocumentSummary, IngestReport, Passage } from './types.js';

/** How many candidates each side retrieves before fusion, and how many passages feed quote selection. */
const CANDIDATES_PER_SIDE = 50;
const PASSAGES_FOR_QUOTES = 5;
/** Sentences before a candidate that count as its context (news answers often continue them). */
const CONTEXT_SENTENCES = 2;

export interface EngineOptions {
  /** An embedder already loaded (tests, benchmarks); by default the configured model is loaded. */
  readonly embedder?: Embedder;
  readonly fusion?: FusionWeights;
  readonly quote?: Partial<QuoteSettings>;
  /** Near-synonym expansion of the lexical query; null turns it off. */
  readonly expansion?: ExpansionSettings | null;
  /** `ingest` rebuilds an index made by another model instead of refusing it. */
  readonly mode?: 'load' | 'ingest';
}

/** An answer plus the internals behind it, for `eval --explain`. */
export interface ExplainedAnswer {
  readonly answer: Answer;
  readonly candidates: readonly (FusedCandidate & { chunkId: string })[];
  readonly decision: QuoteDecision | null;
}

export function indexSettingsFrom(config: Config): IndexSettings {
  return { chunker: { maxChars: config.chunkMaxChars, overlap: config.chunkOverlap }, ...DEFAULT_INDEX_SETTINGS };
}

/** The answer engine: one loaded model, one index snapshot swapped whole on reindex. */
export class Engine implements AnswerEngine {
  private constructor(
    private readonly config: Config,
    private readonly embedder: Embedder,
    private snapshot: IndexSnapshot,
    private readonly log: Logger,
    private readonly fusion: FusionWeights,
    private readonly quoteSettings: QuoteSettings,
    private readonly expansion: ExpansionSettings | null,
    /** The last ingest report (what loading or building the index did). */
    public lastReport: IngestReport,
  ) {}

  /** Load the model and the index, building or refreshing the index when the corpus or settings changed. */
  static async create(config: Config, log: Logger, options: EngineOptions = {}): Promise<Engine> {
    const embedder =
      options.embedder ??
      (await loadEmbedder({ modelId: config.embeddingModel, modelCacheDir: config.modelCacheDir, allowRemoteModels: config.allowRemoteModels, log }));
    const { snapshot, report } = await syncIndex({
      corpusDir: config.corpusDir,
      indexDir: indexDirOf(config),
      embedder,
      settings: indexSettingsFrom(config),
      ef: config.hnswEf,
      log,
      mode: options.mode ?? 'load',
    });
    const quoteSettings = {
      ...DEFAULT_QUOTE_SETTINGS,
      ...options.quote,
      ...(config.answerMinScore === undefined ? {} : { minEvidence: config.answerMinScore }),
    };
    const expansion = options.expansion === undefined ? null : options.expansion;
    return new Engine(config, embedder, snapshot, log, options.fusion ?? DEFAULT_FUSION, quoteSettings, expansion, report);
  }

  builtAt(): string {
    return this.snapshot.manifest.builtAt;
  }

  /** The full documents of the index in use (raw text and paragraphs), for verification. */
  corpusDocuments(): readonly CorpusDocument[] {
    return this.snapshot.documents;
  }

  get modelId(): string {
    return this.embedder.modelId;
  }

  documents(): readonly DocumentSummary[] {
    return [...this.snapshot.documents]
      .sort((left, right) => (right.date ?? '').localeCompare(left.date ?? '') || left.file.localeCompare(right.file))
      .map((document) => ({
        file: document.file,
        title: document.title,
        date: document.date,
        characters: document.raw.length,
        paragraphs: document.paragraphs.length,
        opening: document.paragraphs.find((paragraph) => paragraph.text !== document.title)?.text ?? '',
      }));
  }

  async reindex(): Promise<IngestReport> {
    const { snapshot, report } = await syncIndex({
      corpusDir: this.config.corpusDir,
      indexDir: indexDirOf(this.config),
      embedder: this.embedder,
      settings: indexSettingsFrom(this.config),
      ef: this.config.hnswEf,
      log: this.log,
      mode: 'ingest',
    });
    // Questions in flight keep the snapshot they started with; new ones see the new index.
    this.snapshot = snapshot;
    this.lastReport = report;
    return report;
  }

  async search(query: string, limit: number): Promise<readonly Passage[]> {
    const { passages } = await this.retrieve(query, limit, this.snapshot);
    return passages;
  }

  async ask(question: string): Promise<Answer> {
    return (await this.explain(question)).answer;
  }

  /** Answer a question and keep what led there. */
  async explain(question: string): Promise<ExplainedAnswer> {
    const started = performance.now();
    const snapshot = this.snapshot;
    const trimmed = question.trim();
    if (terms(trimmed).length === 0) {
      const answer: Answer = {
        question,
        answered: false,
        quotes: [],
        passages: [],
        abstainReason: 'empty-question',
        timings: { embedMs: 0, searchMs: 0, totalMs: performance.now() - started },
      };
      return { answer, candidates: [], decision: null };
    }
    const retrieved = await this.retrieve(trimmed, this.config.searchResults, snapshot);
    const quoteStarted = performance.now();
    const sentences = await this.sentencesOf(retrieved.allPassages.slice(0, PASSAGES_FOR_QUOTES), snapshot);
    const vocabulary = await this.vocabularyOf(snapshot);
    const lexicon: Lexicon = {
      idf: (term) => snapshot.lexicalIndex.idf(term),
      vectorOf: (term) => vocabulary.get(term) ?? retrieved.questionWordVectors.get(term),
    };
    const view = { text: trimmed, vector: retrieved.questionVector, terms: new Set(terms(trimmed)) };
    const decision = selectQuotes(view, sentences, lexicon, this.quoteSettings);
    const answer: Answer = {
      question,
      answered: decision.answered,
      quotes: decision.quotes,
      passages: retrieved.passages,
      abstainReason: decision.answered ? null : 'weak-evidence',
      timings: {
        embedMs: retrieved.embedMs,
        searchMs: retrieved.searchMs + (performance.now() - quoteStarted),
        totalMs: performance.now() - started,
      },
    };
    return { answer, candidates: retrieved.candidates, decision };
  }

  private async retrieve(query: string, limit: number, snapshot: IndexSnapshot) {
    const embedStarted = performance.now();
    const words = contentWords(query);
    // One batch: the question, then each of its words (for near-synonym matching).
    const [questionVector, ...wordVectors] = await this.embedder.embed([query, ...words.map((word) => word.word)]);
    if (!questionVector) throw new Error('The embedder returned no vector for the question.');
    const questionWordVectors = new Map(words.map((word, index) => [word.term, wordVectors[index] ?? new Float32Array(0)]));
    const searchStarted = performance.now();
    const expansions = this.expansion
      ? expandQuery(
          words.map((word) => ({ term: word.term, vector: questionWordVectors.get(word.term) ?? new Float32Array(0) })),
          await this.vocabularyWords(snapshot),
          this.expansion,
        )
      : new Map<string, number>();
    const lexicalHits = snapshot.lexicalIndex.query(query, CANDIDATES_PER_SIDE, expansions);
    const denseHits = snapshot.vectorIndex.search(questionVector, CANDIDATES_PER_SIDE);
    const documents = documentsOf(snapshot);
    const dates = snapshot.documents.flatMap((document) => (document.date ? [document.date] : [])).sort();
    const span = dates.length ? { oldest: dates[0] ?? '', newest: dates.at(-1) ?? '' } : null;
    const fused = fuseRankings(lexicalHits, denseHits, this.fusion, (label) => {
      const chunk = snapshot.chunks[label];
      return dateAffinity(query, (chunk && documents.get(chunk.file)?.date) ?? null, span);
    });
    const candidates = fused.map((candidate) => ({ ...candidate, chunkId: snapshot.chunks[candidate.label]?.id ?? '?' }));
    const passages: Passage[] = fused.slice(0, Math.max(limit, PASSAGES_FOR_QUOTES)).flatMap((candidate) => {
      const chunk = snapshot.chunks[candidate.label];
      const document = chunk && documents.get(chunk.file);
      if (!chunk || !document) return [];
      const { file: source, paragraph, id: chunkId, start, end, text } = chunk;
      return [{ source, title: document.title, date: document.date, paragraph, chunkId, start, end, text, score: round(candidate.score) }];
    });
    return {
      passages: passages.slice(0, limit),
      allPassages: passages,
      candidates,
      questionVector,
      questionWordVectors,
      embedMs: searchStarted - embedStarted,
      searchMs: performance.now() - searchStarted,
    };
  }

  private readonly vocabularies = new WeakMap<IndexSnapshot, Promise<VocabularyWord[]>>();

  /** The corpus words with their embeddings, computed once per index snapshot. */
  private vocabularyWords(snapshot: IndexSnapshot): Promise<VocabularyWord[]> {
    let vocabulary = this.vocabularies.get(snapshot);
    if (!vocabulary) {
      const words = contentWords(snapshot.chunks.map((chunk) => chunk.text).join('\n'));
      vocabulary = this.embedder
        .embed(words.map((word) => word.word))
        .then((vectors) => words.map((word, index) => ({ ...word, vector: vectors[index] ?? new Float32Array(0) })));
      this.vocabularies.set(snapshot, vocabulary);
    }
    return vocabulary;
  }

  private async vocabularyOf(snapshot: IndexSnapshot): Promise<Map<string, Float32Array>> {
    const byTerm = new Map<string, Float32Array>();
    for (const word of await this.vocabularyWords(snapshot)) if (!byTerm.has(word.term)) byTerm.set(word.term, word.vector);
    return byTerm;
  }

  /** Split passages into sentences (offsets into the document), each with the sentence before it, embedded in one batch. */
  private async sentencesOf(passages: readonly Passage[], snapshot: IndexSnapshot): Promise<SentenceCandidate[]> {
    const documents = documentsOf(snapshot);
    const seen = new Set<string>();
    const spans = passages.flatMap((passage, passageRank) => {
      const document = documents.get(passage.source);
      if (!document) return [];
      const documentSentences = sentencesAround(document, passage.start, passage.end);
      return documentSentences.flatMap((sentence, index) => {
        // Overlapping passages share sentences: each is scored once, under its best passage.
        const key = `${passage.source}:${sentence.start}`;
        if (sentence.start < passage.start || seen.has(key)) return [];
        seen.add(key);
        const previous = documentSentences.slice(Math.max(0, index - CONTEXT_SENTENCES), index).map((before) => before.text).join(' ');
        return [{ passage, passageRank, paragraph: sentence.paragraph, start: sentence.start, end: sentence.end, text: sentence.text, previous }];
      });
    });
    const vectors = await this.embedder.embed(spans.map((span) => span.text));
    return spans.map((span, index) => ({ ...span, vector: vectors[index] ?? new Float32Array(this.embedder.dimensions) }));
  }
}

const documentMaps = new WeakMap<IndexSnapshot, Map<string, CorpusDocument>>();

function documentsOf(snapshot: IndexSnapshot): Map<string, CorpusDocument> {
  let documents = documentMaps.get(snapshot);
  if (!documents) {
    documents = new Map(snapshot.documents.map((document) => [document.file, document]));
    documentMaps.set(snapshot, documents);
  }
  return documents;
}

/**
 * The sentences of the paragraphs overlapping [start, end), preceded by those of the paragraph
 * before (context for the first one), with document offsets. Headings are not sentences.
 */
function sentencesAround(document: CorpusDocument, start: number, end: number) {
  const first = document.paragraphs.findIndex((paragraph) => paragraph.end > start);
  const after = document.paragraphs.findIndex((paragraph) => paragraph.start >= end);
  const paragraphs = document.paragraphs.slice(Math.max(0, first - 1), after === -1 ? undefined : after);
  return paragraphs
    .filter((paragraph) => !isHeading(paragraph.text))
    .flatMap((paragraph) =>
      splitSentences(paragraph.text).map((sentence) => ({
        paragraph: paragraph.number,
        start: paragraph.start + sentence.start,
        end: paragraph.start + sentence.end,
        text: sentence.text,
      })),
    )
    .filter((sentence) => sentence.end <= end);
}

export function indexDirOf(config: Config): string {
  return path.join(config.indexDir, 'index');
}

/** Create the engine the bot and the CLI use. */
export function createEngine(config: Config, log: Logger, options: EngineOptions = {}): Promise<Engine> {
  return Engine.create(config, log, options);
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}
