/** Small documents of every format the corpus reads, for the reader and engine tests. */
import path from 'node:path';

/** `report.pdf` (a running header, page numbers, a sentence across pages), `scanned.pdf`, `encrypted.pdf`: see its README. */
export const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'documents');

/** A Markdown guide: front matter, an HTML comment, hard wraps, inline code, a link, nested lists, a table, a code fence, a block quote. */
export const MARKDOWN = `---
title: Harbour guide
date: 2024-05-02
---

# Harbour guide

<!-- Last edited by the harbour office; do not quote. -->

The harbour opens at six and closes at
ten, except on \`holidays\` when it
[stays open](https://example.org/hours) all night.

## Berths

- Visitor berths are on pontoon **C**.
  - Nested: long boats go to pontoon D.
- Fees are paid at the office.

| Berth | Fee |
| ----- | --- |
| Visitor | 30 a night |

Boats longer than twelve metres book their berth ahead with the harbour tool.

\`\`\`sh
harbour --book C12 # Books a berth.
\`\`\`

> Moor bow first.
`;

/** A news page: navigation, a header, an aside and a footer around the article; Open Graph title and date; a canonical address. */
export const PAGE = `<!doctype html><html><head>
<title>Ferry timetable changes | Coast News</title>
<meta property="og:title" content="Ferry timetable changes">
<meta property="article:published_time" content="2024-03-09T08:00:00Z">
<link rel="canonical" href="https://news.example/ferry">
<script>var tracking = "Subscribe now to read every story";</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World news and more stories from every region</a></nav>
<header><p>Coast News — the coast's own paper since 1901, read by more than forty thousand people every week.</p></header>
<main><article>
<h1>Ferry timetable changes</h1>
<p>The island ferry will run every forty minutes from&nbsp;April, the operator said on Friday, instead of every hour as it does now during the winter months.</p>
<h2>Why <a class="headerlink" href="#why">¶</a></h2>
<p>The operator said the change answers <em>years</em> of complaints from commuters who travel to the mainland every day, and that a second boat leased from a Norwegian company makes it possible.</p>
<p>Tickets bought before April remain valid, and the price of a return ticket stays at <code>12.50</code> for adults and half that for children under sixteen.</p>
<pre>06:00 07:20 08:40</pre>
</article>
<aside><h3>Most read</h3><p>A whale was seen in the bay on Tuesday morning by several fishermen and a ferry crew.</p></aside>
</main>
<footer><p>© 2024 Coast News. All rights reserved. Contact the newsroom to report an error in this story.</p></footer>
</body></html>`;
