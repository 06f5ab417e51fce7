/**
 * How a file is named for people (hover links, related information, the peek document, CLI reach text, the
 * ERD): the shortest tail of its path that no other file of the workspace ends with. In a diesel or Prisma
 * history, where every file is `up.sql` or `migration.sql`, that is `2019-03-03_create_orders/up.sql`; a file
 * whose name is unique is its name alone. Pure; computed once per workspace model.
 */
import type { SourceLocation } from '../model/schema';
import type { WorkspaceModel } from '../workspace/workspace';
import { positionOf } from './describe';

/** For each path, the shortest suffix of whole segments that is the suffix of no other path. */
export function uniqueSuffixes(paths: Iterable<string>): Map<string, string> {
  const all = [...new Set(paths)];
  // How many paths end with each suffix (of 1, 2, ... segments).
  const count = new Map<string, number>();
  const segmentsOf = new Map<string, string[]>();
  for (const p of all) {
    const segments = p.split('/');
    segmentsOf.set(p, segments);
    for (let n = 1; n <= segments.length; n++) {
      const suffix = segments.slice(-n).join('/');
      count.set(suffix, (count.get(suffix) ?? 0) + 1);
    }
  }
  const out = new Map<string, string>();
  for (const p of all) {
    const segments = segmentsOf.get(p)!;
    let label = p;
    for (let n = 1; n <= segments.length; n++) {
      const suffix = segments.slice(-n).join('/');
      if (count.get(suffix) === 1) {
        label = suffix;
        break;
      }
    }
    out.set(p, label);
  }
  return out;
}

const cache = new WeakMap<WorkspaceModel, Map<string, string>>();

/** Every file the workspace read, plus the files of its histories (a file may be listed but unreadable). */
function labelsOf(model: WorkspaceModel): Map<string, string> {
  let labels = cache.get(model);
  if (!labels) {
    const paths = new Set(model.sources.keys());
    for (const h of model.histories) for (const f of h.history.files) paths.add(f);
    labels = uniqueSuffixes(paths);
    cache.set(model, labels);
  }
  return labels;
}

/** The file's shortest unique path suffix in this workspace (its whole path when the workspace does not hold it). */
export function fileLabel(model: WorkspaceModel, file: string): string {
  return labelsOf(model).get(file) ?? file;
}

/** `2019-03-03_create_orders/up.sql:18` (1-based line). */
export function locationLabel(model: WorkspaceModel, loc: SourceLocation): string {
  const p = positionOf(model, loc);
  const label = fileLabel(model, loc.file);
  return p ? `${label}:${p.line + 1}` : label;
}
