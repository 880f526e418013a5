import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/chunk/chunk.js';
import { readCorpus } from '../../src/corpus/read.js';
import { readSections, writeSections } from '../../src/index/binary-sections.js';
import { LexicalIndex, type LexicalEntry } from '../../src/index/lexical-index.js';
import { terms } from '../../src/text/terms.js';
import { miniSearchReference } from '../../bench/minisearch-reference.js';
import { generateDocument, learnSeeds, makeQuestions } from '../../bench/corpus.js';

const entry = (label: number, text: string, title = ''): LexicalEntry => ({ label, text, title, section: null });

const entries = [
  entry(0, 'Vietnam exported record coffee volumes to China.', 'Coffee trade'),
  entry(1, 'Vietnam and China agreed to patrol the land border together.'),
  entry(2, 'A boarder at the Hanoi hostel said Vietnam was welcoming.'),
  entry(3, 'The ambassador of Vietnam met Chinese officials in Beijing.'),
  entry(4, 'Phạm Minh Chính said tariffs of 46% would hurt Vietnam.'),
  entry(5, 'The two neighbours normalised ties and signed a defence pact.'),
];
const index = LexicalIndex.build(entries);
const labels = (question: string) => index.query(question, 10).map((hit) => hit.label);

describe('lexical index', () => {
  it('matches a misspelt word the corpus does not have, but a known word only as it is', () => {
    expect(labels('ambasador')).toEqual([3]);
    expect(labels('border')).toEqual([1]);
    expect(labels('boarder')).toEqual([2]);
  });

  it('does not search on their own terms found in most chunks, unless nothing else is left', () => {
    expect(labels('Vietnam coffee')).toEqual([0]);
    expect(labels('Vietnam')).toHaveLength(5);
    // A common word still counts inside a phrase pair.
    expect(labels('land border of Vietnam')[0]).toBe(1);
  });

  it('adds weighted expansion terms, but not those found in most chunks', () => {
    const expanded = (question: string, expansions: Map<string, number>) => index.query(question, 10, expansions).map((hit) => hit.label);
    expect(expanded('coffee', new Map([['ambassador', 0.3]]))).toEqual([0, 3]);
    // "vietnam" is in every chunk: as an expansion it would touch them all.
    expect(expanded('coffee', new Map([['vietnam', 0.3]]))).toEqual([0]);
  });

  it('tells whether the text of chunks in a range of positions has a term', () => {
    expect(index.textHasIn('coffe', 0, 0)).toBe(true);
    expect(index.textHasIn('coffe', 1, 4)).toBe(false);
    expect(index.textHasIn('ambassador', 1, 2)).toBe(false);
    expect(index.textHasIn('ambassador', 2, 3)).toBe(true);
    // Title words are not chunk text; unknown words are in no chunk.
    expect(index.textHasIn('trade', 0, 4)).toBe(false);
    expect(index.textHasIn('zebra', 0, 4)).toBe(false);
  });

  it('meets British spellings with American ones', () => {
    expect(labels('when did the neighbors normalize relations')).toEqual([5]);
    expect(labels('defense')).toEqual([5]);
    // Rare American variants in the spelling list are not used: "gauge" stays "gauge".
    expect(terms('gauge normalisation colour')).toEqual(terms('gauge normalization color'));
    expect(terms('gauge')).not.toEqual(terms('gage'));
  });

  it('stems adverbs to their adjectives (Porter2)', () => {
    expect(terms('mainly recently')).toEqual(terms('main recent'));
  });

  it('folds accents and keeps numbers whole', () => {
    expect(labels('Pham Minh Chinh')).toEqual([4]);
    expect(labels('46%')).toEqual([4]);
  });

  it('answers the same after a round trip through its file', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'lexical-'));
    const file = path.join(folder, 'lexical.bin');
    const { header, sections } = index.toSections();
    await writeSections(file, header, sections);
    const read = await readSections(file);
    const restored = LexicalIndex.fromSections(read.header, read.sections);
    await rm(folder, { recursive: true });
    for (const question of ['Vietnam coffee', 'ambasador', 'land border', 'Pham Minh Chinh tariffs']) {
      expect(restored.query(question, 10)).toEqual(index.query(question, 10));
    }
    expect(restored.idf('coffe')).toBeCloseTo(index.idf('coffe'), 12);
  });

  it('refuses a file of another kind or a cut-off one, with the reason', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'lexical-'));
    const file = path.join(folder, 'lexical.bin');
    await writeFile(file, '{"not":"sections"}');
    await expect(readSections(file)).rejects.toThrow(/not a sections file/);
    const { header, sections } = index.toSections();
    await writeSections(file, header, sections);
    const whole = readFileSync(file);
    await writeFile(file, whole.subarray(0, whole.length - 64));
    await expect(readSections(file)).rejects.toThrow(/ends early/);
    await rm(folder, { recursive: true });
  });

  it('ranks and scores the seeds exactly as MiniSearch did, for every eval question', async () => {
    const { documents } = await readCorpus('seeds');
    const seedEntries: LexicalEntry[] = documents
      .flatMap((document) => chunkDocument(document, { maxChars: 900, overlap: true }).map((chunk) => ({ chunk, title: document.title })))
      .map(({ chunk, title }, label) => ({ label, text: chunk.text, title, section: chunk.section }));
    const compact = LexicalIndex.build(seedEntries);
    const reference = miniSearchReference(seedEntries);
    const questions = readFileSync('test/eval/questions.jsonl', 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { question: string }).question);
    // Typos of words the seeds lack, a repeated word, and weighted expansions, besides the eval set.
    const cases: [string, Map<string, number>][] = [
      ...questions.map((question): [string, Map<string, number>] => [question, new Map()]),
      ['what did the ambasador say about the tarifs', new Map()],
      ['tariffs tariffs on Vietnam', new Map()],
      [
        'border patrol',
        new Map([
          ['frontier', 0.4],
          ['boundari', 0.3],
          ['border', 0.2],
        ]),
      ],
    ];
    let compared = 0;
    for (const [question, expansions] of cases) {
      const expected = reference.query(question, 50, expansions);
      const actual = compact.query(question, 50, expansions);
      expect(
        actual.map((hit) => hit.label),
        question,
      ).toEqual(expected.map((hit) => hit.label));
      actual.forEach((hit, at) => {
        expect(hit.score).toBeCloseTo(expected[at]?.score ?? NaN, 9);
      });
      compared += expected.length;
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('returns exactly what MiniSearch would on thousands of passages with long posting lists', async () => {
    // 400 synthetic documents (~7,000 passages) in the seeds' words: every term is in many passages.
    const model = await learnSeeds('seeds');
    const documents = Array.from({ length: 400 }, (_, index) => generateDocument(model, index));
    const entries: LexicalEntry[] = documents
      .flatMap((document) => {
        const [title = '', ...paragraphs] = document.split('\n\n');
        return paragraphs.map((text) => ({ text, title, section: null }));
      })
      .map((entry, label) => ({ ...entry, label }));
    const compact = LexicalIndex.build(entries);
    const reference = miniSearchReference(entries);
    const questions = makeQuestions([], documents, 40);
    for (const question of questions) {
      for (const limit of [1, 10]) {
        const expected = reference.query(question, limit);
        const actual = compact.query(question, limit);
        expect(actual.map((hit) => hit.score)).toEqual(expected.map((hit) => expect.closeTo(hit.score, 9)));
        // Equal scores may come in another order; distinct ones name the same passages.
        const tied = (score: number) => expected.filter((hit) => Math.abs(hit.score - score) < 1e-9).length > 1;
        actual.forEach((hit, at) => {
          if (!tied(hit.score)) expect(hit.label, question).toBe(expected[at]?.label);
        });
      }
    }
  });
});
