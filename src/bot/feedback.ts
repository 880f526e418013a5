/**
 * The question and feedback log: one JSON object per line in `<dataDir>/feedback.jsonl`.
 * User ids are never stored; each is replaced by sha256(salt + id), where the salt is a random
 * per-installation secret kept in `<dataDir>/feedback-salt` (created on first use).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Answer } from '../core/types.js';
import { JsonLines } from './jsonl.js';

export type Vote = 'up' | 'down';

/** Where a question was asked: `/ask`, a mention, "Find sources" (the message menu), or the console of `npm start`. */
export type QuestionVia = 'ask' | 'mention' | 'find-sources' | 'console';

/**
 * What became of a question: quoted (`answered`); the documents do not say (`abstained`); or not a
 * question the documents could answer at all — no words, or small talk — so a help reply (`refused`).
 */
export type QuestionOutcome = 'answered' | 'abstained' | 'refused';

/** Files the answer cites (quotes and corroborations), for the feedback log. */
export function citedSources(answer: Pick<Answer, 'quotes'>): string[] {
  return [...new Set(answer.quotes.flatMap((quote) => [quote.source, ...quote.alsoIn.map((citation) => citation.source)]))];
}

export function outcomeOf(answer: Pick<Answer, 'answered' | 'abstainReason'>): QuestionOutcome {
  if (answer.answered) return 'answered';
  return answer.abstainReason === 'weak-evidence' || answer.abstainReason === null ? 'abstained' : 'refused';
}

/** One line of the log. */
export type FeedbackEntry =
  | {
      readonly type: 'question';
      readonly at: string;
      readonly user: string;
      /** Where it was asked: `/ask`, a mention, "Find sources", or the console. */
      readonly via: QuestionVia;
      readonly question: string;
      readonly answered: boolean;
      readonly sources: readonly string[];
      /** Absent in lines written before it was recorded: then `answered` or `abstained`. */
      readonly outcome?: QuestionOutcome;
      /** The Discord channel id, or `console`. */
      readonly channel?: string;
      /** The channel's scope, when it had one. */
      readonly collections?: readonly string[];
      /** How long the engine took to answer, in milliseconds. */
      readonly ms?: number;
    }
  | {
      readonly type: 'vote';
      readonly at: string;
      readonly user: string;
      readonly vote: Vote;
      readonly question: string;
      readonly answered: boolean;
      readonly sources: readonly string[];
    };

export const FEEDBACK_FILE = 'feedback.jsonl';
const SALT_FILE = 'feedback-salt';

/** Appends entries to the JSONL log; writes are serialised so lines never interleave. */
export class FeedbackLog {
  readonly file: string;
  private salt: Promise<string> | undefined;
  private readonly lines: JsonLines<FeedbackEntry>;

  constructor(readonly dataDir: string) {
    this.file = path.join(dataDir, FEEDBACK_FILE);
    this.lines = new JsonLines(this.file);
  }

  /** sha256(salt + user id), hex, shortened to 16 characters. */
  async hashUser(userId: string): Promise<string> {
    const salt = await this.loadSalt();
    return createHash('sha256').update(salt).update(userId).digest('hex').slice(0, 16);
  }

  async recordQuestion(entry: {
    userId: string;
    via: QuestionVia;
    question: string;
    answered: boolean;
    sources: readonly string[];
    outcome?: QuestionOutcome;
    channel?: string | null;
    collections?: readonly string[] | undefined;
    ms?: number;
  }): Promise<void> {
    await this.append({
      type: 'question',
      at: new Date().toISOString(),
      user: await this.hashUser(entry.userId),
      via: entry.via,
      question: entry.question,
      answered: entry.answered,
      sources: entry.sources,
      outcome: entry.outcome ?? (entry.answered ? 'answered' : 'abstained'),
      ...(entry.channel ? { channel: entry.channel } : {}),
      ...(entry.collections === undefined ? {} : { collections: entry.collections }),
      ...(entry.ms === undefined ? {} : { ms: Math.round(entry.ms * 10) / 10 }),
    });
  }

  async recordVote(entry: { userId: string; vote: Vote; question: string; answered: boolean; sources: readonly string[] }): Promise<void> {
    await this.append({
      type: 'vote',
      at: new Date().toISOString(),
      user: await this.hashUser(entry.userId),
      vote: entry.vote,
      question: entry.question,
      answered: entry.answered,
      sources: entry.sources,
    });
  }

  private append(entry: FeedbackEntry): Promise<void> {
    return this.lines.append(entry);
  }

  private loadSalt(): Promise<string> {
    this.salt ??= (async () => {
      const file = path.join(this.dataDir, SALT_FILE);
      try {
        return (await readFile(file, 'utf8')).trim();
      } catch {
        await mkdir(this.dataDir, { recursive: true });
        const salt = randomBytes(32).toString('hex');
        await writeFile(file, `${salt}\n`, { encoding: 'utf8', mode: 0o600, flag: 'wx' }).catch(async () => undefined);
        return (await readFile(file, 'utf8')).trim();
      }
    })();
    return this.salt;
  }
}

/** Parse log text; malformed lines are counted, not fatal. */
export function parseFeedback(text: string): { entries: FeedbackEntry[]; malformed: number } {
  const entries: FeedbackEntry[] = [];
  let malformed = 0;
  for (const line of text.split('\n')) {
    if (line.trim().length === 0) continue;
    try {
      const value = JSON.parse(line) as Partial<FeedbackEntry>;
      if (value.type === 'question' || value.type === 'vote') entries.push(value as FeedbackEntry);
      else malformed += 1;
    } catch {
      malformed += 1;
    }
  }
  return { entries, malformed };
}

export interface FeedbackSummary {
  readonly questions: number;
  readonly answered: number;
  readonly users: number;
  readonly up: number;
  readonly down: number;
  readonly malformed: number;
  /** Most cited source files, most first. */
  readonly topSources: readonly { readonly file: string; readonly count: number }[];
  /** Questions that got a 👎, most recent first. */
  readonly downvoted: readonly string[];
  /** Questions asked that got no answer, most recent first. */
  readonly unanswered: readonly string[];
}

/** Pure summary of parsed entries. */
export function summariseFeedback(entries: readonly FeedbackEntry[], malformed = 0): FeedbackSummary {
  const questions = entries.filter((entry) => entry.type === 'question');
  const votes = entries.filter((entry) => entry.type === 'vote');
  const sourceCounts = new Map<string, number>();
  for (const entry of questions) for (const file of new Set(entry.sources)) sourceCounts.set(file, (sourceCounts.get(file) ?? 0) + 1);
  const unique = (list: string[]) => [...new Set(list)];
  return {
    questions: questions.length,
    answered: questions.filter((entry) => entry.answered).length,
    users: new Set(entries.map((entry) => entry.user)).size,
    up: votes.filter((entry) => entry.vote === 'up').length,
    down: votes.filter((entry) => entry.vote === 'down').length,
    malformed,
    topSources: [...sourceCounts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 10)
      .map(([file, count]) => ({ file, count })),
    downvoted: unique(
      votes
        .filter((entry) => entry.vote === 'down')
        .map((entry) => entry.question)
        .reverse(),
    ).slice(0, 10),
    unanswered: unique(
      questions
        .filter((entry) => !entry.answered)
        .map((entry) => entry.question)
        .reverse(),
    ).slice(0, 10),
  };
}

/** The summary as text for the terminal (`npm run feedback`). */
export function formatFeedbackSummary(summary: FeedbackSummary): string {
  const percent = (part: number, whole: number) => (whole === 0 ? '–' : `${Math.round((100 * part) / whole)}%`);
  const lines = [
    `Questions: ${summary.questions} (${summary.answered} answered, ${percent(summary.answered, summary.questions)}) from ${summary.users} users`,
    `Votes: 👍 ${summary.up} · 👎 ${summary.down} (${percent(summary.up, summary.up + summary.down)} positive)`,
  ];
  if (summary.malformed > 0) lines.push(`Skipped ${summary.malformed} malformed lines`);
  if (summary.topSources.length > 0) {
    lines.push('', 'Most cited sources:');
    for (const { file, count } of summary.topSources) lines.push(`  ${String(count).padStart(4)}  ${file}`);
  }
  if (summary.downvoted.length > 0) {
    lines.push('', 'Recent 👎 questions:');
    for (const question of summary.downvoted) lines.push(`  - ${question.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
  if (summary.unanswered.length > 0) {
    lines.push('', 'Recent unanswered questions:');
    for (const question of summary.unanswered) lines.push(`  - ${question.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
  return lines.join('\n');
}
