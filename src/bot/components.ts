/**
 * Buttons: custom ids that say what a press means, and a bounded in-memory store for the state
 * behind them (passages to page through, who may page). A custom id carries the format version
 * and the boot id of the process that made it, so a press on a button from before a restart is
 * recognised and answered clearly instead of failing.
 */
import { randomBytes } from 'node:crypto';
import type { APIEmbed } from 'discord.js';
import { type ButtonRow, clampPage, pagerRow } from '../render/discord-pages.js';

/** Bumped when the custom id layout changes; older buttons are then reported as outdated. */
export const CUSTOM_ID_VERSION = 'q1';

/** What a button does. */
export type ButtonAction =
  /** Show an answer's retrieved passages (ephemeral). Argument: page. */
  | 'passages'
  /** Page an ephemeral passages view. Argument: page. */
  | 'passages-page'
  /** Page a `/search` result. Argument: page. */
  | 'search-page'
  /** Page a `/timeline`. Argument: page. */
  | 'timeline-page'
  /** Feedback on an answer. Argument: `up` or `down`. */
  | 'vote'
  /** Post a private "Find sources" result publicly (addressed to the looked-up message's author). */
  | 'share'
  /** The select menu of "Add linked article to sources": the chosen link is added. */
  | 'add-link';

const actions: readonly ButtonAction[] = ['passages', 'passages-page', 'search-page', 'timeline-page', 'vote', 'share', 'add-link'];

export interface ButtonId {
  readonly action: ButtonAction;
  /** Key of the state in the {@link StateStore}. */
  readonly key: string;
  readonly argument: string;
}

export type ParsedButtonId =
  | { readonly kind: 'current'; readonly id: ButtonId }
  /** Made by an earlier run of the bot (or an older format). */
  | { readonly kind: 'stale' }
  /** Not one of ours at all. */
  | { readonly kind: 'unknown' };

/** A short random id for this run of the bot. */
export function newBootId(): string {
  return randomBytes(4).toString('hex');
}

/** `q1:<boot>:<action>:<key>:<argument>`, well under Discord's 100 characters. */
export function encodeButtonId(bootId: string, id: ButtonId): string {
  return [CUSTOM_ID_VERSION, bootId, id.action, id.key, id.argument].join(':');
}

export function decodeButtonId(bootId: string, customId: string): ParsedButtonId {
  const parts = customId.split(':');
  if (parts.length !== 5 || !/^q\d+$/.test(parts[0] ?? '')) return { kind: 'unknown' };
  const [version, boot, action, key, argument] = parts as [string, string, string, string, string];
  if (version !== CUSTOM_ID_VERSION || boot !== bootId) return { kind: 'stale' };
  if (!(actions as readonly string[]).includes(action)) return { kind: 'unknown' };
  return { kind: 'current', id: { action: action as ButtonAction, key, argument } };
}

/**
 * A bounded map with expiry: at most `maxEntries` values, each forgotten `ttlMs` after it was
 * stored (oldest evicted first when full). The clock is an option so tests can move time.
 */
export class StateStore<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  private counter = 0;
  readonly maxEntries: number;
  readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: { maxEntries?: number; ttlMs?: number; now?: () => number } = {}) {
    this.maxEntries = options.maxEntries ?? 1000;
    this.ttlMs = options.ttlMs ?? 15 * 60 * 1000;
    this.now = options.now ?? Date.now;
    if (this.maxEntries < 1) throw new RangeError('maxEntries must be at least 1');
  }

  /** Store a value; returns its key (short, safe for custom ids). */
  put(value: T): string {
    this.counter += 1;
    const key = this.counter.toString(36);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return key;
  }

  /** The value, or undefined when unknown or expired. */
  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * One page of a paged reply (a search, a question's passages, a timeline): that page's embed, and
 * Previous/Next buttons bound to the stored state `key` when there is more than one page.
 */
export function pagedBody(
  bootId: string,
  paging: { readonly action: ButtonAction; readonly key: string; readonly pages: number; readonly page: number },
  render: (shown: number) => APIEmbed,
): { embeds: APIEmbed[]; components: ButtonRow[] } {
  const { action, key, pages } = paging;
  const shown = clampPage(paging.page, pages);
  const pager = pagerRow({
    page: shown,
    pages,
    customIdFor: (target) => encodeButtonId(bootId, { action, key, argument: String(target) }),
  });
  return { embeds: [render(shown)], components: pages > 1 ? [pager] : [] };
}
