/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core, against the real
 * server over loopback, over the real engine (the sentence model, hnswlib) and a question log
 * written by `FeedbackLog` as the bot and the console write it. What a person sees: the overview and
 * its chart, the questions listed, the filters, a question's answer and the engine's explanation,
 * the sources; the 401s without the token; and a question holding HTML shown as text.
 * `UPDATE_SCREENSHOTS=1` writes the pages' pictures to docs/ (the README shows them).
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/engine.js';
import { citedSources, FeedbackLog, outcomeOf } from '../../src/bot/feedback.js';
import { DEFAULT_MODEL } from '../../src/config.js';
import { silentLogger } from '../../src/core/log.js';
import { type RunningDashboard, startDashboard } from '../../src/dashboard/server.js';
import { engineSource } from '../../src/dashboard/source.js';
import { loadEmbedder } from '../../src/embed/embedder.js';
import { createWorkspace, MODEL_CACHE_DIR, PROJECT_DIR, type Workspace } from '../support/workspace.js';

const TOKEN = 'test-dashboard-token-0123456789';
const CHROMIUM = '/usr/bin/chromium';
const INJECTION = '<img src=x onerror=alert(1)> what about <b>tariffs</b>?';
const QUESTIONS = [
  'What US duties does Beijing face?',
  'How many agreements did China and Vietnam sign?',
  'Who met Xi Jinping in Hanoi?',
  'What is the population of Mars?',
  'hi',
  INJECTION,
];
const DAY_MS = 86_400_000;

let project: Workspace;
let engine: Engine;
let dashboard: RunningDashboard;
let browser: Browser;

/** Ask as the bot does and record it as the bot does; `at` rewrites the time (an older day) for the chart's history. */
async function askAndRecord(feedback: FeedbackLog, question: string, via: 'ask' | 'mention' | 'console'): Promise<void> {
  const answer = await engine.ask(question);
  await feedback.recordQuestion({
    userId: 'u1',
    via,
    question,
    answered: answer.answered,
    sources: citedSources(answer),
    outcome: outcomeOf(answer),
    channel: via === 'console' ? 'console' : '123456789012345678',
    ms: answer.timings.totalMs,
  });
}

/** 30 days of earlier questions (outcomes in a fixed pattern), so the chart has a history. */
async function writeHistory(file: string): Promise<void> {
  const lines: string[] = [];
  const now = Date.now();
  for (let daysAgo = 29; daysAgo >= 1; daysAgo--) {
    const count = 3 + ((daysAgo * 7) % 9);
    for (let index = 0; index < count; index++) {
      const outcome = index % 4 === 3 ? 'abstained' : index % 7 === 6 ? 'refused' : 'answered';
      lines.push(
        JSON.stringify({
          type: 'question',
          at: new Date(now - daysAgo * DAY_MS + index * 60_000).toISOString(),
          user: 'history',
          via: index % 3 === 0 ? 'mention' : 'ask',
          question: `An earlier question ${daysAgo}.${index} about the railway`,
          answered: outcome === 'answered',
          sources: outcome === 'answered' ? ['000_7bb7f1e19a806c78.txt'] : [],
          outcome,
          channel: '123456789012345678',
          ms: 4 + index,
        }),
      );
    }
  }
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `${lines.join('\n')}\nthis line is corrupt\n`);
}

async function signedIn(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('dialog', (dialog) => {
    throw new Error(`a script ran: ${dialog.message()}`);
  });
  await page.goto(`${dashboard.url}/?token=${TOKEN}`);
  return page;
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS)
    await page.screenshot({ path: path.join(PROJECT_DIR, 'docs', `dashboard-${name}.png`), fullPage: false });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  project = await createWorkspace();
  const embedder = await loadEmbedder({
    modelId: DEFAULT_MODEL,
    modelCacheDir: MODEL_CACHE_DIR,
    allowRemoteModels: false,
    log: silentLogger,
  });
  engine = await createEngine(project.config, silentLogger, { embedder });
  const feedback = new FeedbackLog(project.config.dataDir);
  await writeHistory(feedback.file);
  for (const [index, question] of QUESTIONS.entries()) await askAndRecord(feedback, question, index % 2 === 0 ? 'ask' : 'console');
  await feedback.recordVote({ userId: 'u2', vote: 'down', question: QUESTIONS[1] ?? '', answered: true, sources: [] });
  await feedback.recordVote({ userId: 'u3', vote: 'up', question: QUESTIONS[0] ?? '', answered: true, sources: [] });
  dashboard = await startDashboard({
    settings: { port: 0, host: '127.0.0.1', token: TOKEN },
    dataDir: project.config.dataDir,
    source: engineSource(engine, project.config, () => 'off'),
    log: silentLogger,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await engine?.close();
  await project?.remove();
});

describe('without the token', () => {
  it('every route but /healthz is 401 with no data; /healthz is 200', async () => {
    for (const route of ['/', '/questions', '/questions?outcome=abstained', '/questions/1', '/sources', '/metrics', '/nowhere']) {
      for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { cookie: 'seedquotes_dashboard=forged' }]) {
        const response = await fetch(`${dashboard.url}${route}`, { headers, redirect: 'manual' });
        expect(response.status, `${route} ${JSON.stringify(headers)}`).toBe(401);
        const body = await response.text();
        expect(body).not.toContain('Beijing');
        expect(body).not.toContain('seedquotes_questions_total');
      }
    }
    const wrong = await fetch(`${dashboard.url}/questions?token=wrong-token-0123456789`, { redirect: 'manual' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const health = await fetch(`${dashboard.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      ok: true,
      index: { documents: 5, chunks: expect.any(Number), builtAt: engine.builtAt(), rebuilding: false },
      discord: 'off',
    });
  });

  it('in the browser: a 401 page', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${dashboard.url}/questions`);
    expect(response?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('This dashboard needs its token');
    await page.close();
  });
});

describe('with the token', () => {
  it('?token= sets an HttpOnly, SameSite=Strict cookie and leaves the URL without it', async () => {
    const response = await fetch(`${dashboard.url}/questions?outcome=abstained&token=${TOKEN}`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/questions?outcome=abstained');
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const page = await signedIn();
    expect(new URL(page.url()).search).toBe('');
    const cookies = await page.context().cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'seedquotes_dashboard', httpOnly: true, sameSite: 'Strict' })]);
    await page.context().close();
  });

  it('the overview shows the index and a chart of the last 30 days by outcome', async () => {
    const page = await signedIn();
    expect(await page.textContent('h1')).toBe('Overview');
    expect(await page.textContent('#documents')).toBe('5');
    const chart = page.locator('figure.chart svg');
    expect(await chart.getAttribute('aria-label')).toBe('Questions per day, last 30 days, by outcome');
    expect(await page.locator('rect.bar').count()).toBeGreaterThan(30);
    const series = await page
      .locator('rect.bar')
      .evaluateAll((bars) => [...new Set(bars.map((bar) => bar.getAttribute('data-series')))].sort());
    expect(series).toEqual(['abstained', 'answered', 'refused']);
    // The bars hold every question of the log (all within the last 30 days).
    const charted = await page
      .locator('rect.bar')
      .evaluateAll((bars) => bars.reduce((sum, bar) => sum + Number(bar.getAttribute('data-value')), 0));
    const log = await readFile(path.join(project.config.dataDir, 'feedback.jsonl'), 'utf8');
    expect(charted).toBe(log.split('\n').filter((line) => line.includes('"type":"question"')).length);
    expect(await page.textContent('#votes')).toBe('1 / 1');
    expect(await page.textContent('#skipped')).toBe('1 corrupt lines skipped');
    await screenshot(page, 'overview');
    await page.context().close();
  });

  it('lists the questions asked, newest first, and filters abstained and voted down', async () => {
    const page = await signedIn();
    await page.click('header >> text=Questions');
    const questions = () => page.locator('tr.question-row td.question').allTextContents();
    const listed = await questions();
    expect(listed.slice(0, QUESTIONS.length)).toEqual([...QUESTIONS].reverse());
    expect(await page.locator('tr.question-row').count()).toBe(50); // one page of many
    await screenshot(page, 'questions');
    await page.selectOption('select[name=outcome]', 'abstained');
    await page.click('button[type=submit]');
    expect(new URL(page.url()).searchParams.get('outcome')).toBe('abstained');
    const outcomes = await page.locator('tr.question-row td.outcome').allTextContents();
    expect(outcomes.length).toBeGreaterThan(0);
    expect(new Set(outcomes)).toEqual(new Set(['abstained']));
    expect(await questions()).toContain('What is the population of Mars?');
    await page.click('a:text-is("voted down")');
    expect(await questions()).toEqual([QUESTIONS[1]]);
    expect(await page.locator('a[rel=next]').count()).toBe(0); // one page
    await page.goto(`${dashboard.url}/questions?entry=console`);
    expect(await questions()).toEqual([QUESTIONS[5], QUESTIONS[3], QUESTIONS[1]]);
    await page.context().close();
  });

  it('pages through the log', async () => {
    const page = await signedIn();
    await page.goto(`${dashboard.url}/questions`);
    const first = await page.locator('tr.question-row td.n a').first().textContent();
    await page.click('text=older →');
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    const second = await page.locator('tr.question-row td.n a').first().textContent();
    expect(Number(second)).toBe(Number(first) - 50);
    await page.context().close();
  });

  it("opens a question: its record, the answer now, the candidates and the sentences' scores", async () => {
    const page = await signedIn();
    await page.goto(`${dashboard.url}/questions`);
    await page.click(`td.question a:text-is("${QUESTIONS[0]}")`);
    expect(await page.textContent('#asked')).toBe(QUESTIONS[0]);
    expect(await page.locator('blockquote.quote').first().textContent()).toContain('145%');
    expect(await page.locator('p.citation').first().textContent()).toContain('000_7bb7f1e19a806c78.txt');
    expect(await page.locator('#candidates tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#sentences tbody tr').count()).toBeGreaterThan(0);
    expect(await page.textContent('body')).toContain('up 1 · down 0');
    await screenshot(page, 'question');
    await page.context().close();
  });

  it('shows a question holding HTML as text: no element made, no script run', async () => {
    const page = await signedIn();
    await page.goto(`${dashboard.url}/questions`);
    const cell = page.locator('tr.question-row td.question').first();
    expect(await cell.textContent()).toBe(INJECTION);
    expect(await cell.locator('img, b').count()).toBe(0);
    await cell.locator('a').click();
    expect(await page.textContent('#asked')).toBe(INJECTION);
    expect(await page.locator('main img, main b').count()).toBe(0);
    await page.context().close();
  });

  it('lists the sources by collection with their citations, and the ones never cited', async () => {
    const page = await signedIn();
    await page.click('header >> text=Sources');
    expect(await page.locator('table.sources tbody tr').count()).toBe(5);
    const cited = await page
      .locator('table.sources tbody tr')
      .evaluateAll((rows) =>
        Object.fromEntries(rows.map((row) => [row.querySelector('code')?.textContent, Number(row.lastElementChild?.textContent)])),
      );
    expect(cited['000_7bb7f1e19a806c78.txt']).toBeGreaterThan(50); // the history cites it
    const never = await page.locator('#never-cited li code').allTextContents();
    for (const file of never) expect(cited[file]).toBe(0);
    await screenshot(page, 'sources');
    await page.context().close();
  });

  it('answers bad query parameters with 400 and the reason', async () => {
    const page = await signedIn();
    for (const [query, reason] of [
      ['/questions?outcome=maybe', 'outcome must be one of answered, abstained, refused'],
      ['/questions?page=0', 'page must be 1 or more'],
      ['/questions?page=two', 'page must be a number'],
      ['/questions?colour=red', 'unknown parameter: colour'],
      ['/?days=9999', 'days must be from 1 to 365'],
      ['/questions/abc', 'the question number must be a number'],
    ] as const) {
      const response = await page.goto(`${dashboard.url}${query}`);
      expect(response?.status(), query).toBe(400);
      expect(await page.textContent('p.error')).toContain(reason);
    }
    expect((await page.goto(`${dashboard.url}/questions/999999`))?.status()).toBe(404);
    await page.context().close();
  });

  it('/metrics counts the log by outcome and entry (Bearer, as Prometheus scrapes)', async () => {
    const response = await fetch(`${dashboard.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const value = (series: string) => Number(text.match(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm'))?.[1]);
    expect(value('seedquotes_questions_total{outcome="refused",entry="slash"}')).toBeGreaterThanOrEqual(1); // "hi"
    expect(value('seedquotes_questions_total{outcome="abstained",entry="console"}')).toBeGreaterThanOrEqual(1); // Mars
    expect(value('seedquotes_documents{collection="default"}')).toBe(5);
    expect(value('seedquotes_question_log_skipped_lines')).toBe(1);
    const log = await readFile(path.join(project.config.dataDir, 'feedback.jsonl'), 'utf8');
    const recorded = log.split('\n').filter((line) => line.includes('"type":"question"')).length;
    expect(value('seedquotes_answer_duration_seconds_count')).toBe(recorded);
    expect(value('seedquotes_up')).toBe(1);
    expect(value('seedquotes_ingests_total')).toBe(0);
    // A rebuild (what /reindex runs): counted, with its duration and what it changed.
    await project.writeDocument(
      'lighthouse.txt',
      'Volunteers restored the Lake Varnu lighthouse in 2026.\n\nThey replaced 412 glass panes.\n',
    );
    await engine.reindex();
    const after = await (await fetch(`${dashboard.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const again = (series: string) => Number(after.match(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm'))?.[1]);
    expect(again('seedquotes_ingests_total')).toBe(1);
    expect(again('seedquotes_ingest_last_documents{change="added"}')).toBe(1);
    expect(again('seedquotes_documents{collection="default"}')).toBe(6);
    expect(again('seedquotes_index_rebuilding')).toBe(0);
  });
});
