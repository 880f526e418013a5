/**
 * Shared set-up for the end-to-end tests: the real engine over a temp copy of seeds/, the fake
 * Discord, and the real bot (discord.js client) logged in to it.
 */
import type { ClientOptions } from 'discord.js';
import { afterAll, beforeAll } from 'vitest';
import { createEngine } from '../../src/answer/engine.js';
import type { AnswerEngine } from '../../src/core/types.js';
import { startBot, type RunningBot, type StartBotOptions } from '../../src/bot/client.js';
import type { BotSettings } from '../../src/bot/context.js';
import type { Config } from '../../src/config.js';
import { createLogger, silentLogger } from '../../src/core/log.js';
import { FakeDiscord, type RecordedRequest } from '../fakes/discord-server.js';
import { createTempProject, PROJECT_DIR } from '../support/temp-project.js';

export { PROJECT_DIR };
export const TOKEN = 'MTAfake.bot-token.SECRET-do-not-log-1234567890';

/** Client options that make tests fast: no identify wait, no global REST limiter, short guild wait. */
export const fastClientOptions: Partial<ClientOptions> = {
  ws: { buildIdentifyThrottler: async () => ({ waitForIdentify: async () => {} }) },
  rest: { globalRequestsPerSecond: 10_000, timeout: 5_000 },
  waitGuildTimeout: 200,
};

export interface Workspace {
  readonly dir: string;
  readonly corpusDir: string;
  config(environment?: Record<string, string>): Config;
  remove(): Promise<void>;
}

/** A temp folder with a copy of seeds/, its own index and data folders, and the project's model cache. */
export async function createWorkspace(): Promise<Workspace> {
  const project = await createTempProject();
  return {
    dir: project.dir,
    corpusDir: project.corpusDir,
    config: (environment = {}) => project.configWith(environment),
    remove: project.cleanup,
  };
}

/** The real engine (real model, real index) over the workspace's corpus. */
export function createRealEngine(workspace: Workspace): Promise<AnswerEngine> {
  return createEngine(workspace.config(), silentLogger);
}

export interface TestBot {
  readonly fake: FakeDiscord;
  readonly bot: RunningBot;
  readonly config: Config;
  /** Every log line the bot wrote, unredacted (the tests check the token never appears). */
  readonly logs: string[];
  /** Stop the bot (with a timeout) and the fake. */
  close(): Promise<void>;
}

/** Start a fake Discord and the real bot logged in to it. */
export async function startTestBot(options: {
  workspace: Workspace;
  engine: AnswerEngine;
  environment?: Record<string, string>;
  settings?: Partial<BotSettings>;
  fake?: FakeDiscord;
  /** Sources from the web: the feed poller's tick, the test web server's address let through the rules. */
  botOptions?: Pick<StartBotOptions, 'feedPoller' | 'trustedAddresses' | 'pollFeeds'>;
}): Promise<TestBot> {
  const fake = options.fake ?? (await FakeDiscord.start());
  const config = options.workspace.config({
    DISCORD_TOKEN: TOKEN,
    DISCORD_API_URL: fake.apiUrl,
    DISCORD_COOLDOWN_SECONDS: '0',
    DISCORD_REGISTER_COMMANDS: 'true',
    DISCORD_GUILD_ID: fake.guildId,
    ...options.environment,
  });
  const logs: string[] = [];
  const log = createLogger('debug', { write: (line) => logs.push(line) });
  const bot = await startBot({
    config,
    engine: options.engine,
    log,
    clientOptions: fastClientOptions,
    settings: { readyTimeoutMs: 10_000, ...options.settings },
    ...options.botOptions,
  });
  return {
    fake,
    bot,
    config,
    logs,
    async close() {
      await withTimeout(bot.stop(), 15_000, 'bot.stop()');
      await fake.stop();
    },
  };
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Requests that carry a message (interaction replies/updates, webhook edits/follow-ups, channel messages). */
export function messageRequests(fake: FakeDiscord): { request: RecordedRequest; message: any }[] {
  return fake.requests.flatMap((request) => {
    if (request.path.endsWith('/callback') && (request.body?.type === 4 || request.body?.type === 7))
      return [{ request, message: request.body.data }];
    if (request.path.startsWith('/webhooks/') && (request.method === 'PATCH' || request.method === 'POST'))
      return [{ request, message: request.body }];
    if (/^\/channels\/\d+\/messages$/.test(request.path) && request.method === 'POST') return [{ request, message: request.body }];
    return [];
  });
}

/** Every Discord limit, checked on one message body; returns the broken rules. */
export function limitViolations(message: any): string[] {
  const problems: string[] = [];
  if ((message.content ?? '').length > 2000) problems.push(`content ${message.content.length} > 2000`);
  const embeds: any[] = message.embeds ?? [];
  if (embeds.length > 10) problems.push('more than 10 embeds');
  let total = 0;
  for (const embed of embeds) {
    if ((embed.title ?? '').length > 256) problems.push('title > 256');
    if ((embed.description ?? '').length > 4096) problems.push(`description ${embed.description.length} > 4096`);
    if ((embed.fields ?? []).length > 25) problems.push('more than 25 fields');
    for (const field of embed.fields ?? []) {
      if (field.name.length > 256) problems.push('field name > 256');
      if (field.value.length > 1024) problems.push(`field value ${field.value.length} > 1024`);
      if (field.value.length === 0 || field.name.length === 0) problems.push('empty field');
    }
    if ((embed.footer?.text ?? '').length > 2048) problems.push('footer > 2048');
    total +=
      (embed.title ?? '').length +
      (embed.description ?? '').length +
      (embed.footer?.text ?? '').length +
      (embed.author?.name ?? '').length +
      (embed.fields ?? []).reduce((sum: number, field: any) => sum + field.name.length + field.value.length, 0);
  }
  if (total > 6000) problems.push(`embeds total ${total} > 6000`);
  const rows: any[] = message.components ?? [];
  if (rows.length > 5) problems.push('more than 5 rows');
  for (const row of rows) {
    if ((row.components ?? []).length > 5) problems.push('more than 5 buttons in a row');
    for (const component of row.components ?? []) if ((component.custom_id ?? '').length > 100) problems.push('custom_id > 100');
  }
  return problems;
}

/** The custom ids of the buttons in a message body. */
export function buttonIds(message: any): string[] {
  return (message.components ?? []).flatMap((row: any) => (row.components ?? []).map((component: any) => component.custom_id as string));
}

/** What every message says to Discord when it pings nobody. */
export const NO_PINGS = { parse: [], replied_user: false };

/** One workspace, the real engine and a bot logged in to a fake Discord, shared by the tests of a file. */
export function useRealBot(): { readonly workspace: Workspace; readonly engine: AnswerEngine; readonly harness: TestBot } {
  const shared = {} as { workspace: Workspace; engine: AnswerEngine; harness: TestBot };
  beforeAll(async () => {
    shared.workspace = await createWorkspace();
    shared.engine = await createRealEngine(shared.workspace);
    shared.harness = await startTestBot({ workspace: shared.workspace, engine: shared.engine });
  });
  afterAll(async () => {
    await shared.harness?.close();
    await shared.workspace?.remove();
  });
  return shared;
}
