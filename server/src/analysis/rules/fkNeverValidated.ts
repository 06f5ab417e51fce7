/** `fk-never-validated`: an FK still NOT VALID at the end of the timeline. */
import { laterChanges } from '../finalSchema';
import { POSTGRES_FAMILY, columnsLabel, foreignKeyRef, tableLabel, type Finding, type Rule } from '../rule';

export const fkNeverValidated: Rule = {
  id: 'fk-never-validated',
  dialects: POSTGRES_FAMILY,
  perHistory: true,
  defaultSeverity: 'info',
  title: 'Foreign key never validated',
  description:
    'The foreign key was added NOT VALID and no later migration runs ALTER TABLE ... VALIDATE CONSTRAINT. New and updated rows are checked, but rows that existed before are not: the table may hold orphans, and the planner cannot rely on the constraint.',
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      for (const fk of history.foreignKeys) {
        if (!fk.enforced || fk.validated) continue;
        const table = history.tableById.get(fk.tableId);
        const parent = history.tableById.get(fk.refTableId);
        const later = laterChanges(history, fk);
        findings.push({
          rule: 'fk-never-validated',
          file: fk.location.file,
          span: fk.location.nameSpan ?? fk.location.span,
          message:
            `Foreign key ${fk.name} on ${columnsLabel(table, fk.columns)} -> ${tableLabel(parent)} is still NOT VALID after the last migration: ` +
            `rows that existed before it was added are never checked. Run ALTER TABLE ${tableLabel(table)} VALIDATE CONSTRAINT ${fk.name} in a later migration.`,
          ...(later.related.length ? { related: later.related } : {}),
          fk: foreignKeyRef(history, fk),
        });
      }
    }
    return findings;
  },
};
