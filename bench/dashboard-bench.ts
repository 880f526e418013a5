/**
 * The dashboard over a large question log: `npm run bench:dashboard` (default 1,000,000 lines;
 * `-- --lines 100000` for a quicker run). Writes a synthetic `feedback.jsonl` (questions over the last
 * 60 days, 1 vote in 20 lines, 1 corrupt line in 10,000) to a temp folder, serves it with the real
 * engine over the index of `npm start` (the seeds), and measures over loopback HTTP:
 * the first read of the log, memory, `/` (median and p95 of 30), `/` after 1,000 lines more,
 * `/questions` (first page, filtered, a deep page), `/metrics`, and the size of the chart code.
 * A measurement, never a test: nothing here asserts a time.
 */
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { createEngine } from '../src/answer/engine.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/core/log.js';
import { startDashboard } from '../src/dashboard/server.js';
import { engineSource } from '../src/dashboard/source.js';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '30' } } });
const LINES = Number(values.lines);
const RUNS = Number(values.runs);
const DAY_MS = 86_400_000;
const SOURCES = ['000_7bb7f1e19a806c78.txt', '001_77b7f39d73393a4f.txt', '002_21a587edf0f19edc.txt', '003_f015f23f54aca59a.txt'];
const VIAS = ['ask', 'mention', 'find-sources', 'console'] as const;

function logLines(count: number, start: number, endTime: number): string {
  const lines: string[] = [];
  const span = 60 * DAY_MS;
  for (let index = start; index < start + count; index++) {
    const at = new Date(endTime - span + Math.floor((index / LINES) * span)).toISOString();
    if (index % 10_000 === 9_999) {
      lines.push('{"type":"question","at":"corrupt');
      continue;
    }
    const text = `Synthetic question number ${index % 50_000} about tariffs and the railway?`;
    if (index % 20 === 19) {
      lines.push(
        JSON.stringify({
          type: 'vote',
          at,
          user: 'u',
          vote: index % 40 === 39 ? 'down' : 'up',
          question: text,
          answered: true,
          sources: [],
        }),
      );
      continue;
    }
    const outcome = index % 5 === 0 ? 'abstained' : index % 13 === 0 ? 'refused' : 'answered';
    lines.push(
      JSON.stringify({
        type: 'question',
        at,
        user: `user${index % 997}`,
        via: VIAS[index % 4],
        question: text,
        answered: outcome === 'answered',
        sources: outcome === 'answered' ? [SOURCES[index % SOURCES.length]] : [],
        outcome,
        channel: '123456789012345678',
        ms: 3 + (index % 17),
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

async function timed(url: string): Promise<{ ms: number; status: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  return { ms: performance.now() - started, status: response.status, bytes: body.byteLength };
}

async function series(url: string, runs: number): Promise<string> {
  const times: number[] = [];
  let last = { status: 0, bytes: 0 };
  for (let run = 0; run < runs; run++) {
    const result = await timed(url);
    times.push(result.ms);
    last = result;
  }
  times.sort((a, b) => a - b);
  return `median ${percentile(times, 0.5).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(1)} ms (${runs} runs, HTTP ${last.status}, ${Math.round(last.bytes / 1024)} KB)`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dashboard-bench-'));
  const log = createLogger('warn');
  try {
    const file = path.join(dir, 'feedback.jsonl');
    const now = Date.now();
    let written = 0;
    const generated = performance.now();
    while (written < LINES) {
      const count = Math.min(100_000, LINES - written);
      await appendFile(file, logLines(count, written, now));
      written += count;
    }
    const size = (await stat(file)).size;
    console.log(
      `log: ${LINES.toLocaleString('en')} lines, ${(size / 1e6).toFixed(0)} MB, written in ${((performance.now() - generated) / 1000).toFixed(1)} s`,
    );

    const config = loadConfig();
    const engine = await createEngine(config, log);
    const dashboard = await startDashboard({
      settings: { port: 0, host: '127.0.0.1', token: undefined },
      dataDir: dir,
      source: engineSource(engine, config, () => 'off'),
      log,
    });
    const before = process.memoryUsage();
    const firstRead = performance.now();
    await dashboard.questionLog.refresh();
    const readMs = performance.now() - firstRead;
    const after = process.memoryUsage();
    const counts = dashboard.questionLog.counts;
    console.log(
      `first read of the log: ${(readMs / 1000).toFixed(1)} s (${counts.questions.toLocaleString('en')} questions, ${counts.skipped} corrupt lines skipped); ` +
        `memory +${((after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1e6).toFixed(0)} MB (heap and typed arrays), RSS ${(after.rss / 1e6).toFixed(0)} MB`,
    );
    console.log(`GET /                          ${await series(`${dashboard.url}/`, RUNS)}`);
    await appendFile(file, logLines(1_000, LINES, now + 1000));
    const grown = await timed(`${dashboard.url}/`);
    console.log(`GET / after 1,000 more lines   ${grown.ms.toFixed(1)} ms (reads only the new bytes)`);
    console.log(`GET /questions                 ${await series(`${dashboard.url}/questions`, RUNS)}`);
    console.log(
      `GET /questions?outcome=abstained&vote=down  ${await series(`${dashboard.url}/questions?outcome=abstained&vote=down`, RUNS)}`,
    );
    console.log(`GET /questions?page=15000      ${await series(`${dashboard.url}/questions?page=15000`, RUNS)}`);
    console.log(`GET /sources                   ${await series(`${dashboard.url}/sources`, RUNS)}`);
    console.log(`GET /metrics                   ${await series(`${dashboard.url}/metrics`, RUNS)}`);
    const chart = await readFile(path.join(import.meta.dirname, '..', 'src', 'dashboard', 'chart.ts'));
    console.log(`chart code (src/dashboard/chart.ts): ${chart.length} bytes, ${gzipSync(chart).length} gzipped; no chart library`);
    await dashboard.close();
    await engine.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
