import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';

export const PROJECT_DIR = path.resolve(import.meta.dirname, '../..');
export const SEEDS_DIR = path.join(PROJECT_DIR, 'seeds');
/** The model built once by the global setup; tests reuse it instead of building their own. */
export const MODEL_CACHE_DIR = path.join(PROJECT_DIR, 'embeddings', 'models');

declare module 'vitest' {
  export interface ProvidedContext {
    /** The index of seeds/ with the default settings and model, built once per run by test/global-setup.ts. */
    seedIndexDir: string;
  }
}

export interface WorkspaceOptions {
  /** The corpus: these documents (file → text) instead of a copy of seeds/. */
  readonly documents?: Record<string, string>;
  /**
   * `seeds` (the default with seeds/) starts with a copy of the seed index the global set-up built
   * once, so the engine loads it instead of embedding the seeds again (with other documents, it
   * reuses the vectors of the seeds among them); `none` (the default with `documents`) starts
   * without an index: a test of ingest itself builds it.
   */
  readonly index?: 'seeds' | 'none';
}

export interface Workspace {
  readonly dir: string;
  readonly corpusDir: string;
  /** INDEX_DIR: the index itself is in its `index` folder. */
  readonly indexDir: string;
  readonly config: Config;
  /** A config with extra environment variables on top of this workspace's folders. */
  configWith(environment: Record<string, string>): Config;
  writeDocument(file: string, text: string): Promise<void>;
  removeDocument(file: string): Promise<void>;
  remove(): Promise<void>;
}

/**
 * A temp folder with a copy of the seeds (or the given documents), its own index and data folders,
 * and the shared model; with the seeds, by default, a copy of the seed index built once per run.
 */
export async function createWorkspace(options: WorkspaceOptions = {}): Promise<Workspace> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seed-quotes-'));
  const corpusDir = path.join(dir, 'corpus');
  const indexDir = path.join(dir, 'embeddings');
  if (options.documents) {
    await mkdir(corpusDir, { recursive: true });
    for (const [file, text] of Object.entries(options.documents)) await writeFile(path.join(corpusDir, file), text);
  } else {
    await cp(SEEDS_DIR, corpusDir, { recursive: true });
  }
  if ((options.index ?? (options.documents ? 'none' : 'seeds')) === 'seeds') await copySeedIndex(indexDir);
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
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** One workspace shared by the tests of a file: created before them, removed after them. */
export function useWorkspace(options: WorkspaceOptions = {}): { readonly workspace: Workspace } {
  const shared = {} as { workspace: Workspace };
  beforeAll(async () => {
    shared.workspace = await createWorkspace(options);
  });
  afterAll(async () => {
    await shared.workspace?.remove();
  });
  return shared;
}

/** Copy the seed index the global set-up built into `indexDir` (INDEX_DIR), as its `index` folder. */
export async function copySeedIndex(indexDir: string): Promise<void> {
  const seedIndexDir = inject('seedIndexDir');
  if (!seedIndexDir) throw new Error('No seed index: test/global-setup.ts builds it, the set-up of the e2e project (*.e2e.test.ts files).');
  await cp(seedIndexDir, path.join(indexDir, 'index'), { recursive: true });
}
