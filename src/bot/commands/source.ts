import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import type { DocumentSummary } from '../../core/types.js';
import { documentChoices, renderDocument } from '../../render/discord.js';
import { notice, send, showsCollections, type SlashCommand } from '../context.js';

/** Find a document by file name or title (exact, then unique prefix), case-insensitively. */
export function findDocument(documents: readonly DocumentSummary[], name: string): DocumentSummary | undefined {
  const wanted = name.trim().toLowerCase();
  if (wanted.length === 0) return undefined;
  const exact = documents.find((document) => document.file.toLowerCase() === wanted || document.title.toLowerCase() === wanted);
  if (exact !== undefined) return exact;
  const partial = documents.filter(
    (document) => document.file.toLowerCase().startsWith(wanted) || document.title.toLowerCase().startsWith(wanted),
  );
  return partial.length === 1 ? partial[0] : undefined;
}

/** `/source name:<autocomplete>` — one document's title, date, size and opening; only documents of the channel's scope. */
export const source = {
  kind: 'slash',
  data: {
    type: ApplicationCommandType.ChatInput,
    name: 'source',
    description: 'Show one document: title, date, size and opening',
    options: [
      { type: ApplicationCommandOptionType.String, name: 'name', description: 'Title or file name', required: true, autocomplete: true },
    ],
  },
  async execute(interaction, context, _question, scope) {
    const name = interaction.options.getString('name') ?? '';
    const document = findDocument(context.engine.documents(scope), name);
    if (document === undefined) {
      const shown = name.replace(/[`\n]/g, ' ').slice(0, 100);
      const elsewhere = scope.collections === undefined ? undefined : findDocument(context.engine.documents(), name);
      if (elsewhere !== undefined) {
        return notice(
          interaction,
          `\`${shown}\` is in the collection **${elsewhere.collection}**, outside this channel's scope (${scope.collections?.join(', ')}): see /scope show.`,
        );
      }
      return notice(interaction, `No document matches \`${shown}\`. Pick one from the suggestions, or use /sources to list them all.`);
    }
    await send(
      interaction,
      { embeds: [renderDocument(document, { showCollections: showsCollections(context) })] },
      { ephemeral: context.config.discord.answerVisibility === 'private' },
    );
  },
  async autocomplete(interaction, context, scope) {
    await interaction.respond(documentChoices(context.engine.documents(scope), interaction.options.getFocused()));
  },
} satisfies SlashCommand;
