/** Bot pieces without the network: custom ids, the state store, question cleaning, preconditions, the feedback log. */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { decodeButtonId, encodeButtonId, StateStore } from '../../src/bot/components.js';
import { ask } from '../../src/bot/commands/ask.js';
import { feeds } from '../../src/bot/commands/feeds.js';
import { findSources } from '../../src/bot/commands/find-sources.js';
import { ScopeMessages, scope } from '../../src/bot/commands/scope.js';
import { search } from '../../src/bot/commands/search.js';
import { timeline } from '../../src/bot/commands/timeline.js';
import { FeedbackLog, formatFeedbackSummary, parseFeedback, summariseFeedback } from '../../src/bot/feedback.js';
import { checkPreconditions, Cooldowns, TargetRefusals, ThreadRefusals, type Asked } from '../../src/bot/preconditions.js';
import { checkQuestion, MAX_QUESTION_CHARS, stripMention } from '../../src/bot/question.js';
import { loadConfig } from '../../src/config.js';
import { ScriptedEngine } from '../fakes/engine.js';

describe('button custom ids', () => {
  it('round-trip, and tell stale and foreign ids apart', () => {
    const id = encodeButtonId('b00t', { action: 'search-page', key: 'k1', argument: '2' });
    expect(id).toBe('q1:b00t:search-page:k1:2');
    expect(decodeButtonId('b00t', id)).toEqual({ kind: 'current', id: { action: 'search-page', key: 'k1', argument: '2' } });
    expect(decodeButtonId('other', id)).toEqual({ kind: 'stale' });
    expect(decodeButtonId('b00t', 'q0:b00t:vote:k1:up')).toEqual({ kind: 'stale' });
    expect(decodeButtonId('b00t', 'q1:b00t:explode:k1:up')).toEqual({ kind: 'unknown' });
    expect(decodeButtonId('b00t', 'not-ours')).toEqual({ kind: 'unknown' });
    expect(decodeButtonId('b00t', '')).toEqual({ kind: 'unknown' });
  });
});

describe('StateStore', () => {
  it('forgets values after the ttl and keeps at most maxEntries', () => {
    let now = 0;
    const store = new StateStore<string>({ ttlMs: 100, maxEntries: 2, now: () => now });
    const a = store.put('a');
    const b = store.put('b');
    expect(store.get(a)).toBe('a');
    const c = store.put('c');
    expect(store.get(a)).toBeUndefined(); // evicted, oldest first
    expect([store.get(b), store.get(c)]).toEqual(['b', 'c']);
    now = 100;
    expect(store.get(b)).toBeUndefined();
    expect(store.size).toBe(1);
    expect(store.get('nope')).toBeUndefined();
    expect(() => new StateStore({ maxEntries: 0 })).toThrow(RangeError);
  });
});

describe('Cooldowns', () => {
  it('per user, released after the cooldown', () => {
    let now = 0;
    const cooldowns = new Cooldowns(5, () => now);
    expect(cooldowns.take('a')).toBe(0);
    now = 1000;
    expect(cooldowns.take('a')).toBe(4);
    expect(cooldowns.take('b')).toBe(0);
    now = 5000;
    expect(cooldowns.take('a')).toBe(0);
    expect(new Cooldowns(0, () => 0).take('a')).toBe(0);
  });
});

describe('checkPreconditions', () => {
  const allowed = '100000000000000001';
  const elsewhere = '100000000000000002';
  let now = 0;
  const config = loadConfig({ DISCORD_ALLOWED_CHANNELS: allowed, DISCORD_COOLDOWN_SECONDS: '60' }, { loadDotenv: false });
  const context = () => ({ config, engine: new ScriptedEngine(), cooldowns: new Cooldowns(config.discord.cooldownSeconds, () => now) });
  const asked = (text: string, fields: Partial<Asked> = {}): Asked => ({
    userId: 'alice',
    channelId: allowed,
    parentId: null,
    text,
    ...fields,
  });

  it("runs /ask's checks in order: channel, then question, then cooldown (a refused question keeps the cooldown)", () => {
    const bot = context();
    const needs = ask.preconditions;
    expect(checkPreconditions(bot, needs, asked('', { channelId: elsewhere }))).toEqual({
      ok: false,
      failed: 'channel',
      reason: `I only answer in <#${allowed}>.`,
    });
    const refused = checkQuestion('🙂');
    expect(refused.ok).toBe(false);
    expect(checkPreconditions(bot, needs, asked('🙂'))).toEqual({ ok: false, failed: 'question', reason: !refused.ok && refused.reason });
    expect(checkPreconditions(bot, needs, asked(' What did\u200b Xi say? '))).toEqual({ ok: true, question: 'What did Xi say?' });
    expect(checkPreconditions(bot, needs, asked('And then?'))).toEqual({
      ok: false,
      failed: 'cooldown',
      reason: 'Please wait 60 s before asking again.',
    });
    expect(checkPreconditions(bot, needs, asked('And then?', { userId: 'bob' })).ok).toBe(true);
    now += 60_000;
    expect(checkPreconditions(bot, needs, asked('And then?')).ok).toBe(true);
  });

  it("checks /ask's target after the question and before the cooldown: a person other than a bot, the answer then public", () => {
    const bot = context();
    const needs = ask.preconditions;
    const target = (fields: Partial<NonNullable<Asked['target']>> = {}) => ({ id: 'bob', bot: false, privately: false, ...fields });
    expect(checkPreconditions(bot, needs, asked('🙂', { target: target({ bot: true }) }))).toMatchObject({ failed: 'question' });
    expect(checkPreconditions(bot, needs, asked('Why?', { target: target({ bot: true }) }))).toEqual({
      ok: false,
      failed: 'target',
      reason: TargetRefusals.bot,
    });
    expect(checkPreconditions(bot, needs, asked('Why?', { target: target({ privately: true }) }))).toEqual({
      ok: false,
      failed: 'target',
      reason: TargetRefusals.private,
    });
    // The asker as target (even privately) is no target: the usual answer.
    expect(checkPreconditions(bot, needs, asked('Why?', { target: target({ id: 'alice', privately: true }) }))).toEqual({
      ok: true,
      question: 'Why?',
    });
    // The refusals kept the cooldown; the answer above took it.
    expect(checkPreconditions(bot, needs, asked('Why?', { target: target() }))).toMatchObject({ failed: 'cooldown' });
    expect(checkPreconditions(bot, needs, asked('Why?', { userId: 'carol', target: target() }))).toEqual({ ok: true, question: 'Why?' });
    // A command that does not declare a target ignores one.
    expect(checkPreconditions(bot, search.preconditions, asked('Why?', { target: target({ bot: true }) })).ok).toBe(true);
  });

  it("checks /ask's thread:true before the cooldown: not private, and only where a thread can start", () => {
    const bot = context();
    const needs = ask.preconditions;
    expect(checkPreconditions(bot, needs, asked('Why?', { thread: { privately: true, channelCanThread: true } }))).toEqual({
      ok: false,
      failed: 'thread',
      reason: ThreadRefusals.private,
    });
    expect(checkPreconditions(bot, needs, asked('Why?', { thread: { privately: false, channelCanThread: false } }))).toEqual({
      ok: false,
      failed: 'thread',
      reason: ThreadRefusals.channel,
    });
    expect(checkPreconditions(bot, needs, asked('Why?', { thread: { privately: false, channelCanThread: true } }))).toEqual({
      ok: true,
      question: 'Why?',
    });
    expect(checkPreconditions(bot, needs, asked('Why?', { thread: null }))).toMatchObject({ failed: 'cooldown' });
  });

  it('/timeline checks its topic like a question and takes the cooldown', () => {
    const bot = context();
    expect(checkPreconditions(bot, timeline.preconditions, asked('🙂'))).toMatchObject({ failed: 'question' });
    expect(checkPreconditions(bot, timeline.preconditions, asked('tariffs'))).toEqual({ ok: true, question: 'tariffs' });
    expect(checkPreconditions(bot, timeline.preconditions, asked('railway'))).toMatchObject({
      failed: 'cooldown',
      reason: 'Please wait 60 s before looking up again.',
    });
  });

  it('holds a command that declares nothing to the allowlist only, which lets threads of an allowed channel in', () => {
    const bot = context();
    expect(checkPreconditions(bot, {}, asked('', { channelId: elsewhere })).ok).toBe(false);
    expect(checkPreconditions(bot, {}, asked('', { channelId: elsewhere, parentId: allowed }))).toEqual({ ok: true, question: '' });
    expect(checkPreconditions(bot, {}, asked('', { channelId: null })).ok).toBe(true); // Discord did not say where
  });

  it('checks only what a command declares: /search has no cooldown, Find sources its own refusal and wording', () => {
    const bot = context();
    expect(checkPreconditions(bot, search.preconditions, asked('Hanoi visit')).ok).toBe(true);
    expect(checkPreconditions(bot, search.preconditions, asked('Hanoi visit')).ok).toBe(true);
    expect(checkPreconditions(bot, findSources.preconditions, asked('🙂🙂'))).toEqual({
      ok: false,
      failed: 'question',
      reason: findSources.preconditions.question.refusal,
    });
    const long = checkPreconditions(bot, findSources.preconditions, asked('word '.repeat(500)));
    expect(long.ok && long.question.length).toBe(MAX_QUESTION_CHARS);
    expect(checkPreconditions(bot, findSources.preconditions, asked('Hanoi visit'))).toMatchObject({
      failed: 'cooldown',
      reason: 'Please wait 60 s before looking up again.',
    });
  });

  it('checks requiredPermissions after the allowlist, and only for the subcommands named', () => {
    const bot = context();
    const member = (...held: bigint[]) => ({ has: (permission: bigint) => held.includes(permission) });
    const declared = { requiredPermissions: feeds.requiredPermissions };
    expect(checkPreconditions(bot, declared, asked('', { permissions: member() }))).toEqual({
      ok: false,
      failed: 'permissions',
      reason: 'Only members with the Manage Server permission can manage feeds.',
    });
    expect(checkPreconditions(bot, declared, asked('', { permissions: null })).ok).toBe(false);
    expect(checkPreconditions(bot, declared, asked('', { permissions: member(), channelId: elsewhere }))).toMatchObject({
      failed: 'channel',
    });
    expect(checkPreconditions(bot, declared, asked('', { permissions: member(PermissionFlagsBits.ManageGuild) })).ok).toBe(true);
    const scoped = { requiredPermissions: scope.requiredPermissions };
    expect(checkPreconditions(bot, scoped, asked('', { permissions: member(), subcommand: 'show' })).ok).toBe(true);
    expect(checkPreconditions(bot, scoped, asked('', { permissions: member(), subcommand: 'clear' }))).toMatchObject({
      reason: ScopeMessages.notManager,
    });
  });
});

describe('checkQuestion', () => {
  it.each([
    ['', false],
    ['   \n\t', false],
    ['a', false],
    ['?', false],
    ['🙂🙂🙂', false],
    ['\u200b\u200d\ufeff', false],
    ['\u202e\u202d', false],
    ['```\n```', false],
    ['hi', true],
    ['What did Xi say?', true],
    ['ما هي العلاقات بين الصين وفيتنام؟', true],
    ['什么协议', true],
  ])('%j ok=%s', (input, ok) => {
    expect(checkQuestion(input).ok).toBe(ok);
  });

  it('removes invisible characters and code fences; refuses long input with its length, or shortens it when asked to', () => {
    expect(checkQuestion('```js\nwhat did\u200b xi say\n```')).toEqual({ ok: true, question: 'what did xi say', shortened: false });
    expect(checkQuestion('`inline` question')).toEqual({ ok: true, question: 'inline question', shortened: false });
    expect(checkQuestion('x'.repeat(6000))).toEqual({
      ok: false,
      reason: 'Your question is 6,000 characters long; please ask it in at most 1,000.',
    });
    const long = checkQuestion('x'.repeat(6000), { longInput: 'shorten' });
    expect(long).toMatchObject({ ok: true, shortened: true });
    expect(long.ok && long.question.length).toBe(MAX_QUESTION_CHARS);
  });

  it('stripMention removes both mention forms of the bot only', () => {
    expect(stripMention('<@123> hi <@!123> there <@456>', '123').replace(/\s+/g, ' ').trim()).toBe('hi there <@456>');
  });
});

describe('FeedbackLog', () => {
  it('appends JSONL with salted user hashes, never the raw id', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'feedback-'));
    try {
      const log = new FeedbackLog(dir);
      await Promise.all([
        log.recordQuestion({ userId: '111111111111111111', via: 'ask', question: 'One?', answered: true, sources: ['a.txt', 'b.txt'] }),
        log.recordQuestion({ userId: '222222222222222222', via: 'find-sources', question: 'Two?', answered: false, sources: [] }),
        log.recordVote({ userId: '111111111111111111', vote: 'up', question: 'One?', answered: true, sources: ['a.txt'] }),
      ]);
      const text = await readFile(log.file, 'utf8');
      expect(text).not.toContain('111111111111111111');
      const { entries, malformed } = parseFeedback(`${text}not json\n{"type":"other"}\n`);
      expect(malformed).toBe(2);
      expect(entries).toHaveLength(3);
      expect(entries[0]!.user).toBe(entries[2]!.user);
      expect(entries[0]!.user).not.toBe(entries[1]!.user);
      expect(entries[0]!.user).toBe(await new FeedbackLog(dir).hashUser('111111111111111111')); // the salt persists
      expect((await stat(path.join(dir, 'feedback-salt'))).mode & 0o777).toBe(0o600);
      const other = await mkdtemp(path.join(tmpdir(), 'feedback-'));
      expect(await new FeedbackLog(other).hashUser('111111111111111111')).not.toBe(entries[0]!.user); // per installation
      await rm(other, { recursive: true, force: true });
      const summary = summariseFeedback(entries, malformed);
      expect(summary).toMatchObject({ questions: 2, answered: 1, users: 2, up: 1, down: 0, malformed: 2, unanswered: ['Two?'] });
      expect(summary.topSources).toEqual([
        { file: 'a.txt', count: 1 },
        { file: 'b.txt', count: 1 },
      ]);
      expect(formatFeedbackSummary(summary)).toContain('Questions: 2 (1 answered, 50%) from 2 users');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
