import path from 'node:path';
import { ensureStaticModel } from '../src/embed/static-model.js';
import { createLogger } from '../src/log.js';

/** Build the offline model once, before any test file, so parallel test workers never build it twice. */
export default async function setup(): Promise<void> {
  await ensureStaticModel(path.resolve('embeddings/models'), createLogger('info'));
}
