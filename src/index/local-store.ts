import type { Logger } from '../core/log.js';
import type { IndexStore, StoredIndex, VectorSearchSettings } from './index-store.js';
import { IngestLock } from './ingest-lock.js';
import type { SentenceVectors } from './sentence-vectors.js';
import { type ServingIndex, servingIndexOf } from './serving-index.js';
import {
  checkIndexFiles,
  loadIndex,
  loadSentenceVectors,
  loadVectorsByHash,
  readManifest,
  saveIndex,
  type IndexSnapshot,
  type Manifest,
} from './store.js';
import { EXACT_SEARCH_MAX_CHUNKS } from './vector-index.js';

/** The index as files in a folder (`index/store.ts`), one writer at a time by a lock file: the default, no server needed. */
export class LocalIndexStore implements IndexStore {
  readonly vectorSearch: VectorSearchSettings;

  constructor(
    readonly indexDir: string,
    search: { readonly ef: number; readonly exactSearchMaxChunks?: number },
  ) {
    this.vectorSearch = { ef: search.ef, exactSearchMaxChunks: search.exactSearchMaxChunks ?? EXACT_SEARCH_MAX_CHUNKS };
  }

  get location(): string {
    return this.indexDir;
  }

  readManifest(): Promise<Manifest | null> {
    return readManifest(this.indexDir);
  }

  checkStored(manifest: Manifest): Promise<string | null> {
    return checkIndexFiles(this.indexDir, manifest);
  }

  load(manifest: Manifest): Promise<IndexSnapshot> {
    return loadIndex(this.indexDir, manifest, this.vectorSearch.ef);
  }

  async serve(manifest: Manifest): Promise<ServingIndex> {
    return servingIndexOf(await this.load(manifest));
  }

  reusableVectors(dimensions: number): Promise<Map<string, Float32Array>> {
    return loadVectorsByHash(this.indexDir, dimensions);
  }

  reusableSentenceVectors(dimensions: number): Promise<SentenceVectors | null> {
    return loadSentenceVectors(this.indexDir, dimensions);
  }

  lockForWriting(log: Logger): Promise<IngestLock> {
    return IngestLock.acquire(this.indexDir, log);
  }

  /** The files are what was built: the snapshot in hand serves as is, nothing is read back. */
  async save(snapshot: IndexSnapshot, vectors: readonly Float32Array[]): Promise<StoredIndex> {
    await saveIndex(this.indexDir, snapshot, vectors);
    return { manifest: snapshot.manifest, load: async () => snapshot, serve: async () => servingIndexOf(snapshot) };
  }

  async close(): Promise<void> {}
}
