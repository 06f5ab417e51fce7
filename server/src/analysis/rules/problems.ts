/**
 * The problems the readers and the replay report (syntax errors, statements on unknown tables, an FK whose
 * target does not exist at that point ...), as rules whose id is the problem's code, so severity settings and
 * suppressions apply to them like to every other rule. The severity each problem was reported with is its grade.
 */
import type { HistoryModel, ReplayProblem } from '../../model/replay';
import { shortenQuotedText } from '../../sources/excerpt';
import { unsureOfAbsence, withGaps } from '../gaps';
import type { Finding, ForeignKeyRef, Rule, Severity } from '../rule';

/** Where the problems come from: the readers, the replay, or both (`unsupported`: what a reader or the replay skipped). */
type Source = 'reader' | 'replay' | 'both';

function problemRule(id: string, source: Source, defaultSeverity: Severity, title: string, description: string): Rule {
  return {
    id,
    defaultSeverity,
    title,
    description,
    check({ workspace, histories }) {
      const findings: Finding[] = [];
      if (source !== 'replay') {
        for (const [path, file] of workspace.sources) {
          for (const p of file.problems ?? []) {
            // What a reader quotes of the file's text is kept short (sources/excerpt.ts).
            if (p.code === id) findings.push({ rule: id, file: path, span: p.span, message: shortenQuotedText(p.message), severity: p.severity });
          }
        }
      }
      if (source !== 'reader') {
        // Companions (a Prisma schema compared with its migrations) report their own replay problems.
        for (const history of [...histories, ...(workspace.companions ?? [])]) {
          for (const p of history.problems ?? []) {
            if (p.code !== id) continue;
            const finding: Finding = { rule: id, file: p.file, span: p.span, message: p.message, severity: p.severity };
            findings.push(id === 'fk-target-missing' ? targetMissing(history, p, finding) : finding);
          }
        }
      }
      return findings;
    },
  };
}

export const problemRules: Rule[] = [
  problemRule('syntax-error', 'reader', 'error', 'Syntax error', 'PostgreSQL\'s parser rejects the statement. The rest of the file is still read, but what the statement would have done is missing from the model.'),
  problemRule('schema-error', 'reader', 'error', 'Invalid Prisma schema', 'The Prisma schema parses but does not validate (an unknown type, a relation without fields, a bad referential action ...). What the invalid part would declare is missing from the model.'),
  problemRule('not-read', 'reader', 'info', 'Files not read', 'Files FK Lens recognises but does not read because another file holds their result: a Rails app\'s Ruby migrations beside db/schema.rb, which is what Rails loads. Not a gap: the model is complete without them.'),
  problemRule('unsupported', 'both', 'info', 'Not read', 'FK Lens could not read something and left it out of the model: a file written for a database it does not read (e.g. CockroachDB-only syntax), a migration call or psql command it cannot follow, a psql variable it cannot see, or a statement skipped under a run-time condition it could not decide. The history is partial.'),
  problemRule(
    'fk-target-missing',
    'replay',
    'error',
    'Referenced table or column does not exist',
    'The foreign key references a table or column that does not exist at that point of the migration history (or REFERENCES t without a column list, where t has no primary key). PostgreSQL rejects the statement; the key is missing from the model.',
  ),
  problemRule('unknown-table', 'replay', 'info', 'Unknown table', 'The statement changes a table that no file FK Lens read creates before this point. It is skipped in the model; when the table comes from somewhere FK Lens cannot see (an extension, another tool), turn this rule off.'),
  problemRule('unknown-column', 'replay', 'info', 'Unknown or duplicate column', 'The statement names a column that does not exist on the table at that point (or adds one that already exists). The statement is skipped in the model.'),
  problemRule('unknown-constraint', 'replay', 'info', 'Unknown constraint', 'The statement names a constraint that does not exist on the table at that point. PostgreSQL would reject it (unless IF EXISTS); the model is left unchanged.'),
  problemRule('unknown-index', 'replay', 'info', 'Unknown or duplicate index', 'The statement names an index that does not exist at that point, or creates one whose name is taken.'),
  problemRule('mysql-set-default-ignored', 'replay', 'warning', 'MySQL ignores SET DEFAULT', 'InnoDB accepts ON DELETE / ON UPDATE SET DEFAULT without an error but does not store it: the key behaves as RESTRICT.'),
  problemRule('mysql-inline-references', 'replay', 'warning', 'Column-level REFERENCES on MySQL', 'A column-level `col INT REFERENCES t(id)` creates a foreign key on MariaDB 10.5+ but is silently ignored by MySQL (setting `fklens.mysql.server`).'),
  problemRule('sqlite-foreign-keys-off', 'replay', 'warning', 'SQLite foreign keys not turned on', 'Foreign keys are declared, but nothing in the project runs `PRAGMA foreign_keys = ON`: SQLite enforces none of them otherwise.'),
  problemRule('duplicate-table', 'replay', 'warning', 'Table created twice', 'CREATE TABLE (without IF NOT EXISTS) for a table that already exists at that point: PostgreSQL rejects the statement.'),
];

/**
 * `fk-target-missing` names the foreign key it is about (`fk`, with the names as written), and is no error when
 * the history is partial before that point: a statement FK Lens skipped may have created the table or column.
 */
function targetMissing(history: HistoryModel, p: ReplayProblem, finding: Finding): Finding {
  const unresolved = history.unresolved.find((u) => u.location.file === p.file && (u.refTableSpan ?? u.location.span).start === p.span.start);
  if (unresolved) {
    const [schema, table] = splitName(unresolved.table);
    const [refSchema, refTable] = splitName(unresolved.refTable, schema);
    const ref: ForeignKeyRef = { historyId: history.history.id, tableId: -1, name: '', schema, table, columns: [...unresolved.columns], refSchema, refTable, refColumns: [...unresolved.refColumns] };
    finding = { ...finding, fk: ref };
  }
  // At the end of the history (an FK still waiting for its parent), any gap of the history counts; so in loose
  // schema files, whose load order FK Lens does not know.
  const atEnd = p.severity !== 'error' || history.history.tool === 'schema';
  const what = unresolved?.reason === 'columns' ? 'the referenced columns' : unresolved?.reason === 'no-primary-key' ? 'the primary key' : 'the referenced table';
  const unsure = unsureOfAbsence(history, { step: atEnd ? Number.MAX_SAFE_INTEGER : p.step, offset: p.span.start }, what);
  return withGaps(finding, unsure);
}

function splitName(qualified: string, defaultSchema = 'public'): [string, string] {
  const dot = qualified.indexOf('.');
  return dot < 0 ? [defaultSchema, qualified] : [qualified.slice(0, dot), qualified.slice(dot + 1)];
}
