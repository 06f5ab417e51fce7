/** `fk-target-not-unique`: the referenced columns are not exactly a primary key or a unique constraint / index. */
import { pointOf, fkPoint, unsureBetween, withGaps } from '../gaps';
import { POSTGRES_FAMILY, columnsLabel, foreignKeyRef, tableLabel, type Finding, type Rule } from '../rule';

export const fkTargetNotUnique: Rule = {
  id: 'fk-target-not-unique',
  dialects: POSTGRES_FAMILY,
  perHistory: true,
  defaultSeverity: 'error',
  title: 'Referenced columns are not a primary key or unique',
  description:
    'A foreign key must reference columns that are exactly the columns of a primary key, a unique constraint or a non-partial unique index of the referenced table (in any order). Otherwise PostgreSQL refuses the statement: "there is no unique constraint matching given keys for referenced table". When FK Lens skipped statements between the creation of the referenced table and the foreign key, one of them may have made the key, and the finding is an info.',
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      for (const fk of history.foreignKeys) {
        if (fk.refIndex || fk.columns.length !== fk.refColumns.length) continue;
        const parent = history.tableById.get(fk.refTableId);
        // Judged when the key was declared (PostgreSQL checks it then): named as they were at that step.
        const names = history.declarations.find((d) => d.fk === fk)?.names;
        const parentThen = names ? { schema: names.refSchema, name: names.refTable } : parent;
        const refColumns = names?.refColumns ?? fk.refColumns;
        const gaps = parent ? unsureBetween(history, pointOf(history, parent.location), fkPoint(fk), `a key on ${columnsLabel(parentThen, refColumns)}`) : undefined;
        findings.push(
          withGaps(
            {
              rule: 'fk-target-not-unique',
              severity: 'error',
              file: fk.location.file,
              span: fk.location.refColumnsSpan ?? fk.location.refTableSpan ?? fk.location.span,
              message:
                `${columnsLabel(parentThen, refColumns)} is not a primary key, unique constraint or unique index of ${tableLabel(parentThen)} at this point: ` +
                `PostgreSQL refuses foreign key ${fk.name} ("there is no unique constraint matching given keys for referenced table").`,
              related: [...(parent ? [{ file: parent.location.file, span: parent.location.span, message: `${tableLabel(parentThen)} is defined here` }] : [])],
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
