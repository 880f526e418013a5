import type { Nodes, Root, RootContent } from 'mdast';
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
  const blocks: ReadBlock[] = [];
  const sections = new SectionPath();
  let title: string | null = null;
  let date: string | null = null;
  let url: string | null = null;

  const readFrontMatter = (value: string) => {
    title ??= frontMatterField(value, 'title');
    date ??= frontMatterField(value, 'date')?.match(/^\d{4}-\d{2}-\d{2}/)?.[0] ?? null;
    // Where the page lives on the web (static site generators write it; a page added by URL gets it): citations link to it.
    url ??= webAddress(frontMatterField(value, 'url') ?? frontMatterField(value, 'canonical_url'));
  };

  const inline = (nodes: readonly Nodes[], text: BlockText): void => {
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
          inline(node.children, text);
          text.closeMark();
          break;
        case 'break':
          text.space();
          break;
        default:
          // Links and deletions read as their text; images, footnote references and inline HTML tags go.
          if ('children' in node) inline(node.children as Nodes[], text);
      }
    }
  };

  const push = (block: ReadBlock | null) => {
    if (block) blocks.push(block);
  };

  const walk = (nodes: readonly RootContent[], kind: BlockKind): void => {
    for (const node of nodes) {
      switch (node.type) {
        case 'heading': {
          const text = new BlockText();
          inline(node.children, text);
          const block = text.finish('heading', []);
          if (!block) break;
          if (node.depth === 1 && title === null) title = block.text;
          sections.enter(node.depth, block.text);
          push({ ...block, section: sections.above });
          break;
        }
        case 'paragraph': {
          const text = new BlockText();
          inline(node.children, text);
          push(text.finish(kind, sections.current));
          break;
        }
        case 'list':
          for (const item of node.children) walk(item.children, 'list-item');
          break;
        case 'blockquote':
          walk(node.children, 'quote');
          break;
        case 'table':
          for (const row of node.children) {
            const text = new BlockText();
            for (const cell of row.children) {
              if (text.length) text.separator(' | ');
              inline(cell.children, text);
            }
            push(text.finish('table-row', sections.current));
          }
          break;
        case 'code': {
          const start = node.position?.start.offset ?? 0;
          const at = source.indexOf(node.value, start);
          if (node.value.trim()) {
            blocks.push({ kind: 'code', text: node.value, section: sections.current, ...(at >= 0 ? { map: [0, at] } : {}) });
          }
          break;
        }
        case 'footnoteDefinition':
          walk(node.children, 'paragraph');
          break;
        case 'yaml':
          readFrontMatter(node.value);
          break;
        default:
          // TOML front matter (mdast-util-frontmatter's own node); HTML blocks (comments included), link
          // definitions and thematic breaks carry no prose.
          if ((node as { type: string }).type === 'toml') readFrontMatter((node as unknown as { value: string }).value);
      }
    }
  };

  walk(tree.children, 'paragraph');
  return { format: 'markdown', title, date, ...(url ? { url } : {}), blocks };
}

/** A `key: value` line of YAML or TOML front matter, quotes removed. */
function frontMatterField(frontMatter: string, key: string): string | null {
  const line = new RegExp(`^${key}\\s*[:=]\\s*(.+)$`, 'mi').exec(frontMatter)?.[1]?.trim();
  return line ? line.replace(/^["']|["']$/g, '').trim() || null : null;
}
