/**
 * The sharded bot end to end: `node dist/sharded.js` (what `npm run start:sharded` runs) with two
 * shards against the fake Discord, which routes each server's events to the shard that owns it
 * (`(guild_id >> 22) % 2`). Real processes throughout: the manager, the index sync child, two bot
 * processes with the real model and engine, the real discord.js client in each. Both stores: the
 * local index files (a shard's change reaches the other through the manager) and PostgreSQL (the
 * test database; through LISTEN/NOTIFY).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFeedback } from '../../src/bot/feedback.js';
import { FeedStore } from '../../src/bot/feeds.js';
import { silentLogger } from '../../src/core/log.js';
import { FakeDiscord, type FakeGuild, type InjectedInteraction } from '../fakes/discord-server.js';
import { MODEL_CACHE_DIR } from '../support/workspace.js';
import { onRealServer, startTestDatabase, type TestDatabase } from '../support/test-database.js';
import { buttonIds, createWorkspace, PROJECT_DIR, TOKEN, withTimeout, type Workspace } from './harness.js';

const QUESTION = 'What did Xi say about trade wars?';
const LIGHTHOUSE = `# Volunteers restore the Lake Varnu lighthouse

 date 2026-03-02 VARNU: Volunteers on Lake Varnu finished restoring the 1887 lighthouse on Saturday, after three winters of work.

The keeper, Marta Ilvessalo, said the crew replaced 412 cracked glass panes and rebuilt the brass lantern by hand.
`;
const DASHBOARD_TOKEN = 'sharded-dashboard-token-0123456789';
const LIGHTHOUSE_QUESTION = 'How many glass panes did the volunteers replace in the Lake Varnu lighthouse?';
/** Two shards load a model each on 2 shared cores, 5.5 s apart (discord.js's identify spacing). */
const START_TIMEOUT_MS = 240_000;

interface ShardedBot {
  readonly fake: FakeDiscord;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly dataDir: string;
  /** A server on each shard: `servers[shard]`. */
  readonly servers: readonly FakeGuild[];
  stderr(): string;
  /** Resolves when the manager's log has a line matching, else rejects (with the log) at the timeout or the manager's exit. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

async function startShardedBot(workspace: Workspace, name: string, environment: Record<string, string>): Promise<ShardedBot> {
  const fake = await FakeDiscord.start();
  fake.recommendedShards = 2; // DISCORD_SHARDS=auto asks GET /gateway/bot on the fake
  const first = fake.guilds[0] as FakeGuild;
  const firstShard = fake.shardOf(first.id, 2);
  const second = fake.addGuild({ shard: 1 - firstShard, shardCount: 2 });
  const servers = firstShard === 0 ? [first, second] : [second, first];
  const dataDir = path.join(workspace.dir, `data-${name}`);
  const { PATH, HOME } = process.env;
  const child = spawn(process.execPath, [path.join(PROJECT_DIR, 'dist', 'sharded.js')], {
    cwd: workspace.dir,
    env: {
      PATH: PATH ?? '',
      HOME: HOME ?? workspace.dir,
      DISCORD_TOKEN: TOKEN,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_SHARDS: 'auto',
      DISCORD_REGISTER_COMMANDS: 'true',
      DISCORD_GUILD_ID: first.id,
      DISCORD_COOLDOWN_SECONDS: '0',
      CORPUS_DIR: workspace.corpusDir,
      INDEX_DIR: path.join(workspace.dir, `index-${name}`),
      MODEL_DIR: MODEL_CACHE_DIR,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    stderr += String(chunk);
    for (const listener of [...listeners]) listener();
  };
  child.stderr?.on('data', collect);
  child.stdout?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitForLog = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const look = () => {
        const match = stderr.match(pattern);
        if (match === null) return;
        done();
        resolve(match);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms; log:\n${stderr}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(look);
      };
      listeners.add(look);
      void exited.then((code) => {
        if (!listeners.has(look)) return;
        done();
        reject(new Error(`the manager exited with code ${code}; log:\n${stderr}`));
      });
      look();
    });
  return { fake, child, exited, dataDir, servers, stderr: () => stderr, waitForLog };
}

async function stopShardedBot(bot: ShardedBot | undefined): Promise<void> {
  if (bot === undefined) return;
  if (bot.child.exitCode === null && bot.child.signalCode === null) {
    bot.child.kill('SIGTERM');
    await withTimeout(bot.exited, 30_000, 'the manager stopping').catch(() => bot.child.kill('SIGKILL'));
  }
  await bot.fake.stop();
}

/** The pid of each shard process the manager started, in order of its log lines. */
function shardPids(bot: ShardedBot): Map<number, number> {
  const pids = new Map<number, number>();
  for (const match of bot.stderr().matchAll(/\[manager\] shard (\d+)\/2 started \(pid (\d+)\)/g))
    pids.set(Number(match[1]), Number(match[2]));
  return pids;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `/ask` in a server: the reply, and the shard the gateway delivered the interaction to (the only process that saw it). */
async function ask(bot: ShardedBot, server: FakeGuild, question: string) {
  const interaction = bot.fake.slashCommand('ask', { question }, { guildId: server.id });
  const reply = await bot.fake.reply(interaction, 60_000);
  return { interaction, reply, text: embedText(reply.data), shard: bot.fake.shardThatReceived(interaction) };
}

function embedText(message: any): string {
  const [embed] = message.embeds ?? [];
  return `${embed?.description ?? ''}\n${(embed?.fields ?? []).map((field: { value: string }) => field.value).join('\n')}`;
}

/** `/add-source` by a manager in a server; the private reply's text. */
async function addSource(
  bot: ShardedBot,
  server: FakeGuild,
  name: string,
  text: string,
): Promise<{ content: string; interaction: InjectedInteraction }> {
  const file = bot.fake.attachment(name, text, { contentType: 'text/markdown; charset=utf-8' });
  const interaction = bot.fake.slashCommand('add-source', { file }, { guildId: server.id, admin: true });
  const reply = await bot.fake.reply(interaction, 90_000);
  return { content: reply.data.content ?? '', interaction };
}

/**
 * An RSS feed with no items on 127.0.0.1 that answers after 1.5 s, counting requests in flight: a
 * feed is due again until its poll ends, so a second poller would fetch it while the first waits.
 */
async function startFeedServer(): Promise<{ url: string; mostAtOnce: () => number; close: () => Promise<void> }> {
  let inFlight = 0;
  let mostAtOnce = 0;
  const server = createServer((_request, response) => {
    inFlight++;
    mostAtOnce = Math.max(mostAtOnce, inFlight);
    setTimeout(() => {
      inFlight--;
      response.writeHead(200, { 'content-type': 'application/rss+xml' });
      response.end(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour news</title><link>http://127.0.0.1/</link><description>x</description></channel></rss>',
      );
    }, 1500);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/feed.xml`,
    mostAtOnce: () => mostAtOnce,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('two shards, the local index files', () => {
  let workspace: Workspace;
  let bot: ShardedBot;
  let feedServer: Awaited<ReturnType<typeof startFeedServer>>;
  beforeAll(async () => {
    // No index yet: the manager builds it once, before the shards (tested below).
    workspace = await createWorkspace({ index: 'none' });
    // A feed saved before the start, polled every second: only shard 0 may poll it.
    feedServer = await startFeedServer();
    const feeds = new FeedStore(path.join(workspace.dir, 'data-local'), silentLogger);
    await feeds.add({ url: feedServer.url, collection: 'news', everySeconds: 1, addedBy: 'test', title: null, now: Date.now() });
    bot = await startShardedBot(workspace, 'local', {
      DASHBOARD_PORT: '0',
      DASHBOARD_TOKEN: DASHBOARD_TOKEN,
      SOURCE_FETCH_ALLOW_PRIVATE: 'true',
    });
    await bot.waitForLog(/\[manager\] all 2 shards are ready/, START_TIMEOUT_MS);
  }, START_TIMEOUT_MS + 10_000);
  afterAll(async () => {
    await stopShardedBot(bot);
    await feedServer?.close();
    await workspace?.remove();
  }, 60_000);

  it('polls the feeds from shard 0 only', async () => {
    const polls = (shard: number) => bot.stderr().match(new RegExp(`\\[shard ${shard}\\][^\\n]*feed [^\\n]*: 0 items`, 'g'))?.length ?? 0;
    await bot.waitForLog(/\[shard 0\][^\n]*feed [^\n]*: 0 items, 0 added/, 60_000);
    // Two more polls (each 1.5 s, then due again after a second): never two fetches at once, none by shard 1.
    const seen = polls(0);
    for (let waited = 0; polls(0) < seen + 2 && waited < 60_000; waited += 250) await sleep(250);
    expect(polls(0)).toBeGreaterThanOrEqual(seen + 2);
    expect(polls(1)).toBe(0);
    expect(feedServer.mostAtOnce()).toBe(1);
  });

  it('builds the index once before the shards, takes the shard count from GET /gateway/bot, and both shards identify', () => {
    const log = bot.stderr();
    expect(log).toContain("[manager] starting 2 shards (Discord's recommendation)");
    expect(log.match(/^\[index\] Index built: 5 documents/gm)).toHaveLength(1);
    expect(log).not.toMatch(/\[shard \d\] Building the index/);
    expect(bot.fake.requests.filter((request) => request.path === '/gateway/bot').length).toBeGreaterThanOrEqual(3); // the manager, then each shard
    expect(bot.fake.identifyPayloads.map((payload) => payload.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(bot.fake.connectedShards()).toEqual([0, 1]);
    // The commands are registered once, by shard 0.
    expect(bot.fake.requests.filter((request) => request.method === 'PUT')).toHaveLength(1);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toMatch(/\[error\]/);
  });

  it('answers /ask in each server from the shard that owns it', async () => {
    for (const shard of [0, 1]) {
      const server = bot.servers[shard] as FakeGuild;
      const { reply, text, shard: received } = await ask(bot, server, QUESTION);
      expect(received).toBe(shard);
      expect(reply.callbackType).toBe(4);
      expect(text).toContain('no winners in trade wars');
    }
  });

  it('pages and votes on the shard that answered (its button state), and both shards append whole lines to one feedback log', async () => {
    const server = bot.servers[1] as FakeGuild;
    const { reply } = await ask(bot, server, 'What agreements did China and Vietnam sign?');
    const [passagesId, up] = buttonIds(reply.data);
    const shown = await bot.fake.reply(bot.fake.pressButton(passagesId as string, { guildId: server.id, message: reply.data }), 30_000);
    expect(shown.data.embeds[0].title).toBe('Passages for: What agreements did China and Vietnam sign?');
    const pager = buttonIds(shown.data);
    const next = bot.fake.pressButton(pager[1] as string, { guildId: server.id, message: shown.data });
    expect(bot.fake.shardThatReceived(next)).toBe(1);
    expect((await bot.fake.reply(next, 30_000)).data.embeds[0].footer.text).toMatch(/^Page 2 of \d+$/);
    const thanks = await bot.fake.reply(bot.fake.pressButton(up as string, { guildId: server.id, message: reply.data }), 30_000);
    expect(thanks.data.content).toBe('Thanks! Your 👍 was recorded.');

    // Many questions at once in both servers: two processes append to feedback.jsonl together.
    const asked = await Promise.all(
      Array.from({ length: 24 }, (_, index) => ask(bot, bot.servers[index % 2] as FakeGuild, `${QUESTION} (${index})`)),
    );
    // The replies without the answer, whole (content, embeds, whether deferred), so a failure shows what was said instead.
    const withoutAnswer = asked.filter(({ text }) => !text.includes('no winners in trade wars'));
    const errors = bot.stderr().slice(bot.stderr().indexOf('[error]')).split('\n').slice(0, 30);
    expect({
      withoutAnswer: withoutAnswer.map(({ reply, shard }) => ({ shard, ...reply })),
      errors: withoutAnswer.length ? errors : [],
    }).toEqual({
      withoutAnswer: [],
      errors: [],
    });
    const text = await readFile(path.join(bot.dataDir, 'feedback.jsonl'), 'utf8');
    const { entries, malformed } = parseFeedback(text);
    expect(malformed).toBe(0);
    expect(entries.filter((entry) => entry.type === 'question' && entry.question.startsWith(`${QUESTION} (`))).toHaveLength(24);
    expect(entries.some((entry) => entry.type === 'vote' && entry.vote === 'up')).toBe(true);
  });

  it('the manager serves the dashboard: what both shards recorded and report, an explanation from a shard', async () => {
    const [, url] = (await bot.waitForLog(/\[manager\] Dashboard: (http:\/\/127\.0\.0\.1:\d+)\//)) as unknown as [string, string];
    const auth = { authorization: `Bearer ${DASHBOARD_TOKEN}` };
    // The shards report every 2 s; poll until both have (nothing here is timed).
    let health: { ok: boolean; index: { documents: number } | null; discord: string } = { ok: false, index: null, discord: '' };
    for (let attempt = 0; attempt < 100 && !health.ok; attempt++) {
      health = (await (await fetch(`${url}/healthz`)).json()) as typeof health;
      if (!health.ok) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(health).toMatchObject({ ok: true, index: { documents: 5 }, discord: 'connected' });
    const listing = await (await fetch(`${url}/questions?entry=slash`, { headers: auth })).text();
    expect(listing).toContain(`${QUESTION} (23)`);
    const id = listing.match(/<a href="\/questions\/(\d+)">What did Xi say about trade wars\? \(23\)<\/a>/)?.[1];
    const explained = await (await fetch(`${url}/questions/${id}`, { headers: auth })).text();
    expect(explained).toContain('no winners in trade wars');
    expect(explained).toMatch(/<table id="candidates">[\s\S]*<code>00\d_/);
    const metrics = await (await fetch(`${url}/metrics`, { headers: auth })).text();
    expect(Number(metrics.match(/^seedquotes_questions_total\{outcome="answered",entry="slash"\} (\d+)$/m)?.[1])).toBeGreaterThanOrEqual(
      26,
    );
    expect((await fetch(`${url}/questions`)).status).toBe(401);
  });

  it('a source added on one shard is answered from on the other (the manager passes the change on)', async () => {
    const before = await ask(bot, bot.servers[1] as FakeGuild, LIGHTHOUSE_QUESTION);
    expect(before.text).not.toContain('412 cracked glass panes');
    const added = await addSource(bot, bot.servers[0] as FakeGuild, 'Lake Varnu Lighthouse.md', LIGHTHOUSE);
    expect(bot.fake.shardThatReceived(added.interaction)).toBe(0);
    expect(added.content).toMatch(/^Added `lake-varnu-lighthouse\.md`/);
    await bot.waitForLog(/\[manager\] shard 0\/2 saved a new index .*telling the other shards/);
    await bot.waitForLog(/\[shard 1\] Loaded the index built /);
    const after = await ask(bot, bot.servers[1] as FakeGuild, LIGHTHOUSE_QUESTION);
    expect(after.shard).toBe(1);
    expect(after.text).toContain('412 cracked glass panes');
    expect(after.text).toContain('`lake-varnu-lighthouse.md`');
  }, 120_000);

  it(
    'starts a shard again when it dies, and it answers its server again',
    async () => {
      const pid = shardPids(bot).get(1) as number;
      const identifies = bot.fake.identifies;
      process.kill(pid, 'SIGKILL');
      await bot.waitForLog(/\[manager\] \[warn\] shard 1\/2 exited on SIGKILL; starting it again/);
      await bot.waitForLog(/\[manager\] shard 1\/2 is ready[\s\S]*\[manager\] shard 1\/2 is ready/, START_TIMEOUT_MS);
      expect(bot.fake.identifies).toBe(identifies + 1);
      expect(shardPids(bot).get(1)).not.toBe(pid);
      const again = await ask(bot, bot.servers[1] as FakeGuild, LIGHTHOUSE_QUESTION);
      expect(again.shard).toBe(1);
      expect(again.text).toContain('412 cracked glass panes'); // the respawned shard loads the index as saved
    },
    START_TIMEOUT_MS,
  );

  it('stops on SIGTERM: every shard exits, then the manager exits 0', async () => {
    const pids = [...shardPids(bot).values()].filter(isRunning);
    expect(pids).toHaveLength(2);
    bot.child.kill('SIGTERM');
    expect(await withTimeout(bot.exited, 60_000, 'the manager exiting')).toBe(0);
    expect(pids.filter(isRunning)).toEqual([]);
    const log = bot.stderr();
    expect(log).toContain('[manager] SIGTERM: stopping 2 shards');
    expect(log).toMatch(/\[shard 0\] SIGTERM: finishing replies in flight/);
    expect(log).toMatch(/\[shard 1\] SIGTERM: finishing replies in flight/);
    expect(log).toContain('[manager] all shards stopped');
    expect(log.slice(log.indexOf('SIGTERM: stopping'))).not.toContain('starting it again');
  }, 90_000);
});

describe('two shards, the PostgreSQL store', () => {
  let workspace: Workspace;
  let database: TestDatabase;
  let bot: ShardedBot;
  beforeAll(async () => {
    workspace = await createWorkspace();
    database = await startTestDatabase();
    // PGlite is one session for every connection: a second process writing (the ingest child) mixes its
    // statements with the shard's. A real server (npm run test:postgres) runs the ingest in a child as the bot does.
    const ingestIn = onRealServer ? {} : { INGEST_IN: 'this-process' };
    bot = await startShardedBot(workspace, 'postgres', { STORE: 'postgres', DATABASE_URL: database.url, DISCORD_SHARDS: '2', ...ingestIn });
    await bot.waitForLog(/\[manager\] all 2 shards are ready/, START_TIMEOUT_MS);
  }, START_TIMEOUT_MS + 10_000);
  afterAll(async () => {
    await stopShardedBot(bot);
    await database?.stop();
    await workspace?.remove();
  }, 60_000);

  it('answers in each server from the shared database, and a source added on one shard is answered from on the other', async () => {
    expect(bot.stderr()).toContain('[manager] starting 2 shards (DISCORD_SHARDS)');
    for (const shard of [0, 1]) {
      const { text, shard: received } = await ask(bot, bot.servers[shard] as FakeGuild, QUESTION);
      expect(received).toBe(shard);
      expect(text).toContain('no winners in trade wars');
    }
    const added = await addSource(bot, bot.servers[1] as FakeGuild, 'Lake Varnu Lighthouse.md', LIGHTHOUSE);
    expect(added.content).toMatch(/^Added `lake-varnu-lighthouse\.md`/);
    // Through LISTEN/NOTIFY, not the manager: it passes on only the local store's changes.
    await bot.waitForLog(/\[shard 0\] Loaded the index built /);
    expect(bot.stderr()).not.toContain('telling the other shards');
    const after = await ask(bot, bot.servers[0] as FakeGuild, LIGHTHOUSE_QUESTION);
    expect(after.shard).toBe(0);
    expect(after.text).toContain('412 cracked glass panes');
  }, 180_000);

  it('stops on SIGTERM with both shards', async () => {
    const pids = [...shardPids(bot).values()];
    bot.child.kill('SIGTERM');
    expect(await withTimeout(bot.exited, 60_000, 'the manager exiting')).toBe(0);
    expect(pids.filter(isRunning)).toEqual([]);
  }, 90_000);
});

describe('a shard started without an index', () => {
  it('does not build one (the manager does): it exits 1 saying which command builds it', async () => {
    const workspace = await createWorkspace();
    try {
      const { PATH, HOME } = process.env;
      const indexDir = path.join(workspace.dir, 'index-none');
      // As the ShardingManager starts a shard: its variables and an IPC channel.
      const child = spawn(process.execPath, [path.join(PROJECT_DIR, 'dist', 'main.js')], {
        cwd: workspace.dir,
        env: {
          PATH: PATH ?? '',
          HOME: HOME ?? workspace.dir,
          SHARDING_MANAGER: 'true',
          SHARDS: '1',
          SHARD_COUNT: '2',
          DISCORD_TOKEN: TOKEN,
          DISCORD_API_URL: 'http://127.0.0.1:9/api',
          CORPUS_DIR: workspace.corpusDir,
          INDEX_DIR: indexDir,
          MODEL_DIR: MODEL_CACHE_DIR,
          DATA_DIR: path.join(workspace.dir, 'data-none'),
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
      const code = await withTimeout(
        new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode))),
        90_000,
        'the shard exiting',
      );
      expect(code).toBe(1);
      expect(stderr).toContain(
        `[shard 1] [error] There is no index in ${path.join(indexDir, 'index')}: run \`npm run ingest\` to build it`,
      );
      expect(stderr).not.toContain('Building the index');
      expect(await readdir(indexDir).catch(() => [])).toEqual([]);
    } finally {
      await workspace.remove();
    }
  }, 120_000);
});
