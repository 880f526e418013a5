import { ApplicationCommandOptionType, ApplicationCommandType, InteractionContextType } from 'discord.js';
import type { CollectionSummary } from '../../core/types.js';
import { escapeInline, truncate } from '../../render/discord-format.js';
import { DiscordLimits } from '../../render/discord-format.js';
import { notice, type BotContext, type SlashCommand } from '../context.js';
import { type RequiredPermissions, refusalWithout } from '../preconditions.js';

/** Discord shows the command to everyone (`show` is for all), so only set and clear need the permission. */
const changingScopes: RequiredPermissions = {
  permission: 'ManageGuild',
  toDo: 'change which collections a channel answers from',
  subcommands: ['set', 'clear'],
};

export const ScopeMessages = {
  notManager: refusalWithout(changingScopes),
  noChannel: 'I cannot tell which channel this is; use /scope in a server channel.',
} as const;

/** The collection names of a comma-separated list, trimmed and lowercased, each once, in order. */
export function parseCollectionList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter((name) => name.length > 0),
    ),
  ];
}

/** Names of `collections` as a readable list: **a**, **b**. */
function listed(names: readonly string[]): string {
  return names.map((name) => `**${escapeInline(name)}**`).join(', ');
}

function describeKnown(known: readonly CollectionSummary[]): string {
  return known.map((collection) => `**${escapeInline(collection.name)}** (${collection.documents})`).join(', ');
}

/** What `/scope set` answers: the list refused (unknown names), or accepted (null). */
export function refusalOfList(asked: readonly string[], known: readonly CollectionSummary[]): string | null {
  if (asked.length === 0) return `Name at least one collection. Known collections: ${describeKnown(known)}.`;
  const names = new Set(known.map((collection) => collection.name));
  const unknown = asked.filter((name) => !names.has(name));
  if (unknown.length === 0) return null;
  const which = unknown.length === 1 ? 'is not a collection' : 'are not collections';
  return `${listed(unknown)} ${which} of the corpus. Known collections (documents): ${describeKnown(known)}.`;
}

/**
 * What `/scope show` says about a channel's scope (undefined: none), including collections that no
 * longer exist in the corpus (the bot answers from those that remain).
 */
export function describeScope(scope: readonly string[] | undefined, known: readonly CollectionSummary[], where: string): string {
  const all = `Collections (documents): ${describeKnown(known)}.`;
  if (scope === undefined) return `${where} answers from every collection (no scope is set). ${all}`;
  const names = new Set(known.map((collection) => collection.name));
  const present = scope.filter((name) => names.has(name));
  const missing = scope.filter((name) => !names.has(name));
  const lines = [`${where} answers only from: ${listed(scope)}.`];
  if (missing.length > 0 && present.length > 0) {
    lines.push(
      `⚠ ${listed(missing)} no longer ${missing.length === 1 ? 'exists' : 'exist'} in the corpus: I answer from ${listed(present)}.`,
    );
  } else if (missing.length > 0) {
    lines.push('⚠ None of these collections exists in the corpus any more, so I find nothing here: use `/scope set` or `/scope clear`.');
  }
  lines.push(all);
  return lines.join('\n');
}

/** Autocomplete for a comma list: the names typed so far, then each known collection that starts like the last, unused name. */
export function collectionChoices(known: readonly CollectionSummary[], typed: string): { name: string; value: string }[] {
  const parts = typed.split(',');
  const last = (parts.pop() ?? '').trim().toLowerCase();
  const chosen = parseCollectionList(parts.join(','));
  return known
    .filter((collection) => collection.name.startsWith(last) && !chosen.includes(collection.name))
    .slice(0, DiscordLimits.autocompleteChoices)
    .map((collection) => {
      const value = [...chosen, collection.name].join(', ');
      return {
        name: truncate(`${value} (${collection.documents} document${collection.documents === 1 ? '' : 's'})`, DiscordLimits.choiceName),
        value: value.slice(0, DiscordLimits.choiceValue),
      };
    })
    .filter((choice) => choice.value.length > 0);
}

/** The channel a command's scope belongs to: a thread's parent channel (threads follow it), else its own. */
function scopedChannel(interaction: Parameters<SlashCommand['execute']>[0]): { id: string | null; where: string } {
  const channel = interaction.channel;
  const id = channel?.isThread() ? channel.parentId : interaction.channelId;
  return { id, where: id === null ? 'This channel' : `<#${id}> (and its threads)` };
}

/**
 * `/scope set collections:<list>|clear|show` — which collections a channel (and its threads)
 * answers from. Anyone may look; changing it needs Manage Server. Replies are private.
 */
export const scope = {
  kind: 'slash',
  data: {
    type: ApplicationCommandType.ChatInput,
    name: 'scope',
    description: 'Which collections of documents this channel answers from',
    contexts: [InteractionContextType.Guild],
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'set',
        description: 'Answer here only from these collections (Manage Server)',
        options: [
          {
            type: ApplicationCommandOptionType.String,
            name: 'collections',
            description: 'One collection, or several separated by commas',
            required: true,
            autocomplete: true,
            max_length: 400,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'clear',
        description: 'Answer here from every collection again (Manage Server)',
      },
      { type: ApplicationCommandOptionType.Subcommand, name: 'show', description: 'Which collections this channel answers from' },
    ],
  },
  requiredPermissions: changingScopes,
  async execute(interaction, context) {
    const subcommand = interaction.options.getSubcommand();
    const { id, where } = scopedChannel(interaction);
    if (id === null) return notice(interaction, ScopeMessages.noChannel);
    const known = context.engine.collections();
    if (subcommand === 'show') {
      return notice(interaction, describeScope(context.scopes.scopeOf({ channelId: id, threadParentId: null }).collections, known, where));
    }
    if (subcommand === 'clear') {
      const cleared = await context.scopes.clear(id);
      context.log.info(`scope of channel ${id} cleared by ${interaction.user.id}`);
      return notice(
        interaction,
        cleared ? `${where} answers from every collection again.` : `${where} had no scope: it answers from every collection.`,
      );
    }
    const asked = parseCollectionList(interaction.options.getString('collections') ?? '');
    const refusal = refusalOfList(asked, known);
    if (refusal !== null) return notice(interaction, refusal);
    await context.scopes.set(id, asked);
    context.log.info(`scope of channel ${id} set to ${asked.join(', ')} by ${interaction.user.id}`);
    return notice(interaction, `${where} now answers only from: ${listed(asked)}.`);
  },
  async autocomplete(interaction, context: BotContext) {
    await interaction.respond(collectionChoices(context.engine.collections(), interaction.options.getFocused()));
  },
} satisfies SlashCommand;
