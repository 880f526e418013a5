import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';

export const PROJECT_DIR = path.resolve(import.meta.dirname, '../..');
export const SEEDS_DIR = path.join(PROJECT_DIR, 'seeds');
/** The model built once by the global setup; tests reuse it instead of building their own. */
export const MODEL_CACHE_DIR = path.join(PROJECT_DIR, 'embeddings', 'models');

export interface TempProject {
  readonly dir: string;
  readonly corpusDir: string;
  readonly indexDir: string;
  readonly config: Config;
  /** A config with extra environment variables on top of this project's folders. */
  configWith(environment: Record<string, string>): Config;
  writeDocument(file: string, text: string): Promise<void>;
  removeDocument(file: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** A temp folder with a copy of the seeds (or the given documents), its own index and data folders, and the shared model. */
export async function createTempProject(documents?: Record<string, string>): Promise<TempProject> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seed-quotes-'));
  const corpusDir = path.join(dir, 'corpus');
  const indexDir = path.join(dir, 'embeddings');
  if (documents) {
    await mkdir(corpusDir, { recursive: true });
    for (const [file, text] of Object.entries(documents)) await writeFile(path.join(corpusDir, file), text);
  } else {
    await cp(SEEDS_DIR, corpusDir, { recursive: true });
  }
  const configWith = (environment: Record<string, string>): Config =>
    loadConfig(
      {
        CORPUS_DIR: corpusDir,
        INDEX_DIR: indexDir,
        MODEL_DIR: MODEL_CACHE_DIR,
        DATA_DIR: path.join(dir, 'data'),
        LOG_LEVEL: 'silent',
        ...environment,
      },
      { baseDir: dir, loadDotenv: false },
    );
  return {
    dir,
    corpusDir,
    indexDir,
    config: configWith({}),
    configWith,
    writeDocument: (file, text) => writeFile(path.join(corpusDir, file), text),
    removeDocument: (file) => rm(path.join(corpusDir, file)),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
