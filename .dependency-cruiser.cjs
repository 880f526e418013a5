// The layers of src/, bottom first: a module imports only from its own layer or those below it
// (docs/architecture.md). `npm run check:layers` (and CI) fails on an import that runs upward or a cycle.
const LAYERS = [
  ['core', '^src/core/'], // shared types and pure helpers; imports nothing of ours
  ['config', '^src/config\\.ts$'],
  ['text', '^src/text/'], // terms, sentences, dates, figures
  ['corpus', '^src/corpus/'], // reading files into documents
  ['sources', '^src/sources/'], // fetching documents and feeds from the web, with the safety rules (I/O, no Discord)
  ['chunk', '^src/chunk/'],
  ['embed', '^src/embed/'], // the models
  ['index', '^src/index/'], // the stores: vectors, BM25, thesaurus, files
  ['ingest', '^src/ingest/'], // corpus → index
  ['answer', '^src/answer/'], // question → quotes
  ['render', '^src/render/'],
  ['eval', '^src/eval/'],
  ['bot', '^src/bot/'],
  ['dashboard', '^src/dashboard/'], // the operator's web pages and /metrics over the question log and the engine; reads only
  ['app', '^src/(cli|main|startup|sharded|shards)\\.ts$'], // the entry points
];

const upward = LAYERS.slice(0, -1).map(([name, path], index) => ({
  name: `${name}-imports-upward`,
  severity: 'error',
  comment: `${name} may import only from ${LAYERS.slice(0, index + 1).map(([below]) => below).join(', ')}`,
  from: { path },
  to: { path: LAYERS.slice(index + 1).map(([, above]) => above) },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'render-reads-only-values',
      severity: 'error',
      comment: 'rendering turns answers (core types) into text: it does not call the engine, the stores or the models',
      from: { path: '^src/render/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/text/', '^src/render/'] },
    },
    {
      name: 'bot-talks-to-the-engine-interface',
      severity: 'error',
      comment: 'the bot uses AnswerEngine (src/core/types.ts), so it is tested against the real engine or any other',
      from: { path: '^src/bot/' },
      // The lock file is no part of the engine: the bot takes it for files several bot processes share (scopes.json).
      to: { path: ['^src/answer/', '^src/ingest/', '^src/index/', '^src/embed/'], pathNot: '^src/index/ingest-lock\\.ts$' },
    },
    {
      name: 'dashboard-only-reads',
      severity: 'error',
      comment: 'the dashboard shows what the program records and holds; it never writes the index or the corpus (docs/architecture.md)',
      from: { path: '^src/dashboard/' },
      to: { path: ['^src/ingest/', '^src/index/', '^src/corpus/write\\.ts$', '^src/embed/'] },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'a module nothing imports is dead code (entry points and type declarations aside)',
      // src/ingest/child.ts is forked (by ingest/in-child.ts), not imported.
      from: { orphan: true, pathNot: ['\\.d\\.ts$', '^src/(cli|main|sharded)\\.ts$', '^src/ingest/child\\.ts$'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    includeOnly: '^src/',
  },
};
