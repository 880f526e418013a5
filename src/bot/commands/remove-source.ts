import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
} from 'discord.js';
import type { DocumentSummary } from '../../core/types.js';
import { collectionOf } from '../../corpus/collections.js';
import { documentChoices } from '../../render/discord.js';
import { renderSourceRemoved } from '../../render/discord-sources.js';
import { notice, type SlashCommand } from '../context.js';
import { actorOf } from './add-source.js';

/** The document a name means: its id exactly, else the one whose id or title is it in another case. Never a prefix: this deletes. */
export function exactDocument(documents: readonly DocumentSummary[], name: string): DocumentSummary | undefined {
  const exact = documents.find((document) => document.file === name);
  if (exact !== undefined) return exact;
  const wanted = name.trim().toLowerCase();
  const matches = documents.filter((document) => document.file.toLowerCase() === wanted || document.title.toLowerCase() === wanted);
  return matches.length === 1 ? matches[0] : undefined;
}

/** `/remove-source name:<autocomplete>` (Manage Server) — take one document out of the corpus and the index; replies privately. */
export const removeSource = {
  kind: 'slash',
  data: {
    type: ApplicationCommandType.ChatInput,
    name: 'remove-source',
    description: 'Remove one source from the corpus (admins)',
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    contexts: [InteractionContextType.Guild],
    options: [
      { type: ApplicationCommandOptionType.String, name: 'name', description: 'File name or title', required: true, autocomplete: true },
    ],
  },
  requiredPermissions: { permission: 'ManageGuild', toDo: 'remove sources' },
  async execute(interaction, context) {
    const started = performance.now();
    const name = interaction.options.getString('name', true);
    const document = exactDocument(context.engine.documents(), name);
    if (document === undefined) {
      const shown = name.replace(/[`\n]/g, ' ').slice(0, 100);
      context.log.info(`/remove-source by ${interaction.user.id} refused: no source ${JSON.stringify(shown)}`);
      return notice(interaction, `\`${shown}\` is not a source: pick one from the suggestions, or see /sources. Nothing was changed.`);
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const outcome = await context.corpusChanges.remove({ documentId: document.file, actor: actorOf(interaction) });
    if (!outcome.ok) {
      context.log.info(`/remove-source by ${interaction.user.id} refused: ${outcome.reason}`);
      return notice(interaction, `${outcome.reason} Nothing was changed.`);
    }
    await notice(
      interaction,
      renderSourceRemoved({
        documentId: outcome.documentId,
        collection: collectionOf(outcome.documentId),
        document: outcome.document,
        report: outcome.report,
        totalMs: performance.now() - started,
      }),
    );
  },
  async autocomplete(interaction, context) {
    await interaction.respond(documentChoices(context.engine.documents(), interaction.options.getFocused()));
  },
} satisfies SlashCommand;
