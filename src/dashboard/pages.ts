/**
 * The dashboard's pages: server-rendered HTML with its CSS inline, no script, no external asset.
 * Every value from the log, the index or the engine goes through `html`, which escapes it.
 */
import type { ExplainedAnswer } from '../answer/engine.js';
import { stackedBarChart } from './chart.js';
import { type Html, html } from './html.js';
import { type DayCounts, ENTRIES, OUTCOMES, type QuestionFilter, type QuestionRecord } from './question-log.js';
import type { DiscordStatus, IndexStatus } from './source.js';

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2327;background:#f6f7f7}
header{background:#1d2327;color:#fff;padding:.6em 1.2em;display:flex;gap:1.5em;align-items:baseline}
header a{color:#cfe3ff;text-decoration:none}header a.here{color:#fff;font-weight:600}
main{padding:1em 1.2em;max-width:1100px}
h1{font-size:1.35em;margin:.2em 0 .6em}h2{font-size:1.1em;margin:1.4em 0 .5em}
table{border-collapse:collapse;background:#fff;width:100%}th,td{border-bottom:1px solid #e2e4e7;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f0f0f1;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.n,td.when{white-space:nowrap}
.cards{display:flex;flex-wrap:wrap;gap:.8em}.card{background:#fff;border:1px solid #e2e4e7;padding:.6em .9em;min-width:9em}
.card b{display:block;font-size:1.5em}
.outcome-answered{color:#1a7f37}.outcome-abstained{color:#9a6700}.outcome-refused{color:#8250df}
.chart{background:#fff;border:1px solid #e2e4e7;margin:0;padding:.5em}.key{margin-right:1em}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:middle}
form.filters{display:flex;gap:.8em;align-items:end;flex-wrap:wrap;margin-bottom:.8em}form.filters label{display:flex;flex-direction:column;font-size:.85em}
blockquote{background:#fff;border-left:4px solid #1a7f37;margin:.5em 0;padding:.4em .8em}
.muted{color:#646970}.pager{margin:.8em 0;display:flex;gap:1em}code{font-size:.9em}
`;

const OUTCOME_COLORS: Record<(typeof OUTCOMES)[number], string> = { answered: '#2da44e', abstained: '#d4a72c', refused: '#8250df' };
const ENTRY_NAMES: Record<(typeof ENTRIES)[number], string> = {
  slash: 'slash command',
  mention: 'mention',
  menu: 'message menu',
  console: 'console',
};

export function layout(title: string, here: string, body: Html): string {
  const link = (href: string, label: string) => html`<a href="${href}" class="${href === here ? 'here' : ''}">${label}</a>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · Seed Quotes dashboard</title><style>${STYLE}</style></head>
<body><header><strong>Seed Quotes</strong>${link('/', 'Overview')}${link('/questions', 'Questions')}${link('/sources', 'Sources')}</header>
<main>${body}</main></body></html>`.value;
}

export function errorPage(status: number, message: string): string {
  return layout(`${status}`, '', html`<h1>${status}</h1><p class="error">${message}</p>`);
}

const percent = (part: number, whole: number) => (whole === 0 ? '–' : `${Math.round((100 * part) / whole)}%`);
const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');

export interface OverviewData {
  readonly index: IndexStatus | null;
  readonly discord: DiscordStatus;
  readonly days: readonly DayCounts[];
  readonly questions: number;
  readonly skipped: number;
}

export function overviewPage(data: OverviewData): string {
  const { index, days } = data;
  const sum = (key: keyof Omit<DayCounts, 'day'>) => days.reduce((total, day) => total + day[key], 0);
  const [answered, abstained, refused, up, down] = [sum('answered'), sum('abstained'), sum('refused'), sum('up'), sum('down')];
  const asked = answered + abstained + refused;
  const chart = stackedBarChart({
    title: `Questions per day, last ${days.length} days, by outcome`,
    labels: days.map((day) => day.day),
    series: OUTCOMES.map((outcome) => ({ name: outcome, color: OUTCOME_COLORS[outcome] })),
    values: OUTCOMES.map((outcome) => days.map((day) => day[outcome])),
  });
  const collections = new Map<string, { documents: number; chunks: number }>();
  for (const document of index?.documents ?? []) {
    const totals = collections.get(document.collection) ?? { documents: 0, chunks: 0 };
    collections.set(document.collection, { documents: totals.documents + 1, chunks: totals.chunks + document.chunks });
  }
  const indexPart =
    index === null
      ? html`<p>No index is loaded yet.</p>`
      : html`<div class="cards">
  <div class="card">documents<b id="documents">${index.documents.length}</b></div>
  <div class="card">chunks<b>${index.documents.reduce((total, document) => total + document.chunks, 0)}</b></div>
  <div class="card">model<b style="font-size:1em">${index.model}</b></div>
  <div class="card">store<b style="font-size:1em">${index.store}</b></div>
  <div class="card">last ingested<b style="font-size:1em">${when(index.builtAt)}</b></div>
  <div class="card">rebuilding<b style="font-size:1em" id="rebuilding">${index.rebuilding ? 'yes, answering from the old index' : 'no'}</b></div>
  <div class="card">Discord<b style="font-size:1em">${data.discord}</b></div>
</div>
<table><thead><tr><th>collection</th><th class="n">documents</th><th class="n">chunks</th></tr></thead><tbody>
${[...collections].map(([name, totals]) => html`<tr><td>${name}</td><td class="n">${totals.documents}</td><td class="n">${totals.chunks}</td></tr>`)}
</tbody></table>`;
  return layout(
    'Overview',
    '/',
    html`<h1>Overview</h1>
<h2>Index</h2>${indexPart}
<h2>Last ${days.length} days</h2>
<div class="cards">
  <div class="card">questions<b id="asked">${asked}</b></div>
  <div class="card">answered<b class="outcome-answered">${answered}</b></div>
  <div class="card">abstained<b class="outcome-abstained">${abstained}</b></div>
  <div class="card">refused<b class="outcome-refused">${refused}</b></div>
  <div class="card">abstain rate<b id="abstain-rate">${percent(abstained, asked)}</b></div>
  <div class="card">votes up / down<b id="votes">${up} / ${down}</b></div>
</div>
<h2>Questions per day</h2>${chart}
<p class="muted">${data.questions} questions in the log in all${data.skipped > 0 ? html`; <span id="skipped">${data.skipped} corrupt lines skipped</span>` : ''}.
Abstained: the documents do not say; refused: not a question they could answer (no words, small talk).
<a href="/questions?outcome=abstained">The abstained questions</a> are the gaps to fill with documents.</p>`,
  );
}

export interface QuestionsData {
  readonly filter: QuestionFilter;
  readonly page: number;
  readonly perPage: number;
  readonly total: number;
  readonly records: readonly QuestionRecord[];
}

function filterQuery(filter: QuestionFilter, page?: number): string {
  const parameters = new URLSearchParams();
  if (filter.outcome) parameters.set('outcome', filter.outcome);
  if (filter.vote) parameters.set('vote', filter.vote);
  if (filter.entry) parameters.set('entry', filter.entry);
  if (page !== undefined && page > 1) parameters.set('page', String(page));
  const query = parameters.toString();
  return query === '' ? '/questions' : `/questions?${query}`;
}

export function questionsPage(data: QuestionsData): string {
  const { filter, page, perPage, total } = data;
  const pages = Math.max(1, Math.ceil(total / perPage));
  const option = (value: string, label: string, selected: string | undefined) =>
    html`<option value="${value}"${selected === value ? html` selected` : ''}>${label}</option>`;
  const rows = data.records.map(
    (record) => html`<tr class="question-row">
<td class="n"><a href="/questions/${record.id}">${record.id}</a></td>
<td class="when">${when(record.at)}</td>
<td class="question"><a href="/questions/${record.id}">${record.question}</a></td>
<td class="outcome outcome-${record.outcome}">${record.outcome}</td>
<td>${ENTRY_NAMES[record.entry]}${record.channel && record.channel !== 'console' ? html` <span class="muted">#${record.channel}</span>` : ''}</td>
<td class="n">${record.up > 0 ? `up ${record.up}` : ''} ${record.down > 0 ? `down ${record.down}` : ''}</td></tr>`,
  );
  return layout(
    'Questions',
    '/questions',
    html`<h1>Questions</h1>
<form class="filters" method="get" action="/questions">
<label>outcome<select name="outcome">${option('', 'any', filter.outcome ?? '')}${OUTCOMES.map((outcome) => option(outcome, outcome, filter.outcome))}</select></label>
<label>votes<select name="vote">${option('', 'any', filter.vote ?? '')}${option('down', 'voted down', filter.vote)}${option('up', 'voted up', filter.vote)}</select></label>
<label>asked with<select name="entry">${option('', 'any', filter.entry ?? '')}${ENTRIES.map((entry) => option(entry, ENTRY_NAMES[entry], filter.entry))}</select></label>
<button type="submit">Filter</button>
<a href="/questions?outcome=abstained">abstained</a> <a href="/questions?vote=down">voted down</a> <a href="/questions">all</a>
</form>
<p class="muted" id="count">${total} question${total === 1 ? '' : 's'}${total > 0 ? `, newest first; page ${page} of ${pages}` : ''}.</p>
<table><thead><tr><th class="n">#</th><th>asked</th><th>question</th><th>outcome</th><th>where</th><th class="n">votes</th></tr></thead>
<tbody>${rows}</tbody></table>
<nav class="pager">${page > 1 ? html`<a rel="prev" href="${filterQuery(filter, page - 1)}">← newer</a>` : ''}${page < pages ? html`<a rel="next" href="${filterQuery(filter, page + 1)}">older →</a>` : ''}</nav>`,
  );
}

export function questionPage(record: QuestionRecord, explained: ExplainedAnswer | null, builtAt: string | null, unavailable = ''): string {
  const answer = explained?.answer;
  const quotes = (answer?.quotes ?? []).map(
    (quote, index) => html`<blockquote class="quote">“${quote.text}” [${index + 1}]</blockquote>
<p class="citation">[${index + 1}] ${quote.title} (${quote.date ?? 'undated'}) — <code>${quote.source}</code> ¶${quote.paragraph}, characters ${quote.start}–${quote.end}, score ${quote.score.toFixed(3)}
${quote.alsoIn.length > 0 ? html`<br>also in: ${quote.alsoIn.map((citation, at) => html`${at > 0 ? ', ' : ''}<code>${citation.source}</code> ¶${citation.paragraph}`)}` : ''}
${(quote.conflicts ?? []).length > 0 ? html`<br>disagrees: ${(quote.conflicts ?? []).map((conflict) => html`<code>${conflict.source}</code> ¶${conflict.paragraph} (${conflict.date ?? 'undated'}): “${conflict.text}” `)}` : ''}</p>`,
  );
  const passages = (answer?.passages ?? []).map(
    (passage) =>
      html`<tr><td class="n">${passage.score.toFixed(3)}</td><td><code>${passage.chunkId}</code></td><td>${passage.text.slice(0, 300)}${passage.text.length > 300 ? '…' : ''}</td></tr>`,
  );
  const candidates = (explained?.candidates ?? [])
    .slice(0, 10)
    .map(
      (candidate) =>
        html`<tr><td><code>${candidate.chunkId}</code></td><td class="n">${candidate.score.toFixed(3)}</td><td class="n">${candidate.lexical.toFixed(3)}</td><td class="n">${candidate.dense.toFixed(3)}</td></tr>`,
    );
  const sentences = (explained?.decision?.ranked ?? []).slice(0, 8).map((sentence) => {
    const features = sentence.features;
    return html`<tr><td class="n">${sentence.score.toFixed(3)}</td><td class="n">${features.coverage.toFixed(2)}</td><td class="n">${features.context.toFixed(2)}</td>
<td class="n">${features.similarity.toFixed(2)}</td><td class="n">${features.passage.toFixed(2)}</td><td>${features.wantsCue ? (features.cue ? 'yes' : 'missing') : '–'}</td>
<td class="n">${features.focus.toFixed(2)}</td><td class="n">${features.predicate.toFixed(2)}</td><td class="n">${features.topic.toFixed(2)}</td>
<td><code>${sentence.passage.chunkId}</code> ${sentence.text.slice(0, 200)}</td></tr>`;
  });
  const explanation =
    explained === null || answer === undefined
      ? html`<p class="muted" id="unexplained">${unavailable} <code>npm run eval -- --explain</code> shows the explanation of a question set.</p>`
      : html`<h2>The answer now</h2>
<p class="muted">Asked again of the index in use (built ${builtAt === null ? '?' : when(builtAt)}), as <code>npm run eval -- --explain</code> shows it: ${answer.answered ? 'answered' : `not answered (${answer.abstainReason ?? 'weak-evidence'})`}; evidence ${(explained.decision?.evidence ?? 0).toFixed(3)}.</p>
${quotes.length > 0 ? quotes : html`<p>The sources don't say; the closest passages are below.</p>`}
<h2>Passages</h2>
<table><thead><tr><th class="n">score</th><th>chunk</th><th>text</th></tr></thead><tbody>${passages}</tbody></table>
<h2>Candidates (fused retrieval)</h2>
<table id="candidates"><thead><tr><th>chunk</th><th class="n">fused</th><th class="n">bm25/best</th><th class="n">cosine</th></tr></thead><tbody>${candidates}</tbody></table>
<h2>Sentences (quote selection)</h2>
<table id="sentences"><thead><tr><th class="n">score</th><th class="n">coverage</th><th class="n">context</th><th class="n">cos</th><th class="n">passage</th><th>cue</th><th class="n">focus</th><th class="n">predicate</th><th class="n">topic</th><th>sentence</th></tr></thead><tbody>${sentences}</tbody></table>`;
  return layout(
    `Question ${record.id}`,
    '/questions',
    html`<h1>Question ${record.id}</h1>
<blockquote id="asked" style="border-color:#1d2327">${record.question}</blockquote>
<table><tbody>
<tr><th>asked</th><td>${when(record.at)}</td></tr>
<tr><th>with</th><td>${ENTRY_NAMES[record.entry]}${record.channel && record.channel !== 'console' ? ` in channel ${record.channel}` : ''}</td></tr>
<tr><th>outcome</th><td class="outcome outcome-${record.outcome}">${record.outcome}</td></tr>
<tr><th>votes</th><td>up ${record.up} · down ${record.down}</td></tr>
<tr><th>cited</th><td>${record.sources.length === 0 ? '–' : record.sources.map((source, at) => html`${at > 0 ? ', ' : ''}<code>${source}</code>`)}</td></tr>
<tr><th>scope</th><td>${record.collections === null ? 'all collections' : record.collections.join(', ')}</td></tr>
<tr><th>took</th><td>${record.ms === null ? '–' : `${record.ms} ms`}</td></tr>
</tbody></table>
${explanation}`,
  );
}

export interface SourcesData {
  readonly index: IndexStatus | null;
  readonly days: number;
  readonly cited: ReadonlyMap<string, number>;
}

export function sourcesPage(data: SourcesData): string {
  const documents = data.index?.documents ?? [];
  const byCollection = new Map<string, (typeof documents)[number][]>();
  for (const document of documents) byCollection.set(document.collection, [...(byCollection.get(document.collection) ?? []), document]);
  const never = documents.filter((document) => !data.cited.has(document.file));
  const sections = [...byCollection].map(
    ([collection, list]) => html`<h2>${collection} <span class="muted">(${list.length} documents)</span></h2>
<table class="sources"><thead><tr><th>document</th><th>title</th><th>date</th><th class="n">chunks</th><th class="n">cited, last ${data.days} days</th></tr></thead><tbody>
${[...list]
  .sort((left, right) => (data.cited.get(right.file) ?? 0) - (data.cited.get(left.file) ?? 0) || left.file.localeCompare(right.file))
  .map(
    (document) =>
      html`<tr><td><code>${document.file}</code></td><td>${document.title}</td><td class="when">${document.date ?? '–'}</td><td class="n">${document.chunks}</td><td class="n">${data.cited.get(document.file) ?? 0}</td></tr>`,
  )}
</tbody></table>`,
  );
  return layout(
    'Sources',
    '/sources',
    html`<h1>Sources</h1>
<h2>Never cited in the last ${data.days} days <span class="muted">(${never.length})</span></h2>
${never.length === 0 ? html`<p>Every document was cited.</p>` : html`<ul id="never-cited">${never.map((document) => html`<li><code>${document.file}</code> — ${document.title}</li>`)}</ul>`}
${sections}`,
  );
}
