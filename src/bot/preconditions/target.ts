import { PASSED, type Precondition, refused } from './precondition.js';

/**
 * A user option naming the person a public reply is addressed to (and the only one it pings): a
 * person, not a bot, and not with a private reply, which nobody else would see.
 */
export interface TargetNeed {
  readonly option: string;
  /** The boolean option that asks for a private reply. */
  readonly privateOption: string;
}

/** Refusals of a target; the asker as target is not refused: the reply is theirs as usual. */
export const TargetRefusals = {
  bot: 'I address answers to people, not to bots: pick a member as `target`, or leave it out.',
  private: 'An answer for someone else is posted in the channel, so it cannot be private: leave out `private:true`, or `target`.',
} as const;

export const addressedToPerson: Precondition<'target', { readonly target?: TargetNeed }> = {
  name: 'target',
  run({ target: need }, { target, userId }) {
    if (need === undefined || !target || target.id === userId) return PASSED;
    if (target.bot) return refused(TargetRefusals.bot);
    if (target.privately) return refused(TargetRefusals.private);
    return PASSED;
  },
};
