/**
 * The channel scope store (`DATA_DIR/scopes.json`) with real files in a temp folder, and the pure
 * parts of `/scope` (reading a comma list, suggestions, what `show` says).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectionChoices, describeScope, parseCollectionList, refusalOfList } from '../../src/bot/commands/scope.js';
import { SCOPES_FILE, ScopeStore } from '../../src/bot/scopes.js';
import { createLogger } from '../../src/core/log.js';

const CHANNEL = '111111111111111111';
const OTHER = '222222222222222222';
const THREAD = '333333333333333333';

let dataDir: string;
let lines: string[];
const log = () => createLogger('debug', { write: (line) => lines.push(line) });

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scopes-'));
  lines = [];
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('ScopeStore', () => {
  it("two stores on one file (two shards) keep each other's changes, made at the same time", async () => {
    const first = await ScopeStore.open(dataDir, log());
    const second = await ScopeStore.open(dataDir, log());
    const channels = Array.from({ length: 10 }, (_, index) => `4${String(index).padStart(17, '0')}`);
    await Promise.all(
      channels.flatMap((channel, index) => [first.set(`${channel}1`, [`a${index}`]), second.set(`${channel}2`, [`b${index}`])]),
    );
    await first.clear(`${channels[0]}2`); // the other store's channel: cleared from the file as saved
    const saved = JSON.parse(await readFile(path.join(dataDir, SCOPES_FILE), 'utf8'));
    expect(Object.keys(saved.channels)).toHaveLength(19);
    expect(saved.channels[`${channels[9]}2`]).toEqual(['b9']);
    expect(saved.channels[`${channels[0]}2`]).toBeUndefined();
    expect((await ScopeStore.open(dataDir, log())).scopeOf({ channelId: `${channels[3]}1`, threadParentId: null })).toEqual({
      collections: ['a3'],
    });
    expect(await readdir(dataDir)).toEqual([SCOPES_FILE]); // no lock or temp file left
  });

  it('starts with no scope when there is no file, and a thread follows its parent channel', async () => {
    const store = await ScopeStore.open(dataDir, log());
    expect(store.scopeOf({ channelId: CHANNEL, threadParentId: null })).toEqual({});
    await store.set(CHANNEL, ['news', 'blogs', 'news']);
    expect(store.scopeOf({ channelId: CHANNEL, threadParentId: null })).toEqual({ collections: ['news', 'blogs'] });
    expect(store.scopeOf({ channelId: THREAD, threadParentId: CHANNEL })).toEqual({ collections: ['news', 'blogs'] });
    expect(store.scopeOf({ channelId: OTHER, threadParentId: null })).toEqual({});
    expect(store.scopeOf({ channelId: null, threadParentId: null })).toEqual({});
    expect(lines).toEqual([]);
  });

  it('saves every change, and a new store on the same folder (a restart) reads it', async () => {
    const store = await ScopeStore.open(dataDir, log());
    await store.set(CHANNEL, ['news']);
    await store.set(OTHER, ['blogs']);
    expect(await store.clear(OTHER)).toBe(true);
    expect(await store.clear(OTHER)).toBe(false);
    expect(JSON.parse(await readFile(path.join(dataDir, SCOPES_FILE), 'utf8'))).toEqual({ version: 1, channels: { [CHANNEL]: ['news'] } });
    const restarted = await ScopeStore.open(dataDir, log());
    expect(restarted.scopeOf({ channelId: CHANNEL, threadParentId: null })).toEqual({ collections: ['news'] });
    expect(restarted.scopeOf({ channelId: OTHER, threadParentId: null })).toEqual({});
  });

  it('writes through a temp file renamed into place: no temp file is left, and changes made at once are all kept', async () => {
    const store = await ScopeStore.open(path.join(dataDir, 'new', 'folder'), log());
    await Promise.all([store.set(CHANNEL, ['a']), store.set(OTHER, ['b']), store.set(THREAD, ['c'])]);
    expect(await readdir(path.join(dataDir, 'new', 'folder'))).toEqual([SCOPES_FILE]);
    const restarted = await ScopeStore.open(path.join(dataDir, 'new', 'folder'), log());
    expect([CHANNEL, OTHER, THREAD].map((channelId) => restarted.scopeOf({ channelId, threadParentId: null }).collections)).toEqual([
      ['a'],
      ['b'],
      ['c'],
    ]);
  });

  it('a failed write changes nothing, in memory or on disk, and leaves no temp file', async () => {
    const store = await ScopeStore.open(dataDir, log());
    await store.set(CHANNEL, ['news']);
    const before = await readFile(path.join(dataDir, SCOPES_FILE), 'utf8');
    // The file replaced by a folder: renaming the temp file over it fails.
    await rm(path.join(dataDir, SCOPES_FILE));
    await mkdir(path.join(dataDir, SCOPES_FILE));
    await expect(store.set(CHANNEL, ['blogs'])).rejects.toThrow();
    expect(store.scopeOf({ channelId: CHANNEL, threadParentId: null })).toEqual({ collections: ['news'] });
    expect(await readdir(dataDir)).toEqual([SCOPES_FILE]);
    // The next change still runs once the file can be written.
    await rm(path.join(dataDir, SCOPES_FILE), { recursive: true });
    await store.set(OTHER, ['blogs']);
    expect(JSON.parse(await readFile(path.join(dataDir, SCOPES_FILE), 'utf8')).channels).toEqual({
      ...JSON.parse(before).channels,
      [OTHER]: ['blogs'],
    });
  });

  it.each([
    ['not JSON', '{"version": 1, "channels": {', /not JSON/],
    ['the wrong shape', '{"version": 1, "channels": {"111111111111111111": "news"}}', /channels\.111111111111111111: /],
    ['an empty scope', '{"version": 1, "channels": {"111111111111111111": []}}', /channels\.111111111111111111: /],
    ['another version', '{"version": 2, "channels": {}}', /version: /],
  ])('sets a damaged file (%s) aside, logs why, and runs unscoped', async (_, damaged, why) => {
    await writeFile(path.join(dataDir, SCOPES_FILE), damaged);
    const store = await ScopeStore.open(dataDir, log());
    expect(store.scopeOf({ channelId: CHANNEL, threadParentId: null })).toEqual({});
    const files = await readdir(dataDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^scopes\.json\.damaged-/);
    expect(await readFile(path.join(dataDir, files[0] as string), 'utf8')).toBe(damaged);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/error/i);
    expect(lines[0]).toMatch(why);
    expect(lines[0]).toContain('it was moved to');
    // Setting a scope again writes a new file beside the damaged one, which stays.
    await store.set(CHANNEL, ['news']);
    expect((await readdir(dataDir)).sort()).toEqual([SCOPES_FILE, files[0]].sort());
  });
});

describe('/scope pieces', () => {
  const known = [
    { name: 'blogs', documents: 3 },
    { name: 'default', documents: 5 },
    { name: 'news', documents: 1 },
  ];

  it('reads a comma list: trimmed, lowercased, each name once', () => {
    expect(parseCollectionList(' News, blogs,,news ,')).toEqual(['news', 'blogs']);
    expect(parseCollectionList('  ')).toEqual([]);
  });

  it('refuses unknown collections, naming the known ones', () => {
    expect(refusalOfList(['news'], known)).toBeNull();
    expect(refusalOfList(['news', 'gone'], known)).toBe(
      '**gone** is not a collection of the corpus. Known collections (documents): **blogs** (3), **default** (5), **news** (1).',
    );
    expect(refusalOfList([], known)).toMatch(/^Name at least one collection/);
  });

  it('suggests the next name of a comma list', () => {
    expect(collectionChoices(known, '').map((choice) => choice.value)).toEqual(['blogs', 'default', 'news']);
    expect(collectionChoices(known, 'news, b')).toEqual([{ name: 'news, blogs (3 documents)', value: 'news, blogs' }]);
    expect(collectionChoices(known, 'news,').map((choice) => choice.value)).toEqual(['news, blogs', 'news, default']);
  });

  it('shows the scope, and says when a collection of it is gone', () => {
    expect(describeScope(undefined, known, 'Here')).toBe(
      'Here answers from every collection (no scope is set). Collections (documents): **blogs** (3), **default** (5), **news** (1).',
    );
    expect(describeScope(['news', 'gone'], known, 'Here').split('\n').slice(0, 2)).toEqual([
      'Here answers only from: **news**, **gone**.',
      '⚠ **gone** no longer exists in the corpus: I answer from **news**.',
    ]);
    expect(describeScope(['gone'], known, 'Here')).toContain('None of these collections exists in the corpus any more');
  });
});
