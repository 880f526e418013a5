/**
 * Which kind of separate ingest gives its memory back (issue #27): the sentence model loaded and run
 * over `--texts` chunk-sized texts in a worker thread (then terminated) or in a child process (then
 * exited), while this process watches its own VmRSS. A worker thread's V8 heap goes with it; the
 * model's native memory (onnxruntime's arena, the weights) belongs to the process.
 *
 *   node --import tsx bench/ingest-isolation.ts [--texts 256]
 *
 * Prints one JSON line on stdout.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

const { values } = parseArgs({ options: { texts: { type: 'string', default: '256' } } });
const projectDir = path.resolve(import.meta.dirname, '..');
const modelCacheDir = path.join(projectDir, 'embeddings', 'models');

/** The model's whole job, as plain JavaScript for both a worker thread and a child process. */
const JOB = `
const { pipeline, env } = await import('@xenova/transformers');
env.localModelPath = ${JSON.stringify(modelCacheDir)};
env.allowRemoteModels = false;
const extractor = await pipeline('feature-extraction', 'local/all-minilm-l6-v2', { quantized: true });
const text = 'The harbour authority counted the ferries crossing the bay each morning, and the figures rose. '.repeat(10);
for (let start = 0; start < ${Number(values.texts)}; start += 64) {
  await extractor(Array.from({ length: 64 }, (_, index) => text + (start + index)), { pooling: 'mean', normalize: true });
}
`;

async function rssMb(field = 'VmRSS'): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  return Math.round(Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) / 1024);
}

async function settle(): Promise<void> {
  // Let the allocator and V8 hand back what they will.
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 2000));
}

interface Figures {
  beforeMb: number;
  peakMb: number;
  afterMb: number;
  exitCode: number;
}

async function inWorker(): Promise<Figures> {
  const beforeMb = await rssMb();
  // An eval'd worker is CommonJS: the job runs in an async function, the ESM library through import().
  const worker = new Worker(`(async () => {${JOB}})().then(() => process.exit(0))`, { eval: true });
  const [exitCode] = (await once(worker, 'exit')) as [number];
  const peakMb = await rssMb('VmHWM');
  await settle();
  return { beforeMb, peakMb, afterMb: await rssMb(), exitCode };
}

async function inChild(): Promise<Figures> {
  const beforeMb = await rssMb();
  const child = spawn(process.execPath, ['--input-type=module', '-e', JOB], { cwd: projectDir, stdio: 'inherit' });
  const [exitCode] = (await once(child, 'exit')) as [number];
  const peakMb = await rssMb('VmHWM');
  await settle();
  return { beforeMb, peakMb, afterMb: await rssMb(), exitCode };
}

const child = await inChild();
const worker = await inWorker();
process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), texts: Number(values.texts), child, worker })}\n`);
