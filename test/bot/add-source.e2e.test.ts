/**
 * End to end: `/add-source` and `/remove-source` through the real discord.js client against the
 * fake Discord, which serves the attachments on 127.0.0.1; the real engine (real model, real
 * index) over a temp copy of seeds/. Checks the files on disk, the answers, the audit and the replies.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/answer/engine.js';
import { AUDIT_FILE, type AuditEntry } from '../../src/bot/corpus-changes.js';
import { createLogger } from '../../src/core/log.js';
import type { AnswerEngine, AskOptions, IngestReport, ScopeOptions } from '../../src/core/types.js';
import { MAX_SOURCE_BYTES } from '../../src/corpus/source-file.js';
import type { FakeAttachment } from '../fakes/discord-server.js';
import { corpusState as corpusStateOf } from '../support/corpus-state.js';
import { createRealEngine, createWorkspace, startTestBot, useRealBot } from './harness.js';

/**
 * The real engine, with a switch that makes its next reindex fail (a full disk, a crash in the
 * model): the one failure the real engine cannot be made to show on demand. It records reindexes.
 */
class EngineWithFailingReindex implements AnswerEngine {
  reindexes = 0;
  private failure: Error | null = null;
  constructor(private readonly engine: AnswerEngine) {}

  failNextReindex(error: Error): void {
    this.failure = error;
  }
  ask(question: string, options?: AskOptions) {
    return this.engine.ask(question, options);
  }
  search(query: string, limit: number, options?: ScopeOptions) {
    return this.engine.search(query, limit, options);
  }
  timeline(topic: string, limit: number, options?: ScopeOptions) {
    return this.engine.timeline(topic, limit, options);
  }
  documents(options?: ScopeOptions) {
    return this.engine.documents(options);
  }
  collections() {
    return this.engine.collections();
  }
  builtAt() {
    return this.engine.builtAt();
  }
  async reindex(): Promise<IngestReport> {
    this.reindexes += 1;
    const failure = this.failure;
    this.failure = null;
    if (failure !== null) throw failure;
    return this.engine.reindex();
  }
}

const LIGHTHOUSE = `# Volunteers restore the Lake Varnu lighthouse

 date 2026-03-02 VARNU: Volunteers on Lake Varnu finished restoring the 1887 lighthouse on Saturday, after three winters of work.

The keeper, Marta Ilvessalo, said the crew replaced 412 cracked glass panes and rebuilt the brass lantern by hand.

"We wanted the ships to see the old light again," Ilvessalo said.
`;
const LIGHTHOUSE_QUESTION = 'How many glass panes did the volunteers replace in the Lake Varnu lighthouse?';

const ORCHARD = `# Orchard growers count a record pear harvest

 date 2026-09-14 TARTU: Growers in the Tartu orchards picked 9,300 tonnes of pears this autumn, a record for the region.

The growers' union said a mild spring and new frost nets explained the harvest.
`;
const ORCHARD_QUESTION = 'How many tonnes of pears did the Tartu growers pick?';

let real: AnswerEngine;
let engine: EngineWithFailingReindex;
/** The engine's log: what each reindex embedded and reused. */
const engineLogs: string[] = [];
const bot = useRealBot({
  engine: async (workspace) => {
    real = await createEngine(workspace.config, createLogger('info', { write: (line) => engineLogs.push(line) }));
    engine = new EngineWithFailingReindex(real);
    return engine;
  },
});

/** Every file under the corpus folder with its sha256. */
const corpusState = () => corpusStateOf(bot.workspace.corpusDir);

async function auditEntries(): Promise<AuditEntry[]> {
  const text = await readFile(path.join(bot.harness.config.dataDir, AUDIT_FILE), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as AuditEntry);
}

/** Run `/add-source` as a manager (or as `user`) and return its (private) reply. */
async function addSource(
  file: FakeAttachment,
  options: { collection?: string; replace?: boolean; admin?: boolean } = {},
): Promise<{ ephemeral: boolean; content: string }> {
  const { fake } = bot.harness;
  const interaction = fake.slashCommand(
    'add-source',
    {
      file,
      ...(options.collection === undefined ? {} : { collection: options.collection }),
      ...(options.replace === undefined ? {} : { replace: options.replace }),
    },
    { admin: options.admin ?? true },
  );
  const reply = await fake.reply(interaction, 60_000);
  return { ephemeral: reply.ephemeral, content: reply.data.content ?? '' };
}

async function removeSource(name: string, options: { admin?: boolean } = {}): Promise<{ ephemeral: boolean; content: string }> {
  const { fake } = bot.harness;
  const interaction = fake.slashCommand('remove-source', { name }, { admin: options.admin ?? true });
  const reply = await fake.reply(interaction, 60_000);
  return { ephemeral: reply.ephemeral, content: reply.data.content ?? '' };
}

/** The files an answer cites. */
async function citedFiles(question: string): Promise<string[]> {
  const answer = await real.ask(question);
  return answer.quotes.map((quote) => quote.source);
}

/** `/ask` through Discord: the answer embed's text. */
async function askThroughDiscord(question: string): Promise<string> {
  const interaction = bot.harness.fake.slashCommand('ask', { question });
  const reply = await bot.harness.fake.reply(interaction, 60_000);
  const [embed] = reply.data.embeds;
  return `${embed.description ?? ''}\n${(embed.fields ?? []).map((field: { value: string }) => field.value).join('\n')}`;
}

describe('registration', () => {
  it('registers /add-source and /remove-source for managers only, with their options', async () => {
    const put = await bot.harness.fake.waitForRequest((request) => request.method === 'PUT');
    const add = put.body.find((command: any) => command.name === 'add-source');
    const remove = put.body.find((command: any) => command.name === 'remove-source');
    expect(add.default_member_permissions).toBe('32'); // Manage Server
    expect(remove.default_member_permissions).toBe('32');
    expect(add.options.map((option: any) => [option.name, option.type, option.required ?? false, option.autocomplete ?? false])).toEqual([
      ['file', 11, false, false],
      ['url', 3, false, false],
      ['collection', 3, false, true],
      ['replace', 5, false, false],
    ]);
    expect(remove.options.map((option: any) => [option.name, option.type, option.required ?? false, option.autocomplete ?? false])).toEqual(
      [['name', 3, true, true]],
    );
  });
});

describe('/add-source', () => {
  it('suggests the collections as `collection:` is typed, and a valid new name as a new collection', async () => {
    const { fake } = bot.harness;
    const suggest = async (typed: string) => (await fake.callback(fake.autocomplete('add-source', 'collection', typed))).body.data.choices;
    expect(await suggest('')).toEqual([{ name: 'default (5 documents)', value: 'default' }]);
    expect(await suggest('de')).toEqual([
      { name: 'default (5 documents)', value: 'default' },
      { name: 'de (new collection)', value: 'de' },
    ]);
    expect(await suggest('default')).toEqual([{ name: 'default (5 documents)', value: 'default' }]);
    expect(await suggest('Field-Notes')).toEqual([{ name: 'field-notes (new collection)', value: 'field-notes' }]);
    expect(await suggest('../up')).toEqual([]);
  });

  it('saves a manager’s .md file under its sanitised name, indexes it, and the next question is answered from it', async () => {
    expect(await citedFiles(LIGHTHOUSE_QUESTION)).not.toContain('lake-varnu-lighthouse.md');
    const before = await corpusState();
    const file = bot.harness.fake.attachment('Lake Varnu Lighthouse.md', LIGHTHOUSE, { contentType: 'text/markdown; charset=utf-8' });
    const reply = await addSource(file);
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(
      /^Added `lake-varnu-lighthouse\.md` \(sent as `Lake Varnu Lighthouse\.md`\) in collection `default`: \*\*Volunteers restore the Lake Varnu lighthouse\*\* \(2026-03-02\)\.\n\d+ chunks, [\d,]+ characters; indexed in [\d.]+ s \([\d.]+ s in all\)\. 6 sources now/,
    );
    // On disk: exactly the bytes sent, under the sanitised name, and nothing else new (no temp file).
    const after = await corpusState();
    const sha256 = createHash('sha256').update(LIGHTHOUSE).digest('hex');
    expect(after).toEqual({ ...before, 'lake-varnu-lighthouse.md': sha256 });

    // Incremental: only the new document's chunks were embedded, the seeds' were reused.
    const added = real.documents().find((document) => document.file === 'lake-varnu-lighthouse.md');
    const lastIndexed = engineLogs
      .map((line) => /^Indexed (\d+) chunks \((\d+) embedded, (\d+) reused\)/.exec(line))
      .filter((match) => match !== null)
      .at(-1);
    const [total, embedded, reused] = (lastIndexed?.slice(1) ?? []).map(Number);
    expect(embedded).toBe(added?.chunks);
    expect(reused).toBe((total ?? 0) - (embedded ?? 0));
    expect(reused).toBeGreaterThan(0);

    const answer = await askThroughDiscord(LIGHTHOUSE_QUESTION);
    expect(answer).toContain('412 cracked glass panes');
    expect(answer).toContain('`lake-varnu-lighthouse.md`');

    const [entry] = (await auditEntries()).filter((line) => line.document === 'lake-varnu-lighthouse.md');
    expect(entry).toMatchObject({
      type: 'add-source',
      user: { id: bot.harness.fake.alice.id, tag: 'alice' },
      guild: bot.harness.fake.guildId,
      channel: bot.harness.fake.channelId,
      collection: 'default',
      name: 'lake-varnu-lighthouse.md',
      bytes: Buffer.byteLength(LIGHTHOUSE),
      sha256,
      replaced: false,
    });
    expect(Number.isNaN(Date.parse(entry?.at ?? ''))).toBe(false);
    expect(bot.harness.logs.some((line) => line.startsWith('audit {') && line.includes(sha256) && line.includes('"add-source"'))).toBe(
      true,
    );
  });

  it('refuses a member without Manage Server, without downloading anything', async () => {
    const before = await corpusState();
    const file = bot.harness.fake.attachment('orchard.md', ORCHARD);
    const reply = await addSource(file, { admin: false });
    expect(reply).toEqual({ ephemeral: true, content: 'Only members with the Manage Server permission can add sources.' });
    expect(bot.harness.fake.downloaded(file)).toBe(false);
    expect(await corpusState()).toEqual(before);
  });

  const badFiles: [string, () => FakeAttachment, RegExp, { downloads: boolean }][] = [
    [
      'a wrong extension',
      () => bot.harness.fake.attachment('report.docx', 'PK text'),
      /^`report\.docx` is not a \.txt, \.md, \.html or \.pdf file/,
      { downloads: false },
    ],
    [
      'a content type that is not text',
      () => bot.harness.fake.attachment('photo.txt', 'text', { contentType: 'image/png' }),
      /^`photo\.txt` is image\/png, not text/,
      { downloads: false },
    ],
    [
      'a declared size over 1 MB',
      () => bot.harness.fake.attachment('big.txt', 'small', { size: 3 * MAX_SOURCE_BYTES }),
      /^`big\.txt` is 3 MB; the limit is 1 MB\./,
      { downloads: false },
    ],
    [
      'more bytes than declared, with a Content-Length',
      () => bot.harness.fake.attachment('liar.txt', 'a'.repeat(MAX_SOURCE_BYTES + 10), { size: 100 }),
      /^`liar\.txt` is larger than 1 MB\./,
      { downloads: true },
    ],
    [
      'more bytes than declared, without a Content-Length',
      () => bot.harness.fake.attachment('streamed.txt', 'a'.repeat(2 * MAX_SOURCE_BYTES), { size: 100, chunked: true }),
      /^`streamed\.txt` is larger than 1 MB\./,
      { downloads: true },
    ],
    [
      'Latin-1 text',
      () => bot.harness.fake.attachment('latin.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b])),
      /^`latin\.txt` is not valid UTF-8 text: save it as UTF-8\./,
      { downloads: true },
    ],
    [
      'UTF-16 text',
      () => bot.harness.fake.attachment('wide.txt', new Uint8Array([0xff, 0xfe, 0x48, 0x00, 0x69, 0x00])),
      /^`wide\.txt` is UTF-16 text: save it as UTF-8/,
      { downloads: true },
    ],
    ['an empty file', () => bot.harness.fake.attachment('empty.md', ''), /^`empty\.md` is empty\./, { downloads: true }],
    [
      'only blank space',
      () => bot.harness.fake.attachment('blank.md', '  \n\n\t \n'),
      /^`blank\.md` has only blank space/,
      { downloads: true },
    ],
    [
      'a path in the name',
      () => bot.harness.fake.attachment('../../escape.md', LIGHTHOUSE),
      /^`\.\.\/\.\.\/escape\.md` has a path in its name/,
      { downloads: false },
    ],
    ['a hidden file', () => bot.harness.fake.attachment('.env.md', 'TOKEN=x'), /^`\.env\.md` starts with a dot/, { downloads: false }],
  ];

  it.each(badFiles)('refuses %s privately and changes nothing', async (_, make, reason, { downloads }) => {
    const before = await corpusState();
    const documents = real.documents().length;
    const file = make();
    const reply = await addSource(file);
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(reason);
    expect(reply.content).toMatch(/Nothing was changed\.$/);
    expect(bot.harness.fake.downloaded(file)).toBe(downloads);
    expect(await corpusState()).toEqual(before);
    expect(real.documents()).toHaveLength(documents);
  });

  it.each([
    ['with', false],
    ['without', true],
  ])('stops downloading a file larger than 1 MB %s a Content-Length, and keeps nothing', async (_, chunked) => {
    const before = await corpusState();
    const size = 48 * MAX_SOURCE_BYTES;
    const file = bot.harness.fake.attachment('huge.txt', 'a'.repeat(size), { size: 100, chunked });
    const reply = await addSource(file);
    expect(reply.content).toBe('`huge.txt` is larger than 1 MB. Nothing was changed.');
    // Cut short: only what socket buffers took before the bot closed the connection was sent, not the 48 MB.
    expect(bot.harness.fake.sentBytes(file)).toBeLessThan(size / 2);
    expect(await corpusState()).toEqual(before);
  });

  it('refuses a collection name that is not one, before downloading', async () => {
    const before = await corpusState();
    const file = bot.harness.fake.attachment('orchard.md', ORCHARD);
    const reply = await addSource(file, { collection: '../Up' });
    expect(reply.content).toMatch(
      /^`\.\.\/Up` is not a collection name: use lowercase letters, digits, - and _ \(starting with a letter or digit\), 1–32 characters\. Nothing was changed\.$/,
    );
    expect(bot.harness.fake.downloaded(file)).toBe(false);
    expect(await corpusState()).toEqual(before);
  });

  it('says so privately when the download fails', async () => {
    const before = await corpusState();
    const served = bot.harness.fake.attachment('gone.md', ORCHARD);
    const reply = await addSource({ ...served, url: `${served.url}-expired` });
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(/^Could not download the file from Discord \(HTTP 404\); try again\. Nothing was changed\.$/);
    expect(await corpusState()).toEqual(before);
  });

  it('refuses an existing name without replace:true, and replaces it with replace:true', async () => {
    const first = await addSource(bot.harness.fake.attachment('orchard.md', ORCHARD));
    expect(first.content).toMatch(/^Added `orchard\.md` in collection `default`/);
    expect(await citedFiles(ORCHARD_QUESTION)).toContain('orchard.md');

    const revised = ORCHARD.replace('9,300 tonnes', '9,800 tonnes');
    const before = await corpusState();
    const refused = await addSource(bot.harness.fake.attachment('Orchard.md', revised), { replace: false });
    expect(refused).toEqual({
      ephemeral: true,
      content: '`orchard.md` is already a source: add it with `replace:true` to replace it. Nothing was changed.',
    });
    expect(await corpusState()).toEqual(before);

    const replaced = await addSource(bot.harness.fake.attachment('orchard.md', revised), { replace: true });
    expect(replaced.content).toMatch(/^Replaced `orchard\.md` in collection `default`/);
    expect(await readFile(path.join(bot.workspace.corpusDir, 'orchard.md'), 'utf8')).toBe(revised);
    const answer = await askThroughDiscord(ORCHARD_QUESTION);
    expect(answer).toContain('9,800 tonnes');
    expect(answer).not.toContain('9,300 tonnes');
    const entries = (await auditEntries()).filter((entry) => entry.document === 'orchard.md');
    expect(entries.map((entry) => [entry.type, entry.replaced])).toEqual([
      ['add-source', false],
      ['add-source', true],
    ]);
  });

  it('adds two files sent at the same moment, one after the other, both indexed', async () => {
    const before = await corpusState();
    const [one, two] = await Promise.all([
      addSource(bot.harness.fake.attachment('first-note.txt', 'The first note says the ferry to Saaremaa left at dawn.\n')),
      addSource(bot.harness.fake.attachment('second-note.txt', 'The second note says the bridge at Pärnu opened in May.\n')),
    ]);
    expect(one.content).toMatch(/^Added `first-note\.txt`/);
    expect(two.content).toMatch(/^Added `second-note\.txt`/);
    const files = real.documents().map((document) => document.file);
    expect(files).toEqual(expect.arrayContaining(['first-note.txt', 'second-note.txt']));
    expect(Object.keys(await corpusState()).sort()).toEqual([...Object.keys(before), 'first-note.txt', 'second-note.txt'].sort());
  });

  it('adds a file while a /reindex runs: one waits for the other, and the file is indexed', async () => {
    const reindex = bot.harness.fake.slashCommand('reindex', {}, { admin: true });
    const added = addSource(bot.harness.fake.attachment('third-note.md', 'The third note says the tram to Kadriorg runs at night.\n'));
    const rebuilt = await bot.harness.fake.reply(reindex, 60_000);
    expect(rebuilt.data.embeds[0].title).toMatch(/^Index (rebuilt|already up to date)$/);
    expect((await added).content).toMatch(/^Added `third-note\.md`/);
    expect(real.documents().map((document) => document.file)).toContain('third-note.md');
  });

  it('puts the folder back as it was when indexing fails: a new file is taken out, a replaced one restored', async () => {
    const before = await corpusState();
    const documents = real.documents();

    engine.failNextReindex(new Error('no space left on device'));
    const added = await addSource(bot.harness.fake.attachment('doomed.md', ORCHARD.replace('pears', 'plums')));
    expect(added).toEqual({ ephemeral: true, content: 'Indexing failed: no space left on device. Nothing was changed.' });
    expect(await corpusState()).toEqual(before);

    engine.failNextReindex(new Error('the model crashed'));
    const replaced = await addSource(bot.harness.fake.attachment('orchard.md', 'Nothing about pears any more.\n'), { replace: true });
    expect(replaced.content).toBe('Indexing failed: the model crashed. Nothing was changed.');
    expect(await corpusState()).toEqual(before);
    expect(real.documents()).toEqual(documents);
    expect(bot.harness.logs.some((line) => line.startsWith('[error] adding orchard.md: indexing failed'))).toBe(true);
  });
});

describe('/remove-source', () => {
  it('suggests the documents', async () => {
    const interaction = bot.harness.fake.autocomplete('remove-source', 'name', 'orchard');
    const callback = await bot.harness.fake.callback(interaction);
    expect(callback.body.type).toBe(8);
    expect(callback.body.data.choices.map((choice: { value: string }) => choice.value)).toEqual(['orchard.md']);
  });

  it('refuses a member without Manage Server, and a name that is not a document', async () => {
    const before = await corpusState();
    expect(await removeSource('orchard.md', { admin: false })).toEqual({
      ephemeral: true,
      content: 'Only members with the Manage Server permission can remove sources.',
    });
    expect(await removeSource('orch')).toEqual({
      ephemeral: true,
      content: '`orch` is not a source: pick one from the suggestions, or see /sources. Nothing was changed.',
    });
    expect(await removeSource('../seeds/000_7bb7f1e19a806c78.txt')).toMatchObject({ content: expect.stringMatching(/is not a source/) });
    expect(await corpusState()).toEqual(before);
  });

  it('puts the file back when indexing fails', async () => {
    const before = await corpusState();
    engine.failNextReindex(new Error('disk full'));
    expect(await removeSource('orchard.md')).toEqual({ ephemeral: true, content: 'Indexing failed: disk full. Nothing was changed.' });
    expect(await corpusState()).toEqual(before);
    expect(await citedFiles(ORCHARD_QUESTION)).toContain('orchard.md');
  });

  it('removes a document: gone from the folder, the index and the answers, and audited', async () => {
    const sha256 = createHash('sha256')
      .update(await readFile(path.join(bot.workspace.corpusDir, 'lake-varnu-lighthouse.md')))
      .digest('hex');
    const reply = await removeSource('lake-varnu-lighthouse.md');
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(
      /^Removed `lake-varnu-lighthouse\.md` from collection `default`: \*\*Volunteers restore the Lake Varnu lighthouse\*\*\. \d+ sources remain/,
    );
    expect(Object.keys(await corpusState())).not.toContain('lake-varnu-lighthouse.md');
    expect(real.documents().map((document) => document.file)).not.toContain('lake-varnu-lighthouse.md');
    const answer = await askThroughDiscord(LIGHTHOUSE_QUESTION);
    expect(answer).not.toContain('lake-varnu-lighthouse.md');
    expect(answer).not.toContain('412 cracked glass panes');
    const [entry] = (await auditEntries()).filter((line) => line.type === 'remove-source');
    expect(entry).toMatchObject({
      type: 'remove-source',
      user: { id: bot.harness.fake.alice.id, tag: 'alice' },
      document: 'lake-varnu-lighthouse.md',
      collection: 'default',
      bytes: Buffer.byteLength(LIGHTHOUSE),
      sha256,
    });
  });
});

describe('the last document', () => {
  it('is never removed: the index needs at least one', async () => {
    const single = await createWorkspace();
    for (const file of await readdir(single.corpusDir))
      if (file !== '000_7bb7f1e19a806c78.txt') await rm(path.join(single.corpusDir, file));
    const singleEngine = await createRealEngine(single);
    const singleBot = await startTestBot({ workspace: single, engine: singleEngine });
    try {
      const interaction = singleBot.fake.slashCommand('remove-source', { name: '000_7bb7f1e19a806c78.txt' }, { admin: true });
      const reply = await singleBot.fake.reply(interaction, 60_000);
      expect(reply.ephemeral).toBe(true);
      expect(reply.data.content).toBe(
        '`000_7bb7f1e19a806c78.txt` is the only source: I need at least one to answer from. Nothing was changed.',
      );
      expect(await readdir(single.corpusDir)).toEqual(['000_7bb7f1e19a806c78.txt']);
    } finally {
      await singleBot.close();
      await single.remove();
    }
  });
});

// Sub-folders of CORPUS_DIR are collections: a source added to one is indexed as `<collection>/<name>`.
describe('collections other than default', () => {
  it('adds a file to CORPUS_DIR/<collection>/ as document <collection>/<name>, answers from it, and removes it', async () => {
    const before = await corpusState();
    const reply = await addSource(bot.harness.fake.attachment('Harbour Log.md', LIGHTHOUSE), { collection: 'archive' });
    expect(reply.content).toMatch(/^Added `archive\/harbour-log\.md` \(sent as `Harbour Log\.md`\) in collection `archive`/);
    expect(await corpusState()).toEqual({ ...before, 'archive/harbour-log.md': createHash('sha256').update(LIGHTHOUSE).digest('hex') });
    expect(await askThroughDiscord(LIGHTHOUSE_QUESTION)).toContain('`archive/harbour-log.md`');
    const [entry] = (await auditEntries()).filter((line) => line.document === 'archive/harbour-log.md');
    expect(entry).toMatchObject({ collection: 'archive', name: 'harbour-log.md' });

    const refused = await addSource(bot.harness.fake.attachment('harbour-log.md', 'Other text.\n'), { collection: 'archive' });
    expect(refused.content).toMatch(/^`archive\/harbour-log\.md` is already a source/);

    const removed = await removeSource('archive/harbour-log.md');
    expect(removed.content).toMatch(/^Removed `archive\/harbour-log\.md` from collection `archive`/);
    expect(Object.keys(await corpusState())).not.toContain('archive/harbour-log.md');
    expect(await askThroughDiscord(LIGHTHOUSE_QUESTION)).not.toContain('archive/harbour-log.md');
  });

  it('keeps the same name apart in two collections', async () => {
    await addSource(bot.harness.fake.attachment('notes.md', ORCHARD), { collection: 'farming' });
    await addSource(bot.harness.fake.attachment('notes.md', LIGHTHOUSE), { collection: 'archive' });
    const files = real.documents().map((document) => document.file);
    expect(files).toEqual(expect.arrayContaining(['farming/notes.md', 'archive/notes.md']));
  });
});
