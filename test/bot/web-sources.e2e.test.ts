/**
 * End to end: sources from the web through the real discord.js client against the fake Discord,
 * the real engine (real model, counted embeddings, real index) over a temp copy of seeds/, and a
 * web server on 127.0.0.2. The address rules stay on (SOURCE_FETCH_ALLOW_PRIVATE=false); only that
 * server's address is let through, standing in for a public host, so loopback and private
 * addresses and redirects to them are refused as in production.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/answer/engine.js';
import { AUDIT_FILE } from '../../src/bot/corpus-changes.js';
import { FEEDS_FILE, type FeedState } from '../../src/bot/feeds.js';
import { WEB_SOURCES_FILE } from '../../src/bot/web-sources.js';
import { DEFAULT_MODEL } from '../../src/config.js';
import { silentLogger } from '../../src/core/log.js';
import { loadEmbedder } from '../../src/embed/embedder.js';
import { FakeWeb, newsPage, rssFeed } from '../fakes/web-server.js';
import { CountingEmbedder } from '../support/counting-embedder.js';
import { corpusState as corpusStateOf } from '../support/corpus-state.js';
import { FIXTURES } from '../support/documents-corpus.js';
import { useRealBot } from './harness.js';

const PUBLIC = '127.0.0.2';
const POLL_SECONDS = 5;

let embedder: CountingEmbedder;
let web: FakeWeb;
/** A server on 127.0.0.1: a private address, refused. */
let privateWeb: FakeWeb;

const LIGHTHOUSE = {
  headline: 'Volunteers restore the Lake Varnu lighthouse',
  date: '2026-03-02',
  paragraphs: [
    'VARNU: Volunteers on Lake Varnu finished restoring the 1887 lighthouse on Saturday, after three winters of work.',
    'The keeper, Marta Ilvessalo, said the crew replaced 412 cracked glass panes and rebuilt the brass lantern by hand.',
    '"We wanted the ships to see the old light again," Ilvessalo said.',
  ],
};

const bot = useRealBot({
  before: async () => {
    web = await FakeWeb.start(PUBLIC);
    privateWeb = await FakeWeb.start('127.0.0.1');
  },
  engine: async (workspace) => {
    const { config } = workspace;
    embedder = new CountingEmbedder(
      await loadEmbedder({ modelId: DEFAULT_MODEL, modelCacheDir: config.modelCacheDir, allowRemoteModels: false, log: silentLogger }),
    );
    return createEngine(config, silentLogger, { embedder });
  },
  environment: { SOURCE_FETCH_TIMEOUT_SECONDS: '2', FEED_POLL_SECONDS: String(POLL_SECONDS) },
  botOptions: { trustedAddresses: new Set([PUBLIC]), feedPoller: { tickMs: 200 } },
  after: async () => {
    await web?.stop();
    await privateWeb?.stop();
  },
});

const corpusState = () => corpusStateOf(bot.workspace.corpusDir);

async function auditLines(): Promise<any[]> {
  const text = await readFile(path.join(bot.harness.config.dataDir, AUDIT_FILE), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));
}

async function addUrl(url: string, options: { collection?: string } = {}): Promise<{ ephemeral: boolean; content: string }> {
  const interaction = bot.harness.fake.slashCommand(
    'add-source',
    { url, ...(options.collection ? { collection: options.collection } : {}) },
    { admin: true },
  );
  const reply = await bot.harness.fake.reply(interaction, 60_000);
  return { ephemeral: reply.ephemeral, content: reply.data.content ?? '' };
}

async function ask(question: string): Promise<string> {
  const reply = await bot.harness.fake.reply(bot.harness.fake.slashCommand('ask', { question }), 60_000);
  return JSON.stringify(reply.data.embeds ?? []);
}

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('/add-source url:', () => {
  it('adds a news page that is answered from at once, quoting its article and citing its title, date and URL', async () => {
    const url = web.serve('/2026/03/02/lighthouse-restored', { body: newsPage(LIGHTHOUSE), etag: '"l1"' });
    const started = performance.now();
    const added = await addUrl(url);
    const addMs = performance.now() - started;
    expect(added.ephemeral).toBe(true);
    expect(added.content).toContain('Added `lighthouse-restored.html`');
    expect(added.content).toContain(`Fetched from <${url}>`);
    const answer = await ask('How many glass panes did the volunteers replace in the Lake Varnu lighthouse?');
    expect(answer).toContain('412 cracked glass panes');
    expect(answer).toContain(`[${LIGHTHOUSE.headline}](<${url}>)`);
    expect(answer).toContain('2026-03-02');
    expect(answer).not.toMatch(/newsletter|Subscribe/);
    const manifest = JSON.parse(await readFile(path.join(bot.harness.config.dataDir, WEB_SOURCES_FILE), 'utf8'));
    expect(manifest.documents['lighthouse-restored.html']).toMatchObject({
      url,
      canonicalUrl: url,
      etag: '"l1"',
      contentType: 'text/html',
    });
    expect((await auditLines()).at(-1)).toMatchObject({ type: 'add-source', document: 'lighthouse-restored.html', url });
    console.log(`fetch + read + index + reply of one page: ${Math.round(addMs)} ms`);
  });

  it('does not add the same page twice, by address or by content, and says which document it is', async () => {
    const before = await corpusState();
    const embedded = embedder.texts;
    const again = await addUrl(web.url('/2026/03/02/lighthouse-restored'));
    expect(again.content).toMatch(/was not added: it is already a source: `lighthouse-restored\.html` \(the same canonical URL/);
    const copy = web.serve('/mirror/lighthouse-copy', { body: newsPage(LIGHTHOUSE) });
    expect((await addUrl(copy)).content).toMatch(/already a source: `lighthouse-restored\.html` \(the same content\)/);
    expect(await corpusState()).toEqual(before);
    expect(embedder.texts).toBe(embedded);
    expect((await auditLines()).at(-1)).toMatchObject({ type: 'skip-source', url: copy });
  });

  it('adds a PDF by its URL', async () => {
    const url = web.serve('/files/annual-report.pdf', { type: 'application/pdf', body: await readFile(path.join(FIXTURES, 'report.pdf')) });
    const added = await addUrl(url, { collection: 'reports' });
    expect(added.content).toContain('Added `reports/annual-report.pdf`');
  });

  it('refuses private addresses, redirects to them, oversized, wrong-type, slow and failing pages, privately, changing nothing', async () => {
    const before = await corpusState();
    const embedded = embedder.texts;
    const cases: [string, RegExp][] = [
      [privateWeb.serve('/inside', { body: newsPage(LIGHTHOUSE) }), /127\.0\.0\.1 is a loopback address/],
      ['http://10.0.0.8/intranet', /10\.0\.0\.8 is a private network address/],
      ['http://169.254.169.254/latest/meta-data/', /cloud metadata address/],
      [
        web.serve('/go-inside', { location: privateWeb.url('/inside') }),
        /it redirects to http:\/\/127\.0\.0\.1:\d+\/inside, and 127\.0\.0\.1 is a loopback address/,
      ],
      [
        web.serve('/go-private', { location: 'http://192.168.1.1/router' }),
        /redirects to http:\/\/192\.168\.1\.1\/router, and .*private network/,
      ],
      [web.serve('/huge.txt', { type: 'text/plain', body: new Uint8Array(11 * 1024 * 1024).fill(97), chunked: true }), /larger than 10 MB/],
      [web.serve('/photo', { type: 'image/jpeg', body: 'JPEG' }), /it is image\/jpeg, not text\/html/],
      [web.serve('/slow', { body: newsPage(LIGHTHOUSE), delayMs: 4000 }), /within 2 s \(timed out\)/],
      [web.serve('/broken', { status: 500, body: 'oops' }), /HTTP 500/],
      ['file:///etc/passwd', /only http and https/],
    ];
    for (const [url, reason] of cases) {
      const reply = await addUrl(url);
      expect(reply.ephemeral, url).toBe(true);
      expect(reply.content, url).toMatch(reason);
      expect(reply.content, url).toContain('Nothing was changed.');
    }
    expect(privateWeb.requests).toEqual([]);
    expect(await corpusState()).toEqual(before);
    expect(embedder.texts).toBe(embedded);
    const skips = (await auditLines()).filter((line) => line.type === 'skip-source');
    expect(skips.length).toBeGreaterThanOrEqual(cases.length);
  });

  it('asks for one of file: or url:', async () => {
    const reply = await bot.harness.fake.reply(bot.harness.fake.slashCommand('add-source', {}, { admin: true }));
    expect(reply.data.content).toContain('Give either `file:`');
  });
});

describe('"Add linked article to sources"', () => {
  it('adds the one link of a message at once', async () => {
    const url = web.serve('/2026/04/01/ferry-terminal', {
      body: newsPage({
        headline: 'Ferry terminal opens in Varnu harbour',
        date: '2026-04-01',
        paragraphs: ['The new ferry terminal in Varnu harbour opened on Wednesday with room for 640 passengers.'],
      }),
    });
    const reply = await bot.harness.fake.reply(
      bot.harness.fake.messageCommand('Add linked article to sources', `Did you see this? ${url}`, { admin: true }),
      60_000,
    );
    expect(reply.ephemeral).toBe(true);
    expect(reply.data.content).toContain('Added `ferry-terminal.html`');
  });

  it('offers several links in a select menu and adds the chosen one', async () => {
    const first = web.serve('/2026/04/02/harbour-crane', {
      body: newsPage({
        headline: 'A new crane for Varnu harbour',
        date: '2026-04-02',
        paragraphs: ['Varnu harbour installed a crane that lifts 85 tonnes, the largest on the lake.'],
      }),
    });
    const second = web.serve('/2026/04/03/bridge-closed', {
      body: newsPage({
        headline: 'Old Varnu bridge closes for repairs',
        date: '2026-04-03',
        paragraphs: ['The old Varnu bridge will be closed for nine weeks while engineers replace its 1932 steel deck.'],
      }),
    });
    const menu = await bot.harness.fake.reply(
      bot.harness.fake.messageCommand('Add linked article to sources', `Two stories: ${first} and ${second}`, { admin: true }),
    );
    expect(menu.ephemeral).toBe(true);
    const select = menu.data.components[0].components[0];
    expect(select.type).toBe(3);
    expect(select.options.map((option: any) => option.description)).toEqual([first, second]);
    const chosen = bot.harness.fake.chooseOption(select.custom_id, ['1'], { admin: true });
    const edit = await bot.harness.fake.waitForRequest(
      (request) => request.method === 'PATCH' && request.path.includes(chosen.token),
      60_000,
    );
    expect(edit.body.content).toContain('Added `bridge-closed.html`');
    expect(bot.engine.documents().some((document) => document.file === 'harbour-crane.html')).toBe(false);
  });

  it('says so when a message has no links', async () => {
    const reply = await bot.harness.fake.reply(
      bot.harness.fake.messageCommand('Add linked article to sources', 'no links here', { admin: true }),
    );
    expect(reply.data.content).toContain('no web links');
  });
});

describe('/feeds', () => {
  const day = 24 * 3600 * 1000;
  const feedItems: { title: string; link: string; date: Date }[] = [];
  let feedVersion = 0;
  const publish = () => {
    feedVersion++;
    web.serve('/feeds/news.xml', { type: 'application/rss+xml', body: rssFeed([...feedItems].reverse()), etag: `"feed-${feedVersion}"` });
  };
  const feedState = async (): Promise<FeedState | undefined> => {
    const text = await readFile(path.join(bot.harness.config.dataDir, FEEDS_FILE), 'utf8').catch(() => '{"feeds":[]}');
    return JSON.parse(text).feeds[0];
  };

  it('polls a new feed, fetches its recent items, skips old ones, and answers 304 afterwards with nothing re-embedded', async () => {
    const oldUrl = web.serve('/2026/old-story', {
      body: newsPage({ headline: 'An old story', date: '2026-10-01', paragraphs: ['This story about the old mill is too old to fetch.'] }),
    });
    const recentUrl = web.serve('/2026/12/fish-market', {
      body: newsPage({
        headline: 'Varnu fish market moves indoors',
        date: '2026-12-05',
        paragraphs: ['The Varnu fish market moved into the former tram depot, which has space for 38 stalls.'],
      }),
    });
    feedItems.push({ title: 'An old story', link: oldUrl, date: new Date(Date.now() - 40 * day) });
    feedItems.push({ title: 'Fish market', link: recentUrl, date: new Date(Date.now() - day) });
    publish();
    const reply = await bot.harness.fake.reply(
      bot.harness.fake.slashCommand('feeds', { url: web.url('/feeds/news.xml'), collection: 'news' }, { admin: true, subcommand: 'add' }),
      60_000,
    );
    expect(reply.data.content).toContain('Added feed');
    await until(
      'the recent item indexed',
      () => bot.engine.documents().some((document) => document.file === 'news/fish-market.html') || undefined,
      60_000,
    );
    expect(web.requestsTo('/2026/old-story')).toEqual([]);
    expect((await auditLines()).find((line) => line.type === 'skip-source' && line.url === oldUrl)?.reason).toMatch(
      /older than 14 days when the feed was added/,
    );
    const polled = await until(
      'the first poll saved',
      async () => ((await feedState())?.etag === '"feed-1"' ? await feedState() : undefined),
      10_000,
    );
    expect(polled.seen).toHaveLength(2);
    const embedded = embedder.texts;
    await until(
      'a conditional poll answered 304',
      () => web.requestsTo('/feeds/news.xml').find((request) => request.status === 304),
      3 * POLL_SECONDS * 1000,
    );
    expect(embedder.texts).toBe(embedded);
    expect((await auditLines()).some((line) => line.type === 'add-feed' && line.feed === polled.name)).toBe(true);
  });

  it('indexes a new item and answers about it within two poll intervals', async () => {
    const url = web.serve('/2026/12/ice-festival', {
      body: newsPage({
        headline: 'Ice festival returns to Lake Varnu',
        date: '2026-12-06',
        paragraphs: ['The Lake Varnu ice festival returns in January with 27 sculptures carved from lake ice.'],
      }),
    });
    feedItems.push({ title: 'Ice festival', link: url, date: new Date() });
    const published = performance.now();
    publish();
    await until(
      'the new item indexed',
      () => bot.engine.documents().some((document) => document.file === 'news/ice-festival.html') || undefined,
      4 * POLL_SECONDS * 1000,
    );
    const indexedMs = performance.now() - published;
    const answer = await ask('How many sculptures will the Lake Varnu ice festival have?');
    const answeredMs = performance.now() - published;
    expect(answer).toContain('27 sculptures');
    expect(answer).toContain(`(<${url}>)`);
    console.log(
      `feed item published → indexed ${Math.round(indexedMs)} ms, → answered ${Math.round(answeredMs)} ms (poll interval ${POLL_SECONDS} s)`,
    );
    expect(answeredMs).toBeLessThan(2 * POLL_SECONDS * 1000);
  });

  it('backs off when the feed answers 500 and recovers, keeping its last good state', async () => {
    const good = await feedState();
    web.serve('/feeds/news.xml', { status: 500, body: 'down' });
    const failed = await until(
      'a failed poll',
      async () => ((await feedState())?.failures === 1 ? await feedState() : undefined),
      3 * POLL_SECONDS * 1000,
    );
    expect(failed.lastError).toContain('HTTP 500');
    expect(failed.etag).toBe(good?.etag);
    expect(failed.seen).toEqual(good?.seen);
    // Doubled: the next try waits two intervals.
    expect(failed.nextPollAt - Date.parse(failed.lastPolledAt ?? '')).toBeGreaterThanOrEqual(2 * POLL_SECONDS * 1000 - 50);
    publish();
    const recovered = await until(
      'a good poll again',
      async () => ((await feedState())?.failures === 0 && (await feedState())?.lastError === null ? await feedState() : undefined),
      4 * POLL_SECONDS * 1000,
    );
    expect(recovered.etag).toBe(`"feed-${feedVersion}"`);
  });

  it('lists and removes feeds', async () => {
    const list = await bot.harness.fake.reply(bot.harness.fake.slashCommand('feeds', {}, { admin: true, subcommand: 'list' }));
    const name = (await feedState())?.name ?? '';
    expect(list.data.content).toContain(`**${name}** → \`news\``);
    const removed = await bot.harness.fake.reply(bot.harness.fake.slashCommand('feeds', { name }, { admin: true, subcommand: 'remove' }));
    expect(removed.data.content).toContain(`Removed feed **${name}**`);
    expect(await feedState()).toBeUndefined();
    expect((await auditLines()).at(-1)).toMatchObject({ type: 'remove-feed', feed: name });
  });
});
