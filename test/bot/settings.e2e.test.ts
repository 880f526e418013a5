/**
 * Each Discord setting, end to end with the real engine: allowed channels, cooldown, mention mode
 * (and the intents it asks for), reply in thread, answer visibility, and command registration.
 */
import { describe, expect, it } from 'vitest';
import { commandData } from '../../src/bot/commands/index.js';
import { FakeDiscord } from '../fakes/discord-server.js';
import { buttonIds, startTestBot, type TestBot, useRealEngine, NO_PINGS } from './harness.js';

const QUESTION = 'What did Xi say about trade wars?';
const MESSAGE_CONTENT = 1 << 15;
const GUILD_MESSAGES = 1 << 9;
const real = useRealEngine();
let harness: TestBot | undefined;

/** A bot over a fresh fake whose ids are known before the settings are made. */
async function botWith(environment: (fake: FakeDiscord) => Record<string, string>): Promise<TestBot> {
  const fake = await FakeDiscord.start();
  harness = await real.startBot({ fake, environment: environment(fake) });
  return harness;
}

describe('DISCORD_ALLOWED_CHANNELS', () => {
  it('answers only in the allowed channels', async () => {
    const { fake } = await botWith((fake) => ({ DISCORD_ALLOWED_CHANNELS: fake.channelId }));
    const refused = await fake.reply(fake.slashCommand('ask', { question: QUESTION }, { channelId: fake.otherChannelId }));
    expect(refused.data).toMatchObject({ flags: 64, content: `I only answer in <#${fake.channelId}>.`, allowed_mentions: NO_PINGS });
    const ignored = fake.userMessage(QUESTION, { channelId: fake.otherChannelId });
    const allowed = await fake.reply(fake.slashCommand('ask', { question: QUESTION }));
    expect(allowed.data.embeds[0].description).toContain('no winners in trade wars');
    const answered = fake.userMessage(QUESTION);
    await fake.waitForRequest((request) => request.body?.message_reference?.message_id === answered.id);
    expect(fake.requests.some((request) => request.body?.message_reference?.message_id === ignored.id)).toBe(false);
  });
});

describe('DISCORD_COOLDOWN_SECONDS', () => {
  it('makes a user wait between questions, per user', async () => {
    const { fake } = await botWith(() => ({ DISCORD_COOLDOWN_SECONDS: '60' }));
    const first = await fake.reply(fake.slashCommand('ask', { question: QUESTION }));
    expect(first.data.embeds).toHaveLength(1);
    const second = await fake.reply(fake.slashCommand('ask', { question: QUESTION }));
    expect(second.data).toMatchObject({ flags: 64, content: expect.stringMatching(/^Please wait \d+ s before asking again\.$/) });
    const other = await fake.reply(fake.slashCommand('ask', { question: QUESTION }, { user: fake.bob }));
    expect(other.data.embeds).toHaveLength(1);
    const mention = fake.userMessage(QUESTION);
    const waited = await fake.waitForRequest((request) => request.body?.message_reference?.message_id === mention.id);
    expect(waited.body.content).toMatch(/^Please wait/);
    const search = await fake.reply(fake.slashCommand('search', { query: QUESTION }));
    expect(search.data.embeds).toHaveLength(1); // /search is cheap and not rate limited
  });
});

describe('DISCORD_MENTIONS', () => {
  it('off: no privileged intents, mentions ignored, slash commands still work', async () => {
    const { fake } = await botWith(() => ({ DISCORD_MENTIONS: 'false' }));
    const intents = fake.identifyPayloads[0].intents as number;
    expect(intents & MESSAGE_CONTENT).toBe(0);
    expect(intents & GUILD_MESSAGES).toBe(0);
    const ignored = fake.userMessage(QUESTION);
    const reply = await fake.reply(fake.slashCommand('ask', { question: QUESTION }));
    expect(reply.data.embeds[0].description).toContain('no winners in trade wars');
    const help = await fake.reply(fake.slashCommand('help'));
    expect(help.data.embeds[0].description).not.toContain('Mention me');
    expect(fake.requests.some((request) => request.body?.message_reference?.message_id === ignored.id)).toBe(false);
    expect(fake.requests.some((request) => request.path.includes('/typing'))).toBe(false);
  });
});

describe('DISCORD_MENTIONS without the intent enabled in the Developer Portal', () => {
  it('fails to log in with a message naming the switch that fixes it', async () => {
    const fake = await FakeDiscord.start();
    fake.refusePrivilegedIntents = true;
    try {
      await expect(startTestBot({ workspace: real.workspace, engine: real.engine, fake })).rejects.toThrow(
        /Message Content Intent.*DISCORD_MENTIONS=false/s,
      );
      harness = await startTestBot({ workspace: real.workspace, engine: real.engine, fake, environment: { DISCORD_MENTIONS: 'false' } });
      const reply = await fake.reply(fake.slashCommand('ask', { question: QUESTION }));
      expect(reply.data.embeds[0].description).toContain('no winners in trade wars');
    } finally {
      await harness?.close();
      harness = undefined;
      await fake.stop().catch(() => undefined);
    }
  });
});

describe('DISCORD_REPLY_IN_THREAD', () => {
  it('answers a mention in a new thread named after the question', async () => {
    const { fake } = await botWith(() => ({ DISCORD_REPLY_IN_THREAD: 'true' }));
    const message = fake.userMessage(QUESTION);
    const started = await fake.waitForRequest((request) => request.path === `/channels/${fake.channelId}/messages/${message.id}/threads`);
    expect(started.body).toMatchObject({ name: QUESTION, auto_archive_duration: 1440 });
    const sent = await fake.waitForRequest(
      (request) =>
        request.method === 'POST' &&
        /^\/channels\/\d+\/messages$/.test(request.path) &&
        request.path !== `/channels/${fake.channelId}/messages`,
    );
    expect(sent.body.embeds[0].description).toContain('no winners in trade wars');
    expect(sent.body.allowed_mentions).toEqual(NO_PINGS);
    expect(sent.body.message_reference).toBeUndefined();
    expect(buttonIds(sent.body)).toHaveLength(3);
  });
});

describe('DISCORD_ANSWER_VISIBILITY', () => {
  it('private: answers are ephemeral unless private:false is chosen', async () => {
    const { fake } = await botWith(() => ({ DISCORD_ANSWER_VISIBILITY: 'private' }));
    const hidden = await fake.reply(fake.slashCommand('ask', { question: QUESTION }));
    expect(hidden.data.flags).toBe(64);
    const shown = await fake.reply(fake.slashCommand('ask', { question: QUESTION, private: false }));
    expect(shown.data.flags).toBeUndefined();
    const search = await fake.reply(fake.slashCommand('search', { query: QUESTION }));
    expect(search.data.flags).toBe(64);
  });
});

describe('command registration', () => {
  it('without a guild id registers globally, with the application id from the gateway', async () => {
    const { fake } = await botWith(() => ({ DISCORD_GUILD_ID: '' }));
    const put = await fake.waitForRequest((request) => request.method === 'PUT');
    expect(put.path).toBe(`/applications/${fake.applicationId}/commands`);
    expect(put.body).toEqual(commandData());
  });

  it('uses DISCORD_APPLICATION_ID when set', async () => {
    const { fake } = await botWith(() => ({ DISCORD_APPLICATION_ID: '123456789012345678' }));
    const put = await fake.waitForRequest((request) => request.method === 'PUT');
    expect(put.path).toBe(`/applications/123456789012345678/guilds/${fake.guildId}/commands`);
  });

  it('does not register when DISCORD_REGISTER_COMMANDS=false', async () => {
    const { fake } = await botWith(() => ({ DISCORD_REGISTER_COMMANDS: 'false' }));
    await fake.reply(fake.slashCommand('help'));
    expect(fake.requests.some((request) => request.method === 'PUT')).toBe(false);
  });
});

describe('button state over time', () => {
  it("an answer's buttons expire after the state ttl with a clear private message", async () => {
    let clock = Date.now();
    const fake = await FakeDiscord.start();
    harness = await real.startBot({ fake, settings: { now: () => clock, stateTtlMs: 15 * 60 * 1000 } });
    const answer = await fake.reply(fake.slashCommand('ask', { question: QUESTION }));
    const [passagesId] = buttonIds(answer.data);
    const fresh = await fake.reply(fake.pressButton(passagesId!, { message: answer.data }));
    expect(fresh.data.embeds[0].title).toBe(`Passages for: ${QUESTION}`);
    clock += 16 * 60 * 1000;
    const expired = await fake.reply(fake.pressButton(passagesId!, { message: answer.data }));
    expect(expired.data).toMatchObject({
      flags: 64,
      content: 'These results have expired. Please run the command again.',
      allowed_mentions: NO_PINGS,
    });
  });

  it('buttons from before a restart are recognised as such', async () => {
    const fake = await FakeDiscord.start();
    const first = await startTestBot({ workspace: real.workspace, engine: real.engine, fake });
    const answer = await fake.reply(fake.slashCommand('ask', { question: QUESTION }));
    await first.bot.stop();
    harness = await real.startBot({ fake });
    for (const id of buttonIds(answer.data)) {
      const pressed = await fake.reply(fake.pressButton(id, { message: answer.data }));
      expect(pressed.data).toMatchObject({
        flags: 64,
        content: 'This button is from before the bot restarted, so its results are gone. Please run the command again.',
      });
    }
  });
});
