/** `npm run deploy-commands` and `npm run feedback`, run as real processes (against the fake Discord for the first). */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandData } from '../../src/bot/commands/index.js';
import { FeedbackLog } from '../../src/bot/feedback.js';
import { FakeDiscord } from '../fakes/discord-server.js';
import { copySeedIndex } from '../support/workspace.js';
import { PROJECT_DIR, TOKEN } from './harness.js';

const run = promisify(execFile);
const TSX = path.join(PROJECT_DIR, 'node_modules', '.bin', 'tsx');
let fake: FakeDiscord;
let dir: string;

beforeAll(async () => {
  fake = await FakeDiscord.start();
  dir = await mkdtemp(path.join(tmpdir(), 'seed-bot-scripts-'));
  // The bot (src/main.ts, below) over seeds/ starts from the seed index the global set-up built, as
  // a bot with an index does: what is tested is what it says when Discord cannot be reached.
  await copySeedIndex(path.join(dir, 'index'));
});
afterAll(async () => {
  await fake?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Run a script with a clean environment in a folder without `.env`. */
function script(name: string, environment: Record<string, string>, args: string[] = []) {
  const { PATH, HOME, SystemRoot } = process.env;
  return run(TSX, [path.join(PROJECT_DIR, 'scripts', name), ...args], {
    cwd: dir,
    env: { PATH: PATH ?? '', HOME: HOME ?? dir, ...(SystemRoot ? { SystemRoot } : {}), DATA_DIR: path.join(dir, 'data'), ...environment },
    timeout: 30_000,
  });
}

describe('deploy-commands', () => {
  it('registers globally, taking the application id from the API when not configured', async () => {
    const { stderr } = await script('deploy-commands.ts', { DISCORD_TOKEN: TOKEN, DISCORD_API_URL: fake.apiUrl });
    const me = await fake.waitForRequest((request) => request.path === '/applications/@me');
    expect(me.authorization).toBe(`Bot ${TOKEN}`);
    const put = await fake.waitForRequest(
      (request) => request.method === 'PUT' && request.path === `/applications/${fake.applicationId}/commands`,
    );
    expect(put.body).toEqual(commandData());
    expect(stderr).toContain('registered 13 commands globally');
    expect(stderr).not.toContain(TOKEN);
  });

  it('registers in one server when DISCORD_GUILD_ID is set', async () => {
    const { stderr } = await script('deploy-commands.ts', {
      DISCORD_TOKEN: TOKEN,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_GUILD_ID: fake.guildId,
    });
    const put = await fake.waitForRequest(
      (request) => request.method === 'PUT' && request.path === `/applications/${fake.applicationId}/guilds/${fake.guildId}/commands`,
    );
    expect(put.body.map((command: { name: string }) => command.name)).toEqual([
      'ask',
      'search',
      'timeline',
      'source',
      'sources',
      'help',
      'reindex',
      'scope',
      'add-source',
      'remove-source',
      'Find sources',
      'Add linked article to sources',
      'feeds',
    ]);
    // Issue #13: /timeline with its topic, and /ask's optional user option `target`.
    const options = (name: string) =>
      put.body
        .find((command: { name: string }) => command.name === name)
        .options.map((option: { name: string; type: number; required?: boolean }) => [option.name, option.type, option.required ?? false]);
    expect(options('timeline')).toEqual([['topic', 3, true]]);
    // Issue #13 item 5: sources added and removed from Discord.
    // Issue #23: a file or a web address, and the feeds.
    expect(options('add-source')).toEqual([
      ['file', 11, false],
      ['url', 3, false],
      ['collection', 3, false],
      ['replace', 5, false],
    ]);
    expect(options('feeds')).toEqual([
      ['add', 1, false],
      ['list', 1, false],
      ['remove', 1, false],
    ]);
    const linkMenu = put.body.find((command: { name: string }) => command.name === 'Add linked article to sources');
    expect([linkMenu.type, linkMenu.default_member_permissions]).toEqual([3, '32']);
    expect(options('remove-source')).toEqual([['name', 3, true]]);
    expect(options('ask')).toContainEqual(['target', 6, false]);
    // Issue #13 item 4: /scope with its three subcommands, open to all (set and clear check Manage Server themselves).
    expect(options('scope')).toEqual([
      ['set', 1, false],
      ['clear', 1, false],
      ['show', 1, false],
    ]);
    expect(stderr).toContain(`in server ${fake.guildId}`);
  });

  it('says in one line, without a stack trace, that Discord rejected the token or cannot be reached', async () => {
    fake.unauthorized = true;
    try {
      const rejected = await script('deploy-commands.ts', { DISCORD_TOKEN: TOKEN, DISCORD_API_URL: fake.apiUrl }).catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect(rejected).toMatchObject({ code: 1 });
      expect((rejected as { stderr: string }).stderr.trim()).toBe(
        '[error] Discord rejected DISCORD_TOKEN: copy the bot token again from the Developer Portal (Bot → Reset Token).',
      );
    } finally {
      fake.unauthorized = false;
    }
    const closed = 'http://127.0.0.1:9/api';
    for (const [name, environment] of [
      ['deploy-commands.ts', {}],
      [
        '../src/main.ts',
        {
          CORPUS_DIR: path.join(PROJECT_DIR, 'seeds'),
          INDEX_DIR: path.join(dir, 'index'),
          MODEL_DIR: path.join(PROJECT_DIR, 'embeddings', 'models'),
        },
      ],
    ] as const) {
      const failure = await script(name, { DISCORD_TOKEN: TOKEN, DISCORD_API_URL: closed, ...environment }).catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure, name).toMatchObject({ code: 1 });
      const lines = (failure as { stderr: string }).stderr.trim().split('\n');
      expect(lines.at(-1), name).toBe(
        `[error] Cannot reach Discord at ${closed} (DISCORD_API_URL): ECONNREFUSED. Check the network, or unset DISCORD_API_URL to use https://discord.com/api.`,
      );
      expect((failure as { stderr: string }).stderr, name).not.toMatch(/\n\s+at /);
    }
  }, 60_000);

  it('explains a missing token instead of crashing', async () => {
    const failure = await script('deploy-commands.ts', { DISCORD_API_URL: fake.apiUrl }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('DISCORD_TOKEN is not set');
  });
});

describe('feedback', () => {
  it('summarises the log', async () => {
    const empty = await script('feedback.ts', {});
    expect(empty.stdout).toContain('No feedback yet');
    const log = new FeedbackLog(path.join(dir, 'data'));
    await log.recordQuestion({ userId: '111111111111111111', via: 'ask', question: 'Q one?', answered: true, sources: ['a.txt'] });
    await log.recordQuestion({ userId: '222222222222222222', via: 'mention', question: 'Q two?', answered: false, sources: [] });
    await log.recordVote({ userId: '111111111111111111', vote: 'down', question: 'Q one?', answered: true, sources: ['a.txt'] });
    const { stdout } = await script('feedback.ts', {});
    expect(stdout).toContain('Questions: 2 (1 answered, 50%) from 2 users');
    expect(stdout).toContain('Votes: 👍 0 · 👎 1 (0% positive)');
    expect(stdout).toContain('a.txt');
    expect(stdout).toContain('Recent 👎 questions:\n  - Q one?');
    expect(stdout).toContain('Recent unanswered questions:\n  - Q two?');
    const json = JSON.parse((await script('feedback.ts', {}, ['--json'])).stdout);
    expect(json).toMatchObject({ questions: 2, answered: 1, up: 0, down: 1 });
  });
});
