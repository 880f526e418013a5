import { ApplicationCommandType } from 'discord.js';
import { renderDocumentList } from '../../render/discord.js';
import { send, type SlashCommand } from '../context.js';

/** `/sources` — every indexed document, newest first. */
export const sources = {
  kind: 'slash',
  data: { type: ApplicationCommandType.ChatInput, name: 'sources', description: 'List every indexed document, newest first' },
  async execute(interaction, context) {
    await send(
      interaction,
      { embeds: [renderDocumentList(context.engine.documents())] },
      { ephemeral: context.config.discord.answerVisibility === 'private' },
    );
  },
} satisfies SlashCommand;
