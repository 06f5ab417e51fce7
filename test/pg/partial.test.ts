/**
 * A partial history against the real engine: a knex project whose table names are only known when it runs
 * (a deployment prefix), so FK Lens skips those calls. knex runs it for real in PostgreSQL, where every
 * migration applies; FK Lens, reading the files alone, must say the history is partial (and where), and must
 * report no error whose premise may rest on what it skipped.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startPostgres, foreignKeysOf, type PgServer } from '../support/postgres';
import { runKnex, runnableCopy } from '../support/jsTools';
import { openWorkspace } from '../../server/src/workspace/open';
import { analyze } from '../../server/src/analysis/analyze';
import { modelJson } from '../../server/src/model/json';

const PROJECT: Record<string, string> = {
  'knexfile.js': `const path = require('path');
module.exports = { development: { client: 'pg', migrations: { directory: path.join(__dirname, 'db', 'migrations') } } };
`,
  'db/migrations/20240101000000_accounts.js': `// Table names carry a deployment prefix, known only when the migration runs.
const prefix = process.env.TABLE_PREFIX || '';

exports.up = async function (knex) {
  await knex.schema.createTable(prefix + 'accounts', (t) => {
    t.increments();
    t.string('email').notNullable();
  });
  await knex.schema.createTable('users', (t) => {
    t.increments();
  });
  await knex.schema.createTable('orders', (t) => {
    t.increments();
    t.integer('account_id').notNullable();
    t.integer('buyer_id').notNullable();
  });
  await knex.schema.alterTable('orders', (t) => {
    t.foreign('buyer_id').references('id').inTable('users').onDelete('SET NULL');
  });
};
exports.down = async function () {};
`,
  'db/migrations/20240102000000_links.js': `const prefix = process.env.TABLE_PREFIX || '';

exports.up = async function (knex) {
  await knex.schema.alterTable('orders', (t) => {
    t.foreign('account_id').references('id').inTable('accounts');
  });
  await knex.schema.alterTable(prefix + 'orders', (t) => {
    t.setNullable('buyer_id');
  });
  await knex.schema.alterTable('accounts', (t) => {
    t.string('plan');
  });
};
exports.down = async function () {};
`,
};

let pg: PgServer;
let source: string;
const copies: string[] = [];

before(async () => {
  pg = await startPostgres();
  source = mkdtempSync(join(tmpdir(), 'fklens-partial-'));
  for (const [path, text] of Object.entries(PROJECT)) {
    mkdirSync(dirname(join(source, path)), { recursive: true });
    writeFileSync(join(source, path), text);
  }
});

after(async () => {
  await pg?.stop();
  rmSync(source, { recursive: true, force: true });
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
});

test('a partial knex history applies in PostgreSQL; FK Lens says it is partial and reports no error from the gap', async () => {
  const project = runnableCopy('partial-knex', source);
  copies.push(project);
  await pg.createDatabase('partial');
  await runKnex(pg, 'partial', project);
  const truth = (await foreignKeysOf(pg, 'partial')).map((f) => `${f.table}(${f.columns}) -> ${f.refTable} ${f.onDelete}`).sort();
  assert.deepEqual(truth, ['orders(account_id) -> accounts NO ACTION', 'orders(buyer_id) -> users SET NULL'], 'every migration applied');
  const [buyer] = await pg.query<{ is_nullable: string }>('partial', "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'buyer_id'");
  assert.equal(buyer.is_nullable, 'YES', 'the skipped call made buyer_id nullable');

  const workspace = await openWorkspace(source);
  const model = workspace.model();
  const { findings } = analyze(model);
  assert.deepEqual(findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}: ${f.message}`), [], 'no error comes from the gap');

  // What each finding that rests on the gap became, and why it says so.
  const missing = findings.find((f) => f.rule === 'fk-target-missing');
  assert.equal(missing?.severity, 'info');
  assert.match(missing!.message, /^Foreign key on orders \(account_id\) references accounts, which does not exist at this point/);
  assert.match(missing!.message, /This history is partial: FK Lens skipped .*db\/migrations\/20240101000000_accounts\.js:5.*may have created the referenced table/);
  assert.deepEqual(missing!.fk && [missing!.fk.table, missing!.fk.columns, missing!.fk.refTable], ['orders', ['account_id'], 'accounts']);
  assert.ok(missing!.related?.some((r) => r.file.endsWith('20240101000000_accounts.js') && /skipped by FK Lens/.test(r.message)), 'related information points at the skipped call');
  const setNull = findings.find((f) => f.rule === 'set-null-on-not-null');
  assert.equal(setNull?.severity, 'warning', 'the call that makes buyer_id nullable was skipped after the key');
  assert.match(setNull!.message, /which may change this/);

  // The partial state, per history, with the reasons and where they are.
  const partial = modelJson(model).partial;
  assert.deepEqual(
    partial.map((p) => [p.history, p.reasons.map((r) => `${r.code} ${r.file.split('/').pop()}:${r.line}`)]),
    [['db/migrations', ['unsupported 20240101000000_accounts.js:5', 'unsupported 20240102000000_links.js:7', 'unknown-table 20240102000000_links.js:10']]],
  );
});

test('the same history without the gap (the prefix written out): the findings are errors again', async () => {
  const workspace = await openWorkspace(source);
  const complete = new Map(Object.entries(PROJECT).map(([path, text]) => [path, text.replace(/prefix \+ /g, '')]));
  for (const [path, text] of complete) workspace.setFile(path, text);
  const model = workspace.model();
  assert.deepEqual(modelJson(model).partial, []);
  const { findings } = analyze(model);
  // buyer_id is made nullable in the model now: no SET NULL finding; a missing target would be an error again.
  assert.deepEqual(findings.filter((f) => f.rule === 'set-null-on-not-null'), []);
  workspace.setFile('db/migrations/20240102000000_links.js', complete.get('db/migrations/20240102000000_links.js')!.replace("inTable('accounts')", "inTable('acounts')"));
  const typo = analyze(workspace.model()).findings.find((f) => f.rule === 'fk-target-missing');
  assert.equal(typo?.severity, 'error');
});
