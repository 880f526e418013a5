import { ApplicationCommandType } from 'discord.js';
import { renderHelp } from '../../render/discord.js';
import { send, type SlashCommand } from '../context.js';

/** `/help` — what the bot can do and how to ask. */
export const help = {
  kind: 'slash',
  data: { type: ApplicationCommandType.ChatInput, name: 'help', description: 'What this bot can do and how to ask' },
  async execute(interaction, context) {
    const embed = renderHelp({ mentions: context.config.discord.mentions, botName: interaction.client.user.username });
    await send(interaction, { embeds: [embed] }, { ephemeral: true });
  },
} satisfies SlashCommand;
