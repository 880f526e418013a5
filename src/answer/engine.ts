import path from 'node:path';
import { splitSentences } from '../chunk/sentences.js';
import type { Config } from '../config.js';
import { loadEmbedder, type Embedder } from '../embed/embedder.js';
import { terms } from '../index/terms.js';
import type { IndexSnapshot } from '../index/store.js';
import { DEFAULT_INDEX_SETTINGS, syncIndex, type IndexSettings } from '../index/sync.js';
import type { Logger } from '../log.js';
import { DEFAULT_QUOTE_SETTINGS, selectQuotes, type QuoteDecision, type QuoteSettings, type SentenceCandidate } from './quote.js';
import { DEFAULT_FUSION, fuseRankings, type FusedCandidate, type FusionWeights } from './retrieve.js';
import type { Answer, AnswerEngine, CorpusDocument, DocumentSummary, IngestReport, Passage } from './types.js';

/** How many candidates each side retrieves before fusion, and how many passages feed quote selection. */
const CANDIDATES_PER_SIDE = 50;
const PASSAGES_FOR_QUOTES = 5;

export interface EngineOptions {
  /** An embedder already loaded (tests, benchmarks); by default the configured model is loaded. */
  readonly embedder?: Embedder;
  readonly fusion?: FusionWeights;
  readonly quote?: Partial<QuoteSettings>;
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
  return { chunker: { maxChars: config.chunkMaxChars }, ...DEFAULT_INDEX_SETTINGS };
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
    return new Engine(config, embedder, snapshot, log, options.fusion ?? DEFAULT_FUSION, quoteSettings, report);
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
    const { passages, allPassages, candidates, questionVector, embedMs, searchMs } = await this.retrieve(trimmed, this.config.searchResults, snapshot);
    const quoteStarted = performance.now();
    const sentences = await this.sentencesOf(allPassages.slice(0, PASSAGES_FOR_QUOTES));
    const decision = selectQuotes(trimmed, questionVector, sentences, (term) => snapshot.lexicalIndex.idf(term), this.quoteSettings);
    const quoteMs = performance.now() - quoteStarted;
    const answer: Answer = {
      question,
      answered: decision.answered,
      quotes: decision.quotes,
      passages,
      abstainReason: decision.answered ? null : 'weak-evidence',
      timings: { embedMs, searchMs: searchMs + quoteMs, totalMs: performance.now() - started },
    };
    return { answer, candidates, decision };
  }

  private async retrieve(query: string, limit: number, snapshot: IndexSnapshot) {
    const embedStarted = performance.now();
    const [questionVector] = await this.embedder.embed([query]);
    if (!questionVector) throw new Error('The embedder returned no vector for the question.');
    const searchStarted = performance.now();
    const lexicalHits = snapshot.lexicalIndex.query(query, CANDIDATES_PER_SIDE);
    const denseHits = snapshot.vectorIndex.search(questionVector, CANDIDATES_PER_SIDE);
    const fused = fuseRankings(lexicalHits, denseHits, this.fusion);
    const documents = new Map(snapshot.documents.map((document) => [document.file, document]));
    const candidates = fused.map((candidate) => ({ ...candidate, chunkId: snapshot.chunks[candidate.label]?.id ?? '?' }));
    const passages: Passage[] = fused.slice(0, Math.max(limit, PASSAGES_FOR_QUOTES)).flatMap((candidate) => {
      const chunk = snapshot.chunks[candidate.label];
      const document = chunk && documents.get(chunk.file);
      if (!chunk || !document) return [];
      return [
        {
          source: chunk.file,
          title: document.title,
          date: document.date,
          paragraph: chunk.paragraph,
          chunkId: chunk.id,
          start: chunk.start,
          end: chunk.end,
          text: chunk.text,
          score: round(candidate.score),
        },
      ];
    });
    const finished = performance.now();
    return {
      passages: passages.slice(0, limit),
      allPassages: passages,
      candidates,
      questionVector,
      embedMs: searchStarted - embedStarted,
      searchMs: finished - searchStarted,
    };
  }

  /** Split passages into sentences (offsets into the document) and embed them in one batch. */
  private async sentencesOf(passages: readonly Passage[]): Promise<SentenceCandidate[]> {
    const spans = passages.flatMap((passage, passageRank) =>
      splitSentences(passage.text).map((sentence) => ({
        passage,
        passageRank,
        start: passage.start + sentence.start,
        end: passage.start + sentence.end,
        text: sentence.text,
      })),
    );
    const vectors = await this.embedder.embed(spans.map((span) => span.text));
    return spans.map((span, index) => ({ ...span, vector: vectors[index] ?? new Float32Array(this.embedder.dimensions) }));
  }
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
