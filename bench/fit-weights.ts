/**
 * Fit the ranking weights of a model by cross-validation over question sets, and report the held-out sets.
 *
 *   node --import tsx bench/fit-weights.ts [--model local/all-minilm-l6-v2] [--tune a,b,c,d,g] [--report e,f]
 *     [--grid '{"fusion.dense":[0.7,1.2]}' | --variants '{"no cue":{"quote.cueWeight":0}}']
 *
 * Every combination of the grid below answers every question once with abstention off; the
 * abstention threshold is then chosen from the recorded evidence (no re-run). Cross-validation
 * leaves one tuning set out at a time: the best grid point and threshold on the other sets are
 * scored on the one left out. The final choice (best on all tuning sets) is scored on the report
 * sets, which are never tuned on.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine, type EngineOptions } from '../src/answer/engine.js';
import { DEFAULT_MODEL, loadConfig } from '../src/config.js';
import { loadEmbedder } from '../src/embed/embedder.js';
import { judge, readQuestions, type EvalQuestion } from '../src/eval/evaluate.js';
import { silentLogger } from '../src/core/log.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SET_FILES: Record<string, string> = {
  a: 'test/eval/questions.jsonl',
  ...Object.fromEntries(['b', 'c', 'd', 'e', 'f', 'g'].map((set) => [set, `test/eval/questions-${set}.jsonl`])),
};

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: DEFAULT_MODEL },
    tune: { type: 'string', default: 'a,b,c,d,g' },
    report: { type: 'string', default: 'e,f' },
    /** JSON: a setting path ("fusion.dense", "quote.meaningWeight", "retrieval.rerank", …) → the values to try; every combination runs. */
    grid: { type: 'string' },
    /** JSON: named variants instead of a grid, each a map of setting path → value (ablations). */
    variants: { type: 'string' },
  },
});

/** The grid of the last fit (docs/ranking.md, "Fifth pass"). */
const DEFAULT_GRID: Record<string, number[]> = {
  'fusion.dense': [0.7, 1.2],
  'quote.evidenceDenseWeight': [0.6, 1],
  'quote.evidenceTopicWeight': [0, 0.2],
};

/** Every combination of the grid's values, or the named variants. */
function gridPoints(): { name: string; overrides: Record<string, number | boolean> }[] {
  if (values.variants) {
    return Object.entries(JSON.parse(values.variants) as Record<string, Record<string, number | boolean>>).map(([name, overrides]) => ({
      name,
      overrides,
    }));
  }
  const grid = values.grid ? (JSON.parse(values.grid) as Record<string, number[]>) : DEFAULT_GRID;
  const combinations = Object.entries(grid).reduce<Record<string, number>[]>(
    (points, [key, options]) => points.flatMap((point) => options.map((value) => ({ ...point, [key]: value }))),
    [{}],
  );
  return combinations.map((overrides) => ({ name: JSON.stringify(overrides), overrides }));
}

/** Engine options: the model's tuned settings with abstention off, then the overrides (by setting path). */
function engineOptions(overrides: Record<string, number | boolean>): EngineOptions {
  const ranking: Record<string, Record<string, unknown>> = { fusion: {}, retrieval: {}, quote: { minEvidence: 0 } };
  for (const [key, value] of Object.entries(overrides)) {
    const [group = '', field = ''] = key.split('.');
    const target = ranking[group];
    if (!target || !field) throw new Error(`Unknown setting path "${key}": use fusion.*, retrieval.* or quote.* (src/answer/settings.ts).`);
    target[field] = value;
  }
  return { embedder, ranking: ranking as EngineOptions['ranking'] & object };
}

const THRESHOLDS = Array.from({ length: 81 }, (_, index) => index * 0.01 + 0.1);

interface Outcome {
  readonly set: string;
  readonly answerable: boolean;
  readonly hit1: boolean;
  readonly hit3: boolean;
  readonly quoteHolds: boolean;
  readonly evidence: number;
}

interface Scores {
  hit1: number;
  hit3: number;
  quote: number;
  answered: number;
  abstained: number;
  objective: number;
}

/** hit@1 + 2 × first quote + abstained: a first quote holding the answer is the product. */
function score(outcomes: readonly Outcome[], threshold: number): Scores {
  const answerable = outcomes.filter((outcome) => outcome.answerable);
  const unanswerable = outcomes.filter((outcome) => !outcome.answerable);
  const share = (items: readonly Outcome[], test: (outcome: Outcome) => boolean) =>
    items.length ? items.filter(test).length / items.length : 0;
  const hit1 = share(answerable, (outcome) => outcome.hit1);
  const hit3 = share(answerable, (outcome) => outcome.hit3);
  const quote = share(answerable, (outcome) => outcome.quoteHolds && outcome.evidence >= threshold);
  const answered = share(answerable, (outcome) => outcome.evidence >= threshold);
  const abstained = share(unanswerable, (outcome) => outcome.evidence < threshold);
  return { hit1, hit3, quote, answered, abstained, objective: hit1 + 2 * quote + abstained };
}

function best(runs: readonly { point: string; outcomes: readonly Outcome[] }[], sets: ReadonlySet<string>) {
  let found = { point: '', threshold: 0, objective: -1 };
  for (const run of runs) {
    const outcomes = run.outcomes.filter((outcome) => sets.has(outcome.set));
    for (const threshold of THRESHOLDS) {
      const { objective } = score(outcomes, threshold);
      if (objective > found.objective) found = { point: run.point, threshold, objective };
    }
  }
  return found;
}

const tuneSets = (values.tune ?? '').split(',');
const reportSets = (values.report ?? '').split(',');
const questions = new Map<string, EvalQuestion[]>();
for (const set of [...tuneSets, ...reportSets]) questions.set(set, await readQuestions(path.join(ROOT, SET_FILES[set] ?? set)));

const modelCacheDir = path.join(ROOT, 'embeddings/models');
const embedder = await loadEmbedder({ modelId: values.model ?? DEFAULT_MODEL, modelCacheDir, allowRemoteModels: false, log: silentLogger });
const config = loadConfig(
  {
    CORPUS_DIR: path.join(ROOT, 'seeds'),
    INDEX_DIR: path.join(os.tmpdir(), `fit-weights-${embedder.modelId.replace(/\W/g, '-')}`),
    MODEL_DIR: modelCacheDir,
    LOG_LEVEL: 'silent',
  },
  { baseDir: ROOT, loadDotenv: false },
);

const runs: { point: string; outcomes: Outcome[] }[] = [];
for (const { name, overrides } of gridPoints()) {
  const engine = await createEngine(config, silentLogger, engineOptions(overrides));
  const documents = new Map((await engine.corpusDocuments()).map((document) => [document.file, document]));
  const outcomes: Outcome[] = [];
  for (const [set, list] of questions) {
    for (const question of list) {
      const explained = await engine.explain(question.question);
      const judged = judge(question, explained.answer, documents);
      outcomes.push({
        set,
        answerable: question.kind === 'answerable',
        hit1: judged.passageRank === 1,
        hit3: judged.passageRank !== null && judged.passageRank <= 3,
        quoteHolds: judged.firstQuoteHolds,
        evidence: explained.decision?.evidence ?? 0,
      });
    }
  }
  runs.push({ point: name, outcomes });
  process.stderr.write('.');
}
process.stderr.write('\n');

const percent = (value: number) => (value * 100).toFixed(1).padStart(5);
const line = (label: string, scores: Scores) =>
  `${label.padEnd(34)} hit@1 ${percent(scores.hit1)}  hit@3 ${percent(scores.hit3)}  first quote ${percent(scores.quote)}  answered ${percent(scores.answered)}  abstained ${percent(scores.abstained)}`;

console.log(`model ${embedder.modelId}; grid ${runs.length} points × ${THRESHOLDS.length} thresholds`);
console.log('Leave one tuning set out (chosen on the others, scored on it):');
for (const held of tuneSets) {
  const chosen = best(runs, new Set(tuneSets.filter((set) => set !== held)));
  const run = runs.find((candidate) => candidate.point === chosen.point);
  console.log(
    line(
      `  ${held} ← ${chosen.point} t=${chosen.threshold.toFixed(2)}`,
      score(run?.outcomes.filter((outcome) => outcome.set === held) ?? [], chosen.threshold),
    ),
  );
}
if (values.variants || process.env.FIT_VERBOSE) {
  console.log('Each point at its own threshold (chosen on the tuning sets): hit@1 / first quote / answered / abstained per set');
  for (const run of runs) {
    const own = best([run], new Set(tuneSets));
    const sets = [...tuneSets, ...reportSets].map((set) => {
      const scores = score(
        run.outcomes.filter((outcome) => outcome.set === set),
        own.threshold,
      );
      return `${set} ${[scores.hit1, scores.quote, scores.answered, scores.abstained].map((value) => (value * 100).toFixed(0)).join('/')}`;
    });
    console.log(`  ${run.point.padEnd(28)} t=${own.threshold.toFixed(2)}  ${sets.join('  ')}`);
  }
}
const chosen = best(runs, new Set(tuneSets));
const run = runs.find((candidate) => candidate.point === chosen.point);
console.log(`Chosen on ${tuneSets.join('+')}: ${chosen.point}, minEvidence ${chosen.threshold.toFixed(2)}`);
for (const set of [...tuneSets, ...reportSets]) {
  console.log(
    line(
      `  ${set}${reportSets.includes(set) ? ' (never tuned on)' : ''}`,
      score(run?.outcomes.filter((outcome) => outcome.set === set) ?? [], chosen.threshold),
    ),
  );
}
