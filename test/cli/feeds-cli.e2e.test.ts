/** `npm run feeds -- add | list | remove | poll` as the compiled program, against feeds and pages on a loopback server. */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeWeb, newsPage, rssFeed } from '../fakes/web-server.js';
import { type Run, runProgram } from '../support/run-program.js';
import { createWorkspace, MODEL_CACHE_DIR, PROJECT_DIR, type Workspace } from '../support/workspace.js';

let project: Workspace;
let web: FakeWeb;
let environment: NodeJS.ProcessEnv;

function feeds(args: string[]): Promise<Run> {
  return runProgram(process.execPath, ['dist/cli.js', 'feeds', ...args], { cwd: PROJECT_DIR, env: environment });
}

beforeAll(async () => {
  project = await createWorkspace({
    documents: { 'harbour.txt': 'Harbour news\n\nThe harbour opened a new pier on Monday for the summer boats.\n' },
  });
  web = await FakeWeb.start();
  const { DISCORD_TOKEN: _token, ...rest } = process.env;
  environment = {
    ...rest,
    CORPUS_DIR: project.corpusDir,
    INDEX_DIR: project.indexDir,
    MODEL_DIR: MODEL_CACHE_DIR,
    DATA_DIR: path.join(project.dir, 'data'),
    SOURCE_FETCH_ALLOW_PRIVATE: 'true',
    LOG_LEVEL: 'warn',
  };
});
afterAll(async () => {
  await web?.stop();
  await project?.remove();
});

describe('npm run feeds', () => {
  it('adds a feed, polls it once (its new article indexed), lists and removes it', async () => {
    const article = web.serve('/2026/12/pier-opens', {
      body: newsPage({
        headline: 'A second pier opens',
        date: '2026-12-06',
        paragraphs: ['The second pier of Varnu harbour opened with berths for 14 boats.'],
      }),
    });
    const feedUrl = web.serve('/rss.xml', {
      type: 'application/rss+xml',
      body: rssFeed([{ title: 'Pier', link: article, date: new Date() }]),
      etag: '"r1"',
    });
    const added = await feeds(['add', feedUrl, '--collection', 'news']);
    expect(added.stdout).toContain('Added feed 127-0-0-1-rss (1 items now) into news');
    const polled = await feeds(['poll']);
    expect(polled.stdout).toBe('127-0-0-1-rss: polled, 1 added, 0 skipped\n');
    expect(await readdir(path.join(project.corpusDir, 'news'))).toEqual(['pier-opens.html']);
    const again = await feeds(['poll']);
    expect(again.stdout).toBe('127-0-0-1-rss: not-modified, 0 added, 0 skipped\n');
    expect((await feeds(['list'])).stdout).toContain(`127-0-0-1-rss\tnews\t${feedUrl}`);
    // A malformed feed is logged and skipped: the feed keeps its last good state (ETag, items seen).
    const saved = async () => JSON.parse(await readFile(path.join(project.dir, 'data', 'feeds.json'), 'utf8')).feeds[0];
    const good = await saved();
    web.serve('/rss.xml', { type: 'application/rss+xml', body: '<rss version="2.0"><channel><item><title>broken', etag: '"r2"' });
    const malformed = await feeds(['poll']);
    expect(malformed.stdout).toMatch(/^127-0-0-1-rss: failed \(not a readable RSS or Atom feed .*\), 0 added, 0 skipped\n$/);
    expect(malformed.stderr).toContain('feed 127-0-0-1-rss');
    expect(await saved()).toMatchObject({ etag: good.etag, seen: good.seen, failures: 1 });
    expect(await readdir(path.join(project.corpusDir, 'news'))).toEqual(['pier-opens.html']);
    expect((await feeds(['remove', '127-0-0-1-rss'])).stdout).toContain('Removed feed 127-0-0-1-rss');
    const audit = (await readFile(path.join(project.dir, 'data', 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).type);
    expect(audit).toEqual(['add-feed', 'add-source', 'remove-feed']);
  });

  it('refuses a page that is not a feed, and usage errors, with exit code 2', async () => {
    const page = web.serve('/not-a-feed', { type: 'application/xml', body: '<html><body>hello</body></html>' });
    const refused = await feeds(['add', page, '--collection', 'news']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('was not added as a feed: not a readable RSS or Atom feed');
    expect((await feeds(['add', page])).stderr).toContain('--collection');
    expect((await feeds(['frobnicate'])).code).toBe(2);
  });

  it('sets a damaged feeds.json aside, logs it, and starts with no feeds', async () => {
    await writeFile(path.join(project.dir, 'data', 'feeds.json'), '{"version": 1, "feeds": [ {"name": ');
    const listed = await feeds(['list']);
    expect(listed.stdout).toBe('No feeds.\n');
    expect(listed.stderr).toMatch(/feeds\.json is damaged \(not JSON: .*\); it was moved to .*feeds\.json\.damaged-/);
    expect((await readdir(path.join(project.dir, 'data'))).some((file) => file.startsWith('feeds.json.damaged-'))).toBe(true);
  });
});
