/**
 * Run-time conditions FK Lens cannot decide (model/replay/conditions.ts): when the guess changes what is applied
 * (a statement skipped because its arm was judged not to run, or because it does not fit the model), the history
 * is partial, with the condition's place in the message, and findings that may rest on the skipped statement are
 * graded by analysis/gaps.ts. A condition FK Lens decides (a `hasTable` guard, the engine) makes no gap, nor does
 * an undecided one under which nothing was skipped.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import { modelJson } from '../../server/src/model/json';
import { historyGaps } from '../../server/src/model/partial';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';

before(async () => {
  await initPostgresParser();
});

function open(files: Record<string, string>) {
  const ws = new Workspace();
  for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
  const model = ws.model();
  assert.equal(model.histories.length, 1);
  const history = model.histories[0];
  const findings = analyze(model, { rules: {}, protectedTables: [] }).findings;
  const json = modelJson(model);
  const tables = json.tables.map((t) => t.name).sort();
  return { model, history, gaps: historyGaps(history), findings, json, tables };
}

const js = (up: string) => `exports.up = async function (knex) {\n${up}\n};\n`;
const USERS = js("  await knex.schema.createTable('users', (t) => { t.increments('id'); });");

test('one arm of an undecidable if chosen without knowing: the other arm is a gap, and a finding resting on it is not an error', () => {
  const { gaps, findings, tables, json } = open({
    'migrations/20240101000000_users.js': USERS,
    'migrations/20240102000000_teams.js': js(`
  if (process.env.TEAMS_AS_GROUPS) {
    await knex.schema.createTable('teams', (t) => { t.increments('id'); });
  } else {
    await knex.schema.createTable('groups', (t) => { t.increments('id'); });
  }`),
    'migrations/20240103000000_orders.js': js(`
  await knex.schema.createTable('orders', (t) => {
    t.increments('id');
    t.integer('group_id').references('id').inTable('groups');
  });`),
  });
  assert.deepEqual(tables, ['orders', 'teams', 'users'], 'the first arm fits, so it is the one FK Lens applies');
  assert.deepEqual(gaps.map((g) => [g.code, g.file, g.line]), [['unsupported', 'migrations/20240102000000_teams.js', 6]]);
  assert.equal(
    gaps[0].message,
    'The run-time condition at migrations/20240102000000_teams.js:3 could not be decided; from the first statement it reached under it, FK Lens took it that the code went the other way, and did not run this one. It is skipped in the model, so this history is partial.',
  );
  // The FK to `groups` may rest on the skipped arm: reported, but not as an error.
  const missing = findings.filter((f) => f.rule === 'fk-target-missing');
  assert.deepEqual(missing.map((f) => f.severity), ['info']);
  assert.match(missing[0].message, /This history is partial: FK Lens skipped something it could not read \(migrations\/20240102000000_teams\.js:6\)/);
  assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
  // The reason and its place are in `fklens model --json`'s partial field, and the editor gets an info finding.
  assert.deepEqual(json.partial.map((p) => p.reasons.map((r) => [r.code, r.file, r.line])), [[['unsupported', 'migrations/20240102000000_teams.js', 6]]]);
  assert.deepEqual(findings.filter((f) => f.rule === 'unsupported').map((f) => [f.severity, f.file]), [['info', 'migrations/20240102000000_teams.js']]);
});

test('a statement under an undecidable condition that does not fit the model is skipped as a gap, not silently', () => {
  const { gaps, findings } = open({
    'migrations/20240101000000_users.js': USERS,
    'migrations/20240102000000_legacy.js': js(`
  if (process.env.LEGACY) {
    await knex.schema.table('users', (t) => { t.integer('legacy_id'); });
    await knex.raw('ALTER TABLE accounts ADD COLUMN x int');
  }
  for (const row of await knex('users').select('id')) {
    await knex.raw('ALTER TABLE accounts ADD COLUMN y int');
  }`),
  });
  assert.deepEqual(
    gaps.map((g) => [g.line, g.message.replace(/; .*/, '')]),
    [
      [5, 'The run-time condition at migrations/20240102000000_legacy.js:3 could not be decided'],
      [8, 'The run-time condition at migrations/20240102000000_legacy.js:7 could not be decided'],
    ],
  );
  assert.match(gaps[0].message, /FK Lens applied the statements under it that fit the model; this one does not fit there/);
  assert.match(gaps[1].message, /this statement does not fit the model there, so FK Lens took it that the code did not run it/);
  assert.ok(!findings.some((f) => f.rule.startsWith('unknown-')), 'still no unknown-table / unknown-column findings');
});

test('decided conditions, and undecided ones under which nothing was skipped, leave the history complete', () => {
  const { gaps, tables, json } = open({
    'migrations/20240101000000_users.js': USERS,
    'migrations/20240102000000_guards.js': js(`
  if (!(await knex.schema.hasTable('users'))) {
    await knex.schema.createTable('users', (t) => { t.increments('id'); });
  } else {
    await knex.schema.table('users', (t) => { t.integer('score'); });
  }
  if (knex.client.config.client === 'mysql') {
    await knex.raw('ALTER TABLE accounts ENGINE = InnoDB');
  }
  if (process.env.WITH_TEAMS) {
    await knex.schema.createTable('teams', (t) => { t.increments('id'); });
  }
  try {
    await knex.raw('CREATE EXTENSION IF NOT EXISTS pgcrypto');
  } catch (e) {
    console.log('no pgcrypto');
  }
  for (const name of await knex('users').pluck('name')) {
    await knex.raw('ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text');
  }`),
  });
  assert.deepEqual(tables, ['teams', 'users']);
  assert.deepEqual(gaps, []);
  assert.deepEqual(json.partial, []);
});
