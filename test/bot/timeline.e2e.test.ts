/**
 * `/timeline` end to end: the real discord.js client logged in to the fake Discord, the real
 * engine over a temp copy of the seeds plus two small dated articles written for this test (the
 * seeds have only two dated articles), so that dates ascend across pages.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ButtonMessages } from '../../src/bot/buttons.js';
import { PASSAGES_PER_PAGE, renderTimelinePage } from '../../src/render/discord-pages.js';
import { buttonIds, limitViolations, messageRequests, useRealBot, NO_PINGS } from './harness.js';

/** Written for this test, dated between and before the seeds' two dated articles. */
const EXTRA_DOCUMENTS = {
  '005_test_manila.txt':
    ' date 2024-06-01 MANILA: Philippine and Chinese coast guard vessels clashed again near Second Thomas Shoal in the South China Sea, officials in Manila said.\n\n' +
    'Vietnam has watched the confrontations in the South China Sea closely, as it claims the Spratly Islands too.\n',
  '006_test_beijing.txt':
    " date 2022-11-01 BEIJING: Vietnam's party chief Nguyen Phu Trong visited Beijing, where both sides pledged to settle their disputes in the South China Sea through talks.\n",
};

const bot = useRealBot({
  before: async (workspace) => {
    for (const [file, text] of Object.entries(EXTRA_DOCUMENTS)) await writeFile(path.join(workspace.corpusDir, file), text);
  },
});

/** Each field of a timeline page as [date or "Undated", cited file]. */
function entriesOf(embed: any): [string, string][] {
  return embed.fields.map((field: any) => [field.name.replace(/^\d+\. /, ''), /`([^`]+)`, ¶\d+$/.exec(field.value)?.[1] ?? '?']);
}

describe('/timeline', () => {
  it('is registered with a required topic option', async () => {
    const put = await bot.harness.fake.waitForRequest((request) => request.method === 'PUT');
    const timeline = put.body.find((command: any) => command.name === 'timeline');
    expect(timeline.options.map((option: any) => [option.name, option.type, option.required ?? false])).toEqual([['topic', 3, true]]);
  });

  it('lists each source’s quote oldest first, one per document, undated apart at the end, paged by its owner only', async () => {
    const { fake } = bot.harness;
    const topic = 'South China Sea';
    const expected = await bot.engine.timeline(topic, 25);
    const reply = await fake.reply(fake.slashCommand('timeline', { topic }));
    expect(reply.callbackType).toBe(4);
    expect(reply.ephemeral).toBe(false);
    expect(reply.data.embeds).toEqual([renderTimelinePage(expected, { page: 0 })]);
    const [first] = reply.data.embeds;
    expect(first.title).toBe('Timeline: South China Sea');
    expect(first.description).toMatch(/^4 dated sources, oldest first; \d undated sources? listed apart, after them\.$/);
    // Each entry: the verbatim quote as a block quote, then the citation as answers cite.
    expect(first.fields[0].value).toMatch(/^> .*South China Sea.*\n\*\*.+\*\* \(2022-11-01\) — `006_test_beijing\.txt`, ¶1$/s);
    expect(first.footer.text).toBe('Page 1 of 2 · oldest first');
    expect(reply.data.components[0].components.map((button: any) => [button.label, button.disabled])).toEqual([
      ['Previous', true],
      ['Next', false],
    ]);
    expect(reply.data.allowed_mentions).toEqual(NO_PINGS);

    const [, nextId] = buttonIds(reply.data);
    const refused = await fake.reply(fake.pressButton(nextId!, { message: reply.data, user: fake.bob }));
    expect(refused.data).toMatchObject({ content: ButtonMessages.notYourTimeline, flags: 64 });
    const next = await fake.reply(fake.pressButton(nextId!, { message: reply.data }));
    expect(next.callbackType).toBe(7);
    expect(next.data.embeds).toEqual([renderTimelinePage(expected, { page: 1 })]);
    expect(next.data.embeds[0].footer.text).toBe('Page 2 of 2 · oldest first');
    expect(next.data.components[0].components.map((button: any) => [button.label, button.disabled])).toEqual([
      ['Previous', false],
      ['Next', true],
    ]);
    expect(next.data.allowed_mentions).toEqual(NO_PINGS);

    const entries = [...entriesOf(first), ...entriesOf(next.data.embeds[0])];
    expect(entries.slice(0, 4)).toEqual([
      ['2022-11-01', '006_test_beijing.txt'],
      ['2023-12-12', '003_f015f23f54aca59a.txt'],
      ['2024-06-01', '005_test_manila.txt'],
      ['2025-04-14', '000_7bb7f1e19a806c78.txt'],
    ]);
    const undated = entries.slice(4);
    expect(undated.length).toBeGreaterThan(0);
    for (const [date] of undated) expect(date).toBe('Undated');
    // One entry per document: the Manila article says "South China Sea" twice and is listed once.
    const files = entries.map(([, file]) => file);
    expect(new Set(files).size).toBe(files.length);
    expect(first.fields).toHaveLength(PASSAGES_PER_PAGE);
  });

  it('says "No dated sources on this." when only undated sources speak of the topic', async () => {
    const reply = await bot.harness.fake.reply(bot.harness.fake.slashCommand('timeline', { topic: 'rare earths' }));
    const [embed] = reply.data.embeds;
    expect(embed.description).toBe('No dated sources on this. 1 undated source cannot be placed in time:');
    expect(entriesOf(embed)).toEqual([['Undated', '004_f87e3345d6d88ebb.txt']]);
    expect(embed.footer.text).toBe('Page 1 of 1 · oldest first');
    expect(reply.data.components).toEqual([]);
  });

  it('says the sources don’t say when nothing is on the topic, and refuses a topic without words privately', async () => {
    const { fake } = bot.harness;
    const none = await fake.reply(fake.slashCommand('timeline', { topic: 'recipe for banana bread with walnuts and cinnamon' }));
    expect(none.data.embeds[0].description).toBe(
      "The sources don't say. I found no passage in the documents on this, so there is no timeline to show.",
    );
    expect(none.data.embeds[0].fields ?? []).toEqual([]);
    expect(none.data.components).toEqual([]);
    const refused = await fake.reply(fake.slashCommand('timeline', { topic: '🙂' }));
    expect(refused.data.flags).toBe(64);
    expect(refused.data.content).toMatch(/^I need a question in words/);
  });

  it('escapes markdown and mentions in the topic, and pings nobody', async () => {
    const topic = '**tariffs** @everyone <@&123456789012345678>';
    const reply = await bot.harness.fake.reply(bot.harness.fake.slashCommand('timeline', { topic }));
    expect(reply.data.embeds[0].title).toBe('Timeline: \\*\\*tariffs\\*\\* @everyone <@&123456789012345678>');
    expect(reply.data.content).toBeUndefined();
    expect(reply.data.allowed_mentions).toEqual(NO_PINGS);
  });

  it('sent every message within Discord’s limits, pinging nobody', () => {
    for (const { request, message } of messageRequests(bot.harness.fake)) {
      expect(message.allowed_mentions, `${request.method} ${request.path}`).toEqual(NO_PINGS);
      expect(limitViolations(message), `${request.method} ${request.path}`).toEqual([]);
    }
  });
});
