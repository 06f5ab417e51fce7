/** Opens a folder from disk as a Workspace (CLI, tests, benchmarks): the one place that does so. */
import { initPostgresParser } from '../sources/sql/postgres';
import type { DiscoveryOptions } from './discovery';
import { readWorkspaceFromDisk } from './disk';
import { Workspace } from './workspace';

export async function openWorkspace(dir: string, options: DiscoveryOptions = {}): Promise<Workspace> {
  await initPostgresParser();
  const files = await readWorkspaceFromDisk(dir, options);
  const workspace = new Workspace(options);
  for (const [path, text] of files) workspace.setFile(path, text);
  return workspace;
}
