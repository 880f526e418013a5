import { PASSED, type Precondition, refused } from './precondition.js';

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

/** Take the per-user cooldown; a refusal reads "Please wait N s before {cooldown} again." Runs last: a refused request must not use it up. */
export const cooldown: Precondition<'cooldown', { readonly cooldown?: 'asking' | 'looking up' }> = {
  name: 'cooldown',
  run({ cooldown: doing }, asked, context) {
    if (doing === undefined) return PASSED;
    const wait = context.cooldowns.take(asked.userId);
    return wait > 0 ? refused(`Please wait ${wait} s before ${doing} again.`) : PASSED;
  },
};
