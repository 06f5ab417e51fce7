/**
 * The Prisma rules (analysis/prisma/) as registry rules: their findings are computed once per model by
 * `prismaFindings` and each rule keeps its own, so severities, suppressions and the CLI treat them like any other.
 */
import { PRISMA_RULES, prismaFindings, type PrismaRule } from '../prisma';
import type { Rule } from '../rule';

const TITLES: Record<PrismaRule['id'], string> = {
  'prisma-set-null-required': 'SetNull on a required Prisma relation',
  'prisma-set-default-without-default': 'SetDefault without @default',
  'prisma-missing-index': 'Prisma relation fields without an index',
  'prisma-drift': 'schema.prisma and its migrations disagree',
};

function prismaRule(rule: PrismaRule): Rule {
  return {
    id: rule.id,
    defaultSeverity: rule.severity,
    title: TITLES[rule.id],
    description: rule.description,
    check: ({ workspace }) =>
      prismaFindings(workspace)
        .filter((f) => f.rule === rule.id)
        .map((f) => ({ rule: f.rule, file: f.file, span: f.span, message: f.message, severity: f.severity, ...(f.fk ? { fk: f.fk } : {}) })),
  };
}

export const prismaRules: Rule[] = PRISMA_RULES.map(prismaRule);
