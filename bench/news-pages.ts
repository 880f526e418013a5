/**
 * Writes each seed article as a news site's web page: navigation, a "most read" aside and a footer
 * around the article, Open Graph title and publication time in the head, and print rules (a running
 * header and page numbers, the site chrome hidden) so Chromium prints it as a news PDF.
 * Usage: node --import tsx bench/news-pages.ts SEEDS_DIR OUT_DIR
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from '../src/corpus/metadata.js';

const [seedsDir = 'seeds', outDir = '.cache/corpora/news-html'] = process.argv.slice(2);
const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const files = (await readdir(seedsDir)).filter((file) => file.endsWith('.txt')).sort();
const documents = await Promise.all(files.map(async (file) => parseDocument(file, await readFile(path.join(seedsDir, file), 'utf8'))));
await mkdir(outDir, { recursive: true });
for (const document of documents) {
  const others = documents.filter((other) => other !== document);
  const paragraphs = document.paragraphs.map((paragraph) => paragraph.text.replace(/^\s*date \d{4}-\d{2}-\d{2}\s+/, ''));
  const [first, ...rest] = paragraphs;
  const headline = document.paragraphs.length > 1 && first && first.length < 120 && !/[.!?]$/.test(first) ? first : document.title;
  const body = headline === first ? rest : paragraphs;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>${escapeHtml(headline)} | Asia Ledger</title>
<meta property="og:title" content="${escapeHtml(headline)}">
<meta property="og:site_name" content="Asia Ledger">
<meta property="article:published_time" content="${document.date ?? ''}T08:00:00Z">
<style>
  body { font-family: Georgia, serif; font-size: 13pt; line-height: 1.5; margin: 0; }
  nav, aside, footer { font-family: sans-serif; font-size: 10pt; }
  @page { margin: 20mm; @top-left { content: 'Asia Ledger'; font-size: 9pt; } @bottom-center { content: counter(page); font-size: 9pt; } }
  @media print { nav, aside, footer, .share { display: none; } }
</style></head>
<body>
<nav><a href="/">Asia Ledger</a> · <a href="/world">World</a> · <a href="/business">Business</a> · <a href="/markets">Markets</a> · <a href="/opinion">Opinion</a> · <a href="/subscribe">Subscribe for $1 a week</a></nav>
<main>
<article>
<h1>${escapeHtml(headline)}</h1>
<p class="byline">By Staff Reporters · <time datetime="${document.date ?? ''}">${document.date ?? ''}</time></p>
<div class="share"><a href="#">Share on X</a> <a href="#">Share on Facebook</a> <a href="#">Copy link</a></div>
${body.map((text) => `<p>${escapeHtml(text)}</p>`).join('\n')}
</article>
<aside><h2>Most read</h2><ol>${others.map((other) => `<li><a href="/${other.file}">${escapeHtml(other.title)}</a></li>`).join('')}</ol>
<p>Sign up for our newsletter to get the day's top stories from across Asia delivered every morning.</p></aside>
</main>
<footer><p>© 2025 Asia Ledger. All rights reserved.</p><p><a href="/privacy">Privacy policy</a> · <a href="/terms">Terms of use</a> · <a href="/contact">Contact us</a></p></footer>
</body></html>
`;
  await writeFile(path.join(outDir, document.file.replace(/\.txt$/, '.html')), html);
}
console.log(`${documents.length} pages in ${outDir}`);
