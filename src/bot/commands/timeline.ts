import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import type { Timeline } from '../../core/types.js';
import { renderTimelinePage, timelinePageCount } from '../../render/discord-pages.js';
import { pagedBody } from '../components.js';
import { replyWhenReady, showsCollections, type BotContext, type MessageBody, type SlashCommand } from '../context.js';
import { MAX_QUESTION_CHARS } from '../question.js';

/** At most this many sources on one timeline (one entry each). */
export const MAX_TIMELINE_ENTRIES = 25;

/** One page of a stored timeline, with Previous/Next buttons bound to it. */
export function timelinePage(context: BotContext, key: string, timeline: Timeline, page: number): MessageBody {
  const paging = { action: 'timeline-page', key, pages: timelinePageCount(timeline), page } as const;
  return pagedBody(context.bootId, paging, (shown) =>
    renderTimelinePage(timeline, { page: shown, showCollections: showsCollections(context) }),
  );
}

/** `/timeline topic:<text>` — each source's sentence on a topic, oldest first, undated sources apart; paged. */
export const timeline = {
  kind: 'slash',
  data: {
    type: ApplicationCommandType.ChatInput,
    name: 'timeline',
    description: 'What each source says on a topic, in date order (oldest first)',
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: 'topic',
        description: 'What to follow over time: a name, a place or a subject',
        required: true,
        max_length: MAX_QUESTION_CHARS,
      },
    ],
  },
  // Scores a sentence of every document: as costly as a question.
  preconditions: { question: { option: 'topic' }, cooldown: 'looking up' },
  async execute(interaction, context, topic, scope) {
    const ephemeral = context.config.discord.answerVisibility === 'private';
    const work = context.engine.timeline(topic, MAX_TIMELINE_ENTRIES, scope).then((found) => {
      const key = context.states.put({ kind: 'timeline', timeline: found, ownerId: interaction.user.id });
      return timelinePage(context, key, found, 0);
    });
    await replyWhenReady(interaction, work, { ephemeral, deferAfterMs: context.settings.deferAfterMs });
  },
} satisfies SlashCommand;
