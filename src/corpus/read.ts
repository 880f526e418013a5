import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CorpusDocument } from '../answer/types.js';
import { parseDocument } from './metadata.js';

const CORPUS_EXTENSIONS = new Set(['.txt', '.md']);

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
  return Promise.all(
    files.map(async (file) => parseDocument(file, (await readFile(path.join(corpusDir, file), 'utf8')).replace(/^\uFEFF/, ''))),
  );
}
