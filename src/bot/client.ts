/**
 * Wiring: the discord.js client, its intents, one error boundary per event, command
 * registration, and a graceful stop that lets in-flight replies finish.
 */
import { explainDiscordFailure } from './discord-errors.js';
import {
  ChannelType,
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Routes,
  type ChatInputCommandInteraction,
  type ClientOptions,
  type Interaction,
  type MessageContextMenuCommandInteraction,
  type Message,
} from 'discord.js';
import type { AnswerEngine } from '../core/types.js';
import type { Config } from '../config.js';
import type { Logger } from '../core/log.js';
import { handleButton } from './buttons.js';
import { commandData, commands } from './commands/index.js';
import { newBootId, StateStore } from './components.js';
import {
  type ChannelScope,
  defaultBotSettings,
  notice,
  NO_MENTIONS,
  type BotContext,
  type BotSettings,
  type ButtonState,
  type Command,
} from './context.js';
import { Conversations } from './conversations.js';
import { CorpusChanges } from './corpus-changes.js';
import { FeedbackLog } from './feedback.js';
import { handleMention } from './mentions.js';
import { type Asked, checkPreconditions, Cooldowns, type Declarations } from './preconditions.js';
import { handleLinkChoice } from './commands/add-linked-article.js';
import { FeedPoller, FeedStore, type PollerOptions } from './feeds.js';
import { ScopeStore } from './scopes.js';
import { WebSources } from './web-sources.js';

export const APOLOGY = 'Sorry, something went wrong while answering. The error has been logged; please try again.';

export interface StartBotOptions {
  readonly config: Config;
  readonly engine: AnswerEngine;
  readonly log: Logger;
  /** Extra client options (tests: identify throttler, REST speed-ups). `rest.api` always comes from the config. */
  readonly clientOptions?: Partial<ClientOptions>;
  /** Timing tunables (tests shorten them). */
  readonly settings?: Partial<BotSettings>;
  /** Whether this process polls the feeds (default true; of several shards only shard 0 does). */
  readonly pollFeeds?: boolean;
  /** Tests: how often the poller looks for due feeds, and addresses let through the private-address rules. */
  readonly feedPoller?: PollerOptions;
  readonly trustedAddresses?: ReadonlySet<string>;
}

export interface RunningBot {
  readonly client: Client<true>;
  /** Waits for in-flight replies (bounded by `stopTimeoutMs`), then destroys the client. */
  stop(): Promise<void>;
}

/** The gateway intents: message content only when mention mode is on (it is privileged). */
export function intentsFor(config: Config): GatewayIntentBits[] {
  const intents = [GatewayIntentBits.Guilds];
  if (config.discord.mentions) intents.push(GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent);
  return intents;
}

/** Register every command: in one server when a guild id is set (instant), else globally. */
export async function registerCommands(client: Client<true>, config: Config, log: Logger): Promise<void> {
  const applicationId = config.discord.applicationId ?? client.application.id;
  const route =
    config.discord.guildId === undefined
      ? Routes.applicationCommands(applicationId)
      : Routes.applicationGuildCommands(applicationId, config.discord.guildId);
  const registered = (await client.rest.put(route, { body: commandData() })) as unknown[];
  log.info(
    `registered ${registered.length} commands ${config.discord.guildId === undefined ? 'globally' : `in server ${config.discord.guildId}`}`,
  );
}

const registry = new Map<string, Command>(commands.map((command) => [command.data.name, command]));

function describe(interaction: Interaction): string {
  if (interaction.isCommand() || interaction.isAutocomplete()) return `/${interaction.commandName}`;
  if (interaction.isButton()) return `button ${interaction.customId}`;
  if (interaction.isStringSelectMenu()) return `select menu ${interaction.customId}`;
  return `interaction type ${interaction.type}`;
}

/** The scope of the channel an interaction comes from (a thread follows its parent channel). */
function scopeOfInteraction(interaction: Interaction, context: BotContext): ChannelScope {
  const channel = interaction.channel;
  return context.scopes.scopeOf({
    channelId: interaction.channelId,
    threadParentId: channel?.isThread() ? channel.parentId : null,
  });
}

/** A command's preconditions, with its `requiredPermissions` added as one more (as Sapphire does). */
function declarationsOf(command: Command): Declarations {
  const { preconditions, requiredPermissions } = command;
  return requiredPermissions === undefined ? (preconditions ?? {}) : { ...preconditions, requiredPermissions };
}

/** The facts the preconditions check, read from the interaction as far as the command declares them. */
function askedOf(interaction: ChatInputCommandInteraction | MessageContextMenuCommandInteraction, command: Command): Asked {
  const needs = command.preconditions;
  // The text a question precondition checks: the option the command names, or the message it was used on.
  const option = needs?.question?.option;
  let text = '';
  if (interaction.isMessageContextMenuCommand()) text = interaction.targetMessage.content;
  else if (option !== undefined) text = interaction.options.getString(option) ?? '';
  // The person a public reply is addressed to: the user the command's target option names.
  const targetNeed = needs?.target;
  let target: Asked['target'] = null;
  if (targetNeed !== undefined && interaction.isChatInputCommand()) {
    const user = interaction.options.getUser(targetNeed.option);
    if (user !== null)
      target = { id: user.id, bot: user.bot, privately: interaction.options.getBoolean(targetNeed.privateOption) === true };
  }
  // A new thread asked for (`thread:true`): public, from a message in a server text channel.
  const threadNeed = needs?.thread;
  let thread: Asked['thread'] = null;
  if (threadNeed !== undefined && interaction.isChatInputCommand() && interaction.options.getBoolean(threadNeed.option) === true) {
    const type = interaction.channel?.type;
    thread = {
      privately: interaction.options.getBoolean(threadNeed.privateOption) === true,
      channelCanThread: type === ChannelType.GuildText || type === ChannelType.GuildAnnouncement,
    };
  }
  return {
    userId: interaction.user.id,
    channelId: interaction.channelId,
    parentId: interaction.channel !== null && 'parentId' in interaction.channel ? interaction.channel.parentId : null,
    text,
    target,
    thread,
    permissions: interaction.memberPermissions,
    subcommand: interaction.isChatInputCommand() ? interaction.options.getSubcommand(false) : null,
  };
}

/** Route an interaction; commands run only once their preconditions pass, with their channel's scope. */
async function dispatch(interaction: Interaction, context: BotContext): Promise<void> {
  if (interaction.isAutocomplete()) {
    const command = registry.get(interaction.commandName);
    if (command?.kind === 'slash' && command.autocomplete !== undefined)
      await command.autocomplete(interaction, context, scopeOfInteraction(interaction, context));
    else await interaction.respond([]);
    return;
  }
  if (interaction.isButton()) return handleButton(interaction, context);
  if (interaction.isStringSelectMenu()) return handleLinkChoice(interaction, context);
  if (!interaction.isChatInputCommand() && !interaction.isMessageContextMenuCommand()) return;

  const command = registry.get(interaction.commandName);
  if (command === undefined) return notice(interaction, 'This command is no longer supported.');
  const checked = checkPreconditions(context, declarationsOf(command), askedOf(interaction, command));
  if (!checked.ok) return notice(interaction, checked.reason);
  const scope = scopeOfInteraction(interaction, context);
  if (command.kind === 'slash' && interaction.isChatInputCommand()) await command.execute(interaction, context, checked.question, scope);
  else if (command.kind === 'message' && interaction.isMessageContextMenuCommand())
    await command.execute(interaction, context, checked.question, scope);
}

/** The error boundary for interactions: log the stack, give the user a short private apology. */
async function onInteraction(interaction: Interaction, context: BotContext): Promise<void> {
  try {
    await dispatch(interaction, context);
  } catch (error) {
    context.log.error(`${describe(interaction)} failed`, error);
    try {
      if (interaction.isAutocomplete()) {
        if (!interaction.responded) await interaction.respond([]);
      } else if (interaction.isRepliable()) {
        if (interaction.deferred && !interaction.replied)
          await interaction.editReply({ content: APOLOGY, embeds: [], components: [], allowedMentions: NO_MENTIONS });
        else if (interaction.replied)
          await interaction.followUp({ content: APOLOGY, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
        else await interaction.reply({ content: APOLOGY, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
      }
    } catch (replyError) {
      context.log.error(`could not send the apology for ${describe(interaction)}`, replyError);
    }
  }
}

/** The error boundary for messages. */
async function onMessage(message: Message, context: BotContext): Promise<void> {
  try {
    await handleMention(message, context);
  } catch (error) {
    context.log.error(`answering message ${message.id} failed`, error);
    try {
      await message.reply({ content: APOLOGY, allowedMentions: NO_MENTIONS });
    } catch (replyError) {
      context.log.error(`could not send the apology for message ${message.id}`, replyError);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Everything the handlers share; the stores under `config.dataDir` are opened here. */
async function createContext(options: StartBotOptions, settings: BotSettings): Promise<BotContext> {
  const { config, engine, log } = options;
  const corpusChanges = new CorpusChanges(config.corpusDir, engine, log, config.dataDir);
  const webSources = new WebSources(corpusChanges, engine, log, config.dataDir, config.sources, options.trustedAddresses);
  return {
    config,
    engine,
    log,
    feedback: new FeedbackLog(config.dataDir),
    bootId: newBootId(),
    states: new StateStore<ButtonState>({ ttlMs: settings.stateTtlMs, maxEntries: settings.stateMaxEntries, now: settings.now }),
    cooldowns: new Cooldowns(config.discord.cooldownSeconds, settings.now),
    conversations: new Conversations({
      questions: settings.conversationQuestions,
      windowMs: settings.conversationWindowMs,
      threads: settings.conversationThreads,
      now: settings.now,
    }),
    settings,
    reindex: { running: false },
    scopes: await ScopeStore.open(config.dataDir, log),
    corpusChanges,
    webSources,
    feeds: new FeedStore(config.dataDir, log),
  };
}

/** Log what the connection to Discord goes through: errors, warnings, lost and resumed shards, rate limits. */
function logConnectionEvents(client: Client, log: Logger): void {
  client.on(Events.Error, (error) => log.error('Discord client error', error));
  client.on(Events.Warn, (message) => log.warn(`Discord: ${message}`));
  client.on(Events.ShardDisconnect, (event, shard) => log.warn(`gateway shard ${shard} disconnected (code ${event.code})`));
  client.on(Events.ShardResume, (shard, replayed) => log.info(`gateway shard ${shard} resumed (${replayed} events replayed)`));
  client.rest.on('rateLimited', (info) => log.warn(`rate limited on ${info.method} ${info.route}; waiting ${info.timeToReset} ms`));
  // A 429 Discord did not announce shows up only in the REST debug stream; discord.js retries it after Retry-After.
  client.rest.on('restDebug', (message) => {
    if (message.includes('429')) log.warn(`Discord REST: ${message.split('\n')[0] ?? ''} (retrying)`);
  });
}

/** Log in and wait for the gateway to be ready, within `timeoutMs`; a failure destroys the client and is explained. */
async function logIn(client: Client, token: string, timeoutMs: number, config: Config): Promise<Client<true>> {
  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  try {
    await withTimeout(
      client.login(token).then(() => ready),
      timeoutMs,
      'logging in to Discord',
    );
  } catch (error) {
    await client.destroy().catch(() => undefined);
    throw explainDiscordFailure(error, config);
  }
  return client as Client<true>;
}

/**
 * Log in (REST base from `config.discord.apiUrl`; the gateway URL comes from that API), register
 * the commands when `config.discord.registerCommands`, and resolve once the client is ready.
 */
export async function startBot(options: StartBotOptions): Promise<RunningBot> {
  const { config, log } = options;
  const token = config.discord.token;
  if (token === undefined) throw new Error('DISCORD_TOKEN is not set: the bot needs a token to log in');
  const settings: BotSettings = { ...defaultBotSettings, ...options.settings };

  const client = new Client({
    allowedMentions: NO_MENTIONS,
    ...options.clientOptions,
    intents: intentsFor(config),
    rest: { ...options.clientOptions?.rest, api: config.discord.apiUrl },
  });
  const context = await createContext(options, settings);
  const poller =
    options.pollFeeds === false ? null : new FeedPoller(context.feeds, context.webSources, log, config.sources, options.feedPoller);

  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  const track = (work: Promise<void>) => {
    const tracked = work
      .catch((error: unknown) => log.error('unexpected error in an event handler', error))
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  client.on(Events.InteractionCreate, (interaction) => {
    if (!stopping) track(onInteraction(interaction, context));
  });
  client.on(Events.MessageCreate, (message) => {
    if (!stopping) track(onMessage(message, context));
  });
  logConnectionEvents(client, log);

  const readyClient = await logIn(client, token, settings.readyTimeoutMs, config);
  log.info(`Discord: logged in as ${readyClient.user.username} (${readyClient.user.id})`);
  if (config.discord.registerCommands) {
    try {
      await registerCommands(readyClient, config, log);
    } catch (error) {
      log.error('registering commands failed (the bot keeps running with the commands registered before)', error);
    }
  }
  poller?.start();

  return {
    client: readyClient,
    async stop() {
      if (stopping) return;
      stopping = true;
      // A poll in progress stops after its current item; bounded like the replies in flight.
      await withTimeout(poller?.stop() ?? Promise.resolve(), settings.stopTimeoutMs, 'waiting for the feed poll in progress').catch(
        (error: unknown) => log.warn(error instanceof Error ? error.message : String(error)),
      );
      const pending = inFlight.size;
      if (pending > 0) log.info(`waiting for ${pending} in-flight replies before stopping`);
      await withTimeout(Promise.allSettled([...inFlight]), settings.stopTimeoutMs, 'waiting for in-flight replies').catch(
        (error: unknown) => log.warn(error instanceof Error ? error.message : String(error)),
      );
      await client.destroy();
      log.info('Discord: disconnected');
    },
  };
}
