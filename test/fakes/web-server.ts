/**
 * A small web server on a loopback address for the tests of sources from the web: pages, PDFs and
 * feeds at paths the test sets, with ETag / 304, redirects, slow, failing, oversized and chunked
 * answers. Every request is recorded (path and headers) so tests check what the bot sent.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Route {
  readonly status?: number;
  readonly type?: string | null;
  readonly body?: string | Uint8Array;
  readonly etag?: string;
  readonly lastModified?: string;
  /** Answer 3xx with this Location. */
  readonly location?: string;
  /** Wait this long before answering. */
  readonly delayMs?: number;
  /** Send without Content-Length (the size is known only from what arrives). */
  readonly chunked?: boolean;
}

export interface WebRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly status: number;
}

export class FakeWeb {
  readonly requests: WebRequest[] = [];
  private readonly routes = new Map<string, Route>();

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(host = '127.0.0.1'): Promise<FakeWeb> {
    let web: FakeWeb | undefined;
    const server = createServer((request, response) => {
      void web?.answer(request.url ?? '/', request.headers, response);
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    web = new FakeWeb(server, host, address.port);
    return web;
  }

  /** `http://host:port` + path. */
  url(path: string): string {
    return `http://${this.host}:${this.port}${path}`;
  }

  /** Serve `route` at `path` (replacing what was there). */
  serve(path: string, route: Route): string {
    this.routes.set(path, route);
    return this.url(path);
  }

  requestsTo(path: string): WebRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(path: string, headers: IncomingHttpHeaders, response: import('node:http').ServerResponse): Promise<void> {
    const route = this.routes.get(path) ?? { status: 404, type: 'text/plain', body: 'not found' };
    if (route.delayMs) await new Promise((resolve) => setTimeout(resolve, route.delayMs));
    const notModified = route.etag !== undefined && headers['if-none-match'] === route.etag;
    const status = notModified ? 304 : (route.status ?? (route.location ? 302 : 200));
    this.requests.push({ path, headers, status });
    const out: Record<string, string> = {};
    if (route.type !== null) out['content-type'] = route.type ?? 'text/html; charset=utf-8';
    if (route.etag) out.etag = route.etag;
    if (route.lastModified) out['last-modified'] = route.lastModified;
    if (route.location) out.location = route.location;
    if (notModified) {
      response.writeHead(304, { etag: route.etag ?? '' }).end();
      return;
    }
    const body = typeof route.body === 'string' ? Buffer.from(route.body, 'utf8') : Buffer.from(route.body ?? '');
    if (!route.chunked) out['content-length'] = String(body.length);
    response.writeHead(status, out);
    if (!route.chunked) {
      response.end(body);
      return;
    }
    // In pieces, stopping when the client goes away (a capped download cancels).
    for (let at = 0; at < body.length && !response.destroyed; at += 64 * 1024) {
      if (!response.write(body.subarray(at, at + 64 * 1024)))
        await new Promise((resolve) => response.once('drain', resolve).once('close', resolve));
    }
    response.end();
  }
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A news site's article page (as bench/news-pages.ts renders the seeds): navigation, aside and footer around the article, Open Graph title and publication time. */
export function newsPage(article: { headline: string; date: string; paragraphs: readonly string[]; canonical?: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>${escapeXml(article.headline)} | Lakeside Ledger</title>
<meta property="og:title" content="${escapeXml(article.headline)}">
<meta property="article:published_time" content="${article.date}T08:00:00Z">
${article.canonical ? `<link rel="canonical" href="${article.canonical}">` : ''}
</head><body>
<nav><a href="/">Lakeside Ledger</a> · <a href="/world">World</a> · <a href="/subscribe">Subscribe for $1 a week</a></nav>
<main><article>
<h1>${escapeXml(article.headline)}</h1>
<p class="byline">By Staff Reporters · <time datetime="${article.date}">${article.date}</time></p>
${article.paragraphs.map((text) => `<p>${escapeXml(text)}</p>`).join('\n')}
</article>
<aside><h2>Most read</h2><ol><li><a href="/a">Mayor opens the new ferry terminal</a></li></ol>
<p>Sign up for our newsletter to get the day's top stories delivered every morning.</p></aside></main>
<footer><p>© 2026 Lakeside Ledger. All rights reserved.</p><p><a href="/privacy">Privacy policy</a></p></footer>
</body></html>
`;
}

/** An RSS 2.0 feed of these items (newest first). */
export function rssFeed(items: readonly { title: string; link: string; guid?: string; date: Date }[]): string {
  const entries = items
    .map(
      (item) =>
        `<item><title>${escapeXml(item.title)}</title><link>${escapeXml(item.link)}</link><guid>${escapeXml(item.guid ?? item.link)}</guid><pubDate>${item.date.toUTCString()}</pubDate></item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Lakeside Ledger</title><link>http://example.invalid/</link><description>News</description>\n${entries}\n</channel></rss>\n`;
}

/** An Atom feed of these items. */
export function atomFeed(items: readonly { title: string; link: string; id?: string; date: Date }[]): string {
  const entries = items
    .map(
      (item) =>
        `<entry><title>${escapeXml(item.title)}</title><id>${escapeXml(item.id ?? item.link)}</id><link rel="alternate" href="${escapeXml(item.link)}"/><updated>${item.date.toISOString()}</updated></entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Lakeside Atom</title><id>urn:lakeside</id><updated>${new Date().toISOString()}</updated>\n${entries}\n</feed>\n`;
}
