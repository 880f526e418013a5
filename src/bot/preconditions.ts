/**
 * The checks that run before the bot answers, in one place. Each command declares what it needs
 * (`preconditions`), mentions declare theirs in mentions.ts, and `checkPreconditions` runs them,
 * always in the same order: the channel allowlist (for everyone), the question, the person
 * addressed, a new thread, the cooldown. The order matters: a refused question must not use up the asker's cooldown.
 */
import type { Config } from '../config.js';
import type { AnswerEngine } from '../core/types.js';
import { checkQuestion, exampleFor } from './question.js';

/** The input must be a question in words ({@link checkQuestion}); the command receives it cleaned. */
export interface QuestionNeed {
  /** The slash command option that holds the question; a message command checks the target message's text. */
  readonly option?: string;
  /** Input longer than MAX_QUESTION_CHARS is refused, or shortened with 'shorten'. */
  readonly longInput?: 'refuse' | 'shorten';
  /** Said instead of checkQuestion's reason, which is about typing a question. */
  readonly refusal?: string;
}

/**
 * A user option naming the person a public reply is addressed to (and the only one it pings): a
 * person, not a bot, and not with a private reply, which nobody else would see.
 */
export interface TargetNeed {
  readonly option: string;
  /** The boolean option that asks for a private reply. */
  readonly privateOption: string;
}

/**
 * A boolean option asking to answer in a new thread (`/ask thread:true`): threads are public and
 * start from a message in a server text channel, so not with a private reply, nor in a thread or a DM.
 */
export interface ThreadNeed {
  readonly option: string;
  /** The boolean option that asks for a private reply. */
  readonly privateOption: string;
}

/** What a command needs checked before it runs. */
export interface Preconditions<Question extends QuestionNeed = QuestionNeed> {
  readonly question?: Question;
  readonly target?: TargetNeed;
  readonly thread?: ThreadNeed;
  /** Take the per-user cooldown; a refusal reads "Please wait N s before {cooldown} again." */
  readonly cooldown?: 'asking' | 'looking up';
}

/** Who asks, where, and the text that must be a question. */
export interface Asked {
  readonly userId: string;
  /** null when Discord does not say; the allowlist then cannot apply. */
  readonly channelId: string | null;
  /** A thread's parent channel: threads of an allowed channel are allowed too. */
  readonly parentId: string | null;
  readonly text: string;
  /** The person named by the command's target option, if any, and whether a private reply was asked for too. */
  readonly target?: { readonly id: string; readonly bot: boolean; readonly privately: boolean } | null;
  /** A new thread asked for: whether a private reply was asked for too, and whether the channel can hold threads. */
  readonly thread?: { readonly privately: boolean; readonly channelCanThread: boolean } | null;
}

export type Checked =
  /** `question` is the cleaned question, or '' when none was needed. */
  | { readonly ok: true; readonly question: string }
  | { readonly ok: false; readonly failed: 'channel' | 'question' | 'target' | 'thread' | 'cooldown'; readonly reason: string };

/** Refusals of a target; the asker as target is not refused: the reply is theirs as usual. */
export const TargetRefusals = {
  bot: 'I address answers to people, not to bots: pick a member as `target`, or leave it out.',
  private: 'An answer for someone else is posted in the channel, so it cannot be private: leave out `private:true`, or `target`.',
} as const;

/** Refusals of `thread:true`. */
export const ThreadRefusals = {
  private: 'A thread is public, so its answer cannot be private: leave out `private:true`, or `thread`.',
  channel: 'I can start a thread only in a server text channel: ask here without `thread`, or in the channel itself.',
} as const;

export function checkPreconditions(
  context: { readonly config: Config; readonly engine: AnswerEngine; readonly cooldowns: Cooldowns },
  needs: Preconditions,
  asked: Asked,
): Checked {
  const allowed = context.config.discord.allowedChannels;
  const { channelId, parentId } = asked;
  const inAllowedChannel =
    allowed.length === 0 || channelId === null || allowed.includes(channelId) || (parentId !== null && allowed.includes(parentId));
  if (!inAllowedChannel) return { ok: false, failed: 'channel', reason: `I only answer in ${allowed.map((id) => `<#${id}>`).join(', ')}.` };
  let question = '';
  if (needs.question !== undefined) {
    const checked = checkQuestion(asked.text, { example: exampleFor(context.engine), longInput: needs.question.longInput ?? 'refuse' });
    if (!checked.ok) return { ok: false, failed: 'question', reason: needs.question.refusal ?? checked.reason };
    question = checked.question;
  }
  const target = asked.target;
  if (needs.target !== undefined && target && target.id !== asked.userId) {
    if (target.bot) return { ok: false, failed: 'target', reason: TargetRefusals.bot };
    if (target.privately) return { ok: false, failed: 'target', reason: TargetRefusals.private };
  }
  const thread = asked.thread;
  if (needs.thread !== undefined && thread) {
    if (thread.privately) return { ok: false, failed: 'thread', reason: ThreadRefusals.private };
    if (!thread.channelCanThread) return { ok: false, failed: 'thread', reason: ThreadRefusals.channel };
  }
  if (needs.cooldown !== undefined) {
    const wait = context.cooldowns.take(asked.userId);
    if (wait > 0) return { ok: false, failed: 'cooldown', reason: `Please wait ${wait} s before ${needs.cooldown} again.` };
  }
  return { ok: true, question };
}

/** Per-user cooldown for the expensive commands; the map is pruned so it stays small. */
export class Cooldowns {
  private readonly lastUse = new Map<string, number>();
  constructor(
    private readonly seconds: number,
    private readonly now: () => number,
  ) {}

  /** Seconds the user still has to wait, or 0 (and the use is recorded). */
  take(userId: string): number {
    if (this.seconds <= 0) return 0;
    const now = this.now();
    const last = this.lastUse.get(userId);
    if (last !== undefined && now - last < this.seconds * 1000) return Math.ceil((this.seconds * 1000 - (now - last)) / 1000);
    this.lastUse.set(userId, now);
    if (this.lastUse.size > 10_000) {
      for (const [user, at] of this.lastUse) if (now - at >= this.seconds * 1000) this.lastUse.delete(user);
    }
    return 0;
  }
}
