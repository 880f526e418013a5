/** Button presses: decode the custom id, find its state, and act (page, vote, show, share). */
import type { ButtonInteraction } from 'discord.js';
import { addressed } from '../render/discord.js';
import { pageCount, renderPassagePage } from '../render/discord-pages.js';
import { decodeButtonId, pagedBody } from './components.js';
import { notice, send, NO_MENTIONS, showsCollections, type BotContext, type MessageBody } from './context.js';
import { searchPage } from './commands/search.js';
import { timelinePage } from './commands/timeline.js';
import type { Passage } from '../core/types.js';

export const ButtonMessages = {
  stale: 'This button is from before the bot restarted, so its results are gone. Please run the command again.',
  unknown: 'I do not recognise this button. Please run the command again.',
  expired: 'These results have expired. Please run the command again.',
  notYours: 'Only the person who ran this search can page through it. Run /search yourself to get your own.',
  notYourTimeline: 'Only the person who asked for this timeline can page through it. Run /timeline yourself to get your own.',
} as const;

function passagesPage(context: BotContext, key: string, passages: readonly Passage[], question: string, page: number): MessageBody {
  const paging = { action: 'passages-page', key, pages: pageCount(passages), page } as const;
  return pagedBody(context.bootId, paging, (shown) =>
    renderPassagePage(passages, {
      page: shown,
      heading: `Passages for: ${question}`,
      showScores: true,
      showCollections: showsCollections(context),
    }),
  );
}

async function update(interaction: ButtonInteraction, body: MessageBody): Promise<void> {
  await interaction.update({ embeds: [...(body.embeds ?? [])], components: [...(body.components ?? [])], allowedMentions: NO_MENTIONS });
}

export async function handleButton(interaction: ButtonInteraction, context: BotContext): Promise<void> {
  const parsed = decodeButtonId(context.bootId, interaction.customId);
  if (parsed.kind === 'stale') return notice(interaction, ButtonMessages.stale);
  if (parsed.kind === 'unknown') return notice(interaction, ButtonMessages.unknown);
  const { action, key, argument } = parsed.id;
  const state = context.states.get(key);
  if (state === undefined) return notice(interaction, ButtonMessages.expired);
  const page = Number.parseInt(argument, 10) || 0;

  switch (action) {
    case 'passages':
    case 'passages-page': {
      if (state.kind !== 'answer') return notice(interaction, ButtonMessages.unknown);
      const body = passagesPage(context, key, state.passages, state.question, page);
      return action === 'passages' ? send(interaction, body, { ephemeral: true }) : update(interaction, body);
    }
    case 'search-page': {
      if (state.kind !== 'search') return notice(interaction, ButtonMessages.unknown);
      if (interaction.user.id !== state.ownerId) return notice(interaction, ButtonMessages.notYours);
      return update(interaction, searchPage(context, key, state.query, state.passages, page));
    }
    case 'timeline-page': {
      if (state.kind !== 'timeline') return notice(interaction, ButtonMessages.unknown);
      if (interaction.user.id !== state.ownerId) return notice(interaction, ButtonMessages.notYourTimeline);
      return update(interaction, timelinePage(context, key, state.timeline, page));
    }
    case 'vote': {
      if (state.kind !== 'answer') return notice(interaction, ButtonMessages.unknown);
      const vote = argument === 'up' ? 'up' : 'down';
      await context.feedback.recordVote({
        userId: interaction.user.id,
        vote,
        question: state.question,
        answered: state.answered,
        sources: state.sources,
      });
      return notice(
        interaction,
        vote === 'up' ? 'Thanks! Your 👍 was recorded.' : 'Thanks! Your 👎 was recorded; it helps improve the answers.',
      );
    }
    case 'share': {
      if (state.kind !== 'share') return notice(interaction, ButtonMessages.unknown);
      if (interaction.user.id !== state.ownerId) return notice(interaction, 'Only the person who looked these sources up can post them.');
      const embed = { ...state.embed, footer: { text: `Shared by ${interaction.user.username}` } };
      if (state.authorId === null) return send(interaction, { embeds: [embed] }, { ephemeral: false });
      const content = addressed(state.authorId, 'here are sources on your message:');
      return send(interaction, { content, embeds: [embed], addressee: state.authorId }, { ephemeral: false });
    }
  }
}
