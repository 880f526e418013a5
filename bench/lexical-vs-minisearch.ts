/**
 * The lexical index against the MiniSearch configuration it replaced, on one synthetic corpus:
 * build time, heap and array memory held, saved size, and BM25 query median / p95 on generated
 * questions. `node --expose-gc --import tsx bench/lexical-vs-minisearch.ts [documents, default 1000]`
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chunkDocument } from '../src/chunk/chunk.js';
import { readCorpus } from '../src/corpus/read.js';
import { LexicalIndex, type LexicalEntry } from '../src/index/lexical-index.js';
import { ensureCorpus, makeQuestions } from './corpus.js';
import { miniSearchReference } from './minisearch-reference.js';

const size = Number(process.argv[2] ?? 1000);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpusDir = await ensureCorpus(path.join(root, 'seeds'), path.join(root, 'bench', 'corpora', `docs-${size}`), size, console.log);
const { documents } = await readCorpus(corpusDir);
const entries: LexicalEntry[] = documents
  .flatMap((document) => chunkDocument(document, { maxChars: 900, overlap: true }).map((chunk) => ({ chunk, title: document.title })))
  .map(({ chunk, title }, label) => ({ label, text: chunk.text, title, section: chunk.section }));
const publicQuestions = readFileSync(path.join(root, 'test', 'eval', 'questions.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => (JSON.parse(line) as { question: string }).question);
const questions = makeQuestions(
  publicQuestions,
  documents.map((document) => document.raw),
  400,
);

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
function heldMb(): number {
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return (heapUsed + arrayBuffers) / 1e6;
}

function measure<T>(name: string, build: () => T, query: (index: T, question: string) => unknown, savedBytes: (index: T) => number) {
  const before = heldMb();
  const started = performance.now();
  const index = build();
  const buildSeconds = (performance.now() - started) / 1000;
  const held = heldMb() - before;
  for (const question of questions.slice(0, 20)) query(index, question);
  const times = questions
    .map((question) => {
      const start = performance.now();
      query(index, question);
      return performance.now() - start;
    })
    .sort((a, b) => a - b);
  const at = (share: number) => (times[Math.min(times.length - 1, Math.floor(share * times.length))] as number).toFixed(2);
  console.log(
    `| ${name} | ${buildSeconds.toFixed(1)} | ${held.toFixed(0)} | ${(savedBytes(index) / 1e6).toFixed(1)} | ${at(0.5)} / ${at(0.95)} |`,
  );
  return index;
}

console.log(`${documents.length} documents, ${entries.length} chunks, ${questions.length} questions, top 50`);
console.log('| index | build s | memory MB | saved MB | query p50 / p95 ms |');
console.log('|---|---|---|---|---|');
measure(
  'MiniSearch 7 (before)',
  () => miniSearchReference(entries),
  (index, question) => index.query(question, 50),
  (index) => Buffer.byteLength(JSON.stringify(index.miniSearch)),
);
measure(
  'typed-array postings (now)',
  () => LexicalIndex.build(entries),
  (index, question) => index.query(question, 50),
  (index) => Object.values(index.toSections().sections).reduce((sum, section) => sum + section.byteLength, 0),
);
