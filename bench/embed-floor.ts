/**
 * The embedding stage against its floor (issue #27): the embedder as ingest calls it (tokenize, run,
 * pool) against a bare onnxruntime-node session of the same model.onnx running the same batches,
 * tokenized beforehand (the model alone). Runs alternate, several times; medians of wall and CPU time
 * (process.cpuUsage: every thread, the runtime's too), and the ratio of each run's pair.
 *
 *   node --import tsx bench/embed-floor.ts [--size 150] [--texts 600] [--runs 5] [--threads N]
 *
 * Texts: the chunks and sentences of the generated corpus (as ingest embeds them), the first `--texts`.
 * `--threads`: the session's intra-op threads for the bare run (default: the runtime's, as the embedder's).
 * Prints one JSON line on stdout.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type * as Ort from 'onnxruntime-node';
import { embeddingText, chunkDocument } from '../src/chunk/chunk.js';
import { DEFAULT_MODEL } from '../src/config.js';
import { silentLogger } from '../src/core/log.js';
import { readCorpus } from '../src/corpus/read.js';
import { loadEmbedder } from '../src/embed/embedder.js';
import { SentenceVectors } from '../src/index/sentence-vectors.js';
import { AutoTokenizer, env } from '@xenova/transformers';
import { ensureCorpus } from './corpus.js';

// The bare session runs on the runtime the embedder runs on here, transformers.js's onnxruntime-node
// (1.14): two runtimes cannot both run sessions in one process (docs/scaling.md).
const ort = createRequire(createRequire(import.meta.url).resolve('@xenova/transformers'))('onnxruntime-node') as typeof Ort;

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '150' },
    texts: { type: 'string', default: '600' },
    runs: { type: 'string', default: '5' },
    threads: { type: 'string' },
  },
});
const projectDir = path.resolve(import.meta.dirname, '..');
const modelCacheDir = path.join(projectDir, 'embeddings', 'models');
const modelFolder = path.join(modelCacheDir, DEFAULT_MODEL);
/** As the embedder batches (src/embed/embedder.ts). */
const BATCH_SIZE = 64;

interface Timed {
  wallMs: number;
  cpuMs: number;
}

async function timed(work: () => Promise<unknown>): Promise<Timed> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

/** Ingest's texts: each document's chunks (with title) then its sentences. */
async function corpusTexts(size: number, count: number): Promise<string[]> {
  const folder = await ensureCorpus(path.join(projectDir, 'seeds'), path.join(projectDir, 'bench', 'corpora', `docs-${size}`), size);
  const { documents } = await readCorpus(folder);
  const texts: string[] = [];
  for (const document of documents) {
    for (const chunk of chunkDocument(document, { maxChars: 1000, overlap: true })) texts.push(embeddingText(document, chunk));
    texts.push(...SentenceVectors.textsOf(document));
    if (texts.length >= count) break;
  }
  return texts.slice(0, count);
}

/** The embedder's batches (sorted by length, 64 a batch), tokenized with padding, as session inputs. */
async function tokenizedBatches(texts: readonly string[]): Promise<Record<string, Ort.Tensor>[]> {
  env.localModelPath = modelCacheDir;
  env.allowRemoteModels = false;
  const tokenizer = await AutoTokenizer.from_pretrained(DEFAULT_MODEL);
  const sorted = [...texts].sort((left, right) => left.length - right.length);
  const batches: Record<string, Ort.Tensor>[] = [];
  for (let start = 0; start < sorted.length; start += BATCH_SIZE) {
    const encoded = tokenizer(sorted.slice(start, start + BATCH_SIZE), { padding: true, truncation: true }) as Record<
      string,
      { data: BigInt64Array; dims: number[] }
    >;
    const inputs: Record<string, Ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(encoded)) inputs[name] = new ort.Tensor('int64', tensor.data, tensor.dims);
    batches.push(inputs);
  }
  return batches;
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function main(): Promise<void> {
  const texts = await corpusTexts(Number(values.size), Number(values.texts));
  const embedder = await loadEmbedder({ modelId: DEFAULT_MODEL, modelCacheDir, allowRemoteModels: false, log: silentLogger });
  const threads = values.threads === undefined ? {} : { intraOpNumThreads: Number(values.threads) };
  const session = await ort.InferenceSession.create(await readFile(path.join(modelFolder, 'onnx', 'model_quantized.onnx')), {
    executionProviders: ['cpu'],
    ...threads,
  });
  // Tokenizing alone (part of the embedder's time, not of the bare session's): what a faster tokenizer could save at most.
  let batches: Record<string, Ort.Tensor>[] = [];
  const tokenizing = await timed(async () => {
    batches = await tokenizedBatches(texts);
  });
  const bare = async () => {
    for (const inputs of batches) await session.run(inputs);
  };
  // One warm-up each: first runs allocate the runtime's arena.
  await embedder.embed(texts.slice(0, BATCH_SIZE));
  await session.run(batches[0] as Record<string, Ort.Tensor>);
  const runs: { embedder: Timed; bare: Timed }[] = [];
  for (let run = 0; run < Number(values.runs); run++) {
    const ours = await timed(() => embedder.embed(texts));
    runs.push({ embedder: ours, bare: await timed(bare) });
  }
  const summary = (pick: (run: { embedder: Timed; bare: Timed }) => number) => Math.round(median(runs.map(pick)) * 100) / 100;
  process.stdout.write(
    `${JSON.stringify({
      date: new Date().toISOString(),
      texts: texts.length,
      characters: texts.reduce((sum, text) => sum + text.length, 0),
      batches: batches.length,
      runs: runs.length,
      embedderWallMs: summary((run) => run.embedder.wallMs),
      bareWallMs: summary((run) => run.bare.wallMs),
      wallRatio: summary((run) => run.embedder.wallMs / run.bare.wallMs),
      embedderCpuMs: summary((run) => run.embedder.cpuMs),
      bareCpuMs: summary((run) => run.bare.cpuMs),
      cpuRatio: summary((run) => run.embedder.cpuMs / run.bare.cpuMs),
      tokenizeCpuMs: Math.round(tokenizing.cpuMs),
      perRun: runs.map((run) => ({
        wallRatio: Math.round((run.embedder.wallMs / run.bare.wallMs) * 100) / 100,
        cpuRatio: Math.round((run.embedder.cpuMs / run.bare.cpuMs) * 100) / 100,
      })),
    })}\n`,
  );
}

await main();
