import { ApplicationCommandOptionType, ApplicationCommandType, type ChatInputCommandInteraction } from 'discord.js';
import { escapeInline, truncate } from '../../render/discord-format.js';
import { askAndRecord, askInConversation } from '../answer-message.js';
import { type BotContext, type ChannelScope, messageOptions, replyWhenReady, send, type SlashCommand } from '../context.js';
import { MAX_QUESTION_CHARS } from '../question.js';

/**
 * `/ask question:<text> [private:bool] [target:@user] [thread:bool]` — a quoted, cited answer.
 * With a target (someone else), the answer is posted in the channel addressed to them, pinging
 * them alone: answering someone's question with sources. With `thread:true`, the reply starts a
 * thread and the answer is posted there, where follow-ups can be asked.
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
      { type: ApplicationCommandOptionType.Boolean, name: 'thread', description: 'Answer in a new thread, where you can ask follow-ups' },
    ],
  },
  // A bot as target, a target or a thread with private:true, a thread outside a text channel: refused before the cooldown is taken.
  preconditions: {
    question: { option: 'question' },
    target: { option: 'target', privateOption: 'private' },
    thread: { option: 'thread', privateOption: 'private' },
    cooldown: 'asking',
  },
  async execute(interaction, context, question, scope) {
    const target = interaction.options.getUser('target');
    // Oneself as target: the usual answer, which is the asker's anyway.
    const addressee = target !== null && target.id !== interaction.user.id ? target.id : undefined;
    if (interaction.options.getBoolean('thread') === true) return answerInThread(interaction, context, question, { addressee, scope });
    const ephemeral =
      addressee === undefined && (interaction.options.getBoolean('private') ?? context.config.discord.answerVisibility === 'private');
    await replyWhenReady(
      interaction,
      askAndRecord(context, question, interaction.user.id, 'ask', { addressee, scope, channel: interaction.channelId }),
      {
        ephemeral,
        deferAfterMs: context.settings.deferAfterMs,
      },
    );
  },
} satisfies SlashCommand;

/** The reply names the question and starts a thread; the answer is posted in the thread, which remembers the question for follow-ups. */
async function answerInThread(
  interaction: ChatInputCommandInteraction,
  context: BotContext,
  question: string,
  options: { readonly addressee: string | undefined; readonly scope: ChannelScope },
): Promise<void> {
  await send(interaction, { content: `Answering in a thread: **${escapeInline(truncate(question, 300))}**` }, { ephemeral: false });
  const reply = await interaction.fetchReply();
  const thread = await reply.startThread({ name: truncate(question, 100), autoArchiveDuration: 1440 });
  const { body, turn } = await askInConversation(context, question, interaction.user.id, 'ask', { ...options, channel: thread.id });
  await thread.send(messageOptions(body));
  context.conversations.record(thread.id, turn, { started: true });
}
