/**
 * `fk-added-without-not-valid`: a migration step adds a foreign key to a table that existed before it, in a way
 * that makes PostgreSQL check every existing row under SHARE ROW EXCLUSIVE locks. A step fact: judged on the
 * declaration as it was written (names of that step), also when a later migration drops or replaces the key.
 * Not reported for `ADD COLUMN ... REFERENCES` without a DEFAULT clause: PostgreSQL skips the check there.
 */
import type { ForeignKeyDeclaration } from '../../model/replay';
import { isNullDefault } from '../../model/schema';
import { POSTGRES_FAMILY, columnsLabel, declarationRef, tableLabel, type Finding, type Rule } from '../rule';

export const fkAddedWithoutNotValid: Rule = {
  id: 'fk-added-without-not-valid',
  dialects: POSTGRES_FAMILY,
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'Foreign key added to an existing table without NOT VALID',
  description:
    'ALTER TABLE ... ADD [CONSTRAINT ...] FOREIGN KEY on a table created by an earlier migration checks every existing row while holding SHARE ROW EXCLUSIVE locks on both tables: writes to both wait until the scan ends. Adding the key NOT VALID and validating it in a later migration (VALIDATE CONSTRAINT takes only SHARE UPDATE EXCLUSIVE) avoids that. ADD COLUMN ... REFERENCES is reported only when the new column has a DEFAULT (without one, every row holds NULL and PostgreSQL skips the check); NOT VALID cannot be written on a column, so the fix is ADD COLUMN, then ADD CONSTRAINT ... NOT VALID. Tables created in the same migration are not reported.',
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      if (history.history.tool === 'schema') continue; // a schema file is loaded into an empty database
      for (const d of history.declarations) {
        if (!d.checksExistingRows) continue;
        const fk = d.fk;
        const table = { schema: d.names.schema, name: d.names.table };
        const parent = { schema: d.names.refSchema, name: d.names.refTable };
        const creator = history.tableById.get(fk.tableId);
        findings.push({
          rule: 'fk-added-without-not-valid',
          file: fk.location.file,
          span: fk.location.span,
          message: message(d, tableLabel(table), tableLabel(parent), columnsLabel(table, d.names.columns)),
          related: creator && creator.createdStep < d.step ? [{ file: creator.location.file, span: creator.location.span, message: `${tableLabel(table)} is created by an earlier migration` }] : [],
          fk: declarationRef(history, d),
        });
      }
    }
    return findings;
  },
};

function message(d: ForeignKeyDeclaration, table: string, parent: string, columns: string): string {
  const scan = `PostgreSQL checks every row of ${table} while holding SHARE ROW EXCLUSIVE locks on ${table} and ${parent}, so writes to both wait for the scan`;
  const column = d.addColumn;
  if (!column) {
    const inline = d.onNewColumns && d.names.columns.length === 1
      ? ` (${d.names.columns[0]} is new in this migration: declared on the column, as ADD COLUMN ${d.names.columns[0]} ... REFERENCES ${parent}, the key is added without a check)`
      : '';
    return `Foreign key ${d.fk.name} on ${columns} is added to an existing table without NOT VALID: ${scan}. Add it NOT VALID, then VALIDATE CONSTRAINT in a later migration${inline}.`;
  }
  if (column.default !== undefined && isNullDefault(column.default)) {
    return (
      `Column ${column.column} is added to existing table ${table} with DEFAULT NULL and REFERENCES ${parent}: the DEFAULT clause makes PostgreSQL check the key on every row (${scan}). ` +
      `Leave out DEFAULT NULL (the default is NULL anyway) and PostgreSQL skips the check.`
    );
  }
  const value = column.generated ? 'a generated value' : `DEFAULT ${column.default}`;
  return (
    `Column ${column.column} is added to existing table ${table} with ${value} and REFERENCES ${parent}: ${scan}. ` +
    `NOT VALID cannot be written on a column: add the column, then ADD CONSTRAINT ${d.fk.name} FOREIGN KEY (${column.column}) REFERENCES ${parent} (${d.names.refColumns.join(', ')}) NOT VALID, and VALIDATE CONSTRAINT in a later migration.`
  );
}
