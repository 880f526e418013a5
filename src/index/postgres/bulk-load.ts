import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Chunk, CorpusDocument } from '../../core/types.js';
import type { IndexSnapshot } from '../store.js';
import { insertChunkRows, insertDocumentRows } from './document-rows.js';
import { vectorBinary, vectorLiteral } from './rows.js';

/**
 * Rewriting most of the index at once (a first ingest, a model or settings change, many documents
 * changed): rows go in by batches of many documents, and the search indexes (HNSW, BM25, full text)
 * are dropped before and built once after, which is far faster than maintaining them row by row.
 * All of it runs inside the writer's transaction: a failure rolls everything back, indexes included.
 * DROP INDEX locks the tables until commit, so a reader waits for the new index rather than seeing a mix.
 */

export type WritePath = 'bulk' | 'rows';

/** From this share of the corpus's documents rewritten, the bulk path is taken. */
export const BULK_REWRITE_SHARE = 0.5;

/** Rows (chunks, or sentences) per INSERT of the bulk path: large enough for few round trips, small enough for modest messages. */
export const BULK_BATCH_ROWS = 4_000;

/** The memory an index build may use in the writer's transaction (raised to it, never lowered). */
export const BULK_MAINTENANCE_WORK_MEM = '1GB';

/** The tables whose search indexes the bulk path drops and builds again. */
const INDEXED_TABLES = ['documents', 'chunks', 'chunk_vectors', 'sentence_vectors'];

export function isBulkRewrite(written: number, total: number): boolean {
  return written > 0 && written >= total * BULK_REWRITE_SHARE;
}

/** One document with its chunks and their vectors (chunks come grouped by document, in document order). */
export interface DocumentSlice {
  readonly document: CorpusDocument;
  readonly position: number;
  readonly chunks: readonly Chunk[];
  readonly vectors: readonly Float32Array[];
}

export function documentSlices(snapshot: IndexSnapshot, vectors: readonly Float32Array[]): DocumentSlice[] {
  const slices: DocumentSlice[] = [];
  let first = 0;
  for (const [position, document] of snapshot.documents.entries()) {
    let count = 0;
    while (first + count < snapshot.chunks.length && snapshot.chunks[first + count]?.file === document.file) count++;
    slices.push({ document, position, chunks: snapshot.chunks.slice(first, first + count), vectors: vectors.slice(first, first + count) });
    first += count;
  }
  if (first !== snapshot.chunks.length) throw new Error('chunks must be grouped by document, in document order');
  return slices;
}

/** What a write replaces: the new index and its vectors, the documents kept as stored, and those to delete. */
export interface Rewrite {
  readonly snapshot: IndexSnapshot;
  readonly vectors: readonly Float32Array[];
  readonly keep: ReadonlySet<string>;
  readonly gone: readonly string[];
}

export async function bulkRewrite(client: pg.ClientBase, { snapshot, vectors, keep, gone }: Rewrite): Promise<void> {
  const slices = documentSlices(snapshot, vectors).filter((slice) => !keep.has(slice.document.file));
  const indexes = await dropSearchIndexes(client);
  // TRUNCATE when nothing is kept: deleting 100k documents row by row, with their cascades, is slow.
  if (keep.size === 0) await client.query('TRUNCATE documents CASCADE');
  else await client.query('DELETE FROM documents WHERE file = ANY($1::text[])', [gone]);
  const writeVectors = (await acceptsCopy(client)) ? copyVectors : insertVectors;
  for (const batch of batchesOf(slices)) await insertBatch(client, batch, snapshot, writeVectors);
  await raiseMaintenanceMemory(client);
  for (const { definition } of indexes) await client.query(definition);
  // Fresh statistics for the planner, as PostgreSQL advises after a bulk load: readers plan the
  // first questions on the new rows with them, not with those of the old rows until autovacuum runs.
  await client.query(`ANALYZE ${[...INDEXED_TABLES, 'figure_sentences'].join(', ')}`);
}

/** Drop the tables' indexes other than those of keys and constraints; their definitions, to build them again. */
export async function dropSearchIndexes(client: pg.ClientBase): Promise<{ name: string; definition: string }[]> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
      WHERE i.indrelid = ANY($1::regclass[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
      ORDER BY 1`,
    [INDEXED_TABLES],
  );
  for (const { name } of rows) await client.query(`DROP INDEX ${name}`);
  return rows;
}

async function raiseMaintenanceMemory(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ low: boolean }>(
    `SELECT pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes($1) AS low`,
    [BULK_MAINTENANCE_WORK_MEM],
  );
  // SET LOCAL: for this transaction only; a parameter cannot be bound in SET, and the value is ours.
  if (rows[0]?.low) await client.query(`SET LOCAL maintenance_work_mem = '${BULK_MAINTENANCE_WORK_MEM}'`);
}

function* batchesOf(slices: readonly DocumentSlice[]): Generator<DocumentSlice[]> {
  let batch: DocumentSlice[] = [];
  let rows = 0;
  for (const slice of slices) {
    batch.push(slice);
    rows += slice.chunks.length;
    if (rows >= BULK_BATCH_ROWS) {
      yield batch;
      batch = [];
      rows = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

/** A batch of documents in five statements (documents, figure sentences, chunks, chunk vectors, sentence vectors), each over arrays. */
export async function insertBatch(
  client: pg.ClientBase,
  batch: readonly DocumentSlice[],
  snapshot: IndexSnapshot,
  writeVectors: VectorWriter,
): Promise<void> {
  const { dimensions } = snapshot.manifest.model;
  await insertDocumentRows(client, batch);
  const chunks = batch.flatMap(({ document, chunks }) => chunks.map((chunk, ordinal) => ({ file: document.file, ordinal, chunk })));
  await insertChunkRows(client, chunks);
  await writeVectors(client, {
    table: 'chunk_vectors',
    files: chunks.map((row) => row.file),
    ordinals: chunks.map((row) => row.ordinal),
    vectors: batch.flatMap(({ vectors }) => vectors),
  });
  const files: string[] = [];
  const ordinals: number[] = [];
  const sentences: Float32Array[] = [];
  for (const { document } of batch) {
    const matrix = snapshot.sentenceVectors.matrixFor(document);
    if (!matrix) throw new Error(`the sentence vectors of ${document.file} are missing`);
    for (let row = 0; row < matrix.length / dimensions; row++) {
      files.push(document.file);
      ordinals.push(row);
      sentences.push(matrix.subarray(row * dimensions, (row + 1) * dimensions));
    }
  }
  await writeVectors(client, { table: 'sentence_vectors', files, ordinals, vectors: sentences });
}

/** Rows of (file, ordinal, embedding) of one of the vector tables. */
interface VectorRows {
  readonly table: 'chunk_vectors' | 'sentence_vectors';
  readonly files: readonly string[];
  readonly ordinals: readonly number[];
  readonly vectors: readonly Float32Array[];
}

type VectorWriter = (client: pg.ClientBase, rows: VectorRows) => Promise<void>;

/**
 * Rows of (file, ordinal, embedding) by binary COPY: the vectors go in pgvector's binary form, with
 * no text to print here nor parse there (printing them as text took most of the load's time).
 */
const copyVectors: VectorWriter = async (client, { table, files, ordinals, vectors }) => {
  const tuples = vectors.map((vector, row) => {
    const file = Buffer.from(files[row] as string, 'utf8');
    const embedding = vectorBinary(vector);
    const tuple = Buffer.alloc(2 + 4 + file.length + 4 + 4 + 4 + embedding.length);
    let at = tuple.writeInt16BE(3, 0);
    at = tuple.writeInt32BE(file.length, at);
    at += file.copy(tuple, at);
    at = tuple.writeInt32BE(4, at);
    at = tuple.writeInt32BE(ordinals[row] as number, at);
    at = tuple.writeInt32BE(embedding.length, at);
    embedding.copy(tuple, at);
    return tuple;
  });
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  const copy = client.query(copyFrom(`COPY ${table} (file, ordinal, embedding) FROM STDIN (FORMAT binary)`));
  await pipeline(Readable.from([Buffer.concat([COPY_BINARY_HEADER, ...tuples, trailer])]), copy);
};

/**
 * PGlite's socket server (the tests' database) does not relay COPY's sub-protocol: there the
 * vectors go as text in an INSERT, as the row-by-row path sends them.
 */
async function acceptsCopy(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ version: string }>('SELECT version() AS version');
  return !rows[0]?.version.includes('PGlite');
}

/** Rows of (file, ordinal, embedding) in one INSERT, the vectors as text (a few documents; PGlite). */
export const insertVectors: VectorWriter = async (client, { table, files, ordinals, vectors }) => {
  await client.query(`INSERT INTO ${table} (file, ordinal, embedding) SELECT * FROM unnest($1::text[], $2::int[], $3::text[]::vector[])`, [
    files,
    ordinals,
    vectors.map(vectorLiteral),
  ]);
};

/** The binary COPY header: signature, flags, header extension length. */
const COPY_BINARY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
