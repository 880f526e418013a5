/** Registering the slash and context-menu commands with Discord, as the discord.js guide's deploy script does. */
import { REST, Routes, type APIApplication } from 'discord.js';
import type { Config } from '../config.js';
import type { Logger } from '../core/log.js';
import { commandData } from './commands/index.js';
import { explainDiscordFailure } from './discord-errors.js';

export interface DeployResult {
  readonly scope: 'guild' | 'global';
  readonly applicationId: string;
  readonly names: readonly string[];
}

/**
 * PUT every command: to one server when `DISCORD_GUILD_ID` is set (instant), else globally
 * (may take a while to show up). The application id comes from `DISCORD_APPLICATION_ID` or,
 * when absent, from `GET /applications/@me` with the bot token.
 */
export async function deployCommands(config: Config, log: Logger, options: { rest?: REST } = {}): Promise<DeployResult> {
  const token = config.discord.token;
  if (token === undefined) throw new Error('DISCORD_TOKEN is not set: deploying commands needs the bot token');
  const rest = options.rest ?? new REST({ api: config.discord.apiUrl }).setToken(token);
  const guildId = config.discord.guildId;
  let registered: { name: string }[];
  let applicationId: string;
  try {
    applicationId = config.discord.applicationId ?? ((await rest.get(Routes.currentApplication())) as APIApplication).id;
    const route =
      guildId === undefined ? Routes.applicationCommands(applicationId) : Routes.applicationGuildCommands(applicationId, guildId);
    registered = (await rest.put(route, { body: commandData() })) as { name: string }[];
  } catch (error) {
    throw explainDiscordFailure(error, config);
  }
  const names = registered.map((command) => command.name);
  log.info(
    `registered ${names.length} commands ${guildId === undefined ? 'globally (they may take up to an hour to appear)' : `in server ${guildId}`}: ${names.join(', ')}`,
  );
  return { scope: guildId === undefined ? 'global' : 'guild', applicationId, names };
}
