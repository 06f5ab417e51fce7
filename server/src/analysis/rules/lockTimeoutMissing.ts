/**
 * `lock-timeout-missing`: a migration takes a lock that makes writes wait (SHARE or stronger) on a table that
 * existed before it and that foreign keys reference, with no lock_timeout set earlier in its session or
 * transaction. Waiting for such a lock behind a long transaction makes every later write (or, for ACCESS
 * EXCLUSIVE, every query) on the table queue behind the migration; a lock_timeout turns that into a quick
 * failure to retry. One finding per migration, at its first such statement: for every migration from the first
 * one of the history that sets lock_timeout on (the project's practice); in a history that never sets one, only
 * for the newest such migration (the older ones have run, or the connection sets it), counting the others.
 */
import { loadsIntoEmptyDatabase } from '../../sources/migrationFile';
import type { HistoryModel, StatementLocks } from '../../model/replay';
import { lockConflicts } from '../../model/replay/lockModes';
import type { MigrationTool } from '../../sources/migrationFile';
import { type Finding, type RelatedLocation, type Rule } from '../rule';
import { withGaps } from '../gaps';
import { earlierMigrationsText, lockTimeoutInEffect, locksText, reportedSteps, statementHead, tablesText, unsureOfLockTimeout } from './lockStatements';

export const LOCK_TIMEOUT_MISSING = 'lock-timeout-missing';

/** Related locations: statements of the migration, and earlier migrations a finding stands for. */
const MAX_RELATED = 20;
const MAX_EARLIER = 5;

const SQL_SET = "`SET lock_timeout = '5s';`";

/** Where and how each tool lets a migration set lock_timeout. */
const WHERE: Partial<Record<MigrationTool, string>> = {
  'golang-migrate': `with ${SQL_SET} as the first statement of the .up.sql file (golang-migrate sends the file as one query, so it covers every statement)`,
  goose: `with ${SQL_SET} right after \`-- +goose Up\``,
  dbmate: `with ${SQL_SET} right after \`-- migrate:up\``,
  flyway: `with ${SQL_SET} as the first statement of the migration, or for every migration in Flyway's \`initSql\` setting`,
  prisma: `with ${SQL_SET} as the first statement of migration.sql`,
  diesel: `with ${SQL_SET} as the first statement of up.sql`,
  popx: `with ${SQL_SET} as the first statement of the .up.sql file`,
  knex: "with `await knex.raw(\"SET lock_timeout = '5s'\")` at the start of `up` (or node-postgres's `lock_timeout` connection option, in milliseconds, in the knexfile)",
  typeorm: "with `await queryRunner.query(\"SET lock_timeout = '5s'\")` at the start of `up` (or `extra: { lock_timeout: 5000 }` in the DataSource options)",
  // Outside a transaction each query takes whichever pooled connection is free: a SET holds for that one only.
  sequelize: "with `dialectOptions: { lock_timeout: 5000 }` in the Sequelize config (every connection gets it), or in a transaction: `SET LOCAL lock_timeout = '5s'` through `queryInterface.sequelize.query(sql, { transaction })` first, and `{ transaction }` passed to every call",
  'node-pg-migrate': "with `pgm.sql(\"SET lock_timeout = '5s'\")` as the first call in `up` (node-pg-migrate sends a migration's statements in the order they are called)",
};

/** The locks of a statement that make writes wait, on tables created by an earlier migration that FKs reference. */
function risky(s: StatementLocks) {
  return s.locks.filter((l) => l.createdStep < s.step && l.referenced && lockConflicts(l.mode, 'ROW EXCLUSIVE'));
}

export const lockTimeoutMissing: Rule = {
  id: LOCK_TIMEOUT_MISSING,
  // PostgreSQL's table locks; CockroachDB changes schemas online.
  dialects: ['postgres'],
  perHistory: true,
  defaultSeverity: 'info',
  title: 'Migration locks a referenced table without lock_timeout',
  description:
    'A migration that takes a lock which makes writes wait (SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE, ACCESS EXCLUSIVE: adding or dropping an FK, most ALTER TABLE, CREATE INDEX without CONCURRENTLY, TRUNCATE) on an existing table that foreign keys reference, with no `SET lock_timeout` earlier in its session or transaction. If a long transaction holds the table, the statement waits, and every later write (for ACCESS EXCLUSIVE: every query) on the table queues behind it. With a lock_timeout the statement fails quickly instead, and the migration can be retried. Reported once per migration, at its first such statement, for every migration from the first one that sets lock_timeout on; in a history where no migration sets it, only for the newest such migration (the older ones have most likely run already), which says how many more there are.',
  check({ histories, settings }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      if (loadsIntoEmptyDatabase(history.history.tool)) continue;
      const byStep = new Map<number, StatementLocks[]>();
      for (const s of history.locks) {
        if (lockTimeoutInEffect(history, s) || !risky(s).length) continue;
        let list = byStep.get(s.step);
        if (!list) byStep.set(s.step, (list = []));
        list.push(s);
      }
      const migrations = [...byStep.values()];
      const { reported, earlier } = reportedSteps(history, migrations.map(([first]) => first.step), settings.reviewed);
      const earlierSteps = new Set(earlier);
      const earlierMigrations = migrations.filter(([first]) => earlierSteps.has(first.step));
      for (const statements of migrations) if (reported.has(statements[0].step)) findings.push(finding(history, statements, earlierMigrations));
    }
    return findings;
  },
};

/** The finding of one migration (`statements`: its statements that need a lock_timeout), standing also for `earlier` migrations. */
function finding(history: HistoryModel, statements: StatementLocks[], earlier: StatementLocks[][]): Finding {
  const [first, ...rest] = statements;
  const locks = risky(first);
  const more = rest.length ? ` (and ${rest.length} more statement${rest.length === 1 ? '' : 's'} of this migration)` : '';
  const where = WHERE[history.history.tool] ?? `with ${SQL_SET} as the first statement of the migration`;
  const related: RelatedLocation[] = rest.slice(0, MAX_RELATED).map((s) => ({
    file: s.file,
    span: statementHead(s),
    message: `${s.summary}: ${locksText(risky(s))}`,
  }));
  // The newest earlier migrations first.
  for (const [s] of earlier.slice(-MAX_EARLIER).reverse()) {
    related.push({ file: s.file, span: statementHead(s), message: `an earlier migration, also without lock_timeout: ${s.summary}: ${locksText(risky(s))}` });
  }
  const tables = tablesText(locks);
  const others = earlierMigrationsText(earlier.length, 'referenced tables');
  const result: Finding = {
    rule: LOCK_TIMEOUT_MISSING,
    severity: 'info',
    file: first.file,
    span: statementHead(first),
    message:
      `No lock_timeout is set before ${first.summary} takes ${locksText(locks)}${more}: ` +
      `behind a long transaction on ${tables} it waits, and every later ${locks.some((l) => l.mode === 'ACCESS EXCLUSIVE') ? 'query' : 'write'} on ${tables} queues behind it. ` +
      `Set one ${where}, and retry the migration when it times out.${others}`,
    related,
  };
  return withGaps(result, unsureOfLockTimeout(history, first));
}
