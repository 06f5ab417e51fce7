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
import type { ConstraintValidation, ForeignKeyDeclaration, IndexLoss, PendingForeignKey, RenameFact, ReplayProblem, UnresolvedForeignKey } from './types';

const DEFAULT_SEARCH_PATH = ['$user', 'public'];

export class ReplayState {
  nextId = 1;
  readonly tables = new Map<number, Table>();
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

  /** A deep copy of the state, so the copy can go on replaying while this one stays as it is. */
  clone(history: History, sources: SourceFile[]): ReplayState {
    const copy = new ReplayState(history, sources);
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
    copy.renames.push(...this.renames);
    copy.indexLosses.push(...this.indexLosses.map((l) => ({ ...l, fk: fks.get(l.fk) ?? l.fk })));
    copy.validations.push(...this.validations.map((v) => ({ ...v, fk: fks.get(v.fk) ?? v.fk })));
    copy.unresolved.push(...this.unresolved);
    copy.problems.push(...this.problems);
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

  relationNameUsed(schema: string, name: string): boolean {
    return this.tableIds.has(`${schema}.${name}`) || this.indexOwners.has(`${schema}.${name}`);
  }

  /**
   * The test `chooseName` asks while picking a constraint's default name: PostgreSQL looks for any constraint
   * of that name in the namespace. The names are collected once per choice (a choice may try many candidates).
   */
  constraintNameTaken(schema: string, table: Table): (name: string) => boolean {
    let used: Set<string> | undefined;
    return (name) => {
      if (!used) {
        used = new Set(constraintNames(table));
        for (const t of this.tables.values()) if (t.schema === schema) for (const n of constraintNames(t)) used.add(n);
      }
      return used.has(name);
    };
  }
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
};
