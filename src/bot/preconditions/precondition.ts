/**
 * The shape every precondition in this folder has. A precondition reads the part of a command's
 * declarations that is its own (its key of `Preconditions` in ../preconditions.ts) and the facts of
 * who asks where, and lets the command run or says why not.
 */
import type { Config } from '../../config.js';
import type { AnswerEngine } from '../../core/types.js';

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
  /** The member's permissions in the channel (null outside a server); `has` counts Administrator as every permission. */
  readonly permissions?: { has(permission: bigint): boolean } | null;
  /** The slash subcommand used, if any. */
  readonly subcommand?: string | null;
}

/** What a precondition may consult besides the declarations and the facts. */
export interface PreconditionContext {
  readonly config: Config;
  readonly engine: AnswerEngine;
  /** The per-user cooldowns (`Cooldowns` in cooldown.ts): seconds still to wait, or 0 with the use recorded. */
  readonly cooldowns: { take(userId: string): number };
}

/** Passed, with the cleaned question when the precondition produced one; or refused, with the private reply. */
export type Outcome = { readonly ok: true; readonly question?: string } | { readonly ok: false; readonly reason: string };

export const PASSED: Outcome = Object.freeze({ ok: true });

export function refused(reason: string): Outcome {
  return { ok: false, reason };
}

/**
 * One check. `Declared` is the part of the command's declarations it reads (e.g. `{ target?: TargetNeed }`),
 * so the whole declaration object can be handed to every precondition.
 */
export interface Precondition<Name extends string, Declared> {
  /** Named in a refusal (`Checked.failed`), which mention handling branches on. */
  readonly name: Name;
  run(declared: Declared, asked: Asked, context: PreconditionContext): Outcome;
}
