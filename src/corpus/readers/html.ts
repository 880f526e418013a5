import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';
import type { BlockKind } from '../../core/types.js';
import { BlockText, type ReadBlock, type ReadDocument, SectionPath, webAddress } from './document-model.js';

const HEADING = /^H([1-6])$/;
/** Elements whose content is one block of text. */
const BLOCK_KIND: Readonly<Record<string, BlockKind>> = {
  P: 'paragraph',
  LI: 'list-item',
  DT: 'list-item',
  DD: 'list-item',
  TR: 'table-row',
  BLOCKQUOTE: 'quote',
  FIGCAPTION: 'paragraph',
  CAPTION: 'paragraph',
  PRE: 'code',
};
/** Elements that break inline text into blocks without being a block of their own. */
const CONTAINERS = new Set([
  'DIV',
  'SECTION',
  'ARTICLE',
  'MAIN',
  'UL',
  'OL',
  'DL',
  'TABLE',
  'TBODY',
  'THEAD',
  'TFOOT',
  'FIGURE',
  'HEADER',
  'DETAILS',
  'FORM',
  'FIELDSET',
  'HR',
  'BR',
]);
const DROPPED = new Set([
  'SCRIPT',
  'STYLE',
  'NOSCRIPT',
  'TEMPLATE',
  'SVG',
  'IMG',
  'BUTTON',
  'SELECT',
  'TEXTAREA',
  'IFRAME',
  'NAV',
  'ASIDE',
  'FOOTER',
]);
const MARK_OF: Readonly<Record<string, 'code' | 'emphasis' | 'strong'>> = {
  CODE: 'code',
  KBD: 'code',
  SAMP: 'code',
  TT: 'code',
  EM: 'emphasis',
  I: 'emphasis',
  STRONG: 'strong',
  B: 'strong',
};
/** A permalink beside a heading ("¶", "#", "§", "🔗") is page furniture, not heading text. */
const PERMALINK = /^\s*[¶#§🔗]\s*$/u;

/**
 * A web page read for its main content: jsdom parses it keeping every node's offsets in the source;
 * Mozilla Readability keeps the article (navigation, asides, footers, scripts and forms go);
 * its headings give the section path, its paragraphs, list items, table rows and block quotes are
 * prose, `<pre>` is code. Title and date come from the page's metadata.
 */
export function readHtml(source: string): ReadDocument {
  const dom = new JSDOM(source, { includeNodeLocations: true, virtualConsole: new VirtualConsole() });
  const document = dom.window.document;
  const meta = (selector: string) => document.querySelector(selector)?.getAttribute('content')?.trim() || null;
  const metaTitle = meta('meta[property="og:title"]') ?? meta('meta[name="twitter:title"]');
  const published =
    meta('meta[property="article:published_time"]') ??
    meta('meta[name="date"]') ??
    meta('meta[itemprop="datePublished"]') ??
    document.querySelector('time[datetime]')?.getAttribute('datetime') ??
    null;
  const canonical = webAddress(document.querySelector('link[rel="canonical"]')?.getAttribute('href'));
  const article = new Readability(document, { serializer: (element: Node) => element, keepClasses: true }).parse() as {
    title?: string | null;
    content?: Node | null;
    publishedTime?: string | null;
  } | null;
  const root = article?.content ?? document.body;
  const blocks: ReadBlock[] = [];
  const sections = new SectionPath();
  let current: { text: BlockText; kind: BlockKind } | null = null;

  const locate = (node: Node) => dom.nodeLocation(node) ?? null;
  const flush = () => {
    if (current) {
      const block = current.text.finish(current.kind, sections.current);
      if (block) blocks.push(block);
    }
    current = null;
  };
  const textOf = (kind: BlockKind) => {
    current ??= { text: new BlockText(), kind };
    return current.text;
  };

  const visit = (node: Node, kind: BlockKind): void => {
    if (node.nodeType === 3) {
      const location = locate(node);
      const value = node.nodeValue ?? '';
      if (!value.trim()) {
        if (current) current.text.space();
        return;
      }
      textOf(kind).append(value, source, location?.startOffset ?? 0, location?.endOffset ?? 0);
      return;
    }
    if (node.nodeType !== 1) return;
    const element = node as Element;
    const tag = element.tagName.toUpperCase();
    if (DROPPED.has(tag) || element.getAttribute('hidden') !== null || element.getAttribute('aria-hidden') === 'true') return;
    const heading = HEADING.exec(tag);
    if (heading) {
      flush();
      const text = new BlockText();
      inlineInto(element, text);
      const block = text.finish('heading', []);
      if (block) {
        sections.enter(Number(heading[1]), block.text);
        blocks.push({ ...block, section: sections.above });
      }
      return;
    }
    if (tag === 'PRE') {
      flush();
      const location = locate(element);
      const code = element.textContent?.trim() ?? '';
      if (code)
        blocks.push({ kind: 'code', text: code, section: sections.current, ...(location ? { map: [0, location.startOffset] } : {}) });
      return;
    }
    if (tag === 'A' && PERMALINK.test(element.textContent ?? '')) return;
    const blockKind = BLOCK_KIND[tag];
    if (blockKind || CONTAINERS.has(tag)) {
      flush();
      for (const child of element.childNodes) visit(child, blockKind ?? kind);
      flush();
      return;
    }
    if (tag === 'TD' || tag === 'TH') {
      const text = textOf('table-row');
      if (text.length) text.separator(' | ');
      for (const child of element.childNodes) visit(child, 'table-row');
      return;
    }
    const mark = MARK_OF[tag];
    if (mark) textOf(kind).openMark(mark);
    for (const child of element.childNodes) visit(child, kind);
    if (mark) current?.text.closeMark();
  };

  /** A heading's inline text (permalinks dropped). */
  const inlineInto = (element: Element, text: BlockText): void => {
    for (const child of element.childNodes) {
      if (child.nodeType === 3) {
        const location = locate(child);
        text.append(child.nodeValue ?? '', source, location?.startOffset ?? 0, location?.endOffset ?? 0);
      } else if (child.nodeType === 1 && !(child as Element).tagName.match(/^a$/i)?.length) {
        inlineInto(child as Element, text);
      } else if (child.nodeType === 1 && !PERMALINK.test(child.textContent ?? '')) {
        inlineInto(child as Element, text);
      }
    }
  };

  visit(root, 'paragraph');
  flush();
  const title = metaTitle || article?.title?.trim() || document.title?.trim() || null;
  const date = (published ?? article?.publishedTime ?? '').match(/^\d{4}-\d{2}-\d{2}/)?.[0] ?? null;
  return { format: 'html', title: title || null, date, ...(canonical ? { url: canonical } : {}), blocks };
}
