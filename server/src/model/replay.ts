/**
 * Replays a history's schema events in migration order into the schema model, as PostgreSQL would
 * apply them. One migration file is one step. Step-level facts that later checks need (was the table
 * there before this step? did the FK's target exist when it was declared?) are recorded as they happen,
 * so a step is always judged against the schema as it stood before it, never against the final one.
 */
import type {
  AlterTableCommand,
  AlterTableEvent,
  ColumnDefinition,
  ConstraintDefinition,
  CreateIndexEvent,
  CreateTableEvent,
  DropEvent,
  QualifiedName,
  RenameEvent,
  SchemaEvent,
  SourceFile,
} from '../sources/events';
import type { Span } from '../sources/text';
import type { History, MigrationTool } from '../workspace/discovery';
import { chooseName, columnsAddition } from './names';
import { dialectPolicy, mysqlForeignKeyName, mysqlIndexName, startsWithColumns, type DialectPolicy } from './dialect';
import { DIALECT_RULES, type DialectRuleId } from './dialectRules';
import type { Column, ForeignKey, Index, KeyConstraint, SourceLocation, Table } from './schema';
import { qualifiedName } from './schema';

export interface ReplayProblem {
  file: string;
  span: Span;
  severity: 'error' | 'warning' | 'info';
  code:
    | 'unknown-table'
    | 'unknown-column'
    | 'unknown-constraint'
    | 'unknown-index'
    | 'duplicate-table'
    | 'fk-target-missing'
    | DialectRuleId;
  message: string;
  step: number;
}

/** A foreign key as it was declared by one statement, with the facts of that moment. */
export interface ForeignKeyDeclaration {
  fk: ForeignKey;
  step: number;
  /** Declared by ALTER TABLE (ADD CONSTRAINT / ADD COLUMN ... REFERENCES), not inside CREATE TABLE. */
  byAlter: boolean;
  /** The child table existed before this step (so ALTER TABLE must scan and lock it). */
  tableExistedBefore: boolean;
  /** Inside an explicit BEGIN ... COMMIT of this file. */
  inExplicitTransaction: boolean;
}

export interface ConstraintValidation {
  fk: ForeignKey;
  step: number;
  location: SourceLocation;
  inExplicitTransaction: boolean;
}

/** An FK whose statement would fail: its referenced table or columns did not exist at that point. */
export interface UnresolvedForeignKey {
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  reason: 'table' | 'columns' | 'no-primary-key';
  location: SourceLocation;
  refTableSpan?: Span;
  step: number;
}

export interface MigrationStep {
  index: number;
  file: string;
}

export interface HistoryModel {
  history: History;
  sources: SourceFile[];
  steps: MigrationStep[];
  tables: Table[];
  foreignKeys: ForeignKey[];
  tableById: Map<number, Table>;
  declarations: ForeignKeyDeclaration[];
  validations: ConstraintValidation[];
  unresolved: UnresolvedForeignKey[];
  problems: ReplayProblem[];
}

const DEFAULT_SEARCH_PATH = ['$user', 'public'];

export function replayHistory(history: History, sources: SourceFile[], untilStep = sources.length): HistoryModel {
  const replay = new Replay(history, sources);
  for (let step = 0; step < Math.min(untilStep, sources.length); step++) replay.applyFile(step);
  return replay.result();
}

/** The replay state just before one step, kept so that edits at or after that step replay only from there. */
export interface ReplayCheckpoint {
  step: number;
  /** The sources of the steps before `step` the state was built from (by identity). */
  sources: SourceFile[];
  replay: Replay;
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
  let replay: Replay;
  let step: number;
  if (usable) {
    replay = checkpoint.replay.clone(history, sources);
    step = checkpoint.step;
  } else {
    replay = new Replay(history, sources);
    step = 0;
  }
  let next: ReplayCheckpoint | undefined = usable ? checkpoint : undefined;
  for (; step < sources.length; step++) {
    if (step === checkpointAt && next?.step !== step) next = { step, sources: sources.slice(0, step), replay: replay.clone(history, sources) };
    replay.applyFile(step);
  }
  return { model: replay.result(), checkpoint: next };
}

export class Replay {
  private nextId = 1;
  private readonly tables = new Map<number, Table>();
  private readonly tableIds = new Map<string, number>();
  /** schema.indexName -> table id */
  private readonly indexOwners = new Map<string, number>();
  private readonly schemas = new Set<string>(['public', 'pg_catalog', 'information_schema']);
  private searchPath = DEFAULT_SEARCH_PATH;
  private readonly policy: DialectPolicy;
  /** MySQL FOREIGN_KEY_CHECKS / SQLite PRAGMA foreign_keys, as the last statement set it. */
  private foreignKeyChecks = true;
  /** Some file of the history turns SQLite's FK enforcement on. */
  private sqliteForeignKeysOn = false;
  /** FKs whose parent does not exist (yet, or any more), waiting for a table of that name (see DialectPolicy.foreignKeysByName). */
  private pending: PendingForeignKey[] = [];
  private step = 0;
  private file = '';
  /** Temporary tables of the migration being replayed (each migration runs in a fresh session). */
  private temporaryTables = new Set<string>();
  /** Materialized views and the migration tool's own tables, by qualified name: not modelled, not missing. */
  private untracked = new Set<string>();
  private inTransaction = false;
  private readonly declarations: ForeignKeyDeclaration[] = [];
  private readonly validations: ConstraintValidation[] = [];
  private readonly unresolved: UnresolvedForeignKey[] = [];
  private readonly problems: ReplayProblem[] = [];

  constructor(
    private readonly history: History,
    private readonly sources: SourceFile[],
  ) {
    this.policy = dialectPolicy(history.dialect, history.mysqlServer);
    if (this.policy.dialect !== 'postgres') {
      this.searchPath = [this.policy.defaultSchema];
      this.schemas.add(this.policy.defaultSchema);
    }
  }

  /** A deep copy of the state, so the copy can go on replaying while this one stays as it is. */
  clone(history: History, sources: SourceFile[]): Replay {
    const copy = new Replay(history, sources);
    const indexes = new Map<Index, Index>();
    const fks = new Map<ForeignKey, ForeignKey>();
    for (const [id, t] of this.tables) {
      const table: Table = {
        ...t,
        columns: t.columns.map((c) => ({ ...c })),
        primaryKey: t.primaryKey && { ...t.primaryKey },
        uniques: t.uniques.map((u) => ({ ...u })),
        indexes: t.indexes.map((i) => {
          const index = { ...i };
          indexes.set(i, index);
          return index;
        }),
        foreignKeys: t.foreignKeys.map((f) => {
          const fk = { ...f };
          fks.set(f, fk);
          return fk;
        }),
        checks: [...t.checks],
        inherits: [...t.inherits],
      };
      copy.tables.set(id, table);
    }
    copy.pending = this.pending.map((p) => {
      const fk = { ...p.fk };
      fks.set(p.fk, fk);
      return { ...p, fk };
    });
    for (const fk of fks.values()) if (fk.refIndex) fk.refIndex = indexes.get(fk.refIndex);
    copy.foreignKeyChecks = this.foreignKeyChecks;
    copy.sqliteForeignKeysOn = this.sqliteForeignKeysOn;
    copy.nextId = this.nextId;
    for (const [k, v] of this.tableIds) copy.tableIds.set(k, v);
    for (const [k, v] of this.indexOwners) copy.indexOwners.set(k, v);
    for (const s of this.schemas) copy.schemas.add(s);
    for (const r of this.untracked) copy.untracked.add(r);
    copy.declarations.push(...this.declarations.map((d) => ({ ...d, fk: fks.get(d.fk) ?? d.fk })));
    copy.validations.push(...this.validations.map((v) => ({ ...v, fk: fks.get(v.fk) ?? v.fk })));
    copy.unresolved.push(...this.unresolved);
    copy.problems.push(...this.problems);
    return copy;
  }

  applyFile(step: number): void {
    const source = this.sources[step];
    this.step = step;
    this.file = source.path;
    this.searchPath = this.policy.dialect === 'postgres' ? DEFAULT_SEARCH_PATH : [this.policy.defaultSchema]; // every migration runs in a fresh session
    this.foreignKeyChecks = true;
    this.inTransaction = false;
    this.temporaryTables.clear();
    for (const event of source.events) {
      this.file = event.file ?? source.path;
      this.apply(event);
    }
  }

  result(): HistoryModel {
    const tables = [...this.tables.values()];
    const foreignKeys = tables.flatMap((t) => t.foreignKeys);
    const live = new Set(foreignKeys);
    return {
      history: this.history,
      sources: this.sources,
      steps: this.sources.map((s, index) => ({ index, file: s.path })),
      tables,
      foreignKeys,
      tableById: new Map(this.tables),
      declarations: this.declarations.filter((d) => live.has(d.fk)),
      validations: this.validations,
      unresolved: [...this.unresolved, ...this.pending.filter((p) => this.tables.has(p.fk.tableId)).map((p) => p.unresolved)],
      problems: [...this.problems, ...this.endOfHistoryProblems(foreignKeys)],
    };
  }

  private apply(event: SchemaEvent): void {
    switch (event.kind) {
      case 'create_table':
        return this.createTable(event);
      case 'alter_table':
        return this.alterTable(event);
      case 'create_index':
        return this.createIndex(event);
      case 'drop_table':
      case 'drop_index':
      case 'drop_schema':
        return this.drop(event);
      case 'drop_view':
        return;
      case 'untracked_relation':
        if (event.relation === 'temporary table') this.temporaryTables.add(event.table.name);
        else this.untracked.add(`${this.creationSchema(event.table)}.${event.table.name}`);
        return;
      case 'rename_table':
      case 'rename_column':
      case 'rename_constraint':
      case 'rename_index':
      case 'rename_schema':
        return this.rename(event);
      case 'set_schema': {
        if (event.objectKind !== 'table') return;
        const table = this.lookup(event.target, !event.ifExists);
        if (!table) return;
        this.unregister(table);
        table.schema = event.newSchema;
        this.register(table);
        return;
      }
      case 'create_schema':
        this.schemas.add(event.name);
        return;
      case 'set_search_path':
        this.searchPath = event.schemas;
        // MySQL `USE db` names an existing database.
        if (this.policy.dialect !== 'postgres') for (const schema of event.schemas) this.schemas.add(schema);
        return;
      case 'foreign_key_checks':
        this.foreignKeyChecks = event.enabled;
        if (event.enabled && this.policy.dialect === 'sqlite') this.sqliteForeignKeysOn = true;
        return;
      case 'begin':
        this.inTransaction = true;
        return;
      case 'commit':
      case 'rollback':
        this.inTransaction = false;
        return;
    }
  }

  // ------------------------------------------------------------------------------------------ names

  private loc(span: Span): SourceLocation {
    return { file: this.file, span };
  }

  private problem(code: ReplayProblem['code'], span: Span, message: string, severity: ReplayProblem['severity'] = 'info'): void {
    this.problems.push({ file: this.file, span, severity, code, message, step: this.step });
  }

  private creationSchema(name: QualifiedName): string {
    if (name.schema) return name.schema;
    return this.searchPath.find((s) => s !== '$user' && this.schemas.has(s)) ?? this.policy.defaultSchema;
  }

  private lookup(name: QualifiedName, report = true): Table | undefined {
    // pg_temp comes first in the search path: an unqualified name of this session's temporary table means it.
    if ((!name.schema || name.schema === 'pg_temp') && this.temporaryTables.has(name.name)) return undefined;
    if (name.schema) {
      const id = this.tableIds.get(`${name.schema}.${name.name}`);
      if (id !== undefined) return this.tables.get(id);
    } else {
      for (const schema of this.searchPath) {
        const id = schema === '$user' ? undefined : this.tableIds.get(`${schema}.${name.name}`);
        if (id !== undefined) return this.tables.get(id);
      }
    }
    const untracked = name.schema ? [`${name.schema}.${name.name}`] : this.searchPath.map((s) => `${s}.${name.name}`);
    if (untracked.some((n) => this.untracked.has(n)) || this.isToolTable(name)) return undefined;
    if (report) {
      this.problem('unknown-table', name.span, `Table ${name.schema ? name.schema + '.' : ''}${name.name} is not created by any file FK Lens read before this point; this statement is skipped in the model.`);
    }
    return undefined;
  }

  /** The migration tool's own bookkeeping table (TOOL_TABLES), in the schema it creates it in. */
  private isToolTable(name: QualifiedName): boolean {
    return !!TOOL_TABLES[this.history.tool]?.includes(name.name) && (name.schema ?? this.creationSchema(name)) === this.policy.defaultSchema;
  }

  private register(table: Table): void {
    this.tableIds.set(qualifiedName(table), table.id);
    if (!this.policy.indexNamesPerTable) for (const index of table.indexes) this.indexOwners.set(`${table.schema}.${index.name}`, table.id);
  }

  private unregister(table: Table): void {
    this.tableIds.delete(qualifiedName(table));
    if (!this.policy.indexNamesPerTable) for (const index of table.indexes) this.indexOwners.delete(`${table.schema}.${index.name}`);
  }

  /** Registers an index name: per schema (PostgreSQL, SQLite) or only on its table (MySQL). */
  private registerIndex(table: Table, name: string): void {
    if (!this.policy.indexNamesPerTable) this.indexOwners.set(`${table.schema}.${name}`, table.id);
  }

  /** Is an index name taken where the engine would look for a clash? */
  private indexNameUsed(table: Table, name: string): boolean {
    if (this.policy.indexNamesPerTable) return table.indexes.some((i) => i.name === name);
    return this.relationNameUsed(table.schema, name) || table.indexes.some((i) => i.name === name);
  }

  private relationNameUsed(schema: string, name: string): boolean {
    return this.tableIds.has(`${schema}.${name}`) || this.indexOwners.has(`${schema}.${name}`);
  }

  private constraintNameUsed(schema: string, name: string, table?: Table): boolean {
    // PostgreSQL checks the namespace for any constraint of that name.
    if (table && constraintNames(table).includes(name)) return true;
    for (const t of this.tables.values()) {
      if (t.schema === schema && constraintNames(t).includes(name)) return true;
    }
    return false;
  }

  // ------------------------------------------------------------------------------------------ CREATE TABLE

  private createTable(event: CreateTableEvent): void {
    const schema = this.creationSchema(event.table);
    if (this.tableIds.has(`${schema}.${event.table.name}`)) {
      if (!event.ifNotExists) {
        this.problem('duplicate-table', event.table.span, `Table ${schema}.${event.table.name} already exists at this point; PostgreSQL would reject this CREATE TABLE.`, 'warning');
      }
      return;
    }
    const table: Table = {
      id: this.nextId++,
      schema,
      name: event.table.name,
      columns: [],
      uniques: [],
      indexes: [],
      foreignKeys: [],
      checks: [],
      partitioned: event.partitioned,
      inherits: [],
      location: this.loc(event.table.span),
      createdStep: this.step,
    };
    const parents = event.partitionOf ? [event.partitionOf] : event.inherits;
    for (const parentName of parents) {
      const parent = this.lookup(parentName);
      if (!parent) continue;
      if (event.partitionOf) table.partitionOf = parent.id;
      else table.inherits.push(parent.id);
      for (const c of parent.columns) {
        if (!table.columns.some((x) => x.name === c.name)) table.columns.push({ ...c });
      }
    }
    for (const like of event.like) {
      const source = this.lookup(like.table);
      if (!source) continue;
      for (const c of source.columns) {
        table.columns.push({
          ...c,
          default: like.including.includes('defaults') ? c.default : undefined,
          identity: like.including.includes('identity') ? c.identity : undefined,
          generated: like.including.includes('generated') ? c.generated : false,
        });
      }
      if (like.including.includes('indexes')) {
        if (source.primaryKey) this.addKey(table, 'primary', source.primaryKey.columns, undefined, table.location);
        for (const u of source.uniques) this.addKey(table, 'unique', u.columns, undefined, table.location);
        for (const ix of source.indexes.filter((i) => !i.constraint)) {
          const columns = ix.columns.map((c) => c ?? 'expr');
          const name = chooseName(table.name, columnsAddition(columns), 'idx', (n) => this.relationNameUsed(schema, n) || table.indexes.some((i) => i.name === n));
          table.indexes.push({ ...ix, name, location: table.location });
        }
      }
    }
    for (const def of event.columns) {
      const existing = table.columns.find((c) => c.name === def.name);
      const column = this.column(def);
      if (existing) Object.assign(existing, { ...column, notNull: existing.notNull || column.notNull });
      else table.columns.push(column);
    }
    this.tables.set(table.id, table);
    this.register(table);
    // Keys first (an FK of this table may reference its own key), then FKs, in declaration order.
    const all: { c: ConstraintDefinition; column?: ColumnDefinition }[] = [
      ...event.columns.flatMap((column) => column.constraints.map((c) => ({ c, column }))),
      ...event.constraints.map((c) => ({ c })),
    ];
    for (const { c } of all) if (c.kind === 'primary' || c.kind === 'unique') this.addConstraint(table, c);
    for (const { c } of all) if (c.kind === 'check') this.addCheck(table, c);
    if (this.policy.dialect === 'sqlite' && !event.withoutRowid) this.markRowidAlias(table, event);
    for (const { c } of all) if (c.kind === 'foreign') this.addForeignKey(table, c, false);
    this.bindPending(table);
  }

  /**
   * SQLite: a single-column `INTEGER PRIMARY KEY` is the rowid itself. Its "index" is the table's own b-tree,
   * which serves lookups of that column like any index does; it is recorded under the name `rowid`.
   */
  private markRowidAlias(table: Table, event: CreateTableEvent): void {
    const pk = table.primaryKey;
    if (!pk || pk.columns.length !== 1) return;
    const def = event.columns.find((c) => c.name === pk.columns[0]);
    if (!def || def.declaredType !== 'integer') return;
    const index = table.indexes.find((i) => i.constraint === pk.name);
    if (index) index.name = 'rowid';
    const column = table.columns.find((c) => c.name === def.name);
    if (column) column.notNull = true;
  }

  private column(def: ColumnDefinition): Column {
    return {
      name: def.name,
      type: def.type,
      notNull: def.notNull,
      default: def.default,
      identity: def.identity,
      generated: def.generated,
      location: this.loc(def.nameSpan),
      notNullLocation: def.notNullSpan ? this.loc(def.notNullSpan) : undefined,
      defaultLocation: def.defaultSpan ? this.loc(def.defaultSpan) : undefined,
    };
  }

  // ------------------------------------------------------------------------------------------ constraints

  /**
   * A CHECK constraint is kept by name only (a later DROP / RENAME CONSTRAINT names it). Unnamed, PostgreSQL
   * calls it <table>_<column>_check when its expression names one column, else <table>_check.
   */
  private addCheck(table: Table, c: ConstraintDefinition): void {
    if (c.name) {
      table.checks.push(c.name);
      return;
    }
    if (this.policy.dialect !== 'postgres') return;
    const only = c.expressionColumns?.length === 1 ? c.expressionColumns[0] : undefined;
    table.checks.push(chooseName(table.name, only, 'check', (n) => this.constraintNameUsed(table.schema, n, table)));
  }

  private addConstraint(table: Table, c: ConstraintDefinition): void {
    if (c.kind === 'foreign') return this.addForeignKey(table, c, true);
    if (c.kind === 'check') return this.addCheck(table, c);
    if (c.kind !== 'primary' && c.kind !== 'unique') return;
    let columns = c.columns;
    if (c.usingIndex) {
      // ADD CONSTRAINT ... USING INDEX: the index becomes the constraint's index and takes its name.
      const index = table.indexes.find((i) => i.name === c.usingIndex);
      if (!index) {
        this.problem('unknown-index', c.span, `Index ${c.usingIndex} is not defined on ${table.name} at this point.`);
        return;
      }
      columns = index.columns.filter((x): x is string => !!x);
      this.indexOwners.delete(`${table.schema}.${index.name}`);
      table.indexes.splice(table.indexes.indexOf(index), 1);
    }
    this.addKey(table, c.kind, columns, c.name, this.loc(c.span), c.include);
  }

  private addKey(table: Table, kind: 'primary' | 'unique', columns: string[], name: string | undefined, location: SourceLocation, include: string[] = []): void {
    const indexName =
      kind === 'primary' && this.policy.primaryKeyName
        ? this.policy.primaryKeyName
        : name ??
          (this.policy.indexNamesPerTable
            ? mysqlIndexName(table, columns)
            : kind === 'primary'
              ? chooseName(table.name, undefined, 'pkey', (n) => this.indexNameUsed(table, n))
              : chooseName(table.name, columnsAddition(columns), 'key', (n) => this.indexNameUsed(table, n)));
    const key: KeyConstraint = { name: indexName, columns: [...columns], location };
    if (kind === 'primary') {
      table.primaryKey = key;
      for (const col of this.policy.primaryKeyImpliesNotNull ? columns : []) {
        const column = table.columns.find((x) => x.name === col);
        if (column) {
          column.notNull = true;
          column.notNullLocation ??= location;
        }
      }
    } else table.uniques.push(key);
    table.indexes.push({ name: indexName, columns: [...columns], expressions: [], include, unique: true, method: 'btree', constraint: indexName, location });
    this.registerIndex(table, indexName);
    if (this.policy.createsForeignKeyIndex) this.dropCoveredImplicitIndexes(table, columns);
  }

  private addForeignKey(table: Table, c: ConstraintDefinition, byAlter: boolean): void {
    const clause = c.foreign!;
    const location = this.loc(c.span);
    if (this.policy.dialect === 'mysql' && c.columnConstraint) {
      this.dialectRule('mysql-inline-references', c.span, DIALECT_RULES['mysql-inline-references'].message(this.policy.inlineReferencesCreateForeignKey));
      if (!this.policy.inlineReferencesCreateForeignKey) return;
    }
    const onDelete = this.storedAction(clause.onDelete, clause.onDeleteSpan);
    const onUpdate = this.storedAction(clause.onUpdate, clause.onUpdateSpan);
    const refTable = this.lookup(clause.refTable, false);
    const unresolved = (reason: UnresolvedForeignKey['reason']): UnresolvedForeignKey => ({
      table: qualifiedName(table),
      columns: c.columns,
      refTable: clause.refTable.schema ? `${clause.refTable.schema}.${clause.refTable.name}` : clause.refTable.name,
      refColumns: clause.refColumns,
      reason,
      location,
      refTableSpan: clause.refTable.span,
      step: this.step,
    });
    const declared = (reason: UnresolvedForeignKey['reason'], message: string) => {
      this.unresolved.push(unresolved(reason));
      this.problem('fk-target-missing', clause.refTable.span, message, 'error');
    };
    // SQLite, and MySQL with FOREIGN_KEY_CHECKS=0, accept an FK to a table that does not exist yet.
    const byName = this.policy.foreignKeysByName && (this.policy.dialect === 'sqlite' || !this.foreignKeyChecks);
    if (!refTable && !byName) {
      const engine = this.policy.dialect === 'mysql' ? 'MySQL (with FOREIGN_KEY_CHECKS on)' : 'PostgreSQL';
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
    const name =
      c.name ??
      (this.policy.dialect === 'mysql'
        ? mysqlForeignKeyName(table, (n) => this.constraintNameUsed(table.schema, n, table))
        : chooseName(table.name, columnsAddition(c.columns), 'fkey', (n) => this.constraintNameUsed(table.schema, n, table)));
    const existedBefore = table.createdStep < this.step;
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
      step: this.step,
    };
    if (refTable) table.foreignKeys.push(fk);
    else this.pending.push({ fk, refSchema: this.creationSchema(clause.refTable), refName: clause.refTable.name, unresolved: unresolved('table') });
    if (this.policy.createsForeignKeyIndex) this.ensureForeignKeyIndex(table, fk);
    this.declarations.push({ fk, step: this.step, byAlter, tableExistedBefore: byAlter && existedBefore, inExplicitTransaction: this.inTransaction });
  }

  // ------------------------------------------------------------------------------------------ dialects

  /** The action the engine stores; MySQL's silent SET DEFAULT -> RESTRICT is reported where it was written. */
  private storedAction(action: ForeignKey['onDelete'], span: Span | undefined): ForeignKey['onDelete'] {
    const stored = this.policy.storedAction(action, span !== undefined);
    if (action === 'SET DEFAULT' && stored !== action && span) {
      this.dialectRule('mysql-set-default-ignored', span, DIALECT_RULES['mysql-set-default-ignored'].message(stored));
    }
    return stored;
  }

  private dialectRule(code: DialectRuleId, span: Span, message: string): void {
    this.problem(code, span, message, DIALECT_RULES[code].severity);
  }

  /** InnoDB: an FK needs an index whose leading columns are the FK's, in order; it creates one when none exists. */
  private ensureForeignKeyIndex(table: Table, fk: ForeignKey): void {
    if (table.indexes.some((i) => i.method === 'btree' && startsWithColumns(i.columns, fk.columns))) return;
    // Named after the constraint, or after the first column when the FK was written without a name.
    const base = fk.location.nameSpan ? fk.name : fk.columns[0];
    const name = this.indexNameUsed(table, base) ? mysqlIndexName(table, [base]) : base;
    table.indexes.push({ name, columns: [...fk.columns], expressions: [], include: [], unique: false, method: 'btree', implicit: true, location: fk.location });
  }

  /** MariaDB drops an index it generated for an FK once a later index covers that FK. */
  private dropCoveredImplicitIndexes(table: Table, columns: (string | null)[]): void {
    table.indexes = table.indexes.filter((i) => !(i.implicit && startsWithColumns(columns, i.columns as string[])));
  }

  /** FKs waiting for a parent of this table's name now point at it. */
  private bindPending(table: Table): void {
    if (!this.pending.length) return;
    const waiting = this.pending.filter((p) => p.refSchema === table.schema && p.refName === table.name);
    if (!waiting.length) return;
    this.pending = this.pending.filter((p) => !waiting.includes(p));
    for (const { fk } of waiting) {
      const child = this.tables.get(fk.tableId);
      if (!child) continue;
      if (!fk.refColumns.length && table.primaryKey) fk.refColumns = [...table.primaryKey.columns];
      fk.refTableId = table.id;
      fk.refIndex = referencedIndex(table, fk.refColumns, true);
      child.foreignKeys.push(fk);
    }
  }

  /** Problems only the whole history can tell: FKs still without a parent, SQLite FKs nobody enforces. */
  private endOfHistoryProblems(foreignKeys: ForeignKey[]): ReplayProblem[] {
    const out: ReplayProblem[] = [];
    for (const p of this.pending) {
      if (!this.tables.has(p.fk.tableId)) continue;
      out.push({
        file: p.fk.location.file,
        span: p.fk.location.refTableSpan ?? p.fk.location.span,
        severity: 'warning',
        code: 'fk-target-missing',
        message: `Foreign key ${p.fk.name} references ${p.refName}, which no file creates (or which is dropped and not re-created): every insert into the child table would fail.`,
        step: p.fk.step,
      });
    }
    if (this.policy.dialect === 'sqlite' && !this.sqliteForeignKeysOn && foreignKeys.length) {
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

  // ------------------------------------------------------------------------------------------ ALTER TABLE

  private alterTable(event: AlterTableEvent): void {
    const table = this.lookup(event.table, !event.ifExists);
    if (!table) return;
    for (const command of event.commands) this.alterCommand(table, command);
  }

  private findColumn(table: Table, name: string, span: Span): Column | undefined {
    const column = table.columns.find((c) => c.name === name);
    if (!column) this.problem('unknown-column', span, `Column ${name} does not exist on ${table.name} at this point.`);
    return column;
  }

  private alterCommand(table: Table, command: AlterTableCommand): void {
    switch (command.kind) {
      case 'add_column': {
        if (table.columns.some((c) => c.name === command.column.name)) {
          if (!command.ifNotExists) this.problem('unknown-column', command.span, `Column ${command.column.name} already exists on ${table.name}.`);
          return;
        }
        table.columns.push(this.column(command.column));
        for (const c of command.column.constraints) this.addConstraint(table, c);
        // ADD COLUMN ... REFERENCES on an existing table is an ALTER-time FK (validated right away).
        return;
      }
      case 'drop_column': {
        if (!table.columns.some((c) => c.name === command.column)) {
          if (!command.ifExists) this.findColumn(table, command.column, command.span);
          return;
        }
        this.dropColumn(table, command.column);
        return;
      }
      case 'alter_type': {
        const column = this.findColumn(table, command.column, command.span);
        if (column) column.type = command.type;
        return;
      }
      case 'set_not_null': {
        const column = this.findColumn(table, command.column, command.span);
        if (column) {
          column.notNull = true;
          column.notNullLocation = this.loc(command.span);
        }
        return;
      }
      case 'drop_not_null': {
        const column = this.findColumn(table, command.column, command.span);
        if (column) {
          column.notNull = false;
          column.notNullLocation = undefined;
        }
        return;
      }
      case 'set_default': {
        const column = this.findColumn(table, command.column, command.span);
        if (column) {
          column.default = command.default;
          column.defaultLocation = this.loc(command.span);
        }
        return;
      }
      case 'drop_default': {
        const column = this.findColumn(table, command.column, command.span);
        if (column) {
          column.default = undefined;
          column.defaultLocation = undefined;
        }
        return;
      }
      case 'add_identity': {
        const column = this.findColumn(table, command.column, command.span);
        if (column) {
          column.identity = command.identity;
          column.notNull = true;
        }
        return;
      }
      case 'drop_identity': {
        const column = this.findColumn(table, command.column, command.span);
        if (column) column.identity = undefined;
        return;
      }
      case 'add_constraint':
        this.addConstraint(table, command.constraint);
        return;
      case 'redefine_column': {
        const column = this.findColumn(table, command.from, command.span);
        if (!column) return;
        if (command.from !== command.column.name) this.renameColumn(table, command.from, command.column.name);
        const def = this.column(command.column);
        Object.assign(column, { type: def.type, notNull: def.notNull || !!table.primaryKey?.columns.includes(def.name), default: def.default, notNullLocation: def.notNullLocation, defaultLocation: def.defaultLocation });
        for (const c of command.column.constraints) this.addConstraint(table, c);
        return;
      }
      case 'drop_constraint':
        this.dropConstraint(table, command.name, command.ifExists, command.span);
        return;
      case 'validate_constraint': {
        const fk = table.foreignKeys.find((f) => f.name === command.name);
        if (fk) {
          fk.validated = fk.enforced;
          fk.validatedAt = { ...this.loc(command.span), step: this.step };
          this.validations.push({ fk, step: this.step, location: this.loc(command.span), inExplicitTransaction: this.inTransaction });
        } else if (!constraintNames(table).includes(command.name)) {
          this.problem('unknown-constraint', command.span, `Constraint ${command.name} does not exist on ${table.name} at this point.`);
        }
        return;
      }
      case 'alter_constraint': {
        const fk = table.foreignKeys.find((f) => f.name === command.name);
        if (fk && command.deferrable !== undefined) {
          fk.deferrable = command.deferrable;
          fk.initiallyDeferred = !!command.initiallyDeferred;
        }
        return;
      }
      case 'attach_partition': {
        const partition = this.lookup(command.partition);
        if (partition) partition.partitionOf = table.id;
        return;
      }
      case 'detach_partition': {
        const partition = this.lookup(command.partition);
        if (partition) partition.partitionOf = undefined;
        return;
      }
      case 'inherit': {
        const parent = this.lookup(command.parent);
        if (parent && !table.inherits.includes(parent.id)) table.inherits.push(parent.id);
        return;
      }
      case 'no_inherit': {
        const parent = this.lookup(command.parent);
        if (parent) table.inherits = table.inherits.filter((id) => id !== parent.id);
        return;
      }
    }
  }

  private dropColumn(table: Table, name: string): void {
    table.columns = table.columns.filter((c) => c.name !== name);
    table.foreignKeys = table.foreignKeys.filter((f) => !f.columns.includes(name));
    for (const other of this.tables.values()) {
      other.foreignKeys = other.foreignKeys.filter((f) => !(f.refTableId === table.id && f.refColumns.includes(name)));
    }
    for (const index of table.indexes.filter((i) => i.columns.includes(name) || i.include.includes(name))) {
      this.indexOwners.delete(`${table.schema}.${index.name}`);
    }
    table.indexes = table.indexes.filter((i) => !i.columns.includes(name) && !i.include.includes(name));
    if (table.primaryKey?.columns.includes(name)) table.primaryKey = undefined;
    table.uniques = table.uniques.filter((u) => !u.columns.includes(name));
  }

  private dropConstraint(table: Table, name: string, ifExists: boolean, span: Span): void {
    const fk = table.foreignKeys.find((f) => f.name === name);
    if (fk) {
      table.foreignKeys = table.foreignKeys.filter((f) => f !== fk);
      return;
    }
    const waiting = this.pending.find((p) => p.fk.tableId === table.id && p.fk.name === name);
    if (waiting) {
      this.pending = this.pending.filter((p) => p !== waiting);
      return;
    }
    const key = table.primaryKey?.name === name ? table.primaryKey : table.uniques.find((u) => u.name === name);
    if (key) {
      if (key === table.primaryKey) table.primaryKey = undefined;
      else table.uniques = table.uniques.filter((u) => u !== key);
      const index = table.indexes.find((i) => i.constraint === name);
      table.indexes = table.indexes.filter((i) => i !== index);
      this.indexOwners.delete(`${table.schema}.${name}`);
      // FKs depend on the key's index: DROP ... CASCADE drops them (without CASCADE PostgreSQL refuses).
      if (index && this.policy.dropKeyDropsForeignKeys) this.dropDependentForeignKeys(index);
      else if (index) this.repointDependentForeignKeys(index);
      if (index && this.policy.createsForeignKeyIndex) for (const f of table.foreignKeys) this.ensureForeignKeyIndex(table, f);
      return;
    }
    if (table.checks.includes(name)) {
      table.checks = table.checks.filter((n) => n !== name);
      return;
    }
    if (!ifExists) this.problem('unknown-constraint', span, `Constraint ${name} does not exist on ${table.name} at this point (it may be a CHECK or NOT NULL constraint FK Lens does not track).`);
  }

  // ------------------------------------------------------------------------------------------ indexes

  private createIndex(event: CreateIndexEvent): void {
    const table = this.lookup(event.table);
    if (!table) return;
    const columns = event.elements.map((e) => e.column ?? null);
    // MariaDB drops an index it generated for an FK as soon as another index covers the FK (name included).
    if (this.policy.createsForeignKeyIndex && event.method === 'btree') this.dropCoveredImplicitIndexes(table, columns);
    const name =
      event.name ??
      (this.policy.indexNamesPerTable
        ? mysqlIndexName(table, columns)
        : chooseName(
            table.name,
            columnsAddition(event.elements.map((e) => e.column ?? e.expression ?? 'expr')),
            'idx',
            (n) => this.relationNameUsed(table.schema, n),
          ));
    if (this.policy.indexNamesPerTable ? this.indexNameUsed(table, name) : this.relationNameUsed(table.schema, name)) {
      const where = this.policy.indexNamesPerTable ? `on table ${table.name}` : `in schema ${table.schema}`;
      if (!event.ifNotExists) this.problem('unknown-index', event.nameSpan ?? event.table.span, `An index named ${name} already exists ${where}.`, 'warning');
      return;
    }
    const index: Index = {
      name,
      columns,
      expressions: event.elements.filter((e) => !e.column).map((e) => e.expression ?? 'expr'),
      include: event.include,
      unique: event.unique,
      method: event.method,
      where: event.where,
      whereNotNullColumns: event.whereNotNullColumns,
      location: this.loc(event.nameSpan ?? event.statement),
    };
    table.indexes.push(index);
    this.registerIndex(table, name);
  }

  private findIndex(name: QualifiedName, onTable?: QualifiedName): { table: Table; index: Index } | undefined {
    if (onTable) {
      const table = this.lookup(onTable);
      const index = table?.indexes.find((i) => i.name === name.name);
      return table && index ? { table, index } : undefined;
    }
    const candidates = name.schema ? [name.schema] : this.searchPath.filter((s) => s !== '$user');
    for (const schema of candidates) {
      const id = this.indexOwners.get(`${schema}.${name.name}`);
      const table = id !== undefined ? this.tables.get(id) : undefined;
      const index = table?.indexes.find((i) => i.name === name.name);
      if (table && index) return { table, index };
    }
    return undefined;
  }

  // ------------------------------------------------------------------------------------------ DROP, RENAME

  private drop(event: DropEvent): void {
    for (const name of event.names) {
      if (event.kind === 'drop_table') {
        const table = this.lookup(name, !event.ifExists);
        if (table) this.dropTable(table);
      } else if (event.kind === 'drop_index') {
        const found = this.findIndex(name, event.table);
        if (!found) {
          if (!event.ifExists) this.problem('unknown-index', name.span, `Index ${name.name} does not exist at this point.`);
          continue;
        }
        found.table.indexes = found.table.indexes.filter((i) => i !== found.index);
        this.indexOwners.delete(`${found.table.schema}.${found.index.name}`);
        if (found.index.constraint) this.dropKeyOf(found.table, found.index.constraint);
        if (event.cascade) this.dropDependentForeignKeys(found.index);
        // InnoDB re-creates an index for an FK that no other index covers any more.
        if (this.policy.createsForeignKeyIndex) for (const fk of found.table.foreignKeys) this.ensureForeignKeyIndex(found.table, fk);
      } else if (event.kind === 'drop_schema') {
        for (const table of [...this.tables.values()].filter((t) => t.schema === name.name)) this.dropTable(table);
        this.schemas.delete(name.name);
      }
    }
  }

  /** A key dropped under FKs that stay (MySQL, SQLite): they now rely on another unique index, if any. */
  private repointDependentForeignKeys(index: Index): void {
    for (const other of this.tables.values()) {
      for (const fk of other.foreignKeys) {
        if (fk.refIndex !== index) continue;
        const parent = this.tables.get(fk.refTableId);
        fk.refIndex = parent && referencedIndex(parent, fk.refColumns, true);
      }
    }
  }

  /** MySQL: dropping the index of a PRIMARY KEY / UNIQUE drops the key. */
  private dropKeyOf(table: Table, constraint: string): void {
    if (table.primaryKey?.name === constraint) table.primaryKey = undefined;
    table.uniques = table.uniques.filter((u) => u.name !== constraint);
  }

  private dropDependentForeignKeys(index: Index): void {
    for (const other of this.tables.values()) other.foreignKeys = other.foreignKeys.filter((f) => f.refIndex !== index);
  }

  private dropTable(table: Table): void {
    if (!this.tables.has(table.id)) return;
    this.tables.delete(table.id);
    this.unregister(table);
    for (const other of this.tables.values()) {
      // SQLite (and MySQL) FKs name their parent: they stay, waiting for a table of that name.
      if (this.policy.foreignKeysByName) {
        for (const fk of other.foreignKeys.filter((f) => f.refTableId === table.id)) {
          this.pending.push({
            fk,
            refSchema: table.schema,
            refName: table.name,
            unresolved: { table: qualifiedName(other), columns: fk.columns, refTable: table.name, refColumns: fk.refColumns, reason: 'table', location: fk.location, refTableSpan: fk.location.refTableSpan, step: this.step },
          });
        }
      }
      other.foreignKeys = other.foreignKeys.filter((f) => f.refTableId !== table.id);
      if (other.partitionOf === table.id) this.dropTable(other);
      other.inherits = other.inherits.filter((id) => id !== table.id);
    }
  }

  private rename(event: RenameEvent): void {
    switch (event.kind) {
      case 'rename_table': {
        const table = this.lookup(event.target, false);
        if (!table) {
          // ALTER TABLE also renames indexes.
          const found = this.findIndex(event.target);
          if (found) this.renameIndex(found.table, found.index, event.to);
          else if (!event.ifExists) this.lookup(event.target);
          return;
        }
        this.unregister(table);
        table.name = event.to;
        this.register(table);
        this.bindPending(table);
        return;
      }
      case 'rename_column': {
        const table = this.lookup(event.target, !event.ifExists);
        if (!table) return;
        const column = this.findColumn(table, event.from, event.target.span);
        if (!column) return;
        this.renameColumn(table, event.from, event.to);
        return;
      }
      case 'rename_constraint': {
        const table = this.lookup(event.target, !event.ifExists);
        if (!table) return;
        const fk = table.foreignKeys.find((f) => f.name === event.from);
        if (fk) {
          fk.name = event.to;
          return;
        }
        const index = table.indexes.find((i) => i.constraint === event.from);
        if (index) this.renameIndex(table, index, event.to);
        else if (table.checks.includes(event.from)) table.checks = table.checks.map((n) => (n === event.from ? event.to : n));
        else this.problem('unknown-constraint', event.target.span, `Constraint ${event.from} does not exist on ${table.name} at this point.`);
        return;
      }
      case 'rename_index': {
        const found = this.findIndex(event.target, event.table);
        if (found) this.renameIndex(found.table, found.index, event.to);
        else if (!event.ifExists) this.problem('unknown-index', event.target.span, `Index ${event.target.name} does not exist at this point.`);
        return;
      }
      case 'rename_schema': {
        if (!this.schemas.has(event.from)) return;
        this.schemas.delete(event.from);
        this.schemas.add(event.to);
        for (const table of [...this.tables.values()].filter((t) => t.schema === event.from)) {
          this.unregister(table);
          table.schema = event.to;
          this.register(table);
        }
        return;
      }
    }
  }

  /** Renames a column everywhere it is named: keys, indexes, this table's FKs and the FKs that reference it. */
  private renameColumn(table: Table, from: string, to: string): void {
    const column = table.columns.find((c) => c.name === from);
    if (column) column.name = to;
    const swap = (list: string[]) => list.map((c) => (c === from ? to : c));
    const swapNullable = (list: (string | null)[]) => list.map((c) => (c === from ? to : c));
    if (table.primaryKey) table.primaryKey.columns = swap(table.primaryKey.columns);
    for (const u of table.uniques) u.columns = swap(u.columns);
    for (const i of table.indexes) {
      i.columns = swapNullable(i.columns);
      i.include = swap(i.include);
      if (i.whereNotNullColumns) i.whereNotNullColumns = swap(i.whereNotNullColumns);
    }
    for (const fk of table.foreignKeys) {
      fk.columns = swap(fk.columns);
      if (fk.setColumns) fk.setColumns = swap(fk.setColumns);
    }
    for (const other of this.tables.values()) {
      for (const fk of other.foreignKeys) if (fk.refTableId === table.id) fk.refColumns = swap(fk.refColumns);
    }
  }

  /** Renaming a constraint's index renames the constraint, and the other way round. */
  private renameIndex(table: Table, index: Index, to: string): void {
    this.indexOwners.delete(`${table.schema}.${index.name}`);
    if (index.constraint) {
      const key = table.primaryKey?.name === index.constraint ? table.primaryKey : table.uniques.find((u) => u.name === index.constraint);
      if (key) key.name = to;
      index.constraint = to;
    }
    index.name = to;
    this.indexOwners.set(`${table.schema}.${to}`, table.id);
  }
}

function constraintNames(table: Table): string[] {
  return [
    ...(table.primaryKey ? [table.primaryKey.name] : []),
    ...table.uniques.map((u) => u.name),
    ...table.foreignKeys.map((f) => f.name),
    ...table.checks,
  ];
}

/** The parent's unique index an FK depends on (PostgreSQL's confindid): its primary key's when no columns were written. */
function referencedIndex(refTable: Table, refColumns: string[], explicitColumns: boolean): Index | undefined {
  return explicitColumns
    ? refTable.indexes.find((i) => i.unique && i.where === undefined && i.columns.every((x) => x !== null) && sameSet(i.columns as string[], refColumns))
    : refTable.indexes.find((i) => i.constraint === refTable.primaryKey?.name);
}

/** An FK whose parent table does not exist at this point; it binds to the next table of that name. */
interface PendingForeignKey {
  fk: ForeignKey;
  refSchema: string;
  refName: string;
  unresolved: UnresolvedForeignKey;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * The tables a migration tool creates for its own bookkeeping (its documented defaults): migrations may touch
 * them (harbor adds a column to golang-migrate's schema_migrations), and they are not the project's schema.
 */
const TOOL_TABLES: Partial<Record<MigrationTool, string[]>> = {
  'golang-migrate': ['schema_migrations'],
  dbmate: ['schema_migrations'],
  goose: ['goose_db_version'],
  flyway: ['flyway_schema_history'],
  diesel: ['__diesel_schema_migrations'],
  prisma: ['_prisma_migrations'],
  popx: ['schema_migration'],
  knex: ['knex_migrations', 'knex_migrations_lock'],
  typeorm: ['migrations'],
};
