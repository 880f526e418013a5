import { ApplicationCommandType } from 'discord.js';
import { renderDocumentList } from '../../render/discord.js';
import { send, showsCollections, type SlashCommand } from '../context.js';

/** `/sources` — every indexed document of the channel's scope, newest first (by collection when there are several); it says when a scope applies. */
export const sources = {
  kind: 'slash',
  data: { type: ApplicationCommandType.ChatInput, name: 'sources', description: 'List every indexed document, newest first' },
  async execute(interaction, context, _question, scope) {
    const view = { showCollections: showsCollections(context), ...(scope.collections === undefined ? {} : { scope: scope.collections }) };
    await send(
      interaction,
      { embeds: [renderDocumentList(context.engine.documents(scope), view)] },
      { ephemeral: context.config.discord.answerVisibility === 'private' },
    );
  },
} satisfies SlashCommand;
