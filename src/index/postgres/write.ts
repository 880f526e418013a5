import type pg from 'pg';
import type { Chunk, CorpusDocument } from '../../core/types.js';
import { packSections } from '../binary-sections.js';
import type { SentenceVectors } from '../sentence-vectors.js';
import { chunkPart, type IndexSnapshot, manifestSchema } from '../store.js';
import { DEFAULT_HNSW, type HnswSettings } from '../vector-index.js';
import { lexicalTermsColumn } from './lexical-column.js';
import { vectorColumnType, vectorLiteral } from './rows.js';

/** The channel a writer notifies on commit; serving processes listen on it and reload. */
export const INDEX_CHANNEL = 'seed_quotes_index';

/**
 * Write the index in one transaction: documents that are new or changed (or all, when the model or
 * settings changed) are replaced, removed ones deleted, unchanged ones left as they are; then the
 * manifest, the whole-corpus values, and a NOTIFY that PostgreSQL delivers on commit. Runs inside the
 * caller's transaction.
 */
export async function writeIndex(client: pg.ClientBase, snapshot: IndexSnapshot, vectors: readonly Float32Array[]): Promise<void> {
  const { manifest } = snapshot;
  const { dimensions } = manifest.model;
  const previous = await client.query<{ manifest: unknown }>('SELECT manifest FROM index_manifest FOR UPDATE');
  const before = manifestSchema.safeParse(previous.rows[0]?.manifest);
  const resized = await ensureVectorColumns(client, dimensions, (manifest.settings.hnsw as Omit<HnswSettings, 'ef'>) ?? DEFAULT_HNSW);
  const sameShape =
    !resized &&
    before.success &&
    before.data.formatVersion === manifest.formatVersion &&
    before.data.model.id === manifest.model.id &&
    before.data.model.revision === manifest.model.revision &&
    JSON.stringify(before.data.settings) === JSON.stringify(manifest.settings);
  const stored = await client.query<{ file: string; content_hash: string }>('SELECT file, content_hash FROM documents');
  const storedHash = new Map(stored.rows.map((row) => [row.file, row.content_hash]));
  // Documents stored before chunks had their lexical terms (schema version 3) are written again.
  const withoutTerms = await client.query<{ file: string }>('SELECT DISTINCT file FROM chunks WHERE lexical_terms IS NULL');
  const stale = new Set(withoutTerms.rows.map((row) => row.file));
  const keep = new Set(
    snapshot.documents
      .filter((document) => sameShape && !stale.has(document.file) && storedHash.get(document.file) === document.contentHash)
      .map((document) => document.file),
  );
  const gone = [...storedHash.keys()].filter((file) => !keep.has(file));
  await client.query('DELETE FROM documents WHERE file = ANY($1::text[])', [gone]);
  let first = 0;
  for (const [position, document] of snapshot.documents.entries()) {
    let count = 0;
    while (first + count < snapshot.chunks.length && snapshot.chunks[first + count]?.file === document.file) count++;
    if (!keep.has(document.file)) {
      await insertDocument(client, document, position, snapshot.chunks.slice(first, first + count), vectors.slice(first, first + count));
      await insertSentenceVectors(client, document, snapshot.sentenceVectors, dimensions);
    }
    first += count;
  }
  if (first !== snapshot.chunks.length) throw new Error('chunks must be grouped by document, in document order');
  await client.query(
    `UPDATE documents d SET position = v.position FROM unnest($1::text[], $2::int[]) AS v(file, position) WHERE d.file = v.file`,
    [snapshot.documents.map((document) => document.file), snapshot.documents.map((_, position) => position)],
  );
  const lexical = snapshot.lexicalIndex.toSections();
  await client.query(
    `INSERT INTO index_data (name, data) VALUES ('lexical', $1), ('thesaurus', $2)
     ON CONFLICT (name) DO UPDATE SET data = excluded.data`,
    [packSections(lexical.header, lexical.sections), Buffer.from(JSON.stringify(snapshot.thesaurus.toData()))],
  );
  await client.query(
    `INSERT INTO index_manifest (format_version, model_id, model_revision, dimensions, manifest, built_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (singleton) DO UPDATE SET format_version = excluded.format_version, model_id = excluded.model_id,
       model_revision = excluded.model_revision, dimensions = excluded.dimensions, manifest = excluded.manifest, built_at = excluded.built_at`,
    [manifest.formatVersion, manifest.model.id, manifest.model.revision, dimensions, JSON.stringify(manifest), manifest.builtAt],
  );
  await client.query('SELECT pg_notify($1, $2)', [INDEX_CHANNEL, manifest.builtAt]);
}

/** Give the vector columns the model's dimension (emptying them when it changes) and the HNSW index; true when they changed. */
export async function ensureVectorColumns(client: pg.ClientBase, dimensions: number, hnsw: Omit<HnswSettings, 'ef'>): Promise<boolean> {
  const type = `vector(${dimensions})`;
  if ((await vectorColumnType(client, 'chunk_vectors')) === type && (await vectorColumnType(client, 'sentence_vectors')) === type)
    return false;
  await client.query('DELETE FROM documents');
  await client.query('DROP INDEX IF EXISTS chunk_vectors_hnsw');
  await client.query(`ALTER TABLE chunk_vectors ALTER COLUMN embedding TYPE ${type}`);
  await client.query(`ALTER TABLE sentence_vectors ALTER COLUMN embedding TYPE ${type}`);
  await client.query(
    `CREATE INDEX chunk_vectors_hnsw ON chunk_vectors USING hnsw (embedding vector_cosine_ops) WITH (m = ${Math.floor(hnsw.m)}, ef_construction = ${Math.floor(hnsw.efConstruction)})`,
  );
  return true;
}

export async function insertDocument(
  client: pg.ClientBase,
  document: CorpusDocument,
  position: number,
  chunks: readonly Chunk[],
  vectors: readonly Float32Array[],
): Promise<void> {
  await client.query(
    `INSERT INTO documents (file, position, title, date, raw, content_hash, paragraphs) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      document.file,
      position,
      document.title,
      document.date,
      document.raw,
      document.contentHash,
      JSON.stringify(document.paragraphs.map((paragraph) => [paragraph.number, paragraph.start, paragraph.end])),
    ],
  );
  const ordinals = chunks.map((_, ordinal) => ordinal);
  await client.query(
    `INSERT INTO chunks (file, ordinal, paragraph, part, start_offset, end_offset, section, body, lexical_terms)
     SELECT $1, * FROM unnest($2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[])`,
    [
      document.file,
      ordinals,
      chunks.map((chunk) => chunk.paragraph),
      chunks.map((chunk) => chunkPart(chunk)),
      chunks.map((chunk) => chunk.start),
      chunks.map((chunk) => chunk.end),
      chunks.map((chunk) => chunk.section),
      chunks.map((chunk) => chunk.text),
      chunks.map((chunk) => lexicalTermsColumn(chunk.text)),
    ],
  );
  await client.query(`INSERT INTO chunk_vectors (file, ordinal, embedding) SELECT $1, * FROM unnest($2::int[], $3::text[]::vector[])`, [
    document.file,
    ordinals,
    vectors.map(vectorLiteral),
  ]);
}

export async function insertSentenceVectors(
  client: pg.ClientBase,
  document: CorpusDocument,
  sentences: SentenceVectors,
  dimensions: number,
): Promise<void> {
  const matrix = sentences.matrixFor(document);
  if (!matrix) throw new Error(`the sentence vectors of ${document.file} are missing`);
  const rows = Array.from({ length: matrix.length / dimensions }, (_, row) => matrix.subarray(row * dimensions, (row + 1) * dimensions));
  await client.query(`INSERT INTO sentence_vectors (file, ordinal, embedding) SELECT $1, * FROM unnest($2::int[], $3::text[]::vector[])`, [
    document.file,
    rows.map((_, ordinal) => ordinal),
    rows.map(vectorLiteral),
  ]);
}
