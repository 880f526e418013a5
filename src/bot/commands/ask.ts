import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import { askAndRecord } from '../answer-message.js';
import { replyWhenReady, type SlashCommand } from '../context.js';
import { MAX_QUESTION_CHARS } from '../question.js';

/**
 * `/ask question:<text> [private:bool] [target:@user]` — a quoted, cited answer. With a target
 * (someone else), the answer is posted in the channel addressed to them, pinging them alone:
 * answering someone's question with sources.
 */
export const ask = {
  kind: 'slash',
  data: {
    type: ApplicationCommandType.ChatInput,
    name: 'ask',
    description: 'Ask a question; the answer quotes the documents verbatim, with sources',
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: 'question',
        description: 'Your question',
        required: true,
        max_length: MAX_QUESTION_CHARS,
      },
      { type: ApplicationCommandOptionType.Boolean, name: 'private', description: 'Only you see the answer' },
      { type: ApplicationCommandOptionType.User, name: 'target', description: 'Post the answer for this person (pings only them)' },
    ],
  },
  // A bot as target, or a target with private:true, is refused before the cooldown is taken.
  preconditions: { question: { option: 'question' }, target: { option: 'target', privateOption: 'private' }, cooldown: 'asking' },
  async execute(interaction, context, question) {
    const target = interaction.options.getUser('target');
    // Oneself as target: the usual answer, which is the asker's anyway.
    const addressee = target !== null && target.id !== interaction.user.id ? target.id : undefined;
    const ephemeral =
      addressee === undefined && (interaction.options.getBoolean('private') ?? context.config.discord.answerVisibility === 'private');
    await replyWhenReady(interaction, askAndRecord(context, question, interaction.user.id, 'ask', addressee), {
      ephemeral,
      deferAfterMs: context.settings.deferAfterMs,
    });
  },
} satisfies SlashCommand;
