import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import { askAndRecord } from '../answer-message.js';
import { notice, replyWhenReady, type SlashCommand } from '../context.js';
import { checkQuestion, exampleFor, MAX_QUESTION_CHARS } from '../question.js';

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
  async execute(interaction, context) {
    const checked = checkQuestion(interaction.options.getString('question') ?? '', { example: exampleFor(context.engine) });
    if (!checked.ok) return notice(interaction, checked.reason);
    const wait = context.cooldowns.take(interaction.user.id);
    if (wait > 0) return notice(interaction, `Please wait ${wait} s before asking again.`);
    const ephemeral = interaction.options.getBoolean('private') ?? context.config.discord.answerVisibility === 'private';
    await replyWhenReady(interaction, askAndRecord(context, checked.question, interaction.user.id, 'ask'), {
      ephemeral,
      deferAfterMs: context.settings.deferAfterMs,
    });
  },
} satisfies SlashCommand;
