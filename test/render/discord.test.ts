/** Rendering without the network: Discord limits for any input, markdown escaping, the answer layout. */
import { describe, expect, it } from 'vitest';
import type { Answer, DocumentSummary, Passage, Timeline } from '../../src/core/types.js';
import {
  addressed,
  describeAge,
  documentChoices,
  renderAnswer,
  renderDocument,
  renderDocumentList,
  renderHelp,
  renderIngestReport,
} from '../../src/render/discord.js';
import {
  DiscordLimits,
  describeCitation,
  embedLength,
  escapeQuote,
  fitContent,
  fitEmbed,
  truncate,
} from '../../src/render/discord-format.js';
import { pagerRow, buttonRow, button, renderPassagePage, renderTimelinePage, timelinePageCount } from '../../src/render/discord-pages.js';
import { limitViolations } from '../bot/harness.js';

const now = new Date('2026-01-01T12:00:00Z');
const view = { builtAt: '2026-01-01T09:30:00Z', now };

function passage(fields: Partial<Passage> = {}): Passage {
  const text = fields.text ?? 'There are no winners in trade wars.';
  return {
    source: 'a.txt',
    title: 'Title A',
    date: '2025-04-14',
    paragraph: 4,
    chunkId: 'a.txt#p4.0',
    start: 0,
    end: text.length,
    text,
    score: 0.8123,
    ...fields,
  };
}

function answer(fields: Partial<Answer> = {}): Answer {
  const quote = { ...passage(), alsoIn: [] };
  return {
    question: 'What did Xi say?',
    answered: true,
    quotes: [quote],
    passages: [passage()],
    abstainReason: null,
    timings: { embedMs: 1, searchMs: 1, totalMs: 2 },
    ...fields,
  };
}

describe('truncate', () => {
  it.each([
    ['short', 10, 'short'],
    ['exactly10!', 10, 'exactly10!'],
    ['this is too long', 10, 'this is t…'],
    ['word     spaces', 8, 'word…'],
    ['', 5, ''],
    ['abc', 0, ''],
  ])('truncate(%j, %i) = %j', (text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
    expect(truncate(text, max).length).toBeLessThanOrEqual(max);
  });

  it('never splits a surrogate pair', () => {
    const text = `${'a'.repeat(8)}😀😀😀`;
    const cut = truncate(text, 10);
    expect(cut).toBe(`${'a'.repeat(8)}…`);
    expect(cut.length).toBeLessThanOrEqual(10);
  });
});

describe('escapeQuote', () => {
  it.each([
    ['**bold**', '\\*\\*bold\\*\\*'],
    ['__under__ *it*', '\\_\\_under\\_\\_ \\*it\\*'],
    ['# heading', '\\# heading'],
    ['- item', '\\- item'],
    ['1. item', '1\\. item'],
    ['> quoted', '\\> quoted'],
    ['`code` ```block```', '\\`code\\` \\`\\`\\`block\\`\\`\\`'],
    ['[text](https://x.example)', '\\[text](https://x.example)'],
    ['||spoiler|| ~~strike~~', '\\|\\|spoiler\\|\\| \\~\\~strike\\~\\~'],
    ['line one\nline two\r\n\n> three', 'line one line two > three'],
    ['plain “quoted” text, 145% duties.', 'plain “quoted” text, 145% duties.'],
  ])('%j → %j', (input, expected) => {
    expect(escapeQuote(input)).toBe(expected);
  });
});

describe('renderAnswer', () => {
  it('lays out quotes with markers, numbered sources, and the footer', () => {
    const corroboration = { source: 'b.txt', title: 'Title B', date: null, paragraph: 2, chunkId: 'b.txt#p2.0', start: 0, end: 5 };
    const second = { ...passage({ source: 'c.txt', title: 'Title C', paragraph: 7, text: 'Second quote.' }), alsoIn: [corroboration] };
    const embed = renderAnswer(answer({ quotes: [{ ...passage(), alsoIn: [] }, second] }), view);
    expect(embed).toEqual({
      title: 'What did Xi say?',
      description: '> There are no winners in trade wars. [1]\n\n> Second quote. [2][3]',
      color: 0x2b7a78,
      fields: [
        {
          name: 'Sources',
          value: '[1] **Title A** (2025-04-14) — `a.txt`, ¶4\n[2] **Title C** (2025-04-14) — `c.txt`, ¶7\n[3] **Title B** — `b.txt`, ¶2',
        },
      ],
      footer: { text: 'Index built 2 hours ago · 3 sources agree' },
    });
  });

  it('shows how a follow-up was read, escaped as user text, answered or not', () => {
    const readAs = 'when did **Xi** say _that_ <@123> @everyone?';
    const answered = renderAnswer(answer({ question: 'when?', readAs, quotes: [{ ...passage(), alsoIn: [] }] }), view);
    expect(answered.description).toBe(
      'Read as: *when did \\*\\*Xi\\*\\* say \\_that\\_ <@123> @everyone?*\n\n> There are no winners in trade wars. [1]',
    );
    const unanswered = renderAnswer(answer({ question: 'when?', readAs: 'when was it?', answered: false, quotes: [] }), view);
    expect(unanswered.description?.startsWith('Read as: *when was it?*\n\nI could not find')).toBe(true);
    expect(renderAnswer(answer({ quotes: [{ ...passage(), alsoIn: [] }] }), view).description).not.toContain('Read as');
    // A reading that is no question shows what the follow-up was taken to be about.
    const followUp = { about: 'agreements _Xi_ sign in Hanoi', carried: [], ownWeight: 0.25 };
    const about = renderAnswer(answer({ question: 'when was that?', followUp, quotes: [{ ...passage(), alsoIn: [] }] }), view);
    expect(about.description?.startsWith('About: *agreements \\_Xi\\_ sign in Hanoi*\n\n> There are no winners')).toBe(true);
  });

  it('reuses a number when two quotes cite the same paragraph', () => {
    const quote = { ...passage(), alsoIn: [] };
    const embed = renderAnswer(answer({ quotes: [quote, { ...quote, text: 'Another sentence.' }] }), view);
    expect(embed.description).toBe('> There are no winners in trade wars. [1]\n\n> Another sentence. [1]');
    expect(embed.footer?.text).toBe('Index built 2 hours ago · 1 source');
  });

  it('shows a source that differs, quoted and cited, and counts it in the footer', () => {
    const conflict = {
      source: 'd.txt',
      title: 'Title D',
      date: '2023-12-12',
      paragraph: 3,
      chunkId: 'd.txt#p3.0',
      start: 0,
      end: 10,
      text: 'It was his **second** visit.',
    };
    const embed = renderAnswer(
      answer({ quotes: [{ ...passage({ text: 'It was his first visit.' }), alsoIn: [], conflicts: [conflict] }] }),
      view,
    );
    expect(embed.description).toBe('> It was his first visit. [1]\nAnother source differs:\n> It was his \\*\\*second\\*\\* visit. [2]');
    expect(embed.fields?.[0]?.value).toBe('[1] **Title A** (2025-04-14) — `a.txt`, ¶4\n[2] **Title D** (2023-12-12) — `d.txt`, ¶3');
    expect(embed.footer?.text).toBe('Index built 2 hours ago · 1 source · 1 differs');
  });

  it('abstains honestly and lists the closest passages', () => {
    const embed = renderAnswer(answer({ answered: false, quotes: [], abstainReason: 'weak-evidence' }), view);
    expect(embed.description).toBe(
      'I could not find a passage in the documents that answers this, so I will not guess.\n\nClosest passages (they may not answer the question):\n> There are no winners in trade wars. [1]',
    );
    expect(embed.footer?.text).toBe('Index built 2 hours ago · no answer found');
  });

  it('stays within every limit for absurd input', () => {
    const long = 'Word '.repeat(3000);
    const many = Array.from({ length: 60 }, (_, index) =>
      passage({ text: long, title: 'T'.repeat(500), source: `f${index}.txt`, paragraph: index }),
    );
    const alsoIn = many.map((item) => ({ ...item }));
    const embed = renderAnswer(
      answer({ question: 'Q'.repeat(6000), quotes: many.map((item) => ({ ...item, alsoIn })), passages: many }),
      view,
    );
    expect(limitViolations({ embeds: [embed] })).toEqual([]);
    expect(embed.title?.endsWith('…')).toBe(true);
    expect(embed.description?.length).toBeGreaterThan(1000); // the quotes keep priority over the source list
  });
});

describe('fitEmbed', () => {
  it('enforces every limit at once', () => {
    const fitted = fitEmbed({
      title: 't'.repeat(1000),
      description: 'd'.repeat(10_000),
      fields: Array.from({ length: 40 }, () => ({ name: 'n'.repeat(400), value: 'v'.repeat(2000) })),
      footer: { text: 'f'.repeat(3000) },
    });
    expect(limitViolations({ embeds: [fitted] })).toEqual([]);
    expect(embedLength(fitted)).toBeLessThanOrEqual(DiscordLimits.embedTotal);
  });

  it('leaves a small embed unchanged', () => {
    const embed = { title: 'a', description: 'b', fields: [{ name: 'c', value: 'd' }], footer: { text: 'e' } };
    expect(fitEmbed(embed)).toEqual(embed);
  });

  it('replaces empty field names and values, which Discord rejects', () => {
    expect(fitEmbed({ fields: [{ name: '', value: '' }] }).fields).toEqual([{ name: '\u200b', value: '\u200b' }]);
  });
});

describe('other views', () => {
  const documents: DocumentSummary[] = [
    {
      file: '000_a.txt',
      collection: 'default',
      title: 'Xi visits Hanoi',
      date: '2025-04-14',
      characters: 5123,
      paragraphs: 12,
      chunks: 9,
      opening: 'HANOI: Xi **called** for ties.',
    },
    {
      file: '001_b.txt',
      collection: 'default',
      title: 'Trade talks',
      date: null,
      characters: 900,
      paragraphs: 3,
      chunks: 2,
      opening: 'Talks.',
    },
  ];

  it('renderPassagePage pages three at a time with scores', () => {
    const passages = Array.from({ length: 7 }, (_, index) => passage({ paragraph: index + 1, score: 1 - index / 10 }));
    const page = renderPassagePage(passages, { page: 2, heading: 'Search: x', showScores: true });
    expect(page.footer?.text).toBe('Page 3 of 3');
    expect(page.fields).toEqual([
      { name: '7. Title A (2025-04-14)', value: '> There are no winners in trade wars.\n`a.txt`, ¶7 · score 0.400' },
    ]);
    expect(renderPassagePage([], { page: 5, heading: 'h', showScores: false }).description).toBe('No passages matched.');
  });

  it('renderDocument and renderDocumentList', () => {
    expect(renderDocument(documents[0]!)).toMatchObject({
      title: 'Xi visits Hanoi',
      description: '> HANOI: Xi \\*\\*called\\*\\* for ties.',
      fields: [
        { name: 'Date', value: '2025-04-14', inline: true },
        { name: 'File', value: '`000_a.txt`', inline: true },
        { name: 'Size', value: '5,123 characters, 12 paragraphs', inline: true },
      ],
    });
    expect(renderDocumentList(documents).description).toBe(
      '1. **Xi visits Hanoi** — 2025-04-14 · `000_a.txt`\n2. **Trade talks** — undated · `001_b.txt`',
    );
    const many = Array.from({ length: 500 }, (_, index) => ({ ...documents[0]!, file: `${index}.txt`, title: 'Long title '.repeat(20) }));
    const list = renderDocumentList(many);
    expect(limitViolations({ embeds: [list] })).toEqual([]);
    expect(list.description).toMatch(/… and \d+ more$/);
  });

  it('documentChoices filters by title or file, at most 25, names within 100', () => {
    expect(documentChoices(documents, 'hanoi')).toEqual([{ name: 'Xi visits Hanoi (2025-04-14)', value: '000_a.txt' }]);
    expect(documentChoices(documents, '001')).toEqual([{ name: 'Trade talks', value: '001_b.txt' }]);
    const many = Array.from({ length: 40 }, (_, index) => ({ ...documents[0]!, file: `${index}.txt`, title: 'x'.repeat(300) }));
    const choices = documentChoices(many, '');
    expect(choices).toHaveLength(25);
    for (const choice of choices) expect(choice.name.length).toBeLessThanOrEqual(100);
  });

  it('renderIngestReport, renderHelp, describeAge, fitContent', () => {
    const report = renderIngestReport({
      rebuilt: true,
      reason: '1 file added',
      added: ['n.txt'],
      changed: [],
      removed: [],
      skipped: [],
      documents: 6,
      chunks: 80,
      builtAt: 'x',
      durationMs: 12,
    });
    expect(report.fields?.map((field) => field.value)).toEqual(['`n.txt`', 'none', 'none', '6 documents, 80 chunks · 12 ms']);
    const skipping = renderIngestReport({
      rebuilt: false,
      reason: 'up to date',
      added: [],
      changed: [],
      removed: [],
      skipped: [{ file: 'a.bin.txt', reason: 'binary (it has NUL bytes), not text' }],
      documents: 6,
      chunks: 80,
      builtAt: 'x',
      durationMs: 3,
    });
    expect(skipping.fields?.at(-1)).toEqual({ name: 'Skipped', value: '`a.bin.txt`: binary (it has NUL bytes), not text' });
    expect(renderHelp({ mentions: false, botName: 'Bot' }).description).not.toContain('Mention me');
    expect(renderHelp({ mentions: true, botName: 'Bot' }).description).toContain('`@Bot ');
    expect(describeAge('2026-01-01T11:59:30Z', now)).toBe('just now');
    expect(describeAge('2026-01-01T11:59:00Z', now)).toBe('1 minute ago');
    expect(describeAge('2025-12-30T12:00:00Z', now)).toBe('2 days ago');
    expect(describeAge('garbage', now)).toBe('unknown');
    expect(fitContent('x'.repeat(5000))).toHaveLength(2000);
  });

  it('button rows hold at most five buttons; the pager disables the ends', () => {
    const buttons = Array.from({ length: 8 }, (_, index) => button({ customId: `b${index}`, label: `B${index}` }));
    expect(buttonRow(buttons).components).toHaveLength(5);
    const row = pagerRow({ page: 0, pages: 3, customIdFor: (page) => `p:${page}` });
    const shown = row.components as { label?: string; custom_id?: string; disabled?: boolean }[];
    expect(shown.map((item) => [item.label, item.custom_id, item.disabled])).toEqual([
      ['Previous', 'p:-1', true],
      ['Next', 'p:1', false],
    ]);
    expect(() => button({ customId: 'x'.repeat(101), label: 'too long' })).toThrow(RangeError);
  });
});

describe('renderTimelinePage', () => {
  const entry = (source: string, date: string | null, text = `What ${source} says.`) => ({
    ...passage({ source, date, text }),
    score: 0.5,
  });
  const timeline = (fields: Partial<Timeline> = {}): Timeline => ({
    topic: 'tariffs',
    dated: [],
    undated: [],
    abstainReason: null,
    timings: { embedMs: 0, searchMs: 0, totalMs: 0 },
    ...fields,
  });

  it('shows the dated entries oldest first as given, then the undated ones, each quoted and cited as answers are', () => {
    const shown = timeline({
      dated: [entry('old.txt', '2023-12-12'), entry('new.txt', '2025-04-14', 'Tariffs **rose** > [link](http://x) @everyone')],
      undated: [entry('u1.txt', null), entry('u2.txt', null)],
    });
    expect(timelinePageCount(shown)).toBe(2);
    const first = renderTimelinePage(shown, { page: 0 });
    expect(first.title).toBe('Timeline: tariffs');
    expect(first.description).toBe('2 dated sources, oldest first; 2 undated sources listed apart, after them.');
    expect(first.fields?.map((field) => field.name)).toEqual(['1. 2023-12-12', '2. 2025-04-14', '3. Undated']);
    expect(first.fields?.[0]?.value).toBe('> What old.txt says.\n**Title A** (2023-12-12) — `old.txt`, ¶4');
    expect(first.fields?.[1]?.value).toBe(
      '> Tariffs \\*\\*rose\\*\\* > \\[link](http://x) @everyone\n**Title A** (2025-04-14) — `new.txt`, ¶4',
    );
    expect(first.fields?.[2]?.value).toBe('> What u1.txt says.\n**Title A** — `u1.txt`, ¶4');
    expect(first.footer?.text).toBe('Page 1 of 2 · oldest first');
    const second = renderTimelinePage(shown, { page: 7 });
    expect(second.fields?.map((field) => field.name)).toEqual(['4. Undated']);
    expect(second.footer?.text).toBe('Page 2 of 2 · oldest first');
  });

  it('says "No dated sources on this." without dated entries, and that the sources don’t say without any', () => {
    expect(renderTimelinePage(timeline({ undated: [entry('u.txt', null)] }), { page: 0 }).description).toBe(
      'No dated sources on this. 1 undated source cannot be placed in time:',
    );
    const none = renderTimelinePage(timeline({ abstainReason: 'weak-evidence' }), { page: 0 });
    expect(none.description).toBe("The sources don't say. I found no passage in the documents on this, so there is no timeline to show.");
    expect(none.fields).toBeUndefined();
    const wordless = renderTimelinePage(timeline({ topic: '', abstainReason: 'empty-question', example: 'What did Xi say?' }), { page: 0 });
    expect(wordless.description).toBe('Please ask a question in words, e.g. “What did Xi say?”.');
  });

  it('fits Discord’s limits whatever the input', () => {
    const long = 'word '.repeat(2000);
    const shown = timeline({ topic: long, dated: [entry('a.txt', '2025-01-01', long), entry('b.txt', '2025-01-02', long)] });
    expect(limitViolations({ embeds: [renderTimelinePage(shown, { page: 0 })] })).toEqual([]);
  });
});

describe('addressed', () => {
  it('starts with the user’s mention; only a user id is accepted', () => {
    expect(addressed('123456789012345678', 'here is what the sources say:')).toBe('<@123456789012345678>, here is what the sources say:');
    expect(() => addressed('&123', 'x')).toThrow(RangeError);
    expect(() => addressed('everyone', 'x')).toThrow(RangeError);
  });
});

describe('collections in citations and lists', () => {
  const inNews = passage({ source: 'news/a.txt', chunkId: 'news/a.txt#p2.1', paragraph: 2 });
  const documents: DocumentSummary[] = [
    {
      file: 'news/a.txt',
      collection: 'news',
      title: 'Port opens',
      date: '2025-01-02',
      characters: 10,
      paragraphs: 1,
      chunks: 1,
      opening: 'A.',
    },
    { file: 'top.txt', collection: 'default', title: 'At the top', date: null, characters: 10, paragraphs: 1, chunks: 1, opening: 'B.' },
    {
      file: 'blogs/c.md',
      collection: 'blogs',
      title: 'A post',
      date: '2024-03-04',
      characters: 10,
      paragraphs: 1,
      chunks: 1,
      opening: 'C.',
    },
  ];

  it('names the collection beside the date only when asked to (the corpus has several)', () => {
    expect(describeCitation(inNews)).toBe('**Title A** (2025-04-14) — `news/a.txt`, ¶2');
    expect(describeCitation(inNews, { showCollections: true })).toBe('**Title A** (news, 2025-04-14) — `news/a.txt`, ¶2');
    expect(describeCitation(passage({ date: null }), { showCollections: true })).toBe('**Title A** (default) — `a.txt`, ¶4');
    const shown = renderAnswer(answer({ quotes: [{ ...inNews, alsoIn: [] }], passages: [inNews] }), { ...view, showCollections: true });
    expect(shown.fields?.[0]?.value).toBe('[1] **Title A** (news, 2025-04-14) — `news/a.txt`, ¶2');
    const page = renderPassagePage([inNews], { page: 0, heading: 'Search: x', showScores: false, showCollections: true });
    expect(page.fields?.[0]?.name).toBe('1. Title A (news, 2025-04-14)');
  });

  it('groups /sources by collection, default first, and says when a channel scope applies', () => {
    expect(renderDocumentList(documents, { showCollections: true }).description).toBe(
      [
        '__default__ (1 document)',
        '1. **At the top** — undated · `top.txt`',
        '__blogs__ (1 document)',
        '2. **A post** — 2024-03-04 · `blogs/c.md`',
        '__news__ (1 document)',
        '3. **Port opens** — 2025-01-02 · `news/a.txt`',
      ].join('\n'),
    );
    const scoped = renderDocumentList(documents.slice(0, 1), { showCollections: true, scope: ['news'] });
    expect(scoped.title).toBe("Documents in this channel's scope (1)");
    expect(scoped.description?.split('\n').slice(0, 3)).toEqual([
      'This channel answers only from the collection **news**.',
      '',
      '__news__ (1 document)',
    ]);
    expect(renderDocument(documents[0] as DocumentSummary, { showCollections: true }).fields?.[0]).toEqual({
      name: 'Collection',
      value: 'news',
      inline: true,
    });
    // One collection: as before, no collection anywhere.
    expect(renderDocument(documents[0] as DocumentSummary).fields?.map((field) => field.name)).toEqual(['Date', 'File', 'Size']);
  });
});
