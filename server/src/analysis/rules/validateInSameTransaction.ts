/**
 * `validate-in-same-transaction`: ADD ... NOT VALID and VALIDATE CONSTRAINT of the same FK in one transaction,
 * either an explicit BEGIN ... COMMIT or a migration file the tool runs as one transaction.
 */
import type { SourceFile } from '../../sources/events';
import type { MigrationTool } from '../../sources/migrationFile';
import { POSTGRES_FAMILY, declarationRef, tableLabel, type Finding, type Rule } from '../rule';

/** How each tool runs one migration file, when that makes the file one transaction (and how a file opts out). */
export const FILE_TRANSACTION: Partial<Record<MigrationTool, { how: string; optOut?: (source: SourceFile) => boolean }>> = {
  prisma: { how: 'Prisma runs each migration file in one transaction' },
  'golang-migrate': { how: 'golang-migrate sends a migration file as one multi-statement query, which PostgreSQL runs as one implicit transaction' },
  goose: { how: 'goose runs each migration in one transaction', optOut: (s) => /\+goose\s+NO\s+TRANSACTION/i.test(s.lines.text) },
  dbmate: { how: 'dbmate runs each migration in one transaction', optOut: (s) => /migrate:up\b[^\n]*transaction\s*:\s*false/i.test(s.lines.text) },
  diesel: { how: 'diesel runs each migration in one transaction' },
  flyway: { how: 'Flyway runs each PostgreSQL migration in one transaction' },
  popx: { how: 'popx runs each migration in one transaction', optOut: (s) => /\.autocommit\./i.test(s.path) },
  'node-pg-migrate': { how: 'node-pg-migrate runs each migration in one transaction', optOut: (s) => /\.noTransaction\s*\(/.test(s.lines.text) },
};

export const validateInSameTransaction: Rule = {
  id: 'validate-in-same-transaction',
  dialects: POSTGRES_FAMILY,
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'NOT VALID and VALIDATE CONSTRAINT in one transaction',
  description:
    'Adding a foreign key NOT VALID and validating it later exists to split one long lock into a short one (ADD) and a weak one (VALIDATE). When both run in the same transaction, the locks ADD took are held until the end of VALIDATE, which gains nothing over a plain ADD. That is the case inside an explicit BEGIN ... COMMIT, and in one migration file when the migration tool runs a file as one transaction (Prisma, golang-migrate, goose, dbmate, diesel, Flyway, popx, node-pg-migrate).',
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      const tool = FILE_TRANSACTION[history.history.tool];
      for (const v of history.validations) {
        const declaration = history.declarations.find((d) => d.fk === v.fk && d.step === v.step && d.byAlter);
        if (!declaration || declaration.fk.location.file !== v.location.file) continue;
        const source = history.sources[v.step];
        if (!source) continue;
        const from = declaration.fk.location.span.end;
        const to = v.location.span.start;
        if (to < from) continue;
        const ended = source.events.some((e) => (e.kind === 'commit' || e.kind === 'rollback') && e.statement.start >= from && e.statement.start < to);
        if (ended) continue;
        let why: string;
        if (declaration.inExplicitTransaction && v.inExplicitTransaction) why = 'inside the same BEGIN ... COMMIT';
        else if (tool && !tool.optOut?.(source)) why = `in the same migration file, and ${tool.how}`;
        else continue;
        const fk = v.fk;
        // A step fact: the names of that migration.
        const table = { schema: declaration.names.schema, name: declaration.names.table };
        const parent = { schema: declaration.names.refSchema, name: declaration.names.refTable };
        findings.push({
          rule: 'validate-in-same-transaction',
          file: v.location.file,
          span: v.location.span,
          message:
            `VALIDATE CONSTRAINT ${fk.name} runs in the same transaction as the ADD ... NOT VALID (${why}): the locks on ${tableLabel(table)} and ${tableLabel(parent)} are held until it ends, ` +
            `so NOT VALID gains nothing. Validate in a later migration.`,
          related: [{ file: declaration.fk.location.file, span: declaration.fk.location.span, message: `${fk.name} is added NOT VALID here` }],
          fk: declarationRef(history, declaration),
        });
      }
    }
    return findings;
  },
};
