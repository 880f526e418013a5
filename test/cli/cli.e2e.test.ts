import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { IngestLock } from '../../src/index/ingest-lock.js';
import { silentLogger } from '../../src/core/log.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Run, runProgram } from '../support/run-program.js';
import { createWorkspace, MODEL_CACHE_DIR, PROJECT_DIR, type Workspace } from '../support/workspace.js';

/** The JSON contract other tools read from `ask --json` / `--jsonl`. */
const answerJson = z.object({
  question: z.string(),
  answered: z.boolean(),
  answer: z.string().min(1),
  quotes: z.array(
    z.object({
      text: z.string().min(1),
      source: z.string(),
      title: z.string(),
      date: z.string().nullable(),
      paragraph: z.number().int().positive(),
      chunkId: z.string(),
      score: z.number(),
    }),
  ),
  passages: z.array(z.object({ text: z.string(), source: z.string(), chunkId: z.string(), score: z.number() })).max(5),
  timings: z.object({ embedMs: z.number(), searchMs: z.number(), totalMs: z.number() }),
});

let project: Workspace;
let environment: NodeJS.ProcessEnv;

/** Run a command in the project folder with the temp corpus/index; the built model is shared. */
function run(command: string, args: string[], input = '', extra: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runProgram(command, args, { cwd: PROJECT_DIR, env: { ...environment, ...extra }, input });
}

/** The compiled command line, as `npm run ask` runs it (the global setup built dist/ from the current src/). */
const cli = (args: string[], input = '', extra: NodeJS.ProcessEnv = {}) => run(process.execPath, ['dist/cli.js', ...args], input, extra);

beforeAll(async () => {
  // No index yet: the first test builds it with `ingest`.
  project = await createWorkspace({ index: 'none' });
  const { DISCORD_TOKEN: _token, ...rest } = process.env;
  environment = { ...rest, CORPUS_DIR: project.corpusDir, INDEX_DIR: project.indexDir, MODEL_DIR: MODEL_CACHE_DIR, LOG_LEVEL: 'info' };
});

afterAll(() => project.remove());

describe('command line', () => {
  it('ingest builds the index, then reports it up to date', async () => {
    const first = await cli(['ingest']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Rebuilt the index \(no index yet\): 5 documents, \d+ chunks; 5 added/);
    const second = await cli(['ingest']);
    expect(second.stdout).toMatch(/^The index is up to date: 5 documents/);
  });

  it('ingest names every file it skips and why (one warning each), and answers from the rest', async () => {
    await project.writeDocument('zz_program.txt', '\u007fELF\u0000\u0000\u0001binary');
    try {
      const result = await cli(['ingest']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/\nSkipped zz_program\.txt: binary \(it has NUL bytes\), not text\.\n$/);
      expect(result.stderr.match(/Skipped zz_program\.txt/g)).toHaveLength(1);
    } finally {
      await project.removeDocument('zz_program.txt');
    }
  });

  it('one ingest at a time: a second waits, saying who holds the index; two at once build once; a dead owner’s lock is taken over', async () => {
    const indexRoot = await mkdtemp(path.join(os.tmpdir(), 'lock-test-'));
    try {
      const held = await IngestLock.acquire(path.join(indexRoot, 'index'), silentLogger);
      const waiting = cli(['ingest'], '', { INDEX_DIR: indexRoot });
      await new Promise((resolve) => setTimeout(resolve, 4000));
      await held.release();
      const second = await waiting;
      expect(second.code).toBe(0);
      expect(second.stderr).toMatch(
        new RegExp(
          `Another ingest \\(pid ${process.pid} on [^,]+, since [^)]+\\) is updating the index in ${indexRoot}/index; waiting for it…`,
        ),
      );
      expect(second.stdout).toMatch(/^Rebuilt the index/);
      // Two at once: one builds, the other waits and has nothing left to do.
      await rm(path.join(indexRoot, 'index'), { recursive: true });
      const both = await Promise.all([cli(['ingest'], '', { INDEX_DIR: indexRoot }), cli(['ingest'], '', { INDEX_DIR: indexRoot })]);
      expect(both.map((run) => run.code)).toEqual([0, 0]);
      expect(both.map((run) => run.stdout.split(' ')[0]).sort()).toEqual(['Rebuilt', 'The']);
      expect(both.some((run) => run.stderr.includes('Resuming'))).toBe(false);
      // A lock whose process is gone is taken over.
      await rm(path.join(indexRoot, 'index'), { recursive: true });
      await writeFile(
        path.join(indexRoot, 'index.lock'),
        JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), since: '2026-01-01T00:00:00Z' }),
      );
      const after = await cli(['ingest'], '', { INDEX_DIR: indexRoot });
      expect(after.code).toBe(0);
      expect(after.stderr).toMatch(
        /Taking over the ingest lock .*index\.lock: its process \(pid 4206649, since 2026-01-01T00:00:00Z\) is gone/,
      );
    } finally {
      await rm(indexRoot, { recursive: true, force: true });
    }
  }, 120_000);

  it('ask --json prints exactly one JSON object of the documented shape', async () => {
    const result = await cli(['ask', '--json', 'What US duties does Beijing face?']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const answer = answerJson.parse(JSON.parse(lines[0] ?? ''));
    expect(answer.answered).toBe(true);
    expect(answer.quotes[0]?.text).toContain('145%');
  });

  it('npm run --silent ask -- --json prints only the answer on stdout, and nothing when it fails', async () => {
    const result = await run('npm', ['run', '--silent', 'ask', '--', '--json', 'Who did Xi meet in Hanoi?']);
    expect(result.code).toBe(0);
    expect(() => answerJson.parse(JSON.parse(result.stdout))).not.toThrow();
    const failed = await run('npm', ['run', '--silent', 'ask', '--', '--json', 'anything'], '', { CHUNK_MAX_CHARS: 'lots' });
    expect(failed.code).toBe(2);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toContain('CHUNK_MAX_CHARS: must be a number');
  });

  it('ask --jsonl prints one JSON object per input line, numbered; a blank or over-long line gets an error object', async () => {
    const long = 'why '.repeat(400);
    const result = await cli(['ask', '--jsonl'], `What US duties does Beijing face?\n\nhow to bake bread\n${long}\nWho is Xiong Bo?\n`);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { line: number; error?: string });
    expect(lines.map((line) => line.line)).toEqual([1, 2, 3, 4, 5]);
    expect(lines[1]).toEqual({ line: 2, error: 'empty question' });
    expect(lines[3]).toEqual({ line: 4, error: 'question too long: 1600 characters, at most 1000' });
    const answers = [lines[0], lines[2], lines[4]].map((line) => answerJson.parse(line));
    expect(answers.map((answer) => answer.question)).toEqual([
      'What US duties does Beijing face?',
      'how to bake bread',
      'Who is Xiong Bo?',
    ]);
    expect(answers[1]?.answered).toBe(false);
  });

  it('ask --jsonl reads {"q", "thread"} lines as turns of a thread: a later line is a follow-up, saying how it was read', async () => {
    const input = [
      JSON.stringify({ q: 'Which airline will lease COMAC jets?', thread: 't1' }),
      JSON.stringify({ q: 'What US duties does Cambodia face?', thread: 't2' }),
      JSON.stringify({ q: 'how many of them?', thread: 't1' }),
      JSON.stringify({ q: 'and for malaysia?', thread: 't2' }),
      'how many of them?',
      JSON.stringify({ q: 'how many of them?' }),
      '{"question": "wrong shape"}',
      '{not json',
    ].join('\n');
    const result = await cli(['ask', '--jsonl'], `${input}\n`);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const line of lines.slice(0, 6)) answerJson.parse(line);
    expect(lines[0]).toMatchObject({ thread: 't1', turn: 1 });
    expect(lines[0].followUp).toBeUndefined();
    // "them" is what the turn before asked about: read with it, and the quote holds the number.
    expect(lines[2]).toMatchObject({ thread: 't1', turn: 2, followUp: { about: 'airline lease COMAC jets' } });
    expect(lines[2].readAs).toBeUndefined();
    expect(lines[2].followUp.carried).toEqual([{ turn: 1, how: 'subject', text: 'airline lease COMAC jets' }]);
    expect(lines[2].quotes[0].text).toContain('two COMAC C909 planes');
    // "and for malaysia?" asks thread t2's question again, about Malaysia (threads do not mix).
    expect(lines[3]).toMatchObject({ thread: 't2', turn: 2, readAs: 'What US duties does malaysia face?' });
    expect(lines[3].followUp.carried).toEqual([{ turn: 1, how: 'replaced', text: 'What US duties does Cambodia face?' }]);
    expect(lines[3].quotes[0].text).toContain('49% and 24% respectively');
    // Without a thread, a line stands alone.
    for (const line of [lines[4], lines[5]]) {
      expect(line.thread).toBeUndefined();
      expect(line.followUp).toBeUndefined();
    }
    expect(lines[6].error).toMatch(/^a JSON line must be/);
    expect(lines[7].error).toMatch(/^not valid JSON/);
  });

  it('ask refuses an over-long question with one line, before loading anything', async () => {
    const result = await cli(['ask', 'x'.repeat(5000)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^question too long: 5000 characters, at most 1000\nusage:/);
    expect(result.stdout).toBe('');
  });

  it('ask prints a readable answer with sources', async () => {
    const result = await cli(['ask', 'What US duties does Beijing face?']);
    expect(result.stdout).toMatch(/^“[^”\n]*145%[^\n]*” \[1\]\n/);
    expect(result.stdout).toMatch(/\n\nSources:\n\[1\] [^\n]+, 00[01]_\w+\.txt ¶\d+/);
  });

  it('--collections answers from those collections only, and refuses one the corpus lacks', async () => {
    const scoped = await cli(['ask', '--collections', 'Default', 'What US duties does Beijing face?']);
    expect(scoped.code).toBe(0);
    expect(scoped.stdout).toBe((await cli(['ask', 'What US duties does Beijing face?'])).stdout);
    const refused = await cli(['search', '--collections', 'default,news', 'rare earths']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^--collections: no collection news; the corpus has default\n/);
  });

  it('--stored answers from the stored index without reading the corpus folder, and says how to build a missing one', async () => {
    const fromCorpus = await cli(['ask', 'What US duties does Beijing face?']);
    const gone = path.join(project.dir, 'no-such-corpus');
    const stored = await cli(['ask', '--stored', 'What US duties does Beijing face?'], '', { CORPUS_DIR: gone });
    expect(stored.code).toBe(0);
    expect(stored.stdout).toBe(fromCorpus.stdout);
    const emptyIndex = path.join(project.dir, 'no-index-yet');
    const missing = await cli(['ask', '--stored', 'What US duties does Beijing face?'], '', { INDEX_DIR: emptyIndex });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/There is no index in .*run `npm run ingest` to build it/);
  });

  it('search lists passages with scores', async () => {
    const result = await cli(['search', '--results', '2', 'rare earths railway']);
    expect(result.stdout).toMatch(/^1\. .* \(score \d\.\d{3}\)\n {5}.+\n2\. /s);
  });

  it('shows scores in [0, 1], going down the list, in search and in an answer’s passages', async () => {
    const search = JSON.parse((await cli(['search', '--json', '--results', '10', 'Was Xi’s visit his first since 2017?'])).stdout) as {
      score: number;
    }[];
    const asked = answerJson.parse(JSON.parse((await cli(['ask', '--json', 'Was Xi’s visit his first since 2017?'])).stdout));
    for (const scores of [search.map((passage) => passage.score), asked.passages.map((passage) => passage.score)]) {
      expect(scores.length).toBeGreaterThan(1);
      expect(scores).toEqual([...scores].sort((left, right) => right - left));
      for (const score of scores) expect(score).toBeGreaterThanOrEqual(0);
      for (const score of scores) expect(score).toBeLessThanOrEqual(1);
    }
  });

  it('timeline prints each source’s quote oldest first, the undated ones apart; --json the same as JSON', async () => {
    const result = await cli(['timeline', 'South China Sea']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^2023-12-12 {2}“[^\n]*South China Sea[^\n]*”\n {5}.+ 003_\w+\.txt ¶\d+\n2025-04-14 {2}“/);
    expect(result.stdout).toMatch(/\n\nUndated \(cannot be placed in time\):\n {12}“/);
    const json = JSON.parse((await cli(['timeline', '--json', 'South China Sea'])).stdout);
    expect(json.dated.map((entry: { date: string }) => entry.date)).toEqual(['2023-12-12', '2025-04-14']);
    expect((await cli(['timeline', 'recipe for banana bread with walnuts and cinnamon'])).stdout).toBe("The sources don't say.\n");
    const missing = await cli(['timeline']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^timeline needs a topic\nusage:/);
  });

  it('invalid settings stop with one line per problem and exit code 2', async () => {
    const result = await cli(['ask', 'anything'], '', { CHUNK_MAX_CHARS: 'lots', DISCORD_COOLDOWN_SECONDS: '-1', ANSWER_MIN_SCORE: '2' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('config error: CHUNK_MAX_CHARS: must be a number (got "lots")');
    // A number out of range says the range, not "must be a number".
    expect(result.stderr).toContain('config error: DISCORD_COOLDOWN_SECONDS: must be from 0 to 3600 seconds (got "-1")');
    expect(result.stderr).toContain('config error: ANSWER_MIN_SCORE: must be from 0 to 1 (got "2")');
    expect(result.stdout).toBe('');
  });

  it('usage errors explain themselves', async () => {
    const result = await cli(['ask']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ask needs a question\nusage:/);
  });

  it('an unknown option is one line and the usage, not a stack trace', async () => {
    const result = await cli(['eval', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Unknown option '--bogus'\nusage:/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing corpus folder is one clear line, not a stack trace', async () => {
    const result = await cli(['ask', 'anything'], '', { CORPUS_DIR: '/nonexistent/corpus' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Cannot read the corpus folder \/nonexistent\/corpus \(CORPUS_DIR\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
