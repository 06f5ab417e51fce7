/**
 * What a replay produces: the model of one history, and the facts of each step that later checks need
 * (recorded as they happen, so a step is judged against the schema as it stood before it).
 */
import type { LockMode, SourceFile } from '../../sources/events';
import type { Span } from '../../sources/text';
import type { History } from '../../workspace/discovery';
import type { DialectRuleId } from '../dialectRules';
import type { ForeignKey, SourceLocation, Table } from '../schema';

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
    /** A statement skipped on a guess about a run-time condition FK Lens could not decide (replay/conditions.ts): a gap. */
    | 'unsupported'
    | DialectRuleId;
  message: string;
  step: number;
}

/** Table and column names as they were at one step (a later RENAME does not change them). */
export interface NamesAtStep {
  schema: string;
  table: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
}

/**
 * A foreign key as it was declared by one statement, with the facts of that moment. Every declaration of the
 * history is kept, also of FKs a later step drops or replaces (`fk` is then no longer in the model).
 */
export interface ForeignKeyDeclaration {
  fk: ForeignKey;
  step: number;
  /** Declared by ALTER TABLE (ADD CONSTRAINT / ADD COLUMN ... REFERENCES), not inside CREATE TABLE. */
  byAlter: boolean;
  /** The child table existed before this step (so ALTER TABLE must scan and lock it). */
  tableExistedBefore: boolean;
  /** Inside an explicit BEGIN ... COMMIT of this file. */
  inExplicitTransaction: boolean;
  /**
   * PostgreSQL checks the existing rows of the child when the statement runs: declared by ALTER TABLE on a
   * table that existed before, enforced, not NOT VALID, and not a column constraint of ADD COLUMN without a
   * DEFAULT clause (the new column is NULL in every row, and PostgreSQL skips the check).
   */
  checksExistingRows: boolean;
  /**
   * A table constraint whose columns this same migration added to the existing table without a DEFAULT (so they
   * hold only NULLs): declared on the column in its ADD COLUMN, PostgreSQL would add the key without a check.
   */
  onNewColumns?: boolean;
  /** Written on the column of `ADD COLUMN`: its name and the DEFAULT it was added with (`NULL` when written so). */
  addColumn?: { column: string; default?: string; generated: boolean };
  /** The names at this step. */
  names: NamesAtStep;
}

/** A table or column renamed by a step (`tableId` is the renamed table, or the column's table). */
export interface RenameFact {
  kind: 'table' | 'column';
  tableId: number;
  from: string;
  to: string;
  location: SourceLocation;
  step: number;
}

/**
 * A step after which an FK is no longer served by any index, because the step dropped the index that served it
 * (DROP INDEX, DROP CONSTRAINT of a key, DROP COLUMN of another indexed column).
 */
export interface IndexLoss {
  fk: ForeignKey;
  /** The index dropped, as it was named then. */
  index: string;
  location: SourceLocation;
  step: number;
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

/** Why a statement locks a table (see locks.ts). */
export type LockReason =
  /** The statement names it (ALTER / CREATE INDEX / TRUNCATE / LOCK / RENAME ... ON it). */
  | 'named'
  /** CREATE TABLE creates it. */
  | 'created'
  /** DROP TABLE / DROP SCHEMA drops it. */
  | 'dropped'
  /** It is the referenced table of an FK the statement adds, drops, re-creates or validates (its FK triggers live there). */
  | 'fk-parent'
  /** It references a table or key the statement drops, truncates or re-types (CASCADE, FK re-created). */
  | 'fk-child'
  /** A partition or inheritance child the statement recurses into, or the partitioned / inheritance parent it attaches to. */
  | 'partition'
  /** CREATE TABLE ... (LIKE t) reads t's definition. */
  | 'like';

/** One table a statement locks, with the strongest mode it takes there. */
export interface TableLock {
  tableId: number;
  /** The table as it was named before the statement. */
  schema: string;
  table: string;
  mode: LockMode;
  /**
   * `scan`: the statement reads every row of the table under the lock (validating its FK or CHECK, a NOT NULL
   * check, an index build); `rewrite`: it writes the table anew; `none`: it changes the catalog only, or (the
   * referenced table of an FK being checked) only looks keys up in it.
   */
  scan: 'none' | 'scan' | 'rewrite';
  reason: LockReason;
  /** The constraint through which it is locked (fk-parent, fk-child). */
  via?: string;
  /** The step that created the table (this step for a table the statement, or an earlier one of its migration, creates). */
  createdStep: number;
  /** A foreign key references the table just before the statement (or the statement adds one that does). */
  referenced: boolean;
}

/** Where a lock_timeout in effect for a statement was set. */
export interface LockTimeoutSetting {
  file: string;
  span: Span;
  value: string;
  /** SET LOCAL / set_config(..., true): only until the end of the transaction. */
  local: boolean;
  /** Set inside an explicit BEGIN ... COMMIT. */
  inExplicitTransaction: boolean;
}

/**
 * The table locks of one statement of a PostgreSQL history that touches a table taking part in a foreign key,
 * as PostgreSQL takes them (model/replay/locks.ts): recorded during the replay, so names are as they were.
 */
export interface StatementLocks {
  step: number;
  file: string;
  statement: Span;
  /** The statement in a few words, e.g. `ALTER TABLE items DROP CONSTRAINT items_order_id_fkey` (names quoted as SQL). */
  summary: string;
  /** The ranges of the table names the statement itself writes (what a hover on the statement may point at). */
  names: Span[];
  /** One entry per table, strongest mode first. */
  locks: TableLock[];
  /** CREATE / DROP INDEX CONCURRENTLY: runs outside a transaction, in several short transactions. */
  concurrently: boolean;
  inExplicitTransaction: boolean;
  /** The last lock_timeout set earlier in the statement's session or transaction, if it is still in effect. */
  lockTimeout?: LockTimeoutSetting;
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
  /** Every FK declaration of the history, in replay order (also of FKs dropped later). */
  declarations: ForeignKeyDeclaration[];
  renames: RenameFact[];
  indexLosses: IndexLoss[];
  validations: ConstraintValidation[];
  unresolved: UnresolvedForeignKey[];
  problems: ReplayProblem[];
  /** PostgreSQL histories: what each statement touching an FK table locks (model/replay/locks.ts). */
  locks: StatementLocks[];
}

/** An FK whose parent table does not exist at this point; it binds to the next table of that name. */
export interface PendingForeignKey {
  fk: ForeignKey;
  refSchema: string;
  refName: string;
  unresolved: UnresolvedForeignKey;
  /**
   * A PostgreSQL FK of a folder of loose schema files whose parent was missing when its file was read: it waits for
   * a later file to create it (the load order is the loader's, not the names'), and is an error if none does.
   */
  loadOrder?: true;
}
