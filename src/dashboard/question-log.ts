/**
 * The question log (`DATA_DIR/feedback.jsonl`, written by the bot and the console) read for the
 * dashboard: incrementally, never whole. Each `refresh()` reads only the bytes appended since the
 * last one (a line cut short at the end waits for its newline) and keeps, per question, a few numbers
 * in typed arrays (where its line starts, its day, outcome, entry, votes) plus per-day totals; a page
 * of questions is then read back from the file by offset. A 1,000,000-line log costs ~20 MB here and
 * `/` reads none of it again (bench/dashboard-bench.ts). A line that is not JSON, or not a question or
 * vote of the known shape, is skipped and counted.
 */
import { open, stat } from 'node:fs/promises';
import { z } from 'zod';
import type { QuestionOutcome } from '../bot/feedback.js';

export const OUTCOMES = ['answered', 'abstained', 'refused'] as const satisfies readonly QuestionOutcome[];
/** How a question arrived, as the dashboard and /metrics name it: the slash command, a mention, the message menu ("Find sources"), the console. */
export const ENTRIES = ['slash', 'mention', 'menu', 'console'] as const;
export type Entry = (typeof ENTRIES)[number];
const ENTRY_OF_VIA = { ask: 'slash', mention: 'mention', 'find-sources': 'menu', console: 'console' } as const satisfies Record<
  string,
  Entry
>;

const at = z.string().refine((value) => Number.isFinite(Date.parse(value)), 'not a date');
const questionLine = z.object({
  type: z.literal('question'),
  at,
  user: z.string(),
  via: z.enum(['ask', 'mention', 'find-sources', 'console']),
  question: z.string(),
  answered: z.boolean(),
  sources: z.array(z.string()),
  outcome: z.enum(OUTCOMES).optional(),
  channel: z.string().optional(),
  collections: z.array(z.string()).optional(),
  ms: z.number().nonnegative().optional(),
});
const voteLine = z.object({
  type: z.literal('vote'),
  at,
  user: z.string(),
  vote: z.enum(['up', 'down']),
  question: z.string(),
});
const logLine = z.discriminatedUnion('type', [questionLine, voteLine]);
type QuestionLine = z.infer<typeof questionLine>;

/** One question as the dashboard shows it. `id` is its number in the log (1 = the first), stable while the log only grows. */
export interface QuestionRecord {
  readonly id: number;
  readonly at: string;
  readonly entry: Entry;
  readonly channel: string | null;
  readonly question: string;
  readonly outcome: QuestionOutcome;
  readonly sources: readonly string[];
  readonly collections: readonly string[] | null;
  readonly ms: number | null;
  readonly up: number;
  readonly down: number;
}

export interface QuestionFilter {
  readonly outcome?: QuestionOutcome | undefined;
  readonly vote?: 'up' | 'down' | undefined;
  readonly entry?: Entry | undefined;
}

/** A day's totals: questions by outcome, and votes. */
export interface DayCounts {
  /** YYYY-MM-DD (UTC). */
  readonly day: string;
  readonly answered: number;
  readonly abstained: number;
  readonly refused: number;
  readonly up: number;
  readonly down: number;
}

/** What a listener hears for each question line read (the metrics count them). */
export interface QuestionEvent {
  readonly outcome: QuestionOutcome;
  readonly entry: Entry;
  readonly ms: number | null;
}

const DAY_MS = 86_400_000;
const READ_CHUNK = 1 << 20;
/** Counts per day: answered, abstained, refused, up, down. */
const DAY_FIELDS = 5;

/** A growable column of numbers. */
class Column<T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array> {
  length = 0;
  constructor(
    private data: T,
    private readonly make: (size: number) => T,
  ) {}
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(Math.max(1024, this.data.length * 2));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  get(index: number): number {
    return this.data[index] ?? 0;
  }
  set(index: number, value: number): void {
    this.data[index] = value;
  }
}

/** 32-bit FNV-1a of a question's text: votes name their question by its text, and 1,000,000 texts are not kept. */
function textHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function dayNumber(time: number): number {
  return Math.floor(time / DAY_MS);
}

export function dayLabel(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export class QuestionLog {
  /** Bytes read so far (always just after a newline). */
  private position = 0;
  private lines = 0;
  private skipped = 0;
  private readonly offsets = new Column(new Float64Array(0), (size) => new Float64Array(size));
  private readonly lengths = new Column(new Uint32Array(0), (size) => new Uint32Array(size));
  private readonly days = new Column(new Int32Array(0), (size) => new Int32Array(size));
  private readonly outcomes = new Column(new Uint8Array(0), (size) => new Uint8Array(size));
  private readonly entries = new Column(new Uint8Array(0), (size) => new Uint8Array(size));
  private readonly ups = new Column(new Uint16Array(0), (size) => new Uint16Array(size));
  private readonly downs = new Column(new Uint16Array(0), (size) => new Uint16Array(size));
  /** Text hash → the latest question with that text (its index), for matching votes. */
  private readonly latestByText = new Map<number, number>();
  private readonly byDay = new Map<number, Uint32Array>();
  /** Day → source → times cited that day. */
  private readonly citedByDay = new Map<number, Map<string, number>>();
  private refreshing: Promise<void> = Promise.resolve();
  private readonly listeners: ((event: QuestionEvent) => void)[] = [];
  private readonly resetListeners: (() => void)[] = [];

  constructor(readonly file: string) {}

  /** Hear every question line as it is read (from the start of the log, then as it grows); `onReset` when the log was replaced. */
  onQuestion(listener: (event: QuestionEvent) => void, onReset: () => void): void {
    this.listeners.push(listener);
    this.resetListeners.push(onReset);
  }

  /** Lines read, questions among them, and lines skipped as corrupt. */
  get counts(): { readonly lines: number; readonly questions: number; readonly skipped: number } {
    return { lines: this.lines, questions: this.offsets.length, skipped: this.skipped };
  }

  /** Read what was appended since the last call (one refresh at a time; callers share a running one). */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(() => this.readNew()).catch(() => undefined);
    return this.refreshing;
  }

  private async readNew(): Promise<void> {
    let size: number;
    try {
      size = (await stat(this.file)).size;
    } catch {
      if (this.position > 0) this.reset();
      return;
    }
    // Shorter than what was read: the log was replaced or cut; read it again from the start.
    if (size < this.position) this.reset();
    if (size === this.position) return;
    const handle = await open(this.file, 'r');
    try {
      let carry: Buffer = Buffer.alloc(0);
      let carryStart = this.position;
      let readAt = this.position;
      while (readAt < size) {
        const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - readAt));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, readAt);
        if (bytesRead === 0) break;
        readAt += bytesRead;
        const buffer = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
        let lineStart = 0;
        for (let newline = buffer.indexOf(10); newline !== -1; newline = buffer.indexOf(10, lineStart)) {
          this.readLine(buffer, lineStart, newline, carryStart + lineStart);
          lineStart = newline + 1;
        }
        carryStart += lineStart;
        carry = Buffer.from(buffer.subarray(lineStart));
      }
      // A last line without its newline is still being written: read it next time.
      this.position = carryStart;
    } finally {
      await handle.close();
    }
  }

  private readLine(buffer: Buffer, start: number, end: number, offset: number): void {
    if (end === start || (end === start + 1 && buffer[start] === 13)) return;
    this.lines += 1;
    let parsed: z.infer<typeof logLine>;
    try {
      const result = logLine.safeParse(JSON.parse(buffer.toString('utf8', start, end)));
      if (!result.success) {
        this.skipped += 1;
        return;
      }
      parsed = result.data;
    } catch {
      this.skipped += 1;
      return;
    }
    const day = dayNumber(Date.parse(parsed.at));
    const counts = this.dayCounts(day);
    if (parsed.type === 'vote') {
      const index = this.latestByText.get(textHash(parsed.question));
      if (parsed.vote === 'up') {
        counts[3] = (counts[3] ?? 0) + 1;
        if (index !== undefined) this.ups.set(index, Math.min(65535, this.ups.get(index) + 1));
      } else {
        counts[4] = (counts[4] ?? 0) + 1;
        if (index !== undefined) this.downs.set(index, Math.min(65535, this.downs.get(index) + 1));
      }
      return;
    }
    const outcome = outcomeOfLine(parsed);
    const outcomeIndex = OUTCOMES.indexOf(outcome);
    const entry = ENTRY_OF_VIA[parsed.via];
    counts[outcomeIndex] = (counts[outcomeIndex] ?? 0) + 1;
    const index = this.offsets.length;
    this.offsets.push(offset);
    this.lengths.push(end - start);
    this.days.push(day);
    this.outcomes.push(outcomeIndex);
    this.entries.push(ENTRIES.indexOf(entry));
    this.ups.push(0);
    this.downs.push(0);
    this.latestByText.set(textHash(parsed.question), index);
    if (parsed.sources.length > 0) {
      const cited = this.citedByDay.get(day) ?? new Map<string, number>();
      this.citedByDay.set(day, cited);
      for (const source of new Set(parsed.sources)) cited.set(source, (cited.get(source) ?? 0) + 1);
    }
    for (const listener of this.listeners) listener({ outcome, entry, ms: parsed.ms ?? null });
  }

  private dayCounts(day: number): Uint32Array {
    const counts = this.byDay.get(day) ?? new Uint32Array(DAY_FIELDS);
    this.byDay.set(day, counts);
    return counts;
  }

  private reset(): void {
    this.position = 0;
    this.lines = 0;
    this.skipped = 0;
    for (const column of [this.offsets, this.lengths, this.days, this.outcomes, this.entries, this.ups, this.downs]) column.length = 0;
    this.latestByText.clear();
    this.byDay.clear();
    this.citedByDay.clear();
    for (const listener of this.resetListeners) listener();
  }

  /** The last `days` days up to `now` (UTC), oldest first, every day present. */
  daily(days: number, now: number = Date.now()): DayCounts[] {
    const today = dayNumber(now);
    const result: DayCounts[] = [];
    for (let day = today - days + 1; day <= today; day++) {
      const counts = this.byDay.get(day);
      result.push({
        day: dayLabel(day),
        answered: counts?.[0] ?? 0,
        abstained: counts?.[1] ?? 0,
        refused: counts?.[2] ?? 0,
        up: counts?.[3] ?? 0,
        down: counts?.[4] ?? 0,
      });
    }
    return result;
  }

  /** Times each source was cited by a question of the last `days` days. */
  citations(days: number, now: number = Date.now()): Map<string, number> {
    const today = dayNumber(now);
    const totals = new Map<string, number>();
    for (let day = today - days + 1; day <= today; day++) {
      for (const [source, count] of this.citedByDay.get(day) ?? []) totals.set(source, (totals.get(source) ?? 0) + count);
    }
    return totals;
  }

  private matches(index: number, filter: QuestionFilter): boolean {
    if (filter.outcome !== undefined && OUTCOMES[this.outcomes.get(index)] !== filter.outcome) return false;
    if (filter.entry !== undefined && ENTRIES[this.entries.get(index)] !== filter.entry) return false;
    if (filter.vote === 'down' && this.downs.get(index) === 0) return false;
    if (filter.vote === 'up' && this.ups.get(index) === 0) return false;
    return true;
  }

  /** One page of the questions that match, newest first, and how many match in all. Reads only that page's lines. */
  async page(filter: QuestionFilter, page: number, perPage: number): Promise<{ total: number; records: QuestionRecord[] }> {
    const wanted: number[] = [];
    const skip = (page - 1) * perPage;
    let total = 0;
    for (let index = this.offsets.length - 1; index >= 0; index--) {
      if (!this.matches(index, filter)) continue;
      if (total >= skip && wanted.length < perPage) wanted.push(index);
      total += 1;
    }
    return { total, records: await this.readRecords(wanted) };
  }

  /** Question number `id` (1-based), or null when the log has none such (or its line changed since it was read). */
  async get(id: number): Promise<QuestionRecord | null> {
    if (!Number.isInteger(id) || id < 1 || id > this.offsets.length) return null;
    const [record] = await this.readRecords([id - 1]);
    return record ?? null;
  }

  private async readRecords(indexes: readonly number[]): Promise<QuestionRecord[]> {
    if (indexes.length === 0) return [];
    const handle = await open(this.file, 'r');
    try {
      const records: QuestionRecord[] = [];
      for (const index of indexes) {
        const buffer = Buffer.alloc(this.lengths.get(index));
        await handle.read(buffer, 0, buffer.length, this.offsets.get(index));
        const parsed = questionLine.safeParse(safeJson(buffer.toString('utf8')));
        if (!parsed.success) continue;
        const line = parsed.data;
        records.push({
          id: index + 1,
          at: line.at,
          entry: ENTRY_OF_VIA[line.via],
          channel: line.channel ?? null,
          question: line.question,
          outcome: outcomeOfLine(line),
          sources: line.sources,
          collections: line.collections ?? null,
          ms: line.ms ?? null,
          up: this.ups.get(index),
          down: this.downs.get(index),
        });
      }
      return records;
    } finally {
      await handle.close();
    }
  }
}

function outcomeOfLine(line: QuestionLine): QuestionOutcome {
  return line.outcome ?? (line.answered ? 'answered' : 'abstained');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
