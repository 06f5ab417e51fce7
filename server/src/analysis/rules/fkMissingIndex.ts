/** `fk-missing-index`: FK columns no index serves, judged on the final schema (a later CREATE INDEX counts). */
import { hasServingIndex } from '../../model/indexing';
import { columnsLabel, foreignKeyRef, tableLabel, withArticle, type Finding, type Rule } from '../rule';

export const fkMissingIndex: Rule = {
  id: 'fk-missing-index',
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'Foreign key without a usable index',
  description:
    'No index on the referencing table has the foreign-key columns as its leading columns (a partial index counts only when its predicate is implied by the columns being non-null). Every DELETE of a parent row, and every UPDATE of its key, then scans the whole child table, once per parent row, while holding locks.',
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      for (const table of history.tables) {
        for (const fk of table.foreignKeys) {
          if (!fk.enforced || hasServingIndex(fk, table)) continue;
          const parent = history.tableById.get(fk.refTableId);
          findings.push({
            rule: 'fk-missing-index',
            file: fk.location.file,
            span: fk.location.columnsSpan ?? fk.location.span,
            message:
              `No index on ${columnsLabel(table, fk.columns)} serves foreign key ${fk.name}: every DELETE of ${withArticle(tableLabel(parent))} row ` +
              `(or UPDATE of its ${fk.refColumns.join(", ")}) scans all of ${tableLabel(table)}.`,
            related: parent ? [{ file: parent.location.file, span: parent.location.span, message: `${tableLabel(parent)} is defined here` }] : [],
            fk: foreignKeyRef(history, fk),
          });
        }
      }
    }
    return findings;
  },
};
