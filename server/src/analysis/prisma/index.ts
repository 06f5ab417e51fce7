/**
 * Runs the Prisma rules over a workspace model: the schema rules on every Prisma schema, the drift rule on
 * every schema whose database is a Prisma migration set. Cached per model (the model is immutable).
 */
import { prismaSchemaOf } from '../../sources/prisma/read';
import type { WorkspaceModel } from '../../workspace/workspace';
import { checkDrift, drift } from './drift';
import type { PrismaFinding, PrismaRule } from './findings';
import { checkMissingIndex, missingIndex } from './missingIndex';
import { checkSetDefaultWithoutDefault, setDefaultWithoutDefault } from './setDefaultWithoutDefault';
import { checkSetNullRequired, setNullRequired } from './setNullRequired';

export type { PrismaFinding, PrismaRule, PrismaRuleId } from './findings';

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
    findings.push(...(companionOf !== undefined ? own.map((f) => ({ ...f, migratedHistory: companionOf })) : own));
    const migrated = history.history.companionOf !== undefined ? model.histories.find((h) => h.history?.id === history.history.companionOf) : undefined;
    if (migrated) findings.push(...checkDrift(history, migrated, schema));
  }
  cache.set(model, findings);
  return findings;
}
