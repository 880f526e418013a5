import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/answer/engine.js';
import { type Config, DEFAULT_MODEL } from '../../src/config.js';
import { createLogger, silentLogger } from '../../src/core/log.js';
import { type Embedder, loadEmbedder } from '../../src/embed/embedder.js';
import { readCorpus } from '../../src/corpus/read.js';
import { ingestCorpus, indexSettingsFrom } from '../../src/ingest/ingest.js';
import { buildSnapshot, embedJob, planEmbedJobs, sentencesKey } from '../../src/ingest/sync.js';
import { threadsPerWorker } from '../../src/ingest/queue.js';
import { answerToJson } from '../../src/render/json.js';
import { createWorkspace, MODEL_CACHE_DIR, SEEDS_DIR, type Workspace } from '../support/workspace.js';
import { onRealServer, startTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Issue #27: embedding as jobs on a pg-boss queue (`npm run ingest -- --workers N`). The worker
 * processes are real (`src/cli.ts worker` under tsx), and so is the kill.
 *
 * The queue tests need a real PostgreSQL server (`npm run test:postgres`): PGlite is one session
 * shared by every connection, and a second process (the workers) interleaves its statements with
 * this one's ("unnamed prepared statement does not exist"); pg-boss's `FOR UPDATE SKIP LOCKED`
 * fetch needs sessions of their own too.
 */

const QUESTIONS = [
  'how high were the US tariffs on chinese goods in april 2025?',
  'What tariff rate is Washington threatening to slap on Vietnam?',
  'When would the threatened US tariffs on Vietnam kick in if no deal gets done?',
];
/** Small jobs, so the seeds make several and a kill lands in the middle of the run. */
const GROUP_CHUNKS = 8;

let model: Embedder;
/** Two of the seeds (the questions' sources): a few jobs, quickly. */
let documents: Record<string, string>;

beforeAll(async () => {
  model = await loadEmbedder({ modelId: DEFAULT_MODEL, modelCacheDir: MODEL_CACHE_DIR, allowRemoteModels: false, log: silentLogger });
  const files = ['000_7bb7f1e19a806c78.txt', '001_77b7f39d73393a4f.txt'];
  documents = Object.fromEntries(await Promise.all(files.map(async (file) => [file, await readFile(path.join(SEEDS_DIR, file), 'utf8')])));
});

describe('embedding jobs (no database)', () => {
  it('local workers share the cores out (EMBED_THREADS unset), one thread at least', () => {
    expect(threadsPerWorker(1, 2)).toBe(2);
    expect(threadsPerWorker(2, 2)).toBe(1);
    expect(threadsPerWorker(3, 2)).toBe(1);
    expect(threadsPerWorker(0, 8)).toBe(8);
  });

  it('the jobs embed the groups the single process embeds: the same vectors, key by key', async () => {
    const project = await createWorkspace({ documents });
    const { documents: read } = await readCorpus(project.corpusDir);
    await project.remove();
    const settings = indexSettingsFrom(project.config);
    const jobs = planEmbedJobs(read, settings, model.dimensions, new Map(), null, GROUP_CHUNKS);
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    const fromJobs = new Map<string, Float32Array>();
    for (const job of jobs) for (const { key, matrix } of await embedJob(job, model)) fromJobs.set(key, matrix);
    const inProcess = new Map<string, Float32Array>();
    await buildSnapshot(read, model, settings, 500, {
      embedGroupChunks: GROUP_CHUNKS,
      onEmbedded: async (entries) => {
        for (const { hash, matrix } of entries) inProcess.set(hash, matrix);
      },
    });
    expect([...fromJobs.keys()].sort()).toEqual([...inProcess.keys()].sort());
    expect(fromJobs.has(sentencesKey(read[0]?.contentHash ?? ''))).toBe(true);
    for (const [key, matrix] of fromJobs)
      expect(Buffer.from(matrix.buffer).equals(Buffer.from(inProcess.get(key)?.buffer ?? new ArrayBuffer(0)))).toBe(true);
  }, 180_000);
});

describe.runIf(onRealServer)('embedding jobs on a real PostgreSQL server', () => {
  const databases: TestDatabase[] = [];
  const projects: Workspace[] = [];

  afterAll(async () => {
    for (const database of databases) await database.stop();
    for (const project of projects) await project.remove();
  });

  async function queueProject(): Promise<{ config: Config; url: string }> {
    const database = await startTestDatabase();
    databases.push(database);
    const project = await createWorkspace({ documents });
    projects.push(project);
    const config = project.configWith({ STORE: 'postgres', DATABASE_URL: database.url, EMBED_JOB_LEASE_SECONDS: '20', EMBED_THREADS: '1' });
    return { config, url: database.url };
  }

  async function answersJson(config: Config): Promise<string> {
    const engine = await createEngine(config, silentLogger, { embedder: model, mode: 'load' });
    try {
      const answers = [];
      for (const question of QUESTIONS) {
        // Everything but the timings, which no two runs share.
        const { timings: _timings, ...answer } = answerToJson(await engine.ask(question));
        answers.push(answer);
      }
      return JSON.stringify(answers, null, 2);
    } finally {
      await engine.close();
    }
  }

  it('a worker killed (SIGKILL) mid-job loses nothing: its job is retried after its lease, and the answers are byte-identical to an uninterrupted run', async () => {
    const uninterrupted = await queueProject();
    const lines: string[] = [];
    const log = createLogger('info', { write: (line) => lines.push(line) });
    await ingestCorpus(uninterrupted.config, log, { embedder: model, workers: 1, embedGroupChunks: GROUP_CHUNKS });
    expect(lines.some((line) => /Embedding \d+ chunks as \d+ jobs on the queue/.test(line))).toBe(true);
    // The builder embedded nothing itself: every vector came from the workers.
    const indexed = lines
      .map((line) => /^Indexed (\d+) chunks \(0 embedded here, (\d+) by queue workers, 0 reused\)/.exec(line))
      .find(Boolean);
    expect(indexed?.[2]).toBe(indexed?.[1]);
    expect(Number(indexed?.[1])).toBeGreaterThan(0);
    const expected = await answersJson(uninterrupted.config);

    const killed = await queueProject();
    const killedLines: string[] = [];
    const killedLog = createLogger('info', { write: (line) => killedLines.push(line) });
    const ingesting = ingestCorpus(killed.config, killedLog, { embedder: model, workers: 1, embedGroupChunks: GROUP_CHUNKS });
    const client = new pg.Client({ connectionString: killed.url });
    await client.connect();
    let victim: number | undefined;
    try {
      // Once the worker has completed one job and holds the next: kill it in the middle of that one.
      const deadline = Date.now() + 120_000;
      while (victim === undefined && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const pid = killedLines.map((line) => /Started ingest worker \(pid (\d+)\)/.exec(line)?.[1]).find(Boolean);
        if (pid === undefined) continue;
        const { rows } = await client
          .query<{ completed: string; active: string }>(
            "SELECT count(*) FILTER (WHERE state = 'completed') AS completed, count(*) FILTER (WHERE state = 'active') AS active FROM pgboss.job",
          )
          .catch(() => ({ rows: [] as { completed: string; active: string }[] }));
        if (Number(rows[0]?.completed ?? 0) >= 1 && Number(rows[0]?.active ?? 0) === 1) {
          process.kill(Number(pid), 'SIGKILL');
          victim = Number(pid);
        }
      }
      expect(victim).toBeDefined();
      await ingesting;
      const { rows } = await client.query<{ state: string; retry_count: number }>('SELECT state, retry_count FROM pgboss.job');
      // The killed job was taken again once its lease ended; none is left open.
      expect(
        rows.every((row) => row.state === 'completed' || row.state === 'cancelled'),
        JSON.stringify(rows),
      ).toBe(true);
      expect(
        rows.some((row) => row.retry_count > 0),
        JSON.stringify(rows),
      ).toBe(true);
      // Everything the workers left is gone once the index is saved.
      const { rows: left } = await client.query<{ count: string }>('SELECT count(*) FROM ingest_vectors');
      expect(Number(left[0]?.count)).toBe(0);
    } finally {
      await client.end();
    }
    expect(killedLines.some((line) => line.includes(`Ingest worker (pid ${victim}) was killed (SIGKILL)`))).toBe(true);
    expect(await answersJson(killed.config)).toBe(expected);
  }, 300_000);
});
