/**
 * Shared set-up for the end-to-end tests: the real engine over a temp copy of seeds/, the fake
 * Discord, and the real bot (discord.js client) logged in to it.
 */
import type { ClientOptions } from 'discord.js';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createEngine } from '../../src/answer/engine.js';
import type { AnswerEngine } from '../../src/core/types.js';
import { startBot, type RunningBot, type StartBotOptions } from '../../src/bot/client.js';
import type { BotSettings } from '../../src/bot/context.js';
import type { Config } from '../../src/config.js';
import { createLogger, silentLogger } from '../../src/core/log.js';
import { FakeDiscord, type RecordedRequest } from '../fakes/discord-server.js';
import { createWorkspace, PROJECT_DIR, useWorkspace, type Workspace, type WorkspaceOptions } from '../support/workspace.js';

export { createWorkspace, PROJECT_DIR, useWorkspace, type Workspace };
export const TOKEN = 'MTAfake.bot-token.SECRET-do-not-log-1234567890';

/** Client options that make tests fast: no identify wait, no global REST limiter, short guild wait. */
export const fastClientOptions: Partial<ClientOptions> = {
  ws: { buildIdentifyThrottler: async () => ({ waitForIdentify: async () => {} }) },
  rest: { globalRequestsPerSecond: 10_000, timeout: 5_000 },
  waitGuildTimeout: 200,
};

/** The real engine (real model, real index) over the workspace's corpus. */
export function createRealEngine(workspace: Workspace): Promise<AnswerEngine> {
  return createEngine(workspace.config, silentLogger);
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
  environment?: Record<string, string> | undefined;
  settings?: Partial<BotSettings> | undefined;
  fake?: FakeDiscord;
  /** Sources from the web: the feed poller's tick, the test web server's address let through the rules. */
  botOptions?: Pick<StartBotOptions, 'feedPoller' | 'trustedAddresses' | 'pollFeeds'> | undefined;
}): Promise<TestBot> {
  const fake = options.fake ?? (await FakeDiscord.start());
  const config = options.workspace.configWith({
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

export interface RealEngineOptions {
  /** The workspace: by default a copy of seeds/ and of the seed index. */
  readonly workspace?: WorkspaceOptions;
  /** Run once the workspace exists, before the engine loads (documents to add, a database to start). */
  readonly before?: (workspace: Workspace) => Promise<void> | void;
  /** The engine: by default the real one over the workspace's config (`createRealEngine`). */
  readonly engine?: (workspace: Workspace) => Promise<AnswerEngine>;
  /** Run after every bot has stopped, before the workspace is removed. */
  readonly after?: () => Promise<void> | void;
}

export interface RealEngine {
  readonly workspace: Workspace;
  readonly engine: AnswerEngine;
  /** Start a bot for one test over the shared engine; it is closed after that test. */
  startBot(options?: Omit<Parameters<typeof startTestBot>[0], 'workspace' | 'engine'>): Promise<TestBot>;
}

/** One workspace and the real engine, shared by the tests of a file; bots started by `startBot` are closed after each test. */
export function useRealEngine(options: RealEngineOptions = {}): RealEngine {
  const started: TestBot[] = [];
  const shared = {
    async startBot(botOptions = {}) {
      const harness = await startTestBot({ workspace: shared.workspace, engine: shared.engine, ...botOptions });
      started.push(harness);
      return harness;
    },
  } as { workspace: Workspace; engine: AnswerEngine; startBot: RealEngine['startBot'] };
  const own = useWorkspace(options.workspace);
  beforeAll(async () => {
    shared.workspace = own.workspace;
    await options.before?.(shared.workspace);
    shared.engine = await (options.engine ?? createRealEngine)(shared.workspace);
  });
  afterEach(async () => {
    for (const harness of started.splice(0)) await harness.close();
  });
  // Hooks after all run last registered first: the bots stop, this runs, then the workspace is removed.
  afterAll(async () => {
    await options.after?.();
  });
  return shared;
}

export interface RealBotOptions extends RealEngineOptions {
  /** Extra environment variables for the bot (a function: read once the `before` step ran). */
  readonly environment?: Record<string, string> | (() => Record<string, string>);
  readonly settings?: Partial<BotSettings>;
  readonly botOptions?: Parameters<typeof startTestBot>[0]['botOptions'];
}

/** One workspace, the real engine and a bot logged in to a fake Discord, shared by the tests of a file. */
export function useRealBot(options: RealBotOptions = {}): RealEngine & { readonly harness: TestBot } {
  const real = useRealEngine(options);
  let harness: TestBot | undefined;
  beforeAll(async () => {
    const { environment, settings, botOptions } = options;
    harness = await startTestBot({
      workspace: real.workspace,
      engine: real.engine,
      environment: typeof environment === 'function' ? environment() : environment,
      settings,
      botOptions,
    });
  });
  afterAll(async () => {
    await harness?.close();
  });
  return {
    get workspace() {
      return real.workspace;
    },
    get engine() {
      return real.engine;
    },
    get harness() {
      if (!harness) throw new Error('the bot starts in beforeAll');
      return harness;
    },
    startBot: (botOptions) => real.startBot(botOptions),
  };
}
