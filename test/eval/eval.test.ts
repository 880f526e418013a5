import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/engine.js';
import { judge, readQuestions, summarise, type EvalReport } from '../../src/eval/evaluate.js';
import { silentLogger } from '../../src/log.js';
import { createTempProject, PROJECT_DIR, type TempProject } from '../support/temp-project.js';

type Floors = Omit<EvalReport, 'answerable' | 'unanswerable' | 'latency'>;

/**
 * Floors on the evaluation sets, a few points under the figures in README.md so that a real
 * regression fails the build while a one-question wobble does not. Never a timing.
 */
const FLOORS: Floors = {
  hitAt1: 0.89,
  hitAt3: 0.91,
  firstQuoteHolds: 0.82,
  citationAccuracy: 0.92,
  answeredRate: 0.94,
  abstainRate: 0.65,
};

/** Set B: written by someone who saw only the seeds, never the engine (README, "Quality"). */
const FLOORS_B: Floors = {
  hitAt1: 0.88,
  hitAt3: 0.9,
  firstQuoteHolds: 0.81,
  citationAccuracy: 0.88,
  answeredRate: 0.91,
  abstainRate: 0.5,
};

let project: TempProject;
let engine: Engine;

beforeAll(async () => {
  project = await createTempProject();
  engine = await createEngine(project.config, silentLogger);
});

afterAll(() => project.cleanup());

describe('the public evaluation set', () => {
  it('is well formed: every expected answer stands verbatim in each listed source', () => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', 'test/eval/check-questions.mjs'], { cwd: PROJECT_DIR, encoding: 'utf8' });
    expect(output).toMatch(/OK: 0 error\(s\)/);
  });

  it('meets the quality floors', async () => {
    await expectFloors('test/eval/questions.jsonl', FLOORS);
  });
});

describe('evaluation set B', () => {
  it('is well formed', () => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', 'test/eval/check-questions.mjs', '--questions', 'test/eval/questions-b.jsonl'], { cwd: PROJECT_DIR, encoding: 'utf8' });
    expect(output).toMatch(/OK: 0 error\(s\)/);
  });

  it('meets its quality floors', async () => {
    await expectFloors('test/eval/questions-b.jsonl', FLOORS_B);
  });
});

async function expectFloors(file: string, floors: Floors): Promise<void> {
  const questions = await readQuestions(path.join(PROJECT_DIR, file));
  expect(questions.filter((question) => question.kind === 'answerable').length).toBeGreaterThanOrEqual(40);
  expect(questions.filter((question) => question.kind === 'unanswerable').length).toBeGreaterThanOrEqual(15);
  const documents = new Map(engine.corpusDocuments().map((document) => [document.file, document]));
  const outcomes = [];
  for (const question of questions) outcomes.push(judge(question, await engine.ask(question.question), documents));
  const report = summarise(outcomes);
  for (const [metric, floor] of Object.entries(floors)) {
    expect(report[metric as keyof Floors], `${file}: ${metric}`).toBeGreaterThanOrEqual(floor);
  }
}
