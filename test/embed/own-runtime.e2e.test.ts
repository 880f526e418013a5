/**
 * An ingest worker runs the sentence model on our own onnxruntime-node (1.20.1), which holds the
 * thread count; transformers.js's 1.14 ignores it. The two runtimes cannot both run sessions in one
 * process, so the worker's side runs in a child process, as a worker does: one thread busy, the same
 * vectors bit for bit as the model on transformers.js here, and a clean exit.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../src/config.js';
import { silentLogger } from '../../src/core/log.js';
import { loadEmbedder } from '../../src/embed/embedder.js';
import { MODEL_CACHE_DIR, PROJECT_DIR } from '../support/workspace.js';

const TEXTS = Array.from({ length: 64 }, (_, index) =>
  `Sentence ${index} says that the ministers met in Hanoi to talk about trade and the sea. `.repeat(3),
);

/** Embeds TEXTS as an ingest worker does (dist/, built by the e2e set-up) and reports the CPU seconds each thread used meanwhile. */
const WORKER_SIDE = `
import { readdirSync, readFileSync } from 'node:fs';
import { loadEmbedder } from ${JSON.stringify(path.join(PROJECT_DIR, 'dist/embed/embedder.js'))};
const cpuByThread = () => new Map(readdirSync('/proc/self/task').map((thread) => {
  const stat = readFileSync('/proc/self/task/' + thread + '/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [thread, (Number(fields[11]) + Number(fields[12])) / 100];
}));
const log = { debug() {}, info() {}, warn: console.error, error: console.error };
const embedder = await loadEmbedder({ modelId: ${JSON.stringify(DEFAULT_MODEL)}, modelCacheDir: ${JSON.stringify(MODEL_CACHE_DIR)},
  allowRemoteModels: false, log, ownRuntime: { threads: 1 } });
const texts = JSON.parse(process.argv[1]);
const before = cpuByThread();
const vectors = await embedder.embed(texts);
const used = [...cpuByThread()].map(([thread, seconds]) => seconds - (before.get(thread) ?? 0)).sort((a, b) => b - a);
process.stdout.write(JSON.stringify({ used, vectors: vectors.map((vector) => Array.from(vector)) }));
`;

function runWorkerSide(): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', WORKER_SIDE, JSON.stringify(TEXTS)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe.runIf(process.platform === 'linux')("an ingest worker's own runtime", () => {
  it('runs the sentence model on the one thread asked for, with the same vectors, and exits cleanly', async () => {
    const worker = await runWorkerSide();
    expect({ code: worker.code, signal: worker.signal, stderr: worker.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    const { used, vectors } = JSON.parse(worker.stdout) as { used: number[]; vectors: number[][] };
    // onnxruntime-node 1.14 ignores the count: a second thread then used ~80% of the first's CPU.
    expect(used[0]).toBeGreaterThan(0.5);
    expect(used.slice(1).reduce((sum, seconds) => sum + seconds, 0)).toBeLessThan(0.25 * (used[0] ?? 0));
    const usual = await loadEmbedder({
      modelId: DEFAULT_MODEL,
      modelCacheDir: MODEL_CACHE_DIR,
      allowRemoteModels: false,
      log: silentLogger,
    });
    expect(vectors).toEqual((await usual.embed(TEXTS)).map((vector) => Array.from(vector)));
  }, 300_000);
});
