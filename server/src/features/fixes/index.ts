/**
 * Quick-fixes by rule id: `fixesFor(rule, context)` lists the fixes for one diagnostic's FK; `fixAll` merges
 * the preferred fix of every diagnostic of a file into one edit (`source.fixAll.fklens`). Pure.
 */
import type { HistoryModel } from '../../model/replay';
import type { ForeignKey } from '../../model/schema';
import type { WorkspaceModel } from '../../workspace/workspace';
import { SET_DEFAULT_WITHOUT_DEFAULT, SET_NULL_ON_NOT_NULL, setDefaultWithoutDefaultFixes, setNullOnNotNullFixes } from './actions';
import { MigrationPlanner } from './convention';
import { newContext, type FixContext, type FixOptions, type FixPlan } from './edit';
import { MISSING_INDEX, missingIndexFix } from './missingIndex';
import { ADDED_WITHOUT_NOT_VALID, notValidFix } from './notValid';
import { TARGET_NOT_UNIQUE, targetNotUniqueFix } from './targetNotUnique';

export type { FixPlan, FixOptions } from './edit';
export { applyFix } from './edit';

const FIXERS: Record<string, (ctx: FixContext) => FixPlan[]> = {
  [MISSING_INDEX]: (ctx) => list(missingIndexFix(ctx)),
  [ADDED_WITHOUT_NOT_VALID]: (ctx) => list(notValidFix(ctx)),
  [SET_NULL_ON_NOT_NULL]: setNullOnNotNullFixes,
  [SET_DEFAULT_WITHOUT_DEFAULT]: setDefaultWithoutDefaultFixes,
  [TARGET_NOT_UNIQUE]: (ctx) => list(targetNotUniqueFix(ctx)),
};

export const FIXABLE_RULES: readonly string[] = Object.keys(FIXERS);

const list = (fix: FixPlan | undefined) => (fix ? [fix] : []);

export interface FixTarget {
  rule: string;
  history: HistoryModel;
  fk: ForeignKey;
}

export interface FixInput {
  model: WorkspaceModel;
  /** Every path the workspace holds. */
  files: string[];
  textOf: (file: string) => string | undefined;
  options?: FixOptions;
}

export function fixesFor(input: FixInput, target: FixTarget): FixPlan[] {
  const fixer = FIXERS[target.rule];
  if (!fixer) return [];
  const ctx = newContext(input.model, target.history, target.fk, input.files, input.textOf, input.options);
  try {
    return fixer(ctx);
  } catch {
    // A fix that cannot be planned (odd text, no free name) is simply not offered.
    return [];
  }
}

/** The preferred fix of every target, merged; undefined when none has one. */
export function fixAll(input: FixInput, targets: FixTarget[]): FixPlan | undefined {
  const planners = new Map<HistoryModel, MigrationPlanner>();
  const merged: FixPlan = { title: 'Fix all FK Lens problems with a safe fix', rule: 'all', preferred: false, edits: [], creates: [] };
  const seen = new Set<string>();
  for (const target of targets) {
    const key = `${target.rule}\0${target.fk.tableId}\0${target.fk.name}`;
    const fixer = FIXERS[target.rule];
    if (!fixer || seen.has(key)) continue;
    seen.add(key);
    let planner = planners.get(target.history);
    if (!planner) planners.set(target.history, (planner = new MigrationPlanner(target.history, input.files, input.options?.now ?? new Date())));
    const ctx = newContext(input.model, target.history, target.fk, input.files, input.textOf, input.options, planner);
    let fix: FixPlan | undefined;
    try {
      fix = fixer(ctx).find((f) => f.preferred);
    } catch {
      fix = undefined;
    }
    if (!fix) continue;
    merged.edits.push(...fix.edits);
    merged.creates.push(...fix.creates);
  }
  return merged.edits.length || merged.creates.length ? merged : undefined;
}
