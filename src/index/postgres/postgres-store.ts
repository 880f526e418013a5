import pg from 'pg';
import type { Logger } from '../../core/log.js';
import type { Chunk, CorpusDocument } from '../../core/types.js';
import { hashContent } from '../../corpus/metadata.js';
import { packSections, unpackSections } from '../binary-sections.js';
import type { ChunkFilter, ChunkSearch, LexicalQuery } from '../chunk-search.js';
import type { IndexStore } from '../index-store.js';
import { DEFAULT_LEXICAL, type LexicalHit, LexicalIndex, type LexicalSettings } from '../lexical-index.js';
import { SentenceVectors } from '../sentence-vectors.js';
import { chunkPart, IndexError, type IndexSnapshot, type Manifest, manifestSchema, thesaurusSchema } from '../store.js';
import { Thesaurus } from '../thesaurus.js';
import { DEFAULT_HNSW, ExactVectorIndex, type HnswSettings, type VectorHit } from '../vector-index.js';
import { migrate } from './migrations.js';

/** The channel a writer notifies on commit; serving processes listen on it and reload. */
export const INDEX_CHANNEL = 'seed_quotes_index';
/** The advisory lock key held by the one writer. */
export const WRITER_LOCK = 0x5eed_0002;

export type LexicalSearchKind = 'memory' | 'bm25' | 'fts';

export interface PostgresStoreOptions {
  readonly url: string;
  /** How chunks are found by their words (see `SqlChunkSearch`). */
  readonly lexicalSearch: LexicalSearchKind;
  /** HNSW search breadth (`hnsw.ef_search`). */
  readonly ef: number;
  /** A local folder for an interrupted ingest's resume log. */
  readonly workDir: string;
}

/**
 * The index in PostgreSQL (pgvector for vectors, pg_textsearch for BM25): documents, chunks as
 * offsets, chunk and sentence vectors, and the whole-corpus structures (lexical index, thesaurus)
 * as values. One writer (an advisory lock) writes a new index in one transaction and notifies
 * `INDEX_CHANNEL` on commit; readers load in one repeatable-read transaction, so they see the old
 * index or the new one, never a mix. Top-k searches run as SQL (`SqlChunkSearch`).
 */
/** The first and the longest wait before listening for index changes again after the connection dropped. */
const WATCH_RETRY_FIRST_MS = 1_000;
const WATCH_RETRY_MAX_MS = 30_000;

export class PostgresIndexStore implements IndexStore {
  private readonly pool: pg.Pool;
  private migrated: Promise<void> | null = null;
  readonly answersFromStore = true;

  constructor(private readonly options: PostgresStoreOptions) {
    // allowExitOnIdle: a command (`npm run ask`) ends when its work is done, without closing the pool itself.
    this.pool = new pg.Pool({ connectionString: options.url, max: 4, allowExitOnIdle: true });
    // An idle client's connection dropped (server restart): the pool replaces it; nothing to do but not crash.
    this.pool.on('error', () => {});
  }

  /** The database, without its password. */
  get location(): string {
    try {
      const url = new URL(this.options.url);
      return `the database ${url.protocol}//${url.host}${url.pathname}`;
    } catch {
      return 'the database';
    }
  }

  get workDir(): string {
    return this.options.workDir;
  }

  /** Apply the schema's migrations once per store (the first query waits for it). */
  ready(): Promise<void> {
    this.migrated ??= this.withClient(async (client) => {
      await migrate(client);
    }).catch((error: unknown) => {
      this.migrated = null;
      throw error;
    });
    return this.migrated;
  }

  async readManifest(): Promise<Manifest | null> {
    await this.ready();
    const { rows } = await this.pool.query<{ manifest: unknown }>('SELECT manifest FROM index_manifest');
    const parsed = manifestSchema.safeParse(rows[0]?.manifest);
    return parsed.success ? parsed.data : null;
  }

  async checkStored(manifest: Manifest): Promise<string | null> {
    await this.ready();
    const { rows } = await this.pool.query<{ file: string; content_hash: string; chunks: number; vectors: number }>(
      `SELECT d.file, d.content_hash,
              (SELECT count(*)::int FROM chunks c WHERE c.file = d.file) AS chunks,
              (SELECT count(*)::int FROM chunk_vectors v WHERE v.file = d.file) AS vectors
         FROM documents d`,
    );
    const stored = Object.fromEntries(rows.map((row) => [row.file, row.content_hash]));
    if (JSON.stringify(sortedEntries(stored)) !== JSON.stringify(sortedEntries(manifest.seeds)))
      return 'stored documents differ from the manifest';
    const chunks = rows.reduce((sum, row) => sum + row.chunks, 0);
    if (chunks !== manifest.chunks) return `${chunks} stored chunks for ${manifest.chunks} in the manifest`;
    if (rows.some((row) => row.vectors !== row.chunks)) return 'chunks without vectors';
    return null;
  }

  async load(manifest: Manifest, _ef: number): Promise<IndexSnapshot> {
    await this.ready();
    return this.withClient(async (client) => {
      // One snapshot of the database for everything read: a writer committing meanwhile is not half seen.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const snapshot = await this.readSnapshot(client, manifest);
        await client.query('COMMIT');
        return snapshot;
      } catch (error) {
        await client.query('ROLLBACK');
        if (error instanceof IndexError) throw error;
        throw new IndexError(
          `The index in ${this.location} is damaged (${(error as Error).message}); run \`npm run ingest\` to rebuild it.`,
        );
      }
    });
  }

  private async readSnapshot(client: pg.ClientBase, expected: Manifest): Promise<IndexSnapshot> {
    const found = await client.query<{ manifest: unknown; dimensions: number }>('SELECT manifest, dimensions FROM index_manifest');
    const manifest = manifestSchema.parse(found.rows[0]?.manifest);
    const { dimensions } = manifest.model;
    if (manifest.model.id !== expected.model.id || dimensions !== expected.model.dimensions) {
      throw new IndexError(
        `The index in ${this.location} changed to the model "${manifest.model.id}" (${dimensions} dimensions) while loading; run \`npm run ingest\` to rebuild it with the configured model.`,
      );
    }
    const column = await vectorColumnType(client, 'chunk_vectors');
    if (column !== `vector(${dimensions})`) {
      throw new IndexError(
        `The vectors in ${this.location} are ${column ?? 'missing'}, but its manifest says ${dimensions} dimensions; run \`npm run ingest\` to rebuild them.`,
      );
    }
    const documents = await readDocuments(client);
    const stray = documents.find((document) => manifest.seeds[document.file] !== document.contentHash);
    if (stray) throw new Error(`the stored text of ${stray.file} is not the manifest's`);
    const { rows: chunkRows } = await client.query<ChunkRow>(
      `SELECT c.file, c.ordinal, c.paragraph, c.part, c.start_offset, c.end_offset, c.section, v.embedding
         FROM chunks c JOIN documents d USING (file) JOIN chunk_vectors v USING (file, ordinal)
        ORDER BY d.position, c.ordinal`,
    );
    const byFile = new Map(documents.map((document) => [document.file, document]));
    const chunks: Chunk[] = [];
    const vectors: Float32Array[] = [];
    const labels = new Map<string, number>();
    for (const row of chunkRows) {
      const raw = byFile.get(row.file)?.raw ?? '';
      labels.set(chunkKey(row.file, row.ordinal), chunks.length);
      chunks.push({
        id: `${row.file}#p${row.paragraph}.${row.part}`,
        file: row.file,
        paragraph: row.paragraph,
        start: row.start_offset,
        end: row.end_offset,
        text: raw.slice(row.start_offset, row.end_offset),
        section: row.section,
      });
      vectors.push(parseVector(row.embedding));
    }
    if (chunks.length !== manifest.chunks) throw new Error(`${chunks.length} chunks with vectors for ${manifest.chunks} in the manifest`);
    const data = await client.query<{ name: string; data: Buffer }>('SELECT name, data FROM index_data');
    const value = (name: string) => {
      const row = data.rows.find((entry) => entry.name === name);
      if (!row) throw new Error(`no ${name} stored`);
      return row.data;
    };
    const lexicalSettings = (manifest.settings.lexical as LexicalSettings | undefined) ?? DEFAULT_LEXICAL;
    const lexical = unpackSections(value('lexical'));
    const lexicalIndex = LexicalIndex.fromSections(lexical.header, lexical.sections, lexicalSettings);
    const thesaurus = Thesaurus.fromData(thesaurusSchema.parse(JSON.parse(value('thesaurus').toString('utf8'))));
    const sentenceVectors = await readSentenceVectors(client, documents, dimensions);
    return {
      manifest,
      documents,
      chunks,
      // Held for this phase (the seeds are small): lets tests compare the SQL top-k with exact search.
      vectorIndex: ExactVectorIndex.fromVectors(vectors, dimensions),
      lexicalIndex,
      thesaurus,
      sentenceVectors,
      search: new SqlChunkSearch(this.pool, labels, lexicalIndex, this.options.lexicalSearch, this.options.ef),
    };
  }

  async reusableVectors(dimensions: number): Promise<Map<string, Float32Array>> {
    await this.ready();
    const byHash = new Map<string, Float32Array>();
    if ((await this.withClient((client) => vectorColumnType(client, 'chunk_vectors'))) !== `vector(${dimensions})`) return byHash;
    const { rows } = await this.pool.query<{ content_hash: string; embedding: string }>(
      `SELECT d.content_hash, v.embedding FROM chunk_vectors v JOIN documents d USING (file) ORDER BY d.position, v.ordinal`,
    );
    const rowsByHash = new Map<string, Float32Array[]>();
    for (const row of rows) {
      const list = rowsByHash.get(row.content_hash) ?? [];
      list.push(parseVector(row.embedding));
      rowsByHash.set(row.content_hash, list);
    }
    for (const [hash, list] of rowsByHash) byHash.set(hash, packRows(list, dimensions));
    return byHash;
  }

  async reusableSentenceVectors(dimensions: number): Promise<SentenceVectors | null> {
    await this.ready();
    return this.withClient(async (client) => {
      if ((await vectorColumnType(client, 'sentence_vectors')) !== `vector(${dimensions})`) return null;
      return readSentenceVectors(client, await readDocuments(client), dimensions);
    });
  }

  /**
   * A session advisory lock on a connection of its own, held until release: a second writer (another
   * `npm run ingest`, a bot's `/reindex`) waits for the first, saying so.
   */
  async lockForWriting(log: Logger): Promise<{ release(): Promise<void> }> {
    await this.ready();
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [WRITER_LOCK]);
      if (!rows[0]?.locked) {
        log.info(`Another ingest is writing to ${this.location}; waiting for it to finish…`);
        await client.query('SELECT pg_advisory_lock($1)', [WRITER_LOCK]);
      }
    } catch (error) {
      client.release();
      throw error;
    }
    return {
      async release() {
        try {
          await client.query('SELECT pg_advisory_unlock($1)', [WRITER_LOCK]);
        } finally {
          client.release();
        }
      },
    };
  }

  /**
   * Write the index in one transaction: documents that are new or changed (or all, when the model or
   * settings changed) are replaced, removed ones deleted, unchanged ones left as they are; then the
   * manifest, the whole-corpus values, and a NOTIFY that PostgreSQL delivers on commit.
   */
  async save(snapshot: IndexSnapshot, vectors: readonly Float32Array[]): Promise<void> {
    await this.ready();
    const { manifest } = snapshot;
    const { dimensions } = manifest.model;
    await this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
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
        const keep = new Set(
          snapshot.documents
            .filter((document) => sameShape && storedHash.get(document.file) === document.contentHash)
            .map((document) => document.file),
        );
        const gone = [...storedHash.keys()].filter((file) => !keep.has(file));
        await client.query('DELETE FROM documents WHERE file = ANY($1::text[])', [gone]);
        let first = 0;
        for (const [position, document] of snapshot.documents.entries()) {
          let count = 0;
          while (first + count < snapshot.chunks.length && snapshot.chunks[first + count]?.file === document.file) count++;
          if (!keep.has(document.file)) {
            await insertDocument(
              client,
              document,
              position,
              snapshot.chunks.slice(first, first + count),
              vectors.slice(first, first + count),
            );
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
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    });
  }

  /** LISTEN on a connection of its own; `onChange` runs for each index a writer commits. */
  /**
   * LISTEN for the writer's NOTIFY on a connection of its own. When that connection drops (a
   * database restart, a failover, an idle timeout), it reconnects with a growing delay and calls
   * `onChange` once connected again, since a change may have been committed meanwhile.
   */
  async watch(onChange: () => void, log: Logger): Promise<() => Promise<void>> {
    await this.ready();
    let stopped = false;
    let client: pg.Client | null = null;
    let retry: NodeJS.Timeout | null = null;
    const listen = async (): Promise<void> => {
      const next = new pg.Client({ connectionString: this.options.url });
      next.on('notification', (message) => {
        if (message.channel === INDEX_CHANNEL) onChange();
      });
      let lost = false;
      const onLost = (why: string) => {
        if (lost || stopped) return;
        lost = true;
        log.warn(`Lost the connection that listens for index changes in ${this.location} (${why}); reconnecting…`);
        reconnect(WATCH_RETRY_FIRST_MS);
      };
      next.on('error', (error) => onLost(error.message));
      next.on('end', () => onLost('the server closed it'));
      client = next;
      try {
        await next.connect();
        await next.query(`LISTEN ${INDEX_CHANNEL}`);
      } catch (error) {
        lost = true; // this attempt's failure is handled by its caller, not by `onLost`
        await next.end().catch(() => {});
        throw error;
      }
    };
    const reconnect = (delay: number) => {
      retry = setTimeout(() => {
        retry = null;
        if (stopped) return;
        listen().then(
          () => {
            log.info(`Listening for index changes in ${this.location} again.`);
            onChange();
          },
          (error: Error) => {
            if (!stopped) reconnect(Math.min(delay * 2, WATCH_RETRY_MAX_MS));
            log.debug(`Reconnecting to ${this.location} failed (${error.message}); next try in ${Math.round(delay / 1000)} s`);
          },
        );
      }, delay);
      retry.unref();
    };
    await listen();
    return async () => {
      stopped = true;
      if (retry !== null) clearTimeout(retry);
      await client?.end().catch(() => {});
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  }
}

interface ChunkRow {
  readonly file: string;
  readonly ordinal: number;
  readonly paragraph: number;
  readonly part: number;
  readonly start_offset: number;
  readonly end_offset: number;
  readonly section: string | null;
  readonly embedding: string;
}

/**
 * Retrieval's two top-k searches in SQL. Vectors: pgvector's cosine distance, through the HNSW
 * index. Words, by `lexicalSearch`: `memory` runs our BM25 (with WordNet expansions and typo
 * matches) over the stored lexical index — answers identical to the local store; `bm25` is
 * pg_textsearch's BM25 over the chunk text; `fts` is PostgreSQL's own full-text search ranked by
 * `ts_rank_cd`. The last two see the question's words only (no expansions, no typo matches).
 */
export class SqlChunkSearch implements ChunkSearch {
  constructor(
    private readonly pool: pg.Pool,
    private readonly labels: ReadonlyMap<string, number>,
    private readonly lexicalIndex: LexicalIndex,
    private readonly lexicalSearch: LexicalSearchKind,
    /** HNSW search breadth; an HNSW scan returns at most this many rows, so never below the rows asked for. */
    private readonly ef: number,
  ) {}

  async dense(query: Float32Array, limit: number, filter?: ChunkFilter): Promise<VectorHit[]> {
    const client = await this.pool.connect();
    let rows: { file: string; ordinal: number; distance: number }[];
    try {
      const breadth = Math.min(1000, Math.max(limit, Math.floor(this.ef)));
      await client.query(`SET hnsw.ef_search = ${breadth}`);
      // Within a scope the HNSW scan goes on past its first `ef_search` rows until `limit` allowed ones are found (pgvector ≥ 0.8).
      await client.query(`SET hnsw.iterative_scan = ${filter ? 'strict_order' : 'off'}`);
      ({ rows } = await client.query<{ file: string; ordinal: number; distance: number }>(
        `SELECT file, ordinal, embedding <=> $1::vector AS distance FROM chunk_vectors
          WHERE $3::text[] IS NULL OR file = ANY($3::text[])
          ORDER BY embedding <=> $1::vector LIMIT $2`,
        [vectorLiteral(query), limit, filter ? filter.files : null],
      ));
    } finally {
      client.release();
    }
    return this.hits(rows.map((row) => ({ ...row, value: 1 - row.distance }))).map(({ label, value }) => ({ label, similarity: value }));
  }

  async lexical(query: LexicalQuery, limit: number, filter?: ChunkFilter): Promise<LexicalHit[]> {
    if (this.lexicalSearch === 'memory') return this.lexicalIndex.query(query.terms, limit, query.expansions, filter?.allowsLabel);
    const words = query.text.match(/[\p{L}\p{N}]+/gu) ?? [];
    if (words.length === 0) return [];
    const { rows } =
      this.lexicalSearch === 'bm25'
        ? // pg_textsearch scores are negative (lower is better); rows without any query word score 0.
          await this.pool.query<{ file: string; ordinal: number; value: number }>(
            `SELECT file, ordinal, -(body <@> to_bm25query($1, 'chunks_bm25')) AS value FROM chunks
              WHERE $3::text[] IS NULL OR file = ANY($3::text[])
              ORDER BY body <@> to_bm25query($1, 'chunks_bm25') LIMIT $2`,
            [words.join(' '), limit, filter ? filter.files : null],
          )
        : await this.pool.query<{ file: string; ordinal: number; value: number }>(
            `SELECT file, ordinal, ts_rank_cd(to_tsvector('english', body), query) AS value
               FROM chunks, to_tsquery('english', $1) AS query
              WHERE to_tsvector('english', body) @@ query AND ($3::text[] IS NULL OR file = ANY($3::text[]))
              ORDER BY value DESC LIMIT $2`,
            [words.join(' | '), limit, filter ? filter.files : null],
          );
    return this.hits(rows.filter((row) => row.value > 0)).map(({ label, value }) => ({ label, score: value }));
  }

  /** Rows to labels of the loaded snapshot, best first, ties by label (as the in-memory searches order them). */
  private hits(rows: readonly { file: string; ordinal: number; value: number }[]): { label: number; value: number }[] {
    return rows
      .flatMap((row) => {
        const label = this.labels.get(chunkKey(row.file, row.ordinal));
        return label === undefined ? [] : [{ label, value: Number(row.value) }];
      })
      .sort((left, right) => right.value - left.value || left.label - right.label);
  }
}

/** Give the vector columns the model's dimension (emptying them when it changes) and the HNSW index; true when they changed. */
async function ensureVectorColumns(client: pg.ClientBase, dimensions: number, hnsw: Omit<HnswSettings, 'ef'>): Promise<boolean> {
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

async function vectorColumnType(client: pg.ClientBase, table: string): Promise<string | null> {
  const { rows } = await client.query<{ type: string }>(
    `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'embedding'`,
    [table],
  );
  return rows[0]?.type ?? null;
}

async function insertDocument(
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
    `INSERT INTO chunks (file, ordinal, paragraph, part, start_offset, end_offset, section, body)
     SELECT $1, * FROM unnest($2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::text[], $8::text[])`,
    [
      document.file,
      ordinals,
      chunks.map((chunk) => chunk.paragraph),
      chunks.map((chunk) => chunkPart(chunk)),
      chunks.map((chunk) => chunk.start),
      chunks.map((chunk) => chunk.end),
      chunks.map((chunk) => chunk.section),
      chunks.map((chunk) => chunk.text),
    ],
  );
  await client.query(`INSERT INTO chunk_vectors (file, ordinal, embedding) SELECT $1, * FROM unnest($2::int[], $3::text[]::vector[])`, [
    document.file,
    ordinals,
    vectors.map(vectorLiteral),
  ]);
}

async function insertSentenceVectors(
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

async function readDocuments(client: pg.ClientBase): Promise<CorpusDocument[]> {
  const { rows } = await client.query<{
    file: string;
    title: string;
    date: string | null;
    raw: string;
    content_hash: string;
    paragraphs: [number, number, number][];
  }>('SELECT file, title, date, raw, content_hash, paragraphs FROM documents ORDER BY position');
  return rows.map((row) => {
    // Quotes are the product: a text edited in the database is never quoted as verbatim.
    if (hashContent(row.raw) !== row.content_hash) throw new Error(`the stored text of ${row.file} does not match its checksum`);
    return {
      file: row.file,
      title: row.title,
      date: row.date,
      raw: row.raw,
      contentHash: row.content_hash,
      paragraphs: row.paragraphs.map(([number, start, end]) => ({ number, start, end, text: row.raw.slice(start, end) })),
    };
  });
}

async function readSentenceVectors(
  client: pg.ClientBase,
  documents: readonly CorpusDocument[],
  dimensions: number,
): Promise<SentenceVectors> {
  const { rows } = await client.query<{ file: string; embedding: string }>(
    'SELECT file, embedding FROM sentence_vectors ORDER BY file, ordinal',
  );
  const byFile = new Map<string, Float32Array[]>();
  for (const row of rows) {
    const list = byFile.get(row.file) ?? [];
    list.push(parseVector(row.embedding));
    byFile.set(row.file, list);
  }
  const matrices = documents.map((document) => packRows(byFile.get(document.file) ?? [], dimensions));
  return SentenceVectors.fromMatrices(documents, matrices, dimensions);
}

function chunkKey(file: string, ordinal: number): string {
  return `${file}\u0000${ordinal}`;
}

/** pgvector's text form; a float32 printed as a JavaScript number reads back as the same float32. */
function vectorLiteral(vector: Float32Array): string {
  return `[${Array.from(vector).join(',')}]`;
}

function parseVector(text: string): Float32Array {
  return Float32Array.from(JSON.parse(text) as number[]);
}

function packRows(rows: readonly Float32Array[], dimensions: number): Float32Array {
  const matrix = new Float32Array(rows.length * dimensions);
  rows.forEach((row, index) => {
    matrix.set(row, index * dimensions);
  });
  return matrix;
}

function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([left], [right]) => left.localeCompare(right));
}
