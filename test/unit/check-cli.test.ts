/** `fklens check` (the built dist/cli.js): formats, exit codes, configuration, SARIF 2.1.0 validated against its schema. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const root = resolve(__dirname, '../../..');
const cli = (args: string[], cwd = root) => spawnSync(process.execPath, [resolve(root, 'dist/cli.js'), ...args], { cwd, encoding: 'utf8' });

const SHOP = 'examples/shop';

test('text: file:line:col severity rule-id message, one per line; exit 1 on an error', () => {
  const r = cli(['check', SHOP]);
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 7);
  for (const line of lines) assert.match(line, /^examples\/shop\/db\/migrations\/\S+\.up\.sql:\d+:\d+ (error|warning|info) [a-z-]+ \S.*$/);
  const text = readFileSync(join(root, SHOP, 'db/migrations/0003_payments_and_reviews.up.sql'), 'utf8').split('\n');
  const setNull = lines.find((l) => l.includes(' error set-null-on-not-null '))!;
  const [, line, col] = /:(\d+):(\d+) /.exec(setNull)!.map(Number);
  assert.ok(text[line - 1].slice(col - 1).startsWith('ON DELETE SET NULL'), setNull);
  assert.match(r.stderr, /1 error\(s\), 5 warning\(s\), 1 info in 6 file/);
});

test('--fail-on: warning and info fail on warnings, never never fails; bad values are usage errors (2)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fklens-check-'));
  writeFileSync(join(dir, 'schema.sql'), 'CREATE TABLE users (id int PRIMARY KEY);\nCREATE TABLE o (user_id int REFERENCES users);\n');
  assert.equal(cli(['check', dir]).status, 0, 'a warning does not fail by default');
  assert.equal(cli(['check', dir, '--fail-on', 'warning']).status, 1);
  assert.equal(cli(['check', dir, '--fail-on', 'info']).status, 1);
  assert.equal(cli(['check', SHOP, '--fail-on', 'never']).status, 0);
  writeFileSync(join(dir, 'schema.sql'), 'CREATE TABLE users (id int PRIMARY KEY);\n');
  assert.equal(cli(['check', dir, '--fail-on', 'info']).status, 0);
  assert.equal(cli(['check', dir, '--fail-on', 'sometimes']).status, 2);
  assert.equal(cli(['check', dir, '--format', 'xml']).status, 2);
  assert.equal(cli(['check', join(dir, 'missing')]).status, 2);
  assert.equal(cli(['check', dir, '--config', join(dir, 'none.json')]).status, 2);
  assert.equal(cli(['check', dir, '--json', '--format', 'sarif']).status, 2, '--json is --format json');
});

test('.fklens.json of DIR (or --config) sets severities; a bad value in it is a config-error finding', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fklens-check-'));
  writeFileSync(join(dir, 'schema.sql'), 'CREATE TABLE users (id int PRIMARY KEY);\nCREATE TABLE o (user_id int REFERENCES users);\n');
  writeFileSync(join(dir, '.fklens.json'), JSON.stringify({ rules: { 'fk-missing-index': 'error' } }));
  const r = cli(['check', dir, '--format', 'json']);
  assert.equal(r.status, 1);
  assert.equal(JSON.parse(r.stdout).diagnostics[0].severity, 'error');
  writeFileSync(join(dir, 'other.json'), JSON.stringify({ rules: { 'fk-missing-index': 'off' } }));
  assert.deepEqual(JSON.parse(cli(['check', dir, '--format', 'json', '--config', join(dir, 'other.json')]).stdout).diagnostics, []);
  writeFileSync(join(dir, '.fklens.json'), '{"rules": {"fk-missing-index": "loud"}}');
  const bad = cli(['check', dir, '--fail-on', 'error']);
  assert.equal(bad.status, 0, 'one ignored value is a warning');
  assert.match(bad.stdout, /\.fklens\.json:1:12 warning config-error rules\.fk-missing-index: severity must be off, info, warning or error/);
});

test('json: {"diagnostics": [...]} with the issue\'s fields; fk on every finding about one foreign key', () => {
  const r = cli(['check', SHOP, '--format', 'json', '--fail-on', 'never']);
  assert.equal(r.status, 0, r.stderr);
  const { diagnostics } = JSON.parse(r.stdout);
  assert.equal(diagnostics.length, 7);
  for (const d of diagnostics) {
    // The lock rules are about a statement, not one FK.
    const aboutStatement = d.rule === 'lock-timeout-missing' || d.rule === 'fk-locks-parent';
    assert.deepEqual(Object.keys(d), ['rule', 'severity', 'message', 'file', 'line', 'column', 'endLine', 'endColumn', ...(aboutStatement ? [] : ['fk'])]);
    if (aboutStatement) continue;
    assert.deepEqual(Object.keys(d.fk), ['schema', 'table', 'columns', 'refSchema', 'refTable', 'refColumns']);
  }
  const setNull = diagnostics.find((d: { rule: string }) => d.rule === 'set-null-on-not-null');
  assert.deepEqual(setNull.fk, { schema: 'public', table: 'reviews', columns: ['user_id'], refSchema: 'public', refTable: 'users', refColumns: ['id'] });
  assert.equal(setNull.file, 'examples/shop/db/migrations/0003_payments_and_reviews.up.sql');
  assert.equal(setNull.endLine, setNull.line);
  assert.equal(setNull.endColumn - setNull.column, 'ON DELETE SET NULL'.length);
});

test('sarif: valid SARIF 2.1.0 (the schema @microsoft/jest-sarif ships), with rule metadata, help and help URIs', () => {
  const r = cli(['check', SHOP, '--format', 'sarif', '--fail-on', 'never']);
  assert.equal(r.status, 0, r.stderr);
  const log = JSON.parse(r.stdout) as { version: string; runs: Record<string, any>[] };
  const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
  // The schema's language pattern is not valid in unicode mode; its other patterns are.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  assert.ok(validate(structuredClone(log)), JSON.stringify(validate.errors, null, 2));
  // The validator does reject a broken log.
  assert.equal(validate({ ...log, runs: [{ ...log.runs[0], results: [{ level: 'loud' }] }] }), false);

  const run = log.runs[0];
  assert.equal(log.version, '2.1.0');
  const rule = run.tool.driver.rules.find((x: { id: string }) => x.id === 'set-null-on-not-null');
  assert.equal(rule.helpUri, 'https://github.com/fklens/fklens/blob/main/docs/rules/set-null-on-not-null.md');
  assert.ok(rule.help.text.length > 50 && rule.fullDescription.text && rule.shortDescription.text);
  assert.equal(rule.defaultConfiguration.level, 'error');
  assert.equal(run.results.length, 7);
  const result = run.results.find((x: { ruleId: string }) => x.ruleId === 'set-null-on-not-null');
  assert.equal(run.tool.driver.rules[result.ruleIndex].id, 'set-null-on-not-null');
  assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, 'examples/shop/db/migrations/0003_payments_and_reviews.up.sql');
  assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri, pathToFileURL(root + '/').href, '%SRCROOT% is the current directory');
  assert.equal(result.locations[0].physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
  assert.ok(result.relatedLocations.length >= 1);
});

test('github: workflow commands with file, line, col and the rule as title; info is a notice', () => {
  const r = cli(['check', SHOP, '--format', 'github', '--fail-on', 'never']);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 7);
  for (const line of lines) assert.match(line, /^::(error|warning|notice) file=examples\/shop\/db\/migrations\/[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=fklens [a-z-]+::\S/);
  assert.ok(lines.some((l) => l.startsWith('::error ') && l.includes('title=fklens set-null-on-not-null')));
  // An info finding (a tree whose deletes cascade down) is a notice.
  const dir = mkdtempSync(join(tmpdir(), 'fklens-check-'));
  writeFileSync(join(dir, 'schema.sql'), 'CREATE TABLE c (id int PRIMARY KEY, parent int REFERENCES c ON DELETE CASCADE);\nCREATE INDEX ON c (parent);\n');
  const tree = cli(['check', dir, '--format', 'github']).stdout.trim().split('\n');
  assert.ok(tree.length === 1 && tree[0].startsWith('::notice ') && tree[0].includes('title=fklens cascade-cycle'), tree.join('\n'));
});

test('check from another directory: paths relative to the current directory; a layout with several histories', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fklens-check-'));
  mkdirSync(join(dir, 'a', 'migrations'), { recursive: true });
  writeFileSync(join(dir, 'a', 'migrations', '1_init.up.sql'), 'CREATE TABLE users (id int PRIMARY KEY);\nCREATE TABLE o (user_id int REFERENCES users ON DELETE SET NULL, x int NOT NULL);\n');
  const r = cli(['check', 'a'], dir);
  assert.match(r.stdout, /^a\/migrations\/1_init\.up\.sql:2:\d+ warning fk-missing-index /m);
});

test('fklens check reads UTF-16 scripts (with a BOM, as SQL Server tools save them) and names the files it skipped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fklens-encodings-'));
  mkdirSync(join(dir, 'migrations'));
  const sql = (t: string) => `CREATE TABLE ${t}_parent (id int PRIMARY KEY);\nCREATE TABLE ${t}_child (id int PRIMARY KEY, p int REFERENCES ${t}_parent (id));\n`;
  writeFileSync(join(dir, 'migrations', '0001_le.up.sql'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sql('le'), 'utf16le')]));
  writeFileSync(join(dir, 'migrations', '0002_be.up.sql'), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(sql('be'), 'utf16le').swap16()]));
  writeFileSync(join(dir, 'migrations', '0003_bom8.up.sql'), '\ufeff' + sql('u8'));
  writeFileSync(join(dir, 'migrations', '0004_binary.up.sql'), Buffer.from([0x43, 0x52, 0x00, 0x01, 0x02, 0xff, 0x00]));
  const r = cli(['check', dir, '--format', 'json', '--fail-on', 'never']);
  assert.equal(r.status, 0, r.stderr);
  const findings = JSON.parse(r.stdout).diagnostics as { rule: string; file: string; line: number; column: number }[];
  const missing = findings.filter((f) => f.rule === 'fk-missing-index').map((f) => `${f.file.split('/').pop()}:${f.line}:${f.column}`);
  // The same position in each: the BOM is not a character of the text.
  assert.deepEqual(missing, ['0001_le.up.sql:2:44', '0002_be.up.sql:2:44', '0003_bom8.up.sql:2:44']);
  assert.match(r.stderr, /Skipped \S*migrations\/0004_binary\.up\.sql: not text/);
  assert.deepEqual(
    findings.filter((f) => f.rule === 'file-skipped').map((f) => f.file.split('/').pop()),
    ['0004_binary.up.sql'],
  );
});
