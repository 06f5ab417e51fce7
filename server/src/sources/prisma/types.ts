/**
 * The database side of Prisma's conventions, per provider: the column type a field gets (as PostgreSQL's
 * format_type prints it, so it compares equal to the SQL reader's types), default constraint names, and
 * the referential actions Prisma writes when the schema names none. Facts from Prisma's documentation
 * (referential actions, naming conventions, PostgreSQL type mapping).
 */
import type { FkAction } from '../events';
import { clipBytes } from '../../model/names';
import { quoteIdent } from '../../model/schema';

export type PrismaAction = 'Cascade' | 'Restrict' | 'NoAction' | 'SetNull' | 'SetDefault';

export const PRISMA_ACTIONS: readonly PrismaAction[] = ['Cascade', 'Restrict', 'NoAction', 'SetNull', 'SetDefault'];

export const SQL_ACTION: Record<PrismaAction, FkAction> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

export const SCALAR_TYPES = new Set(['String', 'Boolean', 'Int', 'BigInt', 'Float', 'Decimal', 'DateTime', 'Json', 'Bytes', 'Unsupported']);

/**
 * Prisma's defaults: onDelete Restrict for a required relation (NoAction on SQL Server, which has no
 * RESTRICT), SetNull for an optional one; onUpdate Cascade. A relation counts as required when any of its
 * scalar fields is required, whatever the relation field says.
 */
export function defaultActions(required: boolean, provider: string | undefined): { onDelete: PrismaAction; onUpdate: PrismaAction } {
  const onDelete: PrismaAction = required ? (provider === 'sqlserver' ? 'NoAction' : 'Restrict') : 'SetNull';
  return { onDelete, onUpdate: 'Cascade' };
}

/** Longest identifier per provider, in bytes (Prisma truncates its default names to fit). */
export function maxIdentifierBytes(provider: string | undefined): number {
  switch (provider) {
    case 'mysql':
      return 64;
    case 'sqlserver':
      return 128;
    case 'sqlite':
      return 10_000;
    default:
      return 63;
  }
}

/** `{table}_{columns}{suffix}`, cut to the provider's limit before the suffix (Prisma's ConstraintNames). */
function conventionName(table: string, columns: string[] | undefined, suffix: string, provider: string | undefined): string {
  const base = columns ? `${table}_${columns.join('_')}` : table;
  return clipBytes(base, maxIdentifierBytes(provider) - suffix.length) + suffix;
}

export const primaryKeyName = (table: string, provider?: string) => conventionName(table, undefined, '_pkey', provider);
export const uniqueIndexName = (table: string, columns: string[], provider?: string) => conventionName(table, columns, '_key', provider);
export const indexName = (table: string, columns: string[], provider?: string) => conventionName(table, columns, '_idx', provider);
export const foreignKeyName = (table: string, columns: string[], provider?: string) => conventionName(table, columns, '_fkey', provider);

/** The column type of a scalar field on PostgreSQL (format_type spelling), from its Prisma type and `@db.*`. */
export function postgresColumnType(
  prismaType: string,
  nativeType: { name: string; args: string[] } | undefined,
  enumType: { name: string; schema?: string } | undefined,
  unsupported: string | undefined,
): string {
  if (unsupported !== undefined) return unsupported.toLowerCase();
  if (enumType) return enumType.schema && enumType.schema !== 'public' ? `${quoteIdent(enumType.schema)}.${quoteIdent(enumType.name)}` : quoteIdent(enumType.name);
  if (nativeType) {
    const native = postgresNativeType(nativeType.name, nativeType.args);
    if (native) return native;
  }
  switch (prismaType) {
    case 'String':
      return 'text';
    case 'Boolean':
      return 'boolean';
    case 'Int':
      return 'integer';
    case 'BigInt':
      return 'bigint';
    case 'Float':
      return 'double precision';
    case 'Decimal':
      return 'numeric(65,30)';
    case 'DateTime':
      return 'timestamp(3) without time zone';
    case 'Json':
      return 'jsonb';
    case 'Bytes':
      return 'bytea';
    default:
      return prismaType.toLowerCase();
  }
}

function postgresNativeType(name: string, args: string[]): string | undefined {
  const mods = args.length ? `(${args.join(',')})` : '';
  const time = (base: string, zone: string) => `${base}(${args[0] ?? '3'}) ${zone}`;
  switch (name) {
    case 'Text':
      return 'text';
    case 'Char':
      return `character${mods || '(1)'}`;
    case 'VarChar':
      return `character varying${mods}`;
    case 'Bit':
      return `bit${mods || '(1)'}`;
    case 'VarBit':
      return `bit varying${mods}`;
    case 'Uuid':
      return 'uuid';
    case 'Xml':
      return 'xml';
    case 'Inet':
      return 'inet';
    case 'Citext':
      return 'citext';
    case 'Boolean':
      return 'boolean';
    case 'Integer':
      return 'integer';
    case 'SmallInt':
      return 'smallint';
    case 'BigInt':
      return 'bigint';
    case 'Oid':
      return 'oid';
    case 'DoublePrecision':
      return 'double precision';
    case 'Real':
      return 'real';
    case 'Decimal':
      return `numeric${mods || '(65,30)'}`;
    case 'Money':
      return 'money';
    case 'Date':
      return 'date';
    case 'Time':
      return time('time', 'without time zone');
    case 'Timetz':
      return time('time', 'with time zone');
    case 'Timestamp':
      return time('timestamp', 'without time zone');
    case 'Timestamptz':
      return time('timestamp', 'with time zone');
    case 'Json':
      return 'json';
    case 'JsonB':
      return 'jsonb';
    case 'ByteA':
      return 'bytea';
    default:
      return undefined;
  }
}
