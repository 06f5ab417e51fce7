/** `fk-column-count-mismatch`: the referencing and referenced column lists differ in length. */
import { POSTGRES_FAMILY, columnsLabel, foreignKeyRef, tableLabel, type Finding, type Rule } from '../rule';

export const fkColumnCountMismatch: Rule = {
  id: 'fk-column-count-mismatch',
  dialects: POSTGRES_FAMILY,
  perHistory: true,
  defaultSeverity: 'error',
  title: 'Foreign key column lists differ in length',
  description:
    'The foreign key lists a different number of referencing and referenced columns (REFERENCES t without a list means t\'s primary key). PostgreSQL refuses the statement: "number of referencing and referenced columns for foreign key disagree".',
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      for (const fk of history.foreignKeys) {
        if (fk.columns.length === fk.refColumns.length) continue;
        const table = history.tableById.get(fk.tableId);
        const parent = history.tableById.get(fk.refTableId);
        const refSpan = fk.location.refColumnsSpan ?? fk.location.refTableSpan;
        findings.push({
          rule: 'fk-column-count-mismatch',
          file: fk.location.file,
          span: fk.location.columnsSpan ?? fk.location.span,
          message:
            `Foreign key ${fk.name} has ${fk.columns.length} referencing column(s), ${columnsLabel(table, fk.columns)}, but ${fk.refColumns.length} referenced, ` +
            `${columnsLabel(parent, fk.refColumns)}: PostgreSQL refuses it ("number of referencing and referenced columns for foreign key disagree").`,
          related: refSpan ? [{ file: fk.location.file, span: refSpan, message: `the referenced columns: ${fk.refColumns.join(', ')}` }] : [],
          fk: foreignKeyRef(history, fk),
        });
      }
    }
    return findings;
  },
};
