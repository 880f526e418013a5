import pg from 'pg';
import type { Logger } from '../../core/log.js';
import type { Chunk } from '../../core/types.js';
import { unpackSections } from '../binary-sections.js';
import { type IndexStore, type StoredIndex, storedIndex, type VectorSearchSettings } from '../index-store.js';
import { DEFAULT_LEXICAL, LexicalIndex, type LexicalSettings } from '../lexical-index.js';
import type { SentenceVectors } from '../sentence-vectors.js';
import type { ServingIndex } from '../serving-index.js';
import { IndexError, type IndexSnapshot, type Manifest, manifestSchema, thesaurusSchema } from '../store.js';
import { Thesaurus } from '../thesaurus.js';
import { ExactVectorIndex } from '../vector-index.js';
import { migrate } from './migrations.js';
import { chunkKey, packRows, parseVectorBinary, readDocuments, readSentenceVectors, readValues, vectorColumnType } from './rows.js';
import { PostgresServingIndex } from './serving.js';
import { type LexicalSearchKind, SqlChunkSearch } from './sql-search.js';
import { INDEX_CHANNEL, writeIndex } from './write.js';

export { INDEX_CHANNEL } from './write.js';
export type { LexicalSearchKind } from './sql-search.js';

/** The advisory lock key held by the one writer. */
export const WRITER_LOCK = 0x5eed_0002;

export interface PostgresStoreOptions {
  readonly url: string;
  /** How chunks are found by their words (see `SqlChunkSearch`). */
  readonly lexicalSearch: LexicalSearchKind;
  /** HNSW search breadth (`hnsw.ef_search`). */
  readonly ef: number;
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
  readonly vectorSearch: VectorSearchSettings;

  constructor(private readonly options: PostgresStoreOptions) {
    // allowExitOnIdle: a command (`npm run ask`) ends when its work is done, without closing the pool itself.
    this.pool = new pg.Pool({ connectionString: options.url, max: 4, allowExitOnIdle: true });
    // An idle client's connection dropped (server restart): the pool replaces it; nothing to do but not crash.
    this.pool.on('error', () => {});
    // pgvector keeps its own HNSW index and a saved index is read back from the database: an
    // in-memory graph (~20 min at 1.7 M chunks) would be thrown away, so a build makes the cheap exact one.
    this.vectorSearch = { ef: options.ef, exactSearchMaxChunks: Number.POSITIVE_INFINITY };
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
    const { rows } = await this.pool.query<{
      file: string;
      content_hash: string;
      chunks: number;
      vectors: number;
      facts: boolean;
      without_terms: number;
    }>(
      `SELECT d.file, d.content_hash, d.terms IS NOT NULL AS facts,
              (SELECT count(*)::int FROM chunks c WHERE c.file = d.file) AS chunks,
              (SELECT count(*)::int FROM chunk_vectors v WHERE v.file = d.file) AS vectors,
              (SELECT count(*)::int FROM chunks c WHERE c.file = d.file AND c.lexical_terms IS NULL) AS without_terms
         FROM documents d`,
    );
    const stored = Object.fromEntries(rows.map((row) => [row.file, row.content_hash]));
    if (JSON.stringify(sortedEntries(stored)) !== JSON.stringify(sortedEntries(manifest.seeds)))
      return 'stored documents differ from the manifest';
    const chunks = rows.reduce((sum, row) => sum + row.chunks, 0);
    if (chunks !== manifest.chunks) return `${chunks} stored chunks for ${manifest.chunks} in the manifest`;
    if (rows.some((row) => row.vectors !== row.chunks)) return 'chunks without vectors';
    // Written before schema version 2 or 3: the writer writes these documents again.
    if (rows.some((row) => !row.facts)) return 'documents stored by an older version';
    if (rows.some((row) => row.without_terms > 0)) return 'chunks without their lexical terms';
    if ((await this.pool.query("SELECT 1 FROM index_data WHERE name = 'terms'")).rowCount === 0) return 'no term statistics stored';
    return null;
  }

  async load(manifest: Manifest): Promise<IndexSnapshot> {
    return this.inOneSnapshot(async (client) => this.readSnapshot(client, await this.storedManifest(client, manifest)));
  }

  /**
   * The index for a serving process: documents without their text, word statistics and the
   * thesaurus held; the rest read per question (`PostgresServingIndex`).
   */
  async serve(manifest: Manifest): Promise<ServingIndex> {
    return this.inOneSnapshot(async (client) =>
      PostgresServingIndex.open(client, this.pool, await this.storedManifest(client, manifest), this.options),
    );
  }

  /** Read in one snapshot of the database: a writer committing meanwhile is not half seen. */
  private async inOneSnapshot<T>(read: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    await this.ready();
    return this.withClient(async (client) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const result = await read(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        if (error instanceof IndexError) throw error;
        throw new IndexError(
          `The index in ${this.location} is damaged (${(error as Error).message}); run \`npm run ingest\` to rebuild it.`,
        );
      }
    });
  }

  /** The stored manifest, refused when its model or its vectors are not the expected ones. */
  private async storedManifest(client: pg.ClientBase, expected: Manifest): Promise<Manifest> {
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
    return manifest;
  }

  private async readSnapshot(client: pg.ClientBase, manifest: Manifest): Promise<IndexSnapshot> {
    const { dimensions } = manifest.model;
    const documents = await readDocuments(client);
    const stray = documents.find((document) => manifest.seeds[document.file] !== document.contentHash);
    if (stray) throw new Error(`the stored text of ${stray.file} is not the manifest's`);
    const { rows: chunkRows } = await client.query<ChunkRow>(
      `SELECT c.file, c.ordinal, c.paragraph, c.part, c.start_offset, c.end_offset, c.section, vector_send(v.embedding) AS embedding
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
      vectors.push(parseVectorBinary(row.embedding));
    }
    if (chunks.length !== manifest.chunks) throw new Error(`${chunks.length} chunks with vectors for ${manifest.chunks} in the manifest`);
    const value = await readValues(client, ['lexical', 'thesaurus']);
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
      search: new SqlChunkSearch(
        this.pool,
        (file, ordinal) => labels.get(chunkKey(file, ordinal)),
        lexicalIndex,
        lexicalIndex,
        lexicalSettings,
        this.options.lexicalSearch,
        this.options.ef,
      ),
    };
  }

  async reusableVectors(dimensions: number): Promise<Map<string, Float32Array>> {
    await this.ready();
    const byHash = new Map<string, Float32Array>();
    if ((await this.withClient((client) => vectorColumnType(client, 'chunk_vectors'))) !== `vector(${dimensions})`) return byHash;
    const { rows } = await this.pool.query<{ content_hash: string; embedding: Buffer }>(
      `SELECT d.content_hash, vector_send(v.embedding) AS embedding FROM chunk_vectors v JOIN documents d USING (file) ORDER BY d.position, v.ordinal`,
    );
    const rowsByHash = new Map<string, Float32Array[]>();
    for (const row of rows) {
      const list = rowsByHash.get(row.content_hash) ?? [];
      list.push(parseVectorBinary(row.embedding));
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

  /** Answers search the database, so the saved index serves as read back from it, not as built. */
  async save(snapshot: IndexSnapshot, vectors: readonly Float32Array[]): Promise<StoredIndex> {
    await this.ready();
    await this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        await writeIndex(client, snapshot, vectors);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    });
    return storedIndex(this, snapshot.manifest);
  }

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
  readonly embedding: Buffer;
}

function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([left], [right]) => left.localeCompare(right));
}
