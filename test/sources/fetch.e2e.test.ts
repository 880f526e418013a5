/**
 * The fetch of sources from the web against a real HTTP server on loopback addresses: the safety
 * rules (each with its refusal), redirects, limits, content types, ETag / 304, and the pages and
 * feeds read from what was fetched.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFeed } from '../../src/sources/feed.js';
import { type FetchPolicy, fetchSource } from '../../src/sources/fetch.js';
import { pageDocument, pagePolicy } from '../../src/sources/web-page.js';
import { atomFeed, FakeWeb, newsPage, rssFeed } from '../fakes/web-server.js';
import { FIXTURES } from '../support/documents-corpus.js';

let web: FakeWeb;
/** A server on 127.0.0.2, exempted from the rules: it stands in for a public host (the rules stay on). */
let publicWeb: FakeWeb;
const PUBLIC = '127.0.0.2';

const page = newsPage({
  headline: 'Volunteers restore the Lake Varnu lighthouse',
  date: '2026-03-02',
  paragraphs: ['Volunteers on Lake Varnu finished restoring the 1887 lighthouse on Saturday, after three winters of work.'],
});

beforeAll(async () => {
  web = await FakeWeb.start('127.0.0.1');
  publicWeb = await FakeWeb.start(PUBLIC);
});
afterAll(async () => {
  await web?.stop();
  await publicWeb?.stop();
});

const open: FetchPolicy = { ...pagePolicy({ allowPrivate: true, fetchTimeoutMs: 5000 }) };
const guarded: FetchPolicy = { ...pagePolicy({ allowPrivate: false, fetchTimeoutMs: 5000 }), trustedAddresses: new Set([PUBLIC]) };

describe('fetchSource', () => {
  it('fetches a page, sends no cookie or credentials, and keeps its ETag', async () => {
    const url = web.serve('/news/lighthouse-restored', { body: page, etag: '"v1"', lastModified: 'Mon, 02 Mar 2026 08:00:00 GMT' });
    const fetched = await fetchSource(url, open);
    expect(fetched).toMatchObject({ kind: 'fetched', url, contentType: 'text/html', etag: '"v1"' });
    const [request] = web.requestsTo('/news/lighthouse-restored');
    expect(request?.headers['user-agent']).toContain('seed-quotes-bot');
    expect(Object.keys(request?.headers ?? {}).filter((name) => ['cookie', 'authorization', 'proxy-authorization'].includes(name))).toEqual(
      [],
    );
  });

  it('answers 304 to a conditional request with the same ETag', async () => {
    const url = web.serve('/feed-etag.xml', { type: 'application/rss+xml', body: rssFeed([]), etag: '"f1"' });
    expect(await fetchSource(url, { ...open, accept: new Set(['application/rss+xml']) }, { etag: '"f1"' })).toEqual({
      kind: 'not-modified',
      url,
    });
    expect(web.requestsTo('/feed-etag.xml').at(-1)?.headers['if-none-match']).toBe('"f1"');
  });

  it('follows up to 5 redirects, each hop checked, and refuses a 6th', async () => {
    for (let hop = 0; hop < 6; hop++) web.serve(`/hop${hop}`, { location: `/hop${hop + 1}` });
    web.serve('/hop6', { body: page });
    web.serve('/short0', { status: 301, location: '/short1' });
    web.serve('/short1', { status: 308, location: '/hop6' });
    expect(await fetchSource(web.url('/short0'), open)).toMatchObject({ kind: 'fetched', url: web.url('/hop6') });
    expect(await fetchSource(web.url('/hop0'), open)).toEqual({ kind: 'refused', reason: 'more than 5 redirects' });
  });

  it('refuses loopback, private, link-local, CGNAT and metadata addresses, named by rule', async () => {
    const refused = async (url: string) => {
      const result = await fetchSource(url, guarded);
      return result.kind === 'refused' ? result.reason : result.kind;
    };
    expect(await refused(web.url('/news/lighthouse-restored'))).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(await refused('http://10.1.2.3/')).toMatch(/private network address/);
    expect(await refused('http://169.254.169.254/latest/meta-data/')).toMatch(/cloud metadata/);
    expect(await refused('http://100.64.0.7/')).toMatch(/carrier-grade NAT/);
    expect(await refused('http://[::1]/')).toMatch(/loopback/);
    expect(await refused('http://[fe80::1]/')).toMatch(/link-local/);
    expect(await refused('ftp://example.com/file.txt')).toMatch(/only http and https/);
    expect(await refused('https://user:secret@example.com/')).toMatch(/user name or password/);
    expect(web.requestsTo('/news/lighthouse-restored')).toHaveLength(1); // only the earlier, allowed fetch
  });

  it('resolves a name first and refuses when any of its addresses is private', async () => {
    const resolve = async () => [
      { address: '93.184.216.34', family: 4 as const },
      { address: '10.0.0.5', family: 4 as const },
    ];
    const result = await fetchSource('http://news.example.test/a', { ...guarded, resolve });
    expect(result).toEqual({
      kind: 'refused',
      reason: 'news.example.test (10.0.0.5) is a private network address (10/8, 172.16/12, 192.168/16): fetching from it is refused',
    });
  });

  it('connects to the address it checked, not to what a second lookup would say (no DNS rebinding)', async () => {
    web.serve('/pinned', { body: page });
    let lookups = 0;
    const resolve = async () => {
      lookups++;
      return [{ address: '127.0.0.1', family: 4 as const }];
    };
    // The name does not exist anywhere: only the pinned address can have reached the server.
    const result = await fetchSource(`http://rebind.invalid:${web.port}/pinned`, { ...open, resolve });
    expect(result.kind).toBe('fetched');
    expect(lookups).toBe(1);
  });

  it('refuses a redirect from a public host to a loopback or private address', async () => {
    const toLoopback = publicWeb.serve('/moved', { location: web.url('/news/lighthouse-restored') });
    const toPrivate = publicWeb.serve('/moved-private', { location: 'http://10.20.30.40/admin' });
    expect(await fetchSource(toLoopback, guarded)).toEqual({
      kind: 'refused',
      reason: `it redirects to ${web.url('/news/lighthouse-restored')}, and 127.0.0.1 is a loopback address (this machine: 127.0.0.0/8, ::1): fetching from it is refused`,
    });
    expect(await fetchSource(toPrivate, guarded)).toMatchObject({
      kind: 'refused',
      reason: expect.stringMatching(/redirects to http:\/\/10\.20\.30\.40\/admin, and .* private network/),
    });
    expect(web.requestsTo('/news/lighthouse-restored')).toHaveLength(1);
    // The same public host's own page is fetched.
    expect((await fetchSource(publicWeb.serve('/ok', { body: page }), guarded)).kind).toBe('fetched');
  });

  it('refuses a body over the limit by its Content-Length, or by what arrives, and stops reading', async () => {
    const big = new Uint8Array(3 * 1024 * 1024).fill(97);
    const small = { ...open, maxBytes: 1024 * 1024 };
    expect(await fetchSource(web.serve('/big', { type: 'text/plain', body: big }), small)).toEqual({
      kind: 'refused',
      reason: 'it is larger than 1 MB',
    });
    expect(await fetchSource(web.serve('/big-chunked', { type: 'text/plain', body: big, chunked: true }), small)).toEqual({
      kind: 'refused',
      reason: 'it is larger than 1 MB',
    });
  });

  it('refuses a content type that is not a page, PDF, Markdown or text, naming it', async () => {
    const result = await fetchSource(web.serve('/photo.png', { type: 'image/png', body: 'PNG' }), open);
    expect(result).toEqual({ kind: 'refused', reason: expect.stringContaining('it is image/png, not text/html') });
  });

  it('refuses an HTTP error and a server slower than the time limit', async () => {
    expect(await fetchSource(web.serve('/broken', { status: 500, body: 'oops' }), open)).toEqual({
      kind: 'refused',
      reason: 'the server answered HTTP 500 Internal Server Error',
    });
    const started = performance.now();
    const slow = await fetchSource(web.serve('/slow', { body: page, delayMs: 3000 }), { ...open, timeoutMs: 500 });
    expect(slow).toEqual({ kind: 'refused', reason: 'no complete answer within 0.5 s (timed out)' });
    expect(performance.now() - started).toBeLessThan(2500);
  });
});

describe('pages and feeds read from what was fetched', () => {
  it('a news page: its article, title, date; a canonical link added so its citations link to it', async () => {
    const url = web.serve('/2026/03/02/lighthouse-restored.html', { body: page });
    const fetched = await fetchSource(url, open);
    if (fetched.kind !== 'fetched') throw new Error(fetched.kind);
    const read = await pageDocument(fetched);
    if ('reason' in read) throw new Error(read.reason);
    expect(read.name).toBe('lighthouse-restored.html');
    expect(read.canonicalUrl).toBe(url);
    expect(read.document).toMatchObject({ title: 'Volunteers restore the Lake Varnu lighthouse', date: '2026-03-02', structure: { url } });
    const text = read.document.paragraphs.map((paragraph) => paragraph.text).join('\n');
    expect(text).toContain('finished restoring the 1887 lighthouse');
    expect(text).not.toContain('newsletter');
  });

  it('a page with its own canonical URL keeps it, unchanged', async () => {
    const canonical = 'https://ledger.example/2026/lighthouse';
    const fetched = await fetchSource(
      web.serve('/amp/lighthouse', {
        body: newsPage({
          headline: 'Lighthouse',
          date: '2026-03-02',
          paragraphs: ['The lighthouse shone again on Saturday night.'],
          canonical,
        }),
      }),
      open,
    );
    if (fetched.kind !== 'fetched') throw new Error(fetched.kind);
    const read = await pageDocument(fetched);
    expect(read).toMatchObject({ canonicalUrl: canonical, name: 'lighthouse.html', bytes: fetched.bytes });
  });

  it('a PDF', async () => {
    const pdf = await readFile(path.join(FIXTURES, 'report.pdf'));
    const fetched = await fetchSource(web.serve('/reports/annual-report.pdf', { type: 'application/pdf', body: pdf }), open);
    if (fetched.kind !== 'fetched') throw new Error(fetched.kind);
    const read = await pageDocument(fetched);
    if ('reason' in read) throw new Error(read.reason);
    expect(read.name).toBe('annual-report.pdf');
    expect(read.document.structure?.pageStarts?.length).toBeGreaterThan(1);
  });

  it('RSS and Atom feeds; a malformed one is a reason, not an exception', () => {
    const date = new Date('2026-12-01T10:00:00Z');
    const rss = readFeed(rssFeed([{ title: 'One', link: 'http://feeds.test/one', guid: 'g1', date }]), 'http://feeds.test/rss.xml');
    expect(rss).toEqual({
      title: 'Lakeside Ledger',
      items: [{ id: 'g1', url: 'http://feeds.test/one', title: 'One', published: date.toISOString() }],
    });
    const atom = readFeed(atomFeed([{ title: 'Two', link: 'http://feeds.test/two', id: 'urn:2', date }]), 'http://feeds.test/atom.xml');
    expect(atom).toEqual({
      title: 'Lakeside Atom',
      items: [{ id: 'urn:2', url: 'http://feeds.test/two', title: 'Two', published: date.toISOString() }],
    });
    expect(readFeed('<rss version="2.0"><channel><title>T</title><item><title>x</ti', 'http://feeds.test/')).toEqual({
      reason: expect.stringContaining('not a readable RSS or Atom feed'),
    });
    expect(readFeed('<html><body>a page</body></html>', 'http://feeds.test/')).toEqual({
      reason: expect.stringContaining('not a readable RSS or Atom feed'),
    });
  });
});
