/**
 * `npm run deploy-commands`: register the bot's commands with Discord (guild when
 * DISCORD_GUILD_ID is set, else global). Settings come from the environment and `.env`.
 */
import { deployCommands } from '../src/bot/deploy.js';
import { exitOnError, loadConfigOrExit } from '../src/startup.js';

const { config, log } = loadConfigOrExit();
if (config.discord.token === undefined) {
  log.error('DISCORD_TOKEN is not set. Put the bot token in .env (see .env.example) and run again.');
  process.exit(2);
}
await deployCommands(config, log).catch(exitOnError(log));
