/**
 * The replay checkpoint is shared structurally (ReplayState.clone, TableMap): after edits at any step, the model
 * replayed from the checkpoint equals a fresh replay of the same texts (tables, FKs, step facts, problems), and
 * no earlier model changes when a later replay writes to a table it shared (renames, drops, VALIDATE, FKs that
 * wait for their parent). On a synthetic history that does all of that, and on the corpus's migration histories.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { modelJson } from '../../server/src/model/json';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { openWorkspace } from '../../server/src/workspace/open';
import { Workspace, type WorkspaceModel } from '../../server/src/workspace/workspace';
import { CORPUS } from '../support/corpus';

/** Everything a replay produces, as JSON: the model and, per history, the step facts with the FKs they name. */
function snapshot(model: WorkspaceModel): string {
  const histories = model.histories.map((h) => {
    const live = new Set(h.foreignKeys);
    const fkName = (fk: { name: string; tableId: number }) => `${h.tableById.get(fk.tableId)?.name}.${fk.name}`;
    // A declaration of an FK that is still there names the model's FK object (dropped ones keep their last state).
    for (const d of h.declarations) {
      const same = h.foreignKeys.find((f) => f.tableId === d.fk.tableId && f.name === d.fk.name && f.step === d.fk.step);
      assert.ok(!same || live.has(d.fk), `declaration of ${fkName(d.fk)} names the FK object of the model`);
    }
    return {
      tables: h.tables.map((t) => ({ ...t, indexes: t.indexes, foreignKeys: t.foreignKeys.map((f) => ({ ...f, refIndex: f.refIndex?.name })) })),
      declarations: h.declarations.map((d) => ({ ...d, fk: fkName(d.fk) })),
      validations: h.validations.map((v) => ({ ...v, fk: fkName(v.fk) })),
      refIndexLinks: h.foreignKeys.map((f) => !f.refIndex || h.tableById.get(f.refTableId)?.indexes.includes(f.refIndex)),
      unresolved: h.unresolved,
      problems: h.problems,
    };
  });
  return JSON.stringify({ json: modelJson(model), histories });
}

function fresh(workspace: Workspace): string {
  const other = new Workspace();
  for (const path of workspace.filePaths()) other.setFile(path, workspace.text(path)!);
  return snapshot(other.model());
}

/** Edits every step (and a few twice), checking each model against a fresh replay and the first model against itself. */
function editEverywhere(workspace: Workspace, files: string[], addition: (i: number) => string): void {
  const first = workspace.model();
  const before = snapshot(first);
  const steps = files.length <= 12 ? files.map((_, i) => i) : [0, 1, files.length >> 2, files.length >> 1, files.length - 2, files.length - 1, files.length >> 1];
  for (const i of steps) {
    const file = files[i];
    const original = workspace.text(file)!;
    workspace.setFile(file, original + addition(i));
    assert.equal(snapshot(workspace.model()), fresh(workspace), `after an edit of ${file}`);
    workspace.setFile(file, original);
    assert.equal(snapshot(workspace.model()), fresh(workspace), `after undoing the edit of ${file}`);
  }
  assert.equal(snapshot(first), before, 'the first model is unchanged by the replays after it');
}

const SYNTHETIC = [
  `CREATE TABLE a (id int PRIMARY KEY, x int UNIQUE);
CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id), ax int REFERENCES a (x));
CREATE INDEX b_a ON b (a_id);`,
  `ALTER TABLE a RENAME COLUMN x TO y;
ALTER INDEX b_a RENAME TO b_a2;
ALTER TABLE b ADD CONSTRAINT b_fk2 FOREIGN KEY (a_id) REFERENCES a (id) NOT VALID;`,
  `ALTER TABLE b VALIDATE CONSTRAINT b_fk2;
ALTER TABLE a RENAME CONSTRAINT a_x_key TO a_y_key;
ALTER TABLE b RENAME COLUMN a_id TO a_ref;
ALTER TABLE b RENAME CONSTRAINT b_fk2 TO b_fk3;`,
  `CREATE TABLE c (id int PRIMARY KEY, b_id int REFERENCES b (id) ON DELETE CASCADE);
ALTER TABLE a DROP CONSTRAINT a_y_key CASCADE;
ALTER INDEX a_pkey RENAME TO a_primary;
DROP TABLE c;`,
  `CREATE TABLE d (id int PRIMARY KEY, a_id int REFERENCES a (id));
ALTER TABLE b DROP COLUMN ax;
ALTER TABLE a RENAME TO a2;
ALTER TABLE d ALTER CONSTRAINT d_a_id_fkey DEFERRABLE INITIALLY DEFERRED;`,
];

test('a synthetic history with renames, drops and VALIDATE: every edit replays as a fresh replay would', async () => {
  await initPostgresParser();
  const workspace = new Workspace();
  const files = SYNTHETIC.map((_, i) => `db/migrations/${String(i + 1).padStart(4, '0')}_step.up.sql`);
  files.forEach((f, i) => workspace.setFile(f, SYNTHETIC[i]));
  assert.equal(workspace.model().histories[0].steps.length, 5);
  editEverywhere(workspace, files, (i) => `\nCREATE TABLE extra_${i} (id int PRIMARY KEY, a_id int REFERENCES ${i >= 4 ? 'a2' : 'a'} (id));\nALTER INDEX b_pkey RENAME TO b_pkey_${i};\nALTER TABLE b RENAME COLUMN id TO id_${i};`);
});

test('SQLite and MySQL: FKs that wait for their parent by name survive the sharing', async () => {
  await initPostgresParser();
  for (const [dir, first, second] of [
    ['sqlite', 'PRAGMA foreign_keys = ON;\nCREATE TABLE child (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES parent (id));', 'CREATE TABLE parent (id INTEGER PRIMARY KEY);\nDROP TABLE parent;\nCREATE TABLE parent (id INTEGER PRIMARY KEY);'],
    ['mysql', 'SET FOREIGN_KEY_CHECKS = 0;\nCREATE TABLE child (id INT PRIMARY KEY, p_id INT, FOREIGN KEY (p_id) REFERENCES parent (id)) ENGINE=InnoDB;', 'CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB;\nALTER TABLE child RENAME COLUMN p_id TO parent_id;'],
  ]) {
    const workspace = new Workspace();
    const files = [`${dir}/0001_a.${dir}.sql`, `${dir}/0002_b.${dir}.sql`];
    workspace.setFile(files[0], first);
    workspace.setFile(files[1], second);
    editEverywhere(workspace, files, (i) => `\nCREATE TABLE extra_${i} (id INT PRIMARY KEY);`);
  }
});

const HISTORIES = ['harbor-migrations', 'hydra-migrations', 'triggerdev-prisma'].filter((id) => existsSync(join(CORPUS, id, 'files')));

test('corpus migration histories: edits at the start, middle and end replay as fresh replays', { skip: HISTORIES.length ? false : 'corpus not found' }, async () => {
  for (const id of HISTORIES) {
    const workspace = await openWorkspace(join(CORPUS, id, 'files'));
    const history = workspace.model().histories.reduce((a, b) => (b.steps.length > a.steps.length ? b : a));
    const files = history.steps.map((s) => s.file).filter((f) => f.endsWith('.sql'));
    assert.ok(files.length > 10, `${id}: ${files.length} SQL steps`);
    editEverywhere(workspace, files, (i) => `\nCREATE TABLE fklens_extra_${i} (id int PRIMARY KEY);\n`);
  }
});
