/** `set-null-on-not-null`: SET NULL that would null a NOT NULL column; PostgreSQL accepts the DDL and fails at DELETE time. */
import type { Table } from '../../model/schema';
import type { Span } from '../../sources/text';
import { earliest, fkPoint, pointOf, unsureOfFinalSchema, withGaps } from '../gaps';
import { laterChanges } from '../finalSchema';
import { foreignKeyRef, tableLabel, type Finding, type RelatedLocation, type Rule } from '../rule';

export const setNullOnNotNull: Rule = {
  id: 'set-null-on-not-null',
  perHistory: true,
  defaultSeverity: 'error',
  title: 'SET NULL on a NOT NULL column',
  description:
    'ON DELETE / ON UPDATE SET NULL sets the referencing columns (with SET NULL (cols): the listed ones) to NULL when the parent row goes away. When one of them is NOT NULL (primary-key columns are), PostgreSQL accepts the constraint but every such DELETE or key UPDATE of a referenced parent row fails with a not-null violation.',
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      for (const table of history.tables) {
        for (const fk of table.foreignKeys) {
          if (!fk.enforced || (fk.onDelete !== 'SET NULL' && fk.onUpdate !== 'SET NULL')) continue;
          const parent = history.tableById.get(fk.refTableId);
          const check = (operation: 'DELETE' | 'UPDATE', columns: string[], span: Span | undefined) => {
            const notNull = table.columns.filter((c) => columns.includes(c.name) && c.notNull);
            if (!notNull.length) return;
            const names = notNull.map((c) => `${tableLabel(table)}.${c.name}`).join(', ');
            const what = operation === 'DELETE' ? `every DELETE of a referenced ${tableLabel(parent)} row` : `every UPDATE of a referenced ${tableLabel(parent)} key`;
            // NOT NULL set by a later migration, or names changed since: the finding is about the final schema.
            const later = laterChanges(history, fk);
            const laterNotNull = notNull.some((c) => c.notNullLocation && pointOf(history, c.notNullLocation).step > fk.step);
            const since = earliest(fkPoint(fk), ...notNull.map((c) => pointOf(history, c.notNullLocation ?? c.location)));
            const gaps = unsureOfFinalSchema(history, since);
            findings.push(
              withGaps(
                {
                  rule: 'set-null-on-not-null',
                  severity: 'error',
                  file: fk.location.file,
                  span: span ?? fk.location.span,
                  message:
                    (later.changed || laterNotNull ? 'In the final schema, ' : '') +
                    `ON ${operation} SET NULL on ${names}, which ${notNull.length > 1 ? 'are' : 'is'} NOT NULL: ${what} will fail with a not-null violation.`,
                  related: [...notNullRelated(table, notNull), ...later.related],
                  fk: foreignKeyRef(history, fk),
                },
                gaps,
              ),
            );
          };
          if (fk.onDelete === 'SET NULL') check('DELETE', fk.setColumns ?? fk.columns, fk.location.onDeleteSpan);
          if (fk.onUpdate === 'SET NULL') check('UPDATE', fk.columns, fk.location.onUpdateSpan);
        }
      }
    }
    return findings;
  },
};

function notNullRelated(table: Table, columns: Table['columns']): RelatedLocation[] {
  return columns.map((c) => {
    const where = c.notNullLocation ?? c.location;
    const pk = table.primaryKey?.columns.includes(c.name);
    return { file: where.file, span: where.span, message: `${tableLabel(table)}.${c.name} is NOT NULL${pk ? ' (part of the primary key)' : ''}` };
  });
}
