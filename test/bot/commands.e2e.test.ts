/**
 * End to end: the real discord.js client logged in to the fake Discord, answering with the real
 * engine (real model, real index over a temp copy of seeds/). Every command, button,
 * autocomplete, the context menu and mentions, asserting on the exact REST bodies sent.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ButtonMessages } from '../../src/bot/buttons.js';
import { commandData } from '../../src/bot/commands/index.js';
import { encodeButtonId } from '../../src/bot/components.js';
import { parseFeedback } from '../../src/bot/feedback.js';
import { renderAnswer, renderDocument, renderDocumentList } from '../../src/render/discord.js';
import { buttonIds, limitViolations, messageRequests, TOKEN, useRealBot, NO_PINGS } from './harness.js';

const QUESTION = 'What did Xi say about trade wars?';
const bot = useRealBot();

describe('start-up', () => {
  it('logs in through the configured API and registers every command in the guild', async () => {
    const { fake } = bot.harness;
    const gateway = fake.requests.find((request) => request.path === '/gateway/bot');
    expect(gateway?.authorization).toBe(`Bot ${TOKEN}`);
    const put = await fake.waitForRequest((request) => request.method === 'PUT');
    expect(put.path).toBe(`/applications/${fake.applicationId}/guilds/${fake.guildId}/commands`);
    expect(put.body).toEqual(commandData());
    expect(put.body.map((command: any) => command.name)).toEqual([
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
    const reindex = put.body.find((command: any) => command.name === 'reindex');
    expect(reindex.default_member_permissions).toBe('32'); // Manage Server
    const ask = put.body.find((command: any) => command.name === 'ask');
    expect(ask.options.map((option: any) => [option.name, option.type, option.required ?? false])).toEqual([
      ['question', 3, true],
      ['private', 5, false],
      ['target', 6, false],
      ['thread', 5, false],
    ]);
    expect(put.body.find((command: any) => command.name === 'Find sources').type).toBe(3);
  });

  it('asks the gateway for message content only because mention mode is on', () => {
    const intents = bot.harness.fake.identifyPayloads[0].intents as number;
    expect(intents & 1).toBe(1); // Guilds
    expect(intents & (1 << 9)).toBe(1 << 9); // GuildMessages
    expect(intents & (1 << 15)).toBe(1 << 15); // MessageContent
  });
});

describe('/ask', () => {
  it('replies with the quoted, cited answer embed, buttons and no pings', async () => {
    const { fake } = bot.harness;
    const interaction = fake.slashCommand('ask', { question: QUESTION });
    const reply = await fake.reply(interaction);
    expect(reply.callbackType).toBe(4);
    expect(reply.ephemeral).toBe(false);
    const expected = renderAnswer(await bot.engine.ask(QUESTION), { builtAt: bot.engine.builtAt(), now: new Date() });
    expect(reply.data.embeds).toEqual([expected]);
    const [embed] = reply.data.embeds;
    expect(embed.description).toMatch(/^> .*There are no winners in trade wars and tariff wars.* \[1\]/);
    expect(embed.fields[0].name).toBe('Sources');
    expect(embed.fields[0].value).toMatch(/^\[1\] \*\*.+\*\* \(2025-04-14\) — `000_7bb7f1e19a806c78\.txt`, ¶\d+/);
    expect(embed.footer.text).toMatch(/^Index built (just now|\d+ \w+ ago) · \d+ sources?( agree)?$/);
    expect(reply.data.components).toHaveLength(1);
    expect(reply.data.components[0].components.map((button: any) => [button.label, button.emoji?.name ?? null])).toEqual([
      ['Passages', null],
      ['Helpful', '👍'],
      ['Not helpful', '👎'],
    ]);
    expect(reply.data.allowed_mentions).toEqual(NO_PINGS);
    expect(limitViolations(reply.data)).toEqual([]);
  });

  it('answers privately with private:true (ephemeral flag 64)', async () => {
    const reply = await bot.harness.fake.reply(bot.harness.fake.slashCommand('ask', { question: QUESTION, private: true }));
    expect(reply.callbackType).toBe(4);
    expect(reply.data.flags).toBe(64);
    expect(reply.data.embeds[0].description).toContain('no winners in trade wars');
  });

  it('says honestly when the documents do not answer, showing the closest passages', async () => {
    const question = 'What is the recipe for banana bread with walnuts?';
    const answer = await bot.engine.ask(question);
    const reply = await bot.harness.fake.reply(bot.harness.fake.slashCommand('ask', { question }));
    expect(reply.data.embeds).toEqual([renderAnswer(answer, { builtAt: bot.engine.builtAt(), now: new Date() })]);
    expect(answer.answered).toBe(false);
    expect(reply.data.embeds[0].description).toContain('could not find a passage');
    expect(reply.data.embeds[0].footer.text).toMatch(/· no answer found$/);
  });

  it('records the question in the feedback log with a hashed user id', async () => {
    const text = await readFile(path.join(bot.harness.config.dataDir, 'feedback.jsonl'), 'utf8');
    const { entries } = parseFeedback(text);
    const question = entries.find((entry) => entry.type === 'question' && entry.question === QUESTION);
    expect(question).toMatchObject({ type: 'question', via: 'ask', answered: true, sources: ['000_7bb7f1e19a806c78.txt'] });
    expect(question?.user).toMatch(/^[0-9a-f]{16}$/);
    expect(text).not.toContain(bot.harness.fake.alice.id);
  });
});

describe('answer buttons', () => {
  it('"Passages" shows the retrieved passages privately, paged with Previous/Next', async () => {
    const { fake } = bot.harness;
    const answer = await fake.reply(fake.slashCommand('ask', { question: 'What agreements did China and Vietnam sign?' }));
    const [passagesId] = buttonIds(answer.data);
    const shown = await fake.reply(fake.pressButton(passagesId!, { message: answer.data }));
    expect(shown.callbackType).toBe(4);
    expect(shown.data.flags).toBe(64);
    const [embed] = shown.data.embeds;
    expect(embed.title).toBe('Passages for: What agreements did China and Vietnam sign?');
    expect(embed.fields.length).toBeGreaterThan(0);
    expect(embed.fields[0].value).toMatch(/^> .+\n`\d{3}_[0-9a-f]+\.txt`, ¶\d+ · score \d\.\d{3}$/s);
    expect(embed.footer.text).toMatch(/^Page 1 of \d+$/);
    const pager = buttonIds(shown.data);
    expect(pager).toHaveLength(2); // 5 retrieved passages, 3 per page
    {
      expect(shown.data.components[0].components.map((button: any) => [button.label, button.disabled])).toEqual([
        ['Previous', true],
        ['Next', false],
      ]);
      const next = await fake.reply(fake.pressButton(pager[1]!, { message: shown.data }));
      expect(next.callbackType).toBe(7);
      expect(next.data.embeds[0].footer.text).toMatch(/^Page 2 of \d+$/);
      expect(next.data.allowed_mentions).toEqual(NO_PINGS);
    }
  });

  it('👍 and 👎 record the vote (hashed user) and thank privately', async () => {
    const { fake } = bot.harness;
    const answer = await fake.reply(fake.slashCommand('ask', { question: QUESTION }));
    const [, up, down] = buttonIds(answer.data);
    const thanksUp = await fake.reply(fake.pressButton(up!, { message: answer.data }));
    expect(thanksUp.data).toMatchObject({ content: 'Thanks! Your 👍 was recorded.', flags: 64, allowed_mentions: NO_PINGS });
    const thanksDown = await fake.reply(fake.pressButton(down!, { message: answer.data, user: fake.bob }));
    expect(thanksDown.data.content).toContain('👎');
    const { entries } = parseFeedback(await readFile(path.join(bot.harness.config.dataDir, 'feedback.jsonl'), 'utf8'));
    const votes = entries.filter((entry) => entry.type === 'vote');
    expect(votes.slice(-2).map((vote) => vote.type === 'vote' && [vote.vote, vote.question, vote.answered])).toEqual([
      ['up', QUESTION, true],
      ['down', QUESTION, true],
    ]);
    expect(votes.at(-1)?.user).not.toBe(votes.at(-2)?.user);
  });

  it('a button from before a restart, an expired result and a foreign button get a clear private message', async () => {
    const { fake } = bot.harness;
    const stale = await fake.reply(fake.pressButton(encodeButtonId('0ldb0071', { action: 'passages', key: '1', argument: '0' })));
    expect(stale.data).toMatchObject({ content: ButtonMessages.stale, flags: 64 });
    const answer = await fake.reply(fake.slashCommand('ask', { question: QUESTION }));
    const bootId = buttonIds(answer.data)[0]!.split(':')[1]!;
    const expired = await fake.reply(fake.pressButton(encodeButtonId(bootId, { action: 'passages', key: 'zzzz', argument: '0' })));
    expect(expired.data).toMatchObject({ content: ButtonMessages.expired, flags: 64 });
    const unknown = await fake.reply(fake.pressButton('some-other-bot:button'));
    expect(unknown.data).toMatchObject({ content: ButtonMessages.unknown, flags: 64 });
  });
});

describe('/search', () => {
  it('shows the top passages with scores; only the caller can page', async () => {
    const { fake } = bot.harness;
    const query = 'supply chains railways';
    const interaction = fake.slashCommand('search', { query, results: 5 });
    const reply = await fake.reply(interaction);
    const passages = await bot.engine.search(query, 5);
    expect(reply.callbackType).toBe(4);
    const [embed] = reply.data.embeds;
    expect(embed.title).toBe(`Search: ${query}`);
    expect(embed.description).toBe('5 passages');
    expect(embed.fields.map((field: any) => field.name)).toEqual(
      passages
        .slice(0, 3)
        .map((passage, index) => `${index + 1}. ${passage.title}${passage.date ? ` (${passage.date})` : ''}`.slice(0, 256)),
    );
    expect(embed.fields[0].value).toContain(`score ${passages[0]!.score.toFixed(3)}`);
    expect(embed.footer.text).toBe('Page 1 of 2');
    const [previousId, nextId] = buttonIds(reply.data);
    expect(reply.data.components[0].components.map((button: any) => [button.label, button.disabled])).toEqual([
      ['Previous', true],
      ['Next', false],
    ]);

    const refused = await fake.reply(fake.pressButton(nextId!, { message: reply.data, user: fake.bob }));
    expect(refused.data).toMatchObject({ content: ButtonMessages.notYours, flags: 64 });

    const next = await fake.reply(fake.pressButton(nextId!, { message: reply.data }));
    expect(next.callbackType).toBe(7);
    expect(next.data.embeds[0].footer.text).toBe('Page 2 of 2');
    expect(next.data.embeds[0].fields.map((field: any) => field.name)).toEqual(
      passages.slice(3).map((passage, index) => `${index + 4}. ${passage.title}${passage.date ? ` (${passage.date})` : ''}`.slice(0, 256)),
    );
    expect(next.data.components[0].components.map((button: any) => [button.label, button.disabled])).toEqual([
      ['Previous', false],
      ['Next', true],
    ]);
    expect(previousId).not.toBe(nextId);
  });

  it('uses the configured default number of results', async () => {
    const reply = await bot.harness.fake.reply(bot.harness.fake.slashCommand('search', { query: 'Hanoi visit' }));
    expect(reply.data.embeds[0].description).toBe(`${bot.harness.config.searchResults} passages`);
  });
});

describe('/source and /sources', () => {
  it('autocomplete offers matching titles and files within the limits', async () => {
    const { fake } = bot.harness;
    const documents = bot.engine.documents();
    const all = await fake.callback(fake.autocomplete('source', 'name', ''));
    expect(all.body.type).toBe(8);
    expect(all.body.data.choices.map((choice: any) => choice.value)).toEqual(documents.map((document) => document.file));
    for (const choice of all.body.data.choices) expect(choice.name.length).toBeLessThanOrEqual(100);
    const byFile = await fake.callback(fake.autocomplete('source', 'name', '003_'));
    expect(byFile.body.data.choices.map((choice: any) => choice.value)).toEqual(['003_f015f23f54aca59a.txt']);
    const word = documents[0]!.title
      .split(' ')
      .find((part) => part.length > 5)!
      .toLowerCase();
    const byTitle = await fake.callback(fake.autocomplete('source', 'name', word));
    expect(byTitle.body.data.choices.length).toBeGreaterThan(0);
    for (const choice of byTitle.body.data.choices) {
      const document = documents.find((candidate) => candidate.file === choice.value)!;
      expect(`${document.title} ${document.file}`.toLowerCase()).toContain(word);
    }
    const none = await fake.callback(fake.autocomplete('source', 'name', 'zzzz-no-such-document'));
    expect(none.body.data.choices).toEqual([]);
  });

  it('/source shows one document; an unknown name gets a clear private message', async () => {
    const { fake } = bot.harness;
    const document = bot.engine.documents().find((candidate) => candidate.file === '000_7bb7f1e19a806c78.txt')!;
    const reply = await fake.reply(fake.slashCommand('source', { name: document.file }));
    expect(reply.data.embeds).toEqual([renderDocument(document)]);
    expect(reply.data.embeds[0].fields.map((field: any) => field.name)).toEqual(['Date', 'File', 'Size']);
    const unknown = await fake.reply(fake.slashCommand('source', { name: 'no such @everyone doc' }));
    expect(unknown.data.flags).toBe(64);
    expect(unknown.data.content).toBe(
      'No document matches `no such @everyone doc`. Pick one from the suggestions, or use /sources to list them all.',
    );
    expect(unknown.data.allowed_mentions).toEqual(NO_PINGS);
  });

  it('/sources lists every document, newest first', async () => {
    const reply = await bot.harness.fake.reply(bot.harness.fake.slashCommand('sources'));
    const documents = bot.engine.documents();
    expect(reply.data.embeds).toEqual([renderDocumentList(documents)]);
    const dates = [...reply.data.embeds[0].description.matchAll(/— (\d{4}-\d{2}-\d{2}|undated)/g)].map((match) => match[1]);
    expect(dates).toHaveLength(5);
    const dated = dates.filter((date) => date !== 'undated');
    expect(dated).toEqual([...dated].sort().reverse());
  });
});

describe('/help', () => {
  it('explains the commands privately', async () => {
    const reply = await bot.harness.fake.reply(bot.harness.fake.slashCommand('help'));
    expect(reply.data.flags).toBe(64);
    const [embed] = reply.data.embeds;
    expect(embed.title).toBe('How to ask');
    for (const command of ['/ask', 'target:', '/search', '/timeline', '/source', '/sources', 'Find sources', 'Mention me'])
      expect(embed.description).toContain(command);
  });
});

describe('"Find sources" message menu', () => {
  it('returns the supporting passages privately with a button that posts them publicly for the message’s author', async () => {
    const { fake } = bot.harness;
    const text = 'Apparently Xi said there are no winners in trade wars and tariff wars.';
    const reply = await fake.reply(fake.messageCommand('Find sources', text));
    expect(reply.data.flags).toBe(64);
    const [embed] = reply.data.embeds;
    expect(embed.title).toBe(`Sources for: “${text}”`);
    expect(embed.fields[0].value).toContain('000_7bb7f1e19a806c78.txt');
    const [shareId] = buttonIds(reply.data);
    expect(reply.data.components[0].components[0].label).toBe('Post publicly for Bob');
    const shared = await fake.reply(fake.pressButton(shareId!, { message: reply.data }));
    expect(shared.callbackType).toBe(4);
    expect(shared.data.flags).toBeUndefined();
    expect(shared.data.embeds[0]).toEqual({ ...embed, footer: { text: 'Shared by alice' } });
    // Addressed to bob, who wrote the message: he alone is pinged (test/bot/target.e2e.test.ts has the rest).
    expect(shared.data.content).toBe(`<@${fake.bob.id}>, here are sources on your message:`);
    expect(shared.data.allowed_mentions).toStrictEqual({ users: [fake.bob.id] });
  });

  it('a message without text gets a clear private message', async () => {
    const reply = await bot.harness.fake.reply(bot.harness.fake.messageCommand('Find sources', ''));
    expect(reply.data.flags).toBe(64);
    expect(reply.data.content).toContain('no text I can look up');
  });
});

describe('@mention', () => {
  it('replies to a mention with the same answer as /ask, without pinging', async () => {
    const { fake } = bot.harness;
    const message = fake.userMessage(QUESTION);
    const sent = await fake.waitForRequest(
      (request) =>
        request.method === 'POST' &&
        request.path === `/channels/${fake.channelId}/messages` &&
        request.body?.message_reference?.message_id === message.id,
    );
    expect(sent.body.embeds).toEqual([renderAnswer(await bot.engine.ask(QUESTION), { builtAt: bot.engine.builtAt(), now: new Date() })]);
    expect(sent.body.allowed_mentions).toEqual(NO_PINGS);
    expect(buttonIds(sent.body)).toHaveLength(3);
    expect(fake.requests.some((request) => request.path === `/channels/${fake.channelId}/typing`)).toBe(true);
  });

  it('a mention without a question gets help, and messages without a mention are ignored', async () => {
    const { fake } = bot.harness;
    const before = fake.requests.length;
    const ignored = fake.userMessage(QUESTION, { mentionBot: false });
    const empty = fake.userMessage('   ');
    const sent = await fake.waitForRequest((request) => request.body?.message_reference?.message_id === empty.id);
    expect(sent.body.content).toContain('Your question is empty');
    expect(sent.body.embeds[0].title).toBe('How to ask');
    expect(fake.requests.slice(before).some((request) => request.body?.message_reference?.message_id === ignored.id)).toBe(false);
  });

  it('ignores messages from bots (including itself)', async () => {
    const { fake } = bot.harness;
    const fromBot = fake.userMessage(QUESTION, { author: fake.botUser });
    const marker = fake.userMessage('marker question about Vietnam railways');
    await fake.waitForRequest((request) => request.body?.message_reference?.message_id === marker.id);
    expect(fake.requests.some((request) => request.body?.message_reference?.message_id === fromBot.id)).toBe(false);
  });
});

describe('/reindex', () => {
  it('refuses members without Manage Server', async () => {
    const reply = await bot.harness.fake.reply(bot.harness.fake.slashCommand('reindex'));
    expect(reply.data).toMatchObject({ flags: 64, content: 'Only members with the Manage Server permission can rebuild the index.' });
  });

  it('rebuilds from the corpus folder and reports what changed, answering questions meanwhile', async () => {
    const { fake } = bot.harness;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      path.join(bot.workspace.corpusDir, '005_added_for_test.txt'),
      ' date 2026-01-02 Hanoi hosted a lantern festival that drew record crowds of visitors.\n\nOrganisers said the lanterns were made by local artisans.\n',
    );
    const reindex = fake.slashCommand('reindex', {}, { admin: true });
    const question = fake.slashCommand('ask', { question: QUESTION });
    const answered = await fake.reply(question);
    expect(answered.data.embeds[0].description).toContain('no winners in trade wars');
    const report = await fake.reply(reindex, 60_000);
    // Order of arrival at Discord: the rebuild was acknowledged, the question answered, then the rebuild reported.
    const deferredAt = (await fake.callback(reindex)).index;
    const answeredAt = (await fake.callback(question)).index;
    const reportedAt = fake.requestsFor(reindex).find((request) => request.method === 'PATCH')!.index;
    expect([deferredAt < answeredAt, answeredAt < reportedAt]).toEqual([true, true]);
    expect(report.deferred).toBe(true);
    expect(report.ephemeral).toBe(true);
    const [embed] = report.data.embeds;
    expect(embed.title).toBe('Index rebuilt');
    expect(embed.fields).toContainEqual({ name: 'Added', value: '`005_added_for_test.txt`' });
    expect(embed.fields.find((field: any) => field.name === 'Totals').value).toMatch(/^6 documents, \d+ chunks/);
    expect(bot.engine.documents()).toHaveLength(6);
  });
});

describe('safety over the whole session', () => {
  it('sent every message with allowed_mentions {parse: []} (the shared sources: only their addressee), within every Discord limit', () => {
    const messages = messageRequests(bot.harness.fake);
    expect(messages.length).toBeGreaterThan(20);
    for (const { request, message } of messages) {
      const addressee = /^<@(\d+)>, /.exec(message.content ?? '')?.[1];
      const expected = addressee === undefined ? NO_PINGS : { users: [addressee] };
      expect(message.allowed_mentions, `${request.method} ${request.path}`).toEqual(expected);
      expect(limitViolations(message), `${request.method} ${request.path}`).toEqual([]);
    }
  });

  it('never put the token in a log line or a message', () => {
    for (const line of bot.harness.logs) expect(line).not.toContain(TOKEN);
    for (const request of bot.harness.fake.requests) expect(JSON.stringify(request.body ?? '')).not.toContain(TOKEN);
    expect(bot.harness.logs.filter((line) => line.startsWith('[error]'))).toEqual([]);
  });
});
