/**
 * Deterministic synthetic corpora for the benchmark, made from the seeds' own vocabulary and
 * sentence shapes: a word-bigram chain trained on the seed sentences, with paragraph and sentence
 * counts drawn from the seeds' distributions. Same size → same files, byte for byte.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { splitSentences } from '../src/text/sentences.js';
import { hashContent } from '../src/corpus/metadata.js';
import { readCorpus } from '../src/corpus/read.js';
import { terms } from '../src/text/terms.js';

/** Bump when the generator's output changes, so cached corpora are regenerated. */
const GENERATOR_VERSION = 1;
const START = '\u0002';

/** mulberry32: a small, fast, seeded PRNG (same seed → same sequence on every machine). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** What the seeds look like: a bigram chain of tokens, paragraph/sentence counts, sentences for questions. */
export interface SeedModel {
  readonly next: ReadonlyMap<string, readonly string[]>;
  readonly sentencesPerParagraph: readonly number[];
  readonly paragraphsPerDocument: readonly number[];
  readonly sentenceLengths: readonly number[];
}

export async function learnSeeds(seedsDir: string): Promise<SeedModel> {
  const { documents } = await readCorpus(seedsDir);
  const next = new Map<string, string[]>();
  const sentencesPerParagraph: number[] = [];
  const paragraphsPerDocument: number[] = [];
  const sentenceLengths: number[] = [];
  const follow = (from: string, to: string) => {
    const list = next.get(from) ?? [];
    list.push(to);
    next.set(from, list);
  };
  for (const document of documents) {
    paragraphsPerDocument.push(document.paragraphs.length);
    for (const paragraph of document.paragraphs.slice(1)) {
      const sentences = splitSentences(paragraph.text);
      sentencesPerParagraph.push(sentences.length);
      for (const sentence of sentences) {
        const tokens = sentence.text.split(/\s+/).filter(Boolean);
        sentenceLengths.push(tokens.length);
        let previous = START;
        for (const token of tokens) {
          follow(previous, token);
          previous = token;
        }
      }
    }
  }
  return { next, sentencesPerParagraph, paragraphsPerDocument, sentenceLengths };
}

const SENTENCE_END = /[.!?]["”’)]?$/;

function sentence(model: SeedModel, random: () => number): string {
  const target = pick(random, model.sentenceLengths);
  const words: string[] = [];
  let previous = START;
  while (words.length < 80) {
    const choices = model.next.get(previous);
    if (!choices) break;
    let word = pick(random, choices);
    // Numbers vary between documents, as they do in real news (dates, amounts, percentages).
    if (/^\d+(?:[.,]\d+)?%?$/.test(word) && random() < 0.7) word = word.replace(/\d+/, String(1 + Math.floor(random() * 2000)));
    words.push(word);
    if (SENTENCE_END.test(word) && (words.length >= target * 0.6 || random() < 0.3)) break;
    previous = word;
  }
  const text = words.join(' ');
  return SENTENCE_END.test(text) ? text : `${text}.`;
}

/** One synthetic document: a headline, a dated first paragraph, then paragraphs of chained sentences. */
export function generateDocument(model: SeedModel, index: number, seed = 1): string {
  const random = seededRandom(seed * 1_000_003 + index);
  const headline = sentence(model, random)
    .replace(/[.!?]["”’)]?$/, '')
    .split(' ')
    .slice(0, 12)
    .join(' ');
  const year = 2015 + Math.floor(random() * 11);
  const month = String(1 + Math.floor(random() * 12)).padStart(2, '0');
  const day = String(1 + Math.floor(random() * 28)).padStart(2, '0');
  const paragraphCount = Math.max(3, pick(random, model.paragraphsPerDocument) + Math.floor(random() * 7) - 3);
  const paragraphs: string[] = [];
  for (let number = 0; number < paragraphCount; number++) {
    const count = Math.max(1, pick(random, model.sentencesPerParagraph));
    paragraphs.push(Array.from({ length: count }, () => sentence(model, random)).join(' '));
  }
  return `${headline}\n\n date ${year}-${month}-${day} ${paragraphs.join('\n\n')}\n`;
}

/**
 * Write `size` documents into `folder` (reused when it already holds this generator's output for
 * this size). Returns the folder.
 */
export async function ensureCorpus(
  seedsDir: string,
  folder: string,
  size: number,
  log: (line: string) => void = () => {},
): Promise<string> {
  const stampFile = path.join(folder, '.generated.json');
  const stamp = JSON.stringify({ generator: GENERATOR_VERSION, size });
  if (existsSync(stampFile) && (await readFile(stampFile, 'utf8')) === stamp && (await untouched(folder))) return folder;
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  const model = await learnSeeds(seedsDir);
  const started = performance.now();
  for (let index = 0; index < size; index++) {
    const text = generateDocument(model, index);
    const name = `${String(index).padStart(6, '0')}_${hashContent(text).slice(0, 12)}.txt`;
    await writeFile(path.join(folder, name), text);
    if (index > 0 && index % 10_000 === 0) log(`  generated ${index}/${size} documents…`);
  }
  await writeFile(stampFile, stamp);
  log(`  generated ${size} documents in ${Math.round(performance.now() - started)} ms`);
  return folder;
}

/** The first file still holds what was generated (its name carries its content hash). */
async function untouched(folder: string): Promise<boolean> {
  const first = (await readdir(folder)).filter((name) => name.endsWith('.txt')).sort()[0];
  if (!first) return false;
  return hashContent(await readFile(path.join(folder, first), 'utf8')).startsWith(first.slice(7, 19));
}

/**
 * `count` benchmark questions: the public eval questions first, then questions made from random
 * corpus sentences (a few of their content words, as a user would type them).
 */
export function makeQuestions(publicQuestions: readonly string[], corpusTexts: readonly string[], count: number, seed = 7): string[] {
  const random = seededRandom(seed);
  const questions = publicQuestions.slice(0, count);
  const openers = ['what about', 'who said', 'when did', 'why', 'how many', 'what happened with', ''];
  while (questions.length < count && corpusTexts.length > 0) {
    const sentences = splitSentences(pick(random, corpusTexts));
    if (sentences.length === 0) continue;
    const words = pick(random, sentences)
      .text.split(/\s+/)
      .filter((word) => terms(word).length > 0);
    if (words.length < 3) continue;
    const start = Math.floor(random() * Math.max(1, words.length - 5));
    const chosen = words.slice(start, start + 3 + Math.floor(random() * 4)).map((word) => word.replace(/[^\p{L}\p{N}%'’-]/gu, ''));
    questions.push(`${pick(random, openers)} ${chosen.join(' ')}?`.trim());
  }
  return questions;
}
