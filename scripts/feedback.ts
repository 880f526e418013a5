/**
 * `npm run feedback`: summarise the question and feedback log (`<DATA_DIR>/feedback.jsonl`).
 * Pass `--json` for machine-readable output.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FEEDBACK_FILE, formatFeedbackSummary, parseFeedback, summariseFeedback } from '../src/bot/feedback.js';
import { loadConfigOrExit } from '../src/startup.js';

const { config } = loadConfigOrExit();
const file = path.join(config.dataDir, FEEDBACK_FILE);
let text: string;
try {
  text = await readFile(file, 'utf8');
} catch {
  process.stdout.write(`No feedback yet (${file} does not exist). It fills as people ask the bot and press 👍 / 👎.\n`);
  process.exit(0);
}
const { entries, malformed } = parseFeedback(text);
const summary = summariseFeedback(entries, malformed);
process.stdout.write(process.argv.includes('--json') ? `${JSON.stringify(summary, null, 2)}\n` : `${formatFeedbackSummary(summary)}\n`);
