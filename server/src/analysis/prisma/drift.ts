/**
 * prisma-drift: the schema and the database its migrations build disagree about a foreign key (one side
 * has it and the other does not, or the two differ in target, columns, actions or name), or about which
 * tables exist. The migrations are the database; the finding lands in the schema, where Prisma would
 * generate the next migration from.
 */
import type { HistoryModel } from '../../model/replay';
import type { ForeignKey, Table } from '../../model/schema';
import { qualifiedName } from '../../model/schema';
import { dialectPolicy } from '../../model/dialect';
import type { PrismaSchema } from '../../sources/prisma/schema';
import { SQL_ACTION, type PrismaAction } from '../../sources/prisma/types';
import type { FkAction } from '../../sources/events';
import type { PrismaFinding, PrismaRule } from './findings';
import { foreignKeyRef } from '../rule';

const PRISMA_ACTION = Object.fromEntries(Object.entries(SQL_ACTION).map(([prisma, sql]) => [sql, prisma])) as Record<FkAction, PrismaAction>;

export const drift: PrismaRule = {
  id: 'prisma-drift',
  severity: 'warning',
  description: 'schema.prisma and the database its migrations build disagree about a foreign key or a table.',
};

export function checkDrift(schemaModel: HistoryModel, migrated: HistoryModel, schema: PrismaSchema): PrismaFinding[] {
  const findings: PrismaFinding[] = [];
  const where = migrated.history.id || '.';
  // A model without @@schema is in the database's default schema: `public` in the schema's model, MySQL's
  // `default` (SQLite's `main`) in the migrations' replay. Tables are compared and named by that.
  const migratedDefault = dialectPolicy(migrated.history.dialect).defaultSchema;
  const key = (t: Table) => (t.schema === 'public' || t.schema === migratedDefault ? t.name : qualifiedName(t));
  const tableLabel = key;
  const migratedTables = new Map(migrated.tables.map((t) => [key(t), t]));
  const schemaTables = new Map(schemaModel.tables.map((t) => [key(t), t]));
  const relationAt = (fk: ForeignKey) =>
    schema.models.flatMap((m) => m.relations).find((r) => r.file === fk.location.file && r.relation.span.start === fk.location.span.start);
  const modelOf = (t: Table) => schema.models.find((m) => m.table === t.name && m.schema === t.schema);
  const at = (fk: ForeignKey) => {
    const source = migrated.sources.find((s) => s.path === fk.location.file);
    const line = source ? source.lines.position(fk.location.span.start).line + 1 : undefined;
    return line ? `${fk.location.file}:${line}` : fk.location.file;
  };
  const describe = (fk: ForeignKey, model: HistoryModel) => {
    const ref = model.tableById.get(fk.refTableId);
    return `${fk.name} (${fk.columns.join(', ')}) -> ${ref ? tableLabel(ref) : '?'}(${fk.refColumns.join(', ')}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`;
  };
  const push = (finding: Omit<PrismaFinding, 'rule' | 'severity' | 'schema'>) => findings.push({ rule: drift.id, severity: drift.severity, schema, ...finding });

  for (const table of schemaModel.tables) {
    const other = migratedTables.get(key(table));
    if (!other) {
      push({
        file: table.location.file,
        span: table.location.span,
        message: `Table ${tableLabel(table)} is not created by the migrations in ${where}: the schema holds changes no migration has yet (prisma migrate dev would write one).`,
        model: modelOf(table),
      });
      continue;
    }
    for (const fk of table.foreignKeys) {
      const twin = other.foreignKeys.find((f) => sameList(f.columns, fk.columns));
      const relation = relationAt(fk);
      if (!twin) {
        push({
          file: fk.location.file,
          span: fk.location.span,
          message: `After the migrations in ${where} the database has no foreign key on ${tableLabel(table)}(${fk.columns.join(', ')}), which the schema declares: ${describe(fk, schemaModel)} (prisma migrate dev would add it).`,
          relation,
        });
        continue;
      }
      const differences: string[] = [];
      const ref = schemaModel.tableById.get(fk.refTableId);
      const twinRef = migrated.tableById.get(twin.refTableId);
      if (ref && twinRef && key(ref) !== key(twinRef)) differences.push(`references ${tableLabel(twinRef)} instead of ${tableLabel(ref)}`);
      if (!sameList(fk.refColumns, twin.refColumns)) differences.push(`references (${twin.refColumns.join(', ')}) instead of (${fk.refColumns.join(', ')})`);
      if (fk.onDelete !== twin.onDelete) differences.push(`ON DELETE ${twin.onDelete} instead of ${fk.onDelete}`);
      if (fk.onUpdate !== twin.onUpdate) differences.push(`ON UPDATE ${twin.onUpdate} instead of ${fk.onUpdate}`);
      if (fk.name !== twin.name) differences.push(`is named ${twin.name} instead of ${fk.name}`);
      if (!differences.length) continue;
      const clause = fk.onDelete !== twin.onDelete ? 'onDelete' : fk.onUpdate !== twin.onUpdate ? 'onUpdate' : undefined;
      const span = (clause === 'onDelete' ? fk.location.onDeleteSpan : clause === 'onUpdate' ? fk.location.onUpdateSpan : undefined) ?? fk.location.span;
      const migratedAction = clause ? PRISMA_ACTION[clause === 'onDelete' ? twin.onDelete : twin.onUpdate] : undefined;
      push({
        file: fk.location.file,
        span,
        message: `After the migrations in ${where}, the foreign key on ${tableLabel(table)}(${fk.columns.join(', ')}) ${differences.join(', ')} (${at(twin)}).`,
        relation,
        clause,
        migratedAction,
      });
    }
    for (const fk of other.foreignKeys) {
      if (table.foreignKeys.some((f) => sameList(f.columns, fk.columns))) continue;
      push({
        file: table.location.file,
        span: table.location.span,
        message: `The schema has no relation for a foreign key the migrations in ${where} leave on ${tableLabel(table)}(${fk.columns.join(', ')}): the next prisma migrate dev would drop ${describe(fk, migrated)} (${at(fk)}).`,
        model: modelOf(table),
        fk: foreignKeyRef(migrated, fk),
      });
    }
  }
  const anchor = schema.datasource ?? { file: schemaModel.sources[0]?.path ?? '', span: { start: 0, end: 0 } };
  for (const table of migrated.tables) {
    if (schemaTables.has(key(table))) continue;
    push({
      file: anchor.file,
      span: anchor.span,
      message: `The migrations in ${where} create table ${tableLabel(table)}${table.foreignKeys.length ? ` (with ${table.foreignKeys.length} foreign key(s))` : ''}, which no model of the schema maps to.`,
    });
  }
  return findings;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
