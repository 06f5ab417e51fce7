/**
 * prisma-set-default-without-default: `SetDefault` on a relation whose scalar fields have no database
 * default. The database then sets them to NULL (a not-null violation when they are required), and a
 * client-side default such as `uuid()` or `cuid()` gives the column no database default either.
 */
import type { PrismaSchema } from '../../sources/prisma/schema';
import type { PrismaFinding, PrismaRule } from './findings';

export const setDefaultWithoutDefault: PrismaRule = {
  id: 'prisma-set-default-without-default',
  severity: 'warning',
  description: 'SetDefault on a relation whose fields have no database default: they become NULL, or the statement fails.',
};

export function checkSetDefaultWithoutDefault(schema: PrismaSchema): PrismaFinding[] {
  const findings: PrismaFinding[] = [];
  for (const model of schema.models) {
    for (const relation of model.relations) {
      for (const clause of ['onDelete', 'onUpdate'] as const) {
        const explicit = clause === 'onDelete' ? relation.explicitOnDelete : relation.explicitOnUpdate;
        if (explicit?.action !== 'SetDefault') continue;
        const scalars = relation.fields.map((f) => model.scalars.find((s) => s.name === f)!);
        const without = scalars.filter((s) => s.default === undefined);
        if (!without.length) continue;
        const clientSide = without.filter((s) => s.hasDefault).map((s) => s.name);
        const required = without.some((s) => !s.optional);
        findings.push({
          rule: setDefaultWithoutDefault.id,
          severity: setDefaultWithoutDefault.severity,
          file: relation.file,
          span: explicit.span,
          message:
            `${clause}: SetDefault on ${model.name}.${relation.field.name.name}, but ${without.map((s) => s.name).join(', ')} ${without.length > 1 ? 'have' : 'has'} no database default` +
            (clientSide.length ? ` (${clientSide.join(', ')}: Prisma Client fills that default in, the database does not)` : '') +
            `: the database sets ${without.length > 1 ? 'them' : 'it'} to NULL` +
            (required ? ', which fails on a required field.' : '.') +
            ' Add a @default the database knows (e.g. dbgenerated) or choose another action.',
          schema,
          relation,
          clause,
        });
      }
    }
  }
  return findings;
}
