import { createInterface } from 'node:readline';
import { createEngine, type Engine } from './answer/engine.js';
import type { Config } from './config.js';
import type { Logger } from './core/log.js';
import { renderAnswerText } from './render/text.js';
import { followOtherShards, shardOfThisProcess } from './shards.js';
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
  if (shard !== null) {
    followOtherShards(engine, log);
    // The commands are the application's, not a shard's: registered once, by shard 0.
    const registerCommands = config.discord.registerCommands && shard.id === 0;
    const shardConfig = { ...config, discord: { ...config.discord, registerCommands } };
    await runBot(shardConfig, engine, log, { sharded: true }).catch(exitOnError(log));
  } else if (config.discord.token) await runBot(config, engine, log).catch(exitOnError(log));
  else await runConsole(engine, log);
}

async function runBot(config: Config, engine: Engine, log: Logger, options: { sharded?: boolean } = {}): Promise<void> {
  const { startBot } = await import('./bot/client.js');
  const bot = await startBot({ config, engine, log });
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

async function runConsole(engine: Engine, log: Logger): Promise<void> {
  const documents = engine.documents();
  log.info(`No DISCORD_TOKEN set, so the bot is not started; answering here instead.`);
  log.info(`${documents.length} documents indexed (built ${engine.builtAt()}). Type a question, or "exit" to quit.`);
  const console = createInterface({ input: process.stdin, output: process.stdout, prompt: 'question> ' });
  console.prompt();
  for await (const line of console) {
    const question = line.trim();
    if (['exit', 'quit', ':q'].includes(question.toLowerCase())) break;
    if (question) {
      const answer = await engine.ask(question);
      process.stdout.write(`\n${renderAnswerText(answer)}\n\n`);
    }
    console.prompt();
  }
  console.close();
  await engine.close();
}

await main();
