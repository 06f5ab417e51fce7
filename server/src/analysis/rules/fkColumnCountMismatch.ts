/** `fk-column-count-mismatch`: the referencing and referenced column lists differ in length. */
import { fkPoint, pointOf, unsureBetween, withGaps } from '../gaps';
import { POSTGRES_FAMILY, columnsLabel, foreignKeyRef, type Finding, type Rule } from '../rule';

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
        const parent = history.tableById.get(fk.refTableId);
        // Judged as declared, with the names of that step.
        const names = history.declarations.find((d) => d.fk === fk)?.names;
        const table = names ? { schema: names.schema, name: names.table } : history.tableById.get(fk.tableId);
        const parentThen = names ? { schema: names.refSchema, name: names.refTable } : parent;
        const columns = names?.columns ?? fk.columns;
        const refColumns = names?.refColumns ?? fk.refColumns;
        const refSpan = fk.location.refColumnsSpan ?? fk.location.refTableSpan;
        // Without a written column list the referenced columns are the parent's primary key at that point, which a skipped statement may have changed.
        const gaps = !fk.location.refColumnsSpan && parent ? unsureBetween(history, pointOf(history, parent.location), fkPoint(fk), `another primary key of ${parentThen?.name}`) : undefined;
        findings.push(
          withGaps(
            {
              rule: 'fk-column-count-mismatch',
              severity: 'error',
              file: fk.location.file,
              span: fk.location.columnsSpan ?? fk.location.span,
              message:
                `Foreign key ${fk.name} has ${columns.length} referencing column(s), ${columnsLabel(table, columns)}, but ${refColumns.length} referenced, ` +
                `${columnsLabel(parentThen, refColumns)}: PostgreSQL refuses it ("number of referencing and referenced columns for foreign key disagree").`,
              related: [...(refSpan ? [{ file: fk.location.file, span: refSpan, message: `the referenced columns: ${refColumns.join(', ')}` }] : [])],
              fk: foreignKeyRef(history, fk),
            },
            gaps,
          ),
        );
      }
    }
    return findings;
  },
};
