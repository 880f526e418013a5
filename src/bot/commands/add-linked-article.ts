import {
  ApplicationCommandType,
  ComponentType,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  type StringSelectMenuInteraction,
} from 'discord.js';
import { DEFAULT_COLLECTION } from '../../corpus/source-file.js';
import { truncate } from '../../render/discord-format.js';
import { linksIn } from '../../sources/links.js';
import { decodeButtonId, encodeButtonId } from '../components.js';
import { type BotContext, type MessageMenuCommand, NO_MENTIONS, notice } from '../context.js';
import { permissionRefusal, type RequiredPermissions, refusalWithout } from '../preconditions.js';
import { actorOf, addFromUrl } from './add-source.js';

/** For the command, and again for its select menu, which no precondition guards. */
const addingSources: RequiredPermissions = { permission: 'ManageGuild', toDo: 'add sources' };

export const LinkMessages = {
  notManager: refusalWithout(addingSources),
  noLinks: 'That message has no web links (http:// or https://) to add.',
  notYours: 'Only the person who opened this menu can choose from it.',
  expired: 'This menu has expired. Use "Add linked article to sources" on the message again.',
} as const;

/**
 * Message context menu "Add linked article to sources" (Manage Server): the message's one link is
 * fetched and added to the default collection at once; with several, a private select menu offers
 * them and the chosen one is added. Replies privately, as `/add-source url:` does.
 */
export const addLinkedArticle = {
  kind: 'message',
  data: {
    type: ApplicationCommandType.Message,
    name: 'Add linked article to sources',
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    contexts: [InteractionContextType.Guild],
  },
  requiredPermissions: addingSources,
  async execute(interaction, context) {
    const message = interaction.targetMessage;
    const links = linksIn(
      message.content,
      message.embeds.map((embed) => embed.url),
    );
    const [only] = links;
    if (only === undefined) return notice(interaction, LinkMessages.noLinks);
    if (links.length === 1) {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const added = await addFromUrl(context, { url: only, collection: DEFAULT_COLLECTION, replace: false, actor: actorOf(interaction) });
      return notice(interaction, added.ok ? added.text : `${added.text} Nothing was changed.`);
    }
    const key = context.states.put({ kind: 'links', urls: links, ownerId: interaction.user.id });
    await interaction.reply({
      content: `That message has ${links.length} links: choose the article to add to \`${DEFAULT_COLLECTION}\`.`,
      flags: MessageFlags.Ephemeral,
      allowedMentions: NO_MENTIONS,
      components: [
        {
          type: ComponentType.ActionRow,
          components: [
            {
              type: ComponentType.StringSelect,
              custom_id: encodeButtonId(context.bootId, { action: 'add-link', key, argument: '-' }),
              placeholder: 'The link to add',
              options: links.map((url, index) => ({
                label: truncate(url.replace(/^https?:\/\//, ''), 100),
                value: String(index),
                description: truncate(url, 100),
              })),
            },
          ],
        },
      ],
    });
  },
} satisfies MessageMenuCommand;

/** The choice in that select menu: the link is fetched and added, and the menu becomes the result. */
export async function handleLinkChoice(interaction: StringSelectMenuInteraction, context: BotContext): Promise<void> {
  const parsed = decodeButtonId(context.bootId, interaction.customId);
  const state = parsed.kind === 'current' ? context.states.get(parsed.id.key) : undefined;
  if (state?.kind !== 'links') return notice(interaction, LinkMessages.expired);
  if (state.ownerId !== interaction.user.id) return notice(interaction, LinkMessages.notYours);
  const refusal = permissionRefusal(addingSources, interaction.memberPermissions);
  if (refusal !== null) return notice(interaction, refusal);
  const url = state.urls[Number(interaction.values[0])];
  if (url === undefined) return notice(interaction, LinkMessages.expired);
  await interaction.update({ content: `Adding <${truncate(url, 300)}>…`, components: [], allowedMentions: NO_MENTIONS });
  const added = await addFromUrl(context, { url, collection: DEFAULT_COLLECTION, replace: false, actor: actorOf(interaction) });
  await interaction.editReply({
    content: (added.ok ? added.text : `${added.text} Nothing was changed.`).slice(0, 2000),
    components: [],
    allowedMentions: NO_MENTIONS,
  });
}
