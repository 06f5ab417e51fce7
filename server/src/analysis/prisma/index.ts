/**
 * Runs the Prisma rules over a workspace model: the schema rules on every Prisma schema, the drift rule on
 * every schema whose database is a Prisma migration set. Cached per model (the model is immutable).
 */
import type { HistoryModel } from '../../model/replay';
import { prismaSchemaOf } from '../../sources/prisma/read';
import type { PrismaRelation } from '../../sources/prisma/schema';
import { foreignKeyRef, type ForeignKeyRef } from '../rule';
import type { WorkspaceModel } from '../../workspace/workspace';
import { checkDrift, drift } from './drift';
import type { PrismaFinding, PrismaRule } from './findings';
import { checkMissingIndex, missingIndex } from './missingIndex';
import { checkSetDefaultWithoutDefault, setDefaultWithoutDefault } from './setDefaultWithoutDefault';
import { checkSetNullRequired, setNullRequired } from './setNullRequired';

export type { PrismaFinding, PrismaRule, PrismaRuleId } from './findings';

/** Whether the migrated database has an FK on the relation's table and columns. */
function hasForeignKey(migrated: HistoryModel, relation: PrismaRelation): boolean {
  const table = migrated.tables.find((t) => t.name === relation.model.table && t.schema === relation.model.schema);
  return !!table?.foreignKeys.some((fk) => fk.columns.length === relation.columns.length && fk.columns.every((c, i) => c === relation.columns[i]));
}

/** The FK a relation declares, in the schema's own model (its declaration is the relation's `@relation`). */
function relationForeignKey(history: HistoryModel, relation: PrismaRelation): ForeignKeyRef | undefined {
  const fk = history.foreignKeys.find((f) => f.location.file === relation.file && f.location.span.start === relation.relation.span.start);
  return fk && foreignKeyRef(history, fk);
}

export const PRISMA_RULES: readonly PrismaRule[] = [setNullRequired, setDefaultWithoutDefault, missingIndex, drift];

const cache = new WeakMap<WorkspaceModel, PrismaFinding[]>();

export function prismaFindings(model: WorkspaceModel): PrismaFinding[] {
  const hit = cache.get(model);
  if (hit) return hit;
  const findings: PrismaFinding[] = [];
  const all = [...model.histories, ...(model.companions ?? [])];
  for (const history of all) {
    if (history.history?.tool !== 'prisma-schema') continue;
    const schema = prismaSchemaOf(history.sources[0]);
    if (!schema) continue;
    const own = [...checkSetNullRequired(schema), ...checkSetDefaultWithoutDefault(schema), ...checkMissingIndex(schema)];
    const companionOf = history.history.companionOf;
    const withFk = (f: PrismaFinding): PrismaFinding => {
      const fk = f.fk ?? (f.relation && relationForeignKey(history, f.relation));
      return fk ? { ...f, fk } : f;
    };
    const migrated = companionOf !== undefined ? model.histories.find((h) => h.history?.id === companionOf) : undefined;
    // With migrations, the database they build is what runs: an index is missing only on an FK it has (a
    // relation whose FK the migrations dropped is drift, reported by prisma-drift, and scans nothing).
    const kept = migrated ? own.filter((f) => f.rule !== missingIndex.id || !f.relation || hasForeignKey(migrated, f.relation)) : own;
    findings.push(...kept.map((f) => withFk(companionOf !== undefined ? { ...f, migratedHistory: companionOf } : f)));
    if (migrated) findings.push(...checkDrift(history, migrated, schema).map(withFk));
  }
  cache.set(model, findings);
  return findings;
}
