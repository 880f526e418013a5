import type { Code, Heading, Nodes, Root, RootContent, Table } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { frontmatter } from 'micromark-extension-frontmatter';
import { gfm } from 'micromark-extension-gfm';
import type { BlockKind } from '../../core/types.js';
import { BlockText, type ReadBlock, type ReadDocument, SectionPath, webAddress } from './document-model.js';

/**
 * Markdown (CommonMark + GFM) read with mdast-util-from-markdown, whose nodes carry their offsets
 * in the source: headings give the section path; paragraphs, list items, table rows and block quotes
 * are prose; fenced and indented code is kept as code (searched, never quoted); front matter, HTML
 * blocks and comments, link definitions and images are dropped; soft line wraps join.
 */
export function readMarkdown(source: string): ReadDocument {
  const tree: Root = fromMarkdown(source, {
    extensions: [gfm(), frontmatter(['yaml', 'toml'])],
    mdastExtensions: [gfmFromMarkdown(), frontmatterFromMarkdown(['yaml', 'toml'])],
  });
  const reader = new MarkdownReader(source);
  reader.walk(tree.children, 'paragraph');
  return reader.document();
}

/** What reading a Markdown tree collects: its blocks with their sections, and the title, date and address it gives. */
class MarkdownReader {
  private readonly blocks: ReadBlock[] = [];
  private readonly sections = new SectionPath();
  private title: string | null = null;
  private date: string | null = null;
  private url: string | null = null;

  constructor(private readonly source: string) {}

  document(): ReadDocument {
    const { title, date, url, blocks } = this;
    return { format: 'markdown', title, date, ...(url ? { url } : {}), blocks };
  }

  walk(nodes: readonly RootContent[], kind: BlockKind): void {
    for (const node of nodes) {
      switch (node.type) {
        case 'heading':
          this.heading(node);
          break;
        case 'paragraph':
          this.push(this.inlineText(node.children).finish(kind, this.sections.current));
          break;
        case 'list':
          for (const item of node.children) this.walk(item.children, 'list-item');
          break;
        case 'blockquote':
          this.walk(node.children, 'quote');
          break;
        case 'table':
          this.table(node);
          break;
        case 'code':
          this.code(node);
          break;
        case 'footnoteDefinition':
          this.walk(node.children, 'paragraph');
          break;
        case 'yaml':
          this.frontMatter(node.value);
          break;
        default:
          // TOML front matter (mdast-util-frontmatter's own node); HTML blocks (comments included), link
          // definitions and thematic breaks carry no prose.
          if ((node as { type: string }).type === 'toml') this.frontMatter((node as unknown as { value: string }).value);
      }
    }
  }

  private heading(node: Heading): void {
    const block = this.inlineText(node.children).finish('heading', []);
    if (!block) return;
    if (node.depth === 1 && this.title === null) this.title = block.text;
    this.sections.enter(node.depth, block.text);
    this.push({ ...block, section: this.sections.above });
  }

  private table(node: Table): void {
    for (const row of node.children) {
      const text = new BlockText();
      for (const cell of row.children) {
        if (text.length) text.separator(' | ');
        inline(cell.children, text, this.source);
      }
      this.push(text.finish('table-row', this.sections.current));
    }
  }

  /** Fenced or indented code: searched, never quoted. */
  private code(node: Code): void {
    const start = node.position?.start.offset ?? 0;
    const at = this.source.indexOf(node.value, start);
    if (node.value.trim()) {
      this.blocks.push({ kind: 'code', text: node.value, section: this.sections.current, ...(at >= 0 ? { map: [0, at] } : {}) });
    }
  }

  /** The first title, date and web address any front matter gives. */
  private frontMatter(value: string): void {
    this.title ??= frontMatterField(value, 'title');
    this.date ??= frontMatterField(value, 'date')?.match(/^\d{4}-\d{2}-\d{2}/)?.[0] ?? null;
    // Where the page lives on the web (static site generators write it; a page added by URL gets it): citations link to it.
    this.url ??= webAddress(frontMatterField(value, 'url') ?? frontMatterField(value, 'canonical_url'));
  }

  private inlineText(nodes: readonly Nodes[]): BlockText {
    const text = new BlockText();
    inline(nodes, text, this.source);
    return text;
  }

  private push(block: ReadBlock | null): void {
    if (block) this.blocks.push(block);
  }
}

/** Inline nodes into a block's text: code and emphasis kept as marks, a hard break as a space. */
function inline(nodes: readonly Nodes[], text: BlockText, source: string): void {
  for (const node of nodes) {
    const from = node.position?.start.offset;
    const to = node.position?.end.offset;
    switch (node.type) {
      case 'text':
        text.append(node.value, source, from, to);
        break;
      case 'inlineCode':
        text.openMark('code');
        text.append(node.value, source, from, to);
        text.closeMark();
        break;
      case 'emphasis':
      case 'strong':
        text.openMark(node.type === 'strong' ? 'strong' : 'emphasis');
        inline(node.children, text, source);
        text.closeMark();
        break;
      case 'break':
        text.space();
        break;
      default:
        // Links and deletions read as their text; images, footnote references and inline HTML tags go.
        if ('children' in node) inline(node.children as Nodes[], text, source);
    }
  }
}

/** A `key: value` line of YAML or TOML front matter, quotes removed. */
function frontMatterField(frontMatter: string, key: string): string | null {
  const line = new RegExp(`^${key}\\s*[:=]\\s*(.+)$`, 'mi').exec(frontMatter)?.[1]?.trim();
  return line ? line.replace(/^["']|["']$/g, '').trim() || null : null;
}
