/**
 * The replay's index of constraint names (model/replay/nameIndex.ts) stays equal to the names the tables bear:
 * random histories of CREATE / DROP / RENAME / ADD / DROP CONSTRAINT / SET SCHEMA / DROP SCHEMA ... CASCADE /
 * DROP COLUMN / indexes on a small schema whose names collide (long names cut at 63 bytes, explicit names that
 * take a default's place), in PostgreSQL, MySQL and SQLite, are replayed event by event; after every event the
 * index must equal the names recomputed by a full scan of the tables (the way default names were checked before
 * the index). A path that adds or removes a constraint name without the index fails here. The replays also go
 * through a checkpoint (ReplayState.clone): the checkpoint's index must not change while the replay goes on,
 * and a replay resumed from it must end with the same index as the one that went on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFile } from '../../server/src/model/replay/index';
import { ConstraintNameIndex } from '../../server/src/model/replay/nameIndex';
import { constraintNames, ReplayState } from '../../server/src/model/replay/state';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';

type Names = Record<string, Record<string, number>>;

/** The old way: every table's constraint names, counted per schema. */
function scanned(s: ReplayState): Names {
  const out: Names = {};
  for (const t of s.tables.peekValues()) {
    for (const name of constraintNames(t)) {
      const names = (out[t.schema] ??= {});
      names[name] = (names[name] ?? 0) + 1;
    }
  }
  return sorted(out);
}

function indexed(s: ReplayState): Names {
  const out: Names = {};
  for (const schema of s.constraintNameIndex.schemas()) out[schema] = Object.fromEntries(s.constraintNameIndex.names(schema));
  return sorted(out);
}

function sorted(names: Names): Names {
  return Object.fromEntries(
    Object.keys(names)
      .sort()
      .map((schema) => [schema, Object.fromEntries(Object.entries(names[schema]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))]),
  );
}

function namesByTable(s: ReplayState): Record<string, string[]> {
  return Object.fromEntries([...s.tables.peekValues()].map((t) => [`${t.id} ${t.schema}.${t.name}`, [...constraintNames(t), ...t.indexes.map((i) => `index ${i.name}`)]]));
}

function rng(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

const LONG_TABLE = 'a_table_whose_name_is_long_enough_that_default_names_get_cut';
const LONG_COLUMNS = ['a_column_name_long_enough_to_collide_after_the_cut_1', 'a_column_name_long_enough_to_collide_after_the_cut_2'];

/** One random PostgreSQL statement over a few tables, columns and names made to collide. */
function postgresStatement(r: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const tables = ['t0', 't1', 't2', LONG_TABLE];
  const table = () => (r() < 0.2 ? `${pick(['s1', 's2', 'public'])}.${pick(tables)}` : pick(tables));
  const columns = ['id', 'a', 'b', ...LONG_COLUMNS];
  const column = () => pick(columns);
  const name = () =>
    pick(['c1', 'c2', 't0_a_fkey', 't0_a_fkey1', 't0_pkey', 't1_pkey', 't0_a_key', 't0_a_check', 't1_check', 't2_b_fkey', `${LONG_TABLE.slice(0, 40)}_a_column_name_long_en_fkey`, 't0_a_idx']);
  const constraint = (inline: boolean): string => {
    const named = r() < 0.3 ? `CONSTRAINT ${name()} ` : '';
    const col = column();
    switch (pick(['fk', 'fk', 'unique', 'check', 'pk'])) {
      case 'fk':
        return inline ? `${named}REFERENCES ${table()}${r() < 0.5 ? ' (id)' : ''}${r() < 0.3 ? ' ON DELETE CASCADE' : ''}` : `${named}FOREIGN KEY (${col}) REFERENCES ${table()} (id)`;
      case 'unique':
        return inline ? `${named}UNIQUE` : `${named}UNIQUE (${col}${r() < 0.3 ? `, ${column()}` : ''})`;
      case 'check':
        return `${named}CHECK (${inline ? 'id' : col} > 0)`;
      default:
        return inline ? `${named}PRIMARY KEY` : `${named}PRIMARY KEY (${col})`;
    }
  };
  switch (pick(['create', 'create', 'create', 'add', 'add', 'add', 'twice', 'twice', 'drop_default', 'drop_constraint', 'drop_constraint', 'rename_constraint', 'drop_table', 'rename_table', 'rename_column', 'drop_column', 'add_column', 'set_schema', 'schema', 'index', 'drop_index', 'rename_index', 'using_index', 'like', 'partition', 'search_path'])) {
    case 'create': {
      const cols = columns.filter(() => r() < 0.7).map((c) => `${c} int${r() < 0.4 ? ' ' + constraint(true) : ''}`);
      const extra = Array.from({ length: Math.floor(r() * 3) }, () => constraint(false));
      return `CREATE TABLE ${r() < 0.2 ? 'IF NOT EXISTS ' : ''}${table()} (${[...(cols.length ? cols : ['id int']), ...extra].join(', ')})`;
    }
    case 'add':
      return `ALTER TABLE ${table()} ADD ${constraint(false)}${r() < 0.2 ? ' NOT VALID' : ''}`;
    case 'twice': {
      // Default names of one family (`_fkey`, `_fkey1`, ...), then one of them dropped (drop_default).
      const [t, col, parent] = [pick(['t0', 't1']), pick(['a', LONG_COLUMNS[0]]), pick(['t0', 't1', 't2'])];
      return `ALTER TABLE ${t} ADD FOREIGN KEY (${col}) REFERENCES ${parent} (id), ADD FOREIGN KEY (${col}) REFERENCES ${parent} (id), ADD CHECK (${col} > 0), ADD CHECK (${col} > 1)`;
    }
    case 'drop_default': {
      const t = pick(['t0', 't1']);
      return `ALTER TABLE ${t} DROP CONSTRAINT ${pick([`${t}_a_fkey`, `${t}_a_fkey1`, `${t}_a_fkey2`, `${t}_a_check`, `${t}_a_check1`])}`;
    }
    case 'drop_constraint':
      return `ALTER TABLE ${table()} DROP CONSTRAINT ${r() < 0.5 ? 'IF EXISTS ' : ''}${name()}${r() < 0.5 ? ' CASCADE' : ''}`;
    case 'rename_constraint':
      return `ALTER TABLE ${table()} RENAME CONSTRAINT ${name()} TO ${name()}`;
    case 'drop_table':
      return `DROP TABLE ${r() < 0.5 ? 'IF EXISTS ' : ''}${table()}${r() < 0.3 ? `, ${table()}` : ''}${r() < 0.6 ? ' CASCADE' : ''}`;
    case 'rename_table':
      return `ALTER TABLE ${table()} RENAME TO ${pick(tables)}`;
    case 'rename_column':
      return `ALTER TABLE ${table()} RENAME COLUMN ${column()} TO ${column()}`;
    case 'drop_column':
      return `ALTER TABLE ${table()} DROP COLUMN ${column()}${r() < 0.5 ? ' CASCADE' : ''}`;
    case 'add_column':
      return `ALTER TABLE ${table()} ADD COLUMN ${pick(['x', 'y', ...LONG_COLUMNS])} int ${constraint(true)}`;
    case 'set_schema':
      return `ALTER TABLE ${table()} SET SCHEMA ${pick(['s1', 's2', 'public'])}`;
    case 'schema':
      return pick(['CREATE SCHEMA s1', 'CREATE SCHEMA s2', 'DROP SCHEMA s1 CASCADE', 'DROP SCHEMA IF EXISTS s2 CASCADE', 'ALTER SCHEMA s1 RENAME TO s2', 'ALTER SCHEMA s2 RENAME TO s1']);
    case 'index':
      return `CREATE ${r() < 0.4 ? 'UNIQUE ' : ''}INDEX ${r() < 0.5 ? name() + ' ' : ''}ON ${table()} (${column()})`;
    case 'drop_index':
      return `DROP INDEX ${r() < 0.5 ? 'IF EXISTS ' : ''}${pick([name(), 't0_pkey', 't0_a_key', 't0_a_idx'])}${r() < 0.5 ? ' CASCADE' : ''}`;
    case 'rename_index':
      return `ALTER INDEX ${pick([name(), 't0_pkey', 't1_pkey', 't0_a_idx'])} RENAME TO ${name()}`;
    case 'using_index':
      return `ALTER TABLE ${table()} ADD CONSTRAINT ${name()} ${pick(['UNIQUE', 'PRIMARY KEY'])} USING INDEX ${pick([name(), 't0_a_idx', 't1_a_idx'])}`;
    case 'like':
      return `CREATE TABLE ${table()} (LIKE ${table()} INCLUDING ALL${r() < 0.5 ? ', z int REFERENCES t0 (id)' : ''})`;
    case 'partition':
      return r() < 0.5 ? `CREATE TABLE ${table()} (id int, a int, CHECK (a > 0)) PARTITION BY RANGE (id)` : `CREATE TABLE ${table()} PARTITION OF ${table()} FOR VALUES FROM (0) TO (10)`;
    default:
      return pick(['SET search_path TO s1, public', 'SET search_path TO public']);
  }
}

/** MySQL: inline and table-level keys, FKs that wait for their parent (FOREIGN_KEY_CHECKS = 0), DROP FOREIGN KEY. */
function mysqlStatement(r: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const table = () => pick(['t0', 't1', 't2', LONG_TABLE]);
  const column = () => pick(['id', 'a', 'b', ...LONG_COLUMNS]);
  const name = () => pick(['c1', 'c2', 't0_ibfk_1', 't0_ibfk_2', 't1_ibfk_1', 'a', '`PRIMARY`']);
  const constraint = () => {
    const named = r() < 0.3 ? `CONSTRAINT ${name()} ` : '';
    return pick([
      `${named}FOREIGN KEY (${column()}) REFERENCES ${table()} (id)`,
      `${named}UNIQUE KEY (${column()})`,
      `PRIMARY KEY (${column()})`,
      `${named}CHECK (${column()} > 0)`,
      `KEY (${column()})`,
    ]);
  };
  switch (pick(['create', 'create', 'add', 'add', 'drop_fk', 'drop_index', 'drop_table', 'rename_table', 'drop_column', 'checks', 'index'])) {
    case 'create':
      return `CREATE TABLE ${table()} (id INT, a INT, b INT, ${LONG_COLUMNS.map((c) => `${c} INT`).join(', ')}${Array.from({ length: Math.floor(r() * 3) }, () => ', ' + constraint()).join('')}) ENGINE=InnoDB`;
    case 'add':
      return `ALTER TABLE ${table()} ADD ${constraint()}`;
    case 'drop_fk':
      return `ALTER TABLE ${table()} DROP FOREIGN KEY ${name()}`;
    case 'drop_index':
      return r() < 0.5 ? `ALTER TABLE ${table()} DROP INDEX ${name()}` : `ALTER TABLE ${table()} DROP PRIMARY KEY`;
    case 'drop_table':
      return `DROP TABLE ${r() < 0.5 ? 'IF EXISTS ' : ''}${table()}`;
    case 'rename_table':
      return r() < 0.5 ? `RENAME TABLE ${table()} TO ${table()}` : `ALTER TABLE ${table()} RENAME TO ${table()}`;
    case 'drop_column':
      return `ALTER TABLE ${table()} DROP COLUMN ${column()}`;
    case 'checks':
      return pick(['SET FOREIGN_KEY_CHECKS = 0', 'SET FOREIGN_KEY_CHECKS = 1']);
    default:
      return `CREATE ${r() < 0.4 ? 'UNIQUE ' : ''}INDEX ${name()} ON ${table()} (${column()})`;
  }
}

/** SQLite: FKs by name (they survive their parent's DROP and wait for a table of that name), renames. */
function sqliteStatement(r: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const table = () => pick(['t0', 't1', 't2', LONG_TABLE]);
  const column = () => pick(['id', 'a', 'b', ...LONG_COLUMNS]);
  const constraint = () => {
    const named = r() < 0.3 ? `CONSTRAINT ${pick(['c1', 'c2', 't0_a_fkey'])} ` : '';
    return pick([`${named}FOREIGN KEY (${column()}) REFERENCES ${table()} (id)`, `${named}UNIQUE (${column()})`, `${named}CHECK (${column()} > 0)`, `PRIMARY KEY (${column()})`]);
  };
  switch (pick(['create', 'create', 'create', 'drop_table', 'rename_table', 'rename_column', 'drop_column', 'index', 'drop_index'])) {
    case 'create':
      return `CREATE TABLE ${r() < 0.2 ? 'IF NOT EXISTS ' : ''}${table()} (id INTEGER${r() < 0.5 ? ' PRIMARY KEY' : ''}, a INTEGER${r() < 0.4 ? ` REFERENCES ${table()} (id)` : ''}, b INTEGER${r() < 0.3 ? ' UNIQUE' : ''}, ${LONG_COLUMNS.map((c) => `${c} INTEGER`).join(', ')}${Array.from({ length: Math.floor(r() * 3) }, () => ', ' + constraint()).join('')})`;
    case 'drop_table':
      return `DROP TABLE ${r() < 0.5 ? 'IF EXISTS ' : ''}${table()}`;
    case 'rename_table':
      return `ALTER TABLE ${table()} RENAME TO ${table()}`;
    case 'rename_column':
      return `ALTER TABLE ${table()} RENAME COLUMN ${column()} TO ${column()}`;
    case 'drop_column':
      return `ALTER TABLE ${table()} DROP COLUMN ${column()}`;
    case 'index':
      return `CREATE ${r() < 0.4 ? 'UNIQUE ' : ''}INDEX ${pick(['i1', 'i2', 't0_a_key'])} ON ${table()} (${column()})`;
    default:
      return `DROP INDEX ${r() < 0.5 ? 'IF EXISTS ' : ''}${pick(['i1', 'i2', 't0_a_key'])}`;
  }
}

const DIALECTS = {
  postgres: { statement: postgresStatement, file: (i: number) => `db/migrations/${String(i + 1).padStart(4, '0')}_step.up.sql`, prelude: 'CREATE SCHEMA s1;\n' },
  mysql: { statement: mysqlStatement, file: (i: number) => `mysql/${String(i + 1).padStart(4, '0')}_step.mysql.sql`, prelude: '' },
  sqlite: { statement: sqliteStatement, file: (i: number) => `sqlite/${String(i + 1).padStart(4, '0')}_step.sqlite.sql`, prelude: 'PRAGMA foreign_keys = ON;\n' },
};

/** Replays one random history event by event, checking the index after each, through a checkpoint. */
function checkHistory(dialect: keyof typeof DIALECTS, seed: number): { events: number; names: number } {
  const r = rng(seed);
  const { statement, file, prelude } = DIALECTS[dialect];
  const workspace = new Workspace();
  const steps = 4 + Math.floor(r() * 6);
  for (let i = 0; i < steps; i++) {
    const statements = Array.from({ length: 3 + Math.floor(r() * 8) }, () => statement(r) + ';');
    workspace.setFile(file(i), (i === 0 ? prelude : '') + statements.join('\n') + '\n');
  }
  const model = workspace.model().histories;
  assert.equal(model.length, 1, `seed ${seed}: one history`);
  const { history, sources } = model[0];
  assert.equal(history.dialect ?? 'postgres', dialect, `seed ${seed}: read as ${dialect}`);
  const statements = sources.reduce((n, source) => n + source.statementCount, 0);
  const unread = sources.flatMap((source) => source.problems.filter((p) => p.code === 'syntax-error' || p.code === 'unsupported'));
  assert.ok(unread.length <= statements / 10, `${dialect} seed ${seed}: the generated statements are read (${unread.map((p) => p.message).join('; ')})`);
  let events = 0;
  const check = (label: string) => (s: ReplayState) => {
    events++;
    assert.deepEqual(indexed(s), scanned(s), `${dialect} seed ${seed}, ${label}, after event ${events} (${s.file})`);
  };
  const replay = new ReplayState(history, sources);
  const at = Math.floor(r() * sources.length);
  let checkpoint: { state: ReplayState; names: Names } | undefined;
  for (let step = 0; step < sources.length; step++) {
    if (step === at) {
      const state = replay.clone(history, sources);
      checkpoint = { state, names: indexed(state) };
      assert.deepEqual(checkpoint.names, scanned(replay), `${dialect} seed ${seed}: the checkpoint's index`);
    }
    applyFile(replay, step, check('replay'));
  }
  assert.deepEqual(indexed(checkpoint!.state), checkpoint!.names, `${dialect} seed ${seed}: the checkpoint's index did not change`);
  assert.deepEqual(scanned(checkpoint!.state), checkpoint!.names, `${dialect} seed ${seed}: the checkpoint's tables did not change`);
  const resumed = checkpoint!.state.clone(history, sources);
  for (let step = at; step < sources.length; step++) applyFile(resumed, step, check('resumed from the checkpoint'));
  assert.deepEqual(indexed(resumed), indexed(replay), `${dialect} seed ${seed}: resumed and continued replays end alike`);
  // The hints that let a default-name choice skip candidates known to be taken choose what a search from the
  // first candidate would.
  const hint = ConstraintNameIndex.prototype.hint;
  ConstraintNameIndex.prototype.hint = () => ({ pass: 0 });
  try {
    const plain = new ReplayState(history, sources);
    for (let step = 0; step < sources.length; step++) applyFile(plain, step);
    assert.deepEqual(namesByTable(replay), namesByTable(plain), `${dialect} seed ${seed}: the same names as without hints`);
  } finally {
    ConstraintNameIndex.prototype.hint = hint;
  }
  return { events, names: Object.values(indexed(replay)).reduce((n, names) => n + Object.keys(names).length, 0) };
}

for (const dialect of Object.keys(DIALECTS) as (keyof typeof DIALECTS)[]) {
  test(`${dialect}: random histories of adds, drops and renames keep the name index equal to a full scan after every event`, async () => {
    await initPostgresParser();
    let events = 0;
    let names = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const figures = checkHistory(dialect, seed * 7919);
      events += figures.events;
      names += figures.names;
    }
    // The histories do something: many events, and names left at the end.
    assert.ok(events > 3000, `${events} events`);
    assert.ok(names > 100, `${names} names at the ends`);
  });
}
