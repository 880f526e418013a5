import type { Chunk, CorpusDocument, IngestReport } from '../answer/types.js';
import { chunkDocument, embeddingText, type ChunkerSettings } from '../chunk/chunk.js';
import { readCorpus } from '../corpus/read.js';
import type { Embedder } from '../embed/embedder.js';
import type { Logger } from '../log.js';
import { DEFAULT_LEXICAL, LexicalIndex, type LexicalSettings } from './lexical-index.js';
import { INDEX_FORMAT_VERSION, IndexError, loadIndex, loadVectorsById, readManifest, saveIndex, type IndexSnapshot, type Manifest } from './store.js';
import { DEFAULT_HNSW, VectorIndex, type HnswSettings } from './vector-index.js';

/** Everything that shapes what is stored; a change in any of it means a rebuild. */
export interface IndexSettings {
  readonly chunker: ChunkerSettings;
  readonly hnsw: Omit<HnswSettings, 'ef'>;
  readonly lexical: LexicalSettings;
}

export const DEFAULT_INDEX_SETTINGS: Omit<IndexSettings, 'chunker'> = { hnsw: DEFAULT_HNSW, lexical: DEFAULT_LEXICAL };

export interface SyncOptions {
  readonly corpusDir: string;
  readonly indexDir: string;
  readonly embedder: Embedder;
  readonly settings: IndexSettings;
  readonly ef: number;
  readonly log: Logger;
  /**
   * `load`: use the saved index, rebuilding when seeds or settings changed, refusing one built by another model.
   * `ingest`: the same, but an index of another model is rebuilt with the configured one.
   */
  readonly mode: 'load' | 'ingest';
}

const EMBED_BATCH = 64;

/** Bring the saved index in line with the corpus folder and settings, and load it. */
export async function syncIndex(options: SyncOptions): Promise<{ snapshot: IndexSnapshot; report: IngestReport }> {
  const started = performance.now();
  const { indexDir, embedder, settings, log } = options;
  const documents = await readCorpus(options.corpusDir);
  const previous = await readManifest(indexDir);
  const seeds = Object.fromEntries(documents.map((document) => [document.file, document.contentHash]));
  const changes = diffSeeds(previous?.seeds ?? {}, seeds);

  if (previous && previous.model.id !== embedder.modelId && options.mode === 'load') {
    throw new IndexError(
      `The index in ${indexDir} was built with the model "${previous.model.id}" (${previous.model.dimensions} dimensions), ` +
        `but EMBEDDING_MODEL is "${embedder.modelId}". Run \`npm run ingest\` to rebuild it with "${embedder.modelId}", ` +
        `or set EMBEDDING_MODEL=${previous.model.id}.`,
    );
  }
  const staleReason = whyStale(previous, embedder, settings, changes);
  if (previous && staleReason === null) {
    const snapshot = await loadIndex(indexDir, previous, options.ef);
    const report = makeReport(false, 'up to date', changes, snapshot, started);
    return { snapshot, report };
  }

  log.info(`Building the index (${staleReason}) from ${documents.length} documents in ${options.corpusDir}…`);
  const sameVectors = previous !== null && previous.model.id === embedder.modelId && sameJson(previous.settings['chunker'], settings.chunker);
  const reusable = sameVectors ? await loadVectorsById(indexDir, embedder.dimensions) : new Map<string, Float32Array>();
  const unchangedFiles = new Set(documents.filter((document) => previous?.seeds[document.file] === document.contentHash).map((document) => document.file));
  const { snapshot, vectors, embedded } = await buildSnapshot(documents, embedder, settings, options.ef, (chunk) =>
    unchangedFiles.has(chunk.file) ? reusable.get(chunk.id) : undefined,
  );
  await saveIndex(indexDir, snapshot, vectors);
  const report = makeReport(true, staleReason ?? 'rebuilt', changes, snapshot, started);
  log.info(`Indexed ${snapshot.chunks.length} chunks (${embedded} embedded, ${snapshot.chunks.length - embedded} reused) in ${Math.round(report.durationMs)} ms.`);
  return { snapshot, report };
}

/** Chunk, embed (reusing known vectors) and index the documents. */
export async function buildSnapshot(
  documents: readonly CorpusDocument[],
  embedder: Embedder,
  settings: IndexSettings,
  ef: number,
  knownVector: (chunk: Chunk) => Float32Array | undefined = () => undefined,
): Promise<{ snapshot: IndexSnapshot; vectors: Float32Array[]; embedded: number }> {
  const titles = new Map(documents.map((document) => [document.file, document.title]));
  const chunks = documents.flatMap((document) => chunkDocument(document, settings.chunker));
  const vectors: (Float32Array | undefined)[] = chunks.map((chunk) => knownVector(chunk));
  const missing = chunks.flatMap((chunk, position) => (vectors[position] ? [] : [position]));
  for (let offset = 0; offset < missing.length; offset += EMBED_BATCH) {
    const batch = missing.slice(offset, offset + EMBED_BATCH);
    const texts = batch.map((position) => {
      const chunk = chunks[position] as Chunk;
      return embeddingText({ title: titles.get(chunk.file) ?? '' }, chunk);
    });
    const embedded = await embedder.embed(texts);
    batch.forEach((position, index) => (vectors[position] = embedded[index]));
  }
  const complete = vectors as Float32Array[];
  const manifest: Manifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    model: { id: embedder.modelId, dimensions: embedder.dimensions },
    settings: { ...settings },
    seeds: Object.fromEntries(documents.map((document) => [document.file, document.contentHash])),
    builtAt: new Date().toISOString(),
    chunks: chunks.length,
  };
  const lexicalIndex = LexicalIndex.build(
    chunks.map((chunk, label) => ({ label, text: chunk.text, title: titles.get(chunk.file) ?? '', section: chunk.section })),
    settings.lexical,
  );
  const vectorIndex = VectorIndex.build(complete, embedder.dimensions, { ...settings.hnsw, ef });
  return { snapshot: { manifest, documents, chunks, vectorIndex, lexicalIndex }, vectors: complete, embedded: missing.length };
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
  if (!sameJson(previous.settings, settings)) return 'settings changed';
  const changedCount = changes.added.length + changes.changed.length + changes.removed.length;
  if (changedCount > 0) return `${changedCount} document(s) added, changed or removed`;
  return null;
}

function sameJson(left: unknown, right: unknown): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}

function makeReport(rebuilt: boolean, reason: string, changes: SeedChanges, snapshot: IndexSnapshot, started: number): IngestReport {
  return {
    rebuilt,
    reason,
    ...changes,
    documents: snapshot.documents.length,
    chunks: snapshot.chunks.length,
    builtAt: snapshot.manifest.builtAt,
    durationMs: performance.now() - started,
  };
}
