/**
 * The connection under stress, end to end with the real engine: gateway drops and resumes, a REST
 * 429 with Retry-After, and 50 concurrent /ask interactions.
 */
import { describe, expect, it } from 'vitest';
import { limitViolations, useRealBot, type TestBot } from './harness.js';

const bot = useRealBot();

describe('gateway drops', () => {
  it.each([
    ['close code 4000', (running: TestBot) => running.fake.closeSocket(4000)],
    ['a TCP drop', (running: TestBot) => running.fake.dropConnection()],
  ])('after %s the client resumes and a question sent while disconnected is answered', async (_, drop) => {
    const { fake } = bot.harness;
    const identifies = fake.identifies;
    const resumes = fake.resumes;
    const resumed = fake.nextSessionReady();
    drop(bot.harness);
    expect(fake.connected).toBe(false);
    const interaction = fake.slashCommand('ask', { question: 'What did Xi say about trade wars?' }); // stored, replayed on resume
    await resumed;
    const reply = await fake.reply(interaction);
    expect(reply.data.embeds[0].description).toContain('no winners in trade wars');
    expect(fake.resumes).toBe(resumes + 1);
    expect(fake.identifies).toBe(identifies);
    expect(bot.harness.logs.some((line) => line.includes('resumed'))).toBe(true);
  });

  it('after close code 1000 the client identifies again and keeps answering', async () => {
    const { fake } = bot.harness;
    const identifies = fake.identifies;
    const ready = fake.nextSessionReady();
    fake.closeSocket(1000);
    await ready;
    expect(fake.identifies).toBe(identifies + 1);
    const reply = await fake.reply(fake.slashCommand('ask', { question: 'What did Xi say about trade wars?' }));
    expect(reply.data.embeds[0].description).toContain('no winners in trade wars');
  });
});

describe('REST', () => {
  it('a 429 with Retry-After is retried and the reply still arrives', async () => {
    const { fake } = bot.harness;
    fake.rateLimit((method, path) => method === 'POST' && path.endsWith('/callback'), { count: 2, retryAfterSeconds: 0.05 });
    const limited = fake.rateLimited.length;
    const reply = await fake.reply(fake.slashCommand('ask', { question: 'What did Xi say about trade wars?' }));
    expect(reply.data.embeds[0].description).toContain('no winners in trade wars');
    expect(fake.rateLimited.length - limited).toBe(2);
    expect(bot.harness.logs.some((line) => line.startsWith('[warn] Discord REST:') && line.includes('429'))).toBe(true);
  });
});

describe('load', () => {
  it('answers 50 concurrent /ask interactions', async () => {
    const { fake } = bot.harness;
    const questions = Array.from(
      { length: 50 },
      (_, index) =>
        [
          'What did Xi say about trade wars?',
          'What agreements did China and Vietnam sign?',
          'What about railways?',
          'Who is To Lam?',
          'What about the South China Sea?',
        ][index % 5]!,
    );
    const interactions = questions.map((question, index) => fake.slashCommand('ask', { question, private: index % 2 === 0 }));
    const replies = await Promise.all(interactions.map((interaction) => fake.reply(interaction, 30_000)));
    expect(replies).toHaveLength(50);
    for (const [index, reply] of replies.entries()) {
      expect(reply.data.embeds).toHaveLength(1);
      expect(reply.ephemeral).toBe(index % 2 === 0);
      expect(limitViolations(reply.data)).toEqual([]);
    }
    expect(bot.harness.logs.filter((line) => line.startsWith('[error]'))).toEqual([]);
  });
});
