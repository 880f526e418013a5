import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ExplainedAnswer } from '../answer/engine.js';
import type { Answer, CorpusDocument } from '../core/types.js';

/** A conversation set's lines also name their `thread` (lines of a thread in order) and whether the line is a `followUp`. */
const inConversation = { thread: z.string().min(1).optional(), followUp: z.boolean().optional() };

const questionSchema = z.discriminatedUnion('kind', [
  z.object({
    id: z.string(),
    kind: z.literal('answerable'),
    question: z.string(),
    answer: z.string().min(1),
    sources: z.array(z.string()).min(1),
    ...inConversation,
  }),
  z.object({ id: z.string(), kind: z.literal('unanswerable'), question: z.string(), ...inConversation }),
]);

export type EvalQuestion = z.infer<typeof questionSchema>;

export async function readQuestions(file: string): Promise<EvalQuestion[]> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim());
  return lines.map((line, index) => {
    const parsed = questionSchema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${file}:${index + 1}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
    return parsed.data;
  });
}

export interface QuestionOutcome {
  readonly question: EvalQuestion;
  readonly answer: Answer;
  /** Answerable only: rank (1-based) of the first passage holding the answer from an accepted source, or null. */
  readonly passageRank: number | null;
  readonly firstQuoteHolds: boolean;
  /** The first quote is verbatim at its cited offsets, inside the cited paragraph, in an accepted source. */
  readonly citationCorrect: boolean;
}

/** Which part of a conversation set a line is: a thread's first question, a follow-up, or a later question that starts afresh. */
export type TurnKind = 'first' | 'follow-up' | 'fresh';

/** The lines of a conversation set in thread order (a thread's lines keep their order; threads in order of first appearance). */
export function threadsOf(questions: readonly EvalQuestion[]): EvalQuestion[][] {
  const threads = new Map<string, EvalQuestion[]>();
  for (const question of questions) {
    const thread = threads.get(question.thread ?? question.id) ?? [];
    thread.push(question);
    threads.set(question.thread ?? question.id, thread);
  }
  return [...threads.values()];
}

export function turnKindOf(question: EvalQuestion, position: number): TurnKind {
  if (question.followUp === true) return 'follow-up';
  return position === 0 ? 'first' : 'fresh';
}

/**
 * A conversation set's report per kind of turn, and how the later turns were read: follow-ups
 * should be read as such (`answer.followUp`), a later question that starts afresh should not.
 */
export function renderConversationReport(outcomes: readonly { outcome: QuestionOutcome; kind: TurnKind }[]): string {
  const of = (kind: TurnKind) => outcomes.filter((entry) => entry.kind === kind);
  const readAsFollowUp = (entries: readonly { outcome: QuestionOutcome }[]) =>
    `${entries.filter((entry) => entry.outcome.answer.followUp !== undefined).length} of ${entries.length}`;
  const section = (title: string, kind: TurnKind) => {
    const entries = of(kind);
    return entries.length === 0 ? [] : [`== ${title}`, renderReport(summarise(entries.map((entry) => entry.outcome)))];
  };
  return [
    `threads: ${new Set(outcomes.map((entry) => entry.outcome.question.thread)).size}, turns: ${outcomes.length}`,
    '== all turns',
    renderReport(summarise(outcomes.map((entry) => entry.outcome))),
    ...section('first turns', 'first'),
    ...section('follow-ups', 'follow-up'),
    `read as follow-ups                        ${readAsFollowUp(of('follow-up'))}`,
    ...section('later questions that start afresh', 'fresh'),
    ...(of('fresh').length > 0 ? [`read as follow-ups (should be none)        ${readAsFollowUp(of('fresh'))}`] : []),
  ].join('\n');
}

export interface EvalReport {
  readonly answerable: number;
  readonly unanswerable: number;
  readonly hitAt1: number;
  readonly hitAt3: number;
  readonly firstQuoteHolds: number;
  readonly citationAccuracy: number;
  readonly answeredRate: number;
  readonly abstainRate: number;
  readonly latency: { p50: number; p95: number; max: number };
}

const folded = (text: string) => text.normalize('NFC');

/** Judge one answer against its expected answer and sources. */
export function judge(question: EvalQuestion, answer: Answer, documents: ReadonlyMap<string, CorpusDocument>): QuestionOutcome {
  if (question.kind === 'unanswerable') return { question, answer, passageRank: null, firstQuoteHolds: false, citationCorrect: false };
  const expected = folded(question.answer);
  const accepted = new Set(question.sources);
  const index = answer.passages.findIndex((passage) => accepted.has(passage.source) && folded(passage.text).includes(expected));
  const quote = answer.quotes[0];
  const quoteHolds = !!quote && folded(quote.text).includes(expected);
  const document = quote ? documents.get(quote.source) : undefined;
  const paragraph = document?.paragraphs.find((candidate) => candidate.number === quote?.paragraph);
  const citationCorrect =
    !!quote &&
    !!document &&
    !!paragraph &&
    accepted.has(quote.source) &&
    document.raw.slice(quote.start, quote.end) === quote.text &&
    quote.start >= paragraph.start &&
    quote.end <= paragraph.end;
  return { question, answer, passageRank: index >= 0 ? index + 1 : null, firstQuoteHolds: quoteHolds, citationCorrect };
}

function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0;
}

export function summarise(outcomes: readonly QuestionOutcome[]): EvalReport {
  const answerable = outcomes.filter((outcome) => outcome.question.kind === 'answerable');
  const unanswerable = outcomes.filter((outcome) => outcome.question.kind === 'unanswerable');
  const share = (items: readonly QuestionOutcome[], test: (outcome: QuestionOutcome) => boolean) =>
    items.length ? items.filter(test).length / items.length : 0;
  const latencies = outcomes.map((outcome) => outcome.answer.timings.totalMs).sort((left, right) => left - right);
  return {
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    hitAt1: share(answerable, (outcome) => outcome.passageRank === 1),
    hitAt3: share(answerable, (outcome) => outcome.passageRank !== null && outcome.passageRank <= 3),
    firstQuoteHolds: share(answerable, (outcome) => outcome.firstQuoteHolds),
    citationAccuracy: share(answerable, (outcome) => outcome.citationCorrect),
    answeredRate: share(answerable, (outcome) => outcome.answer.answered),
    abstainRate: share(unanswerable, (outcome) => !outcome.answer.answered),
    latency: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), max: latencies.at(-1) ?? 0 },
  };
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

export function renderReport(report: EvalReport): string {
  return [
    `questions: ${report.answerable} answerable, ${report.unanswerable} unanswerable`,
    `hit@1 (top passage holds the answer)      ${percent(report.hitAt1)}`,
    `hit@3                                     ${percent(report.hitAt3)}`,
    `first quote holds the answer              ${percent(report.firstQuoteHolds)}`,
    `citation accuracy (file, ¶, verbatim)     ${percent(report.citationAccuracy)}`,
    `answered (answerable questions)           ${percent(report.answeredRate)}`,
    `abstained (unanswerable questions)        ${percent(report.abstainRate)}`,
    `latency per question p50 / p95 / max      ${report.latency.p50.toFixed(2)} / ${report.latency.p95.toFixed(2)} / ${report.latency.max.toFixed(2)} ms`,
  ].join('\n');
}

/** Per-question debugging view for `eval --explain`: verdict, fused candidates, sentence scores. */
export function describeOutcome(explained: ExplainedAnswer, outcome: QuestionOutcome): string {
  const { question } = outcome;
  const verdict =
    question.kind === 'answerable'
      ? `expects "${question.answer}" from ${question.sources.join(', ')} → passage rank ${outcome.passageRank ?? '-'}, ` +
        `first quote ${outcome.firstQuoteHolds ? 'holds it' : 'MISSES'}, citation ${outcome.citationCorrect ? 'ok' : 'WRONG'}, ` +
        `${outcome.answer.answered ? 'answered' : 'ABSTAINED'}`
      : `unanswerable → ${outcome.answer.answered ? 'ANSWERED (should abstain)' : 'abstained'}`;
  const candidates = explained.candidates
    .slice(0, 5)
    .map(
      (candidate) =>
        `    ${candidate.chunkId}  fused ${candidate.score.toFixed(3)}  bm25/best ${candidate.lexical.toFixed(3)}  cos ${candidate.dense.toFixed(3)}`,
    );
  const sentences = (explained.decision?.ranked ?? [])
    .slice(0, 3)
    .map(
      (sentence) =>
        `    ${sentence.score.toFixed(3)} (coverage ${sentence.features.coverage.toFixed(2)}, context +${sentence.features.context.toFixed(2)}, ` +
        `cos ${sentence.features.similarity.toFixed(2)}, passage ${sentence.features.passage.toFixed(2)}, cue ${sentence.features.wantsCue ? (sentence.features.cue ? 'y' : 'MISSING') : '-'}, ` +
        `focus ${sentence.features.focus.toFixed(2)}, predicate ${sentence.features.predicate.toFixed(2)}, topic ${sentence.features.topic.toFixed(2)}` +
        `${'relevance' in sentence && typeof sentence.relevance === 'number' ? `, relevance ${sentence.relevance.toFixed(3)}` : ''}) ` +
        `${sentence.passage.chunkId}: ${sentence.text.slice(0, 110)}`,
    );
  const quotes = outcome.answer.quotes.map(
    (quote) =>
      `    ${quote.source} ¶${quote.paragraph} (${quote.date ?? 'undated'})` +
      `${quote.alsoIn.length ? `; also in ${quote.alsoIn.map((citation) => `${citation.source} ¶${citation.paragraph}`).join(', ')}` : ''}` +
      `${quote.conflicts?.length ? `; DISAGREES ${quote.conflicts.map((conflict) => `${conflict.source} ¶${conflict.paragraph} (${conflict.date ?? 'undated'})`).join(', ')}` : ''}`,
  );
  return [
    `[${question.id}] ${question.question}`,
    ...(outcome.answer.followUp === undefined
      ? []
      : [`  read as: ${outcome.answer.readAs ?? `${question.question} (about: ${outcome.answer.followUp.about ?? '-'})`}`]),
    `  ${verdict}; evidence ${(explained.decision?.evidence ?? 0).toFixed(3)}`,
    ...(quotes.length ? ['  quotes:', ...quotes] : []),
    '  candidates:',
    ...candidates,
    '  sentences:',
    ...sentences,
  ].join('\n');
}
