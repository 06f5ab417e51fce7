/**
 * Replays a history's schema events in migration order into the schema model, as the engine would apply
 * them. One migration file is one step. Step-level facts that later checks need (was the table there before
 * this step? did the FK's target exist when it was declared?) are recorded as they happen, so a step is
 * always judged against the schema as it stood before it, never against the final one.
 *
 * This file drives the replay and routes each event to its statement family: tables.ts (CREATE / DROP
 * TABLE), constraints.ts (keys, FKs, DROP CONSTRAINT), alter.ts (ALTER TABLE), indexes.ts, renames.ts; the
 * state and name resolution they share is state.ts.
 */
import type { SchemaEvent, SourceFile } from '../../sources/events';
import type { History } from '../../workspace/discovery';
import { alterTable } from './alter';
import { applyUnderConditions } from './conditions';
import { bindLoadOrder, endOfHistoryProblems } from './constraints';
import { createIndex, dropIndex } from './indexes';
import { recordLocks } from './locks';
import { rename } from './renames';
import { ReplayState } from './state';
import { createTable, dropSchema, dropTable } from './tables';
import type { HistoryModel } from './types';

export type { ConstraintValidation, ForeignKeyDeclaration, HistoryModel, IndexLoss, LockTimeoutSetting, MigrationStep, NamesAtStep, RenameFact, ReplayProblem, StatementLocks, TableLock, UnresolvedForeignKey } from './types';

export function replayHistory(history: History, sources: SourceFile[], untilStep = sources.length): HistoryModel {
  const replay = new ReplayState(history, sources);
  for (let step = 0; step < Math.min(untilStep, sources.length); step++) applyFile(replay, step);
  return result(replay);
}

/** The replay state just before one step, kept so that edits at or after that step replay only from there. */
export interface ReplayCheckpoint {
  step: number;
  /** The sources of the steps before `step` the state was built from (by identity). */
  sources: SourceFile[];
  replay: ReplayState;
}

/**
 * Replays a history, resuming from `checkpoint` when the sources before it are unchanged, and leaves a
 * checkpoint just before `checkpointAt` (the step being edited) for the next edit.
 */
export function replayFrom(
  history: History,
  sources: SourceFile[],
  checkpoint: ReplayCheckpoint | undefined,
  checkpointAt: number,
): { model: HistoryModel; checkpoint?: ReplayCheckpoint } {
  const usable =
    checkpoint &&
    checkpoint.step <= checkpointAt &&
    checkpoint.step <= sources.length &&
    checkpoint.sources.every((s, i) => sources[i] === s);
  let replay: ReplayState;
  let step: number;
  if (usable) {
    replay = checkpoint.replay.clone(history, sources);
    step = checkpoint.step;
  } else {
    replay = new ReplayState(history, sources);
    step = 0;
  }
  let next: ReplayCheckpoint | undefined = usable ? checkpoint : undefined;
  for (; step < sources.length; step++) {
    if (step === checkpointAt && next?.step !== step) next = { step, sources: sources.slice(0, step), replay: replay.clone(history, sources) };
    applyFile(replay, step);
  }
  return { model: result(replay), checkpoint: next };
}

/** Applies one migration file; `afterEvent` (tests) looks at the state after each of its events. */
export function applyFile(s: ReplayState, step: number, afterEvent?: (s: ReplayState) => void): void {
  s.beginStep(step);
  for (const event of s.sources[step].events) {
    s.file = event.file ?? s.sources[step].path;
    if (event.conditions) applyUnderConditions(s, event, apply);
    else apply(s, event);
    afterEvent?.(s);
  }
  bindLoadOrder(s);
}

function result(s: ReplayState): HistoryModel {
  // Read without copying: the model shares every table this replay did not change with the checkpoint.
  const tables = [...s.tables.peekValues()];
  const foreignKeys = tables.flatMap((t) => t.foreignKeys);
  return {
    history: s.history,
    sources: s.sources,
    steps: s.sources.map((source, index) => ({ index, file: source.path })),
    tables,
    foreignKeys,
    tableById: new Map(tables.map((t) => [t.id, t])),
    declarations: s.declarations.map((d) => s.currentFact(d)),
    renames: [...s.renames],
    indexLosses: s.indexLosses.map((l) => s.currentFact(l)),
    validations: s.validations.map((v) => s.currentFact(v)),
    unresolved: [...s.unresolved, ...s.pending.filter((p) => s.tables.has(p.fk.tableId)).map((p) => p.unresolved)],
    problems: [...s.problems, ...endOfHistoryProblems(s, foreignKeys)],
    locks: s.statementLocks,
  };
}

function apply(s: ReplayState, event: SchemaEvent): void {
  recordLocks(s, event);
  switch (event.kind) {
    case 'create_table':
      return createTable(s, event);
    case 'alter_table':
      return alterTable(s, event);
    case 'create_index':
      return createIndex(s, event);
    case 'drop_table':
      for (const name of event.names) {
        const table = s.lookup(name, !event.ifExists);
        if (table) dropTable(s, table);
      }
      return;
    case 'drop_index':
      for (const name of event.names) dropIndex(s, event, name);
      return;
    case 'drop_schema':
      for (const name of event.names) dropSchema(s, name.name);
      return;
    case 'drop_view':
      return;
    case 'untracked_relation':
      if (event.relation === 'temporary table') s.temporaryTables.add(event.table.name);
      else s.untracked.add(`${s.creationSchema(event.table)}.${event.table.name}`);
      return;
    case 'rename_table':
    case 'rename_column':
    case 'rename_constraint':
    case 'rename_index':
    case 'rename_schema':
      return rename(s, event);
    case 'set_schema': {
      if (event.objectKind !== 'table') return;
      const table = s.lookup(event.target, !event.ifExists);
      if (!table) return;
      s.setSchema(table, event.newSchema);
      return;
    }
    case 'create_schema':
      s.schemas.add(event.name);
      return;
    case 'set_search_path':
      s.searchPath = event.schemas;
      // MySQL `USE db` names an existing database.
      if (s.policy.dialect !== 'postgres') for (const schema of event.schemas) s.schemas.add(schema);
      return;
    case 'foreign_key_checks':
      s.foreignKeyChecks = event.enabled;
      if (event.enabled && s.policy.dialect === 'sqlite') s.sqliteForeignKeysOn = true;
      return;
    case 'begin':
      s.inTransaction = true;
      return;
    case 'commit':
    case 'rollback':
      s.inTransaction = false;
      return;
  }
}
