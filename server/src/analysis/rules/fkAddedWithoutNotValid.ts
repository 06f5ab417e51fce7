/**
 * `fk-added-without-not-valid`: ALTER TABLE ... ADD FOREIGN KEY (or ADD COLUMN ... REFERENCES) on a table that
 * existed before this migration, without NOT VALID: the whole table is checked under SHARE ROW EXCLUSIVE locks.
 */
import { POSTGRES_FAMILY, columnsLabel, foreignKeyRef, tableLabel, type Finding, type Rule } from '../rule';

export const fkAddedWithoutNotValid: Rule = {
  id: 'fk-added-without-not-valid',
  dialects: POSTGRES_FAMILY,
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'Foreign key added to an existing table without NOT VALID',
  description:
    'ALTER TABLE ... ADD [CONSTRAINT ...] FOREIGN KEY, or ADD COLUMN ... REFERENCES, on a table created by an earlier migration checks every existing row while holding SHARE ROW EXCLUSIVE locks on both tables: writes to both wait until the scan ends. Adding the key NOT VALID and validating it in a later migration (VALIDATE CONSTRAINT takes only SHARE UPDATE EXCLUSIVE) avoids that. Tables created in the same migration are not reported.',
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      if (history.history.tool === 'schema') continue; // a schema file is loaded into an empty database
      for (const d of history.declarations) {
        const fk = d.fk;
        if (!d.byAlter || !d.tableExistedBefore || !fk.enforced || !fk.validated || fk.validatedAt) continue;
        const table = history.tableById.get(fk.tableId);
        const parent = history.tableById.get(fk.refTableId);
        findings.push({
          rule: 'fk-added-without-not-valid',
          file: fk.location.file,
          span: fk.location.span,
          message:
            `Adding foreign key ${fk.name} on ${columnsLabel(table, fk.columns)}, a table that existed before this migration, checks every row of ${tableLabel(table)} ` +
            `while holding SHARE ROW EXCLUSIVE locks on ${tableLabel(table)} and ${tableLabel(parent)}: add it NOT VALID, then VALIDATE CONSTRAINT in a later migration.`,
          related: table ? [{ file: table.location.file, span: table.location.span, message: `${tableLabel(table)} is created by an earlier migration` }] : [],
          fk: foreignKeyRef(history, fk),
        });
      }
    }
    return findings;
  },
};
