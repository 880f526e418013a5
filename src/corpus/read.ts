import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CorpusDocument } from '../core/types.js';
import { collectionNameProblem, DEFAULT_COLLECTION } from './collections.js';
import { contentHashOf, formatOf, MAX_DOCUMENT_BYTES, READ_EXTENSIONS, readDocumentFile } from './readers/index.js';

export { decodeText } from './text-encoding.js';

const READ_CONCURRENCY = 256;

export class CorpusError extends Error {
  override name = 'CorpusError';
}

/** A file of the corpus folder that is not read, and why (shown once per file by ingest). */
export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
  /**
   * The file's content hash when its reader refused it (a scanned PDF): the index remembers the
   * refusal, so an unchanged unreadable file does not make a current index look stale.
   */
  readonly contentHash?: string;
}

/** Why a file was not read (and its content hash, when it was read far enough to know it). */
type Refusal = { readonly reason: string; readonly contentHash?: string };

export interface Corpus {
  readonly documents: CorpusDocument[];
  readonly skipped: SkippedFile[];
}

/**
 * Read every document of the corpus folder (`.txt`, `.md`, `.html`, `.pdf`, each with its reader)
 * and of its sub-folders one level down (the collections; links to files are followed), sorted by
 * document id. Files that cannot be read (not text, a scanned or encrypted PDF, too large), deeper
 * folders and folders whose name is no collection name are skipped with a reason; hidden folders
 * (`.git`, `.obsidian`) are passed over in silence.
 */
export function readCorpus(corpusDir: string): Promise<Corpus> {
  return readCorpusFiles<CorpusDocument>(corpusDir, readDocumentFile);
}

/** A corpus file known by its content hash alone. */
export interface HashedFile {
  readonly file: string;
  readonly contentHash: string;
}

/**
 * The content hash of every file `readCorpus` would read (same files, same skips and errors),
 * without keeping the texts: whether an index is current is known from these, so a process that
 * finds its index current never holds the corpus.
 */
export function readCorpusHashes(corpusDir: string): Promise<{ documents: HashedFile[]; skipped: SkippedFile[] }> {
  return readCorpusFiles<HashedFile>(corpusDir, async (file, bytes) => {
    const hashed = contentHashOf(file, bytes);
    return 'contentHash' in hashed ? { file, contentHash: hashed.contentHash } : hashed;
  });
}

async function readCorpusFiles<T>(
  corpusDir: string,
  read: (file: string, bytes: Uint8Array) => Promise<T | Refusal>,
): Promise<{ documents: T[]; skipped: SkippedFile[] }> {
  let entries: Dirent[];
  try {
    entries = await readdir(corpusDir, { withFileTypes: true });
  } catch (error) {
    throw new CorpusError(`Cannot read the corpus folder ${corpusDir} (CORPUS_DIR): ${(error as Error).message}`);
  }
  const skipped: SkippedFile[] = [];
  const files = await corpusFiles(corpusDir, entries, DEFAULT_COLLECTION, skipped);
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const problem = collectionNameProblem(entry.name);
    if (problem !== null) {
      skipped.push({ file: `${entry.name}/`, reason: `not read as a collection: ${problem}; rename the folder` });
      continue;
    }
    let inside: Dirent[];
    try {
      inside = await readdir(path.join(corpusDir, entry.name), { withFileTypes: true });
    } catch (error) {
      skipped.push({ file: `${entry.name}/`, reason: `cannot be read: ${(error as Error).message}` });
      continue;
    }
    files.push(...(await corpusFiles(corpusDir, inside, entry.name, skipped)));
  }
  files.sort();
  // A bounded number of files open at once: 100,000 at a time fail with EMFILE.
  const documents: T[] = [];
  for (let start = 0; start < files.length; start += READ_CONCURRENCY) {
    const batch = files.slice(start, start + READ_CONCURRENCY);
    const results = await Promise.all(batch.map(async (file) => ({ file, result: await readOne(corpusDir, file, read) })));
    for (const { file, result } of results) {
      if (isRefusal(result))
        skipped.push({ file, reason: result.reason, ...(result.contentHash ? { contentHash: result.contentHash } : {}) });
      else documents.push(result);
    }
  }
  if (documents.length === 0) {
    const why = skipped.length ? ` (skipped: ${skipped.map((entry) => `${entry.file}: ${entry.reason}`).join('; ')})` : '';
    throw new CorpusError(`The corpus folder ${corpusDir} (CORPUS_DIR) has no readable ${READ_EXTENSIONS.join(', ')} files${why}.`);
  }
  return { documents, skipped };
}

function isRefusal<T>(result: T | Refusal): result is Refusal {
  return result !== null && typeof result === 'object' && 'reason' in result;
}

/** One file through `read`, refused unread when it is over the size limit. */
async function readOne<T>(
  corpusDir: string,
  file: string,
  read: (file: string, bytes: Uint8Array) => Promise<T | Refusal>,
): Promise<T | Refusal> {
  const location = path.join(corpusDir, file);
  const { size } = await stat(location);
  if (size >= MAX_DOCUMENT_BYTES) {
    return { reason: `${(size / 1024 / 1024).toFixed(0)} MB, over the ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB read per document` };
  }
  return read(file, await readFile(location));
}

/**
 * The ids of the corpus files among one folder's entries (`collection`: the folder's collection).
 * Folders inside a collection are skipped with a reason: only one level of sub-folders is read.
 */
async function corpusFiles(corpusDir: string, entries: readonly Dirent[], collection: string, skipped: SkippedFile[]): Promise<string[]> {
  const files: string[] = [];
  for (const entry of entries) {
    // The collection is valid here; a file name with a backslash (legal on Linux) is kept as it was.
    const id = collection === DEFAULT_COLLECTION ? entry.name : `${collection}/${entry.name}`;
    if (entry.isDirectory()) {
      if (collection !== DEFAULT_COLLECTION && !entry.name.startsWith('.')) {
        skipped.push({
          file: `${id}/`,
          reason: 'a folder inside a collection: only files directly in CORPUS_DIR or in its sub-folders are read',
        });
      }
      continue;
    }
    if (formatOf(entry.name) === null) continue;
    // A link counts as what it points to; a broken one is skipped with a word.
    const isFile = entry.isSymbolicLink()
      ? await stat(path.join(corpusDir, id)).then(
          (target) => target.isFile(),
          () => false,
        )
      : entry.isFile();
    if (isFile) files.push(id);
    else if (entry.isSymbolicLink()) skipped.push({ file: id, reason: 'a link to nothing readable' });
  }
  return files;
}
