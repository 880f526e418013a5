import { createInterface } from 'node:readline';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine, type Engine } from './answer/engine.js';
import { z } from 'zod';
import { getOrInsert } from './core/maps.js';
import { type ConversationTurn, conversationTurnOf, type ScopeOptions } from './core/types.js';
import { embedInWorker, ingestCorpus } from './ingest/ingest.js';
import {
  describeOutcome,
  judge,
  readQuestions,
  renderConversationReport,
  renderReport,
  summarise,
  threadsOf,
  turnKindOf,
} from './eval/evaluate.js';
import { CONVERSATION_TURNS } from './bot/conversations.js';
import { MAX_QUESTION_CHARS } from './bot/question.js';
import { answerToJson } from './render/json.js';
import { renderAnswerText, renderPassagesText, renderTimelineText } from './render/text.js';
import { exitOnError, loadConfigOrExit } from './startup.js';
import type { Config } from './config.js';
import type { Logger } from './core/log.js';

const USAGE = `usage:
  npm run ingest                         build or refresh the index
  npm run ingest -- --workers N          (STORE=postgres) embed as jobs on a queue in the database, with N worker
                                         processes here (0: only workers started elsewhere); EMBED_THREADS each,
                                         by default cores ÷ N
  npm run ingest:worker                  (STORE=postgres) take a running ingest's embedding jobs until none is left
  npm run ask -- "question"              answer a question
  npm run --silent ask -- --json "q"    answer as one JSON object (--silent: npm's banner stays off stdout)
  npm run --silent ask -- --jsonl        answer one question per stdin line, JSON per line
  npm run search -- "query"              list the top passages with scores
  npm run timeline -- "topic"            each source's quote on a topic, oldest first (--json: as JSON)
                                         ask, search, timeline: --collections a,b answers only from those collections;
                                         --stored answers from the stored index as it is, without reading the corpus
                                         folder (as a shard of the sharded bot does; with STORE=postgres, from any machine)
  npm run feeds -- add URL --collection NAME [--every MINUTES] | list | remove NAME | poll
                                         news feeds whose new articles are added to a collection (poll: once, for cron)
  npm run eval [-- --explain] [--questions FILE]
                                         score the public question set (sets B-G: test/eval/questions-b.jsonl … -g.jsonl);
                                         a set whose lines name a "thread" is asked thread by thread, follow-ups read as
                                         in Discord, and reported per kind of turn (--turns alone: each line on its own)`;

/** At most this many sources on a timeline, as `/timeline` shows. */
const TIMELINE_ENTRIES = 25;

const OPTIONS = {
  json: { type: 'boolean', default: false },
  jsonl: { type: 'boolean', default: false },
  explain: { type: 'boolean', default: false },
  results: { type: 'string' },
  questions: { type: 'string', default: 'test/eval/questions.jsonl' },
  collections: { type: 'string' },
  stored: { type: 'boolean', default: false },
  turns: { type: 'string', default: 'thread' },
  collection: { type: 'string' },
  every: { type: 'string' },
  workers: { type: 'string' },
} as const;

type Parsed = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>>;

/** One run of the command line: its options, the text of its words, and how it opens the engine. */
interface Invocation {
  readonly values: Parsed['values'];
  readonly positionals: string[];
  readonly text: string;
  readonly config: Config;
  readonly log: Logger;
  readonly fail: ReturnType<typeof exitOnError>;
  open(mode: 'load' | 'ingest' | 'read'): Promise<Engine>;
  /** The engine and the scope `--collections` asks for; null (after a usage error) when it names a collection the corpus lacks. */
  openScoped(): Promise<{ engine: Engine; scope: ScopeOptions } | null>;
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    // "Unknown option '--bogus'": the message, not a stack trace.
    return usageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values, positionals } = parsed;
  const { config, log } = loadConfigOrExit();
  const fail = exitOnError(log);
  if (values.json || values.jsonl) {
    // Only JSON may reach stdout; anything a library prints goes to stderr.
    console.log = (...parts: unknown[]) => process.stderr.write(`${parts.join(' ')}\n`);
  }
  const open = (mode: 'load' | 'ingest' | 'read') => createEngine(config, log, { mode }).catch(fail) as Promise<Engine>;
  const run: Invocation = {
    values,
    positionals,
    text: positionals.join(' '),
    config,
    log,
    fail,
    open,
    openScoped: () => openScopedEngine(open, values),
  };
  switch (command) {
    case 'ingest':
      return ingest(run);
    case 'worker':
      return worker(run);
    case 'ask':
      return ask(run);
    case 'search':
      return search(run);
    case 'timeline':
      return timeline(run);
    case 'feeds':
      return feeds(run);
    case 'eval':
      if (values.turns !== 'thread' && values.turns !== 'alone') return usageError('--turns must be thread or alone');
      return evaluate(await open('load'), path.resolve(values.questions), values.explain, values.turns);
    default:
      return usageError(command ? `unknown command "${command}"` : 'no command');
  }
}

async function openScopedEngine(
  open: Invocation['open'],
  values: Parsed['values'],
): Promise<{ engine: Engine; scope: ScopeOptions } | null> {
  const engine = await open(values.stored ? 'read' : 'load');
  if (values.collections === undefined) return { engine, scope: {} };
  const asked = [...new Set(values.collections.split(',').map((name) => name.trim().toLowerCase()))].filter((name) => name.length > 0);
  const known = engine.collections().map((collection) => collection.name);
  const unknown = asked.filter((name) => !known.includes(name));
  if (asked.length === 0 || unknown.length > 0) {
    usageError(
      `--collections: ${unknown.length > 0 ? `no collection ${unknown.join(', ')}` : 'no name given'}; the corpus has ${known.join(', ')}`,
    );
    return null;
  }
  return { engine, scope: { collections: asked } };
}

async function ingest({ values, config, log, fail }: Invocation): Promise<void> {
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 0 || workers > 64) return usageError('--workers: a whole number from 0 to 64');
    if (config.store.kind !== 'postgres')
      return usageError('--workers needs STORE=postgres (the jobs are queued in its database); the local store embeds in one process');
  }
  const { report, modelId } = await ingestCorpus(config, log, workers === undefined ? {} : { workers }).catch(fail);
  const changes = [`${report.added.length} added`, `${report.changed.length} changed`, `${report.removed.length} removed`].join(', ');
  process.stdout.write(
    `${report.rebuilt ? `Rebuilt the index (${report.reason})` : 'The index is up to date'}: ${report.documents} documents, ${report.chunks} chunks; ` +
      `${changes}; model ${modelId}; ${Math.round(report.durationMs)} ms.\n` +
      report.skipped.map((entry) => `Skipped ${entry.file}: ${entry.reason}.\n`).join(''),
  );
}

/** `npm run ingest:worker`: take embedding jobs from a running ingest's queue until none are left. */
async function worker({ config, log, fail }: Invocation): Promise<void> {
  if (config.store.kind !== 'postgres') return usageError('ingest:worker needs STORE=postgres and the DATABASE_URL of the ingest');
  const completed = await embedInWorker(config, log).catch(fail);
  process.stdout.write(`Completed ${completed} embedding jobs.\n`);
  // onnxruntime's threads do not keep a worker alive once its jobs are done.
  process.exit(0);
}

async function ask({ values, text, openScoped }: Invocation): Promise<void> {
  if (values.jsonl) {
    const scoped = await openScoped();
    return scoped ? answerLines(scoped.engine, scoped.scope, CONVERSATION_TURNS) : undefined;
  }
  if (!text.trim()) return usageError('ask needs a question');
  const problem = questionProblem(text);
  if (problem) return usageError(problem);
  const scoped = await openScoped();
  if (scoped === null) return;
  const answer = await scoped.engine.ask(text, scoped.scope);
  process.stdout.write(values.json ? `${JSON.stringify(answerToJson(answer))}\n` : `${renderAnswerText(answer)}\n`);
}

async function search({ values, text, config, openScoped }: Invocation): Promise<void> {
  if (!text.trim()) return usageError('search needs a query');
  const limit = values.results ? Number(values.results) : config.searchResults;
  if (!Number.isInteger(limit) || limit < 1 || limit > 50) return usageError('--results must be a whole number from 1 to 50');
  const scoped = await openScoped();
  if (scoped === null) return;
  const passages = await scoped.engine.search(text, limit, scoped.scope);
  process.stdout.write(values.json ? `${JSON.stringify(passages)}\n` : `${renderPassagesText(passages)}\n`);
}

async function timeline({ values, text, openScoped }: Invocation): Promise<void> {
  if (!text.trim()) return usageError('timeline needs a topic');
  const problem = questionProblem(text);
  if (problem) return usageError(problem);
  const scoped = await openScoped();
  if (scoped === null) return;
  const entries = await scoped.engine.timeline(text, TIMELINE_ENTRIES, scoped.scope);
  process.stdout.write(values.json ? `${JSON.stringify(entries)}\n` : `${renderTimelineText(entries)}\n`);
}

async function feeds({ values, positionals, config, log, fail, open }: Invocation): Promise<void> {
  const { runFeedsCommand } = await import('./bot/feeds-command-line.js');
  const result = await runFeedsCommand(
    { positionals, collection: values.collection, every: values.every },
    { config, log, openEngine: () => open('load') },
  ).catch(fail);
  if (result && 'usage' in result) return usageError(result.usage);
  if (result) process.stdout.write(`${result.output}\n`);
}

/** A line of `ask --jsonl` that is a JSON object: a question, in a thread when `thread` is given. */
const threadLineSchema = z.object({ q: z.string(), thread: z.string().min(1).optional() }).strict();

/**
 * One JSON object per input line, carrying the line's number, so output line N answers input line N:
 * the answer, or `{line, error}` for a line that cannot be asked (blank, too long, a JSON object of
 * another shape). A line `{"q": "…", "thread": "t1"}` is a turn of thread t1: a later line of the
 * same thread is read as a follow-up of its earlier turns, as a Discord thread reads it (the same
 * number of turns kept), and its answer carries `thread` and `turn`. Model and index load once.
 */
async function answerLines(engine: Engine, scope: ScopeOptions, turnsKept: number): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const threads = new Map<string, { turns: ConversationTurn[]; count: number }>();
  let number = 0;
  for await (const line of lines) {
    number++;
    const parsed = parseLine(line);
    if ('error' in parsed) {
      process.stdout.write(`${JSON.stringify({ line: number, error: parsed.error })}\n`);
      continue;
    }
    const thread = parsed.thread === undefined ? undefined : getOrInsert(threads, parsed.thread, () => ({ turns: [], count: 0 }));
    const earlier = thread?.turns ?? [];
    const answer = await engine.ask(parsed.question, { ...scope, ...(earlier.length === 0 ? {} : { earlier }) });
    if (thread !== undefined) {
      thread.count++;
      thread.turns = [...thread.turns, conversationTurnOf(answer)].slice(-turnsKept);
    }
    const where = thread === undefined ? {} : { thread: parsed.thread, turn: thread.count };
    process.stdout.write(`${JSON.stringify({ line: number, ...where, ...answerToJson(answer) })}\n`);
  }
}

/** A line of `ask --jsonl`: plain text is a question; a JSON object `{q, thread?}` a question in a thread. */
function parseLine(line: string): { question: string; thread?: string } | { error: string } {
  let question = line;
  let thread: string | undefined;
  if (line.trimStart().startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { error: 'not valid JSON: a line starting with { must be {"q": "question", "thread": "name"}' };
    }
    const object = threadLineSchema.safeParse(value);
    if (!object.success) return { error: 'a JSON line must be {"q": "question", "thread": "name"} ("thread" optional)' };
    question = object.data.q;
    thread = object.data.thread;
  }
  const problem = question.trim() ? questionProblem(question) : 'empty question';
  if (problem) return { error: problem };
  return thread === undefined ? { question } : { question, thread };
}

/** Why a question cannot be asked (a 1 MB line would take seconds and be echoed back whole), or null. */
function questionProblem(question: string): string | null {
  return question.length > MAX_QUESTION_CHARS ? `question too long: ${question.length} characters, at most ${MAX_QUESTION_CHARS}` : null;
}

async function evaluate(engine: Engine, file: string, explain: boolean, turns: 'thread' | 'alone'): Promise<void> {
  const questions = await readQuestions(file);
  const documents = new Map((await engine.corpusDocuments()).map((document) => [document.file, document]));
  const conversations = questions.some((question) => question.thread !== undefined);
  const outcomes = [];
  const turnOutcomes = [];
  for (const thread of conversations ? threadsOf(questions) : questions.map((question) => [question])) {
    let earlier: ConversationTurn[] = [];
    for (const [position, question] of thread.entries()) {
      // A thread's later lines are read with its earlier turns, as `ask --jsonl` and Discord read them (`--turns alone`: each on its own).
      const explained =
        earlier.length === 0 || turns === 'alone'
          ? await engine.explain(question.question)
          : await engine.explainFollowUp(question.question, earlier);
      earlier = [...earlier, conversationTurnOf(explained.answer)].slice(-CONVERSATION_TURNS);
      const outcome = judge(question, explained.answer, documents);
      outcomes.push(outcome);
      turnOutcomes.push({ outcome, kind: turnKindOf(question, position) });
      if (explain) process.stdout.write(`${describeOutcome(explained, outcome)}\n\n`);
    }
  }
  process.stdout.write(`${conversations ? renderConversationReport(turnOutcomes) : renderReport(summarise(outcomes))}\n`);
}

function usageError(message: string): void {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exitCode = 2;
}

await main(process.argv.slice(2));
