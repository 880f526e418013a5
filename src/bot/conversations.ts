import type { ConversationTurn } from '../core/types.js';

/**
 * The threads the bot answers in, with their last few turns (each question as read, with its
 * first quote): a follow-up there is read with them. Kept in memory and bounded: a few questions per thread, within a time window, at most so
 * many threads (the least recently used is dropped). A restart forgets them: follow-ups then
 * stand alone.
 */

/** Turns a thread keeps by default (`ask --jsonl` threads keep as many, so they read follow-ups as Discord does). */
export const CONVERSATION_TURNS = 3;

export interface ConversationSettings {
  /** Questions kept per thread (the latest). */
  readonly questions: number;
  /** Questions older than this are not carried over. */
  readonly windowMs: number;
  /** Threads remembered; the least recently used is dropped beyond. */
  readonly threads: number;
  readonly now: () => number;
}

interface Conversation {
  /** The bot started the thread (its replies are there because of it): with `DISCORD_FOLLOW_UPS=all`, any message there is a follow-up. */
  started: boolean;
  questions: { readonly turn: ConversationTurn; readonly at: number }[];
}

export class Conversations {
  private readonly threads = new Map<string, Conversation>();
  constructor(private readonly settings: ConversationSettings) {}

  /** Whether the bot started this thread (and still remembers it). */
  started(threadId: string): boolean {
    return this.threads.get(threadId)?.started ?? false;
  }

  /** The thread's earlier turns within the window, oldest first (empty for a thread the bot does not know). */
  earlier(threadId: string): ConversationTurn[] {
    const since = this.settings.now() - this.settings.windowMs;
    return (this.threads.get(threadId)?.questions ?? []).filter((question) => question.at >= since).map((question) => question.turn);
  }

  /** Remember a turn answered in a thread (`conversationTurnOf(answer)`); `started`: the bot opened the thread for it. */
  record(threadId: string, turn: ConversationTurn, options: { started?: boolean } = {}): void {
    const conversation = this.threads.get(threadId) ?? { started: false, questions: [] };
    conversation.started ||= options.started === true;
    conversation.questions = [...conversation.questions, { turn, at: this.settings.now() }].slice(-this.settings.questions);
    // Re-inserted last: the map's order is least recently used first.
    this.threads.delete(threadId);
    this.threads.set(threadId, conversation);
    for (const oldest of this.threads.keys()) {
      if (this.threads.size <= this.settings.threads) break;
      this.threads.delete(oldest);
    }
  }

  get size(): number {
    return this.threads.size;
  }
}
