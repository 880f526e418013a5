/**
 * `npm run feeds -- add URL --collection NAME [--every MINUTES] | list | remove NAME | poll`: the
 * feeds of `DATA_DIR/feeds.json` from a shell, and one poll of every feed for cron users (the same
 * poller, rules and audit as the bot's; run it where the bot does not poll, or while it is stopped).
 */
import type { Config } from '../config.js';
import type { Logger } from '../core/log.js';
import type { AnswerEngine } from '../core/types.js';
import { checkCollectionName } from '../corpus/source-file.js';
import { feedPolicy } from '../sources/feed.js';
import { type Actor, AuditLog, CorpusChanges } from './corpus-changes.js';
import { checkFeed, FEED_ACTOR, FeedPoller, FeedStore } from './feeds.js';
import { WebSources } from './web-sources.js';

export const FEEDS_USAGE = `usage:
  npm run feeds -- add URL --collection NAME [--every MINUTES]   add an RSS or Atom feed
  npm run feeds -- list                                           the feeds and their last polls
  npm run feeds -- remove NAME                                    stop polling a feed (its articles stay)
  npm run feeds -- poll                                           poll every feed once now (for cron)`;

const CLI_ACTOR: Actor = { userId: 'cli', userTag: 'command line', guildId: null, channelId: null };

/** Run one feeds command; the text to print, or a usage error. `openEngine` loads the index only for `poll`. */
export async function runFeedsCommand(
  args: { positionals: readonly string[]; collection?: string | undefined; every?: string | undefined },
  context: { config: Config; log: Logger; openEngine: () => Promise<AnswerEngine & { close?(): Promise<void> }> },
): Promise<{ output: string } | { usage: string }> {
  const { config, log } = context;
  const [action, target] = args.positionals;
  const store = new FeedStore(config.dataDir, log);
  const audit = new AuditLog(config.dataDir, log);
  if (action === 'list') {
    const feeds = await store.list();
    if (feeds.length === 0) return { output: 'No feeds.' };
    return {
      output: feeds
        .map((feed) => `${feed.name}\t${feed.collection}\t${feed.url}\t${feed.lastError ?? feed.lastSuccessAt ?? 'not polled yet'}`)
        .join('\n'),
    };
  }
  if (action === 'remove') {
    if (target === undefined) return { usage: 'remove needs the name of a feed (see list)' };
    const removed = await store.remove(target);
    if (removed === null) return { usage: `no feed ${target}` };
    await audit.note({ type: 'remove-feed', url: removed.url, collection: removed.collection, feed: removed.name }, CLI_ACTOR);
    return { output: `Removed feed ${removed.name}; its articles stay in ${removed.collection}.` };
  }
  if (action === 'add') return addFeed(target, args, config, store, audit);
  if (action === 'poll') {
    const engine = await context.openEngine();
    try {
      const changes = new CorpusChanges(config.corpusDir, engine, log, config.dataDir);
      const poller = new FeedPoller(store, new WebSources(changes, engine, log, config.dataDir, config.sources), log, config.sources);
      const reports = await poller.pollAll();
      const lines = reports.map(
        (report) =>
          `${report.feed}: ${report.status}${report.error ? ` (${report.error})` : ''}, ${report.added.length} added, ${report.skipped.length} skipped`,
      );
      return { output: lines.length === 0 ? 'No feeds to poll.' : lines.join('\n') };
    } finally {
      await engine.close?.();
    }
  }
  return { usage: action === undefined ? 'feeds needs add, list, remove or poll' : `unknown feeds command "${action}"` };
}

async function addFeed(
  url: string | undefined,
  args: { collection?: string | undefined; every?: string | undefined },
  config: Config,
  store: FeedStore,
  audit: AuditLog,
): Promise<{ output: string } | { usage: string }> {
  if (url === undefined) return { usage: 'add needs the feed URL' };
  const collection = checkCollectionName(args.collection ?? '');
  if (!collection.ok) return { usage: `--collection: ${collection.reason}` };
  const minutes = args.every === undefined ? null : Number(args.every);
  if (minutes !== null && !(Number.isInteger(minutes) && minutes >= 1 && minutes <= 10_080))
    return { usage: '--every must be whole minutes from 1 to 10080' };
  const parsed = await checkFeed(url, feedPolicy(config.sources));
  if ('reason' in parsed) {
    await audit.note(
      { type: 'skip-source', url, reason: `feed not added: ${parsed.reason}`, collection: collection.collection },
      FEED_ACTOR,
    );
    return { usage: `${url} was not added as a feed: ${parsed.reason}` };
  }
  const everySeconds = minutes === null ? null : minutes * 60;
  const added = await store.add({
    url,
    collection: collection.collection,
    everySeconds,
    addedBy: 'cli',
    title: parsed.title,
    now: Date.now(),
  });
  if ('reason' in added) return { usage: `${url} was not added: ${added.reason}` };
  await audit.note({ type: 'add-feed', url, collection: collection.collection, feed: added.name }, CLI_ACTOR);
  return {
    output: `Added feed ${added.name} (${parsed.items.length} items now) into ${collection.collection}; the bot's poller (or npm run feeds -- poll) fetches its new items.`,
  };
}
