import { citedFiles, locateAnswer, locateCitation, locateEntries } from './locate.js';
import { wholeQuote } from './whole-quote.js';
import type { Config } from '../config.js';
import type { Logger } from '../core/log.js';
import type {
  AbstainReason,
  Answer,
  AnswerEngine,
  AskOptions,
  CollectionSummary,
  ConversationTurn,
  CorpusDocument,
  DocumentSummary,
  IngestReport,
  Passage,
  ScopeOptions,
  Timeline,
} from '../core/types.js';
import { collectionOf } from '../corpus/collections.js';
import { terms } from '../text/terms.js';
import type { Embedder } from '../embed/embedder.js';
import { loadReranker, type Reranker } from '../embed/reranker.js';
import type { IndexStore } from '../index/index-store.js';
import type { ServingIndex } from '../index/serving-index.js';
import { ingestInChild } from '../ingest/in-child.js';
import { embedderFor, storeFor, syncOptionsFor } from '../ingest/ingest.js';
import { openIndex, refreshIndex, type SyncOptions, serveStoredIndex } from '../ingest/sync.js';
import { candidateSentences } from './candidates.js';
import { countsCarried } from './cues.js';
import { CorpusView } from './corpus-view.js';
import { corroborate } from './corroborate.js';
import { readFollowUp } from './follow-up.js';
import { type ScoredSentence, scoreSentence } from './features.js';
import type { FusedCandidate } from './fusion.js';
import { analyseQuestion, type Question } from './question.js';
import { collectionsOf } from './scope.js';
import { type JudgedSentence, relevanceOf, relevanceTexts, reorderByRelevance } from './relevance.js';
import { rerankBySentences, retrieve } from './retrieve.js';
import { type QuoteDecision, rankSentences, selectQuotes } from './select.js';
import { ENGINE_LIMITS, QUOTING, RANKING_SETTINGS, type RankingOverrides, type RankingSettings, withOverrides } from './settings.js';
import { bestPassagesPerDocument, timelineOf } from './timeline.js';

export interface EngineOptions {
  /** An embedder already loaded (tests, benchmarks); by default the configured model is loaded. */
  readonly embedder?: Embedder;
  /** A cross-encoder already loaded (tests), or null for none; by default the pinned one is loaded (RERANKER). */
  readonly reranker?: Reranker | null;
  /** Ranking settings to use instead of the model's tuned ones (tuning, tests). */
  readonly ranking?: RankingOverrides;
  /**
   * `ingest` rebuilds an index made by another model instead of refusing it; `read` only loads the
   * stored index, never writing it (a shard of the sharded bot: the manager brought it up to date).
   */
  readonly mode?: 'load' | 'ingest' | 'read';
  /** Where the index is kept; by default the configured store (STORE). */
  readonly store?: IndexStore;
  /**
   * Where the index is built when it needs building: `child`, a process that loads its own model and
   * exits when done (the serving process stays small), or `this-process`. By default the configured
   * one (INGEST_IN) when the engine loads its own model, this process when `embedder` is given (a child cannot use it).
   */
  readonly ingestIn?: 'child' | 'this-process';
}

/** An answer plus the internals behind it, for `eval --explain`. */
export interface ExplainedAnswer {
  readonly answer: Answer;
  readonly candidates: readonly (FusedCandidate & { chunkId: string })[];
  readonly decision: QuoteDecision | null;
}

/**
 * The answer engine: one loaded model, one index snapshot (with the view derived from it) swapped
 * whole on reindex. Each question goes: read once → retrieve passages → score their sentences →
 * quote (or abstain) → corroborate → rerank the passages.
 */
export class Engine implements AnswerEngine {
  private constructor(
    private readonly config: Config,
    private readonly embedder: Embedder,
    private readonly reranker: Reranker | null,
    private readonly log: Logger,
    private readonly settings: RankingSettings,
    private view: CorpusView,
    /** The last ingest report (what loading or building the index did). */
    public lastReport: IngestReport,
    private readonly store: IndexStore,
    private readonly ingestIn: 'child' | 'this-process',
    /** Aborted on close: kills an ingest process still running. */
    private readonly closing: AbortController,
  ) {}

  private stopWatching: (() => Promise<void>) | null = null;
  private readonly indexChangeListeners: ((builtAt: string) => void)[] = [];
  private readonly ingestListeners: ((report: IngestReport) => void)[] = [];
  private reindexing = 0;
  private reloading: Promise<boolean> = Promise.resolve(false);
  private readonly summaries = new WeakMap<CorpusView, readonly DocumentSummary[]>();

  /** Load the model and the index, building or refreshing the index when the corpus or settings changed. */
  static async create(config: Config, log: Logger, options: EngineOptions = {}): Promise<Engine> {
    const embedder = options.embedder ?? (await embedderFor(config, log));
    const store = options.store ?? storeFor(config);
    const ingestIn = options.ingestIn ?? (options.embedder ? 'this-process' : config.ingestIn);
    const closing = new AbortController();
    const { index, report } =
      options.mode === 'read'
        ? await serveStoredIndex(store, embedder)
        : await openIndex(ingestOptions(config, embedder, log, options.mode ?? 'load', store, ingestIn, closing.signal));
    const minEvidence = config.answerMinScore === undefined ? {} : { minEvidence: config.answerMinScore };
    const minRelevance = {
      ...minEvidence,
      ...(config.answerMinRelevance === undefined ? {} : { minRelevance: config.answerMinRelevance }),
    };
    const settings = withOverrides(RANKING_SETTINGS[embedder.kind], {
      ...options.ranking,
      quote: { ...options.ranking?.quote, ...minEvidence },
      relevance: { ...options.ranking?.relevance, ...minRelevance },
    });
    const view = openView(index, embedder, settings);
    const reranker =
      options.reranker !== undefined
        ? options.reranker
        : config.reranker && settings.relevance.candidates > 0
          ? await loadReranker({ modelCacheDir: config.modelCacheDir, log })
          : null;
    return new Engine(config, embedder, reranker, log, settings, view, report, store, ingestIn, closing);
  }

  /**
   * Follow a store shared with other processes (STORE=postgres): when a writer commits a new index,
   * load it and answer from it, without a restart. Does nothing for the local store.
   */
  async watchStore(): Promise<void> {
    if (!this.store.watch || this.stopWatching) return;
    this.stopWatching = await this.store.watch(() => {
      this.reload().catch((error: unknown) => this.log.warn(`Could not load the new index: ${(error as Error).message}`));
    }, this.log);
  }

  /** Whether other processes learn of this one's index changes through the store itself (PostgreSQL's NOTIFY). */
  get storeNotifiesChanges(): boolean {
    return this.store.watch !== undefined;
  }

  /** Call `listener` each time this process's `reindex()` starts answering from a new index (the sharded bot tells the other shards). */
  onIndexChange(listener: (builtAt: string) => void): void {
    this.indexChangeListeners.push(listener);
  }

  /** Load the stored index if another process saved a newer one than the one in use; true when it did. */
  reload(): Promise<boolean> {
    // One reload at a time; a notification during one is handled by the next, which reads the newest manifest.
    this.reloading = this.reloading.then(async () => {
      const manifest = await this.store.readManifest();
      if (!manifest || manifest.builtAt === this.view.index.manifest.builtAt) return false;
      if (manifest.model.id !== this.embedder.modelId) {
        this.log.warn(
          `The index in ${this.store.location} is now of the model "${manifest.model.id}", this process runs "${this.embedder.modelId}": keeping the index in use; restart with EMBEDDING_MODEL=${manifest.model.id}.`,
        );
        return false;
      }
      this.view = openView(await this.store.serve(manifest), this.embedder, this.settings);
      this.log.info(`Loaded the index built ${manifest.builtAt} from ${this.store.location}.`);
      return true;
    });
    return this.reloading;
  }

  /** Stop listening and close the store's connections. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.stopWatching?.();
    this.stopWatching = null;
    await this.store.close();
  }

  builtAt(): string {
    return this.view.index.manifest.builtAt;
  }

  /** The full documents of the index in use (raw text and paragraphs), for verification. */
  async corpusDocuments(): Promise<CorpusDocument[]> {
    const { index } = this.view;
    const texts = await index.texts(index.documents.map((document) => document.file));
    return index.documents.flatMap((document) => texts.get(document.file) ?? []);
  }

  get modelId(): string {
    return this.embedder.modelId;
  }

  documents(options: ScopeOptions = {}): readonly DocumentSummary[] {
    // Made once per index in use: autocomplete asks on every keystroke.
    const view = this.view;
    let summaries = this.summaries.get(view);
    if (summaries === undefined) {
      summaries = summariseDocuments(view.index);
      this.summaries.set(view, summaries);
    }
    const scope = view.scope(options.collections);
    return scope === null ? summaries : summaries.filter((summary) => scope.allowsFile(summary.file));
  }

  collections(): readonly CollectionSummary[] {
    return collectionsOf(this.view.index.documents);
  }

  /** Whether a `reindex()` of this process is running (questions are answered from the old index meanwhile). */
  get rebuilding(): boolean {
    return this.reindexing > 0;
  }

  /** Call `listener` with the report of each `reindex()` this process finishes (the dashboard counts them). */
  onIngest(listener: (report: IngestReport) => void): void {
    this.ingestListeners.push(listener);
  }

  async reindex(): Promise<IngestReport> {
    this.reindexing += 1;
    try {
      const report = await this.refreshAndServe();
      for (const listener of this.ingestListeners) listener(report);
      return report;
    } finally {
      this.reindexing -= 1;
    }
  }

  private async refreshAndServe(): Promise<IngestReport> {
    const options = ingestOptions(this.config, this.embedder, this.log, 'ingest', this.store, this.ingestIn, this.closing.signal);
    const refreshed = await refreshIndex(options);
    const current = this.view.index;
    // Up to date and the very index in use (not one another process rebuilt since): nothing to load.
    const inUse = refreshed.manifest.builtAt === current.manifest.builtAt ? current : null;
    const index = inUse ?? (await refreshed.stored.serve());
    // Questions in flight keep the view they started with; new ones see the new index.
    if (index !== current) this.view = openView(index, this.embedder, this.settings);
    this.lastReport = refreshed.report;
    if (index !== current) for (const listener of this.indexChangeListeners) listener(index.manifest.builtAt);
    return refreshed.report;
  }

  async search(query: string, limit: number, options: ScopeOptions = {}): Promise<readonly Passage[]> {
    const view = this.view;
    const retrieved = await retrieve(
      analyseQuestion(query, view),
      view,
      this.embedder,
      this.settings,
      limit,
      matchesWordVectors(this.settings),
      view.scope(options.collections),
    );
    const passages = retrieved.passages.slice(0, limit);
    const documents = await view.index.texts([...new Set(passages.map((passage) => passage.source))]);
    return passages.map((passage) => locateCitation(passage, documents.get(passage.source)));
  }

  /**
   * Each document's best sentence on a topic, read and scored as a question is (the same stages
   * and the same evidence floor), dated ones in date order: see `timelineOf`.
   */
  async timeline(topic: string, limit: number, options: ScopeOptions = {}): Promise<Timeline> {
    const started = performance.now();
    const view = this.view;
    const scope = view.scope(options.collections);
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
      ...(abstainReason === 'weak-evidence' ? {} : { example: view.newestExample(scope) }),
      timings: timings(embedMs),
    });
    if (question.termList.length === 0) return none(wordlessReason(question));
    const { timelinePassages, timelinePassagesPerDocument } = ENGINE_LIMITS;
    const retrieved = await retrieve(question, view, this.embedder, settings, timelinePassages, matchesWordVectors(settings), scope);
    const passages = bestPassagesPerDocument(retrieved.passages, timelinePassagesPerDocument);
    const sentences = await candidateSentences(passages, view, this.embedder, settings.retrieval.contextSentences);
    const lexicon = await view.lexicon(question, sentences, retrieved.questionWordVectors);
    const ranked = rankSentences({ ...question, vector: retrieved.questionVector }, sentences, lexicon, settings.quote);
    const { dated, undated } = timelineOf(ranked, settings.quote, limit);
    const found = dated.length + undated.length > 0;
    if (isSmallTalk(question, { answered: found, ranked }, settings.smallTalkSimilarity)) return none('small-talk', retrieved.embedMs);
    if (!found) return none('weak-evidence', retrieved.embedMs);
    const documents = await view.index.texts([...new Set([...dated, ...undated].map((entry) => entry.source))]);
    const whole = (entries: typeof dated) => entries.map((entry) => wholeQuote(entry, documents.get(entry.source)));
    return {
      topic: question.asked,
      dated: locateEntries(whole(dated), documents),
      undated: locateEntries(whole(undated), documents),
      abstainReason: null,
      timings: timings(retrieved.embedMs),
    };
  }

  async ask(question: string, options: AskOptions = {}): Promise<Answer> {
    const earlier = options.earlier ?? [];
    const scope = options.collections === undefined ? {} : { collections: options.collections };
    if (earlier.length === 0) return (await this.explain(question, scope)).answer;
    return (await this.explainFollowUp(question, earlier, scope)).answer;
  }

  /**
   * Answer a question asked after `earlier` turns of a conversation: a follow-up is answered as read
   * (`readFollowUp`: what it points back to written in), a question that stands alone as asked.
   */
  async explainFollowUp(asked: string, earlier: readonly ConversationTurn[], options: ScopeOptions = {}): Promise<ExplainedAnswer> {
    const followUp = readFollowUp(asked, earlier, this.view);
    if (followUp.reading === null) return this.explain(asked, options);
    if (followUp.implicit) {
      // "ok thanks" in a thread is talk, not a follow-up: answered as small talk, as it would be alone.
      const alone = await this.explain(asked, options);
      if (alone.answer.abstainReason === 'small-talk' || alone.answer.abstainReason === 'empty-question') return alone;
    }
    const carried = followUp.carriedWords === null ? undefined : { words: followUp.carriedWords, readsAlone: followUp.readAs !== null };
    const explained = await this.explain(followUp.text, options, carried);
    const reading = { ...(followUp.readAs === null ? {} : { readAs: followUp.readAs }), followUp: followUp.reading };
    return { ...explained, answer: { ...explained.answer, question: asked.trim(), ...reading } };
  }

  /** The best sentences re-ordered by the cross-encoder's judgement, when one is loaded. */
  private async judged(asked: string, ranked: ScoredSentence[]): Promise<{ ranked: JudgedSentence[]; judged: boolean }> {
    const relevance = this.settings.relevance;
    if (!this.reranker || relevance.candidates === 0 || ranked.length === 0) return { ranked, judged: false };
    const logits = await this.reranker.relevance(asked.trim(), relevanceTexts(ranked, relevance));
    return { ranked: reorderByRelevance(ranked, logits, relevance), judged: true };
  }

  /**
   * Answer a question (from the scope's collections, when given) and keep what led there. `carried`: a follow-up's words
   * taken from the turn before, when it was read with them, and whether the question as read stands alone.
   */
  async explain(asked: string, options: ScopeOptions = {}, carried?: CarriedWords): Promise<ExplainedAnswer> {
    const started = performance.now();
    const view = this.view;
    const scope = view.scope(options.collections);
    const question = analyseQuestion(asked, view);
    if (question.termList.length === 0) {
      const answer: Answer = {
        question: asked,
        answered: false,
        quotes: [],
        passages: [],
        abstainReason: wordlessReason(question),
        example: view.newestExample(scope),
        timings: { embedMs: 0, searchMs: 0, totalMs: performance.now() - started },
      };
      return { answer, candidates: [], decision: null };
    }
    const { settings } = this;
    const limit = this.config.searchResults;
    const retrieved = await retrieve(question, view, this.embedder, settings, limit, matchesWordVectors(settings), scope);
    const quoteStarted = performance.now();
    const forQuotes = retrieved.passages.slice(0, settings.retrieval.passagesForQuotes);
    const sentences = await candidateSentences(forQuotes, view, this.embedder, settings.retrieval.contextSentences);
    const lexicon = await view.lexicon(question, sentences, retrieved.questionWordVectors);
    const embedded = { ...question, vector: retrieved.questionVector };
    const scored = rankSentences(embedded, sentences, lexicon, settings.quote);
    const judged = await this.judged(
      carried === undefined || carried.readsAlone ? asked : `${asked} ${carried.words}`,
      carried === undefined ? scored : withCarriedCounts(scored, question, carried.words, settings),
    );
    // The cross-encoder's floor needs a question that stands alone; else the evidence floor fitted without it decides.
    const relevanceDecides = judged.judged && (carried === undefined || carried.readsAlone);
    const quoteSettings = relevanceDecides ? { ...settings.quote, minEvidence: settings.relevance.minEvidence } : settings.quote;
    const selected = selectQuotes(embedded, sentences, lexicon, quoteSettings, judged.ranked);
    const quotes = await Promise.all(selected.quotes.map((quote) => corroborate(quote, question.figures, view.index, scope)));
    const decision: QuoteDecision = { ...selected, quotes };
    const smallTalk = isSmallTalk(question, decision, settings.smallTalkSimilarity);
    const unknownNames = settings.quote.abstainOnUnknownNames && !smallTalk ? question.unknownNames : [];
    // The same few best sentences that may carry the evidence.
    const relevance = relevanceDecides ? relevanceOf(decision.ranked, QUOTING.evidenceSentences) : null;
    const relevant = relevance === null || relevance >= settings.relevance.minRelevance;
    const answered = decision.answered && relevant && !smallTalk && unknownNames.length === 0;
    const answer: Answer = {
      question: asked,
      answered,
      quotes: answered ? decision.quotes : [],
      passages: smallTalk ? [] : rerankBySentences(retrieved.passages, decision.ranked, settings).slice(0, limit),
      abstainReason: smallTalk ? 'small-talk' : answered ? null : 'weak-evidence',
      ...(smallTalk ? { example: view.newestExample(scope) } : {}),
      ...(unknownNames.length ? { unknownNames } : {}),
      timings: {
        embedMs: retrieved.embedMs,
        searchMs: retrieved.searchMs + (performance.now() - quoteStarted),
        totalMs: performance.now() - started,
      },
    };
    const documents = await view.index.texts(citedFiles(answer));
    const whole = {
      ...answer,
      quotes: answer.quotes.map((quote) => wholeQuote(quote, documents.get(quote.source), settings.quote.withNextSentenceUpTo)),
    };
    return { answer: locateAnswer(whole, documents, question.asksHow), candidates: retrieved.candidates, decision };
  }
}

/** A follow-up's words taken from the turn before, and whether the question as read stands alone ("how old is Lam?"). */
interface CarriedWords {
  readonly words: string;
  readonly readsAlone: boolean;
}

/** How the engine syncs the index: in this process, or building in a child process (the result is then loaded from the store). */
function ingestOptions(
  config: Config,
  embedder: Embedder,
  log: Logger,
  mode: SyncOptions['mode'],
  store: IndexStore,
  ingestIn: 'child' | 'this-process',
  signal: AbortSignal,
): SyncOptions {
  const options = syncOptionsFor(config, embedder, log, mode, store);
  if (ingestIn === 'this-process') return options;
  return { ...options, buildElsewhere: () => ingestInChild(config, embedder.modelId, mode, log, { signal }) };
}

export function createEngine(config: Config, log: Logger, options: EngineOptions = {}): Promise<Engine> {
  return Engine.create(config, log, options);
}

/**
 * "how many of them?": a count in words of what the turn before asked about ("two COMAC C909 planes") is the number asked
 * for (only in a follow-up; see `countsCarried`).
 */
function withCarriedCounts(
  ranked: readonly ScoredSentence[],
  question: Question,
  carried: string,
  settings: RankingSettings,
): ScoredSentence[] {
  if (question.type !== 'number') return [...ranked];
  const words = new Set([...question.terms, ...terms(carried)]);
  return ranked
    .map((sentence) => {
      if (sentence.features.cue || !countsCarried(sentence.text, words)) return sentence;
      const features = { ...sentence.features, cue: true };
      return { ...sentence, features, score: scoreSentence(features, settings.quote) };
    })
    .sort((left, right) => right.score - left.score);
}

/** Whether single words are matched by their vectors (near-synonyms); only then are word vectors computed. */
function matchesWordVectors(settings: RankingSettings): boolean {
  return settings.quote.evidenceSoftFrom < 1;
}

function openView(index: ServingIndex, embedder: Embedder, settings: RankingSettings): CorpusView {
  return new CorpusView(index, embedder, matchesWordVectors(settings));
}

/**
 * A few words that name nothing of the corpus and that the documents do not answer (or that no
 * sentence comes close to in meaning: "hi" is lexically in "hi-tech") are conversation, not a
 * question: they get the help reply, no quote and no passages.
 */
function isSmallTalk(question: Question, decision: Pick<QuoteDecision, 'answered' | 'ranked'>, closenessFloor: number): boolean {
  if (question.wordCount > ENGINE_LIMITS.smallTalkMaxWords || question.namesCorpus) return false;
  const closest = Math.max(0, ...decision.ranked.map((sentence) => sentence.features.similarity));
  return !decision.answered || closest < closenessFloor;
}

/** Words that ask nothing ("who are you?", "what is this") get the help reply; no words at all, a nudge. */
function wordlessReason(question: Question): AbstainReason {
  return /\p{L}/u.test(question.asked) ? 'small-talk' : 'empty-question';
}

/** Every document of an index, newest first, with its size and chunk count. */
function summariseDocuments(index: ServingIndex): readonly DocumentSummary[] {
  return [...index.documents]
    .sort((left, right) => (right.date ?? '').localeCompare(left.date ?? '') || left.file.localeCompare(right.file))
    .map(({ file, title, date, characters, paragraphs, chunks, opening }) => ({
      file,
      collection: collectionOf(file),
      title,
      date,
      characters,
      paragraphs,
      chunks,
      opening,
    }));
}
