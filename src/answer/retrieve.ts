import { getOrInsert } from '../core/maps.js';
import type { Chunk, Passage } from '../core/types.js';
import type { Embedder } from '../embed/embedder.js';
import type { LexicalHit } from '../index/lexical-index.js';
import { documentOfLabel } from '../index/serving-index.js';
import type { Thesaurus } from '../index/thesaurus.js';
import type { VectorHit } from '../index/vector-index.js';
import type { CorpusView } from './corpus-view.js';
import { kindExpansions, synonymExpansions } from './expand.js';
import type { ScoredSentence } from './features.js';
import { dateAffinity, type FusedCandidate, fuseRankings, rerankPassages, roundScore, termCoverage } from './fusion.js';
import type { Question } from './question.js';
import type { CorpusScope } from './scope.js';
import type { RankingSettings, RetrievalSettings } from './settings.js';

/** The passages found for a question, and what was computed on the way (the question's vectors, for quoting). */
export interface Retrieved {
  /** Best first: at least `limit`, and at least the passages that feed quote selection. */
  readonly passages: readonly Passage[];
  /** Every fused candidate with its signals (for `eval --explain`). */
  readonly candidates: readonly (FusedCandidate & { chunkId: string })[];
  readonly questionVector: Float32Array;
  /** Each question word's own vector (empty unless words are matched by their vectors). */
  readonly questionWordVectors: ReadonlyMap<string, Float32Array>;
  readonly embedMs: number;
  readonly searchMs: number;
}

/**
 * Hybrid retrieval: BM25 over the question's terms (with WordNet synonyms and kinds of the thing
 * asked for, weighted below them) and the vector index, fused with the date prior and the share
 * of the question the passage's article covers. Within a scope, both searches skip the chunks
 * outside it (so each still returns its full number of candidates) and the date prior spans the
 * scope's documents.
 */
export async function retrieve(
  question: Question,
  view: CorpusView,
  embedder: Embedder,
  settings: RankingSettings,
  limit: number,
  withWordVectors: boolean,
  scope: CorpusScope | null = null,
): Promise<Retrieved> {
  const { index } = view;
  const { retrieval } = settings;
  const embedStarted = performance.now();
  const { questionVector, questionWordVectors } = await embedQuestion(question, view, embedder, withWordVectors);

  const searchStarted = performance.now();
  const expansions = lexicalExpansions(question, index.thesaurus, retrieval);
  const { search } = index;
  const filter = scope === null ? undefined : scope;
  const [lexicalHits, denseHits] = await Promise.all([
    search.lexical({ text: question.text, terms: question.termList, expansions }, retrieval.candidatesPerSide, filter),
    search.dense(questionVector, retrieval.candidatesPerSide, filter),
  ]);
  const fused = await fuseWithArticlePriors(question, view, scope, lexicalHits, denseHits, settings);
  const shown = fused.slice(0, Math.max(limit, retrieval.passagesForQuotes));
  const chunks = await index.chunks(shown.map((candidate) => candidate.label));
  // Chunks are read for the passages shown only (`eval --explain` prints the first five candidates).
  const candidates = fused.map((candidate) => ({ ...candidate, chunkId: chunks.get(candidate.label)?.id ?? '?' }));
  return {
    passages: passagesOf(shown, chunks, view, fused[0]?.score ?? 0),
    candidates,
    questionVector,
    questionWordVectors,
    embedMs: searchStarted - embedStarted,
    searchMs: performance.now() - searchStarted,
  };
}

/**
 * One batch: the question, then each of its words not seen before (for near-synonym matching;
 * a word's vector depends on the word alone, so it is kept for the snapshot).
 */
async function embedQuestion(
  question: Question,
  view: CorpusView,
  embedder: Embedder,
  withWordVectors: boolean,
): Promise<Pick<Retrieved, 'questionVector' | 'questionWordVectors'>> {
  const unseen = withWordVectors ? [...new Set(question.words.map((word) => word.word).filter((word) => !view.wordVectors.has(word)))] : [];
  const [questionVector, ...wordVectors] = await embedder.embed([question.text, ...unseen]);
  if (!questionVector) throw new Error('The embedder returned no vector for the question.');
  unseen.forEach((word, index) => {
    view.rememberWordVector(word, wordVectors[index] ?? new Float32Array(0));
  });
  const questionWordVectors = new Map(question.words.map((word) => [word.term, view.wordVectors.get(word.word) ?? new Float32Array(0)]));
  return { questionVector, questionWordVectors };
}

/** The WordNet terms added to the lexical query, each with its weight (the larger when a term comes twice). */
function lexicalExpansions(question: Question, thesaurus: Thesaurus, retrieval: RetrievalSettings): Map<string, number> {
  const expansions = new Map<string, number>();
  const wordNetExpansions = [
    ...synonymExpansions(question.termList, (term) => thesaurus.synonymsOf(term), retrieval.synonymWeight),
    ...kindExpansions(question.focus, (term) => thesaurus.kindsOf(term), retrieval.kindWeight, retrieval.maxKinds),
  ];
  for (const [term, weight] of wordNetExpansions) expansions.set(term, Math.max(expansions.get(term) ?? 0, weight));
  return expansions;
}

/** Both searches' hits fused with the two priors of their article: the date prior and the share of the question it covers. */
async function fuseWithArticlePriors(
  question: Question,
  view: CorpusView,
  scope: CorpusScope | null,
  lexicalHits: readonly LexicalHit[],
  denseHits: readonly VectorHit[],
  settings: RankingSettings,
): Promise<FusedCandidate[]> {
  const { index } = view;
  const dateSpan = scope === null ? view.dateSpan : scope.dateSpan;
  const idf = (term: string) => index.terms.idf(term);
  const fileOf = (label: number) => documentOfLabel(index.documents, label)?.file;
  // Which of the question's terms each candidate's article has, asked for all of them at once.
  const files = [...new Set([...lexicalHits, ...denseHits].flatMap((hit) => fileOf(hit.label) ?? []))];
  const articleTerms = await index.documentTerms(files, [...question.terms]);
  // Both priors depend on the article only: computed once per article and question.
  const affinity = new Map<string, number>();
  const coverage = new Map<string, number>();
  return fuseRankings(
    lexicalHits,
    denseHits,
    settings.fusion,
    (label) => {
      const file = fileOf(label);
      if (file === undefined) return dateAffinity(question, null, dateSpan);
      return getOrInsert(affinity, file, () => dateAffinity(question, view.documents.get(file)?.date ?? null, dateSpan));
    },
    (label) => {
      const file = fileOf(label);
      return file ? getOrInsert(coverage, file, () => termCoverage(question.terms, articleTerms.get(file) ?? new Set(), idf)) : 0;
    },
  );
}

/** The candidates shown as passages, scored relative to the best fused score, in [0, 1] (the fused weights add up to more than 1). */
function passagesOf(
  shown: readonly FusedCandidate[],
  chunks: ReadonlyMap<number, Chunk>,
  view: CorpusView,
  bestFusedScore: number,
): Passage[] {
  const bestScore = Math.max(1e-9, bestFusedScore);
  return shown.flatMap((candidate) => {
    const chunk = chunks.get(candidate.label);
    const document = chunk && view.documents.get(chunk.file);
    if (!chunk || !document) return [];
    const { file: source, paragraph, id: chunkId, start, end, text } = chunk;
    const score = roundScore(Math.max(0, candidate.score / bestScore));
    return [{ source, title: document.title, date: document.date, paragraph, chunkId, start, end, text, score }];
  });
}

/**
 * Second stage: reorder the passages that fed quote selection by their best sentence's score
 * without its passage feature (a passage must not lift itself).
 */
export function rerankBySentences(passages: readonly Passage[], ranked: readonly ScoredSentence[], settings: RankingSettings): Passage[] {
  if (settings.retrieval.rerank <= 0) return [...passages];
  const head = passages.slice(0, settings.retrieval.passagesForQuotes);
  const best = head.map((passage) => {
    let top = 0;
    for (const sentence of ranked) {
      if (sentence.passage.source !== passage.source || sentence.start < passage.start || sentence.end > passage.end) continue;
      top = Math.max(top, sentence.score - settings.quote.passageWeight * sentence.features.passage);
    }
    return top;
  });
  return rerankPassages(passages, best, settings.retrieval.rerank);
}
