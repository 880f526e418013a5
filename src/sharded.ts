/**
 * `npm run start:sharded`: the bot as several processes, one per gateway shard, for a bot in more
 * servers than one connection may serve (Discord requires sharding from 2,500). discord.js's
 * ShardingManager starts `dist/main.js` once per shard (the very program `npm start` runs); each
 * shard loads its own model and answers from the shared index.
 *
 * One writer: before any shard starts, a child process brings the index in line with the corpus
 * folder (what `npm start` does at start-up), then exits, so the manager holds no model; the shards
 * only load. Afterwards `/reindex`, `/add-source` and `/remove-source` write from the shard that
 * received them, and the others follow (LISTEN/NOTIFY with PostgreSQL; with the local files, a
 * message passed on by this manager: src/shards.ts).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RESTGetAPIGatewayBotResult, REST, Routes, type Shard, ShardingManager } from 'discord.js';
import { explainDiscordFailure } from './bot/discord-errors.js';
import type { Config } from './config.js';
import type { Logger } from './core/log.js';
import { isIndexChangedMessage, ShardReports } from './shards.js';
import { EXIT_CONFIG, exitOnError, loadConfigOrExit } from './startup.js';

/** The program each shard runs: the compiled bot, as `npm start` runs it. */
const BOT_ENTRY = path.join(import.meta.dirname, 'main.js');
/** Run as a child with this flag, this file brings the index up to date and exits. */
const SYNC_FLAG = '--sync-index';
/** A shard loads a model and the index before it logs in: generous on a small, busy machine. */
const SHARD_READY_TIMEOUT_MS = 180_000;
/** A shard finishing its replies in flight on SIGTERM (its own limit is shorter); then it is killed. */
const SHARD_STOP_TIMEOUT_MS = 20_000;

/** The child's job: what `npm start` does to the index at start-up (build or refresh it; refuse another model's), then exit. */
async function syncIndexOnce(config: Config, log: Logger): Promise<void> {
  // Imported here, in the child only: the manager stays a small process without the model's libraries.
  const { embedderFor, storeFor, syncOptionsFor } = await import('./ingest/ingest.js');
  const { refreshIndex } = await import('./ingest/sync.js');
  const embedder = await embedderFor(config, log);
  const store = storeFor(config);
  try {
    const { report } = await refreshIndex(syncOptionsFor(config, embedder, log, 'load', store));
    log.info(
      report.rebuilt
        ? `Index built: ${report.documents} documents, ${report.chunks} chunks (${report.reason}).`
        : `Index up to date: ${report.documents} documents, ${report.chunks} chunks.`,
    );
  } finally {
    await store.close();
  }
}

/** Run the index sync in a child process; its exit code (0 when the index is ready). */
async function runSyncChild(onStart: (child: ChildProcess) => void): Promise<number> {
  const child = fork(import.meta.filename, [SYNC_FLAG], { stdio: 'inherit' });
  onStart(child);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return code ?? (signal === null ? 1 : 128);
}

/** The number of shards Discord recommends, from `GET /gateway/bot` on the configured API (discord.js's own helper always asks discord.com). */
async function recommendedShardCount(config: Config, token: string): Promise<number> {
  const rest = new REST({ api: config.discord.apiUrl }).setToken(token);
  try {
    const gateway = (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
    return Math.max(1, gateway.shards);
  } catch (error) {
    throw explainDiscordFailure(error, config);
  }
}

/** Log a shard's life through our logger, and pass a shard's "index changed" on to the others. */
function followShard(shard: Shard, manager: ShardingManager, log: Logger, reports: ShardReports): void {
  const name = `shard ${shard.id}/${manager.totalShards}`;
  shard.on('spawn', (child) => log.info(`${name} started${'pid' in child ? ` (pid ${child.pid})` : ''}`));
  shard.on('ready', () => log.info(`${name} is ready`));
  // A shard being stopped closes its connection too (with respawn off): only the unexpected is news.
  shard.on('disconnect', () => {
    if (manager.respawn) log.warn(`${name} lost its gateway connection`);
  });
  shard.on('reconnecting', () => {
    if (manager.respawn) log.info(`${name} is reconnecting to the gateway`);
  });
  shard.on('resume', () => log.info(`${name} resumed its gateway session`));
  shard.on('error', (error) => log.error(`${name} failed`, error));
  shard.on('death', (child) => {
    const code = 'exitCode' in child ? child.exitCode : null;
    const signal = 'signalCode' in child ? child.signalCode : null;
    const how = signal === null ? `with code ${code}` : `on ${signal}`;
    log[manager.respawn ? 'warn' : 'info'](`${name} exited ${how}${manager.respawn ? '; starting it again' : ''}`);
  });
  shard.on('message', (message: unknown) => {
    if (reports.receive(shard.id, message)) return;
    if (!isIndexChangedMessage(message)) return;
    log.info(`${name} saved a new index (built ${message.builtAt}); telling the other shards`);
    for (const other of manager.shards.values()) {
      if (other !== shard && other.process !== null) {
        other.send(message).catch((error: unknown) => log.warn(`could not tell shard ${other.id}: ${(error as Error).message}`));
      }
    }
  });
}

/** Stop one shard as a signal stops `npm start` (it finishes its replies), killing it if it takes too long. */
async function stopShard(shard: Shard, log: Logger): Promise<void> {
  const child = shard.process;
  if (child === null || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = sleep(SHARD_STOP_TIMEOUT_MS, 'timeout' as const);
  if ((await Promise.race([exited, timer])) === 'timeout') {
    log.warn(`shard ${shard.id} did not stop within ${SHARD_STOP_TIMEOUT_MS / 1000} s; killing it`);
    child.kill('SIGKILL');
    await exited;
  }
}

async function manage(): Promise<void> {
  const { config, log } = loadConfigOrExit({ prefix: '[manager] ' });
  const token = config.discord.token;
  if (token === undefined) {
    log.error('DISCORD_TOKEN is not set: the sharded bot needs a token (see .env.example).');
    process.exit(EXIT_CONFIG);
  }
  let manager: ShardingManager | null = null;
  let syncing: ChildProcess | null = null;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    syncing?.kill('SIGTERM');
    if (manager !== null) {
      // Before any shard exits, or the manager would start it again.
      manager.respawn = false;
      log.info(`${signal}: stopping ${manager.shards.size} shards…`);
      await Promise.all([...manager.shards.values()].map((shard) => stopShard(shard, log)));
      log.info('all shards stopped');
    }
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  // The dashboard (DASHBOARD_PORT) is served here, from the question log the shards append to and what they report.
  let totalShards = 0;
  const reports = new ShardReports(
    () =>
      [...(manager?.shards.values() ?? [])].map((shard) => ({
        id: shard.id,
        running: shard.process !== null && shard.process.exitCode === null && shard.process.signalCode === null,
        send: (message: unknown) => shard.send(message),
      })),
    () => totalShards,
  );
  if (config.dashboard.port !== undefined) {
    const { startDashboard } = await import('./dashboard/server.js');
    await startDashboard({ settings: config.dashboard, dataDir: config.dataDir, source: reports.source(), log }).catch(exitOnError(log));
  }

  const synced = await runSyncChild((child) => {
    syncing = child;
  });
  syncing = null;
  if (stopping) return;
  if (synced !== 0) {
    log.error('The index could not be made ready (see above); no shard was started.');
    process.exit(synced);
  }
  const count =
    config.discord.shards === 'auto' ? await recommendedShardCount(config, token).catch(exitOnError(log)) : config.discord.shards;
  if (count === undefined) return;
  totalShards = count;
  log.info(
    `starting ${totalShards} shard${totalShards === 1 ? '' : 's'} (${config.discord.shards === 'auto' ? "Discord's recommendation" : 'DISCORD_SHARDS'})`,
  );
  const shards = new ShardingManager(BOT_ENTRY, { totalShards, token, mode: 'process', respawn: true });
  manager = shards;
  shards.on('shardCreate', (shard) => followShard(shard, shards, log, reports));
  try {
    await shards.spawn({ timeout: SHARD_READY_TIMEOUT_MS });
  } catch (error) {
    if (stopping) return;
    log.error('A shard could not start; stopping the others', error);
    shards.respawn = false;
    await Promise.all([...shards.shards.values()].map((shard) => stopShard(shard, log)));
    process.exit(1);
  }
  if (!stopping) log.info(`all ${totalShards} shards are ready`);
}

if (process.argv.includes(SYNC_FLAG)) {
  const { config, log } = loadConfigOrExit({ prefix: '[index] ' });
  await syncIndexOnce(config, log).catch(exitOnError(log));
  // The model's worker threads would keep the process alive: this child's work is done.
  process.exit(0);
} else {
  await manage().catch((error: unknown) => {
    process.stderr.write(`[manager] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
