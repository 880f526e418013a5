/**
 * Collections and `/scope`, end to end: the real discord.js client logged in to the fake Discord,
 * the real engine over a temp copy of the seeds (the "default" collection, at the top) plus a
 * `local` collection of two short articles written for this test. A manager limits the fake's
 * channel to `local`; everything asked there is answered from it, the other channel from all;
 * the scope survives a restart of the bot (a new instance on the same DATA_DIR).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScopeMessages } from '../../src/bot/commands/scope.js';
import { SCOPES_FILE } from '../../src/bot/scopes.js';
import { collectionOf } from '../../src/corpus/collections.js';
import { renderAnswer } from '../../src/render/discord.js';
import type { RecordedRequest } from '../fakes/discord-server.js';
import { limitViolations, messageRequests, NO_PINGS, startTestBot, type TestBot, useRealBot } from './harness.js';
import { DUTIES_QUESTION, LOCAL_ARTICLES } from '../support/collections-corpus.js';

const bot = useRealBot({
  before: async (workspace) => {
    await mkdir(path.join(workspace.corpusDir, 'local'));
    for (const [file, text] of Object.entries(LOCAL_ARTICLES)) await writeFile(path.join(workspace.corpusDir, 'local', file), text);
  },
});

/** The files an answer embed cites (its Sources field). */
function citedFiles(embed: any): string[] {
  return [...JSON.stringify(embed.fields ?? []).matchAll(/`([^`]+)`, ¶\d+/g)].map((match) => match[1] ?? '');
}

/** The bot's reply to a user message (by its `message_reference`). */
function replyTo(message: { id: string }): Promise<RecordedRequest> {
  return bot.harness.fake.waitForRequest((request) => request.body?.message_reference?.message_id === message.id, 20_000);
}

const scopeOfChannel = async () => JSON.parse(await readFile(path.join(bot.harness.config.dataDir, SCOPES_FILE), 'utf8')).channels;

describe('/scope', () => {
  it('is registered with set (a collections option with suggestions), clear and show, in servers only', async () => {
    const put = await bot.harness.fake.waitForRequest((request) => request.method === 'PUT');
    const scope = put.body.find((command: any) => command.name === 'scope');
    expect(scope.contexts).toEqual([0]);
    expect(scope.default_member_permissions).toBeUndefined();
    expect(scope.options.map((option: any) => [option.name, option.type])).toEqual([
      ['set', 1],
      ['clear', 1],
      ['show', 1],
    ]);
    expect(scope.options[0].options.map((option: any) => [option.name, option.type, option.required, option.autocomplete])).toEqual([
      ['collections', 3, true, true],
    ]);
  });

  it('refuses a member without Manage Server, privately, and changes nothing', async () => {
    const { fake } = bot.harness;
    const reply = await fake.reply(fake.slashCommand('scope', { collections: 'local' }, { subcommand: 'set' }));
    expect(reply.ephemeral).toBe(true);
    expect(reply.data.content).toBe(ScopeMessages.notManager);
    const cleared = await fake.reply(fake.slashCommand('scope', {}, { subcommand: 'clear' }));
    expect(cleared.data.content).toBe(ScopeMessages.notManager);
    await expect(readFile(path.join(bot.harness.config.dataDir, SCOPES_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('suggests the collections, and refuses an unknown one with the list of known ones', async () => {
    const { fake } = bot.harness;
    const suggested = await fake.callback(fake.autocomplete('scope', 'collections', 'lo', { subcommand: 'set' }));
    expect(suggested.body.data.choices).toEqual([{ name: 'local (2 documents)', value: 'local' }]);
    const refused = await fake.reply(fake.slashCommand('scope', { collections: 'local, gone' }, { subcommand: 'set', admin: true }));
    expect(refused.ephemeral).toBe(true);
    expect(refused.data.content).toBe(
      '**gone** is not a collection of the corpus. Known collections (documents): **default** (5), **local** (2).',
    );
  });

  it('lets a manager limit the channel to a collection, saved in DATA_DIR; anyone may see it', async () => {
    const { fake } = bot.harness;
    const set = await fake.reply(fake.slashCommand('scope', { collections: 'Local' }, { subcommand: 'set', admin: true }));
    expect(set.ephemeral).toBe(true);
    expect(set.data.content).toBe(`<#${fake.channelId}> (and its threads) now answers only from: **local**.`);
    expect(set.data.allowed_mentions).toEqual(NO_PINGS);
    expect(await scopeOfChannel()).toEqual({ [fake.channelId]: ['local'] });
    const shown = await fake.reply(fake.slashCommand('scope', {}, { subcommand: 'show' }));
    expect(shown.ephemeral).toBe(true);
    expect(shown.data.content).toBe(
      `<#${fake.channelId}> (and its threads) answers only from: **local**.\nCollections (documents): **default** (5), **local** (2).`,
    );
    const other = await fake.reply(fake.slashCommand('scope', {}, { subcommand: 'show', channelId: fake.otherChannelId }));
    expect(other.data.content).toMatch(/answers from every collection \(no scope is set\)/);
  });
});

describe('a scoped channel answers only from its collections', () => {
  it('/ask quotes the scoped collection, naming it in the citation; the other channel answers from all', async () => {
    const { fake } = bot.harness;
    const reply = await fake.reply(fake.slashCommand('ask', { question: DUTIES_QUESTION }));
    const [embed] = reply.data.embeds;
    expect(embed).toEqual(
      renderAnswer(await bot.engine.ask(DUTIES_QUESTION, { collections: ['local'] }), {
        builtAt: bot.engine.builtAt(),
        now: new Date(),
        showCollections: true,
      }),
    );
    expect(embed.description).toContain('US duties they face rose to 25%');
    expect(embed.fields[0].value).toContain('(local, 2024-02-10) — `local/furniture.txt`');
    expect(citedFiles(embed).map(collectionOf)).toEqual(citedFiles(embed).map(() => 'local'));

    const unscoped = await fake.reply(fake.slashCommand('ask', { question: DUTIES_QUESTION }, { channelId: fake.otherChannelId }));
    expect(unscoped.data.embeds[0].description).toContain('145% US duties');
    expect(unscoped.data.embeds[0].fields[0].value).toMatch(/\(default, 2025-04-14\) — `00\d_/);
  });

  it('a mention, and a follow-up in a thread of the channel, answer from the scope too', async () => {
    const { fake } = bot.harness;
    const message = fake.userMessage(DUTIES_QUESTION);
    const reply = await replyTo(message);
    expect(reply.body.embeds[0].description).toContain('US duties they face rose to 25%');
    expect(citedFiles(reply.body.embeds[0])).toEqual(['local/furniture.txt']);

    // /ask thread:true starts a thread of the channel; a mention there follows the channel's scope.
    const asked = await fake.reply(fake.slashCommand('ask', { question: 'When did the new ferry line open?', thread: true }));
    expect(asked.data.content).toMatch(/^Answering in a thread/);
    const started = await fake.waitForRequest((request) => /^\/channels\/\d+\/messages\/\d+\/threads$/.test(request.path));
    const first = await fake.waitForRequest(
      (request) =>
        request.index > started.index &&
        request.method === 'POST' &&
        /^\/channels\/\d+\/messages$/.test(request.path) &&
        request.path !== `/channels/${fake.channelId}/messages`,
    );
    const thread = first.path.split('/')[2] ?? '';
    expect(citedFiles(first.body.embeds[0])[0]).toBe('local/ferry.txt');
    for (const file of citedFiles(first.body.embeds[0])) expect(collectionOf(file)).toBe('local');
    const followUp = fake.userMessage('what US duties?', { channelId: thread });
    const answered = await replyTo(followUp);
    for (const file of citedFiles(answered.body.embeds[0])) expect(collectionOf(file)).toBe('local');
    expect(answered.body.embeds[0].description).toContain('US duties they face rose to 25%');
  });

  it('/search, /timeline and "Find sources" keep to the scope', async () => {
    const { fake } = bot.harness;
    const search = await fake.reply(fake.slashCommand('search', { query: 'tariffs and duties' }));
    const searched = search.data.embeds[0].fields.map((field: any) => /`([^`]+)`, ¶/.exec(field.value)?.[1]);
    expect(searched.length).toBeGreaterThan(0);
    for (const file of searched) expect(collectionOf(file)).toBe('local');
    expect(search.data.embeds[0].fields[0].name).toMatch(/\(local, 2024-\d\d-\d\d\)$/);

    const timeline = await fake.reply(fake.slashCommand('timeline', { topic: 'US duties' }));
    const entries = timeline.data.embeds[0].fields.map((field: any) => /`([^`]+)`, ¶\d+$/.exec(field.value)?.[1]);
    expect(entries).toEqual(['local/furniture.txt']);

    const found = await fake.reply(fake.messageCommand('Find sources', 'Beijing faces 145% US duties'));
    const sources = found.data.embeds[0].fields.map((field: any) => /`([^`]+)`, ¶/.exec(field.value)?.[1]);
    expect(sources.length).toBeGreaterThan(0);
    for (const file of sources) expect(collectionOf(file)).toBe('local');
  });

  it('/source suggests and shows only documents of the scope; /sources lists the scope and says so', async () => {
    const { fake } = bot.harness;
    const suggested = await fake.callback(fake.autocomplete('source', 'name', ''));
    expect(suggested.body.data.choices.map((choice: any) => choice.value)).toEqual(['local/ferry.txt', 'local/furniture.txt']);
    const everywhere = await fake.callback(fake.autocomplete('source', 'name', '', { channelId: fake.otherChannelId }));
    expect(everywhere.body.data.choices).toHaveLength(7);

    const outside = await fake.reply(fake.slashCommand('source', { name: '000_7bb7f1e19a806c78.txt' }));
    expect(outside.ephemeral).toBe(true);
    expect(outside.data.content).toBe(
      "`000_7bb7f1e19a806c78.txt` is in the collection **default**, outside this channel's scope (local): see /scope show.",
    );
    const inside = await fake.reply(fake.slashCommand('source', { name: 'local/ferry.txt' }));
    expect(inside.data.embeds[0].fields.slice(0, 2)).toEqual([
      { name: 'Collection', value: 'local', inline: true },
      { name: 'Date', value: '2024-06-20', inline: true },
    ]);

    const listed = await fake.reply(fake.slashCommand('sources'));
    expect(listed.data.embeds[0].title).toBe("Documents in this channel's scope (2)");
    expect(listed.data.embeds[0].description.split('\n').slice(0, 3)).toEqual([
      'This channel answers only from the collection **local**.',
      '',
      '__local__ (2 documents)',
    ]);
    const all = await fake.reply(fake.slashCommand('sources', {}, { channelId: fake.otherChannelId }));
    expect(all.data.embeds[0].title).toBe('Indexed documents (7)');
    expect(all.data.embeds[0].description).toMatch(/^__default__ \(5 documents\)\n/);
  });
});

describe('after a restart', () => {
  let restarted: TestBot | undefined;
  afterAll(async () => {
    await restarted?.bot.stop();
  });

  it('a new bot on the same DATA_DIR keeps the scope; a manager clears it and the channel answers from all again', async () => {
    const { fake } = bot.harness;
    await bot.harness.bot.stop();
    restarted = await startTestBot({ workspace: bot.workspace, engine: bot.engine, fake });
    const shown = await fake.reply(fake.slashCommand('scope', {}, { subcommand: 'show' }));
    expect(shown.data.content).toMatch(/answers only from: \*\*local\*\*\./);
    const reply = await fake.reply(fake.slashCommand('ask', { question: DUTIES_QUESTION }));
    expect(citedFiles(reply.data.embeds[0])).toEqual(['local/furniture.txt']);

    const cleared = await fake.reply(fake.slashCommand('scope', {}, { subcommand: 'clear', admin: true }));
    expect(cleared.data.content).toBe(`<#${fake.channelId}> (and its threads) answers from every collection again.`);
    expect(await scopeOfChannel()).toEqual({});
    const unscoped = await fake.reply(fake.slashCommand('ask', { question: DUTIES_QUESTION }));
    expect(unscoped.data.embeds[0].description).toContain('145% US duties');
  });

  it('sent every message within Discord’s limits, pinging nobody', () => {
    for (const { request, message } of messageRequests(bot.harness.fake)) {
      expect(message.allowed_mentions, `${request.method} ${request.path}`).toEqual(NO_PINGS);
      expect(limitViolations(message), `${request.method} ${request.path}`).toEqual([]);
    }
  });
});
