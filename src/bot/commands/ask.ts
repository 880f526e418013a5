import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import { askAndRecord } from '../answer-message.js';
import { replyWhenReady, type SlashCommand } from '../context.js';
import { MAX_QUESTION_CHARS } from '../question.js';

/** `/ask question:<text> [private:bool]` — a quoted, cited answer. */
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
    ],
  },
  preconditions: { question: { option: 'question' }, cooldown: 'asking' },
  async execute(interaction, context, question) {
    const ephemeral = interaction.options.getBoolean('private') ?? context.config.discord.answerVisibility === 'private';
    await replyWhenReady(interaction, askAndRecord(context, question, interaction.user.id, 'ask'), {
      ephemeral,
      deferAfterMs: context.settings.deferAfterMs,
    });
  },
} satisfies SlashCommand;
