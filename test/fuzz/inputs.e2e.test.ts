/**
 * Fuzzing the two doors hostile input comes through: the corpus reader (any bytes in a `.txt`)
 * and the question path (any text). Seeded, so a failure replays; bounded in runs, not in time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText, readCorpus } from '../../src/corpus/read.js';
import { answerToJson } from '../../src/render/json.js';
import { renderAnswerText } from '../../src/render/text.js';
import { useEngine } from '../support/real-engine.js';

const SEED = 20261130;

describe('the corpus reader, fed random bytes', () => {
  it('decodes or refuses every file, never throws, and keeps what it reads verbatim', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        const decoded = decodeText(bytes);
        if ('text' in decoded) expect(typeof decoded.text).toBe('string');
        else expect(decoded.reason).toMatch(/^(binary|not valid)/);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('reads a folder of random files into documents or skipped files, one each', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 2048 }),
            fc.string({ unit: 'binary', maxLength: 2048 }).map((text) => Buffer.from(text)),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        async (files) => {
          const folder = mkdtempSync(path.join(os.tmpdir(), 'fuzz-corpus-'));
          try {
            files.forEach((content, index) => {
              writeFileSync(path.join(folder, `f${index}.txt`), content);
            });
            const corpus = await readCorpus(folder).catch((error: Error) => error);
            if (corpus instanceof Error) {
              expect(corpus.message).toMatch(/no readable \.txt, \.md, \.html, \.pdf files/);
              return;
            }
            expect(corpus.documents.length + corpus.skipped.length).toBe(files.length);
            for (const document of corpus.documents) {
              for (const paragraph of document.paragraphs) expect(document.raw.slice(paragraph.start, paragraph.end)).toBe(paragraph.text);
            }
          } finally {
            rmSync(folder, { recursive: true, force: true });
          }
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });
});

describe('the question path, fed random text', () => {
  const real = useEngine();

  it('answers any text with a well-formed answer whose quotes are verbatim', async () => {
    const documents = new Map((await real.engine.corpusDocuments()).map((document) => [document.file, document]));
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      // Words of the seeds in random order, so that retrieval and quoting really run.
      fc
        .array(
          fc.constantFrom(
            'Xi',
            'Hanoi',
            'tariff',
            'railway',
            'who',
            'when',
            'what',
            'how',
            'many',
            '145%',
            'To',
            'Lam',
            'the',
            'of',
            '?',
            '2023',
          ),
          { maxLength: 12 },
        )
        .map((words) => words.join(' ')),
      fc.constant('why '.repeat(250)),
    );
    await fc.assert(
      fc.asyncProperty(text, async (question) => {
        const answer = await real.engine.ask(question);
        expect(JSON.parse(JSON.stringify(answerToJson(answer)))).toMatchObject({ question, answered: answer.answered });
        expect(renderAnswerText(answer).length).toBeGreaterThan(0);
        if (!answer.answered) expect(answer.quotes).toEqual([]);
        for (const quote of answer.quotes) expect(documents.get(quote.source)?.raw.slice(quote.start, quote.end)).toBe(quote.text);
        for (const passage of answer.passages) {
          expect(passage.score).toBeGreaterThanOrEqual(0);
          expect(passage.score).toBeLessThanOrEqual(1);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  }, 120_000);
});
