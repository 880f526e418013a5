import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/engine.js';
import { documentSentences } from '../../src/chunk/chunk.js';
import { silentLogger } from '../../src/core/log.js';
import { type EvalReport, judge, readQuestions, summarise } from '../../src/eval/evaluate.js';
import { PROJECT_DIR, createWorkspace, type Workspace } from '../support/workspace.js';

/**
 * The Markdown documentation corpus (undici's API docs, `test/eval/corpora/undici-docs/`) with its
 * question set written blind by someone who saw only those pages: floors a few points under the
 * figures in docs/documents.md, so the Markdown reader, structured chunks and quotes keep what they
 * won. The web-page and PDF corpora are built from Debian's packages by bench/make-corpora.sh and
 * measured by bench/eval-sets.sh, not here.
 */
const CORPUS = path.join(PROJECT_DIR, 'test/eval/corpora/undici-docs');
const QUESTIONS = 'test/eval/corpora/markdown.jsonl';
const FLOORS: Omit<EvalReport, 'answerable' | 'unanswerable' | 'latency'> = {
  hitAt1: 0.7,
  hitAt3: 0.86,
  firstQuoteHolds: 0.65,
  citationAccuracy: 0.78,
  answeredRate: 0.87,
  abstainRate: 0.85,
};

let project: Workspace;
let engine: Engine;

beforeAll(async () => {
  project = await createWorkspace({ documents: {} });
  engine = await createEngine(project.configWith({ CORPUS_DIR: CORPUS }), silentLogger);
});
afterAll(() => project?.remove());

it('the Markdown documentation set is well formed: every expected answer stands in a quotable sentence of each listed source', async () => {
  const questions = await readQuestions(path.join(PROJECT_DIR, QUESTIONS));
  const sentences = new Map((await engine.corpusDocuments()).map((document) => [document.file, documentSentences(document)]));
  expect(questions.filter((question) => question.kind === 'answerable').length).toBeGreaterThanOrEqual(50);
  expect(questions.filter((question) => question.kind === 'unanswerable').length).toBeGreaterThanOrEqual(20);
  for (const question of questions) {
    if (question.kind !== 'answerable') continue;
    for (const source of question.sources) {
      const found = (sentences.get(source) ?? []).some((sentence) => sentence.text.includes(question.answer));
      expect(found, `${question.id}: "${question.answer}" in ${source}`).toBe(true);
    }
  }
});

it('the Markdown documentation set meets its quality floors', async () => {
  const questions = await readQuestions(path.join(PROJECT_DIR, QUESTIONS));
  const documents = new Map((await engine.corpusDocuments()).map((document) => [document.file, document]));
  const outcomes = [];
  for (const question of questions) outcomes.push(judge(question, await engine.ask(question.question), documents));
  const report = summarise(outcomes);
  for (const [metric, floor] of Object.entries(FLOORS)) {
    expect(report[metric as keyof typeof FLOORS], `${QUESTIONS}: ${metric}`).toBeGreaterThanOrEqual(floor);
  }
});
