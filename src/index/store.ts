import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { z } from 'zod';
import type { Chunk, CorpusDocument } from '../core/types.js';
import { hashContent } from '../corpus/metadata.js';
import { documentFromStored, type StoredParagraph, type StoredShape, storedShape } from './stored-document.js';
import type { ChunkSearch } from './chunk-search.js';
import { readSections, writeSections } from './binary-sections.js';
import { DEFAULT_LEXICAL, LexicalIndex, type LexicalSettings } from './lexical-index.js';
import { SentenceVectors } from './sentence-vectors.js';
import { Thesaurus } from './thesaurus.js';
import { ExactVectorIndex, VectorIndex, type VectorSearch } from './vector-index.js';

/**
 * Bump when the files' layout or meaning changes: older indexes are then rebuilt, never misread.
 * 2: documents and chunks in `documents.jsonl` (chunk text as offsets into the document), HNSW
 *    only above the exact-search size.
 * 3: below that size, hnswlib's brute-force index in `vectors.exact`; the model's revision.
 * 4: the lexical index as typed-array sections (`lexical.bin`) instead of MiniSearch JSON lines.
 * 5: `thesaurus.json`, the WordNet relations of the corpus's words.
 * 6: index terms with British spellings made American and Porter2 stems; adjectives' pertainyms in the thesaurus.
 * 7: `sentences.bin`, the vector of every sentence (quotes are chosen by question–sentence similarity).
 * 8: documents read by format (Markdown, HTML, PDF readers): paragraphs carry their block kind and section, documents their structure.
 */
export const INDEX_FORMAT_VERSION = 8;

export const manifestSchema = z.object({
  formatVersion: z.number(),
  model: z.object({ id: z.string(), revision: z.string(), dimensions: z.number().int().positive() }),
  /** Everything that changes chunks, vectors or ranking data; any difference means a rebuild. */
  settings: z.record(z.string(), z.unknown()),
  seeds: z.record(z.string(), z.string()),
  /** Files a reader refused at build (a scanned PDF): [content hash, reason]. Unchanged, they are not news. */
  unreadable: z.record(z.string(), z.tuple([z.string(), z.string()])).optional(),
  builtAt: z.string(),
  chunks: z.number().int().nonnegative(),
  /** sha256 of each index file, written on save: lets `npm run ingest` tell a damaged index without loading it. */
  files: z.record(z.string(), z.string()).optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;

export const thesaurusSchema = z.object({
  synonyms: z.record(z.string(), z.array(z.string())),
  kinds: z.record(z.string(), z.array(z.string())),
  pertains: z.record(z.string(), z.array(z.string())),
});

/** Everything needed to answer: loaded once, replaced whole on reindex. */
export interface IndexSnapshot {
  readonly manifest: Manifest;
  readonly documents: readonly CorpusDocument[];
  /** Position = label in both indexes. */
  readonly chunks: readonly Chunk[];
  readonly vectorIndex: VectorSearch;
  readonly lexicalIndex: LexicalIndex;
  readonly thesaurus: Thesaurus;
  readonly sentenceVectors: SentenceVectors;
  /** Top-k searches run elsewhere (SQL); when absent, `vectorIndex` and `lexicalIndex` are searched in memory. */
  readonly search?: ChunkSearch;
}

export class IndexError extends Error {
  override name = 'IndexError';
}

const FILES = {
  manifest: 'manifest.json',
  documents: 'documents.jsonl',
  lexical: 'lexical.bin',
  thesaurus: 'thesaurus.json',
  hnsw: 'vectors.hnsw',
  exact: 'vectors.exact',
  vectors: 'vectors.f32',
  sentences: 'sentences.bin',
} as const;

/** One line of `documents.jsonl`: the document, its paragraphs and chunks as offsets into `raw`. */
interface StoredDocument extends StoredShape {
  readonly file: string;
  readonly title: string;
  readonly date: string | null;
  readonly contentHash: string;
  readonly raw: string;
  readonly paragraphs: StoredParagraph[];
  /** [paragraph, part, start, end, section] */
  readonly chunks: [number, number, number, number, string | null][];
}

export async function readManifest(indexDir: string): Promise<Manifest | null> {
  let text: string;
  try {
    text = await readFile(path.join(indexDir, FILES.manifest), 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The part number of a chunk id (`file#p3.2` → 2). */
export function chunkPart(chunk: Chunk): number {
  return Number(chunk.id.slice(chunk.id.lastIndexOf('.') + 1));
}

/** Write lines through a stream, waiting when its buffer is full (100k documents never form one string). */
async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  const stream = createWriteStream(file);
  const failed = once(stream, 'error').then(([error]) => Promise.reject(error as Error));
  failed.catch(() => {});
  for (const line of lines) {
    if (!stream.write(`${line}\n`)) await Promise.race([once(stream, 'drain'), failed]);
  }
  stream.end();
  await Promise.race([once(stream, 'finish'), failed]);
}

function* storedLines(documents: readonly CorpusDocument[], chunks: readonly Chunk[]): Generator<string> {
  let position = 0;
  for (const document of documents) {
    const own: StoredDocument['chunks'] = [];
    while (position < chunks.length && (chunks[position] as Chunk).file === document.file) {
      const chunk = chunks[position++] as Chunk;
      own.push([chunk.paragraph, chunkPart(chunk), chunk.start, chunk.end, chunk.section]);
    }
    const stored: StoredDocument = {
      file: document.file,
      title: document.title,
      date: document.date,
      contentHash: document.contentHash,
      raw: document.raw,
      ...storedShape(document),
      chunks: own,
    };
    yield JSON.stringify(stored);
  }
  if (position !== chunks.length) throw new Error('chunks must be grouped by document, in document order');
}

/**
 * Write the snapshot into a temporary folder, then swap it in with renames, so a reader sees the
 * old index or the new one, never a half-written mix. Vectors are kept raw too, for reuse on
 * rebuild.
 */
export async function saveIndex(indexDir: string, snapshot: IndexSnapshot, vectors: readonly Float32Array[]): Promise<void> {
  const stamp = `${process.pid}-${Date.now()}`;
  const temporary = `${indexDir}.tmp-${stamp}`;
  await mkdir(temporary, { recursive: true });
  await writeLines(path.join(temporary, FILES.documents), storedLines(snapshot.documents, snapshot.chunks));
  const lexical = snapshot.lexicalIndex.toSections();
  await writeSections(path.join(temporary, FILES.lexical), lexical.header, lexical.sections);
  await writeFile(path.join(temporary, FILES.thesaurus), JSON.stringify(snapshot.thesaurus.toData()));
  await snapshot.vectorIndex.save(path.join(temporary, FILES[snapshot.vectorIndex.kind]));
  await writeFile(path.join(temporary, FILES.vectors), packVectors(vectors, snapshot.manifest.model.dimensions));
  await writeFile(path.join(temporary, FILES.sentences), snapshot.sentenceVectors.toBytes());
  const files = await digestFiles(temporary, [
    FILES.documents,
    FILES.lexical,
    FILES.thesaurus,
    FILES[snapshot.vectorIndex.kind],
    FILES.vectors,
    FILES.sentences,
  ]);
  await writeFile(path.join(temporary, FILES.manifest), JSON.stringify({ ...snapshot.manifest, files }, null, 2));
  const retired = `${indexDir}.old-${stamp}`;
  await rename(indexDir, retired).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(temporary, indexDir);
  await rm(retired, { recursive: true, force: true });
}

async function digestFiles(folder: string, names: readonly string[]): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const name of names) {
    const hash = createHash('sha256');
    for await (const block of createReadStream(path.join(folder, name))) hash.update(block as Buffer);
    digests[name] = hash.digest('hex');
  }
  return digests;
}

/** Why the saved index files do not match their manifest (missing, truncated, edited), or null when they do. */
export async function checkIndexFiles(indexDir: string, manifest: Manifest): Promise<string | null> {
  if (!manifest.files) return 'index files without checksums';
  try {
    const found = await digestFiles(indexDir, Object.keys(manifest.files));
    const damaged = Object.keys(manifest.files).filter((name) => found[name] !== manifest.files?.[name]);
    return damaged.length === 0 ? null : `index file ${damaged.join(', ')} damaged`;
  } catch (error) {
    return `index file missing (${(error as NodeJS.ErrnoException).path ?? (error as Error).message})`;
  }
}

/** Read `documents.jsonl` back into documents and chunks (chunk text is a slice of the document's raw text). */
async function readStore(indexDir: string): Promise<{ documents: CorpusDocument[]; chunks: Chunk[] }> {
  const documents: CorpusDocument[] = [];
  const chunks: Chunk[] = [];
  const lines = createInterface({ input: createReadStream(path.join(indexDir, FILES.documents), 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const stored = JSON.parse(line) as StoredDocument;
    const { raw, file } = stored;
    // Quotes are the product: a text edited in the index (even keeping its length) is never quoted as verbatim.
    if (hashContent(raw) !== (stored.textHash ?? stored.contentHash))
      throw new Error(`the stored text of ${file} does not match its checksum`);
    documents.push(documentFromStored(stored));
    for (const [paragraph, part, start, end, section] of stored.chunks) {
      chunks.push({ id: `${file}#p${paragraph}.${part}`, file, paragraph, start, end, text: raw.slice(start, end), section });
    }
  }
  return { documents, chunks };
}

/** Load a saved index; the caller has checked the manifest (model, settings, seeds) first. */
export async function loadIndex(indexDir: string, manifest: Manifest, ef: number): Promise<IndexSnapshot> {
  try {
    const { documents, chunks } = await readStore(indexDir);
    const stray = documents.find((document) => manifest.seeds[document.file] !== document.contentHash);
    if (stray) throw new Error(`the stored text of ${stray.file} is not the corpus file's`);
    // The manifest's settings equal the configured ones (the caller checked), so they are the ones to query with.
    const lexicalSettings = (manifest.settings.lexical as LexicalSettings | undefined) ?? DEFAULT_LEXICAL;
    const lexical = await readSections(path.join(indexDir, FILES.lexical));
    const lexicalIndex = LexicalIndex.fromSections(lexical.header, lexical.sections, lexicalSettings);
    const thesaurus = Thesaurus.fromData(thesaurusSchema.parse(JSON.parse(await readFile(path.join(indexDir, FILES.thesaurus), 'utf8'))));
    const dimensions = manifest.model.dimensions;
    const hnswFile = path.join(indexDir, FILES.hnsw);
    const vectorIndex: VectorSearch = existsSync(hnswFile)
      ? await VectorIndex.load(hnswFile, dimensions, ef)
      : await ExactVectorIndex.load(path.join(indexDir, FILES.exact), dimensions);
    if (vectorIndex.size !== chunks.length) throw new Error(`${vectorIndex.size} vectors for ${chunks.length} chunks`);
    const sentenceVectors = SentenceVectors.fromBytes(await readFile(path.join(indexDir, FILES.sentences)), dimensions);
    return { manifest, documents, chunks, vectorIndex, lexicalIndex, thesaurus, sentenceVectors };
  } catch (error) {
    throw new IndexError(`The index in ${indexDir} is damaged (${(error as Error).message}); run \`npm run ingest\` to rebuild it.`);
  }
}

async function readMatrix(file: string): Promise<Float32Array> {
  const bytes = await readFile(file);
  // Copy into an aligned buffer of its own (a pooled Buffer may start at an odd offset).
  const matrix = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(matrix.buffer).set(bytes);
  return matrix;
}

/**
 * The raw vectors of a saved index, by document content hash (rows in chunk order), to skip
 * re-embedding unchanged documents — renamed ones included. The caller checks model and chunker.
 */
export async function loadVectorsByHash(indexDir: string, dimensions: number): Promise<Map<string, Float32Array>> {
  const byHash = new Map<string, Float32Array>();
  try {
    const all = await readMatrix(path.join(indexDir, FILES.vectors));
    let row = 0;
    const lines = createInterface({ input: createReadStream(path.join(indexDir, FILES.documents), 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      const stored = JSON.parse(line) as Pick<StoredDocument, 'contentHash' | 'chunks'>;
      const rows = stored.chunks.length;
      if ((row + rows) * dimensions > all.length) break;
      byHash.set(stored.contentHash, all.slice(row * dimensions, (row + rows) * dimensions));
      row += rows;
    }
  } catch {
    // No reusable vectors: everything is embedded afresh.
  }
  return byHash;
}

/** The sentence vectors of a saved index, for reuse on rebuild (none when it has no readable file). */
export async function loadSentenceVectors(indexDir: string, dimensions: number): Promise<SentenceVectors | null> {
  try {
    return SentenceVectors.fromBytes(await readFile(path.join(indexDir, FILES.sentences)), dimensions);
  } catch {
    return null;
  }
}

function packVectors(vectors: readonly Float32Array[], dimensions: number): Uint8Array {
  const packed = new Float32Array(vectors.length * dimensions);
  vectors.forEach((vector, position) => {
    packed.set(vector, position * dimensions);
  });
  return new Uint8Array(packed.buffer);
}
