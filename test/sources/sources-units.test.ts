import { describe, expect, it } from 'vitest';
import { feedName } from '../../src/bot/feeds.js';
import { type FeedItem, itemsToFetch, nextPollDelaySeconds } from '../../src/sources/feed.js';
import { linksIn } from '../../src/sources/links.js';
import { readDocumentFile } from '../../src/corpus/readers/index.js';
import { fileNameFor, withCanonicalLink, withFrontMatterUrl } from '../../src/sources/web-page.js';

describe('fileNameFor', () => {
  it.each([
    ['https://news.example/2026/12/07/lighthouse-restored', '.html', null, 'lighthouse-restored.html'],
    ['https://news.example/2026/12/07/Lighthouse_Restored.html', '.html', null, 'lighthouse-restored.html'],
    ['https://news.example/world/lighthouse/index.html', '.html', null, 'lighthouse.html'],
    ['https://news.example/article/12345', '.html', 'Volunteers restore the lighthouse', 'volunteers-restore-the-lighthouse.html'],
    ['https://news.example/12345', '.html', 'Volunteers restore the lighthouse', 'volunteers-restore-the-lighthouse.html'],
    ['https://news.example/', '.html', null, 'news-example.html'],
    ['https://files.example/reports/annual%20report.pdf', '.pdf', null, 'annual-report.pdf'],
    ['https://docs.example/guide/README.md', '.md', null, 'readme.md'],
  ])('%s (%s, title %s) → %s', (url, extension, title, name) => {
    expect(fileNameFor(url, extension, title)).toBe(name);
  });
});

describe('withCanonicalLink', () => {
  it('adds the link after <head>, escaped, or first when there is no head', () => {
    const bytes = (html: string) => new TextEncoder().encode(html);
    const text = (value: Uint8Array) => new TextDecoder().decode(value);
    expect(text(withCanonicalLink(bytes('<html><head lang="en"><title>T</title></head></html>'), 'https://a.example/?a=1&b="2"'))).toBe(
      '<html><head lang="en"><link rel="canonical" href="https://a.example/?a=1&amp;b=&quot;2&quot;"><title>T</title></head></html>',
    );
    expect(text(withCanonicalLink(bytes('<p>Hi</p>'), 'https://a.example/'))).toBe(
      '<link rel="canonical" href="https://a.example/"><p>Hi</p>',
    );
  });
});

describe('withFrontMatterUrl', () => {
  const bytes = (markdown: string) => new TextEncoder().encode(markdown);
  const text = (value: Uint8Array) => new TextDecoder().decode(value);

  it('adds the address to YAML front matter, or front matter to a file without one, and the reader links to it', async () => {
    expect(text(withFrontMatterUrl(bytes('---\ntitle: Guide\n---\n\n# Guide\n'), 'https://docs.example/guide.md'))).toBe(
      '---\nurl: "https://docs.example/guide.md"\ntitle: Guide\n---\n\n# Guide\n',
    );
    const added = withFrontMatterUrl(bytes('# Guide\n\nBerths are on pontoon C.\n'), 'https://docs.example/guide.md');
    expect(text(added)).toBe('---\nurl: "https://docs.example/guide.md"\n---\n\n# Guide\n\nBerths are on pontoon C.\n');
    const read = await readDocumentFile('guide.md', added);
    expect(read).toMatchObject({ title: 'Guide', structure: { url: 'https://docs.example/guide.md' } });
  });

  it('leaves TOML front matter as it is (a second block before it would turn it into text)', () => {
    const toml = bytes('+++\ntitle = "Guide"\n+++\n\nText.\n');
    expect(withFrontMatterUrl(toml, 'https://docs.example/guide.md')).toBe(toml);
  });
});

describe('linksIn', () => {
  it('finds each http(s) link once, without the punctuation or brackets around it', () => {
    expect(
      linksIn(
        'Read https://news.example/a. Also (https://news.example/b) and <https://news.example/c>, https://en.wikipedia.org/wiki/Foo_(bar)! ftp://x.example/f https://news.example/a',
        ['https://news.example/d', null],
      ),
    ).toEqual([
      'https://news.example/a',
      'https://news.example/b',
      'https://news.example/c',
      'https://en.wikipedia.org/wiki/Foo_(bar)',
      'https://news.example/d',
    ]);
    expect(linksIn('no links here')).toEqual([]);
  });
});

describe('feed polling rules', () => {
  const day = 24 * 3600 * 1000;
  const now = Date.parse('2026-12-07T00:00:00Z');
  const item = (id: string, daysAgo: number | null): FeedItem => ({
    id,
    url: `https://n.example/${id}`,
    title: id,
    published: daysAgo === null ? null : new Date(now - daysAgo * day).toISOString(),
  });
  const items = [item('new', 0), item('week', 7), item('old', 30), item('undated', null)];

  it('first poll: unseen items, oldest first, none older than the limit; later polls fetch old new items too', () => {
    const first = itemsToFetch(items, new Set(), { firstPoll: true, maxItems: 20, maxAgeDays: 14, now });
    expect(first.fetch.map((entry) => entry.id)).toEqual(['undated', 'week', 'new']);
    expect(first.tooOld.map((entry) => entry.id)).toEqual(['old']);
    const later = itemsToFetch(items, new Set(['new', 'week']), { firstPoll: false, maxItems: 20, maxAgeDays: 14, now });
    expect(later.fetch.map((entry) => entry.id)).toEqual(['undated', 'old']);
  });

  it('at most maxItems a poll', () => {
    expect(itemsToFetch(items, new Set(), { firstPoll: false, maxItems: 2, maxAgeDays: 14, now }).fetch).toHaveLength(2);
  });

  it('backs off doubling up to an hour after errors, and polls at the interval after a success', () => {
    expect([0, 1, 2, 3, 10].map((failures) => nextPollDelaySeconds(900, failures))).toEqual([900, 1800, 3600, 3600, 3600]);
    expect([0, 1, 2, 3].map((failures) => nextPollDelaySeconds(2, failures))).toEqual([2, 4, 8, 16]);
    expect(nextPollDelaySeconds(7200, 3)).toBe(7200);
  });

  it('names a feed by its host and path', () => {
    expect(feedName('https://www.news.example/world/rss.xml')).toBe('news-example-rss');
    expect(feedName('http://127.0.0.1:8080/feeds/atom')).toBe('127-0-0-1-atom');
  });
});
