/** @mention questions: the same answer as `/ask`, as a reply or in a new thread. */
import { ChannelType, type Message } from 'discord.js';
import { renderHelp, truncate } from '../render/discord.js';
import { askAndRecord } from './answer-message.js';
import { messageOptions, type BotContext } from './context.js';
import { channelAllowed } from './preconditions.js';
import { checkQuestion, exampleFor, stripMention } from './question.js';

/** Whether this message is a question addressed to the bot (a direct `<@bot>` mention, not @everyone or a reply ping). */
export function isQuestionForBot(message: Message, botId: string): boolean {
  if (message.author.bot || message.system || message.webhookId !== null) return false;
  return new RegExp(`<@!?${botId}>`).test(message.content);
}

export async function handleMention(message: Message, context: BotContext): Promise<void> {
  const botId = message.client.user.id;
  if (!context.config.discord.mentions || !isQuestionForBot(message, botId)) return;
  const parentId = 'parentId' in message.channel ? message.channel.parentId : null;
  if (!channelAllowed(context, message.channelId, parentId)) return;

  const checked = checkQuestion(stripMention(message.content, botId), { example: exampleFor(context.engine) });
  if (!checked.ok) {
    await message.reply(
      messageOptions({ content: checked.reason, embeds: [renderHelp({ mentions: true, botName: message.client.user.username })] }),
    );
    return;
  }
  const wait = context.cooldowns.take(message.author.id);
  if (wait > 0) {
    await message.reply(messageOptions({ content: `Please wait ${wait} s before asking again.` }));
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
