/**
 * The operator's dashboard: a Hono app on Node's HTTP server (@hono/node-server) over the question
 * log and a `DashboardSource`. Routes: `/` overview, `/questions` (filters, pages), `/questions/:id`
 * (the answer and the engine's explanation of it), `/sources`, `/healthz` (no token), `/metrics`.
 * It reads; it never writes the log or the index.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { ExplainedAnswer } from '../answer/engine.js';
import { FEEDBACK_FILE } from '../bot/feedback.js';
import type { DashboardSettings } from '../config.js';
import type { Logger } from '../core/log.js';
import { createMetrics, isHealthy } from './metrics.js';
import { errorPage, overviewPage, questionPage, questionsPage, sourcesPage } from './pages.js';
import { ENTRIES, OUTCOMES, QuestionLog } from './question-log.js';
import type { DashboardSource } from './source.js';

export const COOKIE_NAME = 'seedquotes_dashboard';
const PER_PAGE = 50;

export interface DashboardOptions {
  readonly settings: DashboardSettings;
  readonly dataDir: string;
  readonly source: DashboardSource;
  readonly log: Logger;
  /** The clock, for the last 30 days (tests). */
  readonly now?: () => number;
}

export interface RunningDashboard {
  /** `http://host:port` (the port chosen when the setting is 0). */
  readonly url: string;
  readonly questionLog: QuestionLog;
  close(): Promise<void>;
}

const days = z.coerce
  .number({ error: 'days must be a number' })
  .int('days must be a whole number')
  .min(1, 'days must be from 1 to 365')
  .max(365, 'days must be from 1 to 365');
const overviewQuery = z.strictObject({ days: days.default(30) }, { error: (issue) => unknownParameter(issue) });
const questionsQuery = z.strictObject(
  {
    outcome: z.enum(['', ...OUTCOMES], { error: `outcome must be one of ${OUTCOMES.join(', ')}` }).optional(),
    vote: z.enum(['', 'up', 'down'], { error: 'vote must be up or down' }).optional(),
    entry: z.enum(['', ...ENTRIES], { error: `entry must be one of ${ENTRIES.join(', ')}` }).optional(),
    page: z.coerce
      .number({ error: 'page must be a number' })
      .int('page must be a whole number')
      .min(1, 'page must be 1 or more')
      .max(1_000_000, 'page must be at most 1000000')
      .default(1),
  },
  { error: (issue) => unknownParameter(issue) },
);
const questionId = z.coerce
  .number({ error: 'the question number must be a number' })
  .int('the question number must be a whole number')
  .min(1, 'the question number must be 1 or more');

function unknownParameter(issue: { code: string; keys?: readonly string[] }): string | undefined {
  return issue.code === 'unrecognized_keys' ? `unknown parameter: ${(issue.keys ?? []).join(', ')}` : undefined;
}

/** Query parameters as an object (a repeated one keeps its first value), parsed by `schema`; a 400 with the reasons when they are wrong. */
function parseQuery<T>(c: Context, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; response: Response } {
  const parsed = schema.safeParse(c.req.query());
  if (parsed.success) return { ok: true, value: parsed.data };
  const reasons = parsed.error.issues.map((issue) => issue.message).join('; ');
  return { ok: false, response: c.html(errorPage(400, `Bad request: ${reasons}`), 400) };
}

const digest = (text: string) => createHash('sha256').update(text).digest();
const sameSecret = (given: string, expected: Buffer) => timingSafeEqual(digest(given), expected);

/**
 * The token check: `?token=` (right: set the cookie and redirect to the same URL without it; wrong: 401),
 * `Authorization: Bearer`, or the cookie. The cookie holds a hash of the token, not the token.
 */
function requireToken(token: string): MiddlewareHandler {
  const expected = digest(token);
  const cookieValue = createHash('sha256').update(`seedquotes-dashboard-cookie:${token}`).digest('hex');
  const unauthorised = (c: Context) =>
    c.html(
      errorPage(401, 'This dashboard needs its token: open it once with ?token=… (DASHBOARD_TOKEN), or send Authorization: Bearer ….'),
      401,
      {
        'WWW-Authenticate': 'Bearer realm="dashboard"',
      },
    );
  return async (c, next) => {
    const url = new URL(c.req.url);
    const given = url.searchParams.get('token');
    if (given !== null) {
      if (!sameSecret(given, expected)) return unauthorised(c);
      setCookie(c, COOKIE_NAME, cookieValue, { httpOnly: true, sameSite: 'Strict', path: '/' });
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    const header = c.req.header('authorization');
    const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    if (bearer !== undefined && sameSecret(bearer, expected)) return next();
    const cookie = getCookie(c, COOKIE_NAME);
    if (cookie !== undefined && sameSecret(cookie, digest(cookieValue))) return next();
    return unauthorised(c);
  };
}

/** What `/healthz` answers (without the token: a probe has none). */
function healthReport(source: DashboardSource) {
  const index = source.index();
  return {
    ok: isHealthy(source),
    index:
      index === null
        ? null
        : {
            documents: index.documents.length,
            chunks: index.documents.reduce((total, document) => total + document.chunks, 0),
            builtAt: index.builtAt,
            rebuilding: index.rebuilding,
          },
    discord: source.discord(),
  };
}

/** Every page shows what people asked: never cached, never framed, no scripts, no referrer sent on. */
const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Cache-Control', 'no-store');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
  );
  c.header('Referrer-Policy', 'no-referrer');
};

/** A logged question answered again by the engine in use, with its scores; or why that cannot be shown. */
async function explainAgain(
  options: DashboardOptions,
  record: { readonly question: string; readonly collections: readonly string[] | null },
): Promise<{ explained: ExplainedAnswer | null; unavailable: string }> {
  let unavailable = 'No engine in this process.';
  if (!options.source.explain) return { explained: null, unavailable };
  const explained = await options.source.explain(record.question, record.collections).catch((error: unknown) => {
    unavailable = `The engine could not explain it: ${error instanceof Error ? error.message : String(error)}`;
    options.log.warn(`dashboard: ${unavailable}`);
    return null;
  });
  return { explained, unavailable };
}

export function dashboardApp(options: DashboardOptions, questionLog: QuestionLog): Hono {
  const { source, settings } = options;
  const now = options.now ?? Date.now;
  const metrics = createMetrics(questionLog, source);
  const app = new Hono();

  app.get('/healthz', (c) => {
    const body = healthReport(source);
    return c.json(body, body.ok ? 200 : 503, { 'Cache-Control': 'no-store' });
  });

  if (settings.token !== undefined) app.use('*', requireToken(settings.token));
  app.use('*', securityHeaders);

  app.get('/', async (c) => {
    const query = parseQuery(c, overviewQuery);
    if (!query.ok) return query.response;
    await questionLog.refresh();
    const counts = questionLog.counts;
    return c.html(
      overviewPage({
        index: source.index(),
        discord: source.discord(),
        days: questionLog.daily(query.value.days, now()),
        questions: counts.questions,
        skipped: counts.skipped,
      }),
    );
  });

  app.get('/questions', async (c) => {
    const query = parseQuery(c, questionsQuery);
    if (!query.ok) return query.response;
    await questionLog.refresh();
    const { page } = query.value;
    const filter = {
      outcome: query.value.outcome || undefined,
      vote: query.value.vote || undefined,
      entry: query.value.entry || undefined,
    };
    const { total, records } = await questionLog.page(filter, page, PER_PAGE);
    return c.html(questionsPage({ filter, page, perPage: PER_PAGE, total, records }));
  });

  app.get('/questions/:id', async (c) => {
    const id = questionId.safeParse(c.req.param('id'));
    if (!id.success) return c.html(errorPage(400, `Bad request: ${id.error.issues.map((issue) => issue.message).join('; ')}`), 400);
    const query = parseQuery(c, z.strictObject({}, { error: (issue) => unknownParameter(issue) }));
    if (!query.ok) return query.response;
    await questionLog.refresh();
    const record = await questionLog.get(id.data);
    if (record === null) return c.html(errorPage(404, `There is no question ${id.data} in the log.`), 404);
    const { explained, unavailable } = await explainAgain(options, record);
    return c.html(questionPage(record, explained, source.index()?.builtAt ?? null, unavailable));
  });

  app.get('/sources', async (c) => {
    const query = parseQuery(c, overviewQuery);
    if (!query.ok) return query.response;
    await questionLog.refresh();
    return c.html(sourcesPage({ index: source.index(), days: query.value.days, cited: questionLog.citations(query.value.days, now()) }));
  });

  app.get('/metrics', async (c) => {
    const text = await metrics.render();
    return c.text(text, 200, { 'Content-Type': metrics.registry.contentType });
  });

  app.notFound((c) => c.html(errorPage(404, 'No such page.'), 404));
  app.onError((error, c) => {
    options.log.error('dashboard: a request failed', error);
    return c.html(errorPage(500, 'Something went wrong; the log says what.'), 500);
  });
  return app;
}

/** Listen on the configured host and port; resolves once listening (rejects when the port is taken). */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const { settings, log } = options;
  if (settings.port === undefined) throw new Error('DASHBOARD_PORT is not set');
  const questionLog = new QuestionLog(path.join(options.dataDir, FEEDBACK_FILE));
  const app = dashboardApp(options, questionLog);
  const server = createAdaptorServer({ fetch: app.fetch, hostname: settings.host }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const failure = new Error(
        `The dashboard cannot listen on ${settings.host}:${settings.port} (DASHBOARD_HOST, DASHBOARD_PORT): ${error.code ?? error.message}${error.code === 'EADDRINUSE' ? ', the port is taken' : ''}.`,
      );
      failure.name = 'DashboardError';
      reject(failure);
    });
    server.listen(settings.port, settings.host, () => {
      server.removeAllListeners('error');
      server.on('error', (error) => log.error('dashboard: the server failed', error));
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log.info(`Dashboard: ${url}/${settings.token === undefined ? '' : ' (open it with ?token=DASHBOARD_TOKEN once)'}; /healthz, /metrics`);
  // Read the log now, so the first page does not wait for it.
  void questionLog.refresh();
  return {
    url,
    questionLog,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
