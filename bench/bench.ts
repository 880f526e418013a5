/**
 * `npm run bench [-- --size 5,1000,100000] [--questions 1000] [--cold-runs 5] [--cold-only] [--keep-index] [--skip-one-changed]`
 * `npm run bench -- --store postgres [--size 1000,10000] [--questions 300] [--results file] [--reuse]`: the PostgreSQL store (bench/postgres-bench.ts)
 *
 * Measures, in one run on this machine, for each corpus size: cold start (the compiled program
 * and, side by side, the same code through tsx's loader), the query path
 * (embed + search + quote, no Discord), ingest (full, unchanged, one document changed), peak RSS,
 * and the baselines (exact brute-force search, BM25 alone, HNSW at several ef with recall).
 * Prints one table and writes bench/results.json. Corpora are generated into bench/corpora/
 * (gitignored) from the seeds; see bench/README.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { appendFile, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildDist } from '../scripts/build-dist.js';
import { loadConfig } from '../src/config.js';
import { ensureCorpus, makeQuestions } from './corpus.js';
import { benchServer, describeDatabase, dropStoreTables, postgresTable, storedDocumentCount } from './postgres-bench.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const benchDir = path.join(root, 'bench');
const corporaDir = path.join(benchDir, 'corpora');
const seedsDir = path.join(root, 'seeds');
// One node process with tsx's loader (the tsx CLI would add a second process, ~0.6 s): the workers,
// and the "before" of the cold start (how `npm start` and `npm run ask` ran until they were compiled).
const tsxLoader = import.meta.resolve('tsx');
/** The cold start: one `ask` as a new process, compiled (as `npm run ask` runs it) and through tsx's loader. */
const STARTS = {
  compiled: ['dist/cli.js'],
  tsx: ['--import', tsxLoader, 'src/cli.ts'],
} as const;
type Start = keyof typeof STARTS;
const COLD_QUESTION = 'How high were the US tariffs on Chinese goods?';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '5,1000' },
    questions: { type: 'string', default: '1000' },
    'cold-runs': { type: 'string', default: '5' },
    // Only the full ingest (to have an index) and the cold starts: ~30 s at the seeds.
    'cold-only': { type: 'boolean', default: false },
    'keep-index': { type: 'boolean', default: false },
    // At 100k documents the one-document-changed ingest (and the one that restores it) rebuild the
    // lexical index and the HNSW graph twice more: ~1.5 h.
    'skip-one-changed': { type: 'boolean', default: false },
    // local: the index files (default); postgres: the PostgreSQL store (DATABASE_URL, or a server started for the run).
    store: { type: 'string', default: 'local' },
    // Where to write the results (default bench/results.json, or bench/results-postgres.json for --store postgres).
    results: { type: 'string' },
    // postgres: measure the serving side on the database as it is when it already holds that size's
    // corpus (no drop, no ingest), e.g. a 100k database ingested once, again after a code change.
    reuse: { type: 'boolean', default: false },
  },
});
const store = values.store;
const sizes = values.size.split(',').map((part) => Number(part.trim()));
const questionCount = Number(values.questions);
const coldRuns = Number(values['cold-runs']);
if (
  sizes.some((size) => !Number.isInteger(size) || size < 1) ||
  !(questionCount > 0) ||
  !(coldRuns > 0) ||
  (store !== 'local' && store !== 'postgres')
) {
  process.stderr.write(
    'usage: npm run bench -- [--store local|postgres] [--size 5,1000,100000] [--questions 1000] [--cold-runs 5] [--cold-only] [--keep-index] [--skip-one-changed] [--results file] [--reuse]\n',
  );
  process.exit(2);
}

const say = (line: string) => process.stderr.write(`${line}\n`);
/** Other processes share the CPU: the load average at start and end says how noisy the run was. */
const loadAtStart = os.loadavg()[0] ?? 0;

/** Run one worker task; resolve with its JSON line and the wall time from spawn to exit. */
function worker(
  args: string[],
  extraEnv: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<{ result: Record<string, unknown>; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, '--import', tsxLoader, path.join(benchDir, 'worker.ts'), ...args], {
      cwd: root,
      env: { ...process.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const line = output.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line) return reject(new Error(`worker ${args[0]} exited with ${code}: ${output}`));
      resolve({ result: JSON.parse(line) as Record<string, unknown>, wallMs });
    });
  });
}

/** The command line in a new process: spawn → exit, as a person running `npm run ask` waits for it (without npm's own start). */
function cli(start: Start, args: string[], corpusDir: string, indexRoot: string, extraEnv: Record<string, string>) {
  return new Promise<{ stdout: string; wallMs: number }>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...STARTS[start], ...args], {
      cwd: root,
      env: { ...process.env, ...extraEnv, CORPUS_DIR: corpusDir, INDEX_DIR: indexRoot, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${start} ${args[0]} exited with ${code}: ${stdout}`));
      resolve({ stdout, wallMs });
    });
  });
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function questionsFor(corpusDir: string, file: string): Promise<void> {
  const publicQuestions = (await readFile(path.join(root, 'test', 'eval', 'questions.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { question: string }).question);
  const files = (await readdir(corpusDir)).filter((name) => name.endsWith('.txt')).sort();
  const step = Math.max(1, Math.floor(files.length / 200));
  const sample = files.filter((_, index) => index % step === 0).slice(0, 200);
  const texts = await Promise.all(sample.map((name) => readFile(path.join(corpusDir, name), 'utf8')));
  await writeFile(file, `${makeQuestions(publicQuestions, texts, questionCount).join('\n')}\n`);
}

type Row = Record<string, unknown>;
const results: Row[] = [];
const bigHeap = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=16384`.trim() };
const coldOnly = values['cold-only'];

const modelFolder = path.join(root, 'embeddings', 'models', 'local');
const modelBytes = async (folder: string): Promise<number> => {
  if (!existsSync(folder)) return 0;
  let sum = 0;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) sum += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return sum;
};
async function describeMachine() {
  return {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    model: loadConfig({ ...process.env }, { loadDotenv: false }).embeddingModel,
    platform: `${os.platform()} ${os.release()}`,
    modelFilesMb: Math.round((await modelBytes(modelFolder)) / 1e6),
    loadAverage: { start: Number(loadAtStart.toFixed(2)), end: Number((os.loadavg()[0] ?? 0).toFixed(2)) },
  };
}

// The cold start runs the compiled program: build dist/ from src/ as it is now (incremental).
say('build (npm run build)…');
await buildDist();
const resultsFile = path.resolve(values.results ?? path.join(benchDir, store === 'postgres' ? 'results-postgres.json' : 'results.json'));

if (store === 'postgres') {
  await benchPostgres();
  process.exit(0);
}

/** The rows of an earlier results file, or none. */
async function previousResults(file: string): Promise<Record<string, unknown>[]> {
  try {
    return (JSON.parse(await readFile(file, 'utf8')) as { results?: Record<string, unknown>[] }).results ?? [];
  } catch {
    return [];
  }
}

/** The PostgreSQL store at each size (see bench/postgres-bench.ts); its own table and results file. */
async function benchPostgres(): Promise<void> {
  const server = benchServer(root, say);
  const writeResults = async () => {
    const machine = await describeMachine();
    await writeFile(
      resultsFile,
      `${JSON.stringify({ machine, store: 'postgres', serverStartedByBench: server.started, results }, null, 2)}\n`,
    );
    return machine;
  };
  try {
    for (const size of sizes) {
      say(`\n== ${size} documents, STORE=postgres ==`);
      const corpusDir = size === 5 ? seedsDir : await ensureCorpus(seedsDir, path.join(corporaDir, `docs-${size}`), size, say);
      const indexRoot = path.join(corporaDir, `index-pg-${size}`);
      await rm(indexRoot, { recursive: true, force: true });
      await mkdir(indexRoot, { recursive: true });
      const questionsFile = path.join(corporaDir, `questions-${size}.txt`);
      await questionsFor(corpusDir, questionsFile);
      const env = { STORE: 'postgres', DATABASE_URL: server.url, ...(size >= 10_000 ? bigHeap : {}) };
      let full: Record<string, unknown>;
      if (values.reuse && (await storedDocumentCount(server.url)) === size) {
        // The ingest below must then find the index up to date; the full ingest's figures are the last run's.
        say('reusing the stored index (--reuse): no drop, no ingest');
        const earlier = await previousResults(resultsFile);
        full = { ...(earlier.find((row) => row.size === size)?.full ?? {}), reused: true };
      } else {
        await dropStoreTables(server.url);
        say('ingest (full build, into an empty store)…');
        full = (await worker(['ingest', corpusDir, indexRoot], env)).result;
        say(`  ${full.chunks} chunks in ${Math.round(full.ingestMs as number)} ms`);
      }
      const check = await cli('compiled', ['ingest'], corpusDir, indexRoot, env);
      if (!check.stdout.startsWith('The index is up to date'))
        throw new Error(`the command line rebuilt the benchmark's index: ${check.stdout.trim()}`);
      say(`cold start ×${coldRuns} (a new process: spawn → one answer → exit)…`);
      const coldMs: number[] = [];
      for (let run = 0; run < coldRuns; run++) {
        const { stdout, wallMs } = await cli('compiled', ['ask', '--json', COLD_QUESTION], corpusDir, indexRoot, env);
        if (typeof (JSON.parse(stdout) as { answered?: unknown }).answered !== 'boolean') throw new Error(`not an answer: ${stdout}`);
        coldMs.push(wallMs);
      }
      say(`  median ${Math.round(median(coldMs))} ms`);
      // A new shard of the sharded bot opens the stored index as it is, without reading the corpus folder.
      say(`new shard ×${coldRuns} (ask --stored: spawn → one answer from the stored index → exit)…`);
      const shardMs: number[] = [];
      for (let run = 0; run < coldRuns; run++) {
        const { stdout, wallMs } = await cli('compiled', ['ask', '--json', '--stored', COLD_QUESTION], corpusDir, indexRoot, env);
        if (typeof (JSON.parse(stdout) as { answered?: unknown }).answered !== 'boolean') throw new Error(`not an answer: ${stdout}`);
        shardMs.push(wallMs);
      }
      say(`  median ${Math.round(median(shardMs))} ms`);
      const cold = (await worker(['cold', corpusDir, indexRoot], env)).result;
      say(`serving: ${questionCount} questions at 1, 4, 16 askers, SQL alone, recall…`);
      const serve = (await worker(['serve-store', corpusDir, indexRoot, questionsFile], env)).result;
      say('memory of a serving process…');
      const memory = (await worker(['memory', corpusDir, indexRoot], env, ['--expose-gc'])).result;
      const database = await describeDatabase(server.url);
      results.push({
        size,
        store: 'postgres',
        full,
        cold: {
          command: `node ${STARTS.compiled.join(' ')} ask --json`,
          medianMs: median(coldMs),
          runsMs: coldMs,
          storedMedianMs: median(shardMs),
          storedRunsMs: shardMs,
          inProcess: cold,
        },
        serve,
        memory,
        database,
      });
      await rm(indexRoot, { recursive: true, force: true });
      // After each size, so a long run that fails later keeps what it measured.
      await writeResults();
    }
  } finally {
    server.stop();
  }
  const machine = await writeResults();
  const header = ['STORE=postgres', ...results.map((row) => `${Number(row.size).toLocaleString('en')} docs`)];
  const rows = postgresTable(results);
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => (row[column] ?? '').length)));
  const format = (row: string[]) =>
    `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(' | ')} |`;
  process.stdout.write(
    `${[
      `bench ${machine.date.slice(0, 10)} · ${machine.cpu} · ${machine.cores} cores · ${machine.memoryGb} GB · Node ${machine.node} · ${machine.model} · load avg ${machine.loadAverage.start} → ${machine.loadAverage.end}`,
      format(header),
      `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
      ...rows.map(format),
    ].join('\n')}\n`,
  );
  say(`\nwrote ${path.relative(root, resultsFile)}`);
}

for (const size of sizes) {
  say(`\n== ${size} documents ==`);
  const corpusDir = size === 5 ? seedsDir : await ensureCorpus(seedsDir, path.join(corporaDir, `docs-${size}`), size, say);
  const indexRoot = path.join(corporaDir, `index-${size}`);
  const indexDir = path.join(indexRoot, 'index');
  await mkdir(indexRoot, { recursive: true });
  await rm(indexDir, { recursive: true, force: true });
  await rm(`${indexDir}.partial`, { recursive: true, force: true });
  const questionsFile = path.join(corporaDir, `questions-${size}.txt`);
  await questionsFor(corpusDir, questionsFile);
  const env = size >= 10_000 ? bigHeap : {};

  say('ingest (full build)…');
  const full = (await worker(['ingest', corpusDir, indexRoot], env)).result;
  say(`  ${full.chunks} chunks in ${Math.round(full.ingestMs as number)} ms`);
  let unchanged: Row | null = null;
  if (!coldOnly) {
    say('ingest (unchanged corpus)…');
    unchanged = (await worker(['ingest', corpusDir, indexRoot], env)).result;
  }
  let oneChanged: Row | null = null;
  if (size > 5 && !values['skip-one-changed'] && !coldOnly) {
    say('ingest (one document changed)…');
    const victim = path.join(corpusDir, (await readdir(corpusDir)).filter((name) => name.endsWith('.txt')).sort()[0] as string);
    const original = await readFile(victim, 'utf8');
    await appendFile(victim, '\nA late paragraph was added to this story after it was first published.\n');
    try {
      oneChanged = (await worker(['ingest', corpusDir, indexRoot], env)).result;
    } finally {
      await writeFile(victim, original);
    }
    await worker(['ingest', corpusDir, indexRoot], env);
  }

  // The command line must find the index the worker built as it is: settings it reads elsewhere
  // (a .env file) would make it rebuild the index inside the timed runs.
  const check = await cli('compiled', ['ingest'], corpusDir, indexRoot, env);
  if (!check.stdout.startsWith('The index is up to date')) {
    throw new Error(`the command line rebuilt the benchmark's index (settings from .env?): ${check.stdout.trim()}`);
  }
  say(`cold start ×${coldRuns}, compiled and through tsx's loader, alternating…`);
  const coldWall: Record<Start, number[]> = { compiled: [], tsx: [] };
  for (let run = 0; run < coldRuns; run++) {
    // Alternate which goes first, so a burst of load elsewhere does not always hit the same one.
    for (const start of run % 2 ? (['tsx', 'compiled'] as const) : (['compiled', 'tsx'] as const)) {
      const { stdout, wallMs } = await cli(start, ['ask', '--json', COLD_QUESTION], corpusDir, indexRoot, env);
      if (typeof (JSON.parse(stdout) as { answered?: unknown }).answered !== 'boolean')
        throw new Error(`${start}: not an answer: ${stdout}`);
      coldWall[start].push(wallMs);
    }
  }
  say(`  median compiled ${Math.round(median(coldWall.compiled))} ms, tsx loader ${Math.round(median(coldWall.tsx))} ms`);

  let serve: Row | null = null;
  if (!coldOnly) {
    say(`query path ×${questionCount} + baselines…`);
    serve = (await worker(['serve', corpusDir, indexRoot, questionsFile], env)).result;
  }
  const indexBytes = existsSync(indexDir)
    ? (await readdir(indexDir)).reduce((sum, name) => sum + statSync(path.join(indexDir, name)).size, 0)
    : 0;
  results.push({
    size,
    full,
    unchanged,
    oneChanged,
    cold: {
      question: COLD_QUESTION,
      compiled: { command: `node ${STARTS.compiled.join(' ')} ask`, medianMs: median(coldWall.compiled), runsMs: coldWall.compiled },
      tsx: { command: 'node --import tsx src/cli.ts ask', medianMs: median(coldWall.tsx), runsMs: coldWall.tsx },
    },
    serve,
    indexMb: indexBytes / 1e6,
  });
  if (!values['keep-index'] && size >= 10_000) await rm(indexRoot, { recursive: true, force: true });
}

const machine = await describeMachine();
await writeFile(resultsFile, `${JSON.stringify({ machine, results }, null, 2)}\n`);

// ---- the table ----
const fixed = (value: unknown, digits = 1) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–');
const whole = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? Math.round(value).toLocaleString('en') : '–');
const get = (row: Row, ...keys: string[]): unknown => keys.reduce<unknown>((value, key) => (value as Row | null | undefined)?.[key], row);

const lines: string[] = [];
lines.push(
  `bench ${machine.date.slice(0, 10)} · ${machine.cpu} · ${machine.cores} cores · ${machine.memoryGb} GB · Node ${machine.node} · ${machine.model} · model files ${machine.modelFilesMb} MB · load avg ${machine.loadAverage.start} → ${machine.loadAverage.end}`,
);
const header = ['', ...results.map((row) => `${whole(row.size)} docs`)];
const coldRows: string[][] = [
  [
    `cold start, compiled: ${STARTS.compiled.join(' ')} ask, median of ${coldRuns} (ms)`,
    ...results.map((row) => whole(get(row, 'cold', 'compiled', 'medianMs'))),
  ],
  [
    `cold start, tsx loader: src/cli.ts ask, median of ${coldRuns} (ms)`,
    ...results.map((row) => whole(get(row, 'cold', 'tsx', 'medianMs'))),
  ],
];
const table: string[][] = [
  ['chunks', ...results.map((row) => whole(get(row, 'full', 'chunks')))],
  ['vector search', ...results.map((row) => String(get(row, 'serve', 'vectorSearchKind')))],
  ...coldRows,
  [
    'query p50 / p95 / p99 (ms)',
    ...results.map(
      (row) =>
        `${fixed(get(row, 'serve', 'query', 'p50'))} / ${fixed(get(row, 'serve', 'query', 'p95'))} / ${fixed(get(row, 'serve', 'query', 'p99'))}`,
    ),
  ],
  [
    '  of which embed / search+quote p50 (ms)',
    ...results.map(
      (row) => `${fixed(get(row, 'serve', 'stages', 'embed', 'p50'))} / ${fixed(get(row, 'serve', 'stages', 'searchAndQuote', 'p50'))}`,
    ),
  ],
  ['answered (of questions)', ...results.map((row) => `${get(row, 'serve', 'answered')}/${get(row, 'serve', 'questions')}`)],
  ['peak RSS serving (MB)', ...results.map((row) => whole(get(row, 'serve', 'servingPeakRssMb')))],
  ['ingest full (s)', ...results.map((row) => fixed((get(row, 'full', 'ingestMs') as number) / 1000, 2))],
  [
    'ingest chunks/s (embedded / total time)',
    ...results.map((row) => whole((get(row, 'full', 'embedded') as number) / ((get(row, 'full', 'ingestMs') as number) / 1000))),
  ],
  [
    '  stages (s): read·chunk·embed·lexical·thesaurus·vector·save',
    ...results.map((row) => {
      const stages = (get(row, 'full', 'stagesMs') ?? {}) as Record<string, number>;
      return ['read corpus', 'chunk', 'embed', 'lexical index', 'thesaurus', 'vector index', 'save']
        .map((stage) => fixed((stages[stage] ?? NaN) / 1000))
        .join('·');
    }),
  ],
  ['peak RSS ingesting (MB)', ...results.map((row) => whole(get(row, 'full', 'peakRssMb')))],
  [
    're-ingest unchanged (% of full)',
    ...results.map((row) => fixed((100 * (get(row, 'unchanged', 'ingestMs') as number)) / (get(row, 'full', 'ingestMs') as number))),
  ],
  [
    're-ingest 1 doc changed (% of full, embedded)',
    ...results.map((row) =>
      row.oneChanged
        ? `${fixed((100 * (get(row, 'oneChanged', 'ingestMs') as number)) / (get(row, 'full', 'ingestMs') as number))} (${get(row, 'oneChanged', 'embedded')})`
        : '–',
    ),
  ],
  ['index on disk (MB)', ...results.map((row) => fixed(row.indexMb, 2))],
  ['embed one question p50 (ms)', ...results.map((row) => fixed(get(row, 'serve', 'embed', 'p50'), 2))],
  [
    'exact top-50 p50 / p95 (ms)',
    ...results.map((row) => `${fixed(get(row, 'serve', 'exact', 'p50'), 3)} / ${fixed(get(row, 'serve', 'exact', 'p95'), 3)}`),
  ],
  [
    'BM25 alone top-50 p50 / p95 (ms)',
    ...results.map((row) => `${fixed(get(row, 'serve', 'lexical', 'p50'), 3)} / ${fixed(get(row, 'serve', 'lexical', 'p95'), 3)}`),
  ],
  [
    'query p50 ÷ exact p50 / ÷ BM25 p50',
    ...results.map(
      (row) =>
        `${fixed((get(row, 'serve', 'query', 'p50') as number) / (get(row, 'serve', 'exact', 'p50') as number))}× / ${fixed((get(row, 'serve', 'query', 'p50') as number) / (get(row, 'serve', 'lexical', 'p50') as number))}×`,
    ),
  ],
];
for (const ef of [16, 32, 64, 128, 256]) {
  table.push([
    `HNSW ef=${ef}: p50 ms, recall@10, ×exact`,
    ...results.map((row) => {
      const entry = ((get(row, 'serve', 'hnswByEf') as Row[] | undefined) ?? []).find((item) => item.ef === ef);
      if (!entry) return '–';
      return `${fixed(entry.p50, 3)}, ${fixed(entry.recallAt10, 3)}, ${fixed((entry.p50 as number) / (get(row, 'serve', 'exact', 'p50') as number), 2)}×`;
    }),
  ]);
}
// --cold-only measured the first row and the cold starts only.
const shown = coldOnly ? [table[0] as string[], ...coldRows] : table;
const widths = header.map((_, column) => Math.max(...[header, ...shown].map((row) => (row[column] ?? '').length)));
const format = (row: string[]) =>
  `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(' | ')} |`;
lines.push(format(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...shown.map(format));
process.stdout.write(`${lines.join('\n')}\n`);
say(`\nwrote ${path.relative(root, resultsFile)}`);
