/**
 * What a shard of the sharded bot (`npm run start:sharded`, src/sharded.ts) does differently from
 * `npm start`: it is the same program, told by the environment discord.js's ShardingManager sets
 * (SHARDING_MANAGER, SHARDS, SHARD_COUNT) that it is one shard of several. It loads the index
 * without writing it, and hears from the manager when another shard changed it.
 */
import type { Engine, ExplainedAnswer } from './answer/engine.js';
import type { Logger } from './core/log.js';
import type { DocumentSummary } from './core/types.js';
import type { DashboardSource, DiscordStatus, IndexStatus } from './dashboard/source.js';

/** Sent by a shard whose `/reindex`, `/add-source` or `/remove-source` saved a new index; the manager passes it to the others. */
export interface IndexChangedMessage {
  readonly type: 'seed-quotes:index-changed';
  readonly builtAt: string;
}

export function isIndexChangedMessage(message: unknown): message is IndexChangedMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'seed-quotes:index-changed' &&
    typeof (message as { builtAt?: unknown }).builtAt === 'string'
  );
}

/** This process's shard when a ShardingManager started it (process mode: its environment, and an IPC channel to it), else null. */
export function shardOfThisProcess(
  environment: NodeJS.ProcessEnv = process.env,
  hasParentChannel: boolean = typeof process.send === 'function',
): { id: number; count: number } | null {
  if (environment.SHARDING_MANAGER !== 'true' || !hasParentChannel) return null;
  const id = Number(environment.SHARDS);
  const count = Number(environment.SHARD_COUNT);
  return Number.isInteger(id) && Number.isInteger(count) && id >= 0 && id < count ? { id, count } : null;
}

/**
 * Keep a shard's engine in step with the others. With a store that announces changes itself
 * (PostgreSQL's LISTEN/NOTIFY, `engine.watchStore()`) there is nothing to add. With the local index
 * files, which nothing watches, a shard that saved a new index tells the manager, and every other
 * shard reloads the files when the manager passes that on.
 */
export function followOtherShards(engine: Engine, log: Logger): void {
  if (engine.storeNotifiesChanges) return;
  engine.onIndexChange((builtAt) => {
    const message: IndexChangedMessage = { type: 'seed-quotes:index-changed', builtAt };
    process.send?.(message);
  });
  process.on('message', (message: unknown) => {
    if (!isIndexChangedMessage(message)) return;
    engine
      .reload()
      .then((loaded) => {
        if (!loaded) log.debug(`another shard saved the index built ${message.builtAt}; already in use`);
      })
      .catch((error: unknown) => log.warn(`Could not load the index another shard saved: ${(error as Error).message}`));
  });
}

/** A shard's state for the manager's dashboard: sent every few seconds; the documents only when the index in use changed. */
export interface ShardStatusMessage {
  readonly type: 'seed-quotes:status';
  readonly discord: DiscordStatus;
  readonly index: Omit<IndexStatus, 'documents'> & { readonly documents?: readonly DocumentSummary[] };
}

/** The manager asks a shard for the engine's explanation of a logged question (the manager holds no engine). */
export interface ExplainRequestMessage {
  readonly type: 'seed-quotes:explain';
  readonly id: number;
  readonly question: string;
  readonly collections: readonly string[] | null;
}

export interface ExplainReplyMessage {
  readonly type: 'seed-quotes:explained';
  readonly id: number;
  readonly explained?: ExplainedAnswer;
  readonly error?: string;
}

const STATUS_EVERY_MS = 2_000;

function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

/**
 * A shard's side of the manager's dashboard: report this shard's index and gateway connection, and
 * answer the manager's requests for an explanation (vectors left out: they do not cross processes).
 */
export function reportToManager(engine: Engine, source: DashboardSource): void {
  let sentBuiltAt: string | null = null;
  const report = () => {
    const index = source.index();
    if (index === null) return;
    const { documents, ...rest } = index;
    const message: ShardStatusMessage = {
      type: 'seed-quotes:status',
      discord: source.discord(),
      index: sentBuiltAt === index.builtAt ? rest : { ...rest, documents },
    };
    process.send?.(message, undefined, {}, (error: Error | null) => {
      if (error === null) sentBuiltAt = index.builtAt;
    });
  };
  report();
  setInterval(report, STATUS_EVERY_MS).unref();
  process.on('message', (message: unknown) => {
    if (!isMessage<ExplainRequestMessage>(message, 'seed-quotes:explain')) return;
    const scope = message.collections === null ? {} : { collections: message.collections };
    engine
      .explain(message.question, scope)
      .then((explained) => {
        const plain = JSON.parse(
          JSON.stringify(explained, (_key, value) => (ArrayBuffer.isView(value) ? undefined : value)),
        ) as ExplainedAnswer;
        process.send?.({ type: 'seed-quotes:explained', id: message.id, explained: plain } satisfies ExplainReplyMessage);
      })
      .catch((error: unknown) => {
        process.send?.({ type: 'seed-quotes:explained', id: message.id, error: String(error) } satisfies ExplainReplyMessage);
      });
  });
}

/** A shard's last report, and when it came. */
interface ShardReport {
  readonly at: number;
  readonly discord: DiscordStatus;
  readonly index: IndexStatus;
}

/** A shard, as the manager's dashboard needs it: its id, whether its process runs, and sending it a message. */
export interface ManagedShard {
  readonly id: number;
  readonly running: boolean;
  send(message: unknown): Promise<unknown>;
}

/** A report older than this means the shard is gone or stuck. */
const STALE_AFTER_MS = 3 * STATUS_EVERY_MS + 1_000;
const EXPLAIN_TIMEOUT_MS = 60_000;

/**
 * The manager's dashboard source: what the shards report. All shards serve the same index, so the
 * index shown is one shard's; Discord is `connected` only while every shard reports it connected.
 */
export class ShardReports {
  private readonly reports = new Map<number, ShardReport>();
  private readonly waiting = new Map<number, (reply: ExplainReplyMessage) => void>();
  private nextId = 1;

  constructor(
    private readonly shards: () => readonly ManagedShard[],
    private readonly totalShards: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Take in a message from shard `id`; true when it was one of these. */
  receive(id: number, message: unknown): boolean {
    if (isMessage<ShardStatusMessage>(message, 'seed-quotes:status')) {
      const documents = message.index.documents ?? this.reports.get(id)?.index.documents ?? [];
      this.reports.set(id, { at: this.now(), discord: message.discord, index: { ...message.index, documents } });
      return true;
    }
    if (isMessage<ExplainReplyMessage>(message, 'seed-quotes:explained')) {
      this.waiting.get(message.id)?.(message);
      return true;
    }
    return false;
  }

  private fresh(): ShardReport[] {
    return [...this.reports.entries()]
      .filter(([, report]) => this.now() - report.at <= STALE_AFTER_MS)
      .sort(([left], [right]) => left - right)
      .map(([, report]) => report);
  }

  source(): DashboardSource {
    return {
      index: () => {
        const reports = this.fresh();
        const [first] = reports;
        if (first === undefined) return null;
        return {
          ...first.index,
          rebuilding: reports.some((report) => report.index.rebuilding),
          ingests: reports.reduce((total, report) => total + report.index.ingests, 0),
        };
      },
      discord: () => {
        const reports = this.fresh();
        const total = this.totalShards();
        return total > 0 && reports.length === total && reports.every((report) => report.discord === 'connected')
          ? 'connected'
          : 'disconnected';
      },
      explain: (question, collections) => this.explain(question, collections),
    };
  }

  private explain(question: string, collections: readonly string[] | null): Promise<ExplainedAnswer> {
    const shard = this.shards().find((candidate) => candidate.running);
    if (shard === undefined) return Promise.reject(new Error('no shard is running to explain the question'));
    const id = this.nextId++;
    return new Promise<ExplainedAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`shard ${shard.id} did not explain the question within ${EXPLAIN_TIMEOUT_MS / 1000} s`));
      }, EXPLAIN_TIMEOUT_MS);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        if (reply.explained) resolve(reply.explained);
        else reject(new Error(`shard ${shard.id} could not explain the question: ${reply.error ?? 'no reason given'}`));
      });
      const request: ExplainRequestMessage = { type: 'seed-quotes:explain', id, question, collections };
      shard.send(request).catch((error: unknown) => this.waiting.get(id)?.({ type: 'seed-quotes:explained', id, error: String(error) }));
    });
  }
}
