import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Chunk, CorpusDocument } from '../answer/types.js';
import { LexicalIndex } from './lexical-index.js';
import { VectorIndex } from './vector-index.js';

/** Bump when the files' layout or meaning changes: older indexes are then rebuilt, never misread. */
export const INDEX_FORMAT_VERSION = 1;

const manifestSchema = z.object({
  formatVersion: z.number(),
  model: z.object({ id: z.string(), dimensions: z.number().int().positive() }),
  /** Everything that changes chunks, vectors or ranking data; any difference means a rebuild. */
  settings: z.record(z.string(), z.unknown()),
  seeds: z.record(z.string(), z.string()),
  builtAt: z.string(),
  chunks: z.number().int().nonnegative(),
});

export type Manifest = z.infer<typeof manifestSchema>;

/** Everything needed to answer: loaded once, replaced whole on reindex. */
export interface IndexSnapshot {
  readonly manifest: Manifest;
  readonly documents: readonly CorpusDocument[];
  /** Position = label in both indexes. */
  readonly chunks: readonly Chunk[];
  readonly vectorIndex: VectorIndex;
  readonly lexicalIndex: LexicalIndex;
}

export class IndexError extends Error {
  override name = 'IndexError';
}

const FILES = {
  manifest: 'manifest.json',
  store: 'store.json',
  lexical: 'lexical.json',
  hnsw: 'vectors.hnsw',
  vectors: 'vectors.f32',
} as const;

export async function readManifest(indexDir: string): Promise<Manifest | null> {
  let text: string;
  try {
    text = await readFile(path.join(indexDir, FILES.manifest), 'utf8');
  } catch {
    return null;
  }
  const parsed = manifestSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

/**
 * Write the snapshot into a temporary folder, then swap it in with renames, so a reader sees the
 * old index or the new one, never a half-written mix. Vectors are kept raw too, for reuse on rebuild.
 */
export async function saveIndex(indexDir: string, snapshot: IndexSnapshot, vectors: readonly Float32Array[]): Promise<void> {
  const stamp = `${process.pid}-${Date.now()}`;
  const temporary = `${indexDir}.tmp-${stamp}`;
  await mkdir(temporary, { recursive: true });
  await writeFile(path.join(temporary, FILES.store), JSON.stringify({ documents: snapshot.documents, chunks: snapshot.chunks }));
  await writeFile(path.join(temporary, FILES.lexical), snapshot.lexicalIndex.toJSON());
  await snapshot.vectorIndex.save(path.join(temporary, FILES.hnsw));
  await writeFile(path.join(temporary, FILES.vectors), packVectors(vectors, snapshot.manifest.model.dimensions));
  await writeFile(path.join(temporary, FILES.manifest), JSON.stringify(snapshot.manifest, null, 2));
  const retired = `${indexDir}.old-${stamp}`;
  await rename(indexDir, retired).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(temporary, indexDir);
  await rm(retired, { recursive: true, force: true });
}

/** Load a saved index; the caller has checked the manifest (model, settings, seeds) first. */
export async function loadIndex(indexDir: string, manifest: Manifest, ef: number): Promise<IndexSnapshot> {
  try {
    const store = JSON.parse(await readFile(path.join(indexDir, FILES.store), 'utf8')) as Pick<IndexSnapshot, 'documents' | 'chunks'>;
    const lexicalIndex = LexicalIndex.fromJSON(await readFile(path.join(indexDir, FILES.lexical), 'utf8'));
    const vectorIndex = await VectorIndex.load(path.join(indexDir, FILES.hnsw), manifest.model.dimensions, ef);
    if (vectorIndex.size !== store.chunks.length) throw new Error(`${vectorIndex.size} vectors for ${store.chunks.length} chunks`);
    return { manifest, documents: store.documents, chunks: store.chunks, vectorIndex, lexicalIndex };
  } catch (error) {
    throw new IndexError(`The index in ${indexDir} is damaged (${(error as Error).message}); run \`npm run ingest\` to rebuild it.`);
  }
}

/** The raw vectors of a saved index, by chunk id, to skip re-embedding unchanged documents. */
export async function loadVectorsById(indexDir: string, dimensions: number): Promise<Map<string, Float32Array>> {
  const byId = new Map<string, Float32Array>();
  try {
    const store = JSON.parse(await readFile(path.join(indexDir, FILES.store), 'utf8')) as { chunks: Chunk[] };
    const bytes = await readFile(path.join(indexDir, FILES.vectors));
    const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    store.chunks.forEach((chunk, position) => {
      if ((position + 1) * dimensions <= all.length) byId.set(chunk.id, all.slice(position * dimensions, (position + 1) * dimensions));
    });
  } catch {
    // No reusable vectors: everything is embedded afresh.
  }
  return byId;
}

function packVectors(vectors: readonly Float32Array[], dimensions: number): Uint8Array {
  const packed = new Float32Array(vectors.length * dimensions);
  vectors.forEach((vector, position) => packed.set(vector, position * dimensions));
  return new Uint8Array(packed.buffer);
}
