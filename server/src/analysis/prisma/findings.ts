/**
 * Prisma rules: findings on a Prisma schema, each with its rule id, the range in the schema it concerns and
 * what the quick-fixes need. Run over a workspace model by `prismaFindings` (analysis/prisma/index.ts).
 */
import type { Span } from '../../sources/text';
import type { PrismaModel, PrismaRelation, PrismaSchema } from '../../sources/prisma/schema';
import type { PrismaAction } from '../../sources/prisma/types';
import type { ForeignKeyRef } from '../rule';

export type PrismaRuleId = 'prisma-set-null-required' | 'prisma-set-default-without-default' | 'prisma-missing-index' | 'prisma-drift';

export interface PrismaRule {
  id: PrismaRuleId;
  severity: 'error' | 'warning' | 'info';
  /** One line for settings and the rule's doc page (docs/rules/<id>.md). */
  description: string;
}

export interface PrismaFinding {
  rule: PrismaRuleId;
  severity: 'error' | 'warning' | 'info';
  file: string;
  span: Span;
  message: string;
  schema: PrismaSchema;
  /** The relation the finding is about (quick-fixes edit it). */
  relation?: PrismaRelation;
  /** The model the finding is about when there is no relation (drift of a table or of a migrated FK). */
  model?: PrismaModel;
  /** Which referential action the finding is about. */
  clause?: 'onDelete' | 'onUpdate';
  /** Drift: the action the migrated database has for `clause`. */
  migratedAction?: PrismaAction;
  /** For a schema whose database is a Prisma migration set: that history's id. */
  migratedHistory?: string;
  /** The foreign key the finding is about (the relation's, in the schema's model; for drift maybe the migrations'). */
  fk?: ForeignKeyRef;
}
