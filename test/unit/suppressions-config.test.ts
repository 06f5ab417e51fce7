/** `-- fklens-ignore` comments, checkFrom, and .fklens.json / settings layers. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { parseConfigText, resolveConfig, settingsLayer } from '../../server/src/config/config';
import { loadConfigFile } from '../../server/src/config/load';
import { check, checkSql, rulesOf } from '../support/rules';

before(async () => {
  await initPostgresParser();
});

const USERS = 'CREATE TABLE users (id bigint PRIMARY KEY);\n';
const ORDERS = 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\n';

test('fklens-ignore on the line above a statement, at its end, inside it, and for the whole file', () => {
  assert.deepEqual(rulesOf(checkSql(USERS + '-- fklens-ignore fk-missing-index tiny table\n' + ORDERS)), []);
  assert.deepEqual(rulesOf(checkSql(USERS + ORDERS.trimEnd() + ' -- fklens-ignore fk-missing-index\n')), []);
  const inside = USERS + 'CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  -- fklens-ignore fk-missing-index\n  user_id bigint REFERENCES users,\n  other bigint REFERENCES users\n);\n';
  const left = checkSql(inside);
  assert.deepEqual(rulesOf(left), ['fk-missing-index'], 'only the line below the comment is covered');
  assert.match(left[0].message, /orders\(other\)/);
  assert.deepEqual(rulesOf(checkSql('-- fklens-ignore-file fk-missing-index\n' + USERS + ORDERS + ORDERS.replace(/orders/g, 'o2'))), []);
  // Several rule ids; a comment in a string is not a comment.
  assert.deepEqual(rulesOf(checkSql(USERS + '-- fklens-ignore fk-missing-index, set-null-on-not-null\n' + ORDERS.replace('REFERENCES users', 'NOT NULL REFERENCES users ON DELETE SET NULL'))), []);
  assert.deepEqual(rulesOf(checkSql(USERS + "COMMENT ON TABLE users IS '-- fklens-ignore fk-missing-index';\n" + ORDERS)), ['fk-missing-index']);
});

test('a suppression that suppresses nothing is reported as unused-suppression (info, unnecessary); not when its rule is off', () => {
  const sql = USERS + '-- fklens-ignore fk-missing-index\nCREATE TABLE t (id int);\n-- fklens-ignore no-such-rule\nCREATE TABLE u (id int);\n';
  const found = checkSql(sql);
  assert.deepEqual(rulesOf(found), ['unused-suppression', 'unused-suppression']);
  assert.equal(sql.slice(found[0].span.start, found[0].span.end), 'fk-missing-index');
  assert.equal(found[0].severity, 'info');
  assert.deepEqual(found[0].tags, ['unnecessary']);
  assert.match(found[1].message, /Unknown rule id no-such-rule/);
  const off = checkSql(sql, { rules: { 'fk-missing-index': { severity: 'off' } } });
  assert.deepEqual(off.map((f) => f.message.includes('no-such-rule')), [true]);
  assert.deepEqual(checkSql(sql, { rules: { 'unused-suppression': { severity: 'off' } } }), []);
});

test('severities from the configuration replace the grades; "off" disables a rule, problem codes included', () => {
  const sql = USERS + ORDERS + 'ALTER TABLE nope ADD COLUMN x int;\n';
  assert.deepEqual(checkSql(sql).map((f) => `${f.rule}:${f.severity}`).sort(), ['fk-missing-index:warning', 'unknown-table:info']);
  const configured = checkSql(sql, { rules: { 'fk-missing-index': { severity: 'error' }, 'unknown-table': { severity: 'off' } } });
  assert.deepEqual(configured.map((f) => `${f.rule}:${f.severity}`), ['fk-missing-index:error']);
  const types = 'CREATE TABLE p (k uuid PRIMARY KEY); CREATE TABLE c (k text REFERENCES p); CREATE INDEX ON c (k);';
  assert.deepEqual(checkSql(types, { rules: { 'fk-type-mismatch': { severity: 'info' } } }).map((f) => f.severity), ['info']);
});

test('checkFrom: findings of older migrations are left out, by file name or version prefix', () => {
  const files = { 'db/0001_a.up.sql': USERS + ORDERS, 'db/0002_b.up.sql': ORDERS.replace(/orders/g, 'o2') };
  assert.equal(check(files).length, 2);
  for (const checkFrom of ['0002', '0002_b.up.sql', 'db/0002_b.up.sql']) {
    assert.deepEqual(check(files, { checkFrom }).map((f) => f.file), ['db/0002_b.up.sql'], checkFrom);
  }
  assert.equal(check(files, { checkFrom: '9999' }).length, 2, 'matching nothing checks everything');
});

test('.fklens.json: severities, options, protected tables, migrations; problems reported, never thrown', async () => {
  const good = parseConfigText(JSON.stringify({
    rules: { 'fk-missing-index': 'error', 'cascade-depth': { severity: 'info', options: { maxDepth: 5 } } },
    protectedTables: ['orders'],
    migrations: { include: ['db/**'], order: 'name' },
    checkFrom: '0003',
  }));
  assert.deepEqual(good.problems, []);
  const config = resolveConfig(good.layer);
  assert.deepEqual(config.analysis.rules['cascade-depth'], { severity: 'info', options: { maxDepth: 5 } });
  assert.deepEqual(config.migrations, { include: ['db/**'], exclude: [], order: 'name' });
  assert.equal(config.analysis.checkFrom, '0003');

  const bad = parseConfigText(JSON.stringify({ rules: { 'no-such': 'error', 'fk-missing-index': 'loud', 'cascade-depth': { options: { maxDepth: 0, nope: 1 } } }, protectedTables: 'orders', extra: 1 }));
  assert.equal(bad.problems.length, 6, bad.problems.join('\n'));
  assert.match(parseConfigText('{ nope').problems[0], /not valid JSON/);

  const dir = mkdtempSync(join(tmpdir(), 'fklens-config-'));
  assert.deepEqual(await loadConfigFile(dir), { layer: {}, problems: [], issues: [] });
  writeFileSync(join(dir, '.fklens.json'), '{"rules": {"duplicate-fk": "off"}}');
  assert.deepEqual((await loadConfigFile(dir)).layer, { rules: { 'duplicate-fk': { severity: 'off' } } });
});

test('VS Code settings override the file rule by rule; settings left at their defaults do not', () => {
  const file = parseConfigText(JSON.stringify({ rules: { 'fk-missing-index': 'error', 'duplicate-fk': 'off' }, protectedTables: ['orders'], migrations: { include: ['db/**'], order: 'name' } })).layer;
  const defaults = settingsLayer({ migrations: { include: [], exclude: [], order: 'auto' }, rules: {}, protectedTables: null, checkFrom: '', docsBaseUrl: '', trace: { server: 'off' } });
  assert.deepEqual(defaults.problems, []);
  const same = resolveConfig(file, defaults.layer);
  assert.deepEqual(same, resolveConfig(file));
  const edited = resolveConfig(file, settingsLayer({ rules: { 'fk-missing-index': 'info' }, protectedTables: ['payments'], docsBaseUrl: 'https://example.com/r/' }).layer);
  assert.deepEqual(edited.analysis.rules, { 'fk-missing-index': { severity: 'info', options: undefined }, 'duplicate-fk': { severity: 'off', options: undefined } });
  assert.deepEqual(edited.analysis.protectedTables, ['payments']);
  assert.equal(edited.docsBaseUrl, 'https://example.com/r/');
  assert.deepEqual(edited.migrations.include, ['db/**']);
});
