/**
 * prisma-missing-index: a relation's scalar fields are not the leading fields of any @id, @@id, @unique,
 * @@unique or @@index of their model. PostgreSQL does not index FK columns by itself, so every delete or key
 * update of the parent scans the child table (and joins on the relation do too). Applies to real FKs on
 * PostgreSQL; under `relationMode = "prisma"` Prisma warns about this itself, and MySQL indexes FK columns.
 */
import { hasForeignKeys, type PrismaSchema } from '../../sources/prisma/schema';
import type { PrismaFinding, PrismaRule } from './findings';
import { withArticle } from '../rule';

export const missingIndex: PrismaRule = {
  id: 'prisma-missing-index',
  severity: 'warning',
  description: "A relation's fields have no index on PostgreSQL: deleting or re-keying a parent row scans the child table.",
};

const POSTGRES_PROVIDERS = new Set(['postgresql', 'cockroachdb']);

export function checkMissingIndex(schema: PrismaSchema): PrismaFinding[] {
  if (!hasForeignKeys(schema) || !POSTGRES_PROVIDERS.has(schema.provider ?? '')) return [];
  const findings: PrismaFinding[] = [];
  for (const model of schema.models) {
    if (model.view) continue;
    for (const relation of model.relations) {
      if (relation.target.view) continue;
      const n = relation.fields.length;
      // An index serves the FK when its leading fields are exactly the relation's fields, in any order.
      const served = model.indexes.some((i) => i.fields.length >= n && relation.fields.every((f) => i.fields.slice(0, n).includes(f)));
      if (served) continue;
      const fields = relation.fields.join(', ');
      findings.push({
        rule: missingIndex.id,
        severity: missingIndex.severity,
        file: relation.file,
        span: relation.relation.span,
        message:
          `No index starts with ${model.name}.${n > 1 ? `(${fields})` : fields}, the fields of relation ${relation.field.name.name}: ` +
          `PostgreSQL does not index foreign key columns itself, so deleting or changing the key of ${withArticle(relation.target.name)} scans all of ${model.table}. ` +
          `Add @@index([${fields}]).`,
        schema,
        relation,
      });
    }
  }
  return findings;
}
