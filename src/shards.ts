/**
 * What a shard of the sharded bot (`npm run start:sharded`, src/sharded.ts) does differently from
 * `npm start`: it is the same program, told by the environment discord.js's ShardingManager sets
 * (SHARDING_MANAGER, SHARDS, SHARD_COUNT) that it is one shard of several. It loads the index
 * without writing it, and hears from the manager when another shard changed it.
 */
import type { Engine } from './answer/engine.js';
import type { Logger } from './core/log.js';

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
