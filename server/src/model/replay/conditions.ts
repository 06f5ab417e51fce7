/**
 * Statements of JS / TS migrations that run under run-time conditions (`event.conditions`, see
 * sources/js/conditions.ts). A `hasTable` / `hasColumn` guard is decided from the model when the first statement
 * under it is reached, once for all of them. Under a condition nobody can decide (`if (process.env.X)`, a
 * loop over query results, `try` / `catch`), a statement applies only where it fits the model, and never
 * yields unknown-table / unknown-column findings: the code may well not run it. Such a condition is decided by
 * the first statement under it that is reached: its arm ran if it fits, else the other arm did; statements of
 * the arm that did not run never apply, so the two arms of an `if` never both do.
 *
 * Each statement skipped on such a guess (its arm judged not to run, or it does not fit the model) is a gap of the
 * history (replay problem `unsupported`, model/partial.ts): the code may have run it. A statement applied under an
 * undecided condition with nothing skipped is no gap, nor is anything a decided guard (`hasTable`) skipped.
 */
import type { AlterTableCommand, ConstraintDefinition, EventCondition, QualifiedName, SchemaEvent } from '../../sources/events';
import type { Table } from '../schema';
import { findIndex } from './indexes';
import { constraintNames, type ReplayState } from './state';

/** Per replay and step: each condition's outcome by id, decided when its first statement was reached. */
interface StepConditions {
  step: number;
  decided: Map<number, boolean>;
}

const perReplay = new WeakMap<ReplayState, StepConditions>();

/** Problems a statement that may not run must not cause: they would blame the migration for FK Lens's guess. */
const MISFIT_CODES = new Set(['unknown-table', 'unknown-column', 'unknown-constraint', 'unknown-index', 'duplicate-table', 'fk-target-missing']);

/** Applies `event` (with `apply`) as its conditions say. */
export function applyUnderConditions(s: ReplayState, event: SchemaEvent, apply: (s: ReplayState, event: SchemaEvent) => void): void {
  const conditions = event.conditions!;
  let state = perReplay.get(s);
  if (!state || state.step !== s.step) perReplay.set(s, (state = { step: s.step, decided: new Map() }));
  let undecided: EventCondition | undefined;
  for (const c of conditions) {
    let value = state.decided.get(c.id);
    const first = value === undefined;
    if (value === undefined) {
      // An undecidable test is decided by the first statement under it that is reached: the arm it is in ran
      // when it fits the model (a `try` whose first statement would fail went to its `catch`).
      value = c.test.kind === 'unknown' ? fits(s, event) !== c.negated : testHolds(s, c.test);
      state.decided.set(c.id, value);
    }
    if (value === c.negated) {
      if (c.test.kind === 'unknown') skipped(s, event, c, first ? 'misfit' : 'other-arm');
      return;
    }
    if (c.test.kind === 'unknown') undecided = c;
  }
  if (!undecided) return apply(s, event);
  if (!fits(s, event)) return skipped(s, event, undecided, 'misfit-in-arm');
  const problems = s.problems.length;
  const unresolved = s.unresolved.length;
  apply(s, event);
  // What fits() did not foresee still must not turn into a finding.
  const added = s.problems.splice(problems);
  s.problems.push(...added.filter((p) => !MISFIT_CODES.has(p.code)));
  s.unresolved.splice(unresolved);
}

/** A statement skipped on a guess about a condition FK Lens could not decide: a gap, with where and why. */
function skipped(s: ReplayState, event: SchemaEvent, c: EventCondition, why: 'misfit' | 'other-arm' | 'misfit-in-arm'): void {
  const source = s.sources[s.step];
  const where = c.span && source && source.path === s.file ? ` at ${s.file}:${source.lines.position(Math.min(c.span.start, source.lines.text.length)).line + 1}` : '';
  const how =
    why === 'misfit'
      ? 'this statement does not fit the model there, so FK Lens took it that the code did not run it'
      : why === 'other-arm'
        ? 'from the first statement it reached under it, FK Lens took it that the code went the other way, and did not run this one'
        : 'FK Lens applied the statements under it that fit the model; this one does not fit there';
  s.problem('unsupported', event.statement, `The run-time condition${where} could not be decided; ${how}. It is skipped in the model, so this history is partial.`);
}

function testHolds(s: ReplayState, test: Exclude<EventCondition['test'], { kind: 'unknown' }>): boolean {
  const table = s.lookup(test.table, false);
  if (test.kind === 'has_table') return !!table;
  return !!table?.columns.some((c) => c.name === test.column);
}

// ---- Does a statement fit the model? ------------------------------------------------------------------------

function fits(s: ReplayState, event: SchemaEvent): boolean {
  const table = (name: QualifiedName) => s.lookup(name, false);
  switch (event.kind) {
    case 'create_table': {
      if (table(event.table)) return event.ifNotExists;
      const parents = [...event.inherits, ...(event.partitionOf ? [event.partitionOf] : []), ...event.like.map((l) => l.table)];
      if (parents.some((p) => !table(p))) return false;
      const self = { name: event.table.name, columns: event.columns.map((c) => c.name) };
      const constraints = [...event.columns.flatMap((c) => c.constraints), ...event.constraints];
      return constraints.every((c) => c.kind !== 'foreign' || referenceFits(s, c, self));
    }
    case 'alter_table': {
      const t = table(event.table);
      if (!t) return event.ifExists;
      // Commands of one ALTER TABLE run in order: `DROP CONSTRAINT x, ADD CONSTRAINT x` fits.
      const view: TableView = { columns: new Set(t.columns.map((c) => c.name)), constraints: new Set(constraintNames(t)), name: t.name };
      return event.commands.every((command) => commandFits(s, view, command));
    }
    case 'create_index': {
      const t = table(event.table);
      if (!t || event.elements.some((e) => e.column !== undefined && !hasColumn(t, e.column))) return false;
      return !event.name || event.ifNotExists || !findIndex(s, { name: event.name, schema: event.table.schema ?? t.schema, span: event.statement });
    }
    case 'drop_table':
      return event.ifExists || event.names.every((n) => !!table(n));
    case 'drop_index':
      return event.ifExists || event.names.every((n) => !!findIndex(s, n, event.table));
    case 'rename_table': {
      const t = table(event.target);
      if (!t) return event.ifExists || !!findIndex(s, event.target);
      return !s.tableIds.has(`${t.schema}.${event.to}`);
    }
    case 'rename_column': {
      const t = table(event.target);
      return !!t && hasColumn(t, event.from) && !hasColumn(t, event.to);
    }
    case 'rename_constraint': {
      const t = table(event.target);
      return !!t && constraintNames(t).includes(event.from);
    }
    case 'rename_index':
      return !!findIndex(s, event.target, event.table);
    case 'set_schema':
      return event.objectKind !== 'table' || event.ifExists || !!table(event.target);
    default:
      return true;
  }
}

function hasColumn(table: Table, name: string): boolean {
  return table.columns.some((c) => c.name === name);
}

/** The names of a table as an ALTER TABLE's commands change them, one after the other. */
interface TableView {
  name: string;
  columns: Set<string>;
  constraints: Set<string>;
}

function commandFits(s: ReplayState, t: TableView, command: AlterTableCommand): boolean {
  switch (command.kind) {
    case 'add_column':
      if (t.columns.has(command.column.name)) return command.ifNotExists;
      if (!command.column.constraints.every((c) => c.kind !== 'foreign' || referenceFits(s, c, undefined))) return false;
      t.columns.add(command.column.name);
      return true;
    case 'drop_column':
      if (!t.columns.has(command.column)) return command.ifExists;
      t.columns.delete(command.column);
      return true;
    case 'alter_type':
    case 'set_not_null':
    case 'drop_not_null':
    case 'set_default':
    case 'drop_default':
    case 'add_identity':
    case 'drop_identity':
      return t.columns.has(command.column);
    case 'redefine_column':
      return t.columns.has(command.from);
    case 'add_constraint': {
      const c = command.constraint;
      if (c.name && t.constraints.has(c.name)) return false;
      if (c.columns.some((col) => !t.columns.has(col))) return false;
      if (c.kind === 'foreign' && !referenceFits(s, c, { name: t.name, columns: [...t.columns] })) return false;
      if (c.name) t.constraints.add(c.name);
      return true;
    }
    case 'drop_constraint':
      if (!t.constraints.has(command.name)) return command.ifExists;
      t.constraints.delete(command.name);
      return true;
    case 'validate_constraint':
    case 'alter_constraint':
      return t.constraints.has(command.name);
    default:
      return true;
  }
}

/** The referenced table (or the table being created, for a self reference) and its columns exist. */
function referenceFits(s: ReplayState, c: ConstraintDefinition, self: { name: string; columns: string[] } | undefined): boolean {
  const clause = c.foreign!;
  const ref = s.lookup(clause.refTable, false);
  if (!ref) return !!self && !clause.refTable.schema && clause.refTable.name === self.name && clause.refColumns.every((col) => self.columns.includes(col));
  if (!clause.refColumns.length) return !!ref.primaryKey;
  return clause.refColumns.every((col) => hasColumn(ref, col));
}
