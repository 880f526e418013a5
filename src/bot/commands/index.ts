/** The explicit command registry: what is deployed and what is dispatched. */
import type { Command } from '../context.js';
import { addLinkedArticle } from './add-linked-article.js';
import { addSource } from './add-source.js';
import { ask } from './ask.js';
import { findSources } from './find-sources.js';
import { feeds } from './feeds.js';
import { help } from './help.js';
import { reindex } from './reindex.js';
import { removeSource } from './remove-source.js';
import { scope } from './scope.js';
import { search } from './search.js';
import { source } from './source.js';
import { sources } from './sources.js';
import { timeline } from './timeline.js';

export const commands: readonly Command[] = [
  ask,
  search,
  timeline,
  source,
  sources,
  help,
  reindex,
  scope,
  addSource,
  removeSource,
  findSources,
  addLinkedArticle,
  feeds,
];

/** The JSON sent to `PUT /applications/:id/commands`. */
export function commandData() {
  return commands.map((command) => command.data);
}
