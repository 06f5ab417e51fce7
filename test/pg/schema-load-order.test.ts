/**
 * A folder of loose schema files, one table per file (as projects keep `tables/*.sql`), whose names are not in
 * dependency order: their loader runs them parents first, which FK Lens cannot know from the names. PostgreSQL
 * decides: loaded parents first, every key exists (the parent's unique index created after its CREATE TABLE
 * included); an FK whose parent only its own file creates, after it, or no file creates, is rejected in any order.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, foreignKeysOf, type PgServer } from '../support/postgres';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import { analyze } from '../../server/src/analysis/analyze';
import { modelJson } from '../../server/src/model/json';

// Name order: members, orders, tenants; the loader's order: tenants, members, orders.
const FILES: Record<string, string> = {
  'tables/members.sql': `CREATE TABLE members (
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id text PRIMARY KEY
);
CREATE UNIQUE INDEX members_tenant_id_id ON members (tenant_id, id);
CREATE INDEX members_tenant ON members (tenant_id);
`,
  'tables/orders.sql': `CREATE TABLE orders (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  member_id text NOT NULL,
  FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);
`,
  'tables/tenants.sql': 'CREATE TABLE tenants (id text PRIMARY KEY);\n',
};
const LOADER_ORDER = ['tables/tenants.sql', 'tables/members.sql', 'tables/orders.sql'];

let pg: PgServer;

before(async () => {
  await initPostgresParser();
  pg = await startPostgres();
});

after(async () => {
  await pg?.stop();
});

function model(files: Record<string, string>) {
  const ws = new Workspace({});
  for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
  return ws.model();
}

const describe = (f: { name: string; table: string; columns: string[]; refTable: string; refColumns: string[]; onDelete: string }) =>
  `${f.name}: ${f.table}(${f.columns}) -> ${f.refTable}(${f.refColumns}) ${f.onDelete}`;

test('loose schema files loaded parents first: the model has the keys PostgreSQL has, and no finding says the parent is missing', async () => {
  await pg.createDatabase('loaded');
  for (const path of LOADER_ORDER) await pg.exec('loaded', FILES[path]);
  const truth = (await foreignKeysOf(pg, 'loaded')).map(describe).sort();
  assert.equal(truth.length, 3);

  const m = model(FILES);
  assert.deepEqual(modelJson(m).foreignKeys.map(describe).sort(), truth);
  const findings = analyze(m).findings;
  assert.deepEqual(findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}: ${f.message}`), []);
  assert.deepEqual(findings.filter((f) => f.rule === 'fk-target-missing' || f.rule === 'fk-target-not-unique'), []);
});

test('loose schema files: a parent created later in the same file, or by no file, is still an error (PostgreSQL rejects it in any order)', async () => {
  await pg.createDatabase('rejected');
  const sameFile = 'CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));\nCREATE TABLE parent (id int PRIMARY KEY);\n';
  await assert.rejects(pg.exec('rejected', sameFile), /relation "parent" does not exist/);
  await assert.rejects(pg.exec('rejected', FILES['tables/orders.sql'].replace(/tenants/g, 'accounts')), /relation "accounts" does not exist/);

  const files = { ...FILES, 'tables/child.sql': sameFile, 'tables/orders.sql': FILES['tables/orders.sql'].replace(/tenants/g, 'accounts') };
  const m = model(files);
  const missing = analyze(m).findings.filter((f) => f.rule === 'fk-target-missing');
  assert.deepEqual(
    missing.map((f) => [f.file, f.severity, f.message]),
    [
      ['tables/child.sql', 'error', 'Foreign key on child (parent_id) references parent, which is only created later in the same file: PostgreSQL would reject this statement, in whatever order the files are loaded.'],
      ['tables/orders.sql', 'error', 'Foreign key on orders (tenant_id) references accounts, which no file of this folder creates: PostgreSQL would reject this statement, in whatever order the files are loaded.'],
    ],
  );
});

test('numbered migrations keep their order: a parent a later migration creates is missing at that step', () => {
  const m = model({ 'db/001_orders.sql': FILES['tables/orders.sql'], 'db/002_members.sql': FILES['tables/members.sql'], 'db/003_tenants.sql': FILES['tables/tenants.sql'] });
  const missing = analyze(m).findings.filter((f) => f.rule === 'fk-target-missing');
  assert.ok(missing.length >= 2 && missing.every((f) => f.severity === 'error' && /does not exist at this point of the migration history/.test(f.message)));
});
