import { describe, expect, it } from 'vitest';
import { Conversations } from '../../src/bot/conversations.js';

const turns = (...questions: string[]) => questions.map((question) => ({ question }));

function store(options: { questions?: number; windowMs?: number; threads?: number } = {}) {
  let now = 0;
  const conversations = new Conversations({
    questions: options.questions ?? 3,
    windowMs: options.windowMs ?? 30 * 60_000,
    threads: options.threads ?? 100,
    now: () => now,
  });
  return { conversations, advance: (ms: number) => (now += ms) };
}

describe('Conversations', () => {
  it('keeps the last few turns of a thread, oldest first', () => {
    const { conversations } = store({ questions: 3 });
    for (const question of ['one?', 'two?', 'three?', 'four?']) conversations.record('t', { question });
    expect(conversations.earlier('t')).toEqual(turns('two?', 'three?', 'four?'));
    expect(conversations.earlier('other')).toEqual([]);
  });

  it('carries over only the questions within the window', () => {
    const { conversations, advance } = store({ windowMs: 1000 });
    conversations.record('t', { question: 'old?' });
    advance(600);
    conversations.record('t', { question: 'recent?' });
    advance(600);
    expect(conversations.earlier('t')).toEqual(turns('recent?'));
    advance(1000);
    expect(conversations.earlier('t')).toEqual([]);
  });

  it('remembers whether the bot started the thread; a question recorded later keeps it', () => {
    const { conversations } = store();
    conversations.record('started', { question: 'q?' }, { started: true });
    conversations.record('started', { question: 'q2?' });
    conversations.record('joined', { question: 'q?' });
    expect(conversations.started('started')).toBe(true);
    expect(conversations.started('joined')).toBe(false);
    expect(conversations.started('unknown')).toBe(false);
  });

  it('holds at most so many threads, dropping the least recently used', () => {
    const { conversations } = store({ threads: 2 });
    conversations.record('a', { question: 'a?' }, { started: true });
    conversations.record('b', { question: 'b?' });
    conversations.record('a', { question: 'a2?' });
    conversations.record('c', { question: 'c?' });
    expect(conversations.size).toBe(2);
    expect(conversations.earlier('b')).toEqual([]);
    expect(conversations.earlier('a')).toEqual(turns('a?', 'a2?'));
    expect(conversations.started('a')).toBe(true);
  });
});
