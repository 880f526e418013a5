/** @mention questions: the same answer as `/ask`, as a reply or in a new thread. */
import { ChannelType, type Message } from 'discord.js';
import { renderHelp, truncate } from '../render/discord.js';
import { askAndRecord } from './answer-message.js';
import { messageOptions, type BotContext } from './context.js';
import { checkPreconditions, type Preconditions } from './preconditions.js';
import { stripMention } from './question.js';

/** Whether this message is a question addressed to the bot (a direct `<@bot>` mention, not @everyone or a reply ping). */
export function isQuestionForBot(message: Message, botId: string): boolean {
  if (message.author.bot || message.system || message.webhookId !== null) return false;
  return new RegExp(`<@!?${botId}>`).test(message.content);
}

/** A mention is asked like `/ask`: the same checks, the same cooldown. */
const mentionPreconditions: Preconditions = { question: {}, cooldown: 'asking' };

export async function handleMention(message: Message, context: BotContext): Promise<void> {
  const botId = message.client.user.id;
  if (!context.config.discord.mentions || !isQuestionForBot(message, botId)) return;
  const checked = checkPreconditions(context, mentionPreconditions, {
    userId: message.author.id,
    channelId: message.channelId,
    parentId: 'parentId' in message.channel ? message.channel.parentId : null,
    text: stripMention(message.content, botId),
  });
  if (!checked.ok) {
    // Ignored, not refused, outside the allowed channels: the bot keeps quiet in channels it does not serve.
    if (checked.failed === 'channel') return;
    const help = checked.failed === 'question' ? [renderHelp({ mentions: true, botName: message.client.user.username })] : [];
    await message.reply(messageOptions({ content: checked.reason, embeds: help }));
    return;
  }
  if ('sendTyping' in message.channel) await message.channel.sendTyping().catch(() => undefined);
  const body = await askAndRecord(context, checked.question, message.author.id, 'mention');
  const canThread = message.channel.type === ChannelType.GuildText || message.channel.type === ChannelType.GuildAnnouncement;
  if (context.config.discord.replyInThread && canThread && !message.hasThread) {
    const thread = await message.startThread({ name: truncate(checked.question, 100), autoArchiveDuration: 1440 });
    await thread.send(messageOptions(body));
  } else {
    await message.reply(messageOptions(body));
  }
}
