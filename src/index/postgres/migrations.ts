import type pg from 'pg';

/**
 * The schema, as plain SQL migrations applied in order, each once, recorded in
 * `schema_migrations`. Append a migration to change the schema; never edit one that has shipped.
 *
 * The vector columns are created without a dimension: the model decides it, so the writer gives
 * them one (`vector(n)`, and the HNSW index) when it stores the first index of a model
 * (`PostgresIndexStore.save`).
 */
export const MIGRATIONS: readonly { readonly version: number; readonly name: string; readonly sql: string }[] = [
  {
    version: 1,
    name: 'documents, chunks, vectors, word indexes, manifest',
    sql: `
      CREATE EXTENSION IF NOT EXISTS vector;
      CREATE EXTENSION IF NOT EXISTS pg_textsearch;

      -- One row: what the stored index was built with (model, dimensions, settings, content hashes, format).
      CREATE TABLE index_manifest (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        format_version integer NOT NULL,
        model_id text NOT NULL,
        model_revision text NOT NULL,
        dimensions integer NOT NULL,
        -- json, not jsonb: kept as written, so settings compare equal to the configured ones key for key.
        manifest json NOT NULL,
        built_at text NOT NULL
      );

      -- position: the order of the corpus folder, which is the order of chunk labels (ties rank alike in both stores).
      CREATE TABLE documents (
        file text PRIMARY KEY,
        position integer NOT NULL,
        title text NOT NULL,
        date text,
        raw text NOT NULL,
        content_hash text NOT NULL,
        -- [[number, start, end], …]: offsets into raw.
        paragraphs jsonb NOT NULL
      );

      -- A chunk is offsets into its document's raw text, like the local store; body is that slice, for the word indexes.
      CREATE TABLE chunks (
        file text NOT NULL REFERENCES documents ON DELETE CASCADE,
        ordinal integer NOT NULL,
        paragraph integer NOT NULL,
        part integer NOT NULL,
        start_offset integer NOT NULL,
        end_offset integer NOT NULL,
        section text,
        body text NOT NULL,
        PRIMARY KEY (file, ordinal)
      );
      CREATE INDEX chunks_bm25 ON chunks USING bm25 (body) WITH (text_config = 'english');
      CREATE INDEX chunks_fts ON chunks USING gin (to_tsvector('english', body));

      CREATE TABLE chunk_vectors (
        file text NOT NULL,
        ordinal integer NOT NULL,
        embedding vector NOT NULL,
        PRIMARY KEY (file, ordinal),
        FOREIGN KEY (file, ordinal) REFERENCES chunks ON DELETE CASCADE
      );

      -- The vector of each distinct sentence of a document, in the order of SentenceVectors.textsOf.
      CREATE TABLE sentence_vectors (
        file text NOT NULL REFERENCES documents ON DELETE CASCADE,
        ordinal integer NOT NULL,
        embedding vector NOT NULL,
        PRIMARY KEY (file, ordinal)
      );

      -- Whole-corpus structures kept as values for this phase: the lexical index (sections) and the thesaurus (JSON).
      CREATE TABLE index_data (
        name text PRIMARY KEY,
        data bytea NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'what a serving process reads per question instead of holding the corpus',
    sql: `
      -- Filled by the writer for each document it writes (null: written before this migration, so rewritten).
      ALTER TABLE documents
        ADD COLUMN characters integer,
        ADD COLUMN chunk_count integer,
        -- The first paragraph that is not the headline (document lists).
        ADD COLUMN opening text,
        -- The terms of its chunks' text and of its text outside every chunk (the share of a question an article covers).
        ADD COLUMN terms text[];

      -- Each sentence that states a percentage or an amount (corroboration), with the figures it states.
      CREATE TABLE figure_sentences (
        file text NOT NULL REFERENCES documents ON DELETE CASCADE,
        ordinal integer NOT NULL,
        paragraph integer NOT NULL,
        chunk_id text NOT NULL,
        start_offset integer NOT NULL,
        end_offset integer NOT NULL,
        body text NOT NULL,
        figures text[] NOT NULL,
        PRIMARY KEY (file, ordinal)
      );
      CREATE INDEX figure_sentences_figures ON figure_sentences USING gin (figures);
    `,
  },
  {
    version: 3,
    name: 'chunks.lexical_terms: our own index terms, BM25-indexed without stemming again',
    sql: `
      ALTER TABLE chunks ADD COLUMN lexical_terms text;
      CREATE INDEX chunks_terms_bm25 ON chunks USING bm25 (lexical_terms) WITH (text_config = 'simple');
      -- Chunks written before this column lack it: the writer rewrites their documents (found through this index, empty after).
      CREATE INDEX chunks_without_terms ON chunks (file) WHERE lexical_terms IS NULL;
    `,
  },
  {
    version: 4,
    name: 'index_data values in parts (one bytea holds at most 1 GB; the lexical index passes it near 100,000 documents)',
    sql: `
      ALTER TABLE index_data ADD COLUMN part integer NOT NULL DEFAULT 0;
      ALTER TABLE index_data DROP CONSTRAINT index_data_pkey;
      ALTER TABLE index_data ADD PRIMARY KEY (name, part);
    `,
  },
  {
    version: 5,
    name: "documents.shape: a structured document's format, source map, marks and pages (Markdown, HTML, PDF)",
    sql: `
      -- {format, structure, textHash}; NULL for plain text. paragraphs then also hold each block's kind and section.
      ALTER TABLE documents ADD COLUMN shape jsonb;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** Any key unique to this program: one migrator and one writer at a time. */
export const MIGRATION_LOCK = 0x5eed_0001;

export class SchemaError extends Error {
  override name = 'SchemaError';
}

/**
 * Apply the migrations the database lacks, in one transaction under an advisory lock (two
 * processes starting together migrate once). A database migrated by a newer version of the program
 * is refused: its schema may mean something this version does not know.
 */
export async function migrate(client: pg.ClientBase): Promise<number[]> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    const applied = new Set(rows.map((row) => row.version));
    const newest = Math.max(0, ...applied);
    if (newest > SCHEMA_VERSION) {
      throw new SchemaError(
        `The database's schema is version ${newest}, newer than this program's (${SCHEMA_VERSION}): update the program, or point DATABASE_URL at another database.`,
      );
    }
    const done: number[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      done.push(migration.version);
    }
    await client.query('COMMIT');
    return done;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
