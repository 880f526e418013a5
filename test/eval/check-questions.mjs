// Validate test/eval/questions.jsonl against the seed articles.
//
//   node --import tsx test/eval/check-questions.mjs [--strict] [--questions FILE] [--seeds DIR]
//
// Errors (exit 1): a line that does not parse, a bad or duplicate id, a bad kind or field,
// too few questions, a source file that does not exist, or an `answer` that does not occur
// verbatim inside one quotable sentence (headings excluded) of every listed source.
//
// Warnings (printed for review; exit 1 only with --strict): an answerable question whose
// answer string also occurs in a sentence of a seed file NOT listed in `sources`, either
// exactly or loosely (ignoring case, diacritics and curly/straight quotes). Each such hit must
// be looked at: either add the file to `sources` or record why it does not answer the question
// in REVIEWED below. Stale REVIEWED entries are warned about too.
//
// Runs with tsx (`node --import tsx test/eval/check-questions.mjs`) to use the bot's own
// paragraph, heading and sentence code.

import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitSentences } from '../../src/text/sentences.js';
import { isHeading, parseDocument } from '../../src/corpus/metadata.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');

const MIN_ANSWERABLE = 45;
const MIN_UNANSWERABLE = 15;
const KINDS = new Set(['answerable', 'unanswerable']);
const ANSWERABLE_KEYS = new Set(['id', 'question', 'answer', 'sources', 'kind']);
const UNANSWERABLE_KEYS = new Set(['id', 'question', 'kind']);

/**
 * Cross-file hits that were reviewed by hand and do NOT answer the question.
 * Shape: { [questionId]: { [seedFile]: 'why this file is not a source' } }.
 */
const REVIEWED = {
  'f-a41': {
    '000_7bb7f1e19a806c78.txt': 'loose hit on "may" (the modal verb): 000 never dates the research ship\'s intrusion',
  },
  a37: {
    '004_f87e3345d6d88ebb.txt':
      'loose hit on "Pham Minh Chinh" (no diacritics): 004 is about his earlier push for the Kunming–Haiphong railway and never mentions the Dalian talks with Li Qiang',
  },
  a62: {
    '002_21a587edf0f19edc.txt':
      'loose hit on "Phạm Minh Chính" in the Dalian dateline sentence (customs and border gates); 002 never mentions the Kunming railway',
  },
  'd-a36': {
    '000_7bb7f1e19a806c78.txt':
      'loose hit on "may" (the verb: "concessions … may also irritate Beijing"), not the month of the survey ship',
  },
  'c-a36': {
    '000_7bb7f1e19a806c78.txt':
      'loose hit on "may" (the verb: "concessions … may also irritate Beijing"), not the month of the survey ship',
  },
};

// ---------------------------------------------------------------------------
// Arguments

const args = process.argv.slice(2);
const strict = args.includes('--strict');
function option(name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? path.resolve(args[i + 1]) : fallback;
}
const QUESTIONS = option('--questions', path.join(HERE, 'questions.jsonl'));
const SEEDS = option('--seeds', path.join(ROOT, 'seeds'));

// ---------------------------------------------------------------------------
// Seed parsing: the bot's own code, so "occurs in a sentence" means the same here as in answers.

/** Quotable sentences of a seed: headings are never quoted, so they never count. */
function quotableSentences(raw) {
  return parseDocument('seed', raw.replace(/^\uFEFF/, ''))
    .paragraphs.filter((paragraph) => !isHeading(paragraph.text))
    .flatMap((paragraph) => splitSentences(paragraph.text).map((sentence) => sentence.text));
}

/** Lowercase, strip diacritics, straighten quotes and dashes, squeeze spaces. */
function loose(text) {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[‘’ʼ]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[–—]/g, '-')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/\s+/gu, ' ')
    .toLowerCase();
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Loose whole-word match: "may" must not match "Malaysia", "12" must not match "120". */
function looseContains(sentence, answer) {
  const needle = loose(answer);
  const re = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(needle)}(?![\\p{L}\\p{N}])`, 'u');
  return re.test(loose(sentence));
}

// ---------------------------------------------------------------------------
// Load

const errors = [];
const warnings = [];
const reviewedNotes = [];

const seedFiles = readdirSync(SEEDS)
  .filter((f) => /\.(txt|md)$/i.test(f))
  .sort();
const seeds = new Map(seedFiles.map((f) => [f, quotableSentences(readFileSync(path.join(SEEDS, f), 'utf8'))]));
if (seedFiles.length === 0) errors.push(`no seed files in ${SEEDS}`);

if (!existsSync(QUESTIONS)) {
  console.error(`ERROR: ${QUESTIONS} does not exist`);
  process.exit(1);
}
const lines = readFileSync(QUESTIONS, 'utf8').split('\n');
const items = [];
lines.forEach((line, i) => {
  if (!line.trim()) {
    if (i !== lines.length - 1) errors.push(`line ${i + 1}: blank line`);
    return;
  }
  try {
    const value = JSON.parse(line);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      errors.push(`line ${i + 1}: not a JSON object`);
    } else {
      items.push({ ...value, __line: i + 1 });
    }
  } catch (error) {
    errors.push(`line ${i + 1}: does not parse: ${error.message}`);
  }
});

// ---------------------------------------------------------------------------
// Field checks

const ids = new Set();
const questionTexts = new Map();
const perSourceCount = new Map(seedFiles.map((f) => [f, 0]));
let answerable = 0;
let unanswerable = 0;

for (const item of items) {
  const where = `line ${item.__line}${typeof item.id === 'string' ? ` (${item.id})` : ''}`;
  const raw = { ...item };
  delete raw.__line;

  // A second set prefixes its ids with its letter ("b-a01"), so ids stay unique across sets.
  if (typeof item.id !== 'string' || !/^(?:[a-z]-)?[au]\d{2,}$/.test(item.id)) {
    errors.push(`${where}: id must look like "a01" or "u01" (or "b-a01" in a second set)`);
  } else if (ids.has(item.id)) {
    errors.push(`${where}: duplicate id`);
  } else {
    ids.add(item.id);
  }

  if (!KINDS.has(item.kind)) {
    errors.push(`${where}: kind must be "answerable" or "unanswerable", got ${JSON.stringify(item.kind)}`);
    continue;
  }
  const prefix = item.kind === 'answerable' ? 'a' : 'u';
  if (typeof item.id === 'string' && !item.id.replace(/^[a-z]-/, '').startsWith(prefix)) {
    errors.push(`${where}: ${item.kind} ids start with "${prefix}"`);
  }

  if (typeof item.question !== 'string' || item.question.trim() === '') {
    errors.push(`${where}: question must be a non-empty string`);
  } else {
    const key = loose(item.question)
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
    if (questionTexts.has(key)) errors.push(`${where}: same question as ${questionTexts.get(key)}`);
    else questionTexts.set(key, item.id);
  }

  const allowed = item.kind === 'answerable' ? ANSWERABLE_KEYS : UNANSWERABLE_KEYS;
  for (const k of Object.keys(raw)) {
    if (!allowed.has(k)) errors.push(`${where}: unexpected field "${k}" for an ${item.kind} question`);
  }

  if (item.kind === 'unanswerable') {
    unanswerable++;
    continue;
  }
  answerable++;

  if (typeof item.answer !== 'string' || item.answer.trim() === '') {
    errors.push(`${where}: answer must be a non-empty string`);
    continue;
  }
  if (item.answer !== item.answer.trim()) errors.push(`${where}: answer has leading/trailing whitespace`);
  if (!Array.isArray(item.sources) || item.sources.length === 0 || !item.sources.every((s) => typeof s === 'string')) {
    errors.push(`${where}: sources must be a non-empty array of seed file names`);
    continue;
  }
  if (new Set(item.sources).size !== item.sources.length) errors.push(`${where}: duplicate entry in sources`);

  if (typeof item.question === 'string' && looseContains(item.question, item.answer)) {
    warnings.push(`${where}: the question itself contains the answer ${JSON.stringify(item.answer)}`);
  }

  // The answer must sit verbatim inside one quotable sentence of every listed source.
  for (const source of item.sources) {
    const sentences = seeds.get(source);
    if (!sentences) {
      errors.push(`${where}: source ${source} is not a seed file`);
      continue;
    }
    perSourceCount.set(source, perSourceCount.get(source) + 1);
    if (!sentences.some((s) => s.includes(item.answer))) {
      const rawText = readFileSync(path.join(SEEDS, source), 'utf8');
      const hint = rawText.includes(item.answer)
        ? ' (it is in the file, but only in a heading, the date line, or across a sentence break)'
        : sentences.some((s) => looseContains(s, item.answer))
          ? ' (only a loose match: check case, diacritics, curly quotes)'
          : '';
      errors.push(`${where}: answer ${JSON.stringify(item.answer)} is not verbatim in a sentence of ${source}${hint}`);
    }
  }

  // Other seed files that may state the same fact.
  const reviewed = REVIEWED[item.id] ?? {};
  for (const file of seedFiles) {
    if (item.sources.includes(file)) continue;
    const sentences = seeds.get(file);
    const exact = sentences.filter((s) => s.includes(item.answer));
    const looseHits = sentences.filter((s) => !s.includes(item.answer) && looseContains(s, item.answer));
    const hits = [...exact.map((s) => ['exact', s]), ...looseHits.map((s) => ['loose', s])];
    if (hits.length === 0) continue;
    const detail = hits.map(([how, s]) => `      [${how}] ${s.length > 220 ? `${s.slice(0, 217)}...` : s}`).join('\n');
    if (reviewed[file]) {
      reviewedNotes.push(`${item.id}: ${file} not listed: ${reviewed[file]}`);
    } else {
      warnings.push(
        `${where}: answer ${JSON.stringify(item.answer)} also occurs in unlisted ${file}; add it to sources or record why not in REVIEWED:\n${detail}`,
      );
    }
  }
  for (const file of Object.keys(reviewed)) {
    const sentences = seeds.get(file) ?? [];
    const stillHits = !item.sources.includes(file) && sentences.some((s) => looseContains(s, item.answer) || s.includes(item.answer));
    if (!stillHits) warnings.push(`${where}: stale REVIEWED entry for ${file} (no longer matches); remove it`);
  }
}
// REVIEWED ids are unique across sets ("a37", "b-a12"): only this set's own can be unknown.
const setPrefix = (id) => (/^[a-z]-/.test(id) ? id.slice(0, 2) : '');
const ownSets = new Set([...ids].map(setPrefix));
for (const id of Object.keys(REVIEWED)) {
  if (ownSets.has(setPrefix(id)) && !ids.has(id)) warnings.push(`REVIEWED has an entry for unknown id ${id}; remove it`);
}

if (answerable < MIN_ANSWERABLE) errors.push(`only ${answerable} answerable questions, need at least ${MIN_ANSWERABLE}`);
if (unanswerable < MIN_UNANSWERABLE) errors.push(`only ${unanswerable} unanswerable questions, need at least ${MIN_UNANSWERABLE}`);
for (const [file, n] of perSourceCount) {
  if (n === 0) errors.push(`no answerable question cites ${file}`);
}

// ---------------------------------------------------------------------------
// Report

console.log(`questions: ${items.length} (${answerable} answerable, ${unanswerable} unanswerable)`);
console.log('answerable questions citing each seed:');
for (const [file, n] of perSourceCount) console.log(`  ${file}: ${n}`);
const multi = items.filter((i) => i.kind === 'answerable' && Array.isArray(i.sources) && i.sources.length > 1).length;
console.log(`answerable questions with more than one source: ${multi}`);
if (reviewedNotes.length) {
  console.log(`\nreviewed cross-file hits (${reviewedNotes.length}):`);
  for (const n of reviewedNotes) console.log(`  ${n}`);
}
if (warnings.length) {
  console.log(`\nWARNINGS (${warnings.length}):`);
  for (const w of warnings) console.log(`  ${w}`);
}
if (errors.length) {
  console.log(`\nERRORS (${errors.length}):`);
  for (const e of errors) console.log(`  ${e}`);
}
const failed = errors.length > 0 || (strict && warnings.length > 0);
console.log(`\n${failed ? 'FAIL' : 'OK'}: ${errors.length} error(s), ${warnings.length} unreviewed warning(s)`);
process.exit(failed ? 1 : 0);
