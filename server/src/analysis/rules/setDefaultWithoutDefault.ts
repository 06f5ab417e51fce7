/**
 * `set-default-without-default`: SET DEFAULT on a column without a DEFAULT: it becomes NULL (a not-null
 * violation when NOT NULL, else silently the same as SET NULL). With a literal default, the parent must hold a
 * row with that key, or the DELETE fails the FK check.
 */
import { isNullDefault, type Column, type Table } from '../../model/schema';
import type { Span } from '../../sources/text';
import { earliest, fkPoint, pointOf, unsureOfFinalSchema, withGaps } from '../gaps';
import { laterChanges } from '../finalSchema';
import { foreignKeyRef, tableLabel, type Finding, type RelatedLocation, type Rule, type Severity } from '../rule';

export const setDefaultWithoutDefault: Rule = {
  id: 'set-default-without-default',
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'SET DEFAULT on a column without a usable default',
  description:
    'ON DELETE / ON UPDATE SET DEFAULT writes the column default into the referencing columns. Without a DEFAULT the value is NULL: a NOT NULL column makes every DELETE of a referenced parent row fail (error), a nullable one makes the action silently the same as SET NULL (warning). With a literal default the parent must hold a row with that key, or the DELETE fails the foreign-key check (info).',
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      for (const table of history.tables) {
        for (const fk of table.foreignKeys) {
          if (!fk.enforced || (fk.onDelete !== 'SET DEFAULT' && fk.onUpdate !== 'SET DEFAULT')) continue;
          const parent = history.tableById.get(fk.refTableId);
          const check = (operation: 'DELETE' | 'UPDATE', names: string[], span: Span | undefined) => {
            const columns = table.columns.filter((c) => names.includes(c.name));
            const missing = columns.filter((c) => !hasDefault(c));
            const failing = missing.filter((c) => c.notNull);
            const what = operation === 'DELETE' ? `every DELETE of a referenced ${tableLabel(parent)} row` : `every UPDATE of a referenced ${tableLabel(parent)} key`;
            const label = (list: Column[]) => list.map((c) => `${tableLabel(table)}.${c.name}`).join(', ');
            let severity: Severity;
            let message: string;
            let related: RelatedLocation[];
            if (failing.length) {
              severity = 'error';
              message = `ON ${operation} SET DEFAULT on ${label(failing)}, which ${failing.length > 1 ? 'have' : 'has'} no DEFAULT and ${failing.length > 1 ? 'are' : 'is'} NOT NULL: the default is NULL, so ${what} will fail with a not-null violation.`;
              related = failing.map((c) => columnRelated(table, c, 'is NOT NULL and has no DEFAULT'));
            } else if (missing.length) {
              severity = 'warning';
              message = `ON ${operation} SET DEFAULT on ${label(missing)}, which ${missing.length > 1 ? 'have' : 'has'} no DEFAULT: ${what} sets ${missing.length > 1 ? 'them' : 'it'} to NULL, the same as SET NULL.`;
              related = missing.map((c) => columnRelated(table, c, 'has no DEFAULT'));
            } else {
              const literals = columns.filter((c) => c.default !== undefined && isLiteral(c.default));
              if (!literals.length) return;
              severity = 'info';
              const values = literals.map((c) => `${c.name} = ${c.default}`).join(', ');
              message = `ON ${operation} SET DEFAULT resets ${label(literals)} to ${values}: ${tableLabel(parent)} must hold a row with that key, or ${what} fails the foreign-key check.`;
              related = literals.map((c) => columnRelated(table, c, `DEFAULT ${c.default}`));
            }
            // A later migration changed the columns or names: the finding is about the final schema.
            const later = laterChanges(history, fk);
            const laterColumns = columns.some((c) => [c.notNullLocation, c.defaultLocation].some((l) => l && pointOf(history, l).step > fk.step));
            if (later.changed || laterColumns) message = `In the final schema, ${message}`;
            related.push(...later.related);
            // Skipped statements after the columns were declared may have given them a default.
            const gaps = severity === 'error' ? unsureOfFinalSchema(history, earliest(fkPoint(fk), ...columns.map((c) => pointOf(history, c.location)))) : undefined;
            findings.push(withGaps({ rule: 'set-default-without-default', file: fk.location.file, span: span ?? fk.location.span, message, severity, related, fk: foreignKeyRef(history, fk) }, gaps));
          };
          if (fk.onDelete === 'SET DEFAULT') check('DELETE', fk.setColumns ?? fk.columns, fk.location.onDeleteSpan);
          if (fk.onUpdate === 'SET DEFAULT') check('UPDATE', fk.columns, fk.location.onUpdateSpan);
        }
      }
    }
    return findings;
  },
};

function hasDefault(c: Column): boolean {
  if (c.identity || c.generated) return true;
  return c.default !== undefined && !isNullDefault(c.default);
}

/** A constant: a number or a quoted string, possibly cast. Function calls (nextval, now()) are left alone. */
function isLiteral(expression: string): boolean {
  return /^\(?\s*(-?\d+(\.\d+)?|'([^']|'')*')\s*\)?(::[\w\s."]+(\(\d+\))?)?$/i.test(expression.trim());
}

function columnRelated(table: Table, c: Column, what: string): RelatedLocation {
  const where = c.defaultLocation ?? c.notNullLocation ?? c.location;
  return { file: where.file, span: where.span, message: `${tableLabel(table)}.${c.name} ${what}` };
}
