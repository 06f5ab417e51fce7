/**
 * When SQLite checks RESTRICT and NO ACTION, decided by SQLite itself (the `sqlite3` shell): RESTRICT at once,
 * row by row; NO ACTION at the end of the statement (at commit when deferred). FK Lens's reach says the same for
 * a SQLite history (BlockingEntry.checkedAt), not PostgreSQL's timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { computeReach } from '../../server/src/analysis/reach';
import { Workspace } from '../../server/src/workspace/workspace';

const sqlite = (sql: string) => spawnSync('sqlite3', [':memory:'], { input: `PRAGMA foreign_keys = ON;\n${sql}\n`, encoding: 'utf8' });

for (const [action, checkedAt, deleteAllFails] of [
  ['RESTRICT', 'immediately', true],
  ['NO ACTION', 'end of statement', false],
  ['NO ACTION DEFERRABLE INITIALLY DEFERRED', 'commit', false],
] as const) {
  test(`sqlite: ON DELETE ${action} is checked ${checkedAt}`, () => {
    const ddl = `CREATE TABLE t (id INTEGER PRIMARY KEY, parent INT REFERENCES t ON DELETE ${action});`;
    // Deleting a whole tree in one statement: a row-by-row check meets a child still there.
    const r = sqlite(`${ddl}\nINSERT INTO t VALUES (1, NULL), (2, 1), (3, 2);\nDELETE FROM t;\nSELECT 'left ' || count(*) FROM t;`);
    assert.equal(/FOREIGN KEY constraint failed/.test(r.stderr), deleteAllFails, r.stderr);
    if (!deleteAllFails) assert.match(r.stdout, /left 0/);
    const ws = new Workspace();
    ws.setFile('schema.sqlite3.sql', ddl);
    const history = ws.model().histories[0];
    assert.equal(history.history.dialect, 'sqlite');
    const reach = computeReach(history, history.tables[0].id, 'DELETE');
    assert.deepEqual(reach.blockedBy.map((b) => b.checkedAt), [checkedAt]);
  });
}
