/**
 * Schema events: what a reader extracts from one source file, in file order, with exact source ranges.
 * Readers never look at the model; the replay (model/replay/) turns events into schema state.
 */
import type { LineIndex, Span } from './text';

/** `clickhouse` and `mssql` (SQL Server) are recognised only to be left out: FK Lens does not read them. */
export type Dialect = 'postgres' | 'mysql' | 'sqlite' | 'cockroach' | 'clickhouse' | 'mssql';

/** Referential actions, spelled as PostgreSQL spells them. */
export type FkAction = 'NO ACTION' | 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'SET DEFAULT';
export type FkMatch = 'SIMPLE' | 'FULL' | 'PARTIAL';

/** PostgreSQL's table lock modes, as LOCK TABLE names them, weakest first. */
export const LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

/** A possibly schema-qualified name as written, with the range of the whole name. */
export interface QualifiedName {
  schema?: string;
  name: string;
  span: Span;
}

export interface ColumnDefinition {
  name: string;
  nameSpan: Span;
  /** Type as PostgreSQL's format_type prints it (serial types become their integer type). */
  type: string;
  /** Type as written, lower case (e.g. `bigserial`, `varchar(20)`). */
  declaredType: string;
  typeSpan?: Span;
  notNull: boolean;
  notNullSpan?: Span;
  /** SQL text of the DEFAULT expression, or an implied default (`nextval(...)` for serial). */
  default?: string;
  defaultSpan?: Span;
  identity?: 'ALWAYS' | 'BY DEFAULT';
  serial: boolean;
  generated: boolean;
  /** Column constraints other than NOT NULL / DEFAULT, already given the column as their column list. */
  constraints: ConstraintDefinition[];
  span: Span;
}

export interface ConstraintDefinition {
  kind: 'primary' | 'unique' | 'foreign' | 'check' | 'exclusion';
  name?: string;
  nameSpan?: Span;
  columns: string[];
  /** Range of the column list (or of the column name, for a column constraint). */
  columnsSpan?: Span;
  /** Whole clause, from CONSTRAINT (or the keyword) to its end. */
  span: Span;
  /** True when written on a column (`col int REFERENCES t`). */
  columnConstraint: boolean;
  /** `UNIQUE USING INDEX idx` / `PRIMARY KEY USING INDEX idx`. */
  usingIndex?: string;
  include?: string[];
  nullsNotDistinct?: boolean;
  deferrable: boolean;
  initiallyDeferred: boolean;
  notValid: boolean;
  notEnforced: boolean;
  foreign?: ForeignKeyClause;
  /** CHECK: the distinct columns its expression names (PostgreSQL names an unnamed check after the only one). */
  expressionColumns?: string[];
}

export interface ForeignKeyClause {
  refTable: QualifiedName;
  /** As written; empty when the clause has no column list (then it means the parent's primary key). */
  refColumns: string[];
  refColumnsSpan?: Span;
  onDelete: FkAction;
  onUpdate: FkAction;
  onDeleteSpan?: Span;
  onUpdateSpan?: Span;
  /** The SQL the tool sends writes both actions, also those the source leaves out (Prisma writes its defaults). */
  actionsWritten?: true;
  /** PG15 `ON DELETE SET NULL (cols)` / `SET DEFAULT (cols)`; null when not given. */
  setColumns: string[] | null;
  match: FkMatch;
  /** PG18 temporal FK (`PERIOD col`). */
  period: boolean;
}

export interface IndexElement {
  /** Column name, or undefined for an expression. */
  column?: string;
  expression?: string;
  /** The columns an expression element refers to (`(user_id::text)`: user_id), when the reader knows them. */
  expressionColumns?: string[];
}

interface EventBase {
  /** The whole statement this event came from. */
  statement: Span;
  /** The file the ranges point into, when not the file whose events these are (a Prisma schema spread over several files). */
  file?: string;
  /**
   * JS / TS migrations: the run-time conditions the statement runs under, outermost first (model/replay/conditions.ts
   * decides them). Absent: it always runs.
   */
  conditions?: EventCondition[];
}

/**
 * A run-time condition of a JS / TS migration (`if`, `try` / `catch`, a loop, a `hasTable` guard). The replay
 * decides `has_table` / `has_column` from the model when the first statement under it is reached; under an
 * `unknown` test a statement applies only where it fits the model, and of its two arms only the first one that
 * applied anything counts; a statement skipped on such a guess makes the history partial.
 */
export interface EventCondition {
  /** Identifies the condition within its file: every statement under it shares one decision. */
  id: number;
  test: { kind: 'has_table'; table: QualifiedName } | { kind: 'has_column'; table: QualifiedName; column: string } | { kind: 'unknown' };
  /** The statement runs when the test fails (an `else` branch, after `if (test) return`, a `catch`). */
  negated: boolean;
  /** Where the condition is written (its test, or a loop's / `try`'s head), for messages. */
  span?: Span;
}

export interface CreateTableEvent extends EventBase {
  kind: 'create_table';
  table: QualifiedName;
  ifNotExists: boolean;
  columns: ColumnDefinition[];
  constraints: ConstraintDefinition[];
  like: { table: QualifiedName; including: string[]; excluding: string[] }[];
  inherits: QualifiedName[];
  partitionOf?: QualifiedName;
  partitioned: boolean;
  /** CREATE TABLE ... AS / SELECT INTO: columns unknown. */
  asQuery: boolean;
  /** SQLite `WITHOUT ROWID`: an INTEGER PRIMARY KEY is then not an alias of the rowid. */
  withoutRowid?: boolean;
}

export type AlterTableCommand =
  | { kind: 'add_column'; column: ColumnDefinition; ifNotExists: boolean; span: Span }
  | { kind: 'drop_column'; column: string; ifExists: boolean; cascade: boolean; span: Span }
  | { kind: 'alter_type'; column: string; type: string; declaredType: string; span: Span }
  | { kind: 'set_not_null'; column: string; span: Span }
  | { kind: 'drop_not_null'; column: string; span: Span }
  | { kind: 'set_default'; column: string; default: string; span: Span }
  | { kind: 'drop_default'; column: string; span: Span }
  | { kind: 'add_identity'; column: string; identity: 'ALWAYS' | 'BY DEFAULT'; span: Span }
  | { kind: 'drop_identity'; column: string; span: Span }
  | { kind: 'add_constraint'; constraint: ConstraintDefinition; span: Span }
  | { kind: 'drop_constraint'; name: string; ifExists: boolean; cascade: boolean; span: Span; nameSpan?: Span }
  | { kind: 'validate_constraint'; name: string; span: Span; nameSpan?: Span }
  | { kind: 'alter_constraint'; name: string; deferrable?: boolean; initiallyDeferred?: boolean; span: Span }
  | { kind: 'attach_partition'; partition: QualifiedName; span: Span }
  | { kind: 'detach_partition'; partition: QualifiedName; span: Span }
  | { kind: 'inherit'; parent: QualifiedName; span: Span }
  | { kind: 'no_inherit'; parent: QualifiedName; span: Span }
  /** MySQL `MODIFY [COLUMN] c def` / `CHANGE [COLUMN] old new def`: the column is redefined (and maybe renamed). */
  | { kind: 'redefine_column'; from: string; column: ColumnDefinition; span: Span };

export interface AlterTableEvent extends EventBase {
  kind: 'alter_table';
  table: QualifiedName;
  only: boolean;
  ifExists: boolean;
  commands: AlterTableCommand[];
}

export interface CreateIndexEvent extends EventBase {
  kind: 'create_index';
  name?: string;
  nameSpan?: Span;
  table: QualifiedName;
  only: boolean;
  elements: IndexElement[];
  include: string[];
  unique: boolean;
  nullsNotDistinct: boolean;
  method: string;
  /** SQL text of the WHERE predicate. */
  where?: string;
  /** Columns the predicate requires to be non-null, when it is a conjunction of `col IS NOT NULL` tests only. */
  whereNotNullColumns?: string[];
  concurrently: boolean;
  ifNotExists: boolean;
}

export interface DropEvent extends EventBase {
  kind: 'drop_table' | 'drop_index' | 'drop_schema' | 'drop_view';
  names: QualifiedName[];
  /** MySQL `DROP INDEX i ON t` / `ALTER TABLE t DROP INDEX i`: index names are per table there. */
  table?: QualifiedName;
  ifExists: boolean;
  cascade: boolean;
  /** DROP INDEX CONCURRENTLY. */
  concurrently?: boolean;
}

export interface RenameEvent extends EventBase {
  kind: 'rename_table' | 'rename_column' | 'rename_constraint' | 'rename_index' | 'rename_schema';
  /** Table (or index / schema) the rename applies to. */
  target: QualifiedName;
  ifExists: boolean;
  /** Old name of the column / constraint (for rename_table / rename_index: the object's own name). */
  from: string;
  to: string;
  toSpan?: Span;
  /** MySQL `ALTER TABLE t RENAME INDEX a TO b`: the table whose index is renamed. */
  table?: QualifiedName;
}

export interface SetSchemaEvent extends EventBase {
  kind: 'set_schema';
  objectKind: 'table' | 'index' | 'other';
  target: QualifiedName;
  ifExists: boolean;
  newSchema: string;
}

export interface CreateSchemaEvent extends EventBase {
  kind: 'create_schema';
  name: string;
  ifNotExists: boolean;
}

export interface SearchPathEvent extends EventBase {
  kind: 'set_search_path';
  schemas: string[];
}

/**
 * MySQL `SET FOREIGN_KEY_CHECKS = 0|1` (FKs to missing tables are accepted while off) and SQLite
 * `PRAGMA foreign_keys = ON|OFF` (SQLite enforces declared FKs only while on).
 */
export interface ForeignKeyChecksEvent extends EventBase {
  kind: 'foreign_key_checks';
  enabled: boolean;
}

/**
 * A relation FK Lens does not model but statements may name: a temporary table (CREATE TEMP TABLE [AS], gone
 * with the migration's session) or a materialized view. An index or ALTER on it is about it, not about a
 * missing table.
 */
export interface UntrackedRelationEvent extends EventBase {
  kind: 'untracked_relation';
  relation: 'temporary table' | 'materialized view';
  table: QualifiedName;
}

export interface TransactionEvent extends EventBase {
  kind: 'begin' | 'commit' | 'rollback';
}

/** TRUNCATE [TABLE] [ONLY] t [, ...] [CASCADE]: the data goes, the tables stay. */
export interface TruncateEvent extends EventBase {
  kind: 'truncate';
  names: QualifiedName[];
  cascade: boolean;
}

/** LOCK [TABLE] t [, ...] [IN mode MODE] (ACCESS EXCLUSIVE when no mode is written). */
export interface LockTableEvent extends EventBase {
  kind: 'lock_table';
  names: QualifiedName[];
  mode: LockMode;
}

/**
 * `SET [SESSION | LOCAL] lock_timeout`, `RESET lock_timeout`, `SELECT set_config('lock_timeout', v, is_local)`:
 * how long a later statement of the session (or, LOCAL, of the transaction) waits for a lock before it fails.
 */
export interface LockTimeoutEvent extends EventBase {
  kind: 'set_lock_timeout';
  /** The value as written (`5s`, `5000`); `DEFAULT` for RESET / SET ... DEFAULT. */
  value: string;
  /** False when the value turns the timeout off (0, or the server default, which is off unless configured). */
  enabled: boolean;
  local: boolean;
}

export type SchemaEvent =
  | CreateTableEvent
  | AlterTableEvent
  | CreateIndexEvent
  | DropEvent
  | RenameEvent
  | SetSchemaEvent
  | CreateSchemaEvent
  | SearchPathEvent
  | ForeignKeyChecksEvent
  | UntrackedRelationEvent
  | TransactionEvent
  | TruncateEvent
  | LockTableEvent
  | LockTimeoutEvent;

/** A problem found while reading a file (syntax error, unreadable construct). */
export interface SourceProblem {
  severity: 'error' | 'warning' | 'info';
  /**
   * `not-read`: a file FK Lens deliberately does not read because another one holds its result (a Rails app's
   * Ruby migrations beside db/schema.rb); unlike `unsupported`, never a gap of the history.
   */
  code: 'syntax-error' | 'unsupported' | 'schema-error' | 'not-read';
  message: string;
  span: Span;
}

/** Everything one reader extracted from one file. */
export interface SourceFile {
  /** Workspace-relative path with `/`. */
  path: string;
  dialect: Dialect;
  /** Number of statements recognised (parsed or not). */
  statementCount: number;
  /** Ranges of every statement, in order. */
  statements: Span[];
  events: SchemaEvent[];
  problems: SourceProblem[];
  /** Line index of the text that was read (same offsets and lines as the file). */
  lines: LineIndex;
}
