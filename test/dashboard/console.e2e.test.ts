/**
 * The dashboard served by the real program: `dist/main.js` as `npm start` runs it, in console mode
 * (no DISCORD_TOKEN), with DASHBOARD_PORT=0 and a token. Three questions typed in the console appear
 * on /questions (entry console), /metrics counts them, /healthz is 200; ending the console stops the
 * server too. And the refusal to serve beyond loopback without a token.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySeedIndex, PROJECT_DIR, SEEDS_DIR } from '../support/workspace.js';

const TOKEN = 'console-dashboard-token-0123456789';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dashboard-console-'));
  await mkdir(path.join(dir, 'embeddings'), { recursive: true });
  await symlink(path.join(PROJECT_DIR, 'embeddings', 'models'), path.join(dir, 'embeddings', 'models'), 'dir');
  // The seed index, built once by the global set-up: the program loads it instead of embedding the seeds.
  await copySeedIndex(path.join(dir, 'embeddings'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(environment: Record<string, string>): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [path.join(PROJECT_DIR, 'dist', 'main.js')], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      CORPUS_DIR: SEEDS_DIR,
      INDEX_DIR: path.join(dir, 'embeddings'),
      DATA_DIR: path.join(dir, 'data'),
      LOG_LEVEL: 'info',
      ...environment,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.resume();
  return { child, stderr: () => stderr };
}

/** Poll until `check` returns a value (the program is a separate process; nothing here is timed). */
async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, limitMs = 120_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(100);
  }
}

describe('npm start (console) with DASHBOARD_PORT', () => {
  it('serves the console questions on /questions and /metrics, /healthz 200, and stops with the console', async () => {
    const { child, stderr } = run({ DASHBOARD_PORT: '0', DASHBOARD_TOKEN: TOKEN });
    try {
      const url = await waitFor('the dashboard address', () => stderr().match(/Dashboard: (http:\/\/127\.0\.0\.1:\d+)\//)?.[1]);
      expect(stderr()).not.toContain(TOKEN);
      await waitFor('the console prompt', () => (stderr().includes('Type a question') ? true : undefined));
      const questions = ['What US duties does Beijing face?', 'What is the population of Mars?', 'hi'];
      child.stdin?.write(`${questions.join('\n')}\n`);
      const auth = { authorization: `Bearer ${TOKEN}` };
      const page = await waitFor('the three questions on /questions', async () => {
        const html = await (await fetch(`${url}/questions?entry=console`, { headers: auth })).text();
        // Counted, not only found: "hi" is in any page, so its text alone does not say it was logged.
        return html.includes(`${questions.length} questions, newest first`) && questions.every((question) => html.includes(question))
          ? html
          : undefined;
      });
      expect(page).toContain('3 questions, newest first');
      const metrics = await (await fetch(`${url}/metrics`, { headers: auth })).text();
      const count = (outcome: string) =>
        Number(metrics.match(new RegExp(`^seedquotes_questions_total\\{outcome="${outcome}",entry="console"\\} (\\d+)$`, 'm'))?.[1]);
      expect([count('answered'), count('abstained'), count('refused')]).toEqual([1, 1, 1]);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true, index: { documents: 5 }, discord: 'off' });
      expect((await fetch(`${url}/questions`)).status).toBe(401);
      child.stdin?.end('exit\n');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      child.kill();
    }
  });

  it('says in one line that the port is taken, and exits 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const { child, stderr } = run({ DASHBOARD_PORT: String(port) });
      child.stdin?.end();
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(1);
      expect(stderr().trim().split('\n').at(-1)).toBe(
        `[error] The dashboard cannot listen on 127.0.0.1:${port} (DASHBOARD_HOST, DASHBOARD_PORT): EADDRINUSE, the port is taken.`,
      );
    } finally {
      taken.close();
    }
  });

  it('refuses a host beyond loopback without a token: one line naming the settings, exit 2', async () => {
    const { child, stderr } = run({ DASHBOARD_PORT: '0', DASHBOARD_HOST: '0.0.0.0' });
    child.stdin?.end();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr()).toMatch(
      /^config error: DASHBOARD_TOKEN: must be set when DASHBOARD_HOST is not a loopback address \(DASHBOARD_HOST=0\.0\.0\.0, DASHBOARD_PORT=0\)/m,
    );
  });
});
