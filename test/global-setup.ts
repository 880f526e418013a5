import path from 'node:path';
import { installSentenceModel } from '../src/embed/sentence-model.js';
import { ensureStaticModel } from '../src/embed/static-model.js';
import { createLogger } from '../src/core/log.js';

/**
 * Install the sentence model (normally done by `npm ci`) and build the GloVe fallback once, before
 * any test file, so parallel test workers never build or fetch them twice.
 */
export default async function setup(): Promise<void> {
  const modelCacheDir = path.resolve('embeddings/models');
  const log = createLogger('info');
  await installSentenceModel(modelCacheDir, log);
  await ensureStaticModel(modelCacheDir, log);
}
