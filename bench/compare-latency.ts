// Warm query latency of two checkouts, interleaved, on this checkout's question sets A and B:
//
//   node --import tsx bench/compare-latency.ts --before ../other-checkout [--after .] [--rounds 3] [--passes 5]
//
// Each round starts one process per checkout (its own code, node_modules and index); a process
// answers every question once to warm up, then `passes` times while timing `engine.ask`. Prints
// p50 / p95 / p99 per round and side. Checkouts must have been set up (`npm ci`, `npm run ingest`).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const QUESTION_FILES = ['test/eval/questions.jsonl', 'test/eval/questions-b.jsonl'];

async function measure(root: string, questionFiles: readonly string[], passes: number): Promise<void> {
  const load = (module: string) => import(pathToFileURL(path.join(root, 'src', module)).href);
  const [{ loadConfig }, { createEngine }, { silentLogger }, { readQuestions }] = await Promise.all([
    load('config.ts'),
    load('answer/engine.ts'),
    load('log.ts'),
    load('eval/evaluate.ts'),
  ]);
  process.chdir(root);
  const engine = await createEngine(loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, { loadDotenv: false }), silentLogger, {
    mode: 'load',
  });
  const questions: { question: string }[] = (await Promise.all(questionFiles.map((file) => readQuestions(file)))).flat();
  for (const { question } of questions) await engine.ask(question);
  const times: number[] = [];
  for (let pass = 0; pass < passes; pass++) {
    for (const { question } of questions) {
      const started = performance.now();
      await engine.ask(question);
      times.push(performance.now() - started);
    }
  }
  times.sort((left, right) => left - right);
  const at = (share: number) => times[Math.min(times.length - 1, Math.floor(share * times.length))] ?? 0;
  process.stdout.write(JSON.stringify({ p50: at(0.5), p95: at(0.95), p99: at(0.99), n: times.length }));
}

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string', default: '.' },
    rounds: { type: 'string', default: '3' },
    passes: { type: 'string', default: '5' },
    worker: { type: 'string' },
  },
});
const passes = Number(values.passes);
const questionFiles = QUESTION_FILES.map((file) => path.resolve(file));
if (values.worker) {
  await measure(path.resolve(values.worker), questionFiles, passes);
} else {
  if (!values.before) throw new Error('--before <checkout> is required');
  const sides = { before: path.resolve(values.before), after: path.resolve(values.after) };
  const script = path.resolve(process.argv[1] ?? 'bench/compare-latency.ts');
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const [side, root] of Object.entries(sides)) {
      const output = execFileSync(process.execPath, ['--import', 'tsx', script, '--worker', root, '--passes', String(passes)], {
        encoding: 'utf8',
      });
      const { p50, p95, p99, n } = JSON.parse(output) as Record<string, number>;
      console.log(
        `round ${round} ${side.padEnd(6)} p50 ${p50!.toFixed(2)}  p95 ${p95!.toFixed(2)}  p99 ${p99!.toFixed(2)} ms  (${n} questions)`,
      );
    }
  }
}
