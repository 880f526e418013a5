/**
 * `npm run bench -- --store postgres`: the PostgreSQL store at each size, on a real server
 * (DATABASE_URL, or one that scripts/real-postgres.sh starts for the run and stops after it).
 * Per size: the store's tables are dropped (point DATABASE_URL at a scratch database), then a full
 * ingest through the real writer, cold starts of a new process answering one question, the serving
 * process (`engine.ask` and the SQL vector search at 1, 4 and 16 concurrent askers, RSS, recall@10
 * of the HNSW index against exact search) and what that process holds in memory.
 */
import { spawnSync } from 'node:child_process';
import pg from 'pg';

/** Server settings for the benchmark's own server (docs/scaling.md says why each). */
export const BENCH_SERVER_OPTIONS =
  '-c shared_buffers=1GB -c maintenance_work_mem=1GB -c work_mem=32MB -c effective_cache_size=4GB -c max_wal_size=4GB';

const STORE_TABLES = [
  'index_manifest',
  'documents',
  'chunks',
  'chunk_vectors',
  'sentence_vectors',
  'figure_sentences',
  'index_data',
  'schema_migrations',
];

export interface BenchServer {
  readonly url: string;
  /** True when this run started the server (and so stops it). */
  readonly started: boolean;
  stop(): void;
}

/** DATABASE_URL if set; otherwise a real server from scripts/real-postgres.sh, stopped by `stop()`. */
export function benchServer(root: string, say: (line: string) => void): BenchServer {
  const given = process.env.DATABASE_URL;
  if (given) return { url: given, started: false, stop() {} };
  const script = 'scripts/real-postgres.sh';
  const running = spawnSync('bash', [script, 'status'], { cwd: root, encoding: 'utf8' }).status === 0;
  if (running) throw new Error(`a ${script} server is running already: set DATABASE_URL to it (\`${script} status\`) or stop it`);
  say(`starting PostgreSQL (${script}, REAL_PG_OPTIONS="${process.env.REAL_PG_OPTIONS ?? BENCH_SERVER_OPTIONS}")…`);
  const started = spawnSync('bash', [script, 'start'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, REAL_PG_OPTIONS: process.env.REAL_PG_OPTIONS ?? BENCH_SERVER_OPTIONS },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = /^DATABASE_URL=(.+)$/m.exec(started.stdout ?? '')?.[1];
  if (started.status !== 0 || !url) throw new Error(`${script} did not start a server`);
  return {
    url,
    started: true,
    stop() {
      spawnSync('bash', [script, 'stop'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    },
  };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** An empty store for the next size: its tables dropped, so the ingest embeds and writes everything. */
export function dropStoreTables(url: string): Promise<void> {
  return withClient(url, async (client) => {
    await client.query(`DROP TABLE IF EXISTS ${STORE_TABLES.join(', ')} CASCADE`);
  });
}

/** How many documents the stored manifest lists (null: no store or no index yet), for `--reuse`. */
export function storedDocumentCount(url: string): Promise<number | null> {
  return withClient(url, async (client) => {
    const table = await client.query<{ exists: boolean }>(`SELECT to_regclass('index_manifest') IS NOT NULL AS exists`);
    if (!table.rows[0]?.exists) return null;
    const { rows } = await client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM index_manifest, json_object_keys(manifest->'seeds')`,
    );
    return rows.length > 0 && (rows[0]?.count ?? 0) > 0 ? (rows[0]?.count ?? null) : null;
  });
}

/** Sizes on disk, and the server's version and extensions, for the results. */
export function describeDatabase(url: string) {
  return withClient(url, async (client) => {
    const sizes = await client.query<{ database: string; vectors: string; hnsw: string; chunks: string }>(
      `SELECT pg_database_size(current_database()) AS database,
              pg_total_relation_size('chunk_vectors') AS vectors,
              pg_relation_size('chunk_vectors_hnsw') AS hnsw,
              pg_total_relation_size('chunks') AS chunks`,
    );
    const version = await client.query<{ version: string }>('SHOW server_version');
    const extensions = await client.query<{ extname: string; extversion: string }>(
      'SELECT extname, extversion FROM pg_extension ORDER BY extname',
    );
    const settings = await client.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings
        WHERE name IN ('shared_buffers', 'maintenance_work_mem', 'work_mem', 'effective_cache_size', 'max_wal_size', 'max_parallel_maintenance_workers')`,
    );
    const row = sizes.rows[0];
    const mb = (bytes: string | undefined) => Number(bytes ?? 0) / 1e6;
    return {
      server: version.rows[0]?.version,
      extensions: Object.fromEntries(extensions.rows.map((entry) => [entry.extname, entry.extversion])),
      settings: Object.fromEntries(settings.rows.map((entry) => [entry.name, `${entry.setting}${entry.unit ? ` ${entry.unit}` : ''}`])),
      databaseMb: mb(row?.database),
      chunkVectorsMb: mb(row?.vectors),
      hnswIndexMb: mb(row?.hnsw),
      chunksMb: mb(row?.chunks),
    };
  });
}

type Row = Record<string, unknown>;
const get = (row: Row, ...keys: string[]): unknown => keys.reduce<unknown>((value, key) => (value as Row | null | undefined)?.[key], row);
const fixed = (value: unknown, digits = 1) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–');
const whole = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? Math.round(value).toLocaleString('en') : '–');
const triple = (entry: unknown) =>
  `${fixed(get(entry as Row, 'p50'))} / ${fixed(get(entry as Row, 'p95'))} / ${fixed(get(entry as Row, 'p99'))}`;

/** The postgres rows, one column per size. */
export function postgresTable(results: readonly Row[]): string[][] {
  const rows: string[][] = [
    ['chunks', ...results.map((row) => whole(get(row, 'full', 'chunks')))],
    ['ingest full (s)', ...results.map((row) => fixed((get(row, 'full', 'ingestMs') as number) / 1000, 1))],
    [
      'ingest chunks/s (embedded / total time)',
      ...results.map((row) => whole((get(row, 'full', 'embedded') as number) / ((get(row, 'full', 'ingestMs') as number) / 1000))),
    ],
    [
      '  of which embed · lexical · local vector index · save to PostgreSQL (s)',
      ...results.map((row) =>
        ['embed', 'lexical index', 'vector index', 'save']
          .map((stage) => fixed((get(row, 'full', 'stagesMs', stage) as number) / 1000))
          .join(' · '),
      ),
    ],
    ['peak RSS ingesting (MB)', ...results.map((row) => whole(get(row, 'full', 'peakRssMb')))],
    [
      'database on disk (MB; HNSW index)',
      ...results.map((row) => `${whole(get(row, 'database', 'databaseMb'))} (${whole(get(row, 'database', 'hnswIndexMb'))})`),
    ],
    ['cold start: spawn → answer, median (ms)', ...results.map((row) => whole(get(row, 'cold', 'medianMs')))],
    [
      'new shard: spawn → answer from the stored index (ask --stored), median (ms)',
      ...results.map((row) => whole(get(row, 'cold', 'storedMedianMs'))),
    ],
    ['serving: engine load (ms)', ...results.map((row) => whole(get(row, 'serve', 'engineLoadMs')))],
  ];
  for (const askers of [1, 4, 16]) {
    rows.push([
      `engine.ask p50 / p95 / p99, ${askers} asker(s) (ms)`,
      ...results.map((row) => triple(get(row, 'serve', 'ask', String(askers)))),
    ]);
  }
  rows.push([
    'engine.ask throughput at 1 / 4 / 16 (questions/s)',
    ...results.map((row) => [1, 4, 16].map((n) => whole(get(row, 'serve', 'ask', String(n), 'perSecond'))).join(' / ')),
  ]);
  for (const askers of [1, 4, 16]) {
    rows.push([
      `SQL vector top-50 p50 / p95 / p99, ${askers} (ms)`,
      ...results.map((row) => triple(get(row, 'serve', 'dense', String(askers)))),
    ]);
  }
  rows.push(
    [
      'RSS serving after warm-up / peak (MB)',
      ...results.map((row) => `${whole(get(row, 'serve', 'warmRssMb'))} / ${whole(get(row, 'serve', 'servingPeakRssMb'))}`),
    ],
    [
      'answered (of questions asked once each, after warm-up)',
      ...results.map((row) => `${get(row, 'serve', 'answered')}/${get(row, 'serve', 'asked') ?? get(row, 'serve', 'questions')}`),
    ],
    ['exact top-10 (seq scan) p50 (ms)', ...results.map((row) => fixed(get(row, 'serve', 'exact', 'p50'), 1))],
  );
  const recallOf = (row: Row) => (get(row, 'serve', 'recall') as Row[] | undefined) ?? [];
  const efs = [...new Set(results.flatMap((row) => recallOf(row).map((entry) => Number(entry.ef))))].sort((a, b) => a - b);
  for (const ef of efs) {
    rows.push([
      `HNSW ef_search ${ef}: recall@10, p50 ms`,
      ...results.map((row) => {
        const entry = recallOf(row).find((candidate) => Number(candidate.ef) === ef);
        if (!entry) return '–';
        const notes = [entry.name === 'store (HNSW_EF)' ? ' (HNSW_EF)' : '', entry.usesHnsw ? '' : ' (no index scan)'].join('');
        return `${fixed(entry.recallAt10, 3)}, ${fixed(entry.p50, 1)}${notes}`;
      }),
    ]);
  }
  rows.push(
    [
      'after GC, RSS (heap+buffers) MB: model · +index held · engine',
      ...results.map((row) =>
        ['model', 'loaded', 'withEngine']
          .map(
            (step) =>
              `${whole(get(row, 'memory', step, 'rssMb'))} (${whole((get(row, 'memory', step, 'heapUsedMb') as number) + (get(row, 'memory', step, 'externalMb') as number))})`,
          )
          .join(' · '),
      ),
    ],
    [
      '  held: documents without text · thesaurus (MB, as JSON)',
      ...results.map((row) =>
        ['documentEntriesJsonMb', 'thesaurusJsonMb'].map((key) => fixed(get(row, 'memory', 'structures', key) as number, 1)).join(' · '),
      ),
    ],
  );
  return rows;
}
