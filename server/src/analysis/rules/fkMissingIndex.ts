/**
 * `fk-missing-index`: FK columns no index serves, judged on the final schema (a later CREATE INDEX counts). An
 * index on the columns that cannot serve the RI query (partial, wrong leading column, expression) is named with
 * the reason; a later migration that dropped the serving index, or renamed the tables, is linked.
 */
import { hasServingIndex, whyIndexCannotServe } from '../../model/indexing';
import { laterChanges, lead } from '../finalSchema';
import { pointOf, unsureOfFinalSchema, withGaps } from '../gaps';
import { columnsLabel, foreignKeyRef, tableLabel, withArticle, type Finding, type RelatedLocation, type Rule } from '../rule';

const MAX_NAMED = 2;

export const fkMissingIndex: Rule = {
  id: 'fk-missing-index',
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'Foreign key without a usable index',
  description:
    'No index on the referencing table has the foreign-key columns as its leading columns (a partial index counts only when its predicate is implied by the columns being non-null). Every DELETE of a parent row, and every UPDATE of its key, then scans the whole child table, once per parent row, while holding locks. An index that involves the columns but cannot serve the check (partial with another predicate, other leading columns, an expression) is named with the reason.',
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      for (const table of history.tables) {
        for (const fk of table.foreignKeys) {
          if (!fk.enforced || hasServingIndex(fk, table)) continue;
          const parent = history.tableById.get(fk.refTableId);
          const unusable = table.indexes.flatMap((index) => {
            const why = whyIndexCannotServe(index, fk);
            return why ? [{ index, why }] : [];
          });
          const later = laterChanges(history, fk, { indexes: true });
          const named = unusable.slice(0, MAX_NAMED).map((u) => ` ${u.index.name} does not serve it: ${u.why}.`).join('');
          const related: RelatedLocation[] = [
            ...later.related,
            ...unusable.slice(0, MAX_NAMED).map((u) => ({ file: u.index.location.file, span: u.index.location.span, message: `${u.index.name} cannot serve ${fk.name}: ${u.why}` })),
          ];
          if (parent) related.push({ file: parent.location.file, span: parent.location.span, message: `${tableLabel(parent)} is defined here` });
          // A statement skipped after the child table was created may have created the index.
          const gaps = unsureOfFinalSchema(history, pointOf(history, table.location));
          findings.push(
            withGaps(
              {
                rule: 'fk-missing-index',
                file: fk.location.file,
                span: fk.location.columnsSpan ?? fk.location.span,
                message:
                  lead(later.changed, `No index on ${columnsLabel(table, fk.columns)} serves foreign key ${fk.name}: every DELETE of ${withArticle(tableLabel(parent))} row `) +
                  `(or UPDATE of its ${fk.refColumns.join(', ')}) scans all of ${tableLabel(table)}.${named}`,
                severity: 'warning',
                related,
                fk: foreignKeyRef(history, fk),
              },
              gaps,
            ),
          );
        }
      }
    }
    return findings;
  },
};
