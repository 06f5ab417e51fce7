/**
 * Quick-fixes by rule id: `fixesFor(input, target)` lists the fixes for one diagnostic, about one FK of a
 * history (SQL / JS migrations, schema files), one migration as a whole (its locks), or one finding of a Prisma schema; `fixAll` merges the preferred
 * fix of every diagnostic of a file into one edit (`source.fixAll.fklens`). Both kinds produce `FixPlan`s. Pure.
 */
import type { PrismaFinding } from '../../analysis/prisma';
import type { HistoryModel } from '../../model/replay';
import type { ForeignKey } from '../../model/schema';
import type { WorkspaceModel } from '../../workspace/workspace';
import { SET_DEFAULT_WITHOUT_DEFAULT, SET_NULL_ON_NOT_NULL, setDefaultWithoutDefaultFixes, setNullOnNotNullFixes } from './actions';
import { MigrationPlanner } from './convention';
import { newContext, type FixContext, type FixOptions, type FixPlan } from './edit';
import { LOCK_TIMEOUT_RULES, lockTimeoutFix } from './lockTimeout';
import { MISSING_INDEX, missingIndexFix } from './missingIndex';
import { PRISMA_FIXABLE_RULES, prismaQuickFixes } from './prisma';
import { ADDED_WITHOUT_NOT_VALID, notValidFix } from './notValid';
import { TARGET_NOT_UNIQUE, targetNotUniqueFix } from './targetNotUnique';

export type { FixPlan, FixOptions } from './edit';
export { applyFix } from './edit';
export { prismaFindingAt, prismaQuickFixes } from './prisma';

const FIXERS: Record<string, (ctx: FixContext) => FixPlan[]> = {
  [MISSING_INDEX]: (ctx) => list(missingIndexFix(ctx)),
  [ADDED_WITHOUT_NOT_VALID]: (ctx) => list(notValidFix(ctx)),
  [SET_NULL_ON_NOT_NULL]: setNullOnNotNullFixes,
  [SET_DEFAULT_WITHOUT_DEFAULT]: setDefaultWithoutDefaultFixes,
  [TARGET_NOT_UNIQUE]: (ctx) => list(targetNotUniqueFix(ctx)),
};

export const FIXABLE_RULES: readonly string[] = [...Object.keys(FIXERS), ...PRISMA_FIXABLE_RULES, ...LOCK_TIMEOUT_RULES];
export { LOCK_TIMEOUT_RULES };

const list = (fix: FixPlan | undefined) => (fix ? [fix] : []);

/** A diagnostic about one FK of a replayed history. */
export interface FkFixTarget {
  rule: string;
  history: HistoryModel;
  fk: ForeignKey;
}

/** A diagnostic of a Prisma rule (found again with `prismaFindingAt`). */
export interface PrismaFixTarget {
  rule: string;
  finding: PrismaFinding;
}

/** A diagnostic about one migration as a whole (its locks): the fix edits that migration's file. */
export interface MigrationFixTarget {
  rule: string;
  history: HistoryModel;
  file: string;
}

export type FixTarget = FkFixTarget | PrismaFixTarget | MigrationFixTarget;

export interface FixInput {
  model: WorkspaceModel;
  /** Every path the workspace holds. */
  files: string[];
  textOf: (file: string) => string | undefined;
  options?: FixOptions;
}

export function fixesFor(input: FixInput, target: FixTarget): FixPlan[] {
  if ('finding' in target) return prismaFixesOf(input, target);
  if ('file' in target) return migrationFixesOf(input, target);
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

function migrationFixesOf(input: FixInput, target: MigrationFixTarget): FixPlan[] {
  if (!LOCK_TIMEOUT_RULES.includes(target.rule)) return [];
  try {
    return list(lockTimeoutFix(input.model, target.history, target.file, input.textOf));
  } catch {
    return [];
  }
}

function prismaFixesOf(input: FixInput, target: PrismaFixTarget): FixPlan[] {
  if (target.finding.rule !== target.rule) return [];
  try {
    return prismaQuickFixes(target.finding, input.textOf);
  } catch {
    return [];
  }
}

/** What makes two targets the same problem for "fix all" (one fix each). */
function targetKey(target: FixTarget): string {
  if ('finding' in target) return `${target.rule}\0${target.finding.file}\0${target.finding.span.start}\0${target.finding.span.end}`;
  // Both lock rules are fixed by one lock_timeout per migration.
  if ('file' in target) return `lock-timeout\0${target.history.history.id}\0${target.file}`;
  const { history, fk } = target;
  // Two FKs over the same columns (a duplicate FK) are served by one index.
  const which = target.rule === MISSING_INDEX ? fk.columns.join('\0') : fk.name;
  return `${target.rule}\0${history.history.id}\0${fk.tableId}\0${which}`;
}

/** For one FK: the fix that makes its statement run first, then its validation, then its index. */
const RULE_ORDER = [TARGET_NOT_UNIQUE, ADDED_WITHOUT_NOT_VALID, SET_NULL_ON_NOT_NULL, SET_DEFAULT_WITHOUT_DEFAULT, MISSING_INDEX];

/**
 * Targets in declaration order (history, migration step, offset, then RULE_ORDER), so that new migrations
 * get their versions in the order of the problems they fix, whatever order the editor lists diagnostics in.
 */
function declarationOrder(targets: FixTarget[]): FixTarget[] {
  const position = (t: FixTarget): [string, number, string, number, number] =>
    'finding' in t
      ? [`\u0001${t.finding.file}`, 0, '', t.finding.span.start, 0]
      : 'file' in t
        ? [t.history.history.id, t.history.sources.findIndex((s) => s.path === t.file), t.file, -1, 0]
        : [t.history.history.id, t.fk.step, t.fk.location.file, t.fk.location.span.start, RULE_ORDER.indexOf(t.rule)];
  const compare = (a: FixTarget, b: FixTarget) => {
    const [x, y] = [position(a), position(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
  };
  return [...targets].sort(compare);
}

/** The preferred fix of every target, merged; undefined when none has one. */
export function fixAll(input: FixInput, targets: FixTarget[]): FixPlan | undefined {
  const planners = new Map<HistoryModel, MigrationPlanner>();
  const merged: FixPlan = { title: 'Fix all FK Lens problems with a safe fix', rule: 'all', preferred: false, edits: [], creates: [] };
  const seen = new Set<string>();
  for (const target of declarationOrder(targets)) {
    const key = targetKey(target);
    if (seen.has(key)) continue;
    seen.add(key);
    let fixes: FixPlan[];
    if ('finding' in target) fixes = prismaFixesOf(input, target);
    else if ('file' in target) fixes = migrationFixesOf(input, target);
    else {
      const fixer = FIXERS[target.rule];
      if (!fixer) continue;
      let planner = planners.get(target.history);
      if (!planner) planners.set(target.history, (planner = new MigrationPlanner(target.history, input.files, input.options?.now ?? new Date(), input.textOf)));
      const ctx = newContext(input.model, target.history, target.fk, input.files, input.textOf, input.options, planner);
      try {
        fixes = fixer(ctx);
      } catch {
        fixes = [];
      }
    }
    const fix = fixes.find((f) => f.preferred);
    if (!fix) continue;
    merged.edits.push(...fix.edits);
    merged.creates.push(...fix.creates);
  }
  return merged.edits.length || merged.creates.length ? merged : undefined;
}
