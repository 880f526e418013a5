/**
 * Follow-ups in threads, end to end with the real engine and the real client: a three-turn
 * conversation in a thread a mention started, `DISCORD_FOLLOW_UPS=all`, and `/ask thread:true`.
 */
import { describe, expect, it } from 'vitest';
import { ThreadRefusals } from '../../src/bot/preconditions.js';
import { FakeDiscord, type RecordedRequest } from '../fakes/discord-server.js';
import { limitViolations, type TestBot, useRealEngine, NO_PINGS } from './harness.js';

const FIRST = 'What agreements did Xi sign in Hanoi?';
const real = useRealEngine();
let harness: TestBot | undefined;

async function botWith(environment: Record<string, string>): Promise<FakeDiscord> {
  const fake = await FakeDiscord.start();
  harness = await real.startBot({ fake, environment });
  return fake;
}

/** The first message the bot posts in a thread (a channel other than the fake's two) after request `after`. */
async function firstThreadMessage(fake: FakeDiscord, after: number): Promise<RecordedRequest> {
  return fake.waitForRequest(
    (request) =>
      request.index > after &&
      request.method === 'POST' &&
      /^\/channels\/\d+\/messages$/.test(request.path) &&
      request.path !== `/channels/${fake.channelId}/messages` &&
      request.path !== `/channels/${fake.otherChannelId}/messages`,
  );
}

/** The bot's reply to a message (by its `message_reference`). */
function replyTo(fake: FakeDiscord, message: { id: string }): Promise<RecordedRequest> {
  return fake.waitForRequest((request) => request.body?.message_reference?.message_id === message.id, 20_000);
}

const threadOf = (request: RecordedRequest) => request.path.split('/')[2] ?? '';
const description = (request: RecordedRequest): string => request.body.embeds[0].description;
const sources = (request: RecordedRequest): string => JSON.stringify(request.body.embeds[0].fields ?? []);

/** A mention starts a thread with the first answer; returns the thread's id. */
async function startConversation(fake: FakeDiscord): Promise<string> {
  const message = fake.userMessage(FIRST);
  const started = await fake.waitForRequest((request) => request.path === `/channels/${fake.channelId}/messages/${message.id}/threads`);
  const answer = await firstThreadMessage(fake, started.index);
  expect(description(answer)).not.toContain('Read as');
  expect(description(answer)).toContain('signed a memorandum of understanding in Hanoi');
  expect(sources(answer)).toContain('000_7bb7f1e19a806c78.txt');
  return threadOf(answer);
}

describe('follow-ups in a thread', () => {
  it('reads a three-turn conversation with the earlier questions, shows how, and leaves a stand-alone question as asked', async () => {
    const fake = await botWith({ DISCORD_REPLY_IN_THREAD: 'true' });
    const thread = await startConversation(fake);

    // Without a mention (and the default DISCORD_FOLLOW_UPS=mentions), a message in the thread is not for the bot.
    const chatter = fake.userMessage('when was that?', { channelId: thread, mentionBot: false });
    const when = fake.userMessage('when was that?', { channelId: thread });
    const second = await replyTo(fake, when);
    expect(second.path).toBe(`/channels/${thread}/messages`);
    // "that" is what the first question asked about: no question reads so, so the reply says what it took it to be about.
    expect(description(second)).toMatch(/^About: \*agreements Xi sign in Hanoi\*\n/);
    expect(sources(second)).toContain('000_7bb7f1e19a806c78.txt');
    expect(second.body.embeds[0].title).toBe('when was that?');
    expect(second.body.allowed_mentions).toEqual(NO_PINGS);
    expect(limitViolations(second.body)).toEqual([]);

    const dalian = fake.userMessage('and in Dalian?', { channelId: thread });
    const third = await replyTo(fake, dalian);
    expect(description(third)).toMatch(/^About: \*agreements Xi sign in Dalian\*\n/);
    expect(description(third)).toContain('The discussions took place during their talks in Dalian City, Liaoning Province, on Monday.');
    expect(sources(third)).toContain('002_21a587edf0f19edc.txt');
    expect(third.body.allowed_mentions).toEqual(NO_PINGS);

    const alone = fake.userMessage('Where did Vietnam and China fight a war in 1974?', { channelId: thread });
    const fourth = await replyTo(fake, alone);
    expect(description(fourth)).not.toContain('Read as');
    expect(description(fourth)).toContain('Paracel Islands');
    await harness?.bot.stop();
    expect(fake.requests.some((request) => request.body?.message_reference?.message_id === chatter.id)).toBe(false);
  });

  it('DISCORD_FOLLOW_UPS=all: any message in a thread the bot started is a follow-up, elsewhere only mentions count', async () => {
    const fake = await botWith({ DISCORD_REPLY_IN_THREAD: 'true', DISCORD_FOLLOW_UPS: 'all' });
    const thread = await startConversation(fake);
    const unmentioned = fake.userMessage('when was that?', { channelId: thread, mentionBot: false });
    const reply = await replyTo(fake, unmentioned);
    expect(description(reply)).toMatch(/^About: \*agreements Xi sign in Hanoi\*\n/);
    expect(sources(reply)).toContain('000_7bb7f1e19a806c78.txt');
    expect(reply.body.allowed_mentions).toEqual(NO_PINGS);
    // Talk that is no question ("ok") is left alone; so is a message without a mention in a channel.
    const ok = fake.userMessage('ok', { channelId: thread, mentionBot: false });
    const inChannel = fake.userMessage('and in Dalian?', { mentionBot: false });
    const later = fake.userMessage('and in Dalian?', { channelId: thread, mentionBot: false });
    const third = await replyTo(fake, later);
    expect(description(third)).toMatch(/^About: \*agreements Xi sign in Dalian\*\n/);
    expect(sources(third)).toContain('002_21a587edf0f19edc.txt');
    // Every reply in flight is sent before the bot stops: none of them answers the ignored messages.
    await harness?.bot.stop();
    for (const ignored of [ok, inChannel])
      expect(fake.requests.some((request) => request.body?.message_reference?.message_id === ignored.id)).toBe(false);
  });
});

describe('follow-ups read by meaning', () => {
  /** A mention starts a thread with the answer to `question`; returns the thread's id and that answer. */
  async function threadFor(fake: FakeDiscord, question: string): Promise<{ thread: string; answer: RecordedRequest }> {
    const message = fake.userMessage(question);
    const started = await fake.waitForRequest((request) => request.path === `/channels/${fake.channelId}/messages/${message.id}/threads`);
    const answer = await firstThreadMessage(fake, started.index);
    return { thread: threadOf(answer), answer };
  }

  it('"how many of them?" after the airline that leases COMAC jets quotes how many planes', async () => {
    const fake = await botWith({ DISCORD_REPLY_IN_THREAD: 'true' });
    const { thread, answer } = await threadFor(fake, 'Which airline will lease COMAC jets?');
    expect(description(answer)).toMatch(/Viet[Jj]et/);
    const reply = await replyTo(fake, fake.userMessage('how many of them?', { channelId: thread }));
    expect(description(reply)).toMatch(/^About: \*airline lease COMAC jets\*\n/);
    expect(description(reply)).toContain('two COMAC C909 planes');
    expect(reply.body.allowed_mentions).toEqual(NO_PINGS);
    expect(limitViolations(reply.body)).toEqual([]);
  });

  it('a three-turn thread: a question of its own, then "and for malaysia?" asks it again about Malaysia, from the right sentence', async () => {
    const fake = await botWith({ DISCORD_REPLY_IN_THREAD: 'true' });
    const { thread, answer } = await threadFor(fake, 'Which countries will Xi visit after Hanoi?');
    expect(description(answer)).toContain('Malaysia and Cambodia');
    // A question with a subject of its own starts afresh: no reading shown.
    const cambodia = await replyTo(fake, fake.userMessage('What US duties does Cambodia face?', { channelId: thread }));
    expect(description(cambodia)).not.toMatch(/Read as|About:/);
    expect(description(cambodia)).toContain('facing US duties of 49% and 24% respectively');
    const malaysia = await replyTo(fake, fake.userMessage('and for malaysia?', { channelId: thread }));
    expect(description(malaysia)).toMatch(/^Read as: \*What US duties does malaysia face\?\*\n/);
    expect(description(malaysia)).toContain('Cambodia and Malaysia, are facing US duties of 49% and 24% respectively');
    expect(sources(malaysia)).toContain('000_7bb7f1e19a806c78.txt');
  });
});

describe('follow-ups and the channel allowlist', () => {
  it('answers follow-ups in a thread of an allowed channel', async () => {
    const fake = await FakeDiscord.start();
    harness = await real.startBot({
      fake,
      environment: { DISCORD_REPLY_IN_THREAD: 'true', DISCORD_ALLOWED_CHANNELS: fake.channelId },
    });
    const thread = await startConversation(fake);
    const when = fake.userMessage('when was that?', { channelId: thread });
    expect(description(await replyTo(fake, when))).toMatch(/^About: /);
  });
});

describe('/ask thread:true', () => {
  it('starts a thread from the reply, answers there, and takes follow-ups there', async () => {
    const fake = await botWith({});
    const reply = await fake.reply(fake.slashCommand('ask', { question: FIRST, thread: true }));
    expect(reply.data).toMatchObject({ content: `Answering in a thread: **${FIRST}**`, allowed_mentions: NO_PINGS });
    expect(reply.ephemeral).toBe(false);
    const started = await fake.waitForRequest((request) => /^\/channels\/\d+\/messages\/\d+\/threads$/.test(request.path));
    expect(started.path.startsWith(`/channels/${fake.channelId}/messages/`)).toBe(true);
    expect(started.body).toMatchObject({ name: FIRST, auto_archive_duration: 1440 });
    const answer = await firstThreadMessage(fake, started.index);
    expect(description(answer)).toContain('signed a memorandum of understanding in Hanoi');
    expect(answer.body.allowed_mentions).toEqual(NO_PINGS);
    const followUp = fake.userMessage('when was that?', { channelId: threadOf(answer) });
    const second = await replyTo(fake, followUp);
    expect(description(second)).toMatch(/^About: \*agreements Xi sign in Hanoi\*\n/);
  });

  it('is refused with private:true, before the cooldown is taken', async () => {
    const fake = await botWith({ DISCORD_COOLDOWN_SECONDS: '60' });
    const refused = await fake.reply(fake.slashCommand('ask', { question: FIRST, thread: true, private: true }));
    expect(refused.data).toMatchObject({ flags: 64, content: ThreadRefusals.private });
    const answered = await fake.reply(fake.slashCommand('ask', { question: FIRST }));
    expect(answered.data.embeds).toHaveLength(1);
  });
});
