/**
 * End to end with STORE=postgres: the real discord.js client logged in to the fake Discord, the real
 * engine answering from the PostgreSQL-compatible test database (PGlite with pgvector and
 * pg_textsearch over the wire protocol), its top-k searches run as SQL.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/engine.js';
import { silentLogger } from '../../src/core/log.js';
import { renderAnswer } from '../../src/render/discord.js';
import { startTestDatabase, type TestDatabase } from '../support/test-database.js';
import { limitViolations, useRealBot } from './harness.js';

const QUESTION = 'What did Xi say about trade wars?';

let database: TestDatabase;
let engine: Engine;
const environment = () => ({ STORE: 'postgres', DATABASE_URL: database.url });
const bot = useRealBot({
  before: async () => {
    database = await startTestDatabase();
  },
  engine: async (workspace) => {
    engine = await createEngine(workspace.configWith(environment()), silentLogger);
    return engine;
  },
  environment,
  after: async () => {
    await engine?.close();
    await database?.stop();
  },
});

describe('/ask with the PostgreSQL store', () => {
  it('replies with the quoted, cited answer found through SQL', async () => {
    const reply = await bot.harness.fake.reply(bot.harness.fake.slashCommand('ask', { question: QUESTION }));
    expect(reply.callbackType).toBe(4);
    const [embed] = reply.data.embeds;
    expect(embed.description).toMatch(/^> .*There are no winners in trade wars and tariff wars.* \[1\]/);
    expect(embed.fields[0].value).toMatch(/^\[1\] \*\*.+\*\* \(2025-04-14\) — `000_7bb7f1e19a806c78\.txt`, ¶\d+/);
    expect(reply.data.embeds).toEqual([renderAnswer(await bot.engine.ask(QUESTION), { builtAt: bot.engine.builtAt(), now: new Date() })]);
    expect(limitViolations(reply.data)).toEqual([]);
  });
});
