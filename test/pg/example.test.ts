// The shipped example (examples/shop) against a real PostgreSQL: every up migration applies in order, the
// down migrations undo them, and the foreign keys PostgreSQL ends up with are exactly the ones FK Lens computes
// from the files without a database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { startPostgres, foreignKeysOf, type PgServer, type PgForeignKey } from '../support/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { modelJson } from '../../server/src/model/json';

/** The repository root: the nearest folder above this file that holds examples/shop. */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'examples', 'shop', 'db', 'migrations'))) return dir;
    if (dirname(dir) === dir) break;
  }
  return process.cwd();
}

const EXAMPLE = join(repoRoot(), 'examples', 'shop');
const MIGRATIONS = join(EXAMPLE, 'db', 'migrations');

const upFiles = () => readdirSync(MIGRATIONS).filter((f) => f.endsWith('.up.sql')).sort();
const downFiles = () => readdirSync(MIGRATIONS).filter((f) => f.endsWith('.down.sql')).sort().reverse();

function sqlFilesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sqlFilesUnder(p, out);
    else if (name.endsWith('.sql')) out.push(p);
  }
  return out;
}

/** What is compared between PostgreSQL and FK Lens for each foreign key. */
interface FkFacts {
  name: string;
  schema: string;
  table: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
  deferrable: boolean;
  initiallyDeferred: boolean;
  validated: boolean;
  indexed: boolean;
}

function facts(fk: Omit<FkFacts, 'indexed'> & { indexed?: unknown }, indexed: boolean): FkFacts {
  return {
    name: fk.name,
    schema: fk.schema,
    table: fk.table,
    columns: [...fk.columns],
    refSchema: fk.refSchema,
    refTable: fk.refTable,
    refColumns: [...fk.refColumns],
    onDelete: fk.onDelete,
    onUpdate: fk.onUpdate,
    deferrable: fk.deferrable,
    initiallyDeferred: fk.initiallyDeferred,
    validated: fk.validated,
    indexed,
  };
}

const byKey = (a: FkFacts, b: FkFacts) =>
  `${a.schema}.${a.table}.${a.name}`.localeCompare(`${b.schema}.${b.table}.${b.name}`);

/** A compact line per FK, so that a failing comparison reads like a list. */
const line = (f: FkFacts) =>
  `${f.schema}.${f.table}(${f.columns.join(',')}) -> ${f.refSchema}.${f.refTable}(${f.refColumns.join(',')}) ` +
  `${f.name} delete=${f.onDelete} update=${f.onUpdate}` +
  `${f.deferrable ? ' deferrable' : ''}${f.initiallyDeferred ? ' deferred' : ''}` +
  `${f.validated ? '' : ' not-valid'}${f.indexed ? ' indexed' : ' unindexed'}`;

/**
 * Whether PostgreSQL has an index serving each FK: a valid, non-partial index whose leading key columns are
 * exactly the FK's columns (in any order).
 */
async function indexedFks(pg: PgServer, db: string): Promise<Map<string, boolean>> {
  const rows = await pg.query<{ schema: string; table: string; name: string; indexed: boolean }>(
    db,
    `SELECT n.nspname AS schema, t.relname AS "table", c.conname AS name,
            EXISTS (
              SELECT 1 FROM pg_index i
               WHERE i.indrelid = c.conrelid AND i.indisvalid AND i.indpred IS NULL
                 AND i.indnkeyatts >= cardinality(c.conkey)
                 AND ARRAY(SELECT x FROM unnest((i.indkey::int2[])[0:cardinality(c.conkey) - 1]) AS x ORDER BY x)
                   = ARRAY(SELECT x FROM unnest(c.conkey) AS x ORDER BY x)
            ) AS indexed
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE c.contype = 'f' AND c.conparentid = 0`,
  );
  return new Map(rows.map((r) => [`${r.schema}.${r.table}.${r.name}`, r.indexed]));
}

async function pgFacts(pg: PgServer, db: string): Promise<FkFacts[]> {
  const indexed = await indexedFks(pg, db);
  return (await foreignKeysOf(pg, db))
    .map((fk: PgForeignKey) => {
      const i = indexed.get(`${fk.schema}.${fk.table}.${fk.name}`);
      assert.notEqual(i, undefined, `index information for ${fk.name}`);
      return facts(fk, i!);
    })
    .sort(byKey);
}

async function applyUps(pg: PgServer, db: string): Promise<void> {
  for (const f of upFiles()) {
    const r = await pg.execFile(db, join(MIGRATIONS, f)); // ON_ERROR_STOP: rejects with psql's message
    assert.doesNotMatch(r.stderr, /ERROR|WARNING/, `${f}: ${r.stderr}`);
  }
}

let pg: PgServer;

before(async () => {
  pg = await startPostgres();
});

after(async () => {
  await pg?.stop();
});

// What the example is documented to contain (examples/shop/README.md). If the example changes, change this.
const DOCUMENTED = [
  'public.addresses(user_id) -> public.users(id) addresses_user_id_fkey delete=CASCADE update=NO ACTION indexed',
  'public.categories(parent_id) -> public.categories(id) categories_parent_id_fkey delete=SET NULL update=NO ACTION deferrable deferred unindexed',
  'public.order_items(order_id) -> public.orders(id) order_items_order_id_fkey delete=CASCADE update=NO ACTION indexed',
  'public.order_items(product_id) -> public.products(id) order_items_product_id_fkey delete=RESTRICT update=NO ACTION unindexed',
  'public.orders(shipping_address_id) -> public.addresses(id) orders_shipping_address_id_fkey delete=SET NULL update=NO ACTION indexed',
  'public.orders(user_id) -> public.users(id) orders_user_id_fkey delete=CASCADE update=NO ACTION indexed',
  'public.payments(order_id) -> public.orders(id) payments_order_fk delete=RESTRICT update=NO ACTION indexed',
  'public.products(category_id) -> public.categories(id) products_category_id_fkey delete=SET NULL update=NO ACTION indexed',
  'public.reviews(product_id) -> public.products(id) reviews_product_id_fkey delete=CASCADE update=NO ACTION indexed',
  'public.reviews(user_id) -> public.users(id) reviews_user_id_fkey delete=SET NULL update=NO ACTION unindexed',
];

test('examples/shop: the up migrations apply in order and give the documented foreign keys', async () => {
  assert.ok(upFiles().length >= 4, `up migrations in ${MIGRATIONS}`);
  await pg.createDatabase('shop_up');
  await applyUps(pg, 'shop_up');
  const fks = await pgFacts(pg, 'shop_up');
  assert.deepEqual(fks.map(line), DOCUMENTED);

  // The one deliberate mistake: ON DELETE SET NULL on a NOT NULL column.
  const setNullOnNotNull = await pg.query<{ name: string }>(
    'shop_up',
    `SELECT c.conname AS name FROM pg_constraint c
      WHERE c.contype = 'f' AND c.confdeltype = 'n'
        AND EXISTS (SELECT 1 FROM pg_attribute a
                     WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) AND a.attnotnull)
      ORDER BY 1`,
  );
  assert.deepEqual(setNullOnNotNull, [{ name: 'reviews_user_id_fkey' }]);
});

test('examples/shop: every down migration undoes its up migration', async () => {
  await pg.createDatabase('shop_down');
  assert.deepEqual(
    downFiles().map((f) => f.replace(/\.down\.sql$/, '')),
    upFiles().map((f) => f.replace(/\.up\.sql$/, '')).reverse(),
    'each up migration has a down migration',
  );
  await applyUps(pg, 'shop_down');
  for (const f of downFiles()) await pg.execFile('shop_down', join(MIGRATIONS, f));
  assert.deepEqual(
    await pg.query('shop_down', `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace`),
    [],
  );
  await applyUps(pg, 'shop_down'); // and up again
  assert.equal((await foreignKeysOf(pg, 'shop_down')).length, DOCUMENTED.length);
});

test('examples/shop: the model FK Lens computes without a database equals what PostgreSQL has', async () => {
  await pg.createDatabase('shop_model');
  await applyUps(pg, 'shop_model');
  const fromPg = await pgFacts(pg, 'shop_model');

  await initPostgresParser();
  const ws = new Workspace();
  // Every .sql file of the example, as the CLI would read the folder: the down migrations are there too,
  // and FK Lens must recognise them as not part of the history going up.
  for (const file of sqlFilesUnder(EXAMPLE)) {
    ws.setFile(relative(EXAMPLE, file).split(sep).join('/'), readFileSync(file, 'utf8'));
  }
  const json = modelJson(ws.model()) as unknown as { foreignKeys: (Omit<FkFacts, 'indexed'> & { indexed?: unknown })[] };
  assert.ok(Array.isArray(json.foreignKeys), 'modelJson(...).foreignKeys is an array');
  const fromCore = json.foreignKeys
    .map((fk) => {
      assert.equal(typeof fk.indexed, 'boolean', `indexed of ${fk.name}`);
      return facts(fk, fk.indexed as boolean);
    })
    .sort(byKey);

  assert.deepEqual(fromCore.map(line), fromPg.map(line));
  assert.deepEqual(fromCore, fromPg);
});
