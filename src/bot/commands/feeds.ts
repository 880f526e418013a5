import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
} from 'discord.js';
import { checkCollectionName } from '../../corpus/source-file.js';
import { escapeInline, truncate } from '../../render/discord-format.js';
import { feedPolicy } from '../../sources/feed.js';
import { type BotContext, notice, type SlashCommand } from '../context.js';
import { checkFeed, type FeedState } from '../feeds.js';
import { actorOf, addSourceCollectionChoices } from './add-source.js';

/** One line of `/feeds list`. */
export function describeFeed(feed: FeedState, defaultEverySeconds: number, now: number): string {
  const every = feed.everySeconds ?? defaultEverySeconds;
  const next = Math.max(0, Math.round((feed.nextPollAt - now) / 1000));
  const status =
    feed.lastError === null
      ? feed.lastSuccessAt === null
        ? 'not polled yet'
        : `last polled ${feed.lastSuccessAt.slice(0, 16).replace('T', ' ')} UTC`
      : `⚠ ${feed.failures} failed poll${feed.failures === 1 ? '' : 's'}: ${truncate(feed.lastError, 160)}`;
  return `**${escapeInline(feed.name)}** → \`${feed.collection}\` every ${every} s: <${truncate(feed.url, 200)}> — ${status}; next in ${next} s.`;
}

async function addFeed(interaction: ChatInputCommandInteraction, context: BotContext): Promise<void> {
  const collection = checkCollectionName(interaction.options.getString('collection', true));
  if (!collection.ok) return notice(interaction, `${collection.reason} No feed was added.`);
  const minutes = interaction.options.getInteger('every');
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const url = interaction.options.getString('url', true);
  const parsed = await checkFeed(url, { ...feedPolicy(context.config.sources), ...context.webSources.trusted() });
  if ('reason' in parsed) {
    await context.corpusChanges.note(
      { type: 'skip-source', url, reason: `feed not added: ${parsed.reason}`, collection: collection.collection },
      actorOf(interaction),
    );
    return notice(interaction, `<${truncate(url, 300)}> was not added as a feed: ${parsed.reason}. Nothing was changed.`);
  }
  const added = await context.feeds.add({
    url,
    collection: collection.collection,
    everySeconds: minutes === null ? null : minutes * 60,
    addedBy: interaction.user.id,
    title: parsed.title,
    now: Date.now(),
  });
  if ('reason' in added) return notice(interaction, `<${truncate(url, 300)}> was not added: ${added.reason}. Nothing was changed.`);
  await context.corpusChanges.note({ type: 'add-feed', url, collection: collection.collection, feed: added.name }, actorOf(interaction));
  const every = minutes === null ? `${context.config.sources.feedPollSeconds} s` : `${minutes} min`;
  return notice(
    interaction,
    `Added feed **${escapeInline(added.name)}** (${parsed.items.length} items now) into \`${collection.collection}\`, polled every ${every}. ` +
      `Its new items (at most ${context.config.sources.feedMaxNewItems} a poll, none older than ${context.config.sources.feedMaxItemAgeDays} days at first) are fetched and added from the next poll on.`,
  );
}

/**
 * `/feeds add url: collection: [every:]`, `/feeds list`, `/feeds remove name:` (Manage Server):
 * news feeds whose new items are fetched and added to a collection. Replies privately.
 */
export const feeds = {
  kind: 'slash',
  data: {
    type: ApplicationCommandType.ChatInput,
    name: 'feeds',
    description: 'RSS and Atom feeds that keep a collection current (admins)',
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    contexts: [InteractionContextType.Guild],
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'add',
        description: 'Poll a feed and add its new articles to a collection',
        options: [
          {
            type: ApplicationCommandOptionType.String,
            name: 'url',
            description: 'The RSS or Atom feed address',
            required: true,
            min_length: 8,
            max_length: 2000,
          },
          {
            type: ApplicationCommandOptionType.String,
            name: 'collection',
            description: 'The collection its articles go to',
            required: true,
            min_length: 1,
            max_length: 32,
            autocomplete: true,
          },
          {
            type: ApplicationCommandOptionType.Integer,
            name: 'every',
            description: 'Minutes between polls (default: FEED_POLL_SECONDS)',
            min_value: 1,
            max_value: 10_080,
          },
        ],
      },
      { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'The feeds, their collections and last polls' },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'remove',
        description: 'Stop polling a feed (the articles it added stay)',
        options: [{ type: ApplicationCommandOptionType.String, name: 'name', description: 'The feed', required: true, autocomplete: true }],
      },
    ],
  },
  requiredPermissions: { permission: 'ManageGuild', toDo: 'manage feeds' },
  async execute(interaction, context) {
    const subcommand = interaction.options.getSubcommand();
    if (subcommand === 'add') return addFeed(interaction, context);
    if (subcommand === 'list') {
      const list = await context.feeds.list();
      if (list.length === 0) return notice(interaction, 'No feeds yet: add one with `/feeds add url: collection:`.');
      const now = Date.now();
      return notice(interaction, list.map((feed) => describeFeed(feed, context.config.sources.feedPollSeconds, now)).join('\n'));
    }
    const name = interaction.options.getString('name', true);
    const removed = await context.feeds.remove(name);
    if (removed === null) return notice(interaction, `There is no feed \`${escapeInline(name)}\`: pick one from the suggestions.`);
    await context.corpusChanges.note(
      { type: 'remove-feed', url: removed.url, collection: removed.collection, feed: removed.name },
      actorOf(interaction),
    );
    return notice(
      interaction,
      `Removed feed **${escapeInline(removed.name)}**; the articles it added stay in \`${removed.collection}\` (remove them with \`/remove-source\`).`,
    );
  },
  async autocomplete(interaction, context) {
    const focused = interaction.options.getFocused(true);
    if (focused.name === 'collection') return interaction.respond(addSourceCollectionChoices(context.engine.collections(), focused.value));
    const typed = focused.value.toLowerCase();
    const names = (await context.feeds.list()).filter((feed) => feed.name.includes(typed)).slice(0, 25);
    await interaction.respond(names.map((feed) => ({ name: `${feed.name} → ${feed.collection}`, value: feed.name })));
  },
} satisfies SlashCommand;
