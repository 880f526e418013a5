import type { Config } from '../config.js';
import type { Logger } from '../core/log.js';
import type {
  AbstainReason,
  Answer,
  AnswerEngine,
  AskOptions,
  CorpusDocument,
  DocumentSummary,
  IngestReport,
  Passage,
  Timeline,
} from '../core/types.js';
import type { Embedder } from '../embed/embedder.js';
import { loadIndex, type IndexSnapshot } from '../index/store.js';
import { embedderFor, syncOptionsFor } from '../ingest/ingest.js';
import { refreshIndex, syncIndex } from '../ingest/sync.js';
import { candidateSentences } from './candidates.js';
import { CorpusView } from './corpus-view.js';
import { corroborateByFigures } from './corroborate.js';
import { resolveFollowUp } from './follow-up.js';
import type { FusedCandidate } from './fusion.js';
import { analyseQuestion, type Question } from './question.js';
import { rerankBySentences, retrieve } from './retrieve.js';
import { type QuoteDecision, rankSentences, selectQuotes } from './select.js';
import { RANKING_SETTINGS, type RankingOverrides, type RankingSettings, withOverrides } from './settings.js';
import { bestPassagesPerDocument, timelineOf } from './timeline.js';

export interface EngineOptions {
  /** An embedder already loaded (tests, benchmarks); by default the configured model is loaded. */
  readonly embedder?: Embedder;
  /** Ranking settings to use instead of the model's tuned ones (tuning, tests). */
  readonly ranking?: RankingOverrides;
  /** `ingest` rebuilds an index made by another model instead of refusing it. */
  readonly mode?: 'load' | 'ingest';
}

/** An answer plus the internals behind it, for `eval --explain`. */
export interface ExplainedAnswer {
  readonly answer: Answer;
  readonly candidates: readonly (FusedCandidate & { chunkId: string })[];
  readonly decision: QuoteDecision | null;
}

/** Up to this many words, a message may be small talk ("hi", "ok thanks", "hello there"). */
const SMALL_TALK_MAX_WORDS = 3;

/** A timeline scores the sentences of this many retrieved passages, at most `TIMELINE_PASSAGES_PER_DOCUMENT` of each document. */
const TIMELINE_PASSAGES = 50;
const TIMELINE_PASSAGES_PER_DOCUMENT = 3;

/**
 * The answer engine: one loaded model, one index snapshot (with the view derived from it) swapped
 * whole on reindex. Each question goes: read once → retrieve passages → score their sentences →
 * quote (or abstain) → corroborate → rerank the passages.
 */
export class Engine implements AnswerEngine {
  private constructor(
    private readonly config: Config,
    private readonly embedder: Embedder,
    private readonly log: Logger,
    private readonly settings: RankingSettings,
    private view: CorpusView,
    /** The last ingest report (what loading or building the index did). */
    public lastReport: IngestReport,
  ) {}

  private readonly summaries = new WeakMap<CorpusView, readonly DocumentSummary[]>();

  /** Load the model and the index, building or refreshing the index when the corpus or settings changed. */
  static async create(config: Config, log: Logger, options: EngineOptions = {}): Promise<Engine> {
    const embedder = options.embedder ?? (await embedderFor(config, log));
    const { snapshot, report } = await syncIndex(syncOptionsFor(config, embedder, log, options.mode ?? 'load'));
    const minEvidence = config.answerMinScore === undefined ? {} : { minEvidence: config.answerMinScore };
    const settings = withOverrides(RANKING_SETTINGS[embedder.kind], {
      ...options.ranking,
      quote: { ...options.ranking?.quote, ...minEvidence },
    });
    const view = await openView(snapshot, embedder, settings, log);
    return new Engine(config, embedder, log, settings, view, report);
  }

  builtAt(): string {
    return this.view.snapshot.manifest.builtAt;
  }

  /** The full documents of the index in use (raw text and paragraphs), for verification. */
  corpusDocuments(): readonly CorpusDocument[] {
    return this.view.snapshot.documents;
  }

  get modelId(): string {
    return this.embedder.modelId;
  }

  documents(): readonly DocumentSummary[] {
    // Made once per index in use: autocomplete asks on every keystroke.
    const view = this.view;
    let summaries = this.summaries.get(view);
    if (summaries === undefined) {
      summaries = summariseDocuments(view.snapshot);
      this.summaries.set(view, summaries);
    }
    return summaries;
  }

  async reindex(): Promise<IngestReport> {
    const options = syncOptionsFor(this.config, this.embedder, this.log, 'ingest');
    const refreshed = await refreshIndex(options);
    const current = this.view.snapshot;
    // Up to date and the very index in use (not one another process rebuilt since): nothing to load.
    const inUse = refreshed.manifest.builtAt === current.manifest.builtAt ? current : null;
    const snapshot = refreshed.snapshot ?? inUse ?? (await loadIndex(options.indexDir, refreshed.manifest, options.ef));
    // Questions in flight keep the view they started with; new ones see the new index.
    if (snapshot !== current) this.view = await openView(snapshot, this.embedder, this.settings, this.log);
    this.lastReport = refreshed.report;
    return refreshed.report;
  }

  async search(query: string, limit: number): Promise<readonly Passage[]> {
    const view = this.view;
    const retrieved = await retrieve(
      analyseQuestion(query, view),
      view,
      this.embedder,
      this.settings,
      limit,
      matchesWordVectors(this.settings),
    );
    return retrieved.passages.slice(0, limit);
  }

  /**
   * Each document's best sentence on a topic, read and scored as a question is (the same stages
   * and the same evidence floor), dated ones in date order: see `timelineOf`.
   */
  async timeline(topic: string, limit: number): Promise<Timeline> {
    const started = performance.now();
    const view = this.view;
    const { settings } = this;
    const question = analyseQuestion(topic, view);
    const timings = (embedMs: number) => {
      const totalMs = performance.now() - started;
      return { embedMs, searchMs: totalMs - embedMs, totalMs };
    };
    const none = (abstainReason: AbstainReason, embedMs = 0): Timeline => ({
      topic: question.asked,
      dated: [],
      undated: [],
      abstainReason,
      ...(abstainReason === 'weak-evidence' ? {} : { example: view.newestExample() }),
      timings: timings(embedMs),
    });
    if (question.termList.length === 0) return none(wordlessReason(question));
    const retrieved = await retrieve(question, view, this.embedder, settings, TIMELINE_PASSAGES, matchesWordVectors(settings));
    const passages = bestPassagesPerDocument(retrieved.passages, TIMELINE_PASSAGES_PER_DOCUMENT);
    const sentences = await candidateSentences(passages, view, this.embedder, settings.retrieval.contextSentences);
    const lexicon = view.lexicon(retrieved.questionWordVectors);
    const ranked = rankSentences({ ...question, vector: retrieved.questionVector }, sentences, lexicon, settings.quote);
    const { dated, undated } = timelineOf(ranked, settings.quote, limit);
    const found = dated.length + undated.length > 0;
    if (isSmallTalk(question, { answered: found, ranked }, settings.smallTalkSimilarity)) return none('small-talk', retrieved.embedMs);
    if (!found) return none('weak-evidence', retrieved.embedMs);
    return { topic: question.asked, dated, undated, abstainReason: null, timings: timings(retrieved.embedMs) };
  }

  async ask(question: string, options: AskOptions = {}): Promise<Answer> {
    const earlier = options.earlier ?? [];
    const resolved = earlier.length === 0 ? null : resolveFollowUp(question, earlier, this.view);
    if (resolved === null || !resolved.rewritten) return (await this.explain(question)).answer;
    const { answer } = await this.explain(resolved.text);
    return { ...answer, question: question.trim(), readAs: resolved.text };
  }

  /** Answer a question and keep what led there. */
  async explain(asked: string): Promise<ExplainedAnswer> {
    const started = performance.now();
    const view = this.view;
    const question = analyseQuestion(asked, view);
    if (question.termList.length === 0) {
      const answer: Answer = {
        question: asked,
        answered: false,
        quotes: [],
        passages: [],
        abstainReason: wordlessReason(question),
        example: view.newestExample(),
        timings: { embedMs: 0, searchMs: 0, totalMs: performance.now() - started },
      };
      return { answer, candidates: [], decision: null };
    }
    const { settings } = this;
    const limit = this.config.searchResults;
    const retrieved = await retrieve(question, view, this.embedder, settings, limit, matchesWordVectors(settings));
    const quoteStarted = performance.now();
    const forQuotes = retrieved.passages.slice(0, settings.retrieval.passagesForQuotes);
    const sentences = await candidateSentences(forQuotes, view, this.embedder, settings.retrieval.contextSentences);
    const lexicon = view.lexicon(retrieved.questionWordVectors);
    const selected = selectQuotes({ ...question, vector: retrieved.questionVector }, sentences, lexicon, settings.quote);
    const quotes = selected.quotes.map((quote) => corroborateByFigures(quote, question.figures, view.figureSentences));
    const decision: QuoteDecision = { ...selected, quotes };
    const smallTalk = isSmallTalk(question, decision, settings.smallTalkSimilarity);
    const answered = decision.answered && !smallTalk;
    const answer: Answer = {
      question: asked,
      answered,
      quotes: answered ? decision.quotes : [],
      passages: smallTalk ? [] : rerankBySentences(retrieved.passages, decision.ranked, settings).slice(0, limit),
      abstainReason: smallTalk ? 'small-talk' : answered ? null : 'weak-evidence',
      ...(smallTalk ? { example: view.newestExample() } : {}),
      timings: {
        embedMs: retrieved.embedMs,
        searchMs: retrieved.searchMs + (performance.now() - quoteStarted),
        totalMs: performance.now() - started,
      },
    };
    return { answer, candidates: retrieved.candidates, decision };
  }
}

export function createEngine(config: Config, log: Logger, options: EngineOptions = {}): Promise<Engine> {
  return Engine.create(config, log, options);
}

/** Whether single words are matched by their vectors (near-synonyms); only then are word vectors computed. */
function matchesWordVectors(settings: RankingSettings): boolean {
  return settings.quote.evidenceSoftFrom < 1;
}

async function openView(snapshot: IndexSnapshot, embedder: Embedder, settings: RankingSettings, log: Logger): Promise<CorpusView> {
  const started = performance.now();
  const view = await CorpusView.open(snapshot, embedder, matchesWordVectors(settings));
  log.debug(`Corpus caches ready in ${Math.round(performance.now() - started)} ms`);
  return view;
}

/**
 * A few words that name nothing of the corpus and that the documents do not answer (or that no
 * sentence comes close to in meaning: "hi" is lexically in "hi-tech") are conversation, not a
 * question: they get the help reply, no quote and no passages.
 */
function isSmallTalk(question: Question, decision: Pick<QuoteDecision, 'answered' | 'ranked'>, closenessFloor: number): boolean {
  if (question.wordCount > SMALL_TALK_MAX_WORDS || question.namesCorpus) return false;
  const closest = Math.max(0, ...decision.ranked.map((sentence) => sentence.features.similarity));
  return !decision.answered || closest < closenessFloor;
}

/** Words that ask nothing ("who are you?", "what is this") get the help reply; no words at all, a nudge. */
function wordlessReason(question: Question): AbstainReason {
  return /\p{L}/u.test(question.asked) ? 'small-talk' : 'empty-question';
}

/** Every document of an index, newest first, with its size and chunk count. */
function summariseDocuments(snapshot: IndexSnapshot): readonly DocumentSummary[] {
  const chunks = new Map<string, number>();
  for (const chunk of snapshot.chunks) chunks.set(chunk.file, (chunks.get(chunk.file) ?? 0) + 1);
  return [...snapshot.documents]
    .sort((left, right) => (right.date ?? '').localeCompare(left.date ?? '') || left.file.localeCompare(right.file))
    .map((document) => ({
      file: document.file,
      title: document.title,
      date: document.date,
      characters: document.raw.length,
      paragraphs: document.paragraphs.length,
      chunks: chunks.get(document.file) ?? 0,
      opening: document.paragraphs.find((paragraph) => paragraph.text !== document.title)?.text ?? '',
    }));
}
