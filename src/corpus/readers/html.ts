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
  // Read before Readability, which changes the document.
  const metadata = pageMetadata(document);
  const article = new Readability(document, { serializer: (element: Node) => element, keepClasses: true }).parse() as {
    title?: string | null;
    content?: Node | null;
    publishedTime?: string | null;
  } | null;
  const reader = new HtmlBlockReader(source, dom);
  reader.visit(article?.content ?? document.body, 'paragraph');
  reader.flush();
  const title = metadata.title || article?.title?.trim() || document.title?.trim() || null;
  const date = (metadata.published ?? article?.publishedTime ?? '').match(/^\d{4}-\d{2}-\d{2}/)?.[0] ?? null;
  return { format: 'html', title: title || null, date, ...(metadata.canonical ? { url: metadata.canonical } : {}), blocks: reader.blocks };
}

/** The page's title, publication date and canonical address, as its metadata states them. */
function pageMetadata(document: Document): { title: string | null; published: string | null; canonical: string | null } {
  const meta = (selector: string) => document.querySelector(selector)?.getAttribute('content')?.trim() || null;
  const published =
    meta('meta[property="article:published_time"]') ??
    meta('meta[name="date"]') ??
    meta('meta[itemprop="datePublished"]') ??
    document.querySelector('time[datetime]')?.getAttribute('datetime') ??
    null;
  return {
    title: meta('meta[property="og:title"]') ?? meta('meta[name="twitter:title"]'),
    published,
    canonical: webAddress(document.querySelector('link[rel="canonical"]')?.getAttribute('href')),
  };
}

/** Walks the article's nodes into blocks: inline text gathers into the current block until an element breaks it. */
class HtmlBlockReader {
  readonly blocks: ReadBlock[] = [];
  private readonly sections = new SectionPath();
  private current: { text: BlockText; kind: BlockKind } | null = null;

  constructor(
    private readonly source: string,
    private readonly dom: JSDOM,
  ) {}

  visit(node: Node, kind: BlockKind): void {
    if (node.nodeType === 3) {
      this.visitText(node, kind);
      return;
    }
    if (node.nodeType !== 1) return;
    const element = node as Element;
    const tag = element.tagName.toUpperCase();
    if (DROPPED.has(tag) || element.getAttribute('hidden') !== null || element.getAttribute('aria-hidden') === 'true') return;
    const heading = HEADING.exec(tag);
    if (heading) {
      this.heading(element, Number(heading[1]));
      return;
    }
    if (tag === 'PRE') {
      this.code(element);
      return;
    }
    if (tag === 'A' && PERMALINK.test(element.textContent ?? '')) return;
    const blockKind = BLOCK_KIND[tag];
    if (blockKind || CONTAINERS.has(tag)) {
      this.flush();
      this.visitChildren(element, blockKind ?? kind);
      this.flush();
      return;
    }
    if (tag === 'TD' || tag === 'TH') {
      const text = this.textOf('table-row');
      if (text.length) text.separator(' | ');
      this.visitChildren(element, 'table-row');
      return;
    }
    const mark = MARK_OF[tag];
    if (mark) this.textOf(kind).openMark(mark);
    this.visitChildren(element, kind);
    if (mark) this.current?.text.closeMark();
  }

  /** The block being gathered ends here. */
  flush(): void {
    if (this.current) {
      const block = this.current.text.finish(this.current.kind, this.sections.current);
      if (block) this.blocks.push(block);
    }
    this.current = null;
  }

  private visitChildren(element: Element, kind: BlockKind): void {
    for (const child of element.childNodes) this.visit(child, kind);
  }

  private visitText(node: Node, kind: BlockKind): void {
    const location = this.locate(node);
    const value = node.nodeValue ?? '';
    if (!value.trim()) {
      if (this.current) this.current.text.space();
      return;
    }
    this.textOf(kind).append(value, this.source, location?.startOffset ?? 0, location?.endOffset ?? 0);
  }

  private heading(element: Element, depth: number): void {
    this.flush();
    const text = new BlockText();
    this.inlineInto(element, text);
    const block = text.finish('heading', []);
    if (block) {
      this.sections.enter(depth, block.text);
      this.blocks.push({ ...block, section: this.sections.above });
    }
  }

  /** `<pre>`: searched, never quoted. */
  private code(element: Element): void {
    this.flush();
    const location = this.locate(element);
    const code = element.textContent?.trim() ?? '';
    if (!code) return;
    this.blocks.push({ kind: 'code', text: code, section: this.sections.current, ...(location ? { map: [0, location.startOffset] } : {}) });
  }

  /** A heading's inline text (permalinks dropped). */
  private inlineInto(element: Element, text: BlockText): void {
    for (const child of element.childNodes) {
      if (child.nodeType === 3) {
        const location = this.locate(child);
        text.append(child.nodeValue ?? '', this.source, location?.startOffset ?? 0, location?.endOffset ?? 0);
      } else if (child.nodeType === 1 && !(child as Element).tagName.match(/^a$/i)?.length) {
        this.inlineInto(child as Element, text);
      } else if (child.nodeType === 1 && !PERMALINK.test(child.textContent ?? '')) {
        this.inlineInto(child as Element, text);
      }
    }
  }

  private textOf(kind: BlockKind): BlockText {
    this.current ??= { text: new BlockText(), kind };
    return this.current.text;
  }

  private locate(node: Node) {
    return this.dom.nodeLocation(node) ?? null;
  }
}
