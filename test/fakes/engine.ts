/**
 * A hand-written AnswerEngine over plain data, for the few tests whose point is a behaviour of the
 * bot that the real engine cannot be made to show: a handler that throws, a slow answer, passages
 * longer than Discord's limits, markdown and mentions inside quoted text. It records its calls.
 */
import type {
  Answer,
  AnswerEngine,
  AskOptions,
  CollectionSummary,
  ConversationTurn,
  DocumentSummary,
  IngestReport,
  Passage,
  Quote,
  Timeline,
} from '../../src/core/types.js';

export interface ScriptedEngineOptions {
  /** What `ask` returns (or throws); defaults to one quote built from the first passage. */
  readonly answer?: (question: string) => Answer | Promise<Answer>;
  readonly passages?: readonly Passage[];
  readonly documents?: readonly DocumentSummary[];
  /** Delay before `ask`/`search` resolve. */
  readonly delayMs?: number;
}

export class ScriptedEngine implements AnswerEngine {
  readonly calls: { method: string; argument: string; earlier?: readonly ConversationTurn[] }[] = [];
  constructor(private readonly options: ScriptedEngineOptions = {}) {}

  private async pause(): Promise<void> {
    if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
  }

  async ask(question: string, options: AskOptions = {}): Promise<Answer> {
    this.calls.push({ method: 'ask', argument: question, ...(options.earlier?.length ? { earlier: options.earlier } : {}) });
    await this.pause();
    if (this.options.answer) return this.options.answer(question);
    const passages = this.options.passages ?? [passage()];
    return answerFrom(question, passages);
  }

  async search(query: string, limit: number): Promise<readonly Passage[]> {
    this.calls.push({ method: 'search', argument: query });
    await this.pause();
    return (this.options.passages ?? [passage()]).slice(0, limit);
  }

  /** The passages as timeline entries: dated ones oldest first, undated ones apart. */
  async timeline(topic: string, limit: number): Promise<Timeline> {
    this.calls.push({ method: 'timeline', argument: topic });
    await this.pause();
    const entries = (this.options.passages ?? [passage()]).slice(0, limit);
    return {
      topic,
      dated: entries.filter((entry) => entry.date !== null).sort((left, right) => (left.date ?? '').localeCompare(right.date ?? '')),
      undated: entries.filter((entry) => entry.date === null),
      abstainReason: entries.length > 0 ? null : 'weak-evidence',
      timings: { embedMs: 0, searchMs: 0, totalMs: 0 },
    };
  }

  documents(): readonly DocumentSummary[] {
    return this.options.documents ?? [];
  }

  collections(): readonly CollectionSummary[] {
    const documents = this.options.documents ?? [];
    return documents.length === 0 ? [] : [{ name: 'default', documents: documents.length }];
  }

  builtAt(): string {
    return '2026-01-01T00:00:00.000Z';
  }

  async reindex(): Promise<IngestReport> {
    return {
      rebuilt: false,
      reason: 'up to date',
      added: [],
      changed: [],
      removed: [],
      skipped: [],
      documents: 0,
      chunks: 0,
      builtAt: this.builtAt(),
      durationMs: 0,
    };
  }
}

/** A passage with defaults. */
export function passage(fields: Partial<Passage> = {}): Passage {
  const text = fields.text ?? 'Vietnam and China signed dozens of cooperation agreements.';
  return {
    source: 'doc.txt',
    title: 'A document',
    date: '2025-04-14',
    paragraph: 1,
    chunkId: 'doc.txt#p1.0',
    start: 0,
    end: text.length,
    text,
    score: 0.5,
    ...fields,
  };
}

/** An answered Answer quoting each passage whole, each corroborated by the given citations. */
export function answerFrom(question: string, passages: readonly Passage[], alsoIn: Quote['alsoIn'] = []): Answer {
  return {
    question,
    answered: passages.length > 0,
    quotes: passages.map((item) => ({ ...item, alsoIn })),
    passages,
    abstainReason: passages.length > 0 ? null : 'weak-evidence',
    timings: { embedMs: 0, searchMs: 0, totalMs: 0 },
  };
}
