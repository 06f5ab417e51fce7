/**
 * prisma-set-null-required: `onDelete: SetNull` / `onUpdate: SetNull` on a relation whose scalar fields are
 * required. The database would have to write NULL into a NOT NULL column, so deleting (or re-keying) the
 * parent fails with a not-null violation instead of unlinking the child.
 */
import type { PrismaSchema } from '../../sources/prisma/schema';
import type { PrismaFinding, PrismaRule } from './findings';

export const setNullRequired: PrismaRule = {
  id: 'prisma-set-null-required',
  severity: 'error',
  description: 'SetNull on a relation whose fields are required: the delete or update fails with a not-null violation.',
};

export function checkSetNullRequired(schema: PrismaSchema): PrismaFinding[] {
  const findings: PrismaFinding[] = [];
  for (const model of schema.models) {
    for (const relation of model.relations) {
      if (!relation.required) continue;
      for (const clause of ['onDelete', 'onUpdate'] as const) {
        const explicit = clause === 'onDelete' ? relation.explicitOnDelete : relation.explicitOnUpdate;
        if (explicit?.action !== 'SetNull') continue;
        const required = relation.fields.filter((f) => !model.scalars.find((s) => s.name === f)?.optional);
        findings.push({
          rule: setNullRequired.id,
          severity: setNullRequired.severity,
          file: relation.file,
          span: explicit.span,
          message:
            `${clause}: SetNull on ${model.name}.${relation.field.name.name}, but ${required.join(', ')} ${required.length > 1 ? 'are' : 'is'} required: ` +
            `${clause === 'onDelete' ? 'deleting' : 'changing the key of'} a ${relation.target.name} that has ${model.name} rows fails with a not-null violation. ` +
            `Make the relation optional (\`?\`) or choose another action.`,
          schema,
          relation,
          clause,
        });
      }
    }
  }
  return findings;
}
