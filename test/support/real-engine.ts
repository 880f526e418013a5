import { beforeAll } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/engine.js';
import { silentLogger } from '../../src/core/log.js';
import { useWorkspace, type Workspace, type WorkspaceOptions } from './workspace.js';

/** One workspace (by default the seeds and a copy of the seed index) and the real engine over it, shared by the tests of a file or a describe. */
export function useEngine(options: WorkspaceOptions = {}): { readonly workspace: Workspace; readonly engine: Engine } {
  const shared = useWorkspace(options) as { workspace: Workspace; engine: Engine };
  beforeAll(async () => {
    shared.engine = await createEngine(shared.workspace.config, silentLogger);
  });
  return shared;
}
