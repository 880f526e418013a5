import { documentSentences, sentencesAround } from '../chunk/chunk.js';
import { type Config } from '../config.js';
import { type Embedder } from '../embed/embedder.js';
import { terms } from '../text/terms.js';
import { loadIndex, type IndexSnapshot } from '../index/store.js';
import { embedderFor, syncOptionsFor } from '../ingest/ingest.js';
import { refreshIndex, syncIndex } from '../ingest/sync.js';
import type { Logger } from '../core/log.js';
import {
  askedThingTerms,
  corroborateByFigures,
  dateTerms,
  distinctiveFigures,
  indexFigures,
  selectQuotes,
  type FigureIndex,
  type Lexicon,
  type QuoteDecision,
  type QuoteSettings,
  type ScoredSentence,
  type SentenceCandidate,
} from './quote.js';
import { contentWords, expandQuery, kindExpansions, synonymExpansions, type ExpansionSettings, type VocabularyWord } from './expand.js';
import { exampleQuestion } from '../core/example.js';
import { RANKING_SETTINGS } from './settings.js';
import {
  dateAffinity,
  fuseRankings,
  rerankPassages,
  roundScore,
  termCoverage,
  type FusedCandidate,
  type FusionWeights,
} from './retrieve.js';
import type { Answer, AnswerEngine, Chunk, CorpusDocument, DocumentSummary, IngestReport, Passage } from '../core/types.js';

/** How many candidates each side retrieves before fusion, and how many passages feed quote selection. */
const CANDIDATES_PER_SIDE = 50;
const PASSAGES_FOR_QUOTES = 5;
/** Share of the second-stage passage score that comes from the passage's best sentence. */
const DEFAULT_RERANK = 0.5;
/** Weight of a WordNet synonym of a question word in the lexical query (0.2–0.5 give the same eval). */
const DEFAULT_SYNONYM_EXPANSION = 0.3;
/** Weight of a corpus term that is a kind of the thing asked for ("which port" → Haiphong; 0.1–0.5 give the same eval). */
const DEFAULT_KIND_EXPANSION = 0.2;
/** A thing asked for with more kinds in the corpus than this is too broad to expand. */
const MAX_KINDS_EXPANDED = 20;
/** Sentences before a candidate that count as its context (news answers often continue them). */
const CONTEXT_SENTENCES = 2;

export interface EngineOptions {
  /** An embedder already loaded (tests, benchmarks); by default the configured model is loaded. */
  readonly embedder?: Embedder;
  readonly fusion?: FusionWeights;
  readonly quote?: Partial<QuoteSettings>;
  /** Near-synonym expansion of the lexical query; null turns it off. */
  readonly expansion?: ExpansionSettings | null;
  /** Weight of WordNet synonyms of the question's words in the lexical query; 0 turns them off. */
  readonly synonymExpansion?: number;
  /** Weight of corpus terms that are a kind of the thing asked for ("which port" → Haiphong) in the lexical query; 0 turns them off. */
  readonly kindExpansion?: number;
  /** Share of a passage's final rank that comes from its best sentence (second stage); 0 keeps the fused order. */
  readonly rerank?: number;
  /** How many of the best passages feed quote selection (default 5). */
  readonly passagesForQuotes?: number;
  /** `ingest` rebuilds an index made by another model instead of refusing it. */
  readonly mode?: 'load' | 'ingest';
}

/** An answer plus the internals behind it, for `eval --explain`. */
export interface ExplainedAnswer {
  readonly answer: Answer;
  readonly candidates: readonly (FusedCandidate & { chunkId: string })[];
  readonly decision: QuoteDecision | null;
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
    private readonly synonymWeight: number,
    private readonly kindWeight: number,
    private readonly rerankShare: number,
    private readonly passagesForQuotes: number,
    /** Below this similarity to every candidate sentence, a short message is small talk even if its words match. */
    private readonly smallTalkSimilarity: number,
    /** The last ingest report (what loading or building the index did). */
    public lastReport: IngestReport,
  ) {}

  /** Load the model and the index, building or refreshing the index when the corpus or settings changed. */
  static async create(config: Config, log: Logger, options: EngineOptions = {}): Promise<Engine> {
    const embedder = options.embedder ?? (await embedderFor(config, log));
    const { snapshot, report } = await syncIndex(syncOptionsFor(config, embedder, log, options.mode ?? 'load'));
    const tuned = RANKING_SETTINGS[embedder.kind];
    const quoteSettings = {
      ...tuned.quote,
      ...options.quote,
      ...(config.answerMinScore === undefined ? {} : { minEvidence: config.answerMinScore }),
    };
    const expansion = options.expansion === undefined ? null : options.expansion;
    const engine = new Engine(
      config,
      embedder,
      snapshot,
      log,
      options.fusion ?? tuned.fusion,
      quoteSettings,
      expansion,
      options.synonymExpansion ?? DEFAULT_SYNONYM_EXPANSION,
      options.kindExpansion ?? DEFAULT_KIND_EXPANSION,
      options.rerank ?? DEFAULT_RERANK,
      options.passagesForQuotes ?? PASSAGES_FOR_QUOTES,
      tuned.smallTalkSimilarity,
      report,
    );
    await engine.prepare(snapshot);
    return engine;
  }

  /**
   * Fill the corpus-wide caches of a snapshot (vocabulary with word vectors, names, document terms,
   * sentences stating figures) before it serves, so the first question after a start or a
   * `/reindex` does not pay for them (0.1 s at the seeds, seconds at thousands of documents).
   */
  private async prepare(snapshot: IndexSnapshot): Promise<void> {
    const started = performance.now();
    snapshot.lexicalIndex.prepareTypoLookup();
    if (this.matchesWordVectors) await this.vocabularyOf(snapshot);
    corpusTermsOf(snapshot);
    documentTermsOf(snapshot);
    figureSentencesOf(snapshot);
    this.log.debug(`Corpus caches ready in ${Math.round(performance.now() - started)} ms`);
  }

  /** Whether single words are matched by their vectors (near-synonyms); only then are word vectors computed. */
  private get matchesWordVectors(): boolean {
    return this.expansion !== null || Math.min(this.quoteSettings.softMatchFrom, this.quoteSettings.evidenceSoftFrom) < 1;
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
    const options = syncOptionsFor(this.config, this.embedder, this.log, 'ingest');
    const refreshed = await refreshIndex(options);
    // Up to date and the very index in use (not one another process rebuilt since): nothing to load.
    const inUse = refreshed.manifest.builtAt === this.snapshot.manifest.builtAt ? this.snapshot : null;
    const snapshot = refreshed.snapshot ?? inUse ?? (await loadIndex(options.indexDir, refreshed.manifest, options.ef));
    const { report } = refreshed;
    // Questions in flight keep the snapshot they started with; new ones see the new index.
    if (snapshot !== this.snapshot) await this.prepare(snapshot);
    this.snapshot = snapshot;
    this.lastReport = report;
    return report;
  }

  async search(query: string, limit: number): Promise<readonly Passage[]> {
    const { passages } = await this.retrieve(normaliseQuestion(query), limit, this.snapshot);
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
      // Words that ask nothing ("who are you?", "what is this") get the help reply; no words at all, a nudge.
      const answer: Answer = {
        question,
        answered: false,
        quotes: [],
        passages: [],
        abstainReason: /\p{L}/u.test(trimmed) ? 'small-talk' : 'empty-question',
        example: newestExample(snapshot),
        timings: { embedMs: 0, searchMs: 0, totalMs: performance.now() - started },
      };
      return { answer, candidates: [], decision: null };
    }
    const normalised = normaliseQuestion(trimmed);
    const retrieved = await this.retrieve(normalised, this.config.searchResults, snapshot);
    const quoteStarted = performance.now();
    const sentences = await this.sentencesOf(retrieved.allPassages.slice(0, this.passagesForQuotes), snapshot);
    const vocabulary = this.matchesWordVectors ? await this.vocabularyOf(snapshot) : new Map<string, Float32Array>();
    const { names, known } = corpusTermsOf(snapshot);
    const cache = cacheOf(snapshot);
    const { thesaurus } = snapshot;
    const lexicon: Lexicon = {
      idf: (term) => snapshot.lexicalIndex.idf(term),
      vectorOf: (term) => vocabulary.get(term) ?? retrieved.questionWordVectors.get(term),
      isName: (term) => names.has(term),
      isKnown: (term) => known.has(term),
      terms: (text) => cachedTerms(cache, text),
      kindsOf: (term) => thesaurus.kindsOf(term),
      synonymsOf: (term) => thesaurus.synonymsOf(term),
      pertainsTo: (term) => thesaurus.pertainsTo(term),
    };
    const view = { text: normalised, vector: retrieved.questionVector, terms: new Set(terms(normalised)) };
    const selected = selectQuotes(view, sentences, lexicon, this.quoteSettings);
    const pool = figureSentencesOf(snapshot);
    const decision = { ...selected, quotes: selected.quotes.map((quote) => corroborateByFigures(quote, normalised, pool)) };
    const passages = this.rerankShare > 0 ? this.rerank(retrieved.allPassages, decision.ranked) : retrieved.allPassages;
    const smallTalk = isSmallTalk(trimmed, decision, names, this.smallTalkSimilarity);
    const answered = decision.answered && !smallTalk;
    const answer: Answer = {
      question,
      answered,
      quotes: answered ? decision.quotes : [],
      passages: smallTalk ? [] : passages.slice(0, this.config.searchResults),
      abstainReason: smallTalk ? 'small-talk' : answered ? null : 'weak-evidence',
      ...(smallTalk ? { example: newestExample(snapshot) } : {}),
      timings: {
        embedMs: retrieved.embedMs,
        searchMs: retrieved.searchMs + (performance.now() - quoteStarted),
        totalMs: performance.now() - started,
      },
    };
    return { answer, candidates: retrieved.candidates, decision };
  }

  /** Reorder the passages that fed quote selection by their best sentence (without its passage feature). */
  private rerank(passages: readonly Passage[], ranked: readonly ScoredSentence[]): Passage[] {
    const head = passages.slice(0, this.passagesForQuotes);
    const best = head.map((passage) => {
      let top = 0;
      for (const sentence of ranked) {
        if (sentence.passage.source !== passage.source || sentence.start < passage.start || sentence.end > passage.end) continue;
        top = Math.max(top, sentence.score - this.quoteSettings.passageWeight * sentence.features.passage);
      }
      return top;
    });
    return rerankPassages(passages, best, this.rerankShare);
  }

  private async retrieve(query: string, limit: number, snapshot: IndexSnapshot) {
    const embedStarted = performance.now();
    const words = contentWords(query);
    // One batch: the question, then each of its words not seen before (for near-synonym matching;
    // a word's vector depends on the word alone, so it is kept for the snapshot).
    const cache = cacheOf(snapshot);
    const unseen = this.matchesWordVectors
      ? [...new Set(words.map((word) => word.word).filter((word) => !cache.wordVectors.has(word)))]
      : [];
    const [questionVector, ...wordVectors] = await this.embedder.embed([query, ...unseen]);
    if (!questionVector) throw new Error('The embedder returned no vector for the question.');
    unseen.forEach((word, index) => remember(cache.wordVectors, word, wordVectors[index] ?? new Float32Array(0)));
    const questionWordVectors = new Map(words.map((word) => [word.term, cache.wordVectors.get(word.word) ?? new Float32Array(0)]));
    const searchStarted = performance.now();
    const expansions = this.expansion
      ? expandQuery(
          words.map((word) => ({ term: word.term, vector: questionWordVectors.get(word.term) ?? new Float32Array(0) })),
          await this.vocabularyWords(snapshot),
          this.expansion,
        )
      : new Map<string, number>();
    const { thesaurus } = snapshot;
    const { names } = corpusTermsOf(snapshot);
    const wordNetExpansions = [
      ...synonymExpansions(terms(query), (term) => thesaurus.synonymsOf(term), this.synonymWeight),
      ...kindExpansions(
        askedThingTerms(query, { isName: (term) => names.has(term) }),
        (term) => thesaurus.kindsOf(term),
        this.kindWeight,
        MAX_KINDS_EXPANDED,
      ),
    ];
    for (const [term, weight] of wordNetExpansions) expansions.set(term, Math.max(expansions.get(term) ?? 0, weight));
    const lexicalHits = snapshot.lexicalIndex.query(query, CANDIDATES_PER_SIDE, expansions);
    const denseHits = snapshot.vectorIndex.search(questionVector, CANDIDATES_PER_SIDE);
    const documents = documentsOf(snapshot);
    const span = cache.dateSpan;
    const questionTerms = new Set(terms(query));
    const documentTerms = documentTermsOf(snapshot);
    const idf = (term: string) => snapshot.lexicalIndex.idf(term);
    const documentCoverage = new Map<string, number>();
    // The date prior depends on the article only: computed once per article and question.
    const affinity = new Map<string, number>();
    const fused = fuseRankings(
      lexicalHits,
      denseHits,
      this.fusion,
      (label) => {
        const file = snapshot.chunks[label]?.file;
        if (file === undefined) return dateAffinity(query, null, span);
        let found = affinity.get(file);
        if (found === undefined) affinity.set(file, (found = dateAffinity(query, documents.get(file)?.date ?? null, span)));
        return found;
      },
      (label) => {
        const file = snapshot.chunks[label]?.file;
        if (!file) return 0;
        let coverage = documentCoverage.get(file);
        if (coverage === undefined) {
          coverage = termCoverage(questionTerms, documentTerms(file), idf);
          documentCoverage.set(file, coverage);
        }
        return coverage;
      },
    );
    const candidates = fused.map((candidate) => ({ ...candidate, chunkId: snapshot.chunks[candidate.label]?.id ?? '?' }));
    // Shown relative to the best passage, in [0, 1] (the fused score's weights add up to more than 1).
    const bestScore = Math.max(1e-9, fused[0]?.score ?? 0);
    const passages: Passage[] = fused.slice(0, Math.max(limit, this.passagesForQuotes)).flatMap((candidate) => {
      const chunk = snapshot.chunks[candidate.label];
      const document = chunk && documents.get(chunk.file);
      if (!chunk || !document) return [];
      const { file: source, paragraph, id: chunkId, start, end, text } = chunk;
      return [
        {
          source,
          title: document.title,
          date: document.date,
          paragraph,
          chunkId,
          start,
          end,
          text,
          score: roundScore(Math.max(0, candidate.score / bestScore)),
        },
      ];
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
      // The documents, not the chunks: chunks overlap, and every word of a chunk is in its document.
      const words = contentWords(snapshot.documents.map((document) => document.raw).join('\n'));
      vocabulary = this.embedder
        .embed(words.map((word) => word.word))
        .then((vectors) => words.map((word, index) => ({ ...word, vector: vectors[index] ?? new Float32Array(0) })));
      this.vocabularies.set(snapshot, vocabulary);
    }
    return vocabulary;
  }

  private readonly vocabularyMaps = new WeakMap<IndexSnapshot, Promise<Map<string, Float32Array>>>();

  /** Each corpus term's word vector (its first word), once per snapshot. */
  private vocabularyOf(snapshot: IndexSnapshot): Promise<Map<string, Float32Array>> {
    let found = this.vocabularyMaps.get(snapshot);
    if (!found) {
      found = this.vocabularyWords(snapshot).then((words) => {
        const byTerm = new Map<string, Float32Array>();
        for (const word of words) if (!byTerm.has(word.term)) byTerm.set(word.term, word.vector);
        return byTerm;
      });
      this.vocabularyMaps.set(snapshot, found);
    }
    return found;
  }

  /**
   * Split passages into sentences (offsets into the document), each with the sentences around it
   * and its vector. A passage's sentences depend on the passage alone: they are split, embedded
   * (passages not seen yet in one batch) and their terms gathered once per snapshot.
   */
  private async sentencesOf(passages: readonly Passage[], snapshot: IndexSnapshot): Promise<SentenceCandidate[]> {
    const cache = cacheOf(snapshot);
    const keyOf = (passage: Passage) => `${passage.source}\u0000${passage.start}\u0000${passage.end}`;
    const missing = new Map<string, Passage>();
    for (const passage of passages) if (!cache.passageSentences.has(keyOf(passage))) missing.set(keyOf(passage), passage);
    if (missing.size > 0) {
      const documents = documentsOf(snapshot);
      const split = [...missing].map(([key, passage]) => {
        const document = documents.get(passage.source);
        return { key, passage, spans: document ? passageSpans(document, passage.start, passage.end) : [] };
      });
      // Sentences embedded at ingest are looked up; only those of an older index are embedded now.
      const stored = snapshot.sentenceVectors;
      const unstored = [...new Set(split.flatMap(({ spans }) => spans.map((span) => span.text)).filter((text) => !stored.get(text)))];
      const embedded = new Map<string, Float32Array>();
      if (unstored.length > 0)
        (await this.embedder.embed(unstored)).forEach((vector, index) => embedded.set(unstored[index] as string, vector));
      const vectorOf = (text: string) => stored.get(text) ?? embedded.get(text) ?? new Float32Array(this.embedder.dimensions);
      for (const { key, passage, spans } of split) {
        const dates = dateTerms(passage.date);
        const withVectors = spans.map((span): PassageSentence => {
          const own = new Set([...cachedTerms(cache, span.text), ...dates]);
          const withPrevious = span.previous ? new Set([...own, ...cachedTerms(cache, span.previous)]) : own;
          const around = span.following ? new Set([...withPrevious, ...cachedTerms(cache, span.following)]) : withPrevious;
          return { ...span, vector: vectorOf(span.text), termSets: { date: passage.date, own, withPrevious, around } };
        });
        remember(cache.passageSentences, key, withVectors, PASSAGE_CACHE_LIMIT);
      }
    }
    const seen = new Set<string>();
    return passages.flatMap((passage, passageRank) =>
      (cache.passageSentences.get(keyOf(passage)) ?? []).flatMap((sentence) => {
        // Overlapping passages share sentences: each is scored once, under its best passage.
        const key = `${passage.source}:${sentence.start}`;
        if (seen.has(key)) return [];
        seen.add(key);
        return [{ passage, passageRank, ...sentence }];
      }),
    );
  }
}

/** A sentence of a passage as cached per snapshot (everything but the passage's score for a question). */
type PassageSentence = Omit<SentenceCandidate, 'passage' | 'passageRank'>;

/** The sentences of a passage (those starting inside it), each with the two before it and the one after it in its paragraph. */
function passageSpans(document: CorpusDocument, start: number, end: number) {
  const documentSentences = sentencesAround(document, start, end);
  return documentSentences.flatMap((sentence, index) => {
    if (sentence.start < start) return [];
    const previous = documentSentences
      .slice(Math.max(0, index - CONTEXT_SENTENCES), index)
      .map((before) => before.text)
      .join(' ');
    const next = documentSentences[index + 1];
    const following = next && next.paragraph === sentence.paragraph ? next.text : '';
    return [{ paragraph: sentence.paragraph, start: sentence.start, end: sentence.end, text: sentence.text, previous, following }];
  });
}

/** What the query path keeps per index snapshot, so repeated work is done once. */
interface SnapshotCache {
  /** Sentences of each passage (by file, start, end), with vectors and term sets. */
  readonly passageSentences: Map<string, readonly PassageSentence[]>;
  /** The vector of a single question word. */
  readonly wordVectors: Map<string, Float32Array>;
  /** Index terms of a text (sentences and their contexts). */
  readonly terms: Map<string, string[]>;
  /** Oldest and newest article dates, for the recency prior. */
  readonly dateSpan: { oldest: string; newest: string } | null;
}

/** Entries kept per cache map before it is cleared (question words and texts are unbounded input). */
const CACHE_LIMIT = 50_000;
/** Passages whose sentences are kept (about 2 KB each with their vectors): a large corpus is not cached whole. */
const PASSAGE_CACHE_LIMIT = 20_000;

function remember<V>(map: Map<string, V>, key: string, value: V, limit = CACHE_LIMIT): void {
  if (map.size >= limit) map.clear();
  map.set(key, value);
}

const snapshotCaches = new WeakMap<IndexSnapshot, SnapshotCache>();

function cacheOf(snapshot: IndexSnapshot): SnapshotCache {
  let cache = snapshotCaches.get(snapshot);
  if (!cache) {
    const dates = snapshot.documents.flatMap((document) => (document.date ? [document.date] : [])).sort();
    cache = {
      passageSentences: new Map(),
      wordVectors: new Map(),
      terms: new Map(),
      dateSpan: dates.length ? { oldest: dates[0] ?? '', newest: dates.at(-1) ?? '' } : null,
    };
    snapshotCaches.set(snapshot, cache);
  }
  return cache;
}

function cachedTerms(cache: SnapshotCache, text: string): string[] {
  let found = cache.terms.get(text);
  if (!found) remember(cache.terms, text, (found = terms(text)));
  return found;
}

/** The example of the newest document (as `/sources` lists them first). */
function newestExample(snapshot: IndexSnapshot): string | undefined {
  const newest = [...snapshot.documents].sort((left, right) => (right.date ?? '').localeCompare(left.date ?? ''))[0];
  return newest ? exampleQuestion(newest.title) : undefined;
}

/** Up to this many words, a message may be small talk ("hi", "ok thanks", "hello there"). */
const SMALL_TALK_MAX_WORDS = 3;

/**
 * A few words that name nothing of the corpus and that the documents do not answer (or that no
 * sentence comes close to in meaning: "hi" is lexically in "hi-tech") are conversation, not a
 * question: they get the help reply, no quote and no passages.
 */
function isSmallTalk(message: string, decision: QuoteDecision, names: ReadonlySet<string>, closenessFloor: number): boolean {
  const words = message.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? [];
  if (words.length > SMALL_TALK_MAX_WORDS || terms(message).some((term) => names.has(term))) return false;
  const closest = Math.max(0, ...decision.ranked.map((sentence) => sentence.features.similarity));
  return !decision.answered || closest < closenessFloor;
}

/** Other names of the same thing, as news articles write it ("America" → "US", "PM" → "Prime Minister"). */
const ALIASES: readonly [RegExp, string][] = [
  [/\bAmerica(?:ns?)?\b/gi, 'US United States'],
  [/\bPMs?\b/g, 'Prime Minister'],
];

export function normaliseQuestion(question: string): string {
  let text = question;
  for (const [pattern, alias] of ALIASES) text = text.replace(pattern, (word) => `${word} ${alias}`);
  return text;
}

const corpusTerms = new WeakMap<IndexSnapshot, { names: Set<string>; known: Set<string> }>();

/**
 * The corpus's names (terms written capitalised in at least 70% of their mid-sentence uses: "Lam",
 * "Dalian", "Chinese") and every term it uses; computed once per index snapshot.
 */
function corpusTermsOf(snapshot: IndexSnapshot): { names: Set<string>; known: Set<string> } {
  let found = corpusTerms.get(snapshot);
  if (!found) {
    const capitalised = new Map<string, number>();
    const lower = new Map<string, number>();
    // Words repeat (Zipf): each distinct word is turned into terms once.
    const termsOfWord = new Map<string, string[]>();
    for (const document of snapshot.documents) {
      for (const paragraph of document.paragraphs) {
        for (const match of paragraph.text.matchAll(/(?<=[^.!?:“"]\s+)[\p{L}\p{M}][\p{L}\p{M}’'-]*/gu)) {
          const word = match[0];
          let wordTerms = termsOfWord.get(word);
          if (!wordTerms) termsOfWord.set(word, (wordTerms = terms(word)));
          for (const term of wordTerms) {
            const counts = /^\p{Lu}/u.test(word) ? capitalised : lower;
            counts.set(term, (counts.get(term) ?? 0) + 1);
          }
        }
      }
    }
    const names = new Set(
      [...capitalised].filter(([term, count]) => count >= 0.7 * (count + (lower.get(term) ?? 0))).map(([term]) => term),
    );
    found = { names, known: new Set(snapshot.lexicalIndex.vocabulary()) };
    corpusTerms.set(snapshot, found);
  }
  return found;
}

const figureSentences = new WeakMap<IndexSnapshot, FigureIndex>();

/** Every sentence of the corpus that states a percentage or an amount, with its citation (for corroboration); once per snapshot. */
function figureSentencesOf(snapshot: IndexSnapshot): FigureIndex {
  let found = figureSentences.get(snapshot);
  if (!found) {
    const chunksByFile = new Map<string, Chunk[]>();
    for (const chunk of snapshot.chunks) chunksByFile.set(chunk.file, [...(chunksByFile.get(chunk.file) ?? []), chunk]);
    const sentences = snapshot.documents.flatMap((document) =>
      documentSentences(document)
        .filter((sentence) => distinctiveFigures(sentence.text).length > 0)
        .map((sentence) => {
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
    found = indexFigures(sentences);
    figureSentences.set(snapshot, found);
  }
  return found;
}

interface TermHolder {
  has(term: string): boolean;
}

const documentTermHolders = new WeakMap<IndexSnapshot, (file: string) => TermHolder>();

/**
 * The index terms of each document: those of its chunks (looked up in the lexical index's
 * postings) and those of the text no chunk covers (headline, dateline: tokenized when first asked,
 * a few words each). Nothing is held per document, so 100,000 documents cost no memory here.
 */
function documentTermsOf(snapshot: IndexSnapshot): (file: string) => TermHolder {
  let found = documentTermHolders.get(snapshot);
  if (!found) {
    const spans = new Map<string, { first: number; last: number; covered: [number, number][] }>();
    snapshot.chunks.forEach((chunk, label) => {
      const span = spans.get(chunk.file);
      if (span) {
        span.last = label;
        span.covered.push([chunk.start, chunk.end]);
      } else spans.set(chunk.file, { first: label, last: label, covered: [[chunk.start, chunk.end]] });
    });
    const documents = documentsOf(snapshot);
    const outside = new Map<string, Set<string>>();
    const outsideTerms = (file: string) => {
      let held = outside.get(file);
      if (!held)
        remember(
          outside,
          file,
          (held = new Set(terms(uncoveredText(documents.get(file)?.raw ?? '', spans.get(file)?.covered ?? [])))),
          OUTSIDE_TERMS_LIMIT,
        );
      return held;
    };
    found = (file) => {
      const span = spans.get(file);
      return {
        has: (term) => outsideTerms(file).has(term) || (span !== undefined && snapshot.lexicalIndex.textHasIn(term, span.first, span.last)),
      };
    };
    documentTermHolders.set(snapshot, found);
  }
  return found;
}

/** Documents whose uncovered words are kept. */
const OUTSIDE_TERMS_LIMIT = 20_000;

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

const documentMaps = new WeakMap<IndexSnapshot, Map<string, CorpusDocument>>();

function documentsOf(snapshot: IndexSnapshot): Map<string, CorpusDocument> {
  let documents = documentMaps.get(snapshot);
  if (!documents) {
    documents = new Map(snapshot.documents.map((document) => [document.file, document]));
    documentMaps.set(snapshot, documents);
  }
  return documents;
}

export function createEngine(config: Config, log: Logger, options: EngineOptions = {}): Promise<Engine> {
  return Engine.create(config, log, options);
}
