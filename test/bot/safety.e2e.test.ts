/**
 * Safety and bad input, end to end through the fake Discord. Questions come from users, so the
 * real engine answers them; the tests that need text the seeds do not contain (markdown and
 * mentions inside a quoted passage, passages longer than Discord's limits) or a failure the real
 * engine cannot be made to produce (a throwing or slow engine) use the hand-written ScriptedEngine,
 * as each test says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APOLOGY } from '../../src/bot/client.js';
import { answerFrom, passage, ScriptedEngine } from '../fakes/engine.js';
import { buttonIds, limitViolations, messageRequests, startTestBot, TOKEN, type TestBot, useRealEngine, NO_PINGS } from './harness.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
const real = useRealEngine({
  before: () => {
    process.on('unhandledRejection', onUnhandled);
  },
  after: () => {
    process.off('unhandledRejection', onUnhandled);
  },
});

function expectSafeMessages(harness: TestBot): void {
  for (const { request, message } of messageRequests(harness.fake)) {
    expect(message.allowed_mentions, `${request.method} ${request.path}`).toEqual(NO_PINGS);
    expect(limitViolations(message), `${request.method} ${request.path}`).toEqual([]);
  }
  for (const line of harness.logs) expect(line).not.toContain(TOKEN);
  for (const request of harness.fake.requests) expect(JSON.stringify(request.body ?? '')).not.toContain(TOKEN);
}

describe('bad questions (real engine)', () => {
  let harness: TestBot;
  beforeAll(async () => {
    harness = await startTestBot({ workspace: real.workspace, engine: real.engine });
  });
  afterAll(async () => {
    await harness?.close();
  });

  const refused: [string, string][] = [
    ['empty', ''],
    ['whitespace only', ' \t\n  '],
    ['one character', 'a'],
    ['emoji only', '🙂🇻🇳🤔'],
    ['zero-width only', '\u200b\u200c\u200d\ufeff'],
  ];
  it.each(refused)('%s question: a helpful private reply', async (_, question) => {
    const reply = await harness.fake.reply(harness.fake.slashCommand('ask', { question }));
    expect(reply.callbackType).toBe(4);
    expect(reply.data.flags).toBe(64);
    expect(reply.data.content).toMatch(/^(Your question is empty|I need a question in words)/);
    expect(reply.data.content).toMatch(/for example/i);
  });

  it('a right-to-left question gets an honest answer embed, not an error', async () => {
    const question = 'ما هي العلاقات بين الصين وفيتنام؟';
    const reply = await harness.fake.reply(harness.fake.slashCommand('ask', { question }));
    expect(reply.data.embeds[0].title).toBe(question);
    expect(reply.data.embeds[0].description).toContain('could not find a passage');
  });

  it('a code-block question is asked without the fences', async () => {
    const reply = await harness.fake.reply(harness.fake.slashCommand('ask', { question: '```js\nwhat did xi say about trade wars\n```' }));
    expect(reply.data.embeds[0].title).toBe('what did xi say about trade wars');
    expect(reply.data.embeds[0].description).toContain('no winners in trade wars');
  });

  it('a 6000-character question is refused with its length, privately; a long mention too, within every limit', async () => {
    const question = `What did Xi say about trade wars? ${'very '.repeat(1200)}`.slice(0, 6000);
    const reply = await harness.fake.reply(harness.fake.slashCommand('ask', { question }));
    expect(reply.data).toMatchObject({ flags: 64, content: 'Your question is 6,000 characters long; please ask it in at most 1,000.' });
    expect(limitViolations(reply.data)).toEqual([]);
    const mention = harness.fake.userMessage(question.slice(0, 3900));
    const sent = await harness.fake.waitForRequest((request) => request.body?.message_reference?.message_id === mention.id);
    expect(sent.body.content).toMatch(/^Your question is 3,\d{3} characters long; please ask it in at most 1,000\./);
    expect(limitViolations(sent.body)).toEqual([]);
  });

  it('a question of 1,000 characters is still answered within every limit', async () => {
    const question = `What did Xi say about trade wars? ${'very '.repeat(300)}`.slice(0, 1000);
    const reply = await harness.fake.reply(harness.fake.slashCommand('ask', { question }));
    expect(reply.data.embeds[0].title.length).toBeLessThanOrEqual(256);
    expect(reply.data.embeds[0].title.endsWith('…')).toBe(true);
    expect(limitViolations(reply.data)).toEqual([]);
  });

  it('@everyone, role and user mentions in a question ping nobody', async () => {
    const { fake } = harness;
    const question = `@everyone @here <@&${fake.guildId}> <@${fake.bob.id}> what did Xi say about trade wars?`;
    const reply = await fake.reply(fake.slashCommand('ask', { question }));
    expect(reply.data.embeds[0].title).toContain('@everyone');
    expect(reply.data.allowed_mentions).toEqual(NO_PINGS);
    const message = fake.userMessage(question);
    const sent = await fake.waitForRequest((request) => request.body?.message_reference?.message_id === message.id);
    expect(sent.body.allowed_mentions).toEqual(NO_PINGS);
    const search = await fake.reply(fake.slashCommand('search', { query: question }));
    expect(search.data.allowed_mentions).toEqual(NO_PINGS);
    const notFound = await fake.reply(fake.slashCommand('source', { name: '@everyone' }));
    expect(notFound.data.allowed_mentions).toEqual(NO_PINGS);
  });

  it('bad /search and "Find sources" input gets the same helpful replies', async () => {
    const search = await harness.fake.reply(harness.fake.slashCommand('search', { query: '   ' }));
    expect(search.data).toMatchObject({ flags: 64, content: expect.stringContaining('Your question is empty') });
    const find = await harness.fake.reply(harness.fake.messageCommand('Find sources', '👍'));
    expect(find.data).toMatchObject({ flags: 64, content: expect.stringContaining('no text I can look up') });
  });

  it('nothing crashed, nothing leaked', () => {
    expect(harness.logs.filter((line) => line.startsWith('[error]'))).toEqual([]);
    for (const { message } of messageRequests(harness.fake)) expect(JSON.stringify(message)).not.toMatch(/\n\s+at /); // no stack traces
    expectSafeMessages(harness);
    expect(unhandled).toEqual([]);
  });
});

describe('hostile passages (hand-written engine: the seeds hold no markdown or over-long passages)', () => {
  const hostile = passage({
    text: '**bold** __under__ # Heading\n- list item\n> quote `code` ```block``` [link](https://evil.example) @everyone <@&123456789012345678> ||spoiler||',
    title: '**Title** with `ticks`',
    source: 'evil`file.txt',
  });
  const huge = Array.from({ length: 12 }, (_, index) =>
    passage({
      text: `${'Long sentence about Vietnam and China. '.repeat(160)}${index}`,
      source: `long-${index}.txt`,
      paragraph: index + 1,
      title: 'T'.repeat(400),
    }),
  );
  const manyCitations = Array.from({ length: 40 }, (_, index) => ({
    ...passage({ source: `other-${index}.txt`, paragraph: index + 1, title: 'Another very long title '.repeat(10) }),
  }));
  let harness: TestBot;
  let scripted: ScriptedEngine;
  beforeAll(async () => {
    scripted = new ScriptedEngine({
      passages: [hostile, ...huge],
      answer: (question) => (question.includes('hostile') ? answerFrom(question, [hostile]) : answerFrom(question, huge, manyCitations)),
      documents: [
        {
          file: 'x'.repeat(300),
          collection: 'default',
          title: 'Y'.repeat(300),
          date: null,
          characters: 10,
          paragraphs: 1,
          chunks: 1,
          opening: 'Z'.repeat(9000),
        },
      ],
    });
    harness = await startTestBot({ workspace: real.workspace, engine: scripted });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('markdown in a quoted passage is escaped and cannot break the layout', async () => {
    const reply = await harness.fake.reply(harness.fake.slashCommand('ask', { question: 'hostile passage please' }));
    const [embed] = reply.data.embeds;
    expect(embed.description).toBe(
      '> \\*\\*bold\\*\\* \\_\\_under\\_\\_ # Heading - list item > quote \\`code\\` \\`\\`\\`block\\`\\`\\` \\[link](https://evil.example) @everyone <@&123456789012345678> \\|\\|spoiler\\|\\| [1]',
    );
    expect(embed.description.split('\n')).toHaveLength(1);
    expect(embed.fields[0].value).toBe("[1] **\\*\\*Title\\*\\* with \\`ticks\\`** (2025-04-14) — `evil'file.txt`, ¶1");
    expect(reply.data.allowed_mentions).toEqual(NO_PINGS);
  });

  it('passages longer than every limit are shortened with an ellipsis in /ask, Passages, /search, Find sources, /source', async () => {
    const { fake } = harness;
    const ask = await fake.reply(fake.slashCommand('ask', { question: 'long answer please' }));
    expect(limitViolations(ask.data)).toEqual([]);
    expect(ask.data.embeds[0].description).toContain('…');
    const passages = await fake.reply(fake.pressButton(buttonIds(ask.data)[0]!, { message: ask.data }));
    expect(limitViolations(passages.data)).toEqual([]);
    expect(passages.data.embeds[0].footer.text).toBe('Page 1 of 4');
    const search = await fake.reply(fake.slashCommand('search', { query: 'long', results: 10 }));
    expect(limitViolations(search.data)).toEqual([]);
    const find = await fake.reply(fake.messageCommand('Find sources', 'long message text'));
    expect(limitViolations(find.data)).toEqual([]);
    const source = await fake.reply(fake.slashCommand('source', { name: 'x'.repeat(300) }));
    expect(limitViolations(source.data)).toEqual([]);
    const choices = await fake.callback(fake.autocomplete('source', 'name', 'x'));
    expect(choices.body.data.choices[0].name.length).toBeLessThanOrEqual(100);
    expect(choices.body.data.choices[0].value.length).toBeLessThanOrEqual(100);
  });

  it('every message was safe', () => {
    expectSafeMessages(harness);
    expect(unhandled).toEqual([]);
  });
});

describe('errors inside handlers (hand-written engine that throws: the real engine does not fail on demand)', () => {
  let harness: TestBot;
  beforeAll(async () => {
    let calls = 0;
    const failing = new ScriptedEngine({
      answer: (question) => {
        calls += 1;
        if (question.includes('explode')) throw new Error(`engine exploded (call ${calls})`);
        return answerFrom(question, [passage()]);
      },
    });
    harness = await startTestBot({ workspace: real.workspace, engine: failing });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('the user gets a short private apology, the log gets the stack, the bot keeps answering', async () => {
    const { fake } = harness;
    const reply = await fake.reply(fake.slashCommand('ask', { question: 'please explode now' }));
    expect(reply.data).toMatchObject({ content: APOLOGY, flags: 64, allowed_mentions: NO_PINGS });
    const errorLine = harness.logs.find((line) => line.startsWith('[error] /ask failed'));
    expect(errorLine).toContain('Error: engine exploded');
    expect(errorLine).toMatch(/\n\s+at /); // the stack
    expect(reply.data.content).not.toMatch(/exploded|at /);
    const mention = fake.userMessage('please explode again');
    const apology = await fake.waitForRequest((request) => request.body?.message_reference?.message_id === mention.id);
    expect(apology.body).toMatchObject({ content: APOLOGY, allowed_mentions: NO_PINGS });
    const next = await fake.reply(fake.slashCommand('ask', { question: 'and now a normal question' }));
    expect(next.data.embeds[0].description).toContain('cooperation agreements');
    expect(unhandled).toEqual([]);
  });

  it('the token never appears in a log line (stacks included) or a message', () => {
    expect(harness.logs.some((line) => line.includes('engine exploded'))).toBe(true);
    for (const line of harness.logs) expect(line).not.toContain(TOKEN);
    for (const request of harness.fake.requests) expect(JSON.stringify(request.body ?? '')).not.toContain(TOKEN);
  });
});

describe('slow answers (hand-written delayed engine: the real engine answers these seeds in milliseconds)', () => {
  it('defers when the answer takes longer than the threshold, then edits the reply', async () => {
    const slow = new ScriptedEngine({ delayMs: 300 });
    const harness = await startTestBot({ workspace: real.workspace, engine: slow, settings: { deferAfterMs: 50 } });
    try {
      const { fake } = harness;
      const interaction = fake.slashCommand('ask', { question: 'slow question about agreements', private: true });
      const reply = await fake.reply(interaction);
      expect(reply.deferred).toBe(true);
      expect(reply.ephemeral).toBe(true);
      const callback = await fake.callback(interaction);
      expect(callback.body).toEqual({ type: 5, data: { flags: 64 } });
      expect(reply.data.embeds[0].description).toContain('cooperation agreements');
      expect(reply.data.allowed_mentions).toEqual(NO_PINGS);
      const failing = new ScriptedEngine({ delayMs: 200, answer: () => Promise.reject(new Error('slow failure')) });
      await harness.close();
      const second = await startTestBot({ workspace: real.workspace, engine: failing, settings: { deferAfterMs: 50 } });
      try {
        const failed = await second.fake.reply(second.fake.slashCommand('ask', { question: 'slow and failing' }));
        expect(failed.deferred).toBe(true);
        expect(failed.data).toMatchObject({ content: APOLOGY, embeds: [], components: [] });
        expect(second.logs.some((line) => line.includes('slow failure'))).toBe(true);
      } finally {
        await second.close();
      }
    } finally {
      await harness.close().catch(() => undefined);
    }
  });
});
