/**
 * `fk-type-mismatch`: the referencing and referenced columns have different types. PostgreSQL refuses a key
 * whose types have no equality operator in the parent's btree family and no implicit cast from the child's
 * type to the parent's (uuid vs text): error. An integer child narrower than its parent: warning (wider: info).
 * Other differences (varchar lengths, text vs varchar, numeric precision, types FK Lens does not know, such as
 * domains): info.
 */
import type { Column, Table } from '../../model/schema';
import { earliest, fkPoint, pointOf, unsureOfFinalSchema, withGaps } from '../gaps';
import { laterChanges, lead } from '../finalSchema';
import { POSTGRES_FAMILY, foreignKeyRef, tableLabel, type Finding, type Rule, type Severity } from '../rule';

/** Btree operator families of the built-in types (cross-type equality exists inside a family). */
const FAMILY: Record<string, string> = {
  smallint: 'integer',
  integer: 'integer',
  bigint: 'integer',
  numeric: 'numeric',
  real: 'float',
  'double precision': 'float',
  text: 'text',
  'character varying': 'text',
  character: 'text',
  date: 'datetime',
  'timestamp without time zone': 'datetime',
  'timestamp with time zone': 'datetime',
  'time without time zone': 'time',
  'time with time zone': 'timetz',
  interval: 'interval',
  uuid: 'uuid',
  boolean: 'boolean',
  bytea: 'bytea',
  inet: 'network',
  cidr: 'network',
  macaddr: 'macaddr',
  money: 'money',
  oid: 'oid',
  jsonb: 'jsonb',
};

/** Implicit casts between families (child family -> parent family) PostgreSQL can use for the FK check. */
const IMPLICIT: Record<string, string[]> = {
  integer: ['numeric', 'float', 'oid'],
  numeric: ['float'],
};

const INTEGER_BITS: Record<string, number> = { smallint: 16, integer: 32, bigint: 64 };

function baseType(type: string): string {
  return type.replace(/\(.*?\)/g, '').replace(/\s+/g, ' ').trim();
}

/** The grade of a type difference, or undefined when the types are the same. */
export function typeMismatch(childType: string, parentType: string): { severity: Severity; why: string } | undefined {
  if (childType === parentType) return undefined;
  const child = baseType(childType);
  const parent = baseType(parentType);
  const cf = FAMILY[child];
  const pf = FAMILY[parent];
  if (!cf || !pf || child.endsWith('[]') || parent.endsWith('[]')) {
    return child === parent && cf ? { severity: 'info', why: 'the type modifiers differ' } : { severity: 'info', why: 'the types differ' };
  }
  if (cf === pf) {
    if (cf === 'integer') {
      // A narrower child cannot hold every parent key; a wider one can, and btree's integer family compares
      // across widths with the indexes on both sides, so it only costs consistency.
      return INTEGER_BITS[child] < INTEGER_BITS[parent]
        ? { severity: 'warning', why: `${childType} is narrower than ${parentType}: parent keys beyond the ${childType} range cannot be referenced` }
        : { severity: 'info', why: `${childType} is wider than ${parentType}: every parent key fits, and the checks use the indexes across the two widths, but the types should agree` };
    }
    return { severity: 'info', why: 'the types are compatible but not the same' };
  }
  if (IMPLICIT[cf]?.includes(pf)) return { severity: 'warning', why: `every check casts ${childType} to ${parentType}` };
  return { severity: 'error', why: `PostgreSQL refuses the key: ${childType} and ${parentType} are incompatible types` };
}

export const fkTypeMismatch: Rule = {
  id: 'fk-type-mismatch',
  dialects: POSTGRES_FAMILY,
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'Foreign key column types differ',
  description:
    'A referencing column and the column it references have different types. Incompatible types (uuid vs text) make PostgreSQL refuse the key (error); an integer column narrower than the key it references cannot hold every key (warning); a wider one, and other differences such as varchar lengths or text vs varchar, are reported as info.',
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      for (const fk of history.foreignKeys) {
        const table = history.tableById.get(fk.tableId);
        const parent = history.tableById.get(fk.refTableId);
        if (!table || !parent || fk.columns.length !== fk.refColumns.length) continue;
        let problems: { child: Column; ref: Column; severity: Severity; why: string }[] | undefined;
        for (let i = 0; i < fk.columns.length; i++) {
          const child = columnNamed(table, fk.columns[i]);
          const ref = columnNamed(parent, fk.refColumns[i]);
          if (!child || !ref || child.type === ref.type) continue;
          const mismatch = typeMismatch(child.type, ref.type);
          if (mismatch) (problems ??= []).push({ child, ref, ...mismatch });
        }
        if (!problems) continue;
        const worst = problems.find((p) => p.severity === 'error') ?? problems.find((p) => p.severity === 'warning') ?? problems[0];
        const list = problems.map((p) => `${tableLabel(table)}.${p.child.name} is ${p.child.type}, ${tableLabel(parent)}.${p.ref.name} is ${p.ref.type}`).join('; ');
        const later = laterChanges(history, fk);
        // A skipped statement after the columns were declared may have changed a type (ALTER COLUMN ... TYPE).
        const gaps = worst.severity === 'error' ? unsureOfFinalSchema(history, earliest(fkPoint(fk), ...problems.flatMap((p) => [pointOf(history, p.child.location), pointOf(history, p.ref.location)]))) : undefined;
        findings.push(
          withGaps(
            {
              rule: 'fk-type-mismatch',
              file: fk.location.file,
              span: fk.location.columnsSpan ?? fk.location.span,
              message: lead(later.changed, `The column types of foreign key ${fk.name} differ: ${list} (${worst.why}).`),
              severity: worst.severity,
              related: [
                ...problems.flatMap((p) => [
                  { file: p.ref.location.file, span: p.ref.location.span, message: `${tableLabel(parent)}.${p.ref.name} ${p.ref.type}` },
                  { file: p.child.location.file, span: p.child.location.span, message: `${tableLabel(table)}.${p.child.name} ${p.child.type}` },
                ]),
                ...later.related,
              ],
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

/** The table's first column of that name (without a closure per lookup: this runs for every FK column). */
function columnNamed(table: Table, name: string): Column | undefined {
  for (const c of table.columns) if (c.name === name) return c;
  return undefined;
}
