import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CorpusDocument } from '../core/types.js';
import { collectionNameProblem, DEFAULT_COLLECTION } from './collections.js';
import { hashContent, parseDocument } from './metadata.js';

const CORPUS_EXTENSIONS = new Set(['.txt', '.md']);
const READ_CONCURRENCY = 256;
/** More control characters than this share of a text (tabs and line breaks aside) means it is no text. */
const MAX_CONTROL_SHARE = 0.01;

export class CorpusError extends Error {
  override name = 'CorpusError';
}

/** A file of the corpus folder that is not read, and why (shown once per file by ingest). */
export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
}

export interface Corpus {
  readonly documents: CorpusDocument[];
  readonly skipped: SkippedFile[];
}

/**
 * The text of a file: UTF-8 (with or without a byte-order mark) or UTF-16 with its byte-order mark
 * (as Windows Notepad saves it); a string saying why not for anything else (binary, other encodings).
 */
export function decodeText(bytes: Uint8Array): { text: string } | { reason: string } {
  let text: string;
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) text = new TextDecoder('utf-16le', { fatal: true }).decode(bytes.subarray(2));
    else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = new TextDecoder('utf-16be', { fatal: true }).decode(bytes.subarray(2));
    else if (bytes.includes(0)) return { reason: 'binary (it has NUL bytes), not text' };
    else text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { reason: 'not valid UTF-8 or UTF-16 text: save it as UTF-8' };
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what tells a binary file from text.
  const controls = text.match(/[\u0000-\u0008\u000e-\u001f\u007f]/g)?.length ?? 0;
  if (controls > MAX_CONTROL_SHARE * text.length) return { reason: `binary (${controls} control characters), not text` };
  return { text };
}

/**
 * Read every `.txt` and `.md` file of the corpus folder and of its sub-folders one level down (the
 * collections; links to files are followed), sorted by document id. Files that are not text,
 * deeper folders and folders whose name is no collection name are skipped with a reason; hidden
 * folders (`.git`, `.obsidian`) are passed over in silence.
 */
export function readCorpus(corpusDir: string): Promise<Corpus> {
  return readCorpusFiles(corpusDir, parseDocument);
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
  return readCorpusFiles(corpusDir, (file, text) => ({ file, contentHash: hashContent(text) }));
}

async function readCorpusFiles<T>(
  corpusDir: string,
  read: (file: string, text: string) => T,
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
    const decoded = await Promise.all(
      batch.map(async (file) => ({ file, result: decodeText(await readFile(path.join(corpusDir, file))) })),
    );
    for (const { file, result } of decoded) {
      if ('text' in result) documents.push(read(file, result.text));
      else skipped.push({ file, reason: result.reason });
    }
  }
  if (documents.length === 0) {
    const why = skipped.length ? ` (skipped: ${skipped.map((entry) => `${entry.file}: ${entry.reason}`).join('; ')})` : '';
    throw new CorpusError(`The corpus folder ${corpusDir} (CORPUS_DIR) has no readable .txt or .md files${why}.`);
  }
  return { documents, skipped };
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
    if (!CORPUS_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) continue;
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
