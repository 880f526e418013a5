import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/engine.js';
import { renderAnswerText } from '../../src/render/text.js';
import { STATIC_MODEL } from '../../src/config.js';
import { silentLogger } from '../../src/core/log.js';
import { createWorkspace, type Workspace } from '../support/workspace.js';

let project: Workspace;
let engine: Engine;
/** The GloVe fallback, whose ranking leans on the WordNet rules (the sentence model outweighs them on some questions). */
let fallbackProject: Workspace;
let fallback: Engine;

beforeAll(async () => {
  project = await createWorkspace();
  engine = await createEngine(project.config, silentLogger, { mode: 'ingest' });
  // The seed index is the sentence model's: the fallback builds its own.
  fallbackProject = await createWorkspace({ index: 'none' });
  fallback = await createEngine(fallbackProject.configWith({ EMBEDDING_MODEL: STATIC_MODEL }), silentLogger, { mode: 'ingest' });
});

afterAll(async () => {
  await project?.remove();
  await fallbackProject?.remove();
});

const TARIFF_FILES = ['000_7bb7f1e19a806c78.txt', '001_77b7f39d73393a4f.txt'];

describe('answers over the seeds', () => {
  it('cites both articles that state the 145% duties, the newest as the headline', async () => {
    const answer = await engine.ask('What tariff did the US impose on Chinese goods?');
    expect(answer.answered).toBe(true);
    const quote = answer.quotes[0];
    expect(quote?.text).toContain('145%');
    expect(quote?.source).toBe('000_7bb7f1e19a806c78.txt');
    expect(quote?.date).toBe('2025-04-14');
    expect([quote?.source, ...(quote?.alsoIn ?? []).map((citation) => citation.source)].sort()).toEqual(TARIFF_FILES);
    expect(renderAnswerText(answer)).toContain('2 sources agree');
  });

  it('shows both accounts of Xi’s visits, each with its date, when the articles disagree', async () => {
    const answer = await engine.ask("Was Xi's visit to Vietnam his first since 2017?");
    expect(answer.answered).toBe(true);
    const quote = answer.quotes[0];
    const texts = [quote?.text ?? '', ...(quote?.conflicts ?? []).map((conflict) => conflict.text)];
    expect(texts.some((text) => text.includes('first visit to Vietnam since 2017'))).toBe(true);
    expect(texts.some((text) => text.includes('his second in less than 18 months'))).toBe(true);
    const rendered = renderAnswerText(answer);
    expect(rendered).toContain('2025-04-14');
    expect(rendered).toContain('sources disagree');
  });

  it('finds the passage a question words with a synonym the articles never use ("raise" ties → "elevated" relations)', async () => {
    const passages = await engine.search(
      "which US president's visit saw vietnam raise ties with america to the same level as china in sept 2023?",
      3,
    );
    expect(passages[0]?.text).toContain('Vietnam elevated relations with the US to the same level');
  });

  it('with the fallback model, quotes the sentence naming a kind of what a "which" question asks for ("which produce" → durian)', async () => {
    const answer = await fallback.ask('which vietnamese produce did chinh ask china to fast-track market access for');
    expect(answer.answered).toBe(true);
    expect(answer.quotes[0]?.text).toContain('frozen durian and fresh coconut');
  });

  it('with the fallback model, ranks first the passage naming a kind of the thing asked for ("what type of railways" → standard gauge)', async () => {
    const answer = await fallback.ask("What type of railways did Vietnam's PM push to speed up at the Dalian meeting?");
    expect(answer.passages[0]?.text).toContain('standard gauge railways');
    expect(answer.quotes[0]?.text).toContain(
      'proposed accelerating transport infrastructure connections, particularly standard gauge railways',
    );
  });

  it('prefers the article of the year the question names', async () => {
    const answer = await engine.ask('What did Xi write in the Nhan Dan newspaper article in 2023?');
    expect(answer.answered).toBe(true);
    expect(answer.quotes[0]?.date).toBe('2023-12-12');
    expect(answer.passages[0]?.date).toBe('2023-12-12');
  });

  it.each([
    'how do I reverse a linked list in python',
    'how old is To Lam?',
    'Where was Li Qiang born?',
    "what's the population of dalian",
  ])('says the sources don’t say for "%s", with the closest passages', async (question) => {
    const answer = await engine.ask(question);
    expect(answer.answered).toBe(false);
    expect(answer.abstainReason).toBe('weak-evidence');
    expect(answer.quotes).toEqual([]);
    expect(renderAnswerText(answer)).toContain("The sources don't say.");
  });

  it('gives the same answer when asked again (per-snapshot caches change no result)', async () => {
    const questions = [
      'What tariff did the US impose on Chinese goods?',
      'whats the goal of the cross-border rail connectivity plan',
      'how old is To Lam?',
    ];
    const first = [];
    for (const question of questions) first.push(await engine.ask(question));
    for (const [index, question] of questions.entries()) {
      const again = await engine.ask(question);
      expect({ ...again, timings: null }).toEqual({ ...first[index], timings: null });
    }
  });

  it.each(['more info pls', 'hello', 'ok thanks'])('gives "%s" the help reply: no quote, no passages', async (message) => {
    const answer = await engine.ask(message);
    expect(answer).toMatchObject({ answered: false, abstainReason: 'small-talk', quotes: [], passages: [] });
    expect(renderAnswerText(answer)).toContain('Ask me a question');
  });

  it('answers empty questions with a hint, not a quote', async () => {
    const answer = await engine.ask('   ?? ');
    expect(answer.answered).toBe(false);
    expect(answer.abstainReason).toBe('empty-question');
  });

  it('quotes verbatim: every quote, corroboration and conflict is its file’s text at its offsets, inside the cited paragraph', async () => {
    const documents = new Map((await engine.corpusDocuments()).map((document) => [document.file, document]));
    const questions = [
      'What tariff did the US impose on Chinese goods?',
      "Was Xi's visit to Vietnam his first since 2017?",
      'How much did Vietnam import from China in Q1 2025?',
      'where did li qiang and vietnam’s prime minister hold their talks',
      'when was the spratley islands skirmish between china and vietnam',
      'rare earths railway which port',
    ];
    let checked = 0;
    for (const question of questions) {
      const answer = await engine.ask(question);
      for (const quote of answer.quotes) {
        const cited = [{ ...quote }, ...quote.alsoIn.map((citation) => ({ ...citation, text: null })), ...(quote.conflicts ?? [])];
        for (const citation of cited) {
          const document = documents.get(citation.source);
          const paragraph = document?.paragraphs.find((candidate) => candidate.number === citation.paragraph);
          expect(document, citation.source).toBeDefined();
          expect(paragraph, `${citation.source} ¶${citation.paragraph}`).toBeDefined();
          expect(citation.start).toBeGreaterThanOrEqual(paragraph?.start ?? Infinity);
          expect(citation.end).toBeLessThanOrEqual(paragraph?.end ?? -1);
          if (citation.text !== null) expect(document?.raw.slice(citation.start, citation.end)).toBe(citation.text);
          expect(citation.date).toBe(document?.date);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(questions.length);
  });
});
