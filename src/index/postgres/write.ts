import type pg from 'pg';
import { packSections } from '../binary-sections.js';
import { type IndexSnapshot, manifestSchema } from '../store.js';
import { DEFAULT_HNSW, type HnswSettings } from '../vector-index.js';
import { corpusNames, firstWords } from '../corpus-facts.js';
import { StoredTermStatistics } from '../term-statistics.js';
import { bulkRewrite, documentSlices, insertBatch, insertVectors, isBulkRewrite, type Rewrite, type WritePath } from './bulk-load.js';
import { vectorColumnType, writeValues } from './rows.js';

/** The channel a writer notifies on commit; serving processes listen on it and reload. */
export const INDEX_CHANNEL = 'seed_quotes_index';

/**
 * Write the index in one transaction: documents that are new or changed (or all, when the model or
 * settings changed) are replaced, removed ones deleted, unchanged ones left as they are; then the
 * manifest, the whole-corpus values, and a NOTIFY that PostgreSQL delivers on commit. Runs inside the
 * caller's transaction. Rewriting most documents takes the bulk path (bulk-load.ts: batches, binary
 * COPY of vectors, indexes built after the load), a few the row-by-row path; which one is returned.
 */
export async function writeIndex(
  client: pg.ClientBase,
  snapshot: IndexSnapshot,
  vectors: readonly Float32Array[],
): Promise<{ path: WritePath; written: number }> {
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
  // A document written before its facts were stored (schema 1) is written again.
  const stored = await client.query<{ file: string; content_hash: string }>(
    'SELECT file, CASE WHEN terms IS NULL THEN NULL ELSE content_hash END AS content_hash FROM documents',
  );
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
  const written = snapshot.documents.length - keep.size;
  const path = isBulkRewrite(written, snapshot.documents.length) ? 'bulk' : 'rows';
  const rewrite = { snapshot, vectors, keep, gone };
  if (path === 'bulk') await bulkRewrite(client, rewrite);
  else await rowRewrite(client, rewrite);
  await client.query(
    `UPDATE documents d SET position = v.position FROM unnest($1::text[], $2::int[]) AS v(file, position)
     WHERE d.file = v.file AND d.position <> v.position`,
    [snapshot.documents.map((document) => document.file), snapshot.documents.map((_, position) => position)],
  );
  const lexical = snapshot.lexicalIndex.toSections();
  const statistics = StoredTermStatistics.sectionsOf(
    snapshot.lexicalIndex,
    corpusNames(snapshot.documents),
    firstWords(snapshot.documents),
  );
  await writeValues(client, {
    lexical: packSections(lexical.header, lexical.sections),
    thesaurus: Buffer.from(JSON.stringify(snapshot.thesaurus.toData())),
    terms: packSections(statistics.header, statistics.sections),
  });
  await client.query(
    `INSERT INTO index_manifest (format_version, model_id, model_revision, dimensions, manifest, built_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (singleton) DO UPDATE SET format_version = excluded.format_version, model_id = excluded.model_id,
       model_revision = excluded.model_revision, dimensions = excluded.dimensions, manifest = excluded.manifest, built_at = excluded.built_at`,
    [manifest.formatVersion, manifest.model.id, manifest.model.revision, dimensions, JSON.stringify(manifest), manifest.builtAt],
  );
  await client.query('SELECT pg_notify($1, $2)', [INDEX_CHANNEL, manifest.builtAt]);
  return { path, written };
}

/** Give the vector columns the model's dimension (emptying them when it changes) and the HNSW index; true when they changed. */
export async function ensureVectorColumns(client: pg.ClientBase, dimensions: number, hnsw: Omit<HnswSettings, 'ef'>): Promise<boolean> {
  const type = `vector(${dimensions})`;
  if ((await vectorColumnType(client, 'chunk_vectors')) === type && (await vectorColumnType(client, 'sentence_vectors')) === type)
    return false;
  // TRUNCATE, not DELETE: every row goes, and row-by-row deletes with their cascades are slow at 100k documents.
  await client.query('TRUNCATE documents CASCADE');
  await client.query('DROP INDEX IF EXISTS chunk_vectors_hnsw');
  await client.query(`ALTER TABLE chunk_vectors ALTER COLUMN embedding TYPE ${type}`);
  await client.query(`ALTER TABLE sentence_vectors ALTER COLUMN embedding TYPE ${type}`);
  await client.query(
    `CREATE INDEX chunk_vectors_hnsw ON chunk_vectors USING hnsw (embedding vector_cosine_ops) WITH (m = ${Math.floor(hnsw.m)}, ef_construction = ${Math.floor(hnsw.efConstruction)})`,
  );
  return true;
}

/** The old path, for a few documents: delete the removed and changed ones, insert the changed ones one by one (indexes kept). */
export async function rowRewrite(client: pg.ClientBase, { snapshot, vectors, keep, gone }: Rewrite): Promise<void> {
  await client.query('DELETE FROM documents WHERE file = ANY($1::text[])', [gone]);
  for (const slice of documentSlices(snapshot, vectors)) {
    if (!keep.has(slice.document.file)) await insertBatch(client, [slice], snapshot, insertVectors);
  }
}
