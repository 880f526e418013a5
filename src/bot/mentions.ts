/**
 * @mention questions: the same answer as `/ask`, as a reply or in a new thread. In a thread the
 * bot answers in, a later mention is a follow-up, read with the thread's earlier questions; with
 * `DISCORD_FOLLOW_UPS=all`, so is any message in a thread the bot started.
 */
import { ChannelType, type Message } from 'discord.js';
import { renderHelp } from '../render/discord.js';
import { truncate } from '../render/discord-format.js';
import { askInConversation } from './answer-message.js';
import { messageOptions, type BotContext } from './context.js';
import { checkPreconditions, type Preconditions } from './preconditions.js';
import { stripMention } from './question.js';

/** Whether this message is a question addressed to the bot (a direct `<@bot>` mention, not @everyone or a reply ping). */
export function isQuestionForBot(message: Message, botId: string): boolean {
  if (!fromPerson(message)) return false;
  return new RegExp(`<@!?${botId}>`).test(message.content);
}

function fromPerson(message: Message): boolean {
  return !(message.author.bot || message.system || message.webhookId !== null);
}

/** With `DISCORD_FOLLOW_UPS=all`: a person's message, without a mention, in a thread the bot started. */
function isFollowUpWithoutMention(message: Message, context: BotContext): boolean {
  return context.config.discord.followUps === 'all' && fromPerson(message) && context.conversations.started(message.channelId);
}

/** A mention is asked like `/ask`: the same checks, the same cooldown. */
const mentionPreconditions: Preconditions = { question: {}, cooldown: 'asking' };

export async function handleMention(message: Message, context: BotContext): Promise<void> {
  const botId = message.client.user.id;
  if (!context.config.discord.mentions) return;
  const mentioned = isQuestionForBot(message, botId);
  if (!mentioned && !isFollowUpWithoutMention(message, context)) return;
  const checked = checkPreconditions(context, mentionPreconditions, {
    userId: message.author.id,
    channelId: message.channelId,
    parentId: 'parentId' in message.channel ? message.channel.parentId : null,
    text: stripMention(message.content, botId),
  });
  if (!checked.ok) {
    // Ignored, not refused, outside the allowed channels: the bot keeps quiet in channels it does not serve.
    // A message that did not mention the bot is ignored when it is no question ("ok", "👍"): people talk in threads too.
    if (checked.failed === 'channel' || (!mentioned && checked.failed === 'question')) return;
    const help = checked.failed === 'question' ? [renderHelp({ mentions: true, botName: message.client.user.username })] : [];
    await message.reply(messageOptions({ content: checked.reason, embeds: help }));
    return;
  }
  if ('sendTyping' in message.channel) await message.channel.sendTyping().catch(() => undefined);
  const inThread = message.channel.isThread();
  const earlier = inThread ? context.conversations.earlier(message.channelId) : [];
  // A thread answers from its parent channel's scope.
  const scope = context.scopes.scopeOf({ channelId: message.channelId, threadParentId: inThread ? message.channel.parentId : null });
  const { answer, body, turn } = await askInConversation(context, checked.question, message.author.id, 'mention', {
    earlier,
    scope,
    channel: message.channelId,
  });
  // Small talk in a thread ("ok thanks") without a mention is conversation between people, not for the bot.
  if (!mentioned && (answer.abstainReason === 'small-talk' || answer.abstainReason === 'empty-question')) return;
  const canThread = message.channel.type === ChannelType.GuildText || message.channel.type === ChannelType.GuildAnnouncement;
  if (context.config.discord.replyInThread && canThread && !message.hasThread) {
    const thread = await message.startThread({ name: truncate(checked.question, 100), autoArchiveDuration: 1440 });
    await thread.send(messageOptions(body));
    context.conversations.record(thread.id, turn, { started: true });
  } else {
    await message.reply(messageOptions(body));
    if (inThread) context.conversations.record(message.channelId, turn);
  }
}
