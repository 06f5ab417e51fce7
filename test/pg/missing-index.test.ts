/**
 * fk-missing-index against PostgreSQL's planner: for an index that involves the FK column, the referential-
 * integrity query PostgreSQL runs on the child when a parent row is deleted (`SELECT 1 FROM ONLY child x WHERE
 * $1 = fk FOR KEY SHARE OF x`, as a generic plan) uses it, or scans the table. FK Lens must say the FK is served
 * exactly when the planner uses an index, and otherwise name the index and why it cannot serve.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgServer } from '../support/postgres';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { checkSql } from '../support/rules';

let pg: PgServer;
let n = 0;

const TABLES = `CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, user_id bigint REFERENCES users (id), deleted_at timestamptz);
`;
const DATA = `INSERT INTO users SELECT g FROM generate_series(1, 1000) g;
INSERT INTO orders SELECT g, g % 7, 1 + g % 1000, CASE WHEN g % 10 = 0 THEN now() END FROM generate_series(1, 20000) g;
ANALYZE users; ANALYZE orders;
`;

before(async () => {
  await initPostgresParser();
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

/** The indexes the planner's generic plan of the RI query on orders uses with user_id in the index condition. */
async function indexesUsed(index: string): Promise<string[]> {
  const db = await pg.createDatabase(`missing_index_${++n}`);
  await pg.exec(db, TABLES + index + '\n' + DATA);
  const result = await pg.exec(
    db,
    `\\pset format unaligned\n\\pset tuples_only on\nSET plan_cache_mode = force_generic_plan;
PREPARE ri(bigint) AS SELECT 1 FROM ONLY orders x WHERE $1 OPERATOR(pg_catalog.=) user_id FOR KEY SHARE OF x;
EXPLAIN (FORMAT JSON) EXECUTE ri(1);`,
  );
  const plan = JSON.parse(result.stdout.slice(result.stdout.indexOf('[')));
  const used: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    if (typeof node['Index Name'] === 'string' && /user_id/.test(String(node['Index Cond'] ?? ''))) used.push(node['Index Name']);
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk(plan[0].Plan);
  return used;
}

const CASES: { index: string; name: string; why?: RegExp }[] = [
  { name: 'orders_user_id_idx', index: 'CREATE INDEX orders_user_id_idx ON orders (user_id);' },
  { name: 'orders_user_tenant_idx', index: 'CREATE INDEX orders_user_tenant_idx ON orders (user_id, tenant_id);' },
  { name: 'orders_user_set_idx', index: 'CREATE INDEX orders_user_set_idx ON orders (user_id) WHERE user_id IS NOT NULL;' },
  {
    name: 'orders_user_live_idx',
    index: 'CREATE INDEX orders_user_live_idx ON orders (user_id) WHERE deleted_at IS NULL;',
    why: /orders_user_live_idx does not serve it: it is partial \(WHERE deleted_at IS NULL\), and the foreign-key check looks rows up by user_id alone, which does not imply that predicate\./,
  },
  {
    name: 'orders_tenant_user_idx',
    index: 'CREATE INDEX orders_tenant_user_idx ON orders (tenant_id, user_id);',
    why: /orders_tenant_user_idx does not serve it: it starts with tenant_id, not with user_id\./,
  },
  {
    name: 'orders_user_text_idx',
    index: 'CREATE INDEX orders_user_text_idx ON orders ((user_id::text));',
    why: /orders_user_text_idx does not serve it: it indexes an expression of user_id, not the column itself\./,
  },
  {
    name: 'orders_tenant_incl_idx',
    index: 'CREATE INDEX orders_tenant_incl_idx ON orders (tenant_id) INCLUDE (user_id);',
    why: /orders_tenant_incl_idx does not serve it: it holds user_id only as INCLUDE column, which an index search cannot use\./,
  },
];

for (const c of CASES) {
  test(`fk-missing-index and PostgreSQL's RI query plan agree: ${c.index}`, async () => {
    const used = await indexesUsed(c.index);
    const findings = checkSql(TABLES + c.index).filter((f) => f.rule === 'fk-missing-index' && f.fk?.table === 'orders');
    if (c.why) {
      assert.deepEqual(used, [], 'PostgreSQL scans orders');
      assert.equal(findings.length, 1, 'FK Lens reports the FK');
      assert.match(findings[0].message, /^No index on orders\(user_id\) serves foreign key orders_user_id_fkey: every DELETE of a users row/);
      assert.match(findings[0].message, c.why);
      assert.ok(findings[0].related?.some((r) => r.message.startsWith(`${c.name} cannot serve orders_user_id_fkey`)), 'the index is linked');
    } else {
      assert.deepEqual(used, [c.name], 'PostgreSQL uses the index');
      assert.deepEqual(findings, [], 'FK Lens counts it');
    }
  });
}

test('fk-type-mismatch grades a bigint column referencing an integer key as info: both RI queries use the indexes across the widths', async () => {
  const ddl = `CREATE TABLE users (id integer PRIMARY KEY);
CREATE TABLE logins (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
CREATE INDEX logins_user_id_idx ON logins (user_id);`;
  const [finding] = checkSql(ddl).filter((f) => f.rule === 'fk-type-mismatch');
  assert.equal(finding.severity, 'info');
  assert.match(finding.message, /bigint is wider than integer: every parent key fits, and the checks use the indexes across the two widths/);
  const db = await pg.createDatabase(`widths_${++n}`);
  await pg.exec(db, `${ddl}
INSERT INTO users SELECT g FROM generate_series(1, 5000) g;
INSERT INTO logins SELECT g, 1 + g % 5000 FROM generate_series(1, 20000) g;
ANALYZE users; ANALYZE logins;`);
  // The queries PostgreSQL's RI triggers run: on the child when a parent row goes, on the parent when a child row comes.
  const plan = async (sql: string) => {
    const r = await pg.exec(db, `\\pset format unaligned\n\\pset tuples_only on\nSET plan_cache_mode = force_generic_plan;\n${sql}`);
    return JSON.stringify(JSON.parse(r.stdout.slice(r.stdout.indexOf('['))));
  };
  const onChild = await plan('PREPARE c(integer) AS SELECT 1 FROM ONLY logins x WHERE $1 OPERATOR(pg_catalog.=) user_id FOR KEY SHARE OF x;\nEXPLAIN (FORMAT JSON) EXECUTE c(1);');
  assert.match(onChild, /"Index Name":"logins_user_id_idx"/);
  const onParent = await plan('PREPARE p(bigint) AS SELECT 1 FROM ONLY users x WHERE id OPERATOR(pg_catalog.=) $1 FOR KEY SHARE OF x;\nEXPLAIN (FORMAT JSON) EXECUTE p(1);');
  assert.match(onParent, /"Index Name":"users_pkey"/);
});
