/**
 * Documents of every format through the real engine (the real model, real hnswlib): a PDF with a
 * running header and a sentence across a page break, a Markdown guide and a news page. Quotes come
 * from prose only and carry where they stand: section, page, the page's title, date and address;
 * JSON offsets point into the source file; Discord shows inline marks.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/engine.js';
import { silentLogger } from '../../src/core/log.js';
import { renderAnswer } from '../../src/render/discord.js';
import { answerToJson } from '../../src/render/json.js';
import { renderAnswerText } from '../../src/render/text.js';
import { FIXTURES, MARKDOWN, PAGE } from '../support/documents-corpus.js';
import { createWorkspace, type Workspace } from '../support/workspace.js';

let project: Workspace;
let engine: Engine;

beforeAll(async () => {
  project = await createWorkspace({ documents: { 'guide.md': MARKDOWN, 'ferry.html': PAGE } });
  for (const file of ['report.pdf', 'scanned.pdf']) await copyFile(path.join(FIXTURES, file), path.join(project.corpusDir, file));
  await writeFile(path.join(project.corpusDir, 'notes.txt'), 'Notes\n\nThe slipway is closed on Mondays for repairs.\n');
  engine = await createEngine(project.config, silentLogger);
});
afterAll(() => project?.remove());

describe('documents of every format', () => {
  it('lists the readable documents with their own titles and dates, and skips the scan', () => {
    const documents = engine.documents();
    expect(documents.map((document) => document.file).sort()).toEqual(['ferry.html', 'guide.md', 'notes.txt', 'report.pdf']);
    expect(documents.find((document) => document.file === 'ferry.html')).toMatchObject({
      title: 'Ferry timetable changes',
      date: '2024-03-09',
    });
    expect(documents.find((document) => document.file === 'guide.md')).toMatchObject({ title: 'Harbour guide', date: '2024-05-02' });
  });

  it('remembers the scan it could not read: an unchanged corpus stays current, the scan still listed as skipped', async () => {
    const report = await engine.reindex();
    expect(report.rebuilt).toBe(false);
    expect(report.skipped).toContainEqual({ file: 'scanned.pdf', reason: expect.stringMatching(/no text layer/) });
  });

  it('quotes a PDF with its page and section, never its running header', async () => {
    const answer = await engine.ask('How many boats were moored on the busiest day?');
    const quote = answer.quotes[0];
    expect(quote).toMatchObject({ source: 'report.pdf', page: 1, section: 'Findings' });
    expect(quote?.text).toContain('412 boats');
    expect(renderAnswerText(answer)).toMatch(/report\.pdf › Findings p\. 1/);
    expect(answerToJson(answer).quotes[0]).toMatchObject({ page: 1, section: 'Findings' });
  });

  it('keeps a sentence that runs over a page break whole', async () => {
    const answer = await engine.ask('Did the retired ferry captain ever miss a morning?');
    expect(answer.quotes[0]?.text).toMatch(/retired ferry captain .* without a break, rain or shine\.$/);
    expect(answer.quotes[0]?.page).toBe(1);
  });

  it('never quotes code, and cites a Markdown section with offsets into the file and its marks', async () => {
    const answer = await engine.ask('Which pontoon are the visitor berths on?');
    const quote = answer.quotes[0];
    expect(quote).toMatchObject({ source: 'guide.md', section: 'Berths', text: 'Visitor berths are on pontoon C.' });
    const json = answerToJson(answer).quotes[0];
    expect(MARKDOWN.slice(json?.start, json?.end)).toBe('Visitor berths are on pontoon **C**.');
    expect(renderAnswer(answer, { builtAt: engine.builtAt(), now: new Date() }).description).toContain(
      'Visitor berths are on pontoon **C**.',
    );
    const booking = await engine.ask('How do I book berth C12 from the command line?');
    for (const cited of booking.quotes) expect(cited.text).not.toContain('harbour --book');
  });

  it('shows the code example under the quote when the question asks how, clearly as code and never as the quote', async () => {
    const answer = await engine.ask('How do I book a berth ahead for a long boat?');
    const quote = answer.quotes[0];
    expect(quote?.text).toBe('Boats longer than twelve metres book their berth ahead with the harbour tool.');
    expect(quote?.example?.text).toBe('harbour --book C12 # Books a berth.');
    expect(renderAnswerText(answer)).toContain('tool.” [1]\n    harbour --book C12 # Books a berth.');
    expect(renderAnswer(answer, { builtAt: engine.builtAt(), now: new Date() }).description).toContain(
      '```\nharbour --book C12 # Books a berth.\n```',
    );
    const example = answerToJson(answer).quotes[0]?.example;
    expect(MARKDOWN.slice(example?.start, example?.end)).toBe('harbour --book C12 # Books a berth.');
    // Asked what, not how: the quote alone.
    const what = await engine.ask('Which boats book their berth ahead?');
    expect(what.quotes[0]?.example).toBeUndefined();
  });

  it('says the documents never mention a name the question writes as code or an acronym, instead of quoting near it', async () => {
    const answer = await engine.ask('Can I pay the berth fee with ApplePay?');
    expect(answer).toMatchObject({ answered: false, unknownNames: ['ApplePay'] });
    expect(renderAnswerText(answer)).toContain('They never mention “ApplePay”.');
    expect(answerToJson(answer)).toMatchObject({ answered: false, unknownNames: ['ApplePay'] });
    // Named as the documents write it, the same question is answered from the table.
    const known = await engine.ask('How much is the visitor berth fee a night?');
    expect(known.quotes[0]?.text).toContain('30 a night');
  });

  it('quotes a news page from its article, cited with the page title, date and address', async () => {
    const answer = await engine.ask('How often will the island ferry run from April?');
    expect(answer.quotes[0]).toMatchObject({
      source: 'ferry.html',
      title: 'Ferry timetable changes',
      date: '2024-03-09',
      url: 'https://news.example/ferry',
    });
    expect(answer.quotes[0]?.text).toContain('every forty minutes');
    const chrome = await engine.search('Subscribe newsletter privacy policy contact newsroom', 5);
    for (const passage of chrome) expect(passage.text).not.toMatch(/All rights reserved|World news/);
  });
});
