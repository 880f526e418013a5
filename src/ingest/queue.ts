import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Logger } from '../core/log.js';
import type { Embedder } from '../embed/embedder.js';
import type { Progress } from './progress.js';
import { type EmbedJob, embedJob, type JobEmbedding } from './sync.js';

/**
 * Embedding as jobs on a PostgreSQL-backed queue (pg-boss 10, in the database of `DATABASE_URL`):
 * the ingest holding the writer's lock puts the groups of texts to embed on the queue, workers
 * (`npm run ingest:worker`, anywhere that reaches the database and has the model) take them and
 * write each document's matrices to `ingest_vectors`, keyed by the vector key and the content key;
 * the ingest waits until every matrix is there and reads them back. A job a worker took and did not
 * complete (killed, machine gone) is given to another when its lease (`expireInSeconds`) ends.
 */

/** The queue's name in pg-boss. */
export const EMBED_QUEUE = 'ingest-embed';
/** Where workers leave vectors until the ingest has saved its index. */
const VECTORS_TABLE = 'ingest_vectors';
/** Tries of a job before it counts as failed (a worker killed each time, or an error). */
const RETRY_LIMIT = 5;
const POLL_MS = 1000;

/** What a job carries: the texts, and the model they must be embedded with. */
interface EmbedJobData {
  readonly vectorKey: string;
  readonly model: { readonly id: string; readonly revision: string; readonly dimensions: number };
  readonly entries: EmbedJob['entries'];
}

/** A pg-boss instance without its timers: expiry is driven by whoever waits (the ingest, idle workers). */
function bossFor(url: string, log: Logger): PgBoss {
  const boss = new PgBoss({ connectionString: url, max: 2, supervise: false, schedule: false, application_name: 'seed-quotes-ingest' });
  boss.on('error', (error) => log.warn(`Job queue: ${error.message}`));
  return boss;
}

async function createVectorsTable(pool: pg.Pool): Promise<void> {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${VECTORS_TABLE} (vector_key text NOT NULL, content_key text NOT NULL, matrix bytea NOT NULL, PRIMARY KEY (vector_key, content_key))`,
  );
}

function matrixOf(bytes: Buffer): Float32Array {
  // A copy: the driver's buffer need not be aligned for a Float32Array view.
  const matrix = new Float32Array(bytes.length / 4);
  new Uint8Array(matrix.buffer).set(bytes);
  return matrix;
}

function bytesOf(matrix: Float32Array): Buffer {
  return Buffer.from(matrix.buffer, matrix.byteOffset, matrix.byteLength);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface QueueEmbeddingOptions {
  readonly url: string;
  readonly model: EmbedJobData['model'];
  /** How long a worker holds a job before it goes to another (seconds). */
  readonly leaseSeconds: number;
  readonly log: Logger;
  /** Worker processes to start on this machine once the jobs are queued (0: only workers started elsewhere). */
  readonly localWorkers: number;
  /** Environment of the local workers (the database, the model, their threads). */
  readonly workerEnv?: Record<string, string>;
}

/** The ingest's side: queue the jobs, start local workers, wait for the vectors and read them. */
export class QueueEmbedding implements JobEmbedding {
  constructor(private readonly options: QueueEmbeddingOptions) {}

  async embed(jobs: readonly EmbedJob[], vectorKey: string, progress: Progress): Promise<ReadonlyMap<string, Float32Array>> {
    const { url, log, leaseSeconds, model } = this.options;
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const boss = bossFor(url, log);
    let workers: LocalWorkers | null = null;
    try {
      await createVectorsTable(pool);
      await boss.start();
      const queueSettings = { retryLimit: RETRY_LIMIT, retryDelay: 0, expireInSeconds: leaseSeconds };
      if (await boss.getQueue(EMBED_QUEUE)) await boss.updateQueue(EMBED_QUEUE, { name: EMBED_QUEUE, ...queueSettings });
      else await boss.createQueue(EMBED_QUEUE, { name: EMBED_QUEUE, ...queueSettings });
      // Jobs left by an ingest that died are not this one's (the writer's lock is ours now).
      await boss.purgeQueue(EMBED_QUEUE);
      const keys = jobs.flatMap((job) => job.entries.map((entry) => entry.key));
      const done = new Set(await this.storedKeys(pool, vectorKey, keys));
      const pending = jobs.filter((job) => job.entries.some((entry) => !done.has(entry.key)));
      if (pending.length < jobs.length) log.info(`Resuming: ${jobs.length - pending.length} of ${jobs.length} jobs were already embedded.`);
      const chunksOf = new Map(
        jobs.flatMap((job) => job.entries.map((entry, index) => [entry.key, index === 0 ? job.chunks : 0] as const)),
      );
      const report = () => progress.update([...done].reduce((sum, key) => sum + (chunksOf.get(key) ?? 0), 0));
      report();
      const ids = pending.map(() => randomUUID());
      for (let start = 0; start < pending.length; start += 100) {
        await boss.insert(
          pending.slice(start, start + 100).map((job, index) => ({
            id: ids[start + index] as string,
            name: EMBED_QUEUE,
            data: { vectorKey, model, entries: job.entries } satisfies EmbedJobData,
            ...queueSettings,
          })),
        );
      }
      if (pending.length > 0 && this.options.localWorkers > 0)
        workers = new LocalWorkers(this.options.localWorkers, this.options.workerEnv ?? {}, log);
      while (done.size < keys.length) {
        await sleep(POLL_MS);
        // Leases that ended go back to the queue (pg-boss's expiry, run here rather than on a timer).
        await boss.expire();
        const open = await boss.getQueueSize(EMBED_QUEUE, { before: 'completed' });
        for (const key of await this.storedKeys(
          pool,
          vectorKey,
          keys.filter((key) => !done.has(key)),
        ))
          done.add(key);
        report();
        if (done.size < keys.length && open === 0) {
          throw new Error(
            `${keys.length - done.size} documents' vectors are missing and no embedding job is left: jobs failed ${RETRY_LIMIT + 1} times (see the workers' logs).`,
          );
        }
        workers?.replaceFailed(open);
      }
      // Every vector is here: a job still open (taken again after a lease ended while its first worker finished it) is not needed.
      if (ids.length > 0) await boss.cancel(EMBED_QUEUE, ids);
      progress.finish();
      return await this.read(pool, vectorKey, keys);
    } finally {
      await workers?.stop();
      await boss.stop({ graceful: false, wait: true }).catch(() => {});
      await pool.end();
    }
  }

  async discard(vectorKey: string): Promise<void> {
    const pool = new pg.Pool({ connectionString: this.options.url, max: 1 });
    try {
      await pool.query(`DELETE FROM ${VECTORS_TABLE} WHERE vector_key = $1`, [vectorKey]).catch(() => {});
    } finally {
      await pool.end();
    }
  }

  private async storedKeys(pool: pg.Pool, vectorKey: string, keys: readonly string[]): Promise<string[]> {
    const { rows } = await pool.query<{ content_key: string }>(
      `SELECT content_key FROM ${VECTORS_TABLE} WHERE vector_key = $1 AND content_key = ANY($2::text[])`,
      [vectorKey, keys],
    );
    return rows.map((row) => row.content_key);
  }

  private async read(pool: pg.Pool, vectorKey: string, keys: readonly string[]): Promise<Map<string, Float32Array>> {
    const vectors = new Map<string, Float32Array>();
    for (let start = 0; start < keys.length; start += 1000) {
      const { rows } = await pool.query<{ content_key: string; matrix: Buffer }>(
        `SELECT content_key, matrix FROM ${VECTORS_TABLE} WHERE vector_key = $1 AND content_key = ANY($2::text[])`,
        [vectorKey, keys.slice(start, start + 1000)],
      );
      for (const row of rows) vectors.set(row.content_key, matrixOf(row.matrix));
    }
    return vectors;
  }
}

/** The CLI, run as a worker: the compiled file, or the TypeScript source under tsx (tests). */
function workerEntry(): { file: string; execArgv: string[] } {
  const fromSource = import.meta.filename.endsWith('.ts');
  if (!fromSource) return { file: path.join(import.meta.dirname, '..', 'cli.js'), execArgv: [] };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { file: path.join(import.meta.dirname, '..', 'cli.ts'), execArgv: ['--import', tsx] };
}

/** ONNX threads per local worker: the cores shared out, at least one. */
export function threadsPerWorker(workers: number, cores = os.availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, workers)));
}

/** `npm run ingest -- --workers N`: N worker processes on this machine; one that dies while jobs are open is replaced. */
class LocalWorkers {
  private readonly running = new Set<ChildProcess>();
  private failed = 0;
  private replaced = 0;
  private stopping = false;

  constructor(
    private readonly count: number,
    private readonly env: Record<string, string>,
    private readonly log: Logger,
  ) {
    for (let index = 0; index < count; index++) this.start();
  }

  private start(): void {
    const { file, execArgv } = workerEntry();
    const child = fork(file, ['worker'], { execArgv, env: { ...process.env, ...this.env }, stdio: ['ignore', 2, 2, 'ipc'] });
    this.running.add(child);
    this.log.info(`Started ingest worker (pid ${child.pid}).`);
    child.on('exit', (code, signal) => {
      this.running.delete(child);
      if (this.stopping || (code === 0 && signal === null)) return;
      this.failed++;
      this.log.warn(
        `Ingest worker (pid ${child.pid}) ${signal ? `was killed (${signal})` : `exited with code ${code}`}; its job returns to the queue when its lease ends.`,
      );
    });
  }

  /** Start a worker for each one that died, while jobs are open (a few times per worker at most). */
  replaceFailed(openJobs: number): void {
    while (this.failed > 0 && openJobs > 0 && this.replaced < this.count * 3 && !this.stopping) {
      this.failed--;
      this.replaced++;
      this.start();
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.running].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            // Workers leave by themselves once no job is open; one still waiting is told to go.
            setTimeout(() => child.kill('SIGTERM'), 5000).unref();
          }),
      ),
    );
  }
}

/**
 * `npm run ingest:worker`: take embedding jobs until none is open (queued, waiting for a retry, or
 * held by another worker whose lease may still end), writing each job's vectors to the database.
 * Returns the number of jobs this worker completed.
 */
export async function runEmbedWorker(url: string, embedder: Embedder, log: Logger): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const boss = bossFor(url, log);
  let completed = 0;
  try {
    await boss.start();
    if (!(await boss.getQueue(EMBED_QUEUE))) {
      log.info('No ingest has put embedding jobs on this database yet: nothing to do.');
      return 0;
    }
    await createVectorsTable(pool);
    for (;;) {
      const [job] = await boss.fetch<EmbedJobData>(EMBED_QUEUE, { batchSize: 1 });
      if (!job) {
        if ((await boss.getQueueSize(EMBED_QUEUE, { before: 'completed' })) === 0) break;
        // Another worker holds the last jobs: wait in case its lease ends (it was killed) and the job comes back.
        await boss.expire();
        await sleep(POLL_MS);
        continue;
      }
      const { model, vectorKey, entries } = job.data;
      if (model.id !== embedder.modelId || model.revision !== embedder.revision || model.dimensions !== embedder.dimensions) {
        const message = `this worker has the model ${embedder.modelId} (${embedder.revision}), the ingest wants ${model.id} (${model.revision})`;
        await boss.fail(EMBED_QUEUE, job.id, { message });
        throw new Error(`Cannot take embedding jobs: ${message}.`);
      }
      const started = performance.now();
      const matrices = await embedJob({ entries, chunks: 0 }, embedder);
      await writeVectors(pool, vectorKey, matrices);
      await boss.complete(EMBED_QUEUE, job.id);
      completed++;
      const texts = entries.reduce((sum, entry) => sum + entry.texts.length, 0);
      log.info(`Embedded job ${job.id} (${entries.length} matrices, ${texts} texts) in ${Math.round(performance.now() - started)} ms.`);
    }
    log.info(`No embedding job is left: this worker completed ${completed}.`);
    return completed;
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    await pool.end();
  }
}

async function writeVectors(pool: pg.Pool, vectorKey: string, matrices: readonly { key: string; matrix: Float32Array }[]): Promise<void> {
  const values = matrices.map((_, index) => `($1, $${index * 2 + 2}, $${index * 2 + 3})`).join(', ');
  const parameters = [vectorKey, ...matrices.flatMap(({ key, matrix }) => [key, bytesOf(matrix)])];
  // A retried job (its first worker slow, not dead) writes the same vectors again.
  await pool.query(
    `INSERT INTO ${VECTORS_TABLE} (vector_key, content_key, matrix) VALUES ${values} ON CONFLICT (vector_key, content_key) DO UPDATE SET matrix = EXCLUDED.matrix`,
    parameters,
  );
}
