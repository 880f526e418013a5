import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATIC_MODEL } from '../../src/config.js';
import { startTestDatabase, type TestDatabase } from '../support/test-database.js';
import { PROJECT_DIR } from '../support/workspace.js';

/**
 * `npm run bench -- --store postgres` at the seeds against the test database, so the store
 * benchmark cannot rot: it ingests into the database, starts a new process that answers, serves
 * questions at 1, 4 and 16 concurrent askers, and measures recall and memory. No time is asserted.
 */
describe('npm run bench -- --store postgres', () => {
  let database: TestDatabase;
  let folder: string;

  beforeAll(async () => {
    database = await startTestDatabase();
    folder = await mkdtemp(path.join(os.tmpdir(), 'pgbench-'));
  });
  afterAll(async () => {
    await database?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  const resultsFile = () => path.join(folder, 'results.json');

  function runBench(...extra: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'bench/bench.ts',
          '--store',
          'postgres',
          '--size',
          '5',
          '--questions',
          '12',
          '--cold-runs',
          '1',
          '--results',
          resultsFile(),
          ...extra,
        ],
        {
          cwd: PROJECT_DIR,
          // The static model: the store's behaviour does not depend on which model made the vectors.
          env: { ...process.env, DATABASE_URL: database.url, EMBEDDING_MODEL: STATIC_MODEL, LOG_LEVEL: 'warn' },
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (data: Buffer) => (out += data.toString()));
      child.stderr.on('data', (data: Buffer) => (err += data.toString()));
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
    });
  }

  it('measures the postgres store at the seeds and writes its results and table', async () => {
    const { code, stdout, stderr } = await runBench();
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('| STORE=postgres');
    expect(stdout).toMatch(/engine\.ask p50 \/ p95 \/ p99, 16 asker/);

    const written = JSON.parse(await readFile(resultsFile(), 'utf8')) as {
      store: string;
      serverStartedByBench: boolean;
      results: Record<string, any>[];
    };
    expect(written.store).toBe('postgres');
    expect(written.serverStartedByBench).toBe(false);
    const [row] = written.results;
    expect(row?.size).toBe(5);
    expect(row?.full.chunks).toBe(78);
    expect(row?.full.embedded).toBe(78);
    expect(row?.serve.questions).toBe(12);
    // 3 to warm up, then each level its own 3: no question asked twice.
    expect(row?.serve).toMatchObject({ warmUp: 3, asked: 9 });
    expect(row?.serve.answered).toBeGreaterThan(0);
    expect(row?.serve.answered).toBeLessThanOrEqual(9);
    for (const askers of ['1', '4', '16']) {
      expect(row?.serve.ask[askers].askers).toBe(Number(askers));
      expect(row?.serve.ask[askers].p95).toBeGreaterThanOrEqual(row?.serve.ask[askers].p50);
      expect(row?.serve.dense[askers].p50).toBeGreaterThan(0);
    }
    expect(row?.serve.exact.samples).toBe(12);
    expect(row?.serve.recall.map((entry: { ef: number }) => entry.ef)).toEqual([40, 100, 256, 500, 1000]);
    expect(row?.serve.recall.find((entry: { name: string }) => entry.name === 'store (HNSW_EF)')?.ef).toBe(500);
    expect(stdout).toContain('HNSW ef_search 500: recall@10, p50 ms');
    for (const entry of row?.serve.recall ?? []) expect(entry.recallAt10).toBeGreaterThan(0.9);
    expect(row?.memory.structures.chunks).toBe(78);
    expect(row?.memory.structures.documents).toBe(5);
    expect(row?.database.extensions.vector).toBeTruthy();
    expect(row?.cold.runsMs).toHaveLength(1);

    // The ingest wrote through the store into the database the benchmark was given.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ chunks: number; vectors: number }>(
        'SELECT (SELECT count(*)::int FROM chunks) AS chunks, (SELECT count(*)::int FROM chunk_vectors) AS vectors',
      );
      expect(rows[0]).toEqual({ chunks: 78, vectors: 78 });
    } finally {
      await client.end();
    }
  }, 180_000);

  it('--reuse measures the serving side on the stored index without dropping or ingesting it again', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const stored = () =>
        client.query<{ built_at: string; xmin: string }>(
          'SELECT built_at, (SELECT max(xmin::text::bigint)::text FROM chunk_vectors) AS xmin FROM index_manifest',
        );
      const before = (await stored()).rows;
      const { code, stdout, stderr } = await runBench('--reuse');
      expect(code, stderr).toBe(0);
      expect(stderr).toContain('reusing the stored index (--reuse)');
      expect(stdout).toMatch(/engine\.ask p50 \/ p95 \/ p99, 16 asker/);
      expect((await stored()).rows).toEqual(before);
      const written = JSON.parse(await readFile(resultsFile(), 'utf8')) as { results: Record<string, any>[] };
      const [row] = written.results;
      // The ingest figures are the previous run's, marked as such; the serving ones are new.
      expect(row?.full).toMatchObject({ reused: true, chunks: 78, embedded: 78 });
      expect(row?.serve.questions).toBe(12);
    } finally {
      await client.end();
    }
  }, 180_000);
});
