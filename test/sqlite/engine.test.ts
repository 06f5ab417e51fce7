/**
 * SQLite itself decides: each script runs in a real SQLite (the `sqlite3` shell, in memory) and the FKs it
 * reports (`pragma_foreign_key_list`) must equal the model FK Lens reads from the same text, with actions.
 * Needs the sqlite3 shell (`apt-get install -y sqlite3`); fails without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelJson } from '../../server/src/model/json';
import { Workspace } from '../../server/src/workspace/workspace';
import { DDL_CASES, ddlCasesSkip } from '../support/corpus';

const SCRIPTS: Record<string, string> = {
  'inline and table-level': `
    CREATE TABLE artist (artistid INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);
    CREATE TABLE track (trackid INTEGER PRIMARY KEY, artist INTEGER REFERENCES artist ON DELETE CASCADE,
      a2 INT, FOREIGN KEY (a2) REFERENCES artist (artistid) ON UPDATE SET NULL);`,
  'rowid and WITHOUT ROWID': `
    CREATE TABLE a (id INTEGER PRIMARY KEY);
    CREATE TABLE b (id INTEGER PRIMARY KEY REFERENCES a (id) ON DELETE RESTRICT);
    CREATE TABLE w (id INTEGER PRIMARY KEY, a_id INT REFERENCES a, x INT) WITHOUT ROWID;`,
  'table rebuild': `
    CREATE TABLE parent (id INTEGER PRIMARY KEY, v TEXT);
    CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INT REFERENCES parent (id) ON DELETE CASCADE);
    CREATE TABLE _parent_new (id INTEGER PRIMARY KEY, v TEXT NOT NULL);
    INSERT INTO _parent_new SELECT * FROM parent;
    DROP TABLE parent;
    ALTER TABLE _parent_new RENAME TO parent;`,
  'forward reference, ADD COLUMN, rename of the parent': `
    CREATE TABLE c (p INT, FOREIGN KEY (p) REFERENCES later (id) ON DELETE SET DEFAULT);
    CREATE TABLE later (id INTEGER PRIMARY KEY);
    ALTER TABLE c ADD COLUMN q INTEGER REFERENCES later (id);
    ALTER TABLE later RENAME TO renamed;`,
  'quoted names, triggers': `
    CREATE TABLE [my parent] ("the id" INTEGER PRIMARY KEY);
    CREATE TABLE \`kid\` (pid INT, CONSTRAINT named FOREIGN KEY (pid) REFERENCES "my parent" ("the id") DEFERRABLE INITIALLY DEFERRED);
    CREATE TRIGGER t AFTER INSERT ON kid BEGIN UPDATE kid SET pid = 1; END;`,
  // The SQLite cases of ddl-cases, when they are there (FKLENS_DDL_CASES).
  ...(ddlCasesSkip ? {} : Object.fromEntries(['sq01_inline', 'sq02_table_fk', 'sq03_loose'].map((n) => [n, readFileSync(join(DDL_CASES, `${n}.sql`), 'utf8')]))),
};

const QUERY = `SELECT m.name, f.id, f.seq, f."table", f."from", f."to", f.on_update, f.on_delete
  FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table' ORDER BY m.name, f.id DESC, f.seq;`;

interface Row { name: string; id: number; table: string; from: string; to: string | null; on_update: string; on_delete: string }

if (ddlCasesSkip) test('sqlite engine: ddl-cases sq01_inline, sq02_table_fk, sq03_loose', { skip: ddlCasesSkip }, () => undefined);

for (const [name, sql] of Object.entries(SCRIPTS)) {
  test(`sqlite engine: ${name}`, () => {
    const out = execFileSync('sqlite3', ['-json', ':memory:'], { input: `${sql}\n${QUERY}\n`, encoding: 'utf8' });
    const rows = (out.trim() ? JSON.parse(out) : []) as Row[];
    const byKey = new Map<string, { columns: string[]; refColumns: (string | null)[]; row: Row }>();
    for (const r of rows) {
      const key = `${r.name}#${r.id}`;
      const entry = byKey.get(key) ?? { columns: [], refColumns: [], row: r };
      entry.columns.push(r.from);
      entry.refColumns.push(r.to);
      byKey.set(key, entry);
    }
    const ws = new Workspace();
    ws.setFile('db.sqlite3.sql', sql);
    const model = modelJson(ws.model());
    const parentPk = (table: string) => model.tables.find((t) => t.name === table)?.primaryKey ?? [];
    // An FK whose parent no statement creates stays in SQLite's catalog (it names the parent); FK Lens keeps
    // it out of the model and reports it as unresolved, with a warning.
    const exists = (table: string) => model.tables.some((t) => t.name === table);
    const dangling = [...byKey.values()].filter(({ row }) => !exists(row.table)).map(({ row, columns }) => `${row.name}(${columns}) -> ${row.table}`).sort();
    const unresolved = ws.model().histories.flatMap((h) => h.unresolved.map((u) => `${u.table.replace(/^main\./, '')}(${u.columns}) -> ${u.refTable}`)).sort();
    assert.deepEqual(unresolved, dangling, 'FKs to tables that never exist are unresolved');
    const engine = [...byKey.values()]
      .filter(({ row }) => exists(row.table))
      .map(({ columns, refColumns, row }) => {
        // `REFERENCES t` without columns: SQLite reports NULL and means t's primary key.
        const ref = refColumns.every((c) => c === null) ? parentPk(row.table) : refColumns;
        return `${row.name}(${columns}) -> ${row.table}(${ref}) ON DELETE ${row.on_delete} ON UPDATE ${row.on_update}`;
      })
      .sort();
    const ours = model.foreignKeys.map((f) => `${f.table}(${f.columns}) -> ${f.refTable}(${f.refColumns}) ON DELETE ${f.onDelete} ON UPDATE ${f.onUpdate}`).sort();
    assert.ok(engine.length + dangling.length > 0, 'the script declares FKs');
    assert.deepEqual(ours, engine);
  });
}
