import { ApplicationCommandType, InteractionContextType, MessageFlags, PermissionFlagsBits } from 'discord.js';
import { renderIngestReport } from '../../render/discord.js';
import { notice, send, type SlashCommand } from '../context.js';

/**
 * `/reindex` (Manage Server) — rebuild the index from the corpus folder without a restart.
 * The engine keeps answering from the old index until the new one is ready.
 */
export const reindex = {
  kind: 'slash',
  data: {
    type: ApplicationCommandType.ChatInput,
    name: 'reindex',
    description: 'Rebuild the index from the corpus folder (admins)',
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    contexts: [InteractionContextType.Guild],
  },
  requiredPermissions: { permission: 'ManageGuild', toDo: 'rebuild the index' },
  async execute(interaction, context) {
    if (context.reindex.running) return notice(interaction, 'A rebuild is already running; try again when it has finished.');
    context.reindex.running = true;
    try {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      context.log.info(`reindex requested by ${interaction.user.id}`);
      // After any source being added or removed: they reindex too.
      const report = await context.corpusChanges.serialise(() => context.engine.reindex());
      context.log.info(`reindex: ${report.reason}; ${report.documents} documents, ${report.chunks} chunks`);
      await send(interaction, { embeds: [renderIngestReport(report)] }, { ephemeral: true });
    } finally {
      context.reindex.running = false;
    }
  },
} satisfies SlashCommand;
