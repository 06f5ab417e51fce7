/**
 * The state of one replay: tables by id and by name, index and schema namespaces, the search path, and the
 * facts recorded so far. The statement families (tables.ts, constraints.ts, alter.ts, indexes.ts,
 * renames.ts) change it; this file holds the name resolution they share.
 */
import type { QualifiedName, SourceFile } from '../../sources/events';
import type { MigrationTool } from '../../sources/migrationFile';
import type { Span } from '../../sources/text';
import type { History } from '../../workspace/discovery';
import { dialectPolicy, type DialectPolicy } from '../dialect';
import { DIALECT_RULES, type DialectRuleId } from '../dialectRules';
import type { ForeignKey, Index, SourceLocation, Table } from '../schema';
import { qualifiedName } from '../schema';
import { hasServingIndex, indexServes } from '../indexing';
import type { LockSession } from './locks';
import { ConstraintNameIndex } from './nameIndex';
import { chooseName, makeObjectName, nameFamily } from '../names';
import type { ConstraintValidation, ForeignKeyDeclaration, IndexLoss, PendingForeignKey, RenameFact, ReplayProblem, StatementLocks, UnresolvedForeignKey } from './types';

const DEFAULT_SEARCH_PATH = ['$user', 'public'];

/**
 * The tables of a replay, shared with the checkpoint the replay was cloned from (structural sharing): a table is
 * copied the first time this replay reaches it (get, values, entries), so the checkpoint and every model built
 * from it keep theirs. Reading without copying: peek, peekValues (for code that only looks).
 */
export class TableMap {
  private map: Map<number, Table>;
  /** The tables this replay created or copied: its own, free to change. */
  private owned = new Set<Table>();

  constructor(
    private readonly state: ReplayState,
    from?: TableMap,
  ) {
    this.map = new Map(from?.map);
  }

  get size(): number {
    return this.map.size;
  }

  has(id: number): boolean {
    return this.map.has(id);
  }

  get(id: number): Table | undefined {
    const table = this.map.get(id);
    return table && this.own(table);
  }

  /** Adds a table (its constraint names enter the state's name index with it). */
  set(id: number, table: Table): this {
    const old = this.map.get(id);
    if (old) this.state.constraintNameIndex.removeTable(old);
    this.map.set(id, table);
    this.owned.add(table);
    this.state.constraintNameIndex.addTable(table);
    return this;
  }

  /** Removes a table (and its constraint names from the state's name index). */
  delete(id: number): boolean {
    const table = this.map.get(id);
    if (table) this.state.constraintNameIndex.removeTable(table);
    return this.map.delete(id);
  }

  keys(): IterableIterator<number> {
    return this.map.keys();
  }

  /** Every table, as this replay's own copy (copies the ones it does not own yet). */
  *values(): IterableIterator<Table> {
    for (const table of [...this.map.values()]) yield this.own(table);
  }

  *entries(): IterableIterator<[number, Table]> {
    for (const table of [...this.map.values()]) yield [table.id, this.own(table)];
  }

  [Symbol.iterator](): IterableIterator<[number, Table]> {
    return this.entries();
  }

  /** A table without copying it: for reading only. */
  peek(id: number): Table | undefined {
    return this.map.get(id);
  }

  /** Every table without copying: for reading only. */
  peekValues(): IterableIterator<Table> {
    return this.map.values();
  }

  /** From now on every table is shared (with a clone): the next write to one copies it first. */
  disown(): void {
    this.owned = new Set();
  }

  /** This replay's copy of a table: the table itself once owned, else a copy (columns, keys, FKs; indexes shared). */
  own(table: Table): Table {
    if (this.owned.has(table)) return table;
    const copy: Table = {
      ...table,
      columns: table.columns.map((c) => ({ ...c })),
      primaryKey: table.primaryKey && { ...table.primaryKey, columns: [...table.primaryKey.columns] },
      uniques: table.uniques.map((u) => ({ ...u, columns: [...u.columns] })),
      // Index objects are shared and never changed in place (a rename replaces the object, replaceIndex):
      // FKs of other tables point at them (refIndex), and that identity must hold across copies.
      indexes: [...table.indexes],
      foreignKeys: table.foreignKeys.map((f) => {
        const fk = { ...f, columns: [...f.columns], refColumns: [...f.refColumns] };
        this.state.replacedForeignKey(f, fk);
        return fk;
      }),
      checks: [...table.checks],
      inherits: [...table.inherits],
    };
    this.map.set(table.id, copy);
    this.owned.add(copy);
    return copy;
  }
}

export class ReplayState {
  nextId = 1;
  /** The constraint names of each schema, in step with the tables (nameIndex.ts): what default names avoid. */
  readonly constraintNameIndex = new ConstraintNameIndex();
  readonly tables: TableMap = new TableMap(this);
  readonly tableIds = new Map<string, number>();
  /** schema.indexName -> table id */
  readonly indexOwners = new Map<string, number>();
  readonly schemas = new Set<string>(['public', 'pg_catalog', 'information_schema']);
  searchPath = DEFAULT_SEARCH_PATH;
  readonly policy: DialectPolicy;
  /** MySQL FOREIGN_KEY_CHECKS / SQLite PRAGMA foreign_keys, as the last statement set it. */
  foreignKeyChecks = true;
  /** Some file of the history turns SQLite's FK enforcement on. */
  sqliteForeignKeysOn = false;
  /** FKs whose parent does not exist (yet, or any more), waiting for a table of that name (see DialectPolicy.foreignKeysByName). */
  pending: PendingForeignKey[] = [];
  step = 0;
  file = '';
  /** Temporary tables of the migration being replayed (each migration runs in a fresh session). */
  readonly temporaryTables = new Set<string>();
  /** Materialized views and the migration tool's own tables, by qualified name: not modelled, not missing. */
  readonly untracked = new Set<string>();
  inTransaction = false;
  readonly declarations: ForeignKeyDeclaration[] = [];
  readonly renames: RenameFact[] = [];
  readonly indexLosses: IndexLoss[] = [];
  readonly validations: ConstraintValidation[] = [];
  readonly unresolved: UnresolvedForeignKey[] = [];
  readonly problems: ReplayProblem[] = [];
  /** What each statement touching an FK table locks (locks.ts), and the lock_timeout of the migration's session. */
  readonly statementLocks: StatementLocks[] = [];
  lockSession: LockSession = { step: -1 };

  constructor(
    readonly history: History,
    readonly sources: SourceFile[],
  ) {
    this.policy = dialectPolicy(history.dialect, history.mysqlServer);
    if (this.policy.dialect !== 'postgres') {
      this.searchPath = [this.policy.defaultSchema];
      this.schemas.add(this.policy.defaultSchema);
    }
  }

  /** Every migration runs in a fresh session: search path, FK checks, transaction and temporary tables reset. */
  beginStep(step: number): void {
    this.step = step;
    this.file = this.sources[step].path;
    this.searchPath = this.policy.dialect === 'postgres' ? DEFAULT_SEARCH_PATH : [this.policy.defaultSchema];
    this.foreignKeyChecks = true;
    this.inTransaction = false;
    this.temporaryTables.clear();
  }

  /**
   * FK objects replaced by a copy in this replay (old -> new): step facts recorded before the copy name the old
   * object, and are pointed at the current one when they are handed on (clone, the model).
   */
  private readonly fkCopies = new Map<ForeignKey, ForeignKey>();

  replacedForeignKey(from: ForeignKey, to: ForeignKey): void {
    if (from !== to) this.fkCopies.set(from, to);
  }

  /**
   * Changes an index by replacing it (index objects are shared between replays, see TableMap.own): the table
   * (this replay's own) gets the new object, and every FK that depended on the old one now depends on it.
   */
  replaceIndex(table: Table, index: Index, changes: Partial<Index>): Index {
    const changed = { ...index, ...changes };
    table.indexes = table.indexes.map((i) => (i === index ? changed : i));
    for (const other of [...this.tables.peekValues()]) {
      if (!other.foreignKeys.some((f) => f.refIndex === index)) continue;
      for (const fk of this.tables.own(other).foreignKeys) if (fk.refIndex === index) fk.refIndex = changed;
    }
    for (const p of this.pending) if (p.fk.refIndex === index) p.fk.refIndex = changed;
    return changed;
  }

  /** The FK object this replay holds for one named by an earlier step fact. */
  currentForeignKey(fk: ForeignKey): ForeignKey {
    let current = fk;
    for (let next = this.fkCopies.get(current); next; next = this.fkCopies.get(current)) current = next;
    return current;
  }

  /** A step fact naming an FK, pointed at the current FK object (the same entry when it already is). */
  currentFact<T extends { fk: ForeignKey }>(fact: T): T {
    const fk = this.currentForeignKey(fact.fk);
    return fk === fact.fk ? fact : { ...fact, fk };
  }

  /**
   * A copy of the state that goes on replaying while this one stays as it is, by structural sharing: the copy
   * shares every table with this state until one of them writes to it (TableMap copies a table on first access
   * in either replay), and shares the step facts recorded so far (append-only arrays, copied as arrays of
   * references). A step-fact array added to the state is carried over the same way, in the list below.
   */
  clone(history: History, sources: SourceFile[]): ReplayState {
    const copy = new ReplayState(history, sources);
    (copy as { tables: TableMap }).tables = new TableMap(copy, this.tables);
    this.tables.disown();
    (copy as { constraintNameIndex: ConstraintNameIndex }).constraintNameIndex = this.constraintNameIndex.clone();
    // Pending FKs wait outside any table and change when their parent appears: each replay has its own.
    copy.pending = this.pending.map((p) => {
      const fk = { ...this.currentForeignKey(p.fk) };
      copy.replacedForeignKey(p.fk, fk);
      return { ...p, fk };
    });
    copy.foreignKeyChecks = this.foreignKeyChecks;
    copy.sqliteForeignKeysOn = this.sqliteForeignKeysOn;
    copy.nextId = this.nextId;
    for (const [k, v] of this.tableIds) copy.tableIds.set(k, v);
    for (const [k, v] of this.indexOwners) copy.indexOwners.set(k, v);
    for (const s of this.schemas) copy.schemas.add(s);
    for (const r of this.untracked) copy.untracked.add(r);
    // Step facts: the copy's own arrays over the same entries, FK references made current.
    copy.declarations.push(...this.declarations.map((d) => copy.currentFact(this.currentFact(d))));
    copy.renames.push(...this.renames);
    copy.indexLosses.push(...this.indexLosses.map((l) => copy.currentFact(this.currentFact(l))));
    copy.validations.push(...this.validations.map((v) => copy.currentFact(this.currentFact(v))));
    copy.unresolved.push(...this.unresolved);
    copy.problems.push(...this.problems);
    copy.statementLocks.push(...this.statementLocks);
    // A checkpoint lies between two steps, and every step starts a new session.
    copy.lockSession = { step: -1 };
    return copy;
  }

  // ------------------------------------------------------------------------------------------ findings

  loc(span: Span): SourceLocation {
    return { file: this.file, span };
  }

  problem(code: ReplayProblem['code'], span: Span, message: string, severity: ReplayProblem['severity'] = 'info'): void {
    this.problems.push({ file: this.file, span, severity, code, message, step: this.step });
  }

  dialectRule(code: DialectRuleId, span: Span, message: string): void {
    this.problem(code, span, message, DIALECT_RULES[code].severity);
  }

  /** After `removed` left `table`: record each FK of the table that one of them served and no index serves now. */
  indexesDropped(table: Table, removed: Index[], span: Span): void {
    for (const fk of table.foreignKeys) {
      const lost = removed.find((index) => indexServes(index, fk));
      if (lost && !hasServingIndex(fk, table)) this.indexLosses.push({ fk, index: lost.name, location: this.loc(span), step: this.step });
    }
  }

  // ------------------------------------------------------------------------------------------ names

  creationSchema(name: QualifiedName): string {
    if (name.schema) return name.schema;
    return this.searchPath.find((s) => s !== '$user' && this.schemas.has(s)) ?? this.policy.defaultSchema;
  }

  lookup(name: QualifiedName, report = true): Table | undefined {
    if (this.isTemporary(name)) return undefined;
    const id = this.tableIdOf(name);
    if (id !== undefined) return this.tables.get(id);
    const untracked = name.schema ? [`${name.schema}.${name.name}`] : this.searchPath.map((s) => `${s}.${name.name}`);
    if (untracked.some((n) => this.untracked.has(n)) || this.isToolTable(name)) return undefined;
    if (report) {
      this.problem('unknown-table', name.span, `Table ${name.schema ? name.schema + '.' : ''}${name.name} is not created by any file FK Lens read before this point; this statement is skipped in the model.`);
    }
    return undefined;
  }

  /** The table a name means now, for reading only (not copied, nothing reported): see TableMap.peek. */
  peekLookup(name: QualifiedName): Table | undefined {
    const id = this.tableIdOf(name);
    return id === undefined ? undefined : this.tables.peek(id);
  }

  /** pg_temp comes first in the search path: an unqualified name of this session's temporary table means it. */
  private isTemporary(name: QualifiedName): boolean {
    return (!name.schema || name.schema === 'pg_temp') && this.temporaryTables.has(name.name);
  }

  private tableIdOf(name: QualifiedName): number | undefined {
    if (this.isTemporary(name)) return undefined;
    if (name.schema) return this.tableIds.get(`${name.schema}.${name.name}`);
    for (const schema of this.searchPath) {
      const id = schema === '$user' ? undefined : this.tableIds.get(`${schema}.${name.name}`);
      if (id !== undefined) return id;
    }
    return undefined;
  }

  /** The migration tool's own bookkeeping table (TOOL_TABLES), in the schema it creates it in. */
  private isToolTable(name: QualifiedName): boolean {
    return !!TOOL_TABLES[this.history.tool]?.includes(name.name) && (name.schema ?? this.creationSchema(name)) === this.policy.defaultSchema;
  }

  register(table: Table): void {
    this.tableIds.set(qualifiedName(table), table.id);
    if (!this.policy.indexNamesPerTable) for (const index of table.indexes) this.indexOwners.set(`${table.schema}.${index.name}`, table.id);
  }

  unregister(table: Table): void {
    this.tableIds.delete(qualifiedName(table));
    if (!this.policy.indexNamesPerTable) for (const index of table.indexes) this.indexOwners.delete(`${table.schema}.${index.name}`);
  }

  /** Registers an index name: per schema (PostgreSQL, SQLite) or only on its table (MySQL). */
  registerIndex(table: Table, name: string): void {
    if (!this.policy.indexNamesPerTable) this.indexOwners.set(`${table.schema}.${name}`, table.id);
  }

  /** Is an index name taken where the engine would look for a clash? */
  indexNameUsed(table: Table, name: string): boolean {
    if (this.policy.indexNamesPerTable) return table.indexes.some((i) => i.name === name);
    return this.relationNameUsed(table.schema, name) || table.indexes.some((i) => i.name === name);
  }

  /**
   * Is a default name for a PRIMARY KEY / UNIQUE taken? Its index must not clash, and PostgreSQL
   * (ChooseRelationName for a constraint's index) also skips a name any constraint of the schema bears.
   */
  keyNameUsed(table: Table, name: string): boolean {
    return this.indexNameUsed(table, name) || (this.policy.dialect === 'postgres' && this.constraintNameIndex.has(table.schema, name));
  }

  relationNameUsed(schema: string, name: string): boolean {
    return this.tableIds.has(`${schema}.${name}`) || this.indexOwners.has(`${schema}.${name}`);
  }

  /**
   * The test `chooseName` asks while picking a constraint's default name: PostgreSQL looks for any constraint
   * of that name in the namespace (the name index; a table not added to the replay yet is asked itself).
   */
  constraintNameTaken(schema: string, table: Table): (name: string) => boolean {
    const added = this.tables.has(table.id);
    return (name) => this.constraintNameIndex.has(schema, name) || (!added && hasConstraintName(table, name));
  }

  /**
   * The default name of a constraint (FK, CHECK): `name1_name2_label`, `..._label1`, ... the first that no
   * constraint of the table's schema bears (PostgreSQL's ChooseConstraintName).
   */
  chooseConstraintName(table: Table, name1: string, name2: string | undefined, label: string): string {
    const taken = this.constraintNameTaken(table.schema, table);
    const first = makeObjectName(name1, name2, label);
    if (!taken(first)) return first;
    if (!this.tables.has(table.id)) return chooseName(name1, name2, label, taken);
    // A collision: the family's hint skips the candidates an earlier choice found taken.
    const hint = this.constraintNameIndex.hint(table.schema, nameFamily(name1, name2, label));
    hint.pass = Math.max(hint.pass, 1);
    return chooseName(name1, name2, label, taken, hint);
  }

  /** A constraint name appeared on a table (kept in the name index once the table is in the replay). */
  constraintAdded(table: Table, name: string): void {
    if (this.tables.has(table.id)) this.constraintNameIndex.add(table.schema, name);
  }

  /** A constraint name left a table (see constraintAdded). */
  constraintRemoved(table: Table, name: string): void {
    if (this.tables.has(table.id)) this.constraintNameIndex.remove(table.schema, name);
  }

  /** ALTER TABLE SET SCHEMA, ALTER SCHEMA RENAME: the table's name, index names and constraint names move. */
  setSchema(table: Table, schema: string): void {
    this.unregister(table);
    this.constraintNameIndex.removeTable(table);
    table.schema = schema;
    this.constraintNameIndex.addTable(table);
    this.register(table);
  }
}

function hasConstraintName(t: Table, name: string): boolean {
  return t.primaryKey?.name === name || t.uniques.some((u) => u.name === name) || t.foreignKeys.some((f) => f.name === name) || t.checks.includes(name);
}

export function constraintNames(table: Table): string[] {
  return [
    ...(table.primaryKey ? [table.primaryKey.name] : []),
    ...table.uniques.map((u) => u.name),
    ...table.foreignKeys.map((f) => f.name),
    ...table.checks,
  ];
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
  'db-migrate': ['migrations'],
  sequelize: ['SequelizeMeta'],
  'node-pg-migrate': ['pgmigrations'],
};
