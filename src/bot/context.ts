/**
 * What every command and handler receives, the `Command` shape, and the reply helpers that
 * enforce the bot's rules for every message it sends (no pings, ephemeral when asked, deferring
 * when an answer may miss the 3-second interaction deadline).
 */
import { MessageFlags } from 'discord.js';
import type {
  APIEmbed,
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  MessageContextMenuCommandInteraction,
  RepliableInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import type { AnswerEngine, Passage, ScopeOptions, Timeline } from '../core/types.js';
import type { Config } from '../config.js';
import type { Logger } from '../core/log.js';
import { addressed } from '../render/discord.js';
import type { ButtonRow } from '../render/discord-pages.js';
import type { StateStore } from './components.js';
import { CONVERSATION_TURNS, type Conversations } from './conversations.js';
import type { CorpusChanges } from './corpus-changes.js';
import type { FeedbackLog } from './feedback.js';
import type { Cooldowns, Preconditions, QuestionNeed, RequiredPermissions } from './preconditions.js';
import type { FeedStore } from './feeds.js';
import type { ScopeStore } from './scopes.js';
import type { WebSources } from './web-sources.js';

/** Sent with every message: nobody is ever pinged, not even the person replied to. */
export const NO_MENTIONS = Object.freeze({ parse: [] as never[], repliedUser: false });

/**
 * Sent with a message addressed to one person (`/ask target:`, a shared "Find sources"): it pings
 * that user and nobody else. Nothing is parsed from the text (no roles, no @everyone), and there is
 * no replied user: discord.js sends exactly `{ users: [id] }`.
 */
export function onlyUser(userId: string): { users: string[] } {
  return { users: [userId] };
}

/** State behind a button, kept in the {@link StateStore}. */
export type ButtonState =
  | {
      readonly kind: 'answer';
      readonly question: string;
      readonly answered: boolean;
      readonly sources: readonly string[];
      readonly passages: readonly Passage[];
    }
  | { readonly kind: 'search'; readonly query: string; readonly passages: readonly Passage[]; readonly ownerId: string }
  | { readonly kind: 'timeline'; readonly timeline: Timeline; readonly ownerId: string }
  /** A private "Find sources" result; posted publicly, it is addressed to the looked-up message's author (null: to nobody). */
  | { readonly kind: 'share'; readonly embed: APIEmbed; readonly ownerId: string; readonly authorId: string | null }
  /** The links of a message offered by "Add linked article to sources". */
  | { readonly kind: 'links'; readonly urls: readonly string[]; readonly ownerId: string };

/** Tunables with defaults; tests shorten them. */
export interface BotSettings {
  /** Reply directly when the answer is ready within this time, otherwise defer first. */
  readonly deferAfterMs: number;
  /** How long button state (pages, feedback targets) is kept. */
  readonly stateTtlMs: number;
  /** At most this many button states are kept. */
  readonly stateMaxEntries: number;
  /** `stop()` waits at most this long for in-flight replies. */
  readonly stopTimeoutMs: number;
  /** `startBot` fails when the gateway is not ready within this time. */
  readonly readyTimeoutMs: number;
  /** Follow-ups in threads: questions kept per thread, how long they are carried over, how many threads are remembered. */
  readonly conversationQuestions: number;
  readonly conversationWindowMs: number;
  readonly conversationThreads: number;
  /** The clock (cooldowns, state expiry, index age). */
  readonly now: () => number;
}

export const defaultBotSettings: BotSettings = Object.freeze({
  deferAfterMs: 1500,
  stateTtlMs: 15 * 60 * 1000,
  stateMaxEntries: 2000,
  stopTimeoutMs: 10_000,
  readyTimeoutMs: 30_000,
  conversationQuestions: CONVERSATION_TURNS,
  conversationWindowMs: 30 * 60 * 1000,
  conversationThreads: 1000,
  now: Date.now,
});

/** Everything a handler needs; passed explicitly, never global. */
export interface BotContext {
  readonly config: Config;
  readonly engine: AnswerEngine;
  readonly log: Logger;
  readonly feedback: FeedbackLog;
  readonly bootId: string;
  readonly states: StateStore<ButtonState>;
  readonly cooldowns: Cooldowns;
  /** The threads the bot answers in and their last questions, for follow-ups. */
  readonly conversations: Conversations;
  readonly settings: BotSettings;
  /** Whether a `/reindex` is running (only one at a time). */
  readonly reindex: { running: boolean };
  /** `/add-source`, `/remove-source` and `/reindex`, one at a time. */
  readonly corpusChanges: CorpusChanges;
  /** Which collections each channel answers from (`/scope`). */
  readonly scopes: ScopeStore;
  /** Pages added from the web (`/add-source url:`, the link menu, feeds). */
  readonly webSources: WebSources;
  /** The feeds that keep collections current (`/feeds`). */
  readonly feeds: FeedStore;
}

/**
 * The part of the corpus a command answers from: its channel's scope (a thread's: its parent
 * channel's), resolved once by the dispatcher; `{}` is the whole corpus.
 */
export type ChannelScope = ScopeOptions;

/** Whether citations and lists name each document's collection: only when the corpus has more than one. */
export function showsCollections(context: BotContext): boolean {
  return context.engine.collections().length > 1;
}

/**
 * A slash command: its registration JSON, what it needs checked before it runs, and its handlers.
 * `execute` gets the cleaned question when `preconditions.question` names the option that holds it,
 * and the channel's scope, which every command that reads the corpus passes on to the engine.
 */
export interface SlashCommand {
  readonly kind: 'slash';
  readonly data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  readonly preconditions?: Preconditions<QuestionNeed & { readonly option: string }>;
  /** Checked with the preconditions, before `execute`; `default_member_permissions` only hides the command. */
  readonly requiredPermissions?: RequiredPermissions;
  execute(interaction: ChatInputCommandInteraction, context: BotContext, question: string, scope: ChannelScope): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, context: BotContext, scope: ChannelScope): Promise<void>;
}

/** A message context-menu command ("Apps → …" on a message); its question is the message's text. */
export interface MessageMenuCommand {
  readonly kind: 'message';
  readonly data: RESTPostAPIContextMenuApplicationCommandsJSONBody;
  readonly preconditions?: Preconditions;
  readonly requiredPermissions?: RequiredPermissions;
  execute(interaction: MessageContextMenuCommandInteraction, context: BotContext, question: string, scope: ChannelScope): Promise<void>;
}

export type Command = SlashCommand | MessageMenuCommand;

/** The body of a message the bot sends. */
export interface MessageBody {
  readonly content?: string;
  readonly embeds?: readonly APIEmbed[];
  readonly components?: readonly ButtonRow[];
  /** The one user the message is addressed to (its content mentions them): the only one it pings. */
  readonly addressee?: string;
}

function withRules(body: MessageBody) {
  return {
    ...(body.content === undefined ? {} : { content: body.content }),
    embeds: [...(body.embeds ?? [])],
    components: [...(body.components ?? [])],
    allowedMentions: body.addressee === undefined ? NO_MENTIONS : onlyUser(body.addressee),
  };
}

/** The message options for a channel message or reply, with the no-ping rule. */
export function messageOptions(body: MessageBody) {
  return withRules(body);
}

/**
 * Reply to an interaction whatever state it is in (fresh, deferred, already replied), with
 * mentions disabled. `ephemeral` only matters for a fresh interaction or a follow-up.
 */
export async function send(interaction: RepliableInteraction, body: MessageBody, options: { ephemeral: boolean }): Promise<void> {
  const payload = withRules(body);
  const flags = options.ephemeral ? MessageFlags.Ephemeral : undefined;
  if (interaction.deferred && !interaction.replied) {
    await interaction.editReply(payload);
  } else if (interaction.replied) {
    await interaction.followUp({ ...payload, ...(flags === undefined ? {} : { flags }) });
  } else {
    await interaction.reply({ ...payload, ...(flags === undefined ? {} : { flags }) });
  }
}

/** A short private notice (errors, refusals, confirmations). */
export function notice(interaction: RepliableInteraction, text: string): Promise<void> {
  return send(interaction, { content: text.slice(0, 2000) }, { ephemeral: true });
}

/**
 * Run `work` and reply with its result: directly when it finishes within `deferAfterMs`,
 * otherwise defer first (so the 3-second interaction deadline is met) and edit the reply after.
 */
export async function replyWhenReady(
  interaction: ChatInputCommandInteraction | MessageContextMenuCommandInteraction,
  work: Promise<MessageBody>,
  options: { ephemeral: boolean; deferAfterMs: number },
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = Symbol('late');
  const first = await Promise.race([
    work,
    new Promise<typeof late>((resolve) => {
      timer = setTimeout(() => resolve(late), options.deferAfterMs);
    }),
  ]).finally(() => clearTimeout(timer));
  if (first === late) {
    await interaction.deferReply(options.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    const body = await work;
    await send(interaction, body, options);
    // Discord pings nobody when a deferred reply is edited: a public reply addressed to someone
    // tells them in a short follow-up, a new message, which pings them (and only them).
    if (body.addressee !== undefined && !options.ephemeral) {
      await interaction.followUp({
        content: addressed(body.addressee, 'the answer above is for you.'),
        allowedMentions: onlyUser(body.addressee),
      });
    }
  } else {
    await send(interaction, first, options);
  }
}
