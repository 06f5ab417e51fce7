/**
 * What a database engine does differently with the same DDL, as data the replay consults. PostgreSQL is the
 * reference; MySQL's facts are InnoDB's as MariaDB 10.11 shows them (the corpus truth), SQLite's are 3.40's.
 */
import type { Dialect, FkAction } from '../sources/events';

/** Which server a MySQL-dialect project targets (setting `fklens.mysql.server`). */
export type MysqlServer = 'mysql' | 'mariadb';

export interface DialectPolicy {
  dialect: Dialect;
  /** Schema (database) of unqualified names when no USE / search_path says otherwise. */
  defaultSchema: string;
  /** Index names are unique per table (MySQL), not per schema. */
  indexNamesPerTable: boolean;
  /** Name of a primary key written without one; undefined: the PostgreSQL rule (`<table>_pkey`). */
  primaryKeyName?: string;
  /** The engine creates an index on an FK's columns when no index starts with them (InnoDB). */
  createsForeignKeyIndex: boolean;
  /**
   * FKs name their parent: they may be declared before it exists and outlive its drop, binding to whatever
   * table has that name later (SQLite always; MySQL, whose FOREIGN_KEY_CHECKS=0 dumps rely on it).
   */
  foreignKeysByName: boolean;
  /** A column-level `col INT REFERENCES t(id)` creates an FK. */
  inlineReferencesCreateForeignKey: boolean;
  /** Dropping a key FKs depend on also drops those FKs (PostgreSQL's CASCADE); elsewhere the FKs stay. */
  dropKeyDropsForeignKeys: boolean;
  /** PRIMARY KEY makes its columns NOT NULL (SQLite keeps them nullable, except INTEGER PRIMARY KEY). */
  primaryKeyImpliesNotNull: boolean;
  /** The action the engine stores for one written (or, `written` false, left out). */
  storedAction(action: FkAction, written: boolean): FkAction;
}

const postgres: DialectPolicy = {
  dialect: 'postgres',
  defaultSchema: 'public',
  indexNamesPerTable: false,
  createsForeignKeyIndex: false,
  foreignKeysByName: false,
  inlineReferencesCreateForeignKey: true,
  dropKeyDropsForeignKeys: true,
  primaryKeyImpliesNotNull: true,
  storedAction: (action) => action,
};

const sqlite: DialectPolicy = {
  ...postgres,
  dialect: 'sqlite',
  defaultSchema: 'main',
  foreignKeysByName: true,
  dropKeyDropsForeignKeys: false,
  primaryKeyImpliesNotNull: false,
};

function mysql(server: MysqlServer): DialectPolicy {
  return {
    dialect: 'mysql',
    defaultSchema: 'default',
    indexNamesPerTable: true,
    primaryKeyName: 'PRIMARY',
    createsForeignKeyIndex: true,
    foreignKeysByName: true,
    // MariaDB 10.5+ turns a column-level REFERENCES into an FK; MySQL parses and ignores it.
    inlineReferencesCreateForeignKey: server === 'mariadb',
    dropKeyDropsForeignKeys: false,
    primaryKeyImpliesNotNull: true,
    // InnoDB stores no SET DEFAULT (it behaves as RESTRICT) and RESTRICT when no action is written.
    storedAction: (action, written) => (!written || action === 'SET DEFAULT' ? 'RESTRICT' : action),
  };
}

export function dialectPolicy(dialect: Dialect = 'postgres', mysqlServer: MysqlServer = DEFAULT_MYSQL_SERVER): DialectPolicy {
  if (dialect === 'mysql') return mysql(mysqlServer);
  if (dialect === 'sqlite') return sqlite;
  return postgres;
}

/** MySQL is the more common server; its behaviour (inline REFERENCES ignored) is the one users are surprised by. */
export const DEFAULT_MYSQL_SERVER: MysqlServer = 'mysql';

/** Do an index's leading columns equal `columns`, in order (InnoDB's rule for an index serving an FK)? */
export function startsWithColumns(index: (string | null)[], columns: string[]): boolean {
  return index.length >= columns.length && columns.every((c, i) => index[i] === c);
}

/** MySQL names an unnamed index after its first column: `col`, then `col_2`, `col_3`... on the same table. */
export function mysqlIndexName(table: { indexes: { name: string }[] }, columns: (string | null)[]): string {
  const base = columns.find((c): c is string => !!c) ?? 'idx';
  const used = (n: string) => table.indexes.some((i) => i.name === n);
  if (!used(base)) return base;
  for (let n = 2; ; n++) if (!used(`${base}_${n}`)) return `${base}_${n}`;
}

/** InnoDB's name for an unnamed FK: `<table>_ibfk_<n>`, n one above the highest already on the table. */
export function mysqlForeignKeyName(table: { name: string; foreignKeys: { name: string }[] }, used: (name: string) => boolean): string {
  const prefix = `${table.name}_ibfk_`;
  let n = 0;
  for (const fk of table.foreignKeys) if (fk.name.startsWith(prefix)) n = Math.max(n, Number(fk.name.slice(prefix.length)) || 0);
  for (n++; used(prefix + n); n++);
  return prefix + n;
}
