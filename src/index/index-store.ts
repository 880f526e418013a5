import type { Logger } from '../core/log.js';
import type { SentenceVectors } from './sentence-vectors.js';
import type { ServingIndex } from './serving-index.js';
import type { IndexSnapshot, Manifest } from './store.js';

/**
 * Where an index is kept: the local files (`LocalIndexStore`) or a PostgreSQL database
 * (`PostgresIndexStore`). `ingest/sync.ts` reads and writes through it, the engine loads and
 * refreshes through it; nothing else knows which one it is.
 */
export interface IndexStore {
  /** Where the index is, for messages ("the index in …"). */
  readonly location: string;
  /** A local folder for the partial work of an interrupted ingest (the resume log). */
  readonly workDir: string;
  /** True when answers search the store itself (SQL): an index just built is read back from it rather than used as built. */
  readonly answersFromStore: boolean;
  readManifest(): Promise<Manifest | null>;
  /** Why the stored index does not match its manifest (damaged, incomplete), or null; `npm run ingest` checks before saying "up to date". */
  checkStored(manifest: Manifest): Promise<string | null>;
  /** The stored index, whole (ingest, tests). */
  load(manifest: Manifest, ef: number): Promise<IndexSnapshot>;
  /** The stored index, ready to answer from: the local store holds it whole, the database store reads per question. */
  serve(manifest: Manifest, ef: number): Promise<ServingIndex>;
  /** Stored chunk vectors by document content hash (rows in chunk order), so unchanged documents are not embedded again. */
  reusableVectors(dimensions: number): Promise<Map<string, Float32Array>>;
  /** Stored sentence vectors, reused by text. */
  reusableSentenceVectors(dimensions: number): Promise<SentenceVectors | null>;
  /** One writer at a time: waits (saying so) while another process writes. */
  lockForWriting(log: Logger): Promise<{ release(): Promise<void> }>;
  /** Replace the stored index with this one; readers see the old one or the new one, never a mix. */
  save(snapshot: IndexSnapshot, vectors: readonly Float32Array[]): Promise<void>;
  /** Calls `onChange` when another process saves a new index (a store shared between processes); returns how to stop. */
  watch?(onChange: () => void, log: Logger): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
