/**
 * Stopping: `stop()` lets in-flight replies finish before destroying the client, and the real
 * program (`dist/main.js` as `npm start` runs it, real engine) exits 0 on SIGTERM and SIGINT after finishing a reply.
 */
import { spawn } from 'node:child_process';
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord-server.js';
import { ScriptedEngine } from '../fakes/engine.js';
import { copySeedIndex } from '../support/workspace.js';
import { PROJECT_DIR, startTestBot, TOKEN, useWorkspace, withTimeout } from './harness.js';

const shared = useWorkspace();

describe('stop()', () => {
  it('waits for a reply in flight, then destroys the client (hand-written slow engine: the real one is too fast to catch mid-answer)', async () => {
    const harness = await startTestBot({
      workspace: shared.workspace,
      engine: new ScriptedEngine({ delayMs: 400 }),
      settings: { deferAfterMs: 20 },
    });
    const { fake } = harness;
    try {
      const interaction = fake.slashCommand('ask', { question: 'slow question about agreements' });
      const deferred = await fake.callback(interaction);
      expect(deferred.body.type).toBe(5);
      await harness.bot.stop();
      // Checked synchronously after stop(): the edit was already sent.
      const edit = fake.requests.find((request) => request.method === 'PATCH' && request.path.includes(interaction.token));
      expect(edit?.body.embeds[0].description).toContain('cooperation agreements');
      expect(harness.logs).toContain('waiting for 1 in-flight replies before stopping');
      expect(harness.bot.client.isReady()).toBe(false);
    } finally {
      await fake.stop();
    }
  });

  it('gives up waiting after the stop timeout', async () => {
    const never = new ScriptedEngine({ answer: () => new Promise(() => undefined) });
    const harness = await startTestBot({ workspace: shared.workspace, engine: never, settings: { stopTimeoutMs: 100 } });
    try {
      harness.fake.slashCommand('ask', { question: 'a question that never gets answered' });
      await harness.fake.waitForRequest(() => false, 300).catch(() => undefined); // let the event arrive
      await withTimeout(harness.bot.stop(), 5_000, 'stop');
      expect(harness.logs.some((line) => line.startsWith('[warn] waiting for in-flight replies timed out'))).toBe(true);
    } finally {
      await harness.fake.stop();
    }
  });
});

describe('signals (dist/main.js with the real engine)', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s finishes the reply in flight, destroys the client and exits 0',
    async (signal) => {
      const fake = await FakeDiscord.start();
      const indexDir = path.join(shared.workspace.dir, `index-${signal}`);
      await mkdir(indexDir, { recursive: true });
      await symlink(path.join(PROJECT_DIR, 'embeddings', 'models'), path.join(indexDir, 'models'), 'dir');
      // The seed index, built once by the global set-up: the program loads it instead of embedding the seeds.
      await copySeedIndex(indexDir);
      const { PATH, HOME } = process.env;
      // As `npm start` runs it: the compiled program (the global setup built dist/ from the current src/), from another folder.
      const child = spawn(process.execPath, [path.join(PROJECT_DIR, 'dist', 'main.js')], {
        cwd: shared.workspace.dir,
        env: {
          PATH: PATH ?? '',
          HOME: HOME ?? shared.workspace.dir,
          DISCORD_TOKEN: TOKEN,
          DISCORD_API_URL: fake.apiUrl,
          DISCORD_GUILD_ID: fake.guildId,
          DISCORD_REGISTER_COMMANDS: 'true',
          CORPUS_DIR: shared.workspace.corpusDir,
          INDEX_DIR: indexDir,
          DATA_DIR: path.join(shared.workspace.dir, `data-${signal}`),
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += String(chunk)));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const registered = fake.waitForRequest((request) => request.method === 'PUT', 60_000);
        const exitedEarly = exited.then((code) => Promise.reject(new Error(`the bot exited early with code ${code}`)));
        await Promise.race([registered, exitedEarly]).catch((error: Error) => {
          throw new Error(`${error.message}\nbot stderr:\n${stderr}`);
        });
        exitedEarly.catch(() => undefined);
        // Hold Discord's answer to the reply so it is still in flight when the signal arrives.
        fake.holdResponses((method, requestPath) => method === 'POST' && requestPath.endsWith('/callback'), 500);
        const interaction = fake.slashCommand('ask', { question: 'What did Xi say about trade wars?' });
        const callback = await fake.callback(interaction, 20_000);
        child.kill(signal);
        const code = await withTimeout(exited, 20_000, 'the bot process exiting');
        expect(code).toBe(0);
        expect(callback.body.data.embeds[0].description).toContain('no winners in trade wars');
        expect(stderr).toContain(`${signal}: finishing replies in flight`);
        expect(stderr).toContain('waiting for 1 in-flight replies before stopping');
        expect(stderr).toContain('Discord: disconnected');
        expect(stderr).not.toContain(TOKEN);
        expect(stderr).not.toMatch(/\[error\]/);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await fake.stop();
      }
    },
    90_000,
  );
});
