/**
 * A Rails `db/schema.rb` read by FK Lens equals what the real Active Record creates from it in PostgreSQL:
 * every foreign key (name, columns, parent, actions, deferrable, validated, whether an index serves it) and
 * every index (name, table, columns, unique, partial), for a schema written to use every option of the DSL
 * and for the corpus's rubygems.org schema. Active Record's bookkeeping tables (schema_migrations,
 * ar_internal_metadata) are not part of FK Lens's model.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { modelJson } from '../../server/src/model/json';
import { openWorkspace } from '../../server/src/workspace/open';
import { foreignKeysOf, startPostgres, type PgServer } from '../support/postgres';
import { loadSchemaRb, railsSkip } from '../support/rails';
import { CORPUS, corpusSkip } from '../support/corpus';

/** Kept as `schema.rb` (a corpus source has `db/schema.rb`; the repository holds no file by a corpus path): copied into an app. */
const FIXTURE = resolve(__dirname, '../../../test/fixtures/rails/schema.rb');
const BOOKKEEPING = new Set(['schema_migrations', 'ar_internal_metadata']);

interface PgIndex {
  schema: string;
  table: string;
  name: string;
  unique: boolean;
  partial: boolean;
  columns: (string | null)[];
  valid: boolean;
}

const INDEXES = `
  select n.nspname as schema, t.relname as table, i.relname as name, x.indisunique as unique, x.indpred is not null as partial, x.indisvalid as valid,
         array(select a.attname from unnest(x.indkey::int2[]) with ordinality as u(k, o) left join pg_attribute a on a.attrelid = t.oid and a.attnum = u.k
               where u.o <= x.indnkeyatts order by u.o) as columns
    from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid join pg_namespace n on n.oid = t.relnamespace
   where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`;

describe('a Rails schema.rb read by FK Lens equals what Active Record creates', { skip: railsSkip() }, () => {
  let pg: PgServer;
  before(async () => {
    pg = await startPostgres();
  });
  after(async () => {
    await pg?.stop();
  });

  async function compare(dir: string, db: string): Promise<{ fks: number; indexes: number }> {
    await pg.createDatabase(db);
    await loadSchemaRb(pg, db, join(dir, 'db/schema.rb'));
    const theirs = (await foreignKeysOf(pg, db)).sort((a, b) => a.name.localeCompare(b.name));
    const pgIndexes = (await pg.query<PgIndex>(db, INDEXES)).filter((i) => !BOOKKEEPING.has(i.table));
    const model = modelJson((await openWorkspace(dir)).model());
    assert.deepEqual(model.partial, [], 'FK Lens read the whole schema');

    // Foreign keys, field by field.
    const ours = [...model.foreignKeys].sort((a, b) => a.name.localeCompare(b.name));
    const fkFacts = (f: { name: string; schema: string; table: string; columns: string[]; refSchema: string; refTable: string; refColumns: string[]; onDelete: string; onUpdate: string; deferrable: boolean; initiallyDeferred: boolean; validated: boolean }) => ({
      name: f.name, schema: f.schema, table: f.table, columns: f.columns, refSchema: f.refSchema, refTable: f.refTable, refColumns: f.refColumns,
      onDelete: f.onDelete, onUpdate: f.onUpdate, deferrable: f.deferrable, initiallyDeferred: f.initiallyDeferred, validated: f.validated,
    });
    assert.deepEqual(ours.map(fkFacts), theirs.map(fkFacts));

    // Indexes: every one Active Record made (primary keys and unique constraints included), by name.
    const key = (schema: string, table: string, name: string) => `${schema}.${table}.${name}`;
    const pgMap = new Map(pgIndexes.map((i) => [key(i.schema, i.table, i.name), { unique: i.unique, partial: i.partial, columns: i.columns.map((c) => c ?? null) }]));
    const modelMap = new Map<string, { unique: boolean; partial: boolean; columns: (string | null)[] }>();
    for (const t of model.tables) for (const i of t.indexes) modelMap.set(key(t.schema, t.name, i.name), { unique: i.unique, partial: i.partial, columns: i.columns });
    assert.deepEqual([...modelMap.keys()].sort(), [...pgMap.keys()].sort(), 'the same indexes');
    for (const [k, v] of pgMap) assert.deepEqual(modelMap.get(k), v, k);

    // Whether an index serves each FK: a valid, non-partial index whose leading columns are the FK's.
    for (const f of model.foreignKeys) {
      const served = pgIndexes.some((i) => i.valid && !i.partial && i.schema === f.schema && i.table === f.table && i.columns.length >= f.columns.length && [...i.columns.slice(0, f.columns.length)].sort().join() === [...f.columns].sort().join());
      const partialOnly = !served && pgIndexes.some((i) => i.partial && i.schema === f.schema && i.table === f.table && i.columns[0] === f.columns[0]);
      if (!partialOnly) assert.equal(f.indexed, served, `${f.name}: indexed`);
    }
    return { fks: theirs.length, indexes: pgIndexes.length };
  }

  test('a schema using every option of the DSL', async () => {
    const app = mkdtempSync(join(tmpdir(), 'fklens-rails-app-'));
    mkdirSync(join(app, 'db'));
    copyFileSync(FIXTURE, join(app, 'db/schema.rb'));
    const counts = await compare(app, 'fixture');
    assert.ok(counts.fks >= 12, `${counts.fks} foreign keys`);
  });

  test('the corpus rubygems.org schema (Rails 8.1)', { skip: corpusSkip('rubygems-rails') }, async () => {
    const dir = join(CORPUS, 'rubygems-rails', 'files');
    assert.ok(existsSync(join(dir, 'db/schema.rb')));
    const counts = await compare(dir, 'rubygems');
    assert.deepEqual(counts, { fks: 40, indexes: 199 });
  });
});
