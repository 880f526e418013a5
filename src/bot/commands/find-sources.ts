import { ApplicationCommandType, ButtonStyle } from 'discord.js';
import { button, buttonRow, renderPassagePage } from '../../render/discord-pages.js';
import { truncate } from '../../render/discord-format.js';
import { encodeButtonId } from '../components.js';
import { replyWhenReady, showsCollections, type MessageMenuCommand } from '../context.js';

/** How many supporting passages "Find sources" shows. */
export const FIND_SOURCES_RESULTS = 3;

/**
 * Message context menu "Find sources": the passages that support a message's text, shown only to
 * the caller, with a button to post them publicly (citing sources in a discussion), addressed to
 * the message's author, whom alone the post pings (not a bot's or the caller's own message).
 */
export const findSources = {
  kind: 'message',
  data: { type: ApplicationCommandType.Message, name: 'Find sources' },
  preconditions: {
    // Someone else's message: a long one is looked up by its start, and an empty one is not the caller's mistake.
    question: {
      longInput: 'shorten',
      refusal: 'That message has no text I can look up (it may be only an image, an embed, emoji or a mention).',
    },
    cooldown: 'looking up',
  },
  async execute(interaction, context, question, scope) {
    const target = interaction.targetMessage;
    const author = target.author;
    const addressee = author.bot || target.webhookId !== null || author.id === interaction.user.id ? null : author;
    const work = context.engine.search(question, FIND_SOURCES_RESULTS, scope).then(async (passages) => {
      await context.feedback
        .recordQuestion({
          userId: interaction.user.id,
          via: 'find-sources',
          question,
          answered: passages.length > 0,
          sources: [...new Set(passages.map((passage) => passage.source))],
          outcome: passages.length > 0 ? 'answered' : 'abstained',
          channel: interaction.channelId,
          collections: scope.collections,
        })
        .catch((error: unknown) => context.log.warn(`could not write the feedback log: ${String(error)}`));
      const embed = renderPassagePage(passages, {
        page: 0,
        heading: `Sources for: “${truncate(question, 200)}”`,
        showScores: true,
        showCollections: showsCollections(context),
      });
      const key = context.states.put({ kind: 'share', embed, ownerId: interaction.user.id, authorId: addressee?.id ?? null });
      return {
        embeds: [embed],
        components:
          passages.length === 0
            ? []
            : [
                buttonRow([
                  button({
                    customId: encodeButtonId(context.bootId, { action: 'share', key, argument: '-' }),
                    label: addressee === null ? 'Post publicly' : `Post publicly for ${addressee.displayName}`,
                    style: ButtonStyle.Primary,
                  }),
                ]),
              ],
      };
    });
    await replyWhenReady(interaction, work, { ephemeral: true, deferAfterMs: context.settings.deferAfterMs });
  },
} satisfies MessageMenuCommand;
