/**
 * The dashboard's reading of the question log (`feedback.jsonl`) on real temp files: only appended
 * bytes are read, a half-written last line waits for its newline, corrupt lines are skipped and
 * counted, votes find their question, pages and filters, a replaced log is read again.
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FeedbackLog } from '../../src/bot/feedback.js';
import { type QuestionEvent, QuestionLog } from '../../src/dashboard/question-log.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'question-log-'));
  file = path.join(dir, 'feedback.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const line = (fields: Record<string, unknown>) => `${JSON.stringify(fields)}\n`;
const question = (text: string, fields: Record<string, unknown> = {}) =>
  line({
    type: 'question',
    at: '2026-12-01T10:00:00.000Z',
    user: 'u',
    via: 'ask',
    question: text,
    answered: true,
    sources: ['a.txt'],
    ...fields,
  });
const vote = (text: string, value: 'up' | 'down', at = '2026-12-01T11:00:00.000Z') =>
  line({ type: 'vote', at, user: 'u', vote: value, question: text, answered: true, sources: [] });

describe('QuestionLog', () => {
  it('reads what the bot and the console write, newest first, with outcome, entry, channel and votes', async () => {
    const feedback = new FeedbackLog(dir);
    await feedback.recordQuestion({
      userId: '1',
      via: 'ask',
      question: 'First?',
      answered: true,
      sources: ['a.txt'],
      outcome: 'answered',
      channel: '42',
      ms: 12.34,
    });
    await feedback.recordQuestion({
      userId: 'console',
      via: 'console',
      question: 'hi',
      answered: false,
      sources: [],
      outcome: 'refused',
      channel: 'console',
    });
    await feedback.recordQuestion({
      userId: '2',
      via: 'find-sources',
      question: 'Third?',
      answered: false,
      sources: [],
      outcome: 'abstained',
      collections: ['news'],
    });
    await feedback.recordVote({ userId: '1', vote: 'down', question: 'First?', answered: true, sources: ['a.txt'] });
    const log = new QuestionLog(feedback.file);
    await log.refresh();
    expect(log.counts).toEqual({ lines: 4, questions: 3, skipped: 0 });
    const { total, records } = await log.page({}, 1, 50);
    expect(total).toBe(3);
    expect(records.map((record) => [record.id, record.question, record.outcome, record.entry])).toEqual([
      [3, 'Third?', 'abstained', 'menu'],
      [2, 'hi', 'refused', 'console'],
      [1, 'First?', 'answered', 'slash'],
    ]);
    expect(records[2]).toMatchObject({ channel: '42', ms: 12.3, down: 1, up: 0, sources: ['a.txt'], collections: null });
    expect(records[0]).toMatchObject({ collections: ['news'], channel: null, ms: null });
    expect((await log.page({ vote: 'down' }, 1, 50)).records.map((record) => record.id)).toEqual([1]);
    expect((await log.page({ outcome: 'abstained' }, 1, 50)).records.map((record) => record.id)).toEqual([3]);
    expect((await log.page({ entry: 'console' }, 1, 50)).records.map((record) => record.id)).toEqual([2]);
    expect(await log.get(2)).toMatchObject({ question: 'hi' });
    expect(await log.get(4)).toBeNull();
    expect(await log.get(0)).toBeNull();
  });

  it('reads only what was appended, and waits for a line cut short', async () => {
    await writeFile(file, question('one'));
    const log = new QuestionLog(file);
    const heard: QuestionEvent[] = [];
    log.onQuestion(
      (event) => heard.push(event),
      () => heard.splice(0),
    );
    await log.refresh();
    expect(log.counts.questions).toBe(1);
    const second = question('two');
    await appendFile(file, second.slice(0, 20));
    await log.refresh();
    expect(log.counts).toMatchObject({ lines: 1, questions: 1, skipped: 0 });
    await appendFile(file, second.slice(20));
    await log.refresh();
    expect(log.counts).toMatchObject({ lines: 2, questions: 2, skipped: 0 });
    expect((await log.page({}, 1, 10)).records.map((record) => record.question)).toEqual(['two', 'one']);
    expect(heard).toHaveLength(2); // each line heard once
  });

  it('skips and counts corrupt lines, whatever they hold', async () => {
    await writeFile(
      file,
      [
        question('good one'),
        'not json\n',
        '{"type":"question"}\n',
        line({ type: 'other' }),
        question('bad date', { at: 'yesterday' }),
        question('bad outcome', { outcome: 'maybe' }),
        '\n',
        '[1,2]\n',
        question('good two', { answered: false }),
      ].join(''),
    );
    const log = new QuestionLog(file);
    await log.refresh();
    expect(log.counts).toEqual({ lines: 8, questions: 2, skipped: 6 });
    expect((await log.page({}, 1, 10)).records.map((record) => [record.question, record.outcome])).toEqual([
      ['good two', 'abstained'], // an old line without an outcome: from `answered`
      ['good one', 'answered'],
    ]);
  });

  it('pages of any size, newest first, with the total matching', async () => {
    await writeFile(file, Array.from({ length: 125 }, (_, index) => question(`q${index + 1}`, { answered: index % 5 !== 0 })).join(''));
    const log = new QuestionLog(file);
    await log.refresh();
    const first = await log.page({}, 1, 50);
    const third = await log.page({}, 3, 50);
    expect(first.total).toBe(125);
    expect(first.records[0]?.question).toBe('q125');
    expect(third.records.map((record) => record.question)).toEqual(Array.from({ length: 25 }, (_, index) => `q${25 - index}`));
    expect((await log.page({}, 4, 50)).records).toEqual([]);
    const abstained = await log.page({ outcome: 'abstained' }, 2, 10);
    expect(abstained.total).toBe(25);
    expect(abstained.records.map((record) => record.question)).toEqual([
      'q71',
      'q66',
      'q61',
      'q56',
      'q51',
      'q46',
      'q41',
      'q36',
      'q31',
      'q26',
    ]);
  });

  it('counts per day for the last days and citations per source, with votes on the latest question of that text', async () => {
    await writeFile(
      file,
      [
        question('Same?', { at: '2026-11-01T09:00:00.000Z', sources: ['old.txt'] }), // outside 30 days
        question('Same?', { at: '2026-11-30T09:00:00.000Z', sources: ['a.txt', 'a.txt', 'b.txt'] }),
        question('Other?', { at: '2026-12-01T09:00:00.000Z', answered: false, sources: [] }),
        question('hello', { at: '2026-12-01T09:30:00.000Z', answered: false, outcome: 'refused', sources: [] }),
        vote('Same?', 'up', '2026-12-01T10:00:00.000Z'),
        vote('Same?', 'down', '2026-12-01T10:01:00.000Z'),
        vote('Never asked?', 'down', '2026-12-01T10:02:00.000Z'),
      ].join(''),
    );
    const log = new QuestionLog(file);
    await log.refresh();
    const now = Date.parse('2026-12-01T12:00:00.000Z');
    const days = log.daily(30, now);
    expect(days).toHaveLength(30);
    expect(days[29]).toEqual({ day: '2026-12-01', answered: 0, abstained: 1, refused: 1, up: 1, down: 2 });
    expect(days[28]).toEqual({ day: '2026-11-30', answered: 1, abstained: 0, refused: 0, up: 0, down: 0 });
    expect(days[0]?.day).toBe('2026-11-02');
    expect(Object.fromEntries(log.citations(30, now))).toEqual({ 'a.txt': 1, 'b.txt': 1 });
    const same = (await log.page({}, 1, 10)).records.filter((record) => record.question === 'Same?');
    expect(same.map((record) => [record.id, record.up, record.down])).toEqual([
      [2, 1, 1],
      [1, 0, 0],
    ]);
  });

  it('reads a replaced (shorter) log again from the start, and a missing one as empty', async () => {
    const log = new QuestionLog(file);
    let resets = 0;
    log.onQuestion(
      () => undefined,
      () => {
        resets += 1;
      },
    );
    await log.refresh();
    expect(log.counts.questions).toBe(0);
    await writeFile(file, question('a long first question') + question('b'));
    await log.refresh();
    expect(log.counts.questions).toBe(2);
    await writeFile(file, question('c'));
    await log.refresh();
    expect(resets).toBe(1);
    expect((await log.page({}, 1, 10)).records.map((record) => record.question)).toEqual(['c']);
  });
});
