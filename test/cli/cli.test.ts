import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTempProject, MODEL_CACHE_DIR, PROJECT_DIR, type TempProject } from '../support/temp-project.js';

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

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let project: TempProject;
let environment: NodeJS.ProcessEnv;

/** Run a command in the project folder with the temp corpus/index; the built model is shared. */
function run(command: string, args: string[], input = '', extra: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: PROJECT_DIR, env: { ...environment, ...extra } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const cli = (args: string[], input = '', extra: NodeJS.ProcessEnv = {}) => run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], input, extra);

beforeAll(async () => {
  project = await createTempProject();
  const { DISCORD_TOKEN: _token, ...rest } = process.env;
  environment = { ...rest, CORPUS_DIR: project.corpusDir, INDEX_DIR: project.indexDir, MODEL_DIR: MODEL_CACHE_DIR, LOG_LEVEL: 'info' };
});

afterAll(() => project.cleanup());

describe('command line', () => {
  it('ingest builds the index, then reports it up to date', async () => {
    const first = await cli(['ingest']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Rebuilt the index \(no index yet\): 5 documents, \d+ chunks; 5 added/);
    const second = await cli(['ingest']);
    expect(second.stdout).toMatch(/^The index is up to date: 5 documents/);
  });

  it('ask --json prints exactly one JSON object of the documented shape', async () => {
    const result = await cli(['ask', '--json', 'What US duties does Beijing face?']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const answer = answerJson.parse(JSON.parse(lines[0] ?? ''));
    expect(answer.answered).toBe(true);
    expect(answer.quotes[0]?.text).toContain('145%');
  });

  it('npm run ask -- --json keeps npm’s banner off stdout', async () => {
    const result = await run('npm', ['run', 'ask', '--', '--json', 'Who did Xi meet in Hanoi?']);
    expect(result.code).toBe(0);
    expect(() => answerJson.parse(JSON.parse(result.stdout))).not.toThrow();
  });

  it('ask --jsonl answers one question per line, skipping blank lines, one JSON object per line', async () => {
    const result = await cli(['ask', '--jsonl'], 'What US duties does Beijing face?\n\nhow to bake bread\nWho is Xiong Bo?\n');
    expect(result.code).toBe(0);
    const answers = result.stdout.trim().split('\n').map((line) => answerJson.parse(JSON.parse(line)));
    expect(answers.map((answer) => answer.question)).toEqual(['What US duties does Beijing face?', 'how to bake bread', 'Who is Xiong Bo?']);
    expect(answers[1]?.answered).toBe(false);
  });

  it('ask prints a readable answer with sources', async () => {
    const result = await cli(['ask', 'What US duties does Beijing face?']);
    expect(result.stdout).toMatch(/^“[^”\n]*145%[^\n]*” \[1\]\n/);
    expect(result.stdout).toMatch(/\n\nSources:\n\[1\] [^\n]+, 00[01]_\w+\.txt ¶\d+/);
  });

  it('search lists passages with scores', async () => {
    const result = await cli(['search', '--results', '2', 'rare earths railway']);
    expect(result.stdout).toMatch(/^1\. .* \(score \d\.\d{3}\)\n {5}.+\n2\. /s);
  });

  it('invalid settings stop with one line per problem and exit code 2', async () => {
    const result = await cli(['ask', 'anything'], '', { CHUNK_MAX_CHARS: 'lots', DISCORD_COOLDOWN_SECONDS: '-1' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('config error: CHUNK_MAX_CHARS: must be a number (got "lots")');
    expect(result.stderr).toMatch(/config error: DISCORD_COOLDOWN_SECONDS: .*\(got "-1"\)/);
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
