import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CorpusDocument } from '../answer/types.js';
import { parseDocument } from './metadata.js';

const CORPUS_EXTENSIONS = new Set(['.txt', '.md']);
const READ_CONCURRENCY = 256;

export class CorpusError extends Error {
  override name = 'CorpusError';
}

/** Read every `.txt` and `.md` file of the corpus folder (not recursive), sorted by name. */
export async function readCorpus(corpusDir: string): Promise<CorpusDocument[]> {
  let entries;
  try {
    entries = await readdir(corpusDir, { withFileTypes: true });
  } catch (error) {
    throw new CorpusError(`Cannot read the corpus folder ${corpusDir} (CORPUS_DIR): ${(error as Error).message}`);
  }
  const files = entries
    .filter((entry) => entry.isFile() && CORPUS_EXTENSIONS.has(path.extname(entry.name).toLowerCase()))
    .map((entry) => entry.name)
    .sort();
  if (files.length === 0) {
    throw new CorpusError(`The corpus folder ${corpusDir} (CORPUS_DIR) has no .txt or .md files.`);
  }
  // A bounded number of files open at once: 100,000 at a time fail with EMFILE.
  const documents: CorpusDocument[] = [];
  for (let start = 0; start < files.length; start += READ_CONCURRENCY) {
    const batch = files.slice(start, start + READ_CONCURRENCY);
    documents.push(
      ...(await Promise.all(batch.map(async (file) => parseDocument(file, (await readFile(path.join(corpusDir, file), 'utf8')).replace(/^\uFEFF/, ''))))),
    );
  }
  return documents;
}
