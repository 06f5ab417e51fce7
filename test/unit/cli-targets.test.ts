/**
 * What the CLI reads (dist/cli.js): directories, files and globs as targets, a migration judged after the ones
 * before it, empty targets, --config and .fklens.json problems, and one path convention for every command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [resolve(root, 'dist/cli.js'), ...args], { cwd, encoding: 'utf8' });

/** A project (a git-like root) with a golang-migrate history of three steps. */
function project(files: Record<string, string> = {}): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'fklens-targets-')));
  mkdirSync(join(dir, '.git'));
  const all: Record<string, string> = {
    'db/migrations/0001_users.up.sql': 'CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);\n',
    'db/migrations/0002_orders.up.sql': 'CREATE TABLE orders (\n  id int PRIMARY KEY,\n  user_id int NOT NULL REFERENCES users (id)\n);\n',
    'db/migrations/0003_reviews.up.sql': 'CREATE TABLE reviews (\n  id int PRIMARY KEY,\n  user_id int NOT NULL REFERENCES users (id) ON DELETE SET NULL\n);\nCREATE INDEX ON reviews (user_id);\n',
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const rules = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => /^(\S+):\d+:\d+ \w+ (\S+)/.exec(l)!.slice(1, 3).join(' '));

test('a single migration is checked against the schema the migrations before it built; only it is reported', () => {
  const dir = project();
  const one = cli(['check', 'db/migrations/0002_orders.up.sql'], dir);
  assert.equal(one.status, 0, one.stderr);
  // (CREATE TABLE orders ... REFERENCES users also locks users, which 0001 created, with no lock_timeout set.)
  assert.deepEqual(rules(one.stdout), ['db/migrations/0002_orders.up.sql lock-timeout-missing', 'db/migrations/0002_orders.up.sql fk-missing-index'], 'users comes from 0001: no fk-target-missing');
  assert.match(one.stderr, /0 error\(s\), 1 warning\(s\), 1 info in 1 file\(s\)/);
  // From elsewhere, with an absolute path, and the same file alone in a folder of its own: there users is unknown.
  const fromAbove = cli(['check', join(dir, 'db/migrations/0002_orders.up.sql'), '--format', 'json'], tmpdir());
  assert.deepEqual(JSON.parse(fromAbove.stdout).diagnostics.map((d: { rule: string }) => d.rule), ['lock-timeout-missing', 'fk-missing-index']);
  const alone = project({});
  const lonely = join(alone, 'lonely');
  mkdirSync(lonely);
  writeFileSync(join(lonely, '0002_orders.up.sql'), 'CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id));\n');
  assert.ok(rules(cli(['check', 'lonely/0002_orders.up.sql'], alone).stdout).includes('lonely/0002_orders.up.sql fk-target-missing'));

  const third = cli(['check', 'db/migrations/0003_reviews.up.sql'], dir);
  assert.equal(third.status, 1, 'set-null-on-not-null is an error');
  assert.deepEqual(rules(third.stdout), ['db/migrations/0003_reviews.up.sql lock-timeout-missing', 'db/migrations/0003_reviews.up.sql set-null-on-not-null']);
});

test('the project root of a file is the nearest .fklens.json (its settings apply), else the version-control root', () => {
  const dir = project({ '.fklens.json': JSON.stringify({ rules: { 'fk-missing-index': 'error' } }) });
  const r = cli(['check', 'migrations/0002_orders.up.sql', '--format', 'json'], join(dir, 'db'));
  assert.equal(r.status, 1, r.stderr);
  const d = JSON.parse(r.stdout).diagnostics.find((x: { rule: string }) => x.rule === 'fk-missing-index');
  assert.deepEqual([d.rule, d.severity, d.file], ['fk-missing-index', 'error', 'migrations/0002_orders.up.sql']);
  // A directory target below the .fklens.json uses it too.
  const sub = cli(['check', 'migrations', '--format', 'json'], join(dir, 'db'));
  assert.ok(JSON.parse(sub.stdout).diagnostics.some((x: { severity: string; rule: string }) => x.rule === 'fk-missing-index' && x.severity === 'error'));
});

test('globs and several targets: the files they name, each finding once', () => {
  const dir = project();
  const glob = cli(['check', 'db/migrations/000[23]_*.sql', '--fail-on', 'never'], dir);
  assert.equal(glob.status, 0, glob.stderr);
  assert.deepEqual(rules(glob.stdout), [
    'db/migrations/0002_orders.up.sql lock-timeout-missing',
    'db/migrations/0002_orders.up.sql fk-missing-index',
    'db/migrations/0003_reviews.up.sql lock-timeout-missing',
    'db/migrations/0003_reviews.up.sql set-null-on-not-null',
  ]);
  const two = cli(['check', 'db/migrations/0003_reviews.up.sql', 'db', 'db/migrations/0002_orders.up.sql', '--fail-on', 'never'], dir);
  // With the folder the whole history is targeted: lock-timeout-missing is then reported on its newest migration only
  // (the glob names 0002 and 0003 alone: both under review, both judged).
  assert.deepEqual(rules(two.stdout), rules(glob.stdout).filter((r) => r !== 'db/migrations/0002_orders.up.sql lock-timeout-missing'));
});

test('a target with nothing to read is exit 2 with one line; --allow-empty; a missing target is exit 2', () => {
  const dir = project({ 'docs/notes.txt': 'hello', 'README.md': '# hi' });
  mkdirSync(join(dir, 'empty'));
  for (const [args, message] of [
    [['check', 'empty'], /^fklens check: no schema or migration files found under empty; see --include \(or --allow-empty\)\n$/],
    [['check', 'docs'], /no schema or migration files found under docs; see --include/],
    [['check', 'README.md'], /README\.md is not a schema or migration file FK Lens reads; see --include/],
    [['check', 'db/*.prisma'], /no schema or migration files found under db\/\*\.prisma/],
    [['check', 'nowhere'], /^fklens check: nowhere: no such file or directory\n$/],
    [['model', 'empty'], /no schema or migration files found under empty/],
    [['reach', 'users', 'empty'], /no schema or migration files found under empty/],
    [['erd', 'empty'], /no schema or migration files found under empty/],
  ] as [string[], RegExp][]) {
    const r = cli(args, dir);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
  const allowed = cli(['check', 'empty', '--allow-empty'], dir);
  assert.equal(allowed.status, 0, allowed.stderr);
  assert.equal(allowed.stdout, '');
  // The include globs decide what counts: notes.txt becomes a file to read.
  assert.equal(cli(['check', 'docs', '--include', '**/*.txt', '--fail-on', 'never'], dir).status, 0);
});

test('--config: missing or malformed is exit 2; a malformed .fklens.json found by itself is a config-error finding', () => {
  const dir = project();
  writeFileSync(join(dir, 'broken.json'), '{ "rules": { "fk-missing-index": "error", } }');
  const missing = cli(['check', '--config', 'none.json'], dir);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /none\.json: no such file/);
  const malformed = cli(['check', '--config', 'broken.json'], dir);
  assert.equal(malformed.status, 2, malformed.stdout);
  assert.match(malformed.stderr, /^fklens check: broken\.json: not valid JSON/);
  writeFileSync(join(dir, 'odd.json'), '{ "rules": { "fk-missing-index": "loud" } }');
  assert.equal(cli(['check', '--config', 'odd.json'], dir).status, 2, 'a bad value in --config is exit 2 too');

  writeFileSync(join(dir, '.fklens.json'), '{\n  "rules": { "fk-missing-index": "error", }\n}\n');
  const text = cli(['check', 'db/migrations/0002_orders.up.sql'], dir);
  assert.equal(text.status, 1, 'an unreadable .fklens.json is an error: none of its settings apply');
  assert.match(text.stdout, /^\.fklens\.json:2:\d+ error config-error not valid JSON/m);
  assert.match(text.stdout, /^db\/migrations\/0002_orders\.up\.sql:3:\d+ warning fk-missing-index/m, 'the defaults apply meanwhile');
  const json = JSON.parse(cli(['check', '--json'], dir).stdout).diagnostics;
  assert.ok(json.some((d: { rule: string; file: string; severity: string }) => d.rule === 'config-error' && d.file === '.fklens.json' && d.severity === 'error'));
  const sarif = JSON.parse(cli(['check', '--format', 'sarif'], dir).stdout).runs[0];
  const result = sarif.results.find((x: { ruleId: string }) => x.ruleId === 'config-error');
  assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, '.fklens.json');
  assert.equal(sarif.tool.driver.rules[result.ruleIndex].id, 'config-error');
  assert.match(cli(['check', '--format', 'github'], dir).stdout, /^::error file=\.fklens\.json,line=2,col=\d+,.*title=fklens config-error::not valid JSON/m);
  // The other commands name it on stderr (their output is not findings).
  const model = cli(['model', '.'], dir);
  assert.equal(model.status, 0);
  assert.match(model.stderr, /^fklens: \.fklens\.json:2:\d+: error config-error not valid JSON/m);
});

test('one path convention: check, model and reach print paths relative to the current directory, quoted when they hold a space', () => {
  const dir = project({ 'my db/migrations/1_init.up.sql': 'CREATE TABLE users (id int PRIMARY KEY);\nCREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id) ON DELETE CASCADE);\n' });
  const file = '"my db/migrations/1_init.up.sql"';
  const check = cli(['check', 'my db'], dir);
  assert.ok(check.stdout.startsWith(`${file}:2:`), check.stdout);
  const model = cli(['model', 'my db'], dir);
  assert.ok(model.stdout.split('\n').some((l) => l.startsWith(`${file}:2:`)), model.stdout);
  assert.match(model.stdout, /^"my db\/migrations": golang-migrate/m);
  const reach = cli(['reach', 'users', 'my db'], dir);
  assert.ok(reach.stdout.includes(`(${file}:2)`), reach.stdout);
  // Run from inside the folder: the same files, shorter paths.
  const inside = cli(['check', '.'], join(dir, 'my db'));
  assert.ok(inside.stdout.startsWith('migrations/1_init.up.sql:2:'), inside.stdout);
  // JSON outputs use the same relative paths, unquoted.
  assert.equal(JSON.parse(cli(['model', 'my db', '--json'], dir).stdout).foreignKeys[0].location.file, 'my db/migrations/1_init.up.sql');
  assert.equal(JSON.parse(cli(['reach', 'users', 'my db', '--json'], dir).stdout).deletes[0].via.location.file, 'my db/migrations/1_init.up.sql');
  assert.equal(JSON.parse(cli(['check', 'my db', '--json'], dir).stdout).diagnostics[0].file, 'my db/migrations/1_init.up.sql');
});
