/**
 * The checks that run before the bot answers: one small file each in ./preconditions/, registered
 * here in the order they run. A command declares what it needs (`preconditions`, and
 * `requiredPermissions` as Sapphire's `requiredUserPermissions`), mentions declare theirs in
 * mentions.ts, and the dispatcher calls `checkPreconditions` once. The order matters: the channel
 * allowlist first (for everyone), then the permission, the question, the person addressed, a new
 * thread, and the cooldown last, so that a refused request does not use up the asker's cooldown.
 *
 * A new precondition: a file exporting a `Precondition`, its declaration below, its place in the list.
 */
import { allowedChannel } from './preconditions/allowed-channel.js';
import { cooldown } from './preconditions/cooldown.js';
import { memberPermissions, type RequiredPermissions } from './preconditions/permissions.js';
import type { Asked, PreconditionContext } from './preconditions/precondition.js';
import { isQuestion, type QuestionNeed } from './preconditions/question.js';
import { addressedToPerson, type TargetNeed } from './preconditions/target.js';
import { type ThreadNeed, threadCanStart } from './preconditions/thread.js';

export { Cooldowns } from './preconditions/cooldown.js';
export { permissionRefusal, refusalWithout, type RequiredPermissions } from './preconditions/permissions.js';
export type { Asked } from './preconditions/precondition.js';
export type { QuestionNeed } from './preconditions/question.js';
export { TargetRefusals, type TargetNeed } from './preconditions/target.js';
export { ThreadRefusals, type ThreadNeed } from './preconditions/thread.js';

/** Every precondition, in the order they run. */
export const preconditions = [allowedChannel, memberPermissions, isQuestion, addressedToPerson, threadCanStart, cooldown] as const;

export type PreconditionName = (typeof preconditions)[number]['name'];

/** What a command declares it needs checked before it runs (the allowlist applies to all without being declared). */
export interface Preconditions<Question extends QuestionNeed = QuestionNeed> {
  readonly question?: Question;
  readonly target?: TargetNeed;
  readonly thread?: ThreadNeed;
  /** Take the per-user cooldown; a refusal reads "Please wait N s before {cooldown} again." */
  readonly cooldown?: 'asking' | 'looking up';
}

/** A command's preconditions with its `requiredPermissions` added, as Sapphire appends its UserPermissions precondition. */
export type Declarations = Preconditions & { readonly requiredPermissions?: RequiredPermissions };

/** Passed, with the cleaned question ('' when none was needed); or refused by the precondition named. */
export type Checked =
  | { readonly ok: true; readonly question: string }
  | { readonly ok: false; readonly failed: PreconditionName; readonly reason: string };

export function checkPreconditions(context: PreconditionContext, declared: Declarations, asked: Asked): Checked {
  let question = '';
  for (const precondition of preconditions) {
    const outcome = precondition.run(declared, asked, context);
    if (!outcome.ok) return { ok: false, failed: precondition.name, reason: outcome.reason };
    question = outcome.question ?? question;
  }
  return { ok: true, question };
}
