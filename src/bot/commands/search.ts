import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import { pageCount, renderPassagePage } from '../../render/discord-pages.js';
import { pagedBody } from '../components.js';
import { replyWhenReady, showsCollections, type BotContext, type MessageBody, type SlashCommand } from '../context.js';
import { MAX_QUESTION_CHARS } from '../question.js';
import type { Passage } from '../../core/types.js';

export const MAX_SEARCH_RESULTS = 10;

/** One page of a stored search, with Previous/Next buttons bound to that search. */
export function searchPage(context: BotContext, key: string, query: string, passages: readonly Passage[], page: number): MessageBody {
  const paging = { action: 'search-page', key, pages: pageCount(passages), page } as const;
  return pagedBody(context.bootId, paging, (shown) =>
    renderPassagePage(passages, { page: shown, heading: `Search: ${query}`, showScores: true, showCollections: showsCollections(context) }),
  );
}

/** `/search query:<text> [results:1-10]` — the top passages with scores, paged. */
export const search = {
  kind: 'slash',
  data: {
    type: ApplicationCommandType.ChatInput,
    name: 'search',
    description: 'Show the passages that best match a query, with scores',
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: 'query',
        description: 'What to look for',
        required: true,
        max_length: MAX_QUESTION_CHARS,
      },
      {
        type: ApplicationCommandOptionType.Integer,
        name: 'results',
        description: 'How many passages (1-10)',
        min_value: 1,
        max_value: MAX_SEARCH_RESULTS,
      },
    ],
  },
  // No cooldown: a search is cheap.
  preconditions: { question: { option: 'query' } },
  async execute(interaction, context, query, scope) {
    const requested = interaction.options.getInteger('results') ?? context.config.searchResults;
    const limit = Math.min(Math.max(1, requested), MAX_SEARCH_RESULTS);
    const ephemeral = context.config.discord.answerVisibility === 'private';
    const work = context.engine.search(query, limit, scope).then((passages) => {
      const key = context.states.put({ kind: 'search', query, passages, ownerId: interaction.user.id });
      return searchPage(context, key, query, passages, 0);
    });
    await replyWhenReady(interaction, work, { ephemeral, deferAfterMs: context.settings.deferAfterMs });
  },
} satisfies SlashCommand;
