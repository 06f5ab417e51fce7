/** Every rule FK Lens runs. Adding a rule: one file in this folder, one line here. */
import type { Rule } from '../rule';
import { cascadeConflict } from './cascadeConflict';
import { cascadeCycle } from './cascadeCycle';
import { cascadeDepth } from './cascadeDepth';
import { cascadeIntoProtected } from './cascadeIntoProtected';
import { duplicateFk } from './duplicateFk';
import { fkAddedWithoutNotValid } from './fkAddedWithoutNotValid';
import { fkColumnCountMismatch } from './fkColumnCountMismatch';
import { fkLocksParent } from './fkLocksParent';
import { fkMissingIndex } from './fkMissingIndex';
import { fkNeverValidated } from './fkNeverValidated';
import { fkTargetNotUnique } from './fkTargetNotUnique';
import { fkTypeMismatch } from './fkTypeMismatch';
import { prismaRules } from './prisma';
import { problemRules } from './problems';
import { lockTimeoutMissing } from './lockTimeoutMissing';
import { setDefaultWithoutDefault } from './setDefaultWithoutDefault';
import { setNullOnNotNull } from './setNullOnNotNull';
import { unusedSuppression } from './unusedSuppression';
import { validateInSameTransaction } from './validateInSameTransaction';

export const RULES: readonly Rule[] = [
  fkMissingIndex,
  setNullOnNotNull,
  setDefaultWithoutDefault,
  fkTargetNotUnique,
  fkColumnCountMismatch,
  fkTypeMismatch,
  fkAddedWithoutNotValid,
  validateInSameTransaction,
  fkNeverValidated,
  fkLocksParent,
  lockTimeoutMissing,
  cascadeDepth,
  cascadeCycle,
  cascadeConflict,
  cascadeIntoProtected,
  duplicateFk,
  ...prismaRules,
  ...problemRules,
  unusedSuppression,
];

const byId = new Map(RULES.map((r) => [r.id, r]));

export function ruleById(id: string): Rule | undefined {
  return byId.get(id);
}
