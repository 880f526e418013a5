/**
 * A fetched page as a corpus document: the extension its content type says, a file name from the
 * URL's slug, and — for a web page without `<link rel=canonical>` — that link added to its head
 * (for Markdown, `url:` in its front matter), so the reader gives it a URL and its citations link
 * back to where it was fetched. A PDF or text file has no such place: its citations name the file.
 */
import { createHash } from 'node:crypto';
import type { CorpusDocument } from '../core/types.js';
import { readDocumentFile } from '../corpus/readers/index.js';
import { sanitiseSourceName } from '../corpus/source-file.js';
import { MAX_PDF_SOURCE_BYTES } from '../corpus/source-file.js';
import { type FetchPolicy, policyFor } from './fetch.js';

/** The content types a source page may have, and the extension each is saved with. */
export const PAGE_EXTENSIONS: Readonly<Record<string, string>> = {
  'text/html': '.html',
  'application/xhtml+xml': '.html',
  'application/pdf': '.pdf',
  'text/markdown': '.md',
  'text/x-markdown': '.md',
  'text/plain': '.txt',
};

/** At most this much is read of a page: 10 MB (the PDF limit of `/add-source file:`). */
export const MAX_PAGE_BYTES = MAX_PDF_SOURCE_BYTES;

/** The fetch policy for pages, from the settings. */
export function pagePolicy(settings: { allowPrivate: boolean; fetchTimeoutMs: number }): FetchPolicy {
  return policyFor(settings, { maxBytes: MAX_PAGE_BYTES, accept: new Set(Object.keys(PAGE_EXTENSIONS)) });
}

export interface PageDocument {
  /** The file name to save it as (sanitised, with its extension). */
  readonly name: string;
  /** What is saved: the fetched bytes, with a canonical link added to a web page that had none. */
  readonly bytes: Uint8Array;
  readonly document: CorpusDocument;
  /** The page's own canonical URL, else the URL it was fetched from (after redirects). */
  readonly canonicalUrl: string;
  /** sha256 of the fetched bytes, before anything is added. */
  readonly sha256: string;
}

/** Read a fetched page as the corpus will, or say why it cannot be a document. */
export async function pageDocument(fetched: {
  url: string;
  contentType: string;
  bytes: Uint8Array;
}): Promise<PageDocument | { reason: string }> {
  const extension = PAGE_EXTENSIONS[fetched.contentType];
  if (extension === undefined) return { reason: `it is ${fetched.contentType}, not a page, PDF, Markdown or text file` };
  const sha256 = createHash('sha256').update(fetched.bytes).digest('hex');
  let bytes = fetched.bytes;
  let read = await readDocumentFile(`page${extension}`, bytes);
  if ('reason' in read) return { reason: `it cannot be read as ${extension.slice(1).toUpperCase()}: ${read.reason}` };
  if ((extension === '.html' || extension === '.md') && read.structure?.url === undefined) {
    bytes = extension === '.html' ? withCanonicalLink(bytes, fetched.url) : withFrontMatterUrl(bytes, fetched.url);
    const again = await readDocumentFile(`page${extension}`, bytes);
    if (!('reason' in again)) read = again;
    else bytes = fetched.bytes;
  }
  const canonicalUrl = read.structure?.url ?? fetched.url;
  return { name: fileNameFor(canonicalUrl, extension, read.title), bytes, document: read, canonicalUrl, sha256 };
}

/**
 * A file name from a URL's last path segment (`/2026/12/07/lighthouse-restored.html` →
 * `lighthouse-restored.html`), else from the title, else from the host.
 */
export function fileNameFor(address: string, extension: string, title: string | null): string {
  const url = new URL(address);
  const segments = url.pathname.split('/').filter((segment) => segment.length > 0);
  const last = decodeURIComponent(segments.at(-1) ?? '').replace(/\.[a-z0-9]{1,5}$/i, '');
  const generic = (segment: string) =>
    /^(index|default|article|articles|story|stories|news|page|amp|print|p)$/i.test(segment) || /^\d*$/.test(segment);
  const parent = decodeURIComponent(segments.at(-2) ?? '');
  // `/world/lighthouse/index.html` is named by its folder; `/article/12345` by its title.
  const candidates = [generic(last) ? '' : last, generic(last) && !generic(parent) ? parent : '', title ?? '', url.hostname];
  for (const candidate of candidates) {
    const stem = candidate
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80);
    if (stem === '' || /^\d+$/.test(stem)) continue;
    const named = sanitiseSourceName(`${stem}${extension}`);
    if (named.ok) return named.name;
  }
  return `page${extension}`;
}

/** Markdown with `url: "…"` in its YAML front matter (front matter added when it has none; TOML front matter left as it is). */
export function withFrontMatterUrl(bytes: Uint8Array, address: string): Uint8Array {
  const markdown = Buffer.from(bytes).toString('utf8');
  if (markdown.startsWith('+++')) return bytes;
  const line = `url: "${new URL(address).href}"`;
  const opening = /^---\r?\n/.exec(markdown);
  const withUrl = opening ? `${opening[0]}${line}\n${markdown.slice(opening[0].length)}` : `---\n${line}\n---\n\n${markdown}`;
  return Buffer.from(withUrl, 'utf8');
}

/** The page with `<link rel="canonical" href="…">` after its `<head>` tag (or first, without one). */
export function withCanonicalLink(bytes: Uint8Array, address: string): Uint8Array {
  const html = Buffer.from(bytes).toString('utf8');
  const link = `<link rel="canonical" href="${address.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">`;
  const head = /<head\b[^>]*>/i.exec(html);
  const at = head === null ? 0 : head.index + head[0].length;
  return Buffer.from(`${html.slice(0, at)}${link}${html.slice(at)}`, 'utf8');
}
