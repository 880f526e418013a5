/**
 * The timeline of a topic from the real engine (real model, real index) over a temp copy of the
 * seeds. The selection on plain scored sentences: timeline.test.ts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/engine.js';
import { silentLogger } from '../../src/core/log.js';
import type { Timeline } from '../../src/core/types.js';
import { createWorkspace, type Workspace } from '../support/workspace.js';

describe('Engine.timeline over the seeds', () => {
  let project: Workspace;
  let engine: Engine;
  beforeAll(async () => {
    project = await createWorkspace();
    engine = await createEngine(project.config, silentLogger, { mode: 'ingest' });
  });
  afterAll(async () => {
    await project?.remove();
  });

  /** Every entry is verbatim: its text is the document's raw text at its offsets. */
  async function expectVerbatim(timeline: Timeline): Promise<void> {
    for (const entry of [...timeline.dated, ...timeline.undated]) {
      const raw = await readFile(path.join(project.corpusDir, entry.source), 'utf8');
      expect(raw.slice(entry.start, entry.end)).toBe(entry.text);
    }
  }

  it('"South China Sea": both dated articles oldest first, the undated ones apart, one entry per document', async () => {
    const timeline = await engine.timeline('South China Sea', 10);
    expect(timeline.abstainReason).toBeNull();
    expect(timeline.dated.map((entry) => [entry.date, entry.source])).toEqual([
      ['2023-12-12', '003_f015f23f54aca59a.txt'],
      ['2025-04-14', '000_7bb7f1e19a806c78.txt'],
    ]);
    for (const entry of timeline.dated) expect(entry.text).toContain('South China Sea');
    expect(timeline.undated.length).toBeGreaterThan(0);
    for (const entry of timeline.undated) expect(entry.date).toBeNull();
    const sources = [...timeline.dated, ...timeline.undated].map((entry) => entry.source);
    expect(new Set(sources).size).toBe(sources.length);
    // The article that only names China, never the sea, is left out.
    expect(sources).not.toContain('001_77b7f39d73393a4f.txt');
    await expectVerbatim(timeline);
  });

  it('"tariffs": the dated article quoting the duties, and the undated one apart', async () => {
    const timeline = await engine.timeline('tariffs', 10);
    expect(timeline.dated.map((entry) => entry.source)).toEqual(['000_7bb7f1e19a806c78.txt']);
    expect(timeline.dated[0]?.text).toMatch(/145%/);
    expect(timeline.undated.map((entry) => entry.source)).toContain('001_77b7f39d73393a4f.txt');
    for (const entry of timeline.undated) expect(entry.text.toLowerCase()).toMatch(/tariff|duties/);
    await expectVerbatim(timeline);
  });

  it('a topic only undated articles speak of has no dated entry', async () => {
    const timeline = await engine.timeline('rare earths', 10);
    expect(timeline.abstainReason).toBeNull();
    expect(timeline.dated).toEqual([]);
    expect(timeline.undated.map((entry) => entry.source)).toEqual(['004_f87e3345d6d88ebb.txt']);
  });

  it('keeps at most `limit` entries', async () => {
    const timeline = await engine.timeline('railway', 2);
    expect(timeline.dated.length + timeline.undated.length).toBe(2);
  });

  it('a topic the documents do not speak of, small talk and an empty topic have no entries and say why', async () => {
    for (const [topic, reason] of [
      ['recipe for banana bread with walnuts and cinnamon', 'weak-evidence'],
      ['hi', 'small-talk'],
      ['', 'empty-question'],
    ] as const) {
      const timeline = await engine.timeline(topic, 10);
      expect([timeline.dated, timeline.undated, timeline.abstainReason], topic).toEqual([[], [], reason]);
    }
  });
});
