/**
 * What a replay produces: the model of one history, and the facts of each step that later checks need
 * (recorded as they happen, so a step is judged against the schema as it stood before it).
 */
import type { SourceFile } from '../../sources/events';
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

/** An FK whose parent table does not exist at this point; it binds to the next table of that name. */
export interface PendingForeignKey {
  fk: ForeignKey;
  refSchema: string;
  refName: string;
  unresolved: UnresolvedForeignKey;
}
