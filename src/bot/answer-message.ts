/**
 * The answer message shared by `/ask` and mentions: the rendered embed plus the "Passages" and
 * 👍 / 👎 buttons, whose state is kept in the store.
 */
import { ButtonStyle } from 'discord.js';
import { type Answer, type ConversationTurn, conversationTurnOf } from '../core/types.js';
import { addressed, renderAnswer } from '../render/discord.js';
import { button, buttonRow } from '../render/discord-pages.js';
import { encodeButtonId } from './components.js';
import { citedSources, outcomeOf } from './feedback.js';
import { type BotContext, type ChannelScope, type MessageBody, showsCollections } from './context.js';

/** The answer message; addressed to `addressee` (a user id), it says so first and pings them alone. */
export function answerMessage(answer: Answer, context: BotContext, addressee?: string): MessageBody {
  const key = context.states.put({
    kind: 'answer',
    question: answer.question,
    answered: answer.answered,
    sources: citedSources(answer),
    passages: answer.passages,
  });
  const id = (action: 'passages' | 'vote', argument: string) => encodeButtonId(context.bootId, { action, key, argument });
  const embed = renderAnswer(answer, {
    builtAt: context.engine.builtAt(),
    now: new Date(context.settings.now()),
    showCollections: showsCollections(context),
  });
  const address =
    addressee === undefined
      ? {}
      : {
          content: addressed(
            addressee,
            answer.answered ? 'here is what the sources say:' : "the sources don't answer this; here is what I found:",
          ),
          addressee,
        };
  return {
    ...address,
    embeds: [embed],
    components: [
      buttonRow([
        button({ customId: id('passages', '0'), label: 'Passages', style: ButtonStyle.Primary, disabled: answer.passages.length === 0 }),
        button({ customId: id('vote', 'up'), label: 'Helpful', emoji: '👍' }),
        button({ customId: id('vote', 'down'), label: 'Not helpful', emoji: '👎' }),
      ]),
    ],
  };
}

/** Ask the engine (within the channel's scope) and record the question in the feedback log (a log failure never blocks the reply). */
export async function askAndRecord(
  context: BotContext,
  question: string,
  userId: string,
  via: 'ask' | 'mention',
  options: { readonly addressee?: string | undefined; readonly scope: ChannelScope; readonly channel?: string | null },
): Promise<MessageBody> {
  return (await askInConversation(context, question, userId, via, options)).body;
}

/**
 * Ask in a thread's conversation: the engine reads the question with the thread's `earlier`
 * questions, and answers from the channel's `scope`. Returns the message and the turn as it was read and answered (to remember for the next follow-up).
 */
export async function askInConversation(
  context: BotContext,
  question: string,
  userId: string,
  via: 'ask' | 'mention',
  options: {
    readonly addressee?: string | undefined;
    readonly earlier?: readonly ConversationTurn[];
    readonly scope: ChannelScope;
    /** The channel asked in, for the log (the dashboard lists it). */
    readonly channel?: string | null;
  },
): Promise<{ answer: Answer; body: MessageBody; turn: ConversationTurn }> {
  const earlier = options.earlier ?? [];
  const started = performance.now();
  const answer = await context.engine.ask(question, { ...options.scope, ...(earlier.length === 0 ? {} : { earlier }) });
  const ms = performance.now() - started;
  const collections = options.scope.collections;
  await context.feedback
    .recordQuestion({
      userId,
      via,
      question,
      answered: answer.answered,
      sources: citedSources(answer),
      outcome: outcomeOf(answer),
      channel: options.channel ?? null,
      collections,
      ms,
    })
    .catch((error: unknown) => context.log.warn(`could not write the feedback log: ${String(error)}`));
  return { answer, body: answerMessage(answer, context, options.addressee), turn: conversationTurnOf(answer) };
}
