/**
 * `fk-added-without-not-valid`: a migration step adds a foreign key to a table that existed before it, in a way
 * that makes PostgreSQL check every existing row under SHARE ROW EXCLUSIVE locks. A step fact: judged on the
 * declaration as it was written (names of that step), also when a later migration drops or replaces the key.
 * Not reported for `ADD COLUMN ... REFERENCES` without a DEFAULT clause: PostgreSQL skips the check there.
 * Judged for every migration from the first one that adds a key NOT VALID or validates one (the project splits
 * them); in a history that never does, only for the newest such migration (and those under review), which counts
 * the earlier ones: they have most likely run long ago (practice.ts).
 */
import type { ForeignKeyDeclaration, HistoryModel } from '../../model/replay';
import { isNullDefault } from '../../model/schema';
import { POSTGRES_FAMILY, columnsLabel, declarationRef, tableLabel, type Finding, type RelatedLocation, type Rule } from '../rule';
import { earlierMigrationsText, stepsToReport } from './practice';

/** Earlier migrations a finding names as related locations, at most. */
const MAX_EARLIER = 5;

/** The first step of the history that adds a foreign key NOT VALID or validates a constraint, or -1. */
export function notValidAdopted(history: HistoryModel): number {
  return history.sources.findIndex((source) =>
    source?.events.some(
      (e) =>
        e.kind === 'alter_table' &&
        e.commands.some((c) => c.kind === 'validate_constraint' || (c.kind === 'add_constraint' && c.constraint.kind === 'foreign' && c.constraint.notValid)),
    ),
  );
}

export const fkAddedWithoutNotValid: Rule = {
  id: 'fk-added-without-not-valid',
  dialects: POSTGRES_FAMILY,
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'Foreign key added to an existing table without NOT VALID',
  description:
    'ALTER TABLE ... ADD [CONSTRAINT ...] FOREIGN KEY on a table created by an earlier migration checks every existing row while holding SHARE ROW EXCLUSIVE locks on both tables: writes to both wait until the scan ends. Adding the key NOT VALID and validating it in a later migration (VALIDATE CONSTRAINT takes only SHARE UPDATE EXCLUSIVE) avoids that. ADD COLUMN ... REFERENCES is reported only when the new column has a DEFAULT (without one, every row holds NULL and PostgreSQL skips the check); NOT VALID cannot be written on a column, so the fix is ADD COLUMN, then ADD CONSTRAINT ... NOT VALID. Tables created in the same migration are not reported. Every migration is judged from the first one that adds a key NOT VALID or validates one (the project splits them); in a history that never does, only the newest such migration (and the files under review) is reported, and it counts the earlier ones, which have most likely run long ago.',
  check({ histories, settings }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      if (history.history.tool === 'schema') continue; // a schema file is loaded into an empty database
      const candidates = history.declarations.filter((d) => d.checksExistingRows);
      if (!candidates.length) continue;
      const steps = [...new Set(candidates.map((d) => d.step))].sort((a, b) => a - b);
      const { reported, earlier } = stepsToReport(history, steps, notValidAdopted(history), settings.reviewed);
      // The first such key of each earlier migration (at most MAX_EARLIER, the newest), named by every finding that stands for them.
      const earlierSteps = new Set(earlier);
      const firsts = new Map<number, ForeignKeyDeclaration>();
      for (const d of candidates) if (earlierSteps.has(d.step) && !firsts.has(d.step)) firsts.set(d.step, d);
      const earlierRelated: RelatedLocation[] = [...firsts.values()]
        .slice(-MAX_EARLIER)
        .reverse()
        .map((d) => ({ file: d.fk.location.file, span: d.fk.location.span, message: `an earlier migration, also without NOT VALID: ${d.fk.name} on ${tableLabel({ schema: d.names.schema, name: d.names.table })}` }));
      const others = earlierMigrationsText(earlier.length, 'adds a foreign key NOT VALID', 'add', 'keys');
      for (const d of candidates) {
        if (!reported.has(d.step)) continue;
        const fk = d.fk;
        const table = { schema: d.names.schema, name: d.names.table };
        const parent = { schema: d.names.refSchema, name: d.names.refTable };
        const creator = history.tableById.get(fk.tableId);
        const related: RelatedLocation[] = creator && creator.createdStep < d.step ? [{ file: creator.location.file, span: creator.location.span, message: `${tableLabel(table)} is created by an earlier migration` }] : [];
        findings.push({
          rule: 'fk-added-without-not-valid',
          file: fk.location.file,
          span: fk.location.span,
          message: message(d, tableLabel(table), tableLabel(parent), columnsLabel(table, d.names.columns)) + others,
          related: [...related, ...earlierRelated],
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
