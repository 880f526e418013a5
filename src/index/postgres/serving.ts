import type pg from 'pg';
import { getOrInsertBounded } from '../../core/maps.js';
import type { Chunk, CorpusDocument } from '../../core/types.js';
import { unpackSections } from '../binary-sections.js';
import type { CitedSentence } from '../corpus-facts.js';
import { DEFAULT_LEXICAL, LexicalIndex, type LexicalSettings } from '../lexical-index.js';
import type { SentenceVectors } from '../sentence-vectors.js';
import { type DocumentEntry, documentOfLabel, type ServingIndex } from '../serving-index.js';
import { type Manifest, thesaurusSchema } from '../store.js';
import { StoredTermStatistics } from '../term-statistics.js';
import { Thesaurus } from '../thesaurus.js';
import { readDocuments, readSentenceVectors, readValues } from './rows.js';
import { type LexicalSearchKind, SqlChunkSearch } from './sql-search.js';

/** Documents whose text and sentence vectors are kept between questions (a few KB to a few hundred KB each). */
const DOCUMENT_CACHE_LIMIT = 500;

interface CachedDocument {
  readonly document: CorpusDocument;
  readonly sentenceVectors: SentenceVectors;
}

/**
 * An index in PostgreSQL as a serving process reads it: held are each document without its text,
 * the word statistics and the thesaurus (read once, in one snapshot of the database); chunks,
 * texts, sentence vectors, per-document terms and sentences stating figures are read per question
 * (texts and sentence vectors kept for the last documents asked for). With `memory` word search
 * the lexical index is held too (our BM25 in process; the other kinds search in SQL).
 */
export class PostgresServingIndex implements ServingIndex {
  private readonly cache = new Map<string, CachedDocument>();

  private constructor(
    private readonly pool: pg.Pool,
    readonly manifest: Manifest,
    readonly documents: readonly DocumentEntry[],
    readonly terms: StoredTermStatistics,
    readonly thesaurus: Thesaurus,
    readonly search: SqlChunkSearch,
    private readonly byFile: ReadonlyMap<string, DocumentEntry>,
  ) {}

  /** Read what is held, inside the caller's read-only transaction (one snapshot of the database). */
  static async open(
    client: pg.ClientBase,
    pool: pg.Pool,
    manifest: Manifest,
    options: { readonly lexicalSearch: LexicalSearchKind; readonly ef: number },
  ): Promise<PostgresServingIndex> {
    const { rows } = await client.query<{
      file: string;
      title: string;
      date: string | null;
      characters: number | null;
      paragraphs: number;
      chunk_count: number | null;
      opening: string | null;
      content_hash: string;
      has_terms: boolean;
    }>(
      `SELECT file, title, date, characters, jsonb_array_length(paragraphs) AS paragraphs, chunk_count, opening, content_hash,
              terms IS NOT NULL AS has_terms
         FROM documents ORDER BY position`,
    );
    let firstLabel = 0;
    const documents = rows.map((row): DocumentEntry => {
      if (manifest.seeds[row.file] !== row.content_hash) throw new Error(`the stored text of ${row.file} is not the manifest's`);
      if (row.chunk_count === null || row.characters === null || row.opening === null || !row.has_terms)
        throw new Error(`${row.file} was stored by an older version`);
      const entry = {
        file: row.file,
        title: row.title,
        date: row.date,
        characters: row.characters,
        paragraphs: row.paragraphs,
        chunks: row.chunk_count,
        firstLabel,
        opening: row.opening,
      };
      firstLabel += row.chunk_count;
      return entry;
    });
    if (documents.length !== Object.keys(manifest.seeds).length) throw new Error('stored documents differ from the manifest');
    if (firstLabel !== manifest.chunks) throw new Error(`${firstLabel} chunks stored for ${manifest.chunks} in the manifest`);
    const wanted = options.lexicalSearch === 'memory' ? ['terms', 'thesaurus', 'lexical'] : ['terms', 'thesaurus'];
    const value = await readValues(client, wanted);
    const statistics = unpackSections(value('terms'));
    const terms = StoredTermStatistics.fromSections(statistics.header, statistics.sections);
    const thesaurus = Thesaurus.fromData(thesaurusSchema.parse(JSON.parse(value('thesaurus').toString('utf8'))));
    const lexicalSettings = (manifest.settings.lexical as LexicalSettings | undefined) ?? DEFAULT_LEXICAL;
    let lexicalIndex: LexicalIndex | null = null;
    if (options.lexicalSearch === 'memory') {
      const lexical = unpackSections(value('lexical'));
      lexicalIndex = LexicalIndex.fromSections(lexical.header, lexical.sections, lexicalSettings);
      lexicalIndex.prepareTypoLookup();
    }
    const byFile = new Map(documents.map((document) => [document.file, document]));
    const labelOf = (file: string, ordinal: number) => {
      const document = byFile.get(file);
      return document && ordinal < document.chunks ? document.firstLabel + ordinal : undefined;
    };
    const search = new SqlChunkSearch(pool, labelOf, lexicalIndex, terms, lexicalSettings, options.lexicalSearch, options.ef);
    return new PostgresServingIndex(pool, manifest, documents, terms, thesaurus, search, byFile);
  }

  async chunks(labels: readonly number[]): Promise<ReadonlyMap<number, Chunk>> {
    const keys = labels.flatMap((label) => {
      const document = documentOfLabel(this.documents, label);
      return document ? [{ label, file: document.file, ordinal: label - document.firstLabel }] : [];
    });
    const files = keys.map((key) => key.file);
    const { rows } = await this.pool.query<{
      file: string;
      ordinal: number;
      paragraph: number;
      part: number;
      start_offset: number;
      end_offset: number;
      section: string | null;
      body: string;
    }>(
      `SELECT c.file, c.ordinal, c.paragraph, c.part, c.start_offset, c.end_offset, c.section, c.body
         FROM unnest($1::text[], $2::int[], $3::text[]) AS k(file, ordinal, content_hash)
         JOIN documents d USING (file, content_hash) JOIN chunks c USING (file, ordinal)`,
      [files, keys.map((key) => key.ordinal), this.heldHashes(files)],
    );
    const byKey = new Map(rows.map((row) => [`${row.file}\u0000${row.ordinal}`, row]));
    return new Map(
      keys.flatMap(({ label, file, ordinal }) => {
        const row = byKey.get(`${file}\u0000${ordinal}`);
        if (!row) return [];
        const chunk: Chunk = {
          id: `${row.file}#p${row.paragraph}.${row.part}`,
          file: row.file,
          paragraph: row.paragraph,
          start: row.start_offset,
          end: row.end_offset,
          text: row.body,
          section: row.section,
        };
        return [[label, chunk] as const];
      }),
    );
  }

  async texts(files: readonly string[]): Promise<ReadonlyMap<string, CorpusDocument>> {
    const found = await this.cached(files);
    return new Map([...found].map(([file, cached]) => [file, cached.document]));
  }

  async sentenceVectors(files: readonly string[]): Promise<(text: string) => Float32Array | undefined> {
    const found = [...(await this.cached(files)).values()];
    return (text) => {
      for (const { sentenceVectors } of found) {
        const vector = sentenceVectors.get(text);
        if (vector) return vector;
      }
      return undefined;
    };
  }

  async documentTerms(files: readonly string[], terms: readonly string[]): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
    const { rows } = await this.pool.query<{ file: string; found: string[] }>(
      `SELECT file, ARRAY(SELECT unnest(d.terms) INTERSECT SELECT unnest($3::text[])) AS found
         FROM unnest($1::text[], $2::text[]) AS k(file, content_hash) JOIN documents d USING (file, content_hash)`,
      [files, this.heldHashes(files), terms],
    );
    return new Map(rows.map((row) => [row.file, new Set(row.found)]));
  }

  async figureSentences(figures: readonly string[], files: readonly string[] | null, limit: number): Promise<readonly CitedSentence[]> {
    const { rows } = await this.pool.query<{
      file: string;
      paragraph: number;
      chunk_id: string;
      start_offset: number;
      end_offset: number;
      body: string;
      content_hash: string;
    }>(
      `SELECT f.file, f.paragraph, f.chunk_id, f.start_offset, f.end_offset, f.body, d.content_hash
         FROM figure_sentences f JOIN documents d USING (file)
        WHERE f.figures && $1::text[] AND ($2::text[] IS NULL OR f.file = ANY($2::text[]))
        ORDER BY d.position, f.ordinal LIMIT $3`,
      [figures, files, limit],
    );
    return rows.flatMap((row) => {
      const document = this.byFile.get(row.file);
      if (this.manifest.seeds[row.file] !== row.content_hash) return [];
      return {
        source: row.file,
        title: document?.title ?? row.file,
        date: document?.date ?? null,
        paragraph: row.paragraph,
        chunkId: row.chunk_id,
        start: row.start_offset,
        end: row.end_offset,
        text: row.body,
      };
    });
  }

  /**
   * The content hashes of these documents in the index held. Every read joins on them: a writer may
   * commit a new index before this process has loaded it, and a document it changed is then left
   * out of the question (quotes are sliced from the very text the held index describes).
   */
  private heldHashes(files: readonly string[]): string[] {
    return files.map((file) => this.manifest.seeds[file] ?? '');
  }

  /** Documents with their sentence vectors, read for those not kept from earlier questions. */
  private async cached(files: readonly string[]): Promise<Map<string, CachedDocument>> {
    const found = new Map<string, CachedDocument>();
    const missing: string[] = [];
    for (const file of files) {
      const kept = this.cache.get(file);
      if (kept) found.set(file, kept);
      else if (this.byFile.has(file)) missing.push(file);
    }
    if (missing.length === 0) return found;
    const documents = (await readDocuments(this.pool, missing)).filter(
      (document) => this.manifest.seeds[document.file] === document.contentHash,
    );
    const vectors = await readSentenceVectors(this.pool, documents, this.manifest.model.dimensions, true);
    for (const document of documents) {
      const entry = { document, sentenceVectors: vectors };
      getOrInsertBounded(this.cache, document.file, () => entry, DOCUMENT_CACHE_LIMIT);
      found.set(document.file, entry);
    }
    return found;
  }
}
