/**
 * The schema model: what the database holds after replaying a migration history.
 * Plain data, no editor types. Tables are identified by a stable numeric id so that
 * renames (of tables, schemas) keep every foreign key pointing at the right table.
 */
import type { FkAction, FkMatch } from '../sources/events';
import type { Span } from '../sources/text';

export type { FkAction, FkMatch };

/** Where something was declared: a workspace-relative file and a UTF-16 range in it. */
export interface SourceLocation {
  file: string;
  span: Span;
}

export interface Column {
  name: string;
  type: string;
  notNull: boolean;
  default?: string;
  identity?: 'ALWAYS' | 'BY DEFAULT';
  generated: boolean;
  location: SourceLocation;
  /** Range of the NOT NULL (or PRIMARY KEY) that made the column NOT NULL, when written. */
  notNullLocation?: SourceLocation;
  defaultLocation?: SourceLocation;
}

export interface KeyConstraint {
  name: string;
  columns: string[];
  location: SourceLocation;
}

export interface Index {
  name: string;
  /** Key columns in order; `null` for an expression element. */
  columns: (string | null)[];
  expressions: string[];
  /** The columns the expression elements refer to, when known. */
  expressionColumns?: string[];
  include: string[];
  unique: boolean;
  method: string;
  where?: string;
  /** Columns the predicate requires to be non-null, when it consists of `IS NOT NULL` tests only. */
  whereNotNullColumns?: string[];
  /** The index backs a PRIMARY KEY or UNIQUE constraint of that name. */
  constraint?: string;
  /** Created by the server itself for an FK no index covered (InnoDB); dropped by it when a later index covers the FK. */
  implicit?: boolean;
  location: SourceLocation;
}

export interface ForeignKeyLocation extends SourceLocation {
  /** Ranges inside the declaration, for diagnostics on the exact clause. */
  columnsSpan?: Span;
  refTableSpan?: Span;
  refColumnsSpan?: Span;
  onDeleteSpan?: Span;
  onUpdateSpan?: Span;
  nameSpan?: Span;
}

export interface ForeignKey {
  name: string;
  tableId: number;
  columns: string[];
  refTableId: number;
  refColumns: string[];
  /** The parent's unique index the FK depends on (PostgreSQL's confindid); undefined when none matches. */
  refIndex?: Index;
  onDelete: FkAction;
  onUpdate: FkAction;
  /** `SET NULL (cols)` / `SET DEFAULT (cols)` on delete; null when not given. */
  setColumns: string[] | null;
  deferrable: boolean;
  initiallyDeferred: boolean;
  match: FkMatch;
  validated: boolean;
  enforced: boolean;
  location: ForeignKeyLocation;
  /** Index in the timeline of the step that declared it. */
  step: number;
  /** Where a VALIDATE CONSTRAINT made it valid. */
  validatedAt?: SourceLocation & { step: number };
}

export interface Table {
  id: number;
  schema: string;
  name: string;
  columns: Column[];
  primaryKey?: KeyConstraint;
  uniques: KeyConstraint[];
  indexes: Index[];
  foreignKeys: ForeignKey[];
  checks: string[];
  partitioned: boolean;
  partitionOf?: number;
  inherits: number[];
  location: SourceLocation;
  /** Timeline step at which the table was created. */
  createdStep: number;
}

export function qualifiedName(t: { schema: string; name: string }): string {
  return `${t.schema}.${t.name}`;
}

/** How PostgreSQL would print an identifier: quoted when it is not a plain lower-case name. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

const RESERVED = new Set(
  ('all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create ' +
    'current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc ' +
    'distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral ' +
    'leading limit localtime localtimestamp not null offset on only or order placing primary references returning ' +
    'select session_user some symmetric system_user table then to trailing true union unique user using variadic ' +
    'when where window with').split(' '),
);

/** A DEFAULT expression that is NULL (`NULL`, `NULL::bigint`, `(NULL)`): the column has no value by default. */
export function isNullDefault(expression: string): boolean {
  return /^\(?\s*null\s*\)?(::.*)?$/i.test(expression.trim());
}
