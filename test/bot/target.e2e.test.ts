/**
 * Answers addressed to someone, end to end: `/ask target:@user` and the public post of "Find
 * sources", through the real discord.js client and the fake Discord, answered by the real engine.
 * The point is what discord.js sends: the addressed message pings that user and nobody else
 * (`allowed_mentions` exactly `{ users: [id] }`), every other message pings nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetRefusals } from '../../src/bot/preconditions.js';
import { renderAnswer } from '../../src/render/discord.js';
import { FakeDiscord, type FakeUser, snowflake } from '../fakes/discord-server.js';
import { buttonIds, limitViolations, messageRequests, startTestBot, type TestBot, useRealBot, NO_PINGS } from './harness.js';

const QUESTION = 'What did Xi say about trade wars?';
const otherBot: FakeUser = { id: snowflake(), username: 'OtherBot', discriminator: '0', global_name: null, bot: true };

const bot = useRealBot();

/** Every message pings nobody, except those addressed to one user (content starting with their mention): exactly that user. */
function expectOnlyAddresseesPinged(fake: FakeDiscord): void {
  for (const { request, message } of messageRequests(fake)) {
    const where = `${request.method} ${request.path}`;
    const addressee = /^<@(\d+)>, /.exec(message.content ?? '')?.[1];
    expect(message.allowed_mentions, where).toEqual(addressee === undefined ? NO_PINGS : { users: [addressee] });
    // No other mention of anyone in the content: the only mention is the addressee's, at the start.
    expect((message.content ?? '').match(/<@[!&]?\d+>|@everyone|@here/g) ?? [], where).toEqual(addressee ? [`<@${addressee}>`] : []);
    expect(limitViolations(message), where).toEqual([]);
  }
}

describe('/ask target:', () => {
  it('is registered as an optional user option', async () => {
    const put = await bot.harness.fake.waitForRequest((request) => request.method === 'PUT');
    const ask = put.body.find((command: any) => command.name === 'ask');
    expect(ask.options.map((option: any) => [option.name, option.type, option.required ?? false])).toEqual([
      ['question', 3, true],
      ['private', 5, false],
      ['target', 6, false],
      ['thread', 5, false],
    ]);
  });

  it('posts the answer publicly, addressed to the target, pinging only them', async () => {
    const { fake } = bot.harness;
    const reply = await fake.reply(fake.slashCommand('ask', { question: QUESTION, target: fake.bob }));
    expect(reply.callbackType).toBe(4);
    expect(reply.ephemeral).toBe(false);
    expect(reply.data.content).toBe(`<@${fake.bob.id}>, here is what the sources say:`);
    // Exactly what discord.js sent: the one user, no parse (no roles, no @everyone), no replied user.
    expect(reply.data.allowed_mentions).toStrictEqual({ users: [fake.bob.id] });
    expect(reply.data.embeds).toEqual([renderAnswer(await bot.engine.ask(QUESTION), { builtAt: bot.engine.builtAt(), now: new Date() })]);
    expect(reply.data.embeds[0].description).toContain('no winners in trade wars');
    expect(buttonIds(reply.data)).toHaveLength(3);
  });

  it('says so when the sources do not answer, still addressed to the target', async () => {
    const { fake } = bot.harness;
    const reply = await fake.reply(
      fake.slashCommand('ask', { question: 'What is the recipe for banana bread with walnuts?', target: fake.bob }),
    );
    expect(reply.data.content).toBe(`<@${fake.bob.id}>, the sources don't answer this; here is what I found:`);
    expect(reply.data.allowed_mentions).toStrictEqual({ users: [fake.bob.id] });
    expect(reply.data.embeds[0].description).toContain('could not find a passage');
  });

  it('escapes the question in the embed and never lets it mention anyone', async () => {
    const { fake } = bot.harness;
    const question = 'What did Xi say about **trade wars**, @everyone and <@&123456789012345678>?';
    const reply = await fake.reply(fake.slashCommand('ask', { question, target: fake.bob }));
    expect(reply.data.content).toBe(`<@${fake.bob.id}>, here is what the sources say:`);
    expect(reply.data.embeds[0].title).toBe('What did Xi say about \\*\\*trade wars\\*\\*, @everyone and <@&123456789012345678>?');
    expect(reply.data.allowed_mentions).toStrictEqual({ users: [fake.bob.id] });
  });

  it('the asker as target gets the usual answer, pinging nobody', async () => {
    const { fake } = bot.harness;
    const reply = await fake.reply(fake.slashCommand('ask', { question: QUESTION, target: fake.alice }));
    expect(reply.data.content).toBeUndefined();
    expect(reply.data.allowed_mentions).toEqual(NO_PINGS);
    expect(reply.data.embeds[0].description).toContain('no winners in trade wars');
    const privately = await fake.reply(fake.slashCommand('ask', { question: QUESTION, target: fake.alice, private: true }));
    expect(privately.ephemeral).toBe(true);
  });

  it('refuses a bot as target (this one or another) privately', async () => {
    const { fake } = bot.harness;
    for (const target of [fake.botUser, otherBot]) {
      const reply = await fake.reply(fake.slashCommand('ask', { question: QUESTION, target }));
      expect(reply.data).toMatchObject({ content: TargetRefusals.bot, flags: 64, allowed_mentions: NO_PINGS });
    }
  });

  it('refuses a private answer for someone else', async () => {
    const { fake } = bot.harness;
    const reply = await fake.reply(fake.slashCommand('ask', { question: QUESTION, target: fake.bob, private: true }));
    expect(reply.data).toMatchObject({ content: TargetRefusals.private, flags: 64, allowed_mentions: NO_PINGS });
  });
});

describe('"Find sources", posted publicly', () => {
  const text = 'Apparently Xi said there are no winners in trade wars and tariff wars.';

  it('addresses the author of the message looked up, pinging only them', async () => {
    const { fake } = bot.harness;
    const reply = await fake.reply(fake.messageCommand('Find sources', text, { author: fake.bob }));
    expect(reply.data.flags).toBe(64);
    expect(reply.data.content).toBeUndefined();
    expect(reply.data.allowed_mentions).toEqual(NO_PINGS);
    expect(reply.data.components[0].components[0].label).toBe('Post publicly for Bob');
    const [shareId] = buttonIds(reply.data);
    const shared = await fake.reply(fake.pressButton(shareId!, { message: reply.data }));
    expect(shared.callbackType).toBe(4);
    expect(shared.data.flags).toBeUndefined();
    expect(shared.data.content).toBe(`<@${fake.bob.id}>, here are sources on your message:`);
    expect(shared.data.allowed_mentions).toStrictEqual({ users: [fake.bob.id] });
    expect(shared.data.embeds[0]).toEqual({ ...reply.data.embeds[0], footer: { text: 'Shared by alice' } });
  });

  it('addresses nobody when the message is the caller’s own or a bot’s', async () => {
    const { fake } = bot.harness;
    for (const author of [fake.alice, otherBot]) {
      const reply = await fake.reply(fake.messageCommand('Find sources', text, { author }));
      expect(reply.data.components[0].components[0].label).toBe('Post publicly');
      const shared = await fake.reply(fake.pressButton(buttonIds(reply.data)[0]!, { message: reply.data }));
      expect(shared.data.content).toBeUndefined();
      expect(shared.data.allowed_mentions).toEqual(NO_PINGS);
    }
  });
});

describe('over the whole session', () => {
  it('pinged only the addressees, each message alone, within Discord’s limits', () => {
    expectOnlyAddresseesPinged(bot.harness.fake);
    const addressed = messageRequests(bot.harness.fake).filter(({ message }) => message.content?.startsWith('<@'));
    expect(addressed.length).toBeGreaterThanOrEqual(4);
  });
});

describe('with an allowlist, a cooldown and a slow answer', () => {
  let slow: TestBot;
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
    slow = await startTestBot({
      workspace: bot.workspace,
      engine: bot.engine,
      fake,
      // Every reply is deferred, as when the engine takes longer than deferAfterMs.
      settings: { deferAfterMs: 0 },
      environment: { DISCORD_ALLOWED_CHANNELS: fake.channelId, DISCORD_COOLDOWN_SECONDS: '60', DISCORD_ANSWER_VISIBILITY: 'private' },
    });
  });
  afterAll(async () => {
    await slow?.close();
  });

  it('refuses outside the allowed channels, and a refused target keeps the cooldown', async () => {
    const outside = await fake.reply(
      fake.slashCommand('ask', { question: QUESTION, target: fake.bob }, { channelId: fake.otherChannelId }),
    );
    expect(outside.data).toMatchObject({ content: `I only answer in <#${fake.channelId}>.`, flags: 64 });
    const refused = await fake.reply(fake.slashCommand('ask', { question: QUESTION, target: fake.botUser }));
    expect(refused.data.content).toBe(TargetRefusals.bot);
    const empty = await fake.reply(fake.slashCommand('ask', { question: '🙂', target: fake.bob }));
    expect(empty.data.content).toMatch(/^I need a question in words/);
  });

  it('edits the deferred reply addressed to the target, then pings them in a follow-up (an edit pings nobody)', async () => {
    const interaction = fake.slashCommand('ask', { question: QUESTION, target: fake.bob });
    const reply = await fake.reply(interaction);
    // Public although answers are private by default here: it is for someone else.
    expect([reply.deferred, reply.ephemeral]).toEqual([true, false]);
    expect(reply.data.content).toBe(`<@${fake.bob.id}>, here is what the sources say:`);
    expect(reply.data.allowed_mentions).toStrictEqual({ users: [fake.bob.id] });
    expect(reply.data.embeds[0].description).toContain('no winners in trade wars');
    const followUp = await fake.waitForRequest(
      (request) => request.method === 'POST' && request.path.endsWith(`/${interaction.token}`) && request.path.startsWith('/webhooks/'),
    );
    expect(followUp.body.content).toBe(`<@${fake.bob.id}>, the answer above is for you.`);
    expect(followUp.body.allowed_mentions).toStrictEqual({ users: [fake.bob.id] });
    expect(followUp.body.flags).toBeUndefined();
  });

  it('then holds the asker to the cooldown', async () => {
    const again = await fake.reply(fake.slashCommand('ask', { question: QUESTION, target: fake.bob }));
    expect(again.data).toMatchObject({ flags: 64 });
    expect(again.data.content).toMatch(/^Please wait \d+ s before asking again\.$/);
    expectOnlyAddresseesPinged(fake);
  });
});
