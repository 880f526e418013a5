import { PASSED, type Precondition, refused } from './precondition.js';

/**
 * A boolean option asking to answer in a new thread (`/ask thread:true`): threads are public and
 * start from a message in a server text channel, so not with a private reply, nor in a thread or a DM.
 */
export interface ThreadNeed {
  readonly option: string;
  /** The boolean option that asks for a private reply. */
  readonly privateOption: string;
}

/** Refusals of `thread:true`. */
export const ThreadRefusals = {
  private: 'A thread is public, so its answer cannot be private: leave out `private:true`, or `thread`.',
  channel: 'I can start a thread only in a server text channel: ask here without `thread`, or in the channel itself.',
} as const;

export const threadCanStart: Precondition<'thread', { readonly thread?: ThreadNeed }> = {
  name: 'thread',
  run({ thread: need }, { thread }) {
    if (need === undefined || !thread) return PASSED;
    if (thread.privately) return refused(ThreadRefusals.private);
    if (!thread.channelCanThread) return refused(ThreadRefusals.channel);
    return PASSED;
  },
};
