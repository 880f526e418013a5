import { documentFromStored, type StoredParagraph, type StoredShape } from '../stored-document.js';
import type pg from 'pg';
import type { CorpusDocument } from '../../core/types.js';
import { hashContent } from '../../corpus/metadata.js';
import { SentenceVectors } from '../sentence-vectors.js';

/** Reading and writing the store's values: documents, vectors in pgvector's forms, keys of chunks. */

export async function vectorColumnType(client: pg.ClientBase, table: string): Promise<string | null> {
  const { rows } = await client.query<{ type: string }>(
    `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'embedding'`,
    [table],
  );
  return rows[0]?.type ?? null;
}

/** The stored documents (of `files`; null: all), in corpus order. */
export async function readDocuments(client: pg.ClientBase | pg.Pool, files: readonly string[] | null = null): Promise<CorpusDocument[]> {
  const { rows } = await client.query<{
    file: string;
    title: string;
    date: string | null;
    raw: string;
    content_hash: string;
    paragraphs: StoredParagraph[];
    shape: Omit<StoredShape, 'paragraphs'> | null;
  }>(
    'SELECT file, title, date, raw, content_hash, paragraphs, shape FROM documents WHERE $1::text[] IS NULL OR file = ANY($1::text[]) ORDER BY position',
    [files],
  );
  return rows.map((row) => {
    // Quotes are the product: a text edited in the database is never quoted as verbatim.
    if (hashContent(row.raw) !== (row.shape?.textHash ?? row.content_hash))
      throw new Error(`the stored text of ${row.file} does not match its checksum`);
    return documentFromStored({ ...row, ...row.shape, contentHash: row.content_hash });
  });
}

/**
 * The sentence vectors of these documents: of every stored one, or (`onlyThese`) of these only,
 * as stored with this very text (a document rewritten meanwhile is left out, its sentences embedded
 * when asked for).
 */
export async function readSentenceVectors(
  client: pg.ClientBase | pg.Pool,
  documents: readonly CorpusDocument[],
  dimensions: number,
  onlyThese = false,
): Promise<SentenceVectors> {
  // Keyed, a join from the keys (index lookups); a `(file, hash) IN (…)` filter was planned as a
  // scan of every sentence vector (0.5 s a question at 100,000 documents).
  const { rows } = onlyThese
    ? await client.query<{ file: string; embedding: Buffer }>(
        `SELECT v.file, vector_send(v.embedding) AS embedding
           FROM unnest($1::text[], $2::text[]) AS k(file, content_hash)
           JOIN documents d USING (file, content_hash) JOIN sentence_vectors v USING (file)
          ORDER BY v.file, v.ordinal`,
        [documents.map((document) => document.file), documents.map((document) => document.contentHash)],
      )
    : await client.query<{ file: string; embedding: Buffer }>(
        'SELECT v.file, vector_send(v.embedding) AS embedding FROM sentence_vectors v JOIN documents d USING (file) ORDER BY v.file, v.ordinal',
      );
  const byFile = new Map<string, Float32Array[]>();
  for (const row of rows) {
    const list = byFile.get(row.file) ?? [];
    list.push(parseVectorBinary(row.embedding));
    byFile.set(row.file, list);
  }
  const stored = documents.filter((document) => byFile.has(document.file));
  const matrices = stored.map((document) => packRows(byFile.get(document.file) ?? [], dimensions));
  return SentenceVectors.fromMatrices(stored, matrices, dimensions);
}

export function chunkKey(file: string, ordinal: number): string {
  return `${file}\u0000${ordinal}`;
}

/** pgvector's text form; a float32 printed as a JavaScript number reads back as the same float32. */
export function vectorLiteral(vector: Float32Array): string {
  return `[${Array.from(vector).join(',')}]`;
}

/** pgvector's binary form (`SELECT vector_send(embedding)`, binary COPY): int16 dimensions, int16 unused, then big-endian float4s. */
export function parseVectorBinary(bytes: Buffer): Float32Array {
  const dimensions = bytes.readUInt16BE(0);
  if (bytes.length !== 4 + 4 * dimensions) throw new Error(`a vector of ${dimensions} dimensions in ${bytes.length} bytes`);
  const vector = new Float32Array(dimensions);
  for (let index = 0; index < dimensions; index++) vector[index] = bytes.readFloatBE(4 + 4 * index);
  return vector;
}

/** A vector in pgvector's binary form, as `parseVectorBinary` reads it and binary COPY sends it. */
export function vectorBinary(vector: Float32Array): Buffer {
  const bytes = Buffer.alloc(4 + 4 * vector.length);
  bytes.writeUInt16BE(vector.length, 0);
  for (let index = 0; index < vector.length; index++) bytes.writeFloatBE(vector[index] as number, 4 + 4 * index);
  return bytes;
}

export function packRows(rows: readonly Float32Array[], dimensions: number): Float32Array {
  const matrix = new Float32Array(rows.length * dimensions);
  rows.forEach((row, index) => {
    matrix.set(row, index * dimensions);
  });
  return matrix;
}

/**
 * A stored value's parts: PostgreSQL holds at most 1 GB in one field, and the driver reads a bytea
 * as a hex string (V8's longest is ~536 M characters), so a value is cut into parts of this size.
 */
export const VALUE_PART_BYTES = 64 * 1024 * 1024;

/** Replace whole-corpus values (`index_data`), each in parts of at most `partBytes`. */
export async function writeValues(
  client: pg.ClientBase,
  values: Readonly<Record<string, Buffer>>,
  partBytes = VALUE_PART_BYTES,
): Promise<void> {
  await client.query('DELETE FROM index_data WHERE name = ANY($1::text[])', [Object.keys(values)]);
  for (const [name, data] of Object.entries(values)) {
    for (let part = 0; part * partBytes < Math.max(1, data.length); part++) {
      await client.query('INSERT INTO index_data (name, part, data) VALUES ($1, $2, $3)', [
        name,
        part,
        data.subarray(part * partBytes, (part + 1) * partBytes),
      ]);
    }
  }
}

/** Whole-corpus values by name, their parts joined again. */
export async function readValues(client: pg.ClientBase, names: readonly string[]): Promise<(name: string) => Buffer> {
  const { rows } = await client.query<{ name: string; data: Buffer }>(
    'SELECT name, data FROM index_data WHERE name = ANY($1::text[]) ORDER BY name, part',
    [names],
  );
  const parts = new Map<string, Buffer[]>();
  for (const row of rows) parts.set(row.name, [...(parts.get(row.name) ?? []), row.data]);
  return (name) => {
    const found = parts.get(name);
    if (!found) throw new Error(`no ${name} stored`);
    return found.length === 1 ? (found[0] as Buffer) : Buffer.concat(found);
  };
}
