import type { Logger } from '../core/log.js';
import type { SentenceVectors } from './sentence-vectors.js';
import type { ServingIndex } from './serving-index.js';
import type { IndexSnapshot, Manifest } from './store.js';

/** How an index's vectors are searched: fixed when its store is made, so no call passes them. */
export interface VectorSearchSettings {
  /** HNSW search breadth: hnswlib's `ef`, or pgvector's `hnsw.ef_search`. */
  readonly ef: number;
  /** Largest index a build searches exactly in memory; above it, it builds an HNSW graph (`EXACT_SEARCH_MAX_CHUNKS`). */
  readonly exactSearchMaxChunks: number;
}

/**
 * One stored index, opened when asked: whole (ingest, tests) or ready to answer from. What `save`
 * returns, so a caller uses a fresh build without knowing whether it is read back from the store.
 */
export interface StoredIndex {
  readonly manifest: Manifest;
  load(): Promise<IndexSnapshot>;
  serve(): Promise<ServingIndex>;
}

/**
 * Where an index is kept: the local files (`LocalIndexStore`) or a PostgreSQL database
 * (`PostgresIndexStore`), both in `index/`. `ingest/sync.ts` reads and writes through it, the
 * engine loads and refreshes through it; nothing else knows which one it is.
 */
export interface IndexStore {
  /** Where the index is, for messages ("the index in …"). */
  readonly location: string;
  readonly vectorSearch: VectorSearchSettings;
  readManifest(): Promise<Manifest | null>;
  /** Why the stored index does not match its manifest (damaged, incomplete), or null; `npm run ingest` checks before saying "up to date". */
  checkStored(manifest: Manifest): Promise<string | null>;
  /** The stored index, whole (ingest, tests). */
  load(manifest: Manifest): Promise<IndexSnapshot>;
  /** The stored index, ready to answer from: the local store holds it whole, the database store reads per question. */
  serve(manifest: Manifest): Promise<ServingIndex>;
  /** Stored chunk vectors by document content hash (rows in chunk order), so unchanged documents are not embedded again. */
  reusableVectors(dimensions: number): Promise<Map<string, Float32Array>>;
  /** Stored sentence vectors, reused by text. */
  reusableSentenceVectors(dimensions: number): Promise<SentenceVectors | null>;
  /** One writer at a time: waits (saying so) while another process writes. */
  lockForWriting(log: Logger): Promise<{ release(): Promise<void> }>;
  /**
   * Replace the stored index with this one; readers see the old one or the new one, never a mix.
   * Returns the index as it now serves: the snapshot itself, or the store's copy when answers search the store.
   */
  save(snapshot: IndexSnapshot, vectors: readonly Float32Array[]): Promise<StoredIndex>;
  /** Calls `onChange` when another process saves a new index (a store shared between processes); returns how to stop. */
  watch?(onChange: () => void, log: Logger): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** The index of this manifest as the store keeps it, read only when asked. */
export function storedIndex(store: Pick<IndexStore, 'load' | 'serve'>, manifest: Manifest): StoredIndex {
  return { manifest, load: () => store.load(manifest), serve: () => store.serve(manifest) };
}
