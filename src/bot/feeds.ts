/**
 * News feeds that keep a collection current: their state in `DATA_DIR/feeds.json` (URL,
 * collection, ETag / Last-Modified, the item ids seen, the last error and the back-off), and the
 * poller that fetches each feed when it is due and adds its new items through {@link WebSources}.
 *
 * A poll that fails (an HTTP error, a timeout, a malformed feed) changes nothing but the error and
 * the back-off: the ETag and the items seen stay as the last good poll left them. Changes to the
 * file are made under a lock to the file as saved (the CLI and the bot may both change it).
 */
import path from 'node:path';
import { z } from 'zod';
import type { WebSourceSettings } from '../config.js';
import type { Logger } from '../core/log.js';
import { feedPolicy, itemsToFetch, nextPollDelaySeconds, type ParsedFeed, readFeed } from '../sources/feed.js';
import { type FetchPolicy, fetchSource } from '../sources/fetch.js';
import type { Actor } from './corpus-changes.js';
import { JsonStateFile } from './json-state.js';
import type { WebSources } from './web-sources.js';

export const FEEDS_FILE = 'feeds.json';
/** The ids of this many recent items are kept per feed: more than a feed lists at once. */
const SEEN_KEPT = 1000;
/** Who the audit says added a feed's items. */
export const FEED_ACTOR: Actor = { userId: 'feed-poller', userTag: 'feed poller', guildId: null, channelId: null };

const FeedState = z.object({
  name: z.string().min(1),
  url: z.string().url(),
  collection: z.string().min(1),
  /** Its own poll interval; null: FEED_POLL_SECONDS. */
  everySeconds: z.number().int().positive().nullable(),
  addedAt: z.string(),
  addedBy: z.string(),
  title: z.string().nullable(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  seen: z.array(z.string()),
  lastPolledAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastError: z.string().nullable(),
  failures: z.number().int().min(0),
  /** Epoch ms. */
  nextPollAt: z.number(),
});
export type FeedState = z.infer<typeof FeedState>;
const FeedsFile = z.object({ version: z.literal(1), feeds: z.array(FeedState) });

export class FeedStore {
  private readonly state: JsonStateFile<typeof FeedsFile>;

  constructor(dataDir: string, log: Logger) {
    this.state = new JsonStateFile(path.join(dataDir, FEEDS_FILE), FeedsFile, log, 'No feed is polled until feeds are added again.');
  }

  get file(): string {
    return this.state.file;
  }

  async list(): Promise<readonly FeedState[]> {
    return (await this.state.read())?.feeds ?? [];
  }

  /** Add a feed (polled at once); refused when its URL is a feed already. Returns its name. */
  add(feed: {
    url: string;
    collection: string;
    everySeconds: number | null;
    addedBy: string;
    title: string | null;
    now: number;
  }): Promise<{ name: string } | { reason: string }> {
    return this.update<{ name: string } | { reason: string }>((feeds) => {
      const same = feeds.find((existing) => existing.url === feed.url);
      if (same !== undefined) return { result: { reason: `it is a feed already, \`${same.name}\` (into \`${same.collection}\`)` } };
      const name = uniqueName(feedName(feed.url), feeds);
      const state: FeedState = {
        name,
        url: feed.url,
        collection: feed.collection,
        everySeconds: feed.everySeconds,
        addedAt: new Date(feed.now).toISOString(),
        addedBy: feed.addedBy,
        title: feed.title,
        etag: null,
        lastModified: null,
        seen: [],
        lastPolledAt: null,
        lastSuccessAt: null,
        lastError: null,
        failures: 0,
        nextPollAt: feed.now,
      };
      return { feeds: [...feeds, state], result: { name } };
    });
  }

  /** Remove a feed by name; the documents it added stay. */
  remove(name: string): Promise<FeedState | null> {
    return this.update<FeedState | null>((feeds) => {
      const found = feeds.find((feed) => feed.name === name);
      return found === undefined ? { result: null } : { feeds: feeds.filter((feed) => feed !== found), result: found };
    });
  }

  /** Change one feed as saved now (nothing when it was removed meanwhile). */
  async change(name: string, change: (feed: FeedState) => FeedState): Promise<void> {
    await this.update((feeds) => ({ feeds: feeds.map((feed) => (feed.name === name ? change(feed) : feed)), result: undefined }));
  }

  /** Read, change and save under the file's lock; `feeds` absent: nothing to save. */
  private update<T>(change: (feeds: readonly FeedState[]) => { feeds?: readonly FeedState[]; result: T }): Promise<T> {
    return this.state.update((saved) => {
      const { feeds, result } = change(saved?.feeds ?? []);
      return feeds === undefined ? { result } : { state: { version: 1 as const, feeds: [...feeds] }, result };
    });
  }
}

/** Read a feed once before it is added: a page that is not a feed, or a private address, is refused now, not at every poll. */
export async function checkFeed(url: string, policy: FetchPolicy): Promise<ParsedFeed | { reason: string }> {
  const fetched = await fetchSource(url, policy);
  if (fetched.kind === 'refused') return { reason: fetched.reason };
  if (fetched.kind === 'not-modified') return { reason: 'the server answered 304 Not Modified to a plain request' };
  return readFeed(Buffer.from(fetched.bytes).toString('utf8'), fetched.url);
}

/** A feed's name from its URL: `news-example-com-rss`. */
export function feedName(url: string): string {
  const parsed = new URL(url);
  const last =
    parsed.pathname
      .split('/')
      .filter((part) => part.length > 0)
      .at(-1) ?? '';
  const words = `${parsed.hostname.replace(/^www\./, '')} ${last.replace(/\.(xml|rss|atom)$/i, '')}`;
  return (
    words
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'feed'
  );
}

function uniqueName(base: string, feeds: readonly FeedState[]): string {
  const taken = new Set(feeds.map((feed) => feed.name));
  let name = base;
  for (let number = 2; taken.has(name); number++) name = `${base}-${number}`;
  return name;
}

/** What one poll of one feed did. */
export interface PollReport {
  readonly feed: string;
  readonly status: 'not-modified' | 'polled' | 'failed';
  readonly added: readonly string[];
  readonly skipped: readonly { readonly url: string; readonly reason: string }[];
  readonly error?: string;
}

export interface PollerOptions {
  /** How often the poller looks for due feeds. */
  readonly tickMs?: number;
  readonly now?: () => number;
}

/** Polls the feeds that are due, one at a time, from one process (the bot's shard 0, or `npm run feeds -- poll`). */
export class FeedPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly now: () => number;

  constructor(
    private readonly store: FeedStore,
    private readonly webSources: WebSources,
    private readonly log: Logger,
    private readonly settings: WebSourceSettings,
    private readonly options: PollerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.pollDue()
        .catch((error: unknown) => this.log.error('polling the feeds failed', error))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.tickMs ?? 1000);
        });
    };
    tick();
  }

  /** Stop polling; waits for a poll in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Poll every feed that is due now. */
  async pollDue(): Promise<PollReport[]> {
    const due = (await this.store.list()).filter((feed) => feed.nextPollAt <= this.now());
    const reports: PollReport[] = [];
    for (const feed of due) if (!this.stopped) reports.push(await this.poll(feed));
    return reports;
  }

  /** Poll every feed now, due or not (the CLI's `poll`). */
  async pollAll(): Promise<PollReport[]> {
    const reports: PollReport[] = [];
    for (const feed of await this.store.list()) reports.push(await this.poll(feed));
    return reports;
  }

  /** Fetch one feed (conditionally), add its new items, and save what the poll learnt. */
  async poll(feed: FeedState): Promise<PollReport> {
    const every = feed.everySeconds ?? this.settings.feedPollSeconds;
    const policy = { ...feedPolicy(this.settings), ...this.webSources.trusted() };
    const fetched = await fetchSource(feed.url, policy, { etag: feed.etag, lastModified: feed.lastModified });
    const polledAt = new Date(this.now()).toISOString();
    if (fetched.kind === 'not-modified') {
      await this.store.change(feed.name, (saved) => ({ ...saved, ...succeeded(polledAt), nextPollAt: this.now() + every * 1000 }));
      this.log.debug(`feed ${feed.name}: not modified (304)`);
      return { feed: feed.name, status: 'not-modified', added: [], skipped: [] };
    }
    const parsed =
      fetched.kind === 'fetched' ? readFeed(Buffer.from(fetched.bytes).toString('utf8'), fetched.url) : { reason: fetched.reason };
    if (fetched.kind !== 'fetched' || 'reason' in parsed) {
      const error = 'reason' in parsed ? parsed.reason : 'no feed';
      return this.failed(feed, every, polledAt, error);
    }
    const seen = new Set(feed.seen);
    const options = {
      firstPoll: feed.lastSuccessAt === null,
      maxItems: this.settings.feedMaxNewItems,
      maxAgeDays: this.settings.feedMaxItemAgeDays,
      now: this.now(),
    };
    const chosen = itemsToFetch(parsed.items, seen, options);
    const added: string[] = [];
    const skipped: { url: string; reason: string }[] = [];
    for (const item of chosen.tooOld) {
      const reason = `published ${item.published?.slice(0, 10)}, older than ${this.settings.feedMaxItemAgeDays} days when the feed was added`;
      skipped.push({ url: item.url, reason });
      await this.webSources.noteSkip({ url: item.url, reason, collection: feed.collection, feed: feed.name }, FEED_ACTOR);
    }
    for (const item of chosen.fetch) {
      if (this.stopped) break;
      const outcome = await this.webSources.add({
        url: item.url,
        collection: feed.collection,
        replace: false,
        actor: FEED_ACTOR,
        feed: feed.name,
      });
      if (outcome.ok) added.push(outcome.documentId);
      else {
        skipped.push({ url: item.url, reason: outcome.reason });
        this.log.warn(`feed ${feed.name}: ${item.url} skipped: ${outcome.reason}`);
      }
      // Seen either way: a page that cannot be added is not fetched at every poll (its skip is audited).
      seen.add(item.id);
    }
    for (const item of chosen.tooOld) seen.add(item.id);
    const newlySeen = [...seen].filter((id) => !feed.seen.includes(id));
    await this.store.change(feed.name, (saved) => ({
      ...saved,
      ...succeeded(polledAt),
      title: parsed.title ?? saved.title,
      etag: fetched.etag,
      lastModified: fetched.lastModified,
      seen: [...newlySeen, ...saved.seen].slice(0, SEEN_KEPT),
      nextPollAt: this.now() + every * 1000,
    }));
    this.log.info(`feed ${feed.name}: ${parsed.items.length} items, ${added.length} added, ${skipped.length} skipped`);
    return { feed: feed.name, status: 'polled', added, skipped };
  }

  private async failed(feed: FeedState, every: number, polledAt: string, error: string): Promise<PollReport> {
    const failures = feed.failures + 1;
    const delay = nextPollDelaySeconds(every, failures);
    this.log.warn(`feed ${feed.name} (${feed.url}): ${error}; next try in ${delay} s (failure ${failures} in a row)`);
    await this.store.change(feed.name, (saved) => ({
      ...saved,
      lastPolledAt: polledAt,
      lastError: error,
      failures: saved.failures + 1,
      nextPollAt: this.now() + delay * 1000,
    }));
    return { feed: feed.name, status: 'failed', added: [], skipped: [], error };
  }
}

function succeeded(polledAt: string): Pick<FeedState, 'lastPolledAt' | 'lastSuccessAt' | 'lastError' | 'failures'> {
  return { lastPolledAt: polledAt, lastSuccessAt: polledAt, lastError: null, failures: 0 };
}
