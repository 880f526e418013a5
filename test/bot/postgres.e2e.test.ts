/**
 * End to end with STORE=postgres: the real discord.js client logged in to the fake Discord, the real
 * engine answering from the PostgreSQL-compatible test database (PGlite with pgvector and
 * pg_textsearch over the wire protocol), its top-k searches run as SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/engine.js';
import { silentLogger } from '../../src/core/log.js';
import { renderAnswer } from '../../src/render/discord.js';
import { startTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createWorkspace, limitViolations, startTestBot, type TestBot, type Workspace } from './harness.js';

const QUESTION = 'What did Xi say about trade wars?';

let database: TestDatabase;
let workspace: Workspace;
let engine: Engine;
let harness: TestBot;

beforeAll(async () => {
  database = await startTestDatabase();
  workspace = await createWorkspace();
  const environment = { STORE: 'postgres', DATABASE_URL: database.url };
  engine = await createEngine(workspace.config(environment), silentLogger);
  harness = await startTestBot({ workspace, engine, environment });
});

afterAll(async () => {
  await harness?.close();
  await engine?.close();
  await database?.stop();
  await workspace?.remove();
});

describe('/ask with the PostgreSQL store', () => {
  it('replies with the quoted, cited answer found through SQL', async () => {
    const reply = await harness.fake.reply(harness.fake.slashCommand('ask', { question: QUESTION }));
    expect(reply.callbackType).toBe(4);
    const [embed] = reply.data.embeds;
    expect(embed.description).toMatch(/^> .*There are no winners in trade wars and tariff wars.* \[1\]/);
    expect(embed.fields[0].value).toMatch(/^\[1\] \*\*.+\*\* \(2025-04-14\) — `000_7bb7f1e19a806c78\.txt`, ¶\d+/);
    expect(reply.data.embeds).toEqual([renderAnswer(await engine.ask(QUESTION), { builtAt: engine.builtAt(), now: new Date() })]);
    expect(limitViolations(reply.data)).toEqual([]);
  });
});
