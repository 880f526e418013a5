/**
 * Reading an RSS 2.0 or Atom feed into the items a poll needs (id, article URL, date, title),
 * through @rowanmanning/feed-parser (fast-xml-parser underneath; one item shape for both formats).
 * Pure: text in, items or a reason out. Also the fetch policy for feeds and the poll timing rules.
 */
import { parseFeed } from '@rowanmanning/feed-parser';
import { XMLValidator } from 'fast-xml-parser';
import { type FetchPolicy, policyFor } from './fetch.js';

/** Content types a feed is served with (many servers say text/xml or application/xml). */
export const FEED_TYPES: ReadonlySet<string> = new Set([
  'application/rss+xml',
  'application/atom+xml',
  'application/xml',
  'text/xml',
  'application/rdf+xml',
]);

/** A feed is XML text, far smaller than this. */
export const MAX_FEED_BYTES = 5 * 1024 * 1024;
/** After errors, a feed waits at most this long between polls. */
export const MAX_BACKOFF_SECONDS = 3600;

export function feedPolicy(settings: { allowPrivate: boolean; fetchTimeoutMs: number }): FetchPolicy {
  return policyFor(settings, { maxBytes: MAX_FEED_BYTES, accept: FEED_TYPES });
}

export interface FeedItem {
  /** The item's guid / Atom id, else its link: what "seen" is kept by. */
  readonly id: string;
  /** The article's http(s) URL. */
  readonly url: string;
  readonly title: string | null;
  /** ISO time, when the feed gives one. */
  readonly published: string | null;
}

export interface ParsedFeed {
  readonly title: string | null;
  /** Newest first, as feeds list them; items without an http(s) link are left out. */
  readonly items: readonly FeedItem[];
}

/** The feed's items, or why the text is not a feed. */
export function readFeed(text: string, feedUrl: string): ParsedFeed | { reason: string } {
  // The feed parser reads a truncated document as a feed with fewer items; a well-formedness check first refuses it.
  const wellFormed = XMLValidator.validate(text);
  if (wellFormed !== true) {
    return {
      reason: `not a readable RSS or Atom feed (malformed XML at line ${wellFormed.err.line}: ${wellFormed.err.msg.replace(/\s+/g, ' ').slice(0, 160)})`,
    };
  }
  let feed: ReturnType<typeof parseFeed>;
  try {
    feed = parseFeed(text);
  } catch (error) {
    return { reason: `not a readable RSS or Atom feed (${(error as Error).message.split('\n')[0]?.slice(0, 200)})` };
  }
  const items: FeedItem[] = [];
  for (const item of feed.items) {
    const url = httpUrl(item.url, feedUrl);
    if (url === null) continue;
    const published = item.published ?? item.updated;
    items.push({ id: item.id ?? url, url, title: item.title, published: published === null ? null : published.toISOString() });
  }
  return { title: feed.title, items };
}

function httpUrl(link: string | null, base: string): string | null {
  if (link === null) return null;
  try {
    const url = new URL(link, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Seconds until the next poll of a feed polled every `everySeconds` after `failures` errors in a row: doubling, at most an hour (or `every` when that is longer). */
export function nextPollDelaySeconds(everySeconds: number, failures: number): number {
  if (failures <= 0) return everySeconds;
  return Math.min(everySeconds * 2 ** failures, Math.max(MAX_BACKOFF_SECONDS, everySeconds));
}

/**
 * The items of this poll to fetch, oldest first: those not seen yet, at most `maxItems`; on the
 * feed's first poll, items older than `maxAgeDays` are left out (they count as seen).
 */
export function itemsToFetch(
  items: readonly FeedItem[],
  seen: ReadonlySet<string>,
  options: { firstPoll: boolean; maxItems: number; maxAgeDays: number; now: number },
): { fetch: readonly FeedItem[]; tooOld: readonly FeedItem[] } {
  const fresh = items.filter((item) => !seen.has(item.id));
  const oldest = options.now - options.maxAgeDays * 24 * 3600 * 1000;
  const tooOld = options.firstPoll ? fresh.filter((item) => item.published !== null && Date.parse(item.published) < oldest) : [];
  const wanted = fresh.filter((item) => !tooOld.includes(item));
  // Oldest first, so a feed read over several polls adds its items in the order they were published.
  const ordered = [...wanted].sort((a, b) => (Date.parse(a.published ?? '') || 0) - (Date.parse(b.published ?? '') || 0));
  return { fetch: ordered.slice(0, options.maxItems), tooOld };
}
