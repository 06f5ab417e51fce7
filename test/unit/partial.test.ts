/**
 * Partial histories: what FK Lens skipped (a statement it could not parse or read, a statement on a table no file
 * it read creates) is said per history by `fklens check` (text summary, JSON `partial`, SARIF notifications) and
 * `fklens model --json`; and no finding whose premise may rest on the skipped part is an error.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { check } from '../support/rules';

const root = resolve(__dirname, '../../..');
/** Runs the built CLI; `cwd` is where the user stands (paths are printed relative to it). */
const cli = (args: string[], cwd = root) => spawnSync(process.execPath, [resolve(root, 'dist/cli.js'), ...args], { cwd, encoding: 'utf8' });

before(async () => {
  await initPostgresParser();
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fklens-partial-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

// users comes from somewhere FK Lens cannot see (an extension, another tool): the history only alters it.
const PARTIAL = {
  'db/migrations/000001_users.up.sql': 'ALTER TABLE users ADD COLUMN nickname text;\n',
  'db/migrations/000002_orders.up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n',
};

test('a table nothing read created, in a history that alters it: fk-target-missing is an info that says why', () => {
  const findings = check(PARTIAL);
  assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
  const [missing] = findings.filter((f) => f.rule === 'fk-target-missing');
  assert.equal(missing.severity, 'info');
  assert.match(missing.message, /^Foreign key on orders \(user_id\) references users, which does not exist at this point of the migration history/);
  assert.match(missing.message, /This history is partial: FK Lens skipped a statement on a table no file it read creates \(db\/migrations\/000001_users\.up\.sql:1\), which may have created the referenced table/);
  assert.deepEqual(missing.fk && [missing.fk.schema, missing.fk.table, missing.fk.columns, missing.fk.refTable, missing.fk.refColumns], ['public', 'orders', ['user_id'], 'users', ['id']]);
  // Without the gap the same reference is an error (PostgreSQL would refuse it).
  const complete = check({ 'db/migrations/000002_orders.up.sql': PARTIAL['db/migrations/000002_orders.up.sql'] });
  assert.deepEqual(complete.filter((f) => f.rule === 'fk-target-missing').map((f) => f.severity), ['error']);
});

test('statements skipped before an FK keep refusal findings below error; skipped after a final-schema fact, warnings', () => {
  const base = 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n';
  // A syntax error between the parent and the FK: it may have been the UNIQUE the FK needs.
  const notUnique = check({
    'm/001_users.up.sql': base + 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQU (email);\n',
    'm/002_orders.up.sql': 'CREATE TABLE orders (email text REFERENCES users (email));\n',
  }).filter((f) => f.rule === 'fk-target-not-unique');
  assert.deepEqual(notUnique.map((f) => f.severity), ['info']);
  assert.match(notUnique[0].message, /which may have created a key on users\(email\)/);
  // The syntax error after the FK cannot have made the key: still an error.
  const after = check({
    'm/001_users.up.sql': base,
    'm/002_orders.up.sql': 'CREATE TABLE orders (email text REFERENCES users (email));\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQU (email);\n',
  }).filter((f) => f.rule === 'fk-target-not-unique');
  assert.deepEqual(after.map((f) => f.severity), ['error']);
  // SET NULL on a NOT NULL column, and a later statement FK Lens could not parse (it may drop the NOT NULL).
  const setNull = check({
    'm/001_users.up.sql': base + 'CREATE TABLE reviews (user_id bigint NOT NULL REFERENCES users ON DELETE SET NULL);\n',
    'm/002_x.up.sql': 'ALTER TABLE reviews ALTER COLUMN user_id DROP NOT NULLL;\n',
  }).filter((f) => f.rule === 'set-null-on-not-null');
  assert.deepEqual(setNull.map((f) => f.severity), ['warning']);
  assert.match(setNull[0].message, /This history is partial: FK Lens skipped a statement it could not parse \(m\/002_x\.up\.sql:1\), which may change this/);
  // A configured severity of error does not override that.
  const configured = check(PARTIAL, { rules: { 'fk-target-missing': { severity: 'error' } } }).filter((f) => f.rule === 'fk-target-missing');
  assert.deepEqual(configured.map((f) => f.severity), ['warning']);
});

test('fklens check and fklens model say which histories are partial, why and where', () => {
  const dir = project(PARTIAL);
  // Run from the project's folder, as CI does: every path is then relative to it.
  const text = cli(['check', '.', '--fail-on', 'error'], dir);
  assert.equal(text.status, 0, 'no error: the finding that rests on the gap is an info');
  assert.match(text.stderr, /db\/migrations: partial history: FK Lens skipped 1 statement \(1 unknown-table\), first at .*000001_users\.up\.sql:1; findings that may rest on them are not errors\./);

  const json = JSON.parse(cli(['check', '.', '--format', 'json', '--fail-on', 'never'], dir).stdout);
  assert.equal(json.partial.length, 1);
  assert.equal(json.partial[0].history, 'db/migrations');
  assert.deepEqual(
    json.partial[0].reasons.map((r: Record<string, unknown>) => [r.code, String(r.file).endsWith('db/migrations/000001_users.up.sql'), r.line, r.column]),
    [['unknown-table', true, 1, 13]],
  );
  const missing = json.diagnostics.find((d: { rule: string }) => d.rule === 'fk-target-missing');
  assert.deepEqual(missing.fk, { schema: 'public', table: 'orders', columns: ['user_id'], refSchema: 'public', refTable: 'users', refColumns: ['id'] });

  const sarif = JSON.parse(cli(['check', '.', '--format', 'sarif', '--fail-on', 'never'], dir).stdout);
  const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  assert.ok(validate(structuredClone(sarif)), JSON.stringify(validate.errors, null, 2));
  const [invocation] = sarif.runs[0].invocations;
  assert.equal(invocation.executionSuccessful, true);
  assert.deepEqual(invocation.properties.partialHistories, ['db/migrations']);
  const [note] = invocation.toolExecutionNotifications;
  assert.equal(note.descriptor.id, 'partial-history/unknown-table');
  assert.deepEqual(note.locations[0].physicalLocation.artifactLocation, { uri: 'db/migrations/000001_users.up.sql', uriBaseId: '%SRCROOT%' });
  assert.match(note.message.text, /^Partial history db\/migrations: Table users is not created by any file FK Lens read/);

  const model = JSON.parse(cli(['model', '.', '--json'], dir).stdout);
  assert.deepEqual(model.partial.map((p: { history: string; reasons: { code: string; file: string; line: number }[] }) => [p.history, p.reasons.map((r) => `${r.code} ${r.file}:${r.line}`)]), [
    ['db/migrations', ['unknown-table db/migrations/000001_users.up.sql:1']],
  ]);
  assert.match(cli(['model', '.'], dir).stdout, /db\/migrations: partial history: FK Lens skipped 1 statement/);

  // A complete history: an empty list, no summary line.
  const complete = project({ 'schema.sql': 'CREATE TABLE users (id int PRIMARY KEY);\n' });
  assert.deepEqual(JSON.parse(cli(['check', complete, '--format', 'json']).stdout).partial, []);
  assert.doesNotMatch(cli(['check', complete]).stderr, /partial/);
  assert.deepEqual(JSON.parse(cli(['model', complete, '--json']).stdout).partial, []);
});

test('a statement a JS loop runs several times is one reason of the partial history', () => {
  const dir = project({
    'db/migrations/20240101000000_tables.js': `const prefix = process.env.PREFIX || '';
exports.up = async function (knex) {
  for (const name of ['accounts', 'teams']) {
    await knex.schema.createTable(prefix + name, (t) => { t.increments(); });
  }
};
exports.down = async function () {};
`,
  });
  const model = JSON.parse(cli(['model', dir, '--json']).stdout);
  assert.deepEqual(model.partial.map((p: { reasons: { code: string; line: number }[] }) => p.reasons.map((r) => `${r.code}:${r.line}`)), [['unsupported:4']]);
});
