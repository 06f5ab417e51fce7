/**
 * Constraints: PRIMARY KEY / UNIQUE (and the index each one owns), CHECK (by name only), FOREIGN KEY with
 * its default name, referenced index and step facts; DROP CONSTRAINT and what depends on a key's index.
 */
import type { ConstraintDefinition } from '../../sources/events';
import type { Span } from '../../sources/text';
import { chooseName, columnsAddition } from '../names';
import { mysqlForeignKeyName, mysqlIndexName, startsWithColumns } from '../dialect';
import { DIALECT_RULES } from '../dialectRules';
import type { ForeignKey, Index, KeyConstraint, SourceLocation, Table } from '../schema';
import { qualifiedName } from '../schema';
import type { ReplayState } from './state';
import type { PendingForeignKey, ReplayProblem, UnresolvedForeignKey } from './types';

/**
 * A CHECK constraint is kept by name only (a later DROP / RENAME CONSTRAINT names it). Unnamed, PostgreSQL
 * calls it <table>_<column>_check when its expression names one column, else <table>_check.
 */
export function addCheck(s: ReplayState, table: Table, c: ConstraintDefinition): void {
  if (c.name) return addCheckName(s, table, c.name);
  if (s.policy.dialect !== 'postgres') return;
  const only = c.expressionColumns?.length === 1 ? c.expressionColumns[0] : undefined;
  addCheckName(s, table, s.chooseConstraintName(table, table.name, only, 'check'));
}

function addCheckName(s: ReplayState, table: Table, name: string): void {
  table.checks.push(name);
  s.constraintAdded(table, name);
}

export function addConstraint(s: ReplayState, table: Table, c: ConstraintDefinition): void {
  if (c.kind === 'foreign') return addForeignKey(s, table, c, true);
  if (c.kind === 'check') return addCheck(s, table, c);
  if (c.kind !== 'primary' && c.kind !== 'unique') return;
  let columns = c.columns;
  if (c.usingIndex) {
    // ADD CONSTRAINT ... USING INDEX: the index becomes the constraint's index and takes its name.
    const index = table.indexes.find((i) => i.name === c.usingIndex);
    if (!index) {
      s.problem('unknown-index', c.span, `Index ${c.usingIndex} is not defined on ${table.name} at this point.`);
      return;
    }
    columns = index.columns.filter((x): x is string => !!x);
    s.indexOwners.delete(`${table.schema}.${index.name}`);
    table.indexes.splice(table.indexes.indexOf(index), 1);
  }
  addKey(s, table, c.kind, columns, c.name, s.loc(c.span), c.include);
}

export function addKey(s: ReplayState, table: Table, kind: 'primary' | 'unique', columns: string[], name: string | undefined, location: SourceLocation, include: string[] = []): void {
  const indexName =
    kind === 'primary' && s.policy.primaryKeyName
      ? s.policy.primaryKeyName
      : name ??
        (s.policy.indexNamesPerTable
          ? mysqlIndexName(table, columns)
          : kind === 'primary'
            ? chooseName(table.name, undefined, 'pkey', (n) => s.keyNameUsed(table, n))
            : chooseName(table.name, columnsAddition(columns), 'key', (n) => s.keyNameUsed(table, n)));
  const key: KeyConstraint = { name: indexName, columns: [...columns], location };
  if (kind === 'primary') {
    setPrimaryKey(s, table, key);
    for (const col of s.policy.primaryKeyImpliesNotNull ? columns : []) {
      const column = table.columns.find((x) => x.name === col);
      if (column) {
        column.notNull = true;
        column.notNullLocation ??= location;
      }
    }
  } else {
    table.uniques.push(key);
    s.constraintAdded(table, key.name);
  }
  table.indexes.push({ name: indexName, columns: [...columns], expressions: [], include, unique: true, method: 'btree', constraint: indexName, location });
  s.registerIndex(table, indexName);
  if (s.policy.createsForeignKeyIndex) dropCoveredImplicitIndexes(table, columns);
}

export function addForeignKey(s: ReplayState, table: Table, c: ConstraintDefinition, byAlter: boolean): void {
  const clause = c.foreign!;
  const location = s.loc(c.span);
  if (s.policy.dialect === 'mysql' && c.columnConstraint) {
    s.dialectRule('mysql-inline-references', c.span, DIALECT_RULES['mysql-inline-references'].message(s.policy.inlineReferencesCreateForeignKey));
    if (!s.policy.inlineReferencesCreateForeignKey) return;
  }
  const onDelete = storedAction(s, clause.onDelete, clause.onDeleteSpan, clause.actionsWritten);
  const onUpdate = storedAction(s, clause.onUpdate, clause.onUpdateSpan, clause.actionsWritten);
  const refTable = s.lookup(clause.refTable, false);
  const unresolved = (reason: UnresolvedForeignKey['reason']): UnresolvedForeignKey => ({
    table: qualifiedName(table),
    columns: c.columns,
    refTable: clause.refTable.schema ? `${clause.refTable.schema}.${clause.refTable.name}` : clause.refTable.name,
    refColumns: clause.refColumns,
    reason,
    location,
    refTableSpan: clause.refTable.span,
    step: s.step,
  });
  const declared = (reason: UnresolvedForeignKey['reason'], message: string) => {
    s.unresolved.push(unresolved(reason));
    s.problem('fk-target-missing', clause.refTable.span, message, 'error');
  };
  // SQLite, and MySQL with FOREIGN_KEY_CHECKS=0, accept an FK to a table that does not exist yet.
  const byName = s.policy.foreignKeysByName && (s.policy.dialect === 'sqlite' || !s.foreignKeyChecks);
  // Loose schema files (one file per table, say) are loaded in an order FK Lens does not know (the name order is a
  // guess; loaders sort them by dependency): a parent a later file creates is waited for (see bindPending).
  const looseFiles = !refTable && !byName && s.history.tool === 'schema' && s.sources.length > 1;
  if (!refTable && !byName && !looseFiles) {
    const engine = s.policy.dialect === 'mysql' ? 'MySQL (with FOREIGN_KEY_CHECKS on)' : 'PostgreSQL';
    declared('table', `Foreign key on ${table.name} (${c.columns.join(', ')}) references ${clause.refTable.name}, which does not exist at this point of the migration history: ${engine} would reject this statement.`);
    return;
  }
  let refColumns = clause.refColumns;
  if (refTable && !refColumns.length) {
    if (!refTable.primaryKey) {
      declared('no-primary-key', `REFERENCES ${refTable.name} without a column list needs a primary key on ${refTable.name}, which it does not have at this point.`);
      return;
    }
    refColumns = refTable.primaryKey.columns;
  }
  const missing = refTable ? refColumns.filter((col) => !refTable.columns.some((x) => x.name === col)) : [];
  if (refTable && missing.length && !byName) {
    declared('columns', `Foreign key on ${table.name} references ${refTable.name}(${missing.join(', ')}), which does not exist at this point.`);
    return;
  }
  const name = c.name ?? (s.policy.dialect === 'mysql' ? mysqlForeignKeyName(table, s.constraintNameTaken(table.schema, table)) : s.chooseConstraintName(table, table.name, columnsAddition(c.columns), 'fkey'));
  const existedBefore = table.createdStep < s.step;
  const fk: ForeignKey = {
    name,
    tableId: table.id,
    columns: [...c.columns],
    refTableId: refTable?.id ?? -1,
    refColumns: [...refColumns],
    refIndex: refTable && referencedIndex(refTable, refColumns, clause.refColumns.length > 0),
    onDelete,
    onUpdate,
    setColumns: clause.setColumns,
    deferrable: c.deferrable,
    initiallyDeferred: c.initiallyDeferred,
    match: clause.match,
    // NOT VALID only has an effect in ALTER TABLE; CREATE TABLE validates (the table is empty).
    validated: !c.notEnforced && !(byAlter && c.notValid),
    enforced: !c.notEnforced,
    location: {
      ...location,
      columnsSpan: c.columnsSpan,
      refTableSpan: clause.refTable.span,
      refColumnsSpan: clause.refColumnsSpan,
      onDeleteSpan: clause.onDeleteSpan,
      onUpdateSpan: clause.onUpdateSpan,
      nameSpan: c.nameSpan,
    },
    step: s.step,
  };
  if (refTable) {
    table.foreignKeys.push(fk);
    s.constraintAdded(table, fk.name);
  } else s.pending.push({ fk, refSchema: s.creationSchema(clause.refTable), refName: clause.refTable.name, unresolved: unresolved('table'), ...(looseFiles ? { loadOrder: true as const } : {}) });
  if (s.policy.createsForeignKeyIndex) ensureForeignKeyIndex(s, table, fk);
  // A column constraint of ALTER TABLE is one of ADD COLUMN (just added): PostgreSQL skips checking the existing
  // rows when that column has no DEFAULT clause (every row holds NULL), whatever the other columns of the statement.
  const column = byAlter && c.columnConstraint ? table.columns.find((x) => x.name === c.columns[0]) : undefined;
  const addColumn = column && { column: column.name, default: column.default, generated: column.generated };
  const tableExistedBefore = byAlter && existedBefore;
  const fkColumns = c.columns.map((name) => table.columns.find((x) => x.name === name));
  const onNewColumns =
    tableExistedBefore && !c.columnConstraint && fkColumns.every((x) => x && x.location.file === s.file && x.default === undefined && !x.generated && !x.identity);
  s.declarations.push({
    fk,
    step: s.step,
    byAlter,
    tableExistedBefore,
    inExplicitTransaction: s.inTransaction,
    checksExistingRows: tableExistedBefore && fk.validated && (!addColumn || addColumn.default !== undefined || addColumn.generated),
    addColumn,
    ...(onNewColumns ? { onNewColumns } : {}),
    names: {
      schema: table.schema,
      table: table.name,
      columns: [...c.columns],
      refSchema: refTable?.schema ?? s.creationSchema(clause.refTable),
      refTable: refTable?.name ?? clause.refTable.name,
      refColumns: [...refColumns],
    },
  });
}

/** The action the engine stores; MySQL's silent SET DEFAULT -> RESTRICT is reported where it was written. */
function storedAction(s: ReplayState, action: ForeignKey['onDelete'], span: Span | undefined, written = false): ForeignKey['onDelete'] {
  const stored = s.policy.storedAction(action, written || span !== undefined);
  if (action === 'SET DEFAULT' && stored !== action && span) {
    s.dialectRule('mysql-set-default-ignored', span, DIALECT_RULES['mysql-set-default-ignored'].message(stored));
  }
  return stored;
}

/** InnoDB: an FK needs an index whose leading columns are the FK's, in order; it creates one when none exists. */
export function ensureForeignKeyIndex(s: ReplayState, table: Table, fk: ForeignKey): void {
  if (table.indexes.some((i) => i.method === 'btree' && startsWithColumns(i.columns, fk.columns))) return;
  // Named after the constraint, or after the first column when the FK was written without a name.
  const base = fk.location.nameSpan ? fk.name : fk.columns[0];
  const name = s.indexNameUsed(table, base) ? mysqlIndexName(table, [base]) : base;
  table.indexes.push({ name, columns: [...fk.columns], expressions: [], include: [], unique: false, method: 'btree', implicit: true, location: fk.location });
}

/** MariaDB drops an index it generated for an FK once a later index covers that FK. */
export function dropCoveredImplicitIndexes(table: Table, columns: (string | null)[]): void {
  table.indexes = table.indexes.filter((i) => !(i.implicit && startsWithColumns(columns, i.columns as string[])));
}

/** FKs waiting for a parent of this table's name now point at it. */
export function bindPending(s: ReplayState, table: Table): void {
  if (!s.pending.length) return;
  const waiting = s.pending.filter((p) => !p.loadOrder && p.refSchema === table.schema && p.refName === table.name);
  bind(s, waiting, table);
}

/**
 * At the end of a file of loose schema files: FKs of earlier files waiting for a parent this file created now
 * point at it, as if the loader had run this whole file first (its indexes and keys included). An FK of this
 * file whose parent only this file creates, after it, is rejected by PostgreSQL whatever the order of the files.
 */
export function bindLoadOrder(s: ReplayState): void {
  if (!s.pending.some((p) => p.loadOrder)) return;
  for (const p of s.pending.filter((x) => x.loadOrder)) {
    const id = s.tableIds.get(`${p.refSchema}.${p.refName}`);
    const table = id === undefined ? undefined : s.tables.get(id);
    if (!table) continue;
    if (p.fk.step === s.step) {
      s.pending = s.pending.filter((x) => x !== p);
      if (!s.tables.has(p.fk.tableId)) continue;
      s.unresolved.push(p.unresolved);
      s.problems.push({ file: p.fk.location.file, span: p.unresolved.refTableSpan ?? p.fk.location.span, severity: 'error', code: 'fk-target-missing', message: missingTargetMessage(s, p.unresolved), step: p.fk.step });
    } else bind(s, [p], table);
  }
}

function bind(s: ReplayState, waiting: PendingForeignKey[], table: Table): void {
  if (!waiting.length) return;
  s.pending = s.pending.filter((p) => !waiting.includes(p));
  for (const { fk } of waiting) {
    const child = s.tables.get(fk.tableId);
    if (!child) continue;
    if (!fk.refColumns.length && table.primaryKey) fk.refColumns = [...table.primaryKey.columns];
    fk.refTableId = table.id;
    fk.refIndex = referencedIndex(table, fk.refColumns, true);
    child.foreignKeys.push(fk);
    s.constraintAdded(child, fk.name);
  }
}

/** An FK of loose schema files whose parent no file creates before it, in its own file or in the folder. */
function missingTargetMessage(s: ReplayState, u: UnresolvedForeignKey): string {
  const where = s.pending.some((p) => p.unresolved === u) ? 'no file of this folder creates' : 'is only created later in the same file';
  const table = u.table.startsWith(`${s.policy.defaultSchema}.`) ? u.table.slice(s.policy.defaultSchema.length + 1) : u.table;
  return `Foreign key on ${table} (${u.columns.join(', ')}) references ${u.refTable}, which ${where}: PostgreSQL would reject this statement, in whatever order the files are loaded.`;
}

/** Problems only the whole history can tell: FKs still without a parent, SQLite FKs nobody enforces. */
export function endOfHistoryProblems(s: ReplayState, foreignKeys: ForeignKey[]): ReplayProblem[] {
  const out: ReplayProblem[] = [];
  for (const p of s.pending) {
    if (!s.tables.has(p.fk.tableId)) continue;
    if (p.loadOrder) {
      out.push({ file: p.fk.location.file, span: p.fk.location.refTableSpan ?? p.fk.location.span, severity: 'error', code: 'fk-target-missing', message: missingTargetMessage(s, p.unresolved), step: p.fk.step });
      continue;
    }
    out.push({
      file: p.fk.location.file,
      span: p.fk.location.refTableSpan ?? p.fk.location.span,
      severity: 'warning',
      code: 'fk-target-missing',
      message: `Foreign key ${p.fk.name} references ${p.refName}, which no file creates (or which is dropped and not re-created): every insert into the child table would fail.`,
      step: p.fk.step,
    });
  }
  if (s.policy.dialect === 'sqlite' && !s.sqliteForeignKeysOn && foreignKeys.length) {
    const first = [...foreignKeys].sort((a, b) => a.step - b.step)[0];
    out.push({
      file: first.location.file,
      span: first.location.span,
      severity: DIALECT_RULES['sqlite-foreign-keys-off'].severity,
      code: 'sqlite-foreign-keys-off',
      message: DIALECT_RULES['sqlite-foreign-keys-off'].message(foreignKeys.length),
      step: first.step,
    });
  }
  return out;
}

export function dropConstraint(s: ReplayState, table: Table, name: string, ifExists: boolean, span: Span): void {
  const fk = table.foreignKeys.find((f) => f.name === name);
  if (fk) {
    dropForeignKeys(s, table, (f) => f === fk);
    return;
  }
  const waiting = s.pending.find((p) => p.fk.tableId === table.id && p.fk.name === name);
  if (waiting) {
    s.pending = s.pending.filter((p) => p !== waiting);
    return;
  }
  const key = table.primaryKey?.name === name ? table.primaryKey : table.uniques.find((u) => u.name === name);
  if (key) {
    if (key === table.primaryKey) setPrimaryKey(s, table, undefined);
    else dropUniques(s, table, (u) => u === key);
    const index = table.indexes.find((i) => i.constraint === name);
    table.indexes = table.indexes.filter((i) => i !== index);
    s.indexOwners.delete(`${table.schema}.${name}`);
    // FKs depend on the key's index: DROP ... CASCADE drops them (without CASCADE PostgreSQL refuses).
    if (index && s.policy.dropKeyDropsForeignKeys) dropDependentForeignKeys(s, index);
    else if (index) repointDependentForeignKeys(s, index);
    if (index && s.policy.createsForeignKeyIndex) for (const f of table.foreignKeys) ensureForeignKeyIndex(s, table, f);
    if (index) s.indexesDropped(table, [index], span);
    return;
  }
  if (table.checks.includes(name)) {
    for (const n of table.checks) if (n === name) s.constraintRemoved(table, n);
    table.checks = table.checks.filter((n) => n !== name);
    return;
  }
  if (!ifExists) s.problem('unknown-constraint', span, `Constraint ${name} does not exist on ${table.name} at this point (it may be a CHECK or NOT NULL constraint FK Lens does not track).`);
}

/** A key dropped under FKs that stay (MySQL, SQLite): they now rely on another unique index, if any. */
function repointDependentForeignKeys(s: ReplayState, index: Index): void {
  for (const other of s.tables.values()) {
    for (const fk of other.foreignKeys) {
      if (fk.refIndex !== index) continue;
      const parent = s.tables.get(fk.refTableId);
      fk.refIndex = parent && referencedIndex(parent, fk.refColumns, true);
    }
  }
}

/** MySQL: dropping the index of a PRIMARY KEY / UNIQUE drops the key. */
export function dropKeyOf(s: ReplayState, table: Table, constraint: string): void {
  if (table.primaryKey?.name === constraint) setPrimaryKey(s, table, undefined);
  dropUniques(s, table, (u) => u.name === constraint);
}

export function dropDependentForeignKeys(s: ReplayState, index: Index): void {
  for (const other of s.tables.values()) dropForeignKeys(s, other, (f) => f.refIndex === index);
}

// Keys, FKs and CHECKs leave a table through these (and enter by push + constraintAdded), so that the state's
// index of constraint names (nameIndex.ts) stays equal to the names the tables bear.

/** Sets or removes a table's primary key. */
export function setPrimaryKey(s: ReplayState, table: Table, key: KeyConstraint | undefined): void {
  if (table.primaryKey) s.constraintRemoved(table, table.primaryKey.name);
  table.primaryKey = key;
  if (key) s.constraintAdded(table, key.name);
}

/** Removes the UNIQUE keys of a table that `drop` selects. */
export function dropUniques(s: ReplayState, table: Table, drop: (key: KeyConstraint) => boolean): void {
  const kept = table.uniques.filter((u) => !drop(u));
  if (kept.length === table.uniques.length) return;
  for (const u of table.uniques) if (!kept.includes(u)) s.constraintRemoved(table, u.name);
  table.uniques = kept;
}

/** Removes the FKs of a table that `drop` selects. */
export function dropForeignKeys(s: ReplayState, table: Table, drop: (fk: ForeignKey) => boolean): void {
  const kept = table.foreignKeys.filter((f) => !drop(f));
  if (kept.length === table.foreignKeys.length) return;
  const keptSet = new Set(kept);
  for (const f of table.foreignKeys) if (!keptSet.has(f)) s.constraintRemoved(table, f.name);
  table.foreignKeys = kept;
}

/** The parent's unique index an FK depends on (PostgreSQL's confindid): its primary key's when no columns were written. */
function referencedIndex(refTable: Table, refColumns: string[], explicitColumns: boolean): Index | undefined {
  return explicitColumns
    ? refTable.indexes.find((i) => i.unique && i.where === undefined && i.columns.every((x) => x !== null) && sameSet(i.columns as string[], refColumns))
    : refTable.indexes.find((i) => i.constraint === refTable.primaryKey?.name);
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
