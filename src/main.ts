import { createInterface } from 'node:readline';
import { createEngine, type Engine } from './answer/engine.js';
import type { RunningBot } from './bot/client.js';
import { citedSources, FeedbackLog, outcomeOf } from './bot/feedback.js';
import type { Config } from './config.js';
import type { Logger } from './core/log.js';
import type { RunningDashboard } from './dashboard/server.js';
import type { DiscordStatus } from './dashboard/source.js';
import { renderAnswerText } from './render/text.js';
import { followOtherShards, reportToManager, shardOfThisProcess } from './shards.js';
import { exitOnError, loadConfigOrExit } from './startup.js';

/**
 * The main job: with DISCORD_TOKEN the bot runs; without it an interactive console answers typed
 * questions. The first run builds the model and the index itself. As one shard of
 * `npm run start:sharded` it only loads the index (the manager built it) and follows the other shards.
 */
async function main(): Promise<void> {
  const shard = shardOfThisProcess();
  const { config, log } = loadConfigOrExit(shard === null ? {} : { prefix: `[shard ${shard.id}] ` });
  const engine = await createEngine(config, log, shard === null ? {} : { mode: 'read' }).catch(exitOnError(log));
  if (!engine) return;
  // A store shared with other processes: answer from each index a writer commits, without a restart.
  await engine.watchStore().catch(exitOnError(log));
  // The bot is "disconnected" until it has logged in; then its gateway's status (discord.js's Status.Ready is 0).
  let discord: () => DiscordStatus = () => 'disconnected';
  const onReady = (bot: RunningBot) => {
    discord = () => (bot.client.ws.status === 0 ? 'connected' : 'disconnected');
  };
  if (shard !== null) {
    followOtherShards(engine, log);
    // The manager serves the dashboard, from what each shard reports.
    if (config.dashboard.port !== undefined) {
      const { engineSource } = await import('./dashboard/source.js');
      reportToManager(
        engine,
        engineSource(engine, config, () => discord()),
      );
    }
    // The commands are the application's, not a shard's: registered once, by shard 0.
    const registerCommands = config.discord.registerCommands && shard.id === 0;
    const shardConfig = { ...config, discord: { ...config.discord, registerCommands } };
    // Feeds too are the application's: exactly one process polls them, shard 0.
    await runBot(shardConfig, engine, log, { sharded: true, onReady, pollFeeds: shard.id === 0 }).catch(exitOnError(log));
  } else if (config.discord.token) {
    await serveDashboard(config, engine, log, () => discord()).catch(exitOnError(log));
    await runBot(config, engine, log, { onReady }).catch(exitOnError(log));
  } else {
    const dashboard = await serveDashboard(config, engine, log, () => 'off').catch(exitOnError(log));
    await runConsole(config, engine, log);
    await dashboard?.close();
  }
}

/** The operator's dashboard (src/dashboard/) when DASHBOARD_PORT is set; its modules load only then. */
async function serveDashboard(config: Config, engine: Engine, log: Logger, discord: () => DiscordStatus): Promise<RunningDashboard | null> {
  if (config.dashboard.port === undefined) return null;
  const [{ startDashboard }, { engineSource }] = await Promise.all([import('./dashboard/server.js'), import('./dashboard/source.js')]);
  const source = engineSource(engine, config, discord);
  return startDashboard({ settings: config.dashboard, dataDir: config.dataDir, source, log });
}

async function runBot(
  config: Config,
  engine: Engine,
  log: Logger,
  options: { sharded?: boolean; onReady?: (bot: RunningBot) => void; pollFeeds?: boolean } = {},
): Promise<void> {
  const { startBot } = await import('./bot/client.js');
  const bot = await startBot({ config, engine, log, pollFeeds: options.pollFeeds ?? true });
  options.onReady?.(bot);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: finishing replies in flight and disconnecting…`);
    await bot.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  // A shard whose manager is gone (killed, crashed) would answer on with nobody to respawn or stop it.
  if (options.sharded) process.once('disconnect', () => void shutdown('the shard manager is gone'));
}

async function runConsole(config: Config, engine: Engine, log: Logger): Promise<void> {
  const documents = engine.documents();
  // Recorded as the bot's questions are (entry `console`), so the dashboard and `npm run feedback` see them.
  const feedback = new FeedbackLog(config.dataDir);
  log.info(`No DISCORD_TOKEN set, so the bot is not started; answering here instead.`);
  log.info(`${documents.length} documents indexed (built ${engine.builtAt()}). Type a question, or "exit" to quit.`);
  const console = createInterface({ input: process.stdin, output: process.stdout, prompt: 'question> ' });
  console.prompt();
  for await (const line of console) {
    const question = line.trim();
    if (['exit', 'quit', ':q'].includes(question.toLowerCase())) break;
    if (question) {
      const started = performance.now();
      const answer = await engine.ask(question);
      const ms = performance.now() - started;
      process.stdout.write(`\n${renderAnswerText(answer)}\n\n`);
      await feedback
        .recordQuestion({
          userId: 'console',
          via: 'console',
          question,
          answered: answer.answered,
          sources: citedSources(answer),
          outcome: outcomeOf(answer),
          channel: 'console',
          ms,
        })
        .catch((error: unknown) => log.warn(`could not write the question log: ${String(error)}`));
    }
    console.prompt();
  }
  console.close();
  await engine.close();
}

await main();
