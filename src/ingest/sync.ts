import { createHash } from 'node:crypto';
import type { Chunk, CorpusDocument, IngestReport } from '../core/types.js';
import { chunkDocument, embeddingText, type ChunkerSettings } from '../chunk/chunk.js';
import { type HashedFile, readCorpus, readCorpusHashes, type SkippedFile } from '../corpus/read.js';
import type { Embedder } from '../embed/embedder.js';
import type { Logger } from '../core/log.js';
import { DEFAULT_LEXICAL, LexicalIndex, type LexicalSettings } from '../index/lexical-index.js';
import { type IndexStore, type StoredIndex, storedIndex } from '../index/index-store.js';
import type { ServingIndex } from '../index/serving-index.js';
import { createProgress, SILENT_PROGRESS, type Progress } from './progress.js';
import { ResumeLog } from './resume.js';
import { SentenceVectors } from '../index/sentence-vectors.js';
import { tokenize } from '../text/terms.js';
import { DEFAULT_THESAURUS, type ThesaurusSettings } from '../index/lexical-settings.js';
import { readWordNet, Thesaurus } from '../index/thesaurus.js';
import { INDEX_FORMAT_VERSION, IndexError, type IndexSnapshot, type Manifest } from '../index/store.js';
import {
  DEFAULT_HNSW,
  EXACT_SEARCH_MAX_CHUNKS,
  ExactVectorIndex,
  VectorIndex,
  type HnswSettings,
  type VectorSearch,
} from '../index/vector-index.js';

/** Everything that shapes what is stored; a change in any of it means a rebuild. */
export interface IndexSettings {
  readonly chunker: ChunkerSettings;
  readonly hnsw: Omit<HnswSettings, 'ef'>;
  readonly lexical: LexicalSettings;
  readonly thesaurus: ThesaurusSettings;
}

export const DEFAULT_INDEX_SETTINGS: Omit<IndexSettings, 'chunker'> = {
  hnsw: DEFAULT_HNSW,
  lexical: DEFAULT_LEXICAL,
  thesaurus: DEFAULT_THESAURUS,
};

export interface SyncOptions {
  readonly corpusDir: string;
  /** Where the index is read and written; it holds the settings the index is searched with. */
  readonly store: IndexStore;
  /** A local folder beside which an interrupted build's vectors wait (`<resumeDir>.partial/`, the resume log). */
  readonly resumeDir: string;
  readonly embedder: Embedder;
  readonly settings: IndexSettings;
  readonly log: Logger;
  /**
   * `load`: use the saved index, rebuilding when seeds or settings changed, refusing one built by another model.
   * `ingest`: the same, but an index of another model is rebuilt with the configured one.
   */
  readonly mode: 'load' | 'ingest';
  /**
   * Models whose indexes replace each other without asking, even in `load` mode: the sentence
   * model and the fallback the program switches to when it is missing (the user changed nothing).
   */
  readonly interchangeableModels?: readonly string[];
  /** Progress display for long stages; by default a bar on stderr for stages of 2,000+ items. */
  readonly progress?: StartProgress;
  /** Chunks embedded between two saves of partial work (default 512). */
  readonly embedGroupChunks?: number;
  /**
   * When the index needs building, build it there instead (a child process that saves it: `ingestInChild`)
   * and return what was saved; the caller then reads the saved index from the store.
   */
  readonly buildElsewhere?: () => Promise<RefreshOutcome>;
  /**
   * Embed the missing vectors as jobs elsewhere (workers on a queue: `npm run ingest -- --workers N`);
   * the build then reads them as known vectors and embeds nothing itself.
   */
  readonly jobEmbedding?: JobEmbedding;
}

/** One embedding job: its texts embedded in one call (as one group of `buildSnapshot`), cut into one matrix per entry. */
export interface EmbedJob {
  /** Keyed as the resume log is: a document's content hash (its chunks), or `sentencesKey` of it (its sentences). */
  readonly entries: readonly { readonly key: string; readonly texts: readonly string[] }[];
  /** Chunks among the texts (for progress). */
  readonly chunks: number;
}

/** Where the jobs of an ingest are embedded; `vectorKey` names everything that makes vectors compatible. */
export interface JobEmbedding {
  /** Have the jobs embedded and return every entry's matrix (rows × dimensions) by key. */
  embed(jobs: readonly EmbedJob[], vectorKey: string, progress: Progress): Promise<ReadonlyMap<string, Float32Array>>;
  /** The index is saved: the vectors kept for it can go. */
  discard(vectorKey: string): Promise<void>;
}

/** The resume log's key for a document's sentence vectors (its chunks' are under the content hash itself); a hash too, as the log's records want. */
export function sentencesKey(contentHash: string): string {
  return createHash('sha256').update(`sentences\0${contentHash}`).digest('hex');
}

/** Starts the progress display of one stage. */
type StartProgress = (label: string, total: number, unit: string) => Progress;

/** Chunks embedded between two appends to the resume log (and two progress updates). */
const EMBED_GROUP = 512;

export interface SyncResult {
  readonly snapshot: IndexSnapshot;
  readonly report: IngestReport;
  /** Chunks embedded by this call (0 when the index was up to date). */
  readonly embedded: number;
  /** Sentences embedded by this call (for quoting; reused by text when unchanged). */
  readonly embeddedSentences: number;
  /** Time per stage, for the benchmark. */
  readonly stagesMs: Record<string, number>;
}

/** Bring the saved index in line with the corpus folder and settings, and load it. */
export async function syncIndex(options: SyncOptions): Promise<SyncResult> {
  // Loading reads every index file and reports damage itself: no checksum pass first.
  const { stored, manifest: _manifest, ...refreshed } = await refresh(options, false);
  const loadStarted = performance.now();
  const snapshot = await stored.load();
  const loadMs = performance.now() - loadStarted;
  const report = { ...refreshed.report, durationMs: refreshed.report.durationMs + loadMs };
  return { ...refreshed, snapshot, report, stagesMs: { ...refreshed.stagesMs, 'load index': loadMs } };
}

/** Bring the saved index in line with the corpus folder and settings, and open it for answering. */
export async function openIndex(options: SyncOptions): Promise<{ index: ServingIndex; report: IngestReport }> {
  const { stored, report } = await refresh(options, false);
  const loadStarted = performance.now();
  const index = await stored.serve();
  return { index, report: { ...report, durationMs: report.durationMs + performance.now() - loadStarted } };
}

/**
 * Bring the saved index in line with the corpus folder and settings without loading an index that
 * is already up to date (`npm run ingest` on an unchanged corpus only reads and hashes it).
 */
export function refreshIndex(options: SyncOptions): Promise<RefreshResult> {
  return refresh(options, true);
}

/** What a refresh did, in plain values (a build in another process sends them back). */
export type RefreshOutcome = Omit<SyncResult, 'snapshot'> & { readonly manifest: Manifest };

export interface RefreshResult extends RefreshOutcome {
  /** The index now stored (just built, or already there), opened when asked. */
  readonly stored: StoredIndex;
}

/** Where the time of a refresh goes, stage by stage. */
interface StageTimer {
  readonly started: number;
  readonly stagesMs: Record<string, number>;
  /** The time since the last lap goes to `stage`. */
  lap(stage: string): void;
}

function startStageTimer(): StageTimer {
  const started = performance.now();
  const stagesMs: Record<string, number> = {};
  let stageStart = started;
  const lap = (stage: string) => {
    const now = performance.now();
    stagesMs[stage] = (stagesMs[stage] ?? 0) + now - stageStart;
    stageStart = now;
  };
  return { started, stagesMs, lap };
}

/** `lock`: held by this call's caller, which took it once it knew the index needs building. */
async function refresh(
  options: SyncOptions,
  checkFiles: boolean,
  lock: { release(): Promise<void> } | null = null,
): Promise<RefreshResult> {
  const timer = startStageTimer();
  const { store } = options;
  // Hashes first: a current index is known from them, and the texts are read only to build.
  const hashed = await readCorpusHashes(options.corpusDir);
  timer.lap('read corpus');
  const previous = await store.readManifest();
  const current = skipRefusedAgain(hashed, previous);
  const changes = changesSince(previous, current.documents);
  refuseOtherModel(options, previous);
  let staleReason = whyStale(previous, options.embedder, options.settings, changes);
  if (previous && staleReason === null && checkFiles) {
    // Not loaded, so checked: `npm run ingest` is what a damaged index tells the user to run.
    staleReason = await store.checkStored(previous);
    timer.lap('check index files');
  }
  if (previous && staleReason === null) {
    warnSkipped(options, current.skipped);
    const report = makeReport(false, 'up to date', changes, previous, timer.started, current.skipped);
    const stored = storedIndex(store, previous);
    return { stored, manifest: previous, report, embedded: 0, embeddedSentences: 0, stagesMs: timer.stagesMs };
  }

  if (options.buildElsewhere) {
    const built = await options.buildElsewhere();
    return { ...built, stored: storedIndex(store, built.manifest) };
  }
  if (!lock) {
    // One writer at a time; whoever waited looks again, since the other may have built what is needed.
    const held = await store.lockForWriting(options.log);
    try {
      return await refresh(options, checkFiles, held);
    } finally {
      await held.release();
    }
  }
  return rebuild(options, previous, staleReason ?? 'rebuilt', timer);
}

/** The corpus's files as hashed, less those a reader refused at the last build and unchanged since: skipped again, they are no news. */
function skipRefusedAgain(
  hashed: { documents: readonly HashedFile[]; skipped: readonly SkippedFile[] },
  previous: Manifest | null,
): { documents: HashedFile[]; skipped: SkippedFile[] } {
  const refusedBefore = (document: HashedFile) => previous?.unreadable?.[document.file]?.[0] === document.contentHash;
  return {
    documents: hashed.documents.filter((document) => !refusedBefore(document)),
    skipped: [
      ...hashed.skipped,
      ...hashed.documents.filter(refusedBefore).map((document) => ({
        file: document.file,
        reason: previous?.unreadable?.[document.file]?.[1] ?? 'unreadable',
      })),
    ],
  };
}

function changesSince(previous: Manifest | null, documents: readonly HashedFile[]): SeedChanges {
  return diffSeeds(previous?.seeds ?? {}, Object.fromEntries(documents.map((document) => [document.file, document.contentHash])));
}

function warnSkipped({ log, corpusDir }: SyncOptions, skipped: readonly SkippedFile[]): void {
  for (const { file, reason } of skipped) log.warn(`Skipped ${file} in ${corpusDir}: ${reason}.`);
}

/** In `load` mode an index of another model is refused, unless the two models replace each other without asking. */
function refuseOtherModel({ embedder, mode, interchangeableModels = [], store }: SyncOptions, previous: Manifest | null): void {
  if (!previous || previous.model.id === embedder.modelId || mode !== 'load') return;
  if (interchangeableModels.includes(previous.model.id) && interchangeableModels.includes(embedder.modelId)) return;
  throw new IndexError(
    `The index in ${store.location} was built with the model "${previous.model.id}" (${previous.model.dimensions} dimensions), ` +
      `but EMBEDDING_MODEL is "${embedder.modelId}". Run \`npm run ingest\` to rebuild it with "${embedder.modelId}", ` +
      `or set EMBEDDING_MODEL=${previous.model.id}.`,
  );
}

/** Read the corpus, embed what neither the stored index nor an interrupted build has, build and save (the writer's lock is held). */
async function rebuild(options: SyncOptions, previous: Manifest | null, reason: string, timer: StageTimer): Promise<RefreshResult> {
  const { store, embedder, log } = options;
  const { documents, skipped } = await readCorpus(options.corpusDir);
  timer.lap('read corpus');
  const changes = changesSince(previous, documents);
  warnSkipped(options, skipped);
  log.info(`Building the index (${reason}) from ${documents.length} documents in ${options.corpusDir}…`);
  const vectorKey = {
    model: embedder.modelId,
    revision: embedder.revision,
    dimensions: embedder.dimensions,
    chunker: options.settings.chunker,
    formatVersion: INDEX_FORMAT_VERSION,
  };
  const { known, knownSentences, resumeLog } = await knownVectors(options, previous, documents, vectorKey);
  const progress = options.progress ?? ((label, total, unit) => createProgress(label, total, unit));
  const groupChunks = options.embedGroupChunks ?? EMBED_GROUP;
  const vectorKeyId = createHash('sha256').update(JSON.stringify(vectorKey)).digest('hex');
  const byWorkers = await embedAsJobs(options, documents, known, knownSentences, { vectorKeyId, progress, groupChunks, lap: timer.lap });
  const { ef, exactSearchMaxChunks } = store.vectorSearch;
  const built = await buildSnapshot(documents, embedder, options.settings, ef, {
    known,
    knownSentences,
    onEmbedded: (entries) => resumeLog.append(entries),
    progress,
    embedGroupChunks: groupChunks,
    unreadable: skipped,
    exactSearchMaxChunks,
    lap: timer.lap,
  });
  const stored = await store.save(built.snapshot, built.vectors);
  timer.lap('save');
  await resumeLog.discard();
  await options.jobEmbedding?.discard(vectorKeyId);
  const { snapshot, embedded, embeddedSentences } = built;
  const report = makeReport(true, reason, changes, snapshot.manifest, timer.started, skipped);
  log.info(
    `Indexed ${snapshot.chunks.length} chunks (${embedded} embedded${options.jobEmbedding ? ` here, ${byWorkers} by queue workers` : ''}, ${snapshot.chunks.length - embedded - byWorkers} reused) and ${snapshot.sentenceVectors.size} sentences (${embeddedSentences} embedded) in ${Math.round(report.durationMs)} ms.`,
  );
  return { stored, manifest: snapshot.manifest, report, embedded, embeddedSentences, stagesMs: timer.stagesMs };
}

/**
 * Vectors this build need not embed, by content hash: the stored index's (same model and chunker)
 * and an interrupted build's, from the resume log this build appends to.
 */
async function knownVectors(
  { store, embedder, settings, log, resumeDir }: SyncOptions,
  previous: Manifest | null,
  documents: readonly CorpusDocument[],
  vectorKey: unknown,
): Promise<{ known: Map<string, Float32Array>; knownSentences: SentenceVectors | null; resumeLog: ResumeLog }> {
  const sameVectors =
    previous !== null &&
    previous.model.id === embedder.modelId &&
    previous.model.revision === embedder.revision &&
    sameJson(previous.settings.chunker, settings.chunker);
  const known = sameVectors ? await store.reusableVectors(embedder.dimensions) : new Map<string, Float32Array>();
  const knownSentences = sameVectors ? await store.reusableSentenceVectors(embedder.dimensions) : null;
  const resume = await ResumeLog.open(resumeDir, vectorKey, embedder.dimensions);
  const resumed = documents.filter((document) => resume.vectors.has(document.contentHash) && !known.has(document.contentHash)).length;
  if (resumed > 0) log.info(`Resuming an interrupted ingest: ${resumed} documents were already embedded.`);
  for (const [hash, matrix] of resume.vectors) if (!known.has(hash)) known.set(hash, matrix);
  return { known, knownSentences, resumeLog: resume.log };
}

/** With job embedding, have the missing vectors embedded on the queue and add them to `known`; returns the chunks the workers embedded. */
async function embedAsJobs(
  { jobEmbedding, settings, embedder, log }: SyncOptions,
  documents: readonly CorpusDocument[],
  known: Map<string, Float32Array>,
  knownSentences: SentenceVectors | null,
  run: { readonly vectorKeyId: string; readonly progress: StartProgress; readonly groupChunks: number; lap(stage: string): void },
): Promise<number> {
  if (!jobEmbedding) return 0;
  const jobs = planEmbedJobs(documents, settings, embedder.dimensions, known, knownSentences, run.groupChunks);
  if (jobs.length === 0) return 0;
  const total = jobs.reduce((sum, job) => sum + job.chunks, 0);
  log.info(`Embedding ${total} chunks as ${jobs.length} jobs on the queue…`);
  const embedded = await jobEmbedding.embed(jobs, run.vectorKeyId, run.progress('embedding (jobs)', total, 'chunks'));
  for (const [key, matrix] of embedded) known.set(key, matrix);
  run.lap('embed (jobs)');
  return total;
}

export interface BuildOptions {
  /** Files of the corpus folder that were not read; those a reader refused are remembered in the manifest. */
  readonly unreadable?: readonly SkippedFile[];
  /** Vectors already known, by document content hash (rows in chunk order). */
  readonly known?: ReadonlyMap<string, Float32Array>;
  /** Sentence vectors already known (those of the previous index, same model). */
  readonly knownSentences?: SentenceVectors | null;
  /** Called after each group of documents is embedded (the resume log). */
  readonly onEmbedded?: (entries: { hash: string; matrix: Float32Array }[]) => Promise<void>;
  readonly progress?: StartProgress;
  readonly embedGroupChunks?: number;
  readonly exactSearchMaxChunks?: number;
  /** Called at the end of each stage with its name (for timings). */
  readonly lap?: (stage: string) => void;
}

/** The files a reader refused, for the manifest (absent when there are none, as before). */
function unreadableOf(skipped: readonly SkippedFile[]): Pick<Manifest, 'unreadable'> {
  const refused = skipped.flatMap(({ file, reason, contentHash }) =>
    contentHash ? [[file, [contentHash, reason] as [string, string]] as const] : [],
  );
  return refused.length ? { unreadable: Object.fromEntries(refused) } : {};
}

/**
 * The embedding `buildSnapshot` would do, as jobs: the same groups of whole documents of about
 * `groupChunks` chunks, each group's texts (chunks, then sentences, document by document) in one job,
 * so a job embeds exactly the batches the single process embeds and its vectors are the same.
 */
export function planEmbedJobs(
  documents: readonly CorpusDocument[],
  settings: IndexSettings,
  dimensions: number,
  known: ReadonlyMap<string, Float32Array>,
  knownSentences: SentenceVectors | null,
  groupChunks: number,
): EmbedJob[] {
  const pending = documents.flatMap((document) => {
    const chunks = chunkDocument(document, settings.chunker);
    const chunkMatrix = known.get(document.contentHash);
    const needsChunks = !(chunkMatrix && chunkMatrix.length === chunks.length * dimensions);
    const sentenceTexts = SentenceVectors.textsOf(document);
    const sentenceMatrix = known.get(sentencesKey(document.contentHash)) ?? knownSentences?.matrixFor(document);
    const needsSentences = !(sentenceMatrix && sentenceMatrix.length === sentenceTexts.length * dimensions);
    if (!needsChunks && !needsSentences) return [];
    const entries: EmbedJob['entries'][number][] = [];
    if (needsChunks) entries.push({ key: document.contentHash, texts: chunks.map((chunk) => embeddingText(document, chunk)) });
    if (needsSentences) entries.push({ key: sentencesKey(document.contentHash), texts: sentenceTexts });
    return [{ entries, chunks: needsChunks ? chunks.length : 0 }];
  });
  const jobs: EmbedJob[] = [];
  for (let cursor = 0; cursor < pending.length; ) {
    const entries: EmbedJob['entries'][number][] = [];
    let chunks = 0;
    while (cursor < pending.length && (chunks < groupChunks || entries.length === 0)) {
      const next = pending[cursor++] as (typeof pending)[number];
      entries.push(...next.entries);
      chunks += next.chunks;
    }
    jobs.push({ entries, chunks });
  }
  return jobs;
}

/** Embed one job's texts in one call and cut the vectors into its entries' matrices (what a queue worker does). */
export async function embedJob(job: EmbedJob, embedder: Embedder): Promise<{ key: string; matrix: Float32Array }[]> {
  const vectors = await embedder.embed(job.entries.flatMap((entry) => entry.texts));
  let row = 0;
  return job.entries.map(({ key, texts }) => {
    const matrix = new Float32Array(texts.length * embedder.dimensions);
    for (let part = 0; part < texts.length; part++) matrix.set(vectors[row++] as Float32Array, part * embedder.dimensions);
    return { key, matrix };
  });
}

/** Chunk, embed (reusing known vectors) and index the documents. */
export async function buildSnapshot(
  documents: readonly CorpusDocument[],
  embedder: Embedder,
  settings: IndexSettings,
  ef: number,
  options: BuildOptions = {},
): Promise<{ snapshot: IndexSnapshot; vectors: Float32Array[]; embedded: number; embeddedSentences: number }> {
  const { dimensions } = embedder;
  const progressOf = options.progress ?? (() => SILENT_PROGRESS);
  const lap = options.lap ?? (() => {});
  lap('reuse vectors');
  const perDocument = documents.map((document) => chunkDocument(document, settings.chunker));
  lap('chunk');
  const matrices = knownMatrices(documents, perDocument, dimensions, options);
  const { embeddedChunks, embeddedSentences } = await embedMissing(documents, matrices, embedder, { ...options, progress: progressOf });
  lap('embed');
  const sentenceVectors = SentenceVectors.fromMatrices(documents, matrices.sentences as Float32Array[], dimensions);
  const chunks = perDocument.flat();
  const vectors = (matrices.chunks as Float32Array[]).flatMap((matrix) => rowsOf(matrix, dimensions));
  const manifest: Manifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    model: { id: embedder.modelId, revision: embedder.revision, dimensions },
    settings: { ...settings },
    seeds: Object.fromEntries(documents.map((document) => [document.file, document.contentHash])),
    ...unreadableOf(options.unreadable ?? []),
    builtAt: new Date().toISOString(),
    chunks: chunks.length,
  };
  const lexicalIndex = await buildLexicalIndex(documents, chunks, settings.lexical, progressOf);
  lap('lexical index');
  const words = new Set<string>();
  for (const document of documents) for (const word of tokenize(document.raw)) words.add(word);
  const thesaurus = Thesaurus.build(await readWordNet(), words, (term) => lexicalIndex.hasTerm(term), settings.thesaurus);
  lap('thesaurus');
  const exactUpTo = options.exactSearchMaxChunks ?? EXACT_SEARCH_MAX_CHUNKS;
  const vectorIndex = await buildVectorIndex(vectors, dimensions, { ...settings.hnsw, ef }, exactUpTo, progressOf);
  lap('vector index');
  return {
    snapshot: { manifest, documents, chunks, vectorIndex, lexicalIndex, thesaurus, sentenceVectors },
    vectors,
    embedded: embeddedChunks,
    embeddedSentences,
  };
}

/**
 * Each document's two matrices, one row per text: its chunks' vectors (for retrieval) and its
 * sentences' (for quoting); undefined until embedded.
 */
interface DocumentMatrices {
  readonly chunkTexts: readonly (readonly Chunk[])[];
  readonly sentenceTexts: readonly (readonly string[])[];
  readonly chunks: (Float32Array | undefined)[];
  readonly sentences: (Float32Array | undefined)[];
}

/** Both matrices of each document as far as they are known by content hash, from the previous index or an interrupted ingest. */
function knownMatrices(
  documents: readonly CorpusDocument[],
  perDocument: readonly (readonly Chunk[])[],
  dimensions: number,
  { known, knownSentences }: Pick<BuildOptions, 'known' | 'knownSentences'>,
): DocumentMatrices {
  const sentenceTexts = documents.map((document) => SentenceVectors.textsOf(document));
  // A matrix of another shape (other chunking, other sentences) is of other texts: embedded again.
  const ifRows = (matrix: Float32Array | undefined, rows: number) => (matrix && matrix.length === rows * dimensions ? matrix : undefined);
  return {
    chunkTexts: perDocument,
    sentenceTexts,
    chunks: documents.map((document, index) => ifRows(known?.get(document.contentHash), (perDocument[index] as Chunk[]).length)),
    sentences: documents.map((document, index) =>
      ifRows(
        known?.get(sentencesKey(document.contentHash)) ?? knownSentences?.matrixFor(document),
        (sentenceTexts[index] as string[]).length,
      ),
    ),
  };
}

/**
 * Embed the matrices still missing, in groups of whole documents of about `embedGroupChunks`
 * chunks: embedded together, handed to `onEmbedded` together (the resume log).
 */
async function embedMissing(
  documents: readonly CorpusDocument[],
  matrices: DocumentMatrices,
  embedder: Embedder,
  options: BuildOptions & { readonly progress: StartProgress },
): Promise<{ embeddedChunks: number; embeddedSentences: number }> {
  const chunksToEmbed = (index: number) => (matrices.chunks[index] ? 0 : (matrices.chunkTexts[index] as Chunk[]).length);
  const missing = documents.flatMap((_, index) => (matrices.chunks[index] && matrices.sentences[index] ? [] : [index]));
  const missingChunks = missing.reduce((sum, index) => sum + chunksToEmbed(index), 0);
  const progress = options.progress('embedding', missingChunks, 'chunks');
  const groupSize = options.embedGroupChunks ?? EMBED_GROUP;
  let embeddedChunks = 0;
  let embeddedSentences = 0;
  for (let cursor = 0; cursor < missing.length; ) {
    const group: number[] = [];
    let groupChunks = 0;
    while (cursor < missing.length && (groupChunks < groupSize || group.length === 0)) {
      const index = missing[cursor++] as number;
      group.push(index);
      groupChunks += chunksToEmbed(index);
    }
    const embedded = await embedGroup(documents, matrices, group, embedder);
    embeddedSentences += embedded.sentences;
    await options.onEmbedded?.(embedded.entries);
    embeddedChunks += groupChunks;
    progress.update(embeddedChunks);
  }
  progress.finish();
  return { embeddedChunks, embeddedSentences };
}

/** Embed one group's missing texts in one call and fill in their matrices; returns them keyed as the resume log keys them. */
async function embedGroup(
  documents: readonly CorpusDocument[],
  matrices: DocumentMatrices,
  group: readonly number[],
  embedder: Embedder,
): Promise<{ entries: { hash: string; matrix: Float32Array }[]; sentences: number }> {
  const { dimensions } = embedder;
  const texts = group.flatMap((index) => {
    const document = documents[index] as CorpusDocument;
    const chunkTexts = matrices.chunks[index] ? [] : (matrices.chunkTexts[index] as Chunk[]).map((chunk) => embeddingText(document, chunk));
    return [...chunkTexts, ...(matrices.sentences[index] ? [] : (matrices.sentenceTexts[index] as string[]))];
  });
  const vectors = await embedder.embed(texts);
  let row = 0;
  const takeRows = (count: number) => {
    const matrix = new Float32Array(count * dimensions);
    for (let part = 0; part < count; part++) matrix.set(vectors[row++] as Float32Array, part * dimensions);
    return matrix;
  };
  let sentences = 0;
  const entries = group.flatMap((index) => {
    const hash = (documents[index] as CorpusDocument).contentHash;
    const embedded: { hash: string; matrix: Float32Array }[] = [];
    if (!matrices.chunks[index]) {
      const matrix = takeRows((matrices.chunkTexts[index] as Chunk[]).length);
      matrices.chunks[index] = matrix;
      embedded.push({ hash, matrix });
    }
    if (!matrices.sentences[index]) {
      const count = (matrices.sentenceTexts[index] as string[]).length;
      const matrix = takeRows(count);
      matrices.sentences[index] = matrix;
      embedded.push({ hash: sentencesKey(hash), matrix });
      sentences += count;
    }
    return embedded;
  });
  return { entries, sentences };
}

/** A matrix's rows, as views into it. */
function rowsOf(matrix: Float32Array, dimensions: number): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let row = 0; row < matrix.length / dimensions; row++) rows.push(matrix.subarray(row * dimensions, (row + 1) * dimensions));
  return rows;
}

async function buildLexicalIndex(
  documents: readonly CorpusDocument[],
  chunks: readonly Chunk[],
  settings: LexicalSettings,
  progressOf: StartProgress,
): Promise<LexicalIndex> {
  const titles = new Map(documents.map((document) => [document.file, document.title]));
  const progress = progressOf('lexical index', chunks.length, 'chunks');
  const lexicalIndex = await LexicalIndex.buildAsync(
    chunks.map((chunk, label) => ({ label, text: chunk.text, title: titles.get(chunk.file) ?? '', section: chunk.section })),
    settings,
    (done) => progress.update(done),
  );
  progress.finish();
  return lexicalIndex;
}

/** Exact search up to `exactUpTo` vectors (no graph to build), an HNSW graph above. */
async function buildVectorIndex(
  vectors: readonly Float32Array[],
  dimensions: number,
  hnsw: HnswSettings,
  exactUpTo: number,
  progressOf: StartProgress,
): Promise<VectorSearch> {
  if (vectors.length <= exactUpTo) return ExactVectorIndex.fromVectors(vectors, dimensions);
  const progress = progressOf('hnsw graph', vectors.length, 'vectors');
  const graph = await VectorIndex.buildAsync(vectors, dimensions, hnsw, (done) => progress.update(done));
  progress.finish();
  return graph;
}

interface SeedChanges {
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
}

function diffSeeds(before: Record<string, string>, after: Record<string, string>): SeedChanges {
  const added = Object.keys(after).filter((file) => !(file in before));
  const changed = Object.keys(after).filter((file) => file in before && before[file] !== after[file]);
  const removed = Object.keys(before).filter((file) => !(file in after));
  return { added, changed, removed };
}

function whyStale(previous: Manifest | null, embedder: Embedder, settings: IndexSettings, changes: SeedChanges): string | null {
  if (!previous) return 'no index yet';
  if (previous.formatVersion !== INDEX_FORMAT_VERSION) return `index format ${previous.formatVersion} → ${INDEX_FORMAT_VERSION}`;
  if (previous.model.id !== embedder.modelId) return `model ${previous.model.id} → ${embedder.modelId}`;
  if (previous.model.dimensions !== embedder.dimensions) return `${previous.model.dimensions} → ${embedder.dimensions} dimensions`;
  if (previous.model.revision !== embedder.revision)
    return `the files of model ${embedder.modelId} changed (${previous.model.revision} → ${embedder.revision})`;
  if (!sameJson(previous.settings, settings)) return 'settings changed';
  const changedCount = changes.added.length + changes.changed.length + changes.removed.length;
  if (changedCount > 0) return `${changedCount} document(s) added, changed or removed`;
  return null;
}

function sameJson(left: unknown, right: unknown): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}

function makeReport(
  rebuilt: boolean,
  reason: string,
  changes: SeedChanges,
  manifest: Manifest,
  started: number,
  skipped: IngestReport['skipped'],
): IngestReport {
  return {
    rebuilt,
    reason,
    ...changes,
    skipped,
    documents: Object.keys(manifest.seeds).length,
    chunks: manifest.chunks,
    builtAt: manifest.builtAt,
    durationMs: performance.now() - started,
  };
}

/**
 * Open the stored index for answering without reading the corpus folder or writing anything: a
 * shard of the sharded bot, whose manager brought the index up to date before starting the shards
 * (one writer). A missing index, or one of another model, is refused with the command that fixes it.
 */
export async function serveStoredIndex(store: IndexStore, embedder: Embedder): Promise<{ index: ServingIndex; report: IngestReport }> {
  const started = performance.now();
  const manifest = await storedManifestFor(store, embedder);
  const index = await store.serve(manifest);
  const report = makeReport(false, 'loaded as stored', { added: [], changed: [], removed: [] }, manifest, started, []);
  return { index, report };
}

/** The stored index's manifest; a missing index, or one of another model, is refused with the command that fixes it. */
async function storedManifestFor(store: IndexStore, embedder: Embedder): Promise<Manifest> {
  const manifest = await store.readManifest();
  if (manifest === null) {
    throw new IndexError(`There is no index in ${store.location}: run \`npm run ingest\` to build it, then start again.`);
  }
  if (manifest.model.id !== embedder.modelId) {
    throw new IndexError(
      `The index in ${store.location} was built with the model "${manifest.model.id}", but this process loaded "${embedder.modelId}". ` +
        `Run \`npm run ingest\` with EMBEDDING_MODEL=${embedder.modelId} to rebuild it, or set EMBEDDING_MODEL=${manifest.model.id}.`,
    );
  }
  return manifest;
}
