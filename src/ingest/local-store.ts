import type { Logger } from '../core/log.js';
import { type ServingIndex, servingIndexOf } from '../index/serving-index.js';
import type { IndexStore } from '../index/index-store.js';
import {
  checkIndexFiles,
  loadIndex,
  loadSentenceVectors,
  loadVectorsByHash,
  readManifest,
  saveIndex,
  type IndexSnapshot,
  type Manifest,
} from '../index/store.js';
import type { SentenceVectors } from '../index/sentence-vectors.js';
import { IngestLock } from './ingest-lock.js';

/** The index as files in a folder (`index/store.ts`), one writer at a time by a lock file: the default, no server needed. */
export class LocalIndexStore implements IndexStore {
  readonly answersFromStore = false;

  constructor(readonly indexDir: string) {}

  get location(): string {
    return this.indexDir;
  }

  get workDir(): string {
    return this.indexDir;
  }

  readManifest(): Promise<Manifest | null> {
    return readManifest(this.indexDir);
  }

  checkStored(manifest: Manifest): Promise<string | null> {
    return checkIndexFiles(this.indexDir, manifest);
  }

  load(manifest: Manifest, ef: number): Promise<IndexSnapshot> {
    return loadIndex(this.indexDir, manifest, ef);
  }

  async serve(manifest: Manifest, ef: number): Promise<ServingIndex> {
    return servingIndexOf(await this.load(manifest, ef));
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

  save(snapshot: IndexSnapshot, vectors: readonly Float32Array[]): Promise<void> {
    return saveIndex(this.indexDir, snapshot, vectors);
  }

  async close(): Promise<void> {}
}
