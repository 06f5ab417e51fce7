/** Opens a folder from disk as a Workspace (CLI, tests, benchmarks): the one place that does so. */
import { initPostgresParser } from '../sources/sql/postgres';
import type { DiscoveryOptions } from './discovery';
import { scanWorkspace, type FileLimits, type SkippedFile } from './disk';
import { Workspace } from './workspace';

/** `skipped` receives the files that were found but not read (too large, binary, unreadable, ...). */
export async function openWorkspace(dir: string, options: DiscoveryOptions = {}, skipped?: SkippedFile[], limits?: Partial<FileLimits>): Promise<Workspace> {
  await initPostgresParser();
  const scan = await scanWorkspace(dir, options, limits);
  skipped?.push(...scan.skipped);
  const files = scan.files;
  const workspace = new Workspace(options);
  for (const [path, text] of files) workspace.setFile(path, text);
  return workspace;
}
