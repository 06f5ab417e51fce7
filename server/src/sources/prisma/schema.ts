/** The resolved Prisma schema: what the files of one schema mean together, still pointing at their syntax. */
import type { Span } from '../text';
import type { Attribute, EnumBlock, FieldDeclaration, ModelBlock, PrismaFileSyntax } from './ast';
import type { PrismaAction } from './types';

export interface PrismaScalarField {
  name: string;
  column: string;
  decl: FieldDeclaration;
  file: string;
  optional: boolean;
  list: boolean;
  /** Column type (format_type spelling on PostgreSQL). */
  type: string;
  /** SQL default expression the database gets; undefined for none (or a client-side `uuid()` / `cuid()`). */
  default?: string;
  /** Any `@default(...)` is written, database-side or not. */
  hasDefault: boolean;
  defaultSpan?: Span;
  autoincrement: boolean;
}

export interface PrismaIndex {
  kind: 'primary' | 'unique' | 'index';
  fields: string[];
  columns: string[];
  /** Database name (`map:` or Prisma's default). */
  name: string;
  method?: string;
  attribute: Attribute;
  file: string;
}

export interface ExplicitAction {
  action: PrismaAction;
  /** The whole `onDelete: X` argument. */
  span: Span;
  /** The action's name (`X`). */
  valueSpan: Span;
}

/** A relation field whose `@relation(fields: ...)` makes its model hold the foreign key. */
export interface PrismaRelation {
  model: PrismaModel;
  field: FieldDeclaration;
  relation: Attribute;
  target: PrismaModel;
  fields: string[];
  references: string[];
  columns: string[];
  refColumns: string[];
  /** Any scalar field of the relation is required (Prisma's "referential arity"). */
  required: boolean;
  onDelete: PrismaAction;
  onUpdate: PrismaAction;
  explicitOnDelete?: ExplicitAction;
  explicitOnUpdate?: ExplicitAction;
  /** FK constraint name (`map:` or `{table}_{columns}_fkey`). */
  name: string;
  file: string;
}

/** The join table Prisma creates for an implicit many-to-many relation (`_AToB` with columns A and B). */
export interface PrismaJoinTable {
  table: string;
  schema: string;
  a: PrismaModel;
  b: PrismaModel;
  fieldA: FieldDeclaration;
  fileA: string;
  fieldB: FieldDeclaration;
  fileB: string;
  typeA: string;
  typeB: string;
}

export interface PrismaModel {
  name: string;
  table: string;
  schema: string;
  block: ModelBlock;
  file: string;
  view: boolean;
  scalars: PrismaScalarField[];
  relations: PrismaRelation[];
  indexes: PrismaIndex[];
}

export interface PrismaEnum {
  name: string;
  dbName: string;
  schema: string;
  block: EnumBlock;
}

export interface PrismaProblem {
  file: string;
  span: Span;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** A syntax error of the file (the rest are problems of meaning). */
  syntax?: boolean;
}

export interface PrismaSchema {
  files: PrismaFileSyntax[];
  /** `provider` of the datasource (`postgresql`, `mysql`, ...); undefined without a datasource. */
  provider?: string;
  /** `relationMode = "prisma"`: relations are emulated by Prisma Client, the database gets no FKs. */
  relationMode: 'foreignKeys' | 'prisma';
  relationModeSpan?: { file: string; span: Span };
  datasource?: { file: string; span: Span };
  schemas: string[];
  models: PrismaModel[];
  enums: PrismaEnum[];
  joinTables: PrismaJoinTable[];
  problems: PrismaProblem[];
}

/** The database holds real foreign keys for this schema's relations. */
export function hasForeignKeys(schema: PrismaSchema): boolean {
  return schema.relationMode === 'foreignKeys' && schema.provider !== 'mongodb';
}
