/**
 * The reach data a renderer draws from agrees with itself: the lists behind the header counts hold exactly the
 * tree's nodes that block, rewrite surviving rows or conflict; the text view says "blocked by" / "sets NULL"
 * only for what the header counts, and a conflict is said on the node that checks, naming the cascade (never
 * "deletes X — conflict: X is also reached").
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import { computeReach, cutTree, shownLines, type Reach, type ReachNode } from '../../server/src/analysis/reach';
import { reachLines } from '../../server/src/features/reachView';

before(async () => {
  await initPostgresParser();
});

function nodes(reach: Reach): ReachNode[] {
  const out: ReachNode[] = [];
  const queue = [...reach.children];
  for (let i = 0; i < queue.length; i++) {
    out.push(queue[i]);
    queue.push(...queue[i].children);
  }
  return out;
}

/** Random schemas with every action, NOT NULL and deferred keys, cycles and self-references. */
function schemas(count: number): string[] {
  let seed = 11;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const actions = ['CASCADE', 'CASCADE', 'RESTRICT', 'NO ACTION', 'SET NULL', 'SET DEFAULT', 'NO ACTION DEFERRABLE INITIALLY DEFERRED'];
  return Array.from({ length: count }, () => {
    const size = 3 + Math.floor(rnd() * 6);
    const tables = Array.from({ length: size }, (_, t) => `CREATE TABLE t${t} (id int PRIMARY KEY${Array.from({ length: 3 }, (_, k) => `, c${k} int${rnd() < 0.3 ? ' NOT NULL' : ''}`).join('')});`);
    const fks = Array.from({ length: size * 2 }, (_, i) => {
      const t = Math.floor(rnd() * size);
      return `ALTER TABLE t${t} ADD CONSTRAINT f${i} FOREIGN KEY (c${i % 3}) REFERENCES t${Math.floor(rnd() * size)} ON DELETE ${actions[Math.floor(rnd() * actions.length)]};`;
    });
    return [...tables, ...fks].join('\n');
  });
}

test('the lists behind the header counts are exactly the tree nodes that block, rewrite surviving rows or conflict', () => {
  let blocking = 0;
  let moot = 0;
  let conflicts = 0;
  for (const sql of schemas(60)) {
    const ws = new Workspace();
    ws.setFile('schema.sql', sql);
    const model = ws.model().histories[0];
    for (const table of model.tables) {
      const reach = computeReach(model, table.id, 'DELETE');
      assert.equal(reach.truncated, false);
      const all = nodes(reach);
      const fks = (list: ReachNode[]) => [...new Set(list.map((n) => n.via))].sort((a, b) => a.name.localeCompare(b.name));
      const byName = (list: { via: { name: string } }[]) => list.map((e) => e.via).sort((a, b) => a.name.localeCompare(b.name));
      assert.deepEqual(fks(all.filter((n) => n.effect === 'blocked' && (n.timing === 'applies' || n.timing === 'before-delete'))), byName(reach.blockedBy), sql);
      assert.deepEqual(fks(all.filter((n) => n.effect === 'set-null' && n.timing === 'applies')), byName(reach.setsNull), sql);
      assert.deepEqual(fks(all.filter((n) => n.conflict)), reach.conflicts.map((c) => c.other).sort((a, b) => a.name.localeCompare(b.name)), sql);
      assert.ok(all.every((n) => !n.conflict || n.effect !== 'delete'), 'a conflict is on the node that checks or rewrites');
      assert.deepEqual(reach.deletes.map((d) => d.table.id).sort(), [...new Set(all.filter((n) => n.effect === 'delete' && n.table.id !== table.id).map((n) => n.table.id))].sort());
      blocking += reach.blockedBy.length;
      moot += all.filter((n) => n.timing === 'after-delete').length;
      conflicts += reach.conflicts.length;
    }
  }
  assert.ok(blocking > 20 && moot > 20 && conflicts > 5, `blocking ${blocking}, moot ${moot}, conflicts ${conflicts}`);
});

test('the text view: "blocked by" and "sets NULL" lines match the header; a conflict names the cascade, on the checking line', () => {
  const sql =
    'CREATE TABLE orgs (id int PRIMARY KEY);\n' +
    'CREATE TABLE projects (id int PRIMARY KEY, org_id int REFERENCES orgs ON DELETE CASCADE);\n' +
    'CREATE TABLE members (id int PRIMARY KEY, org_id int REFERENCES orgs ON DELETE CASCADE);\n' +
    'CREATE TABLE tasks (id int PRIMARY KEY, project_id int REFERENCES projects ON DELETE CASCADE, assignee_id int REFERENCES members ON DELETE RESTRICT, org_id int REFERENCES orgs ON DELETE SET NULL);\n' +
    'CREATE TABLE audit (id int PRIMARY KEY, member_id int REFERENCES members);\n';
  const ws = new Workspace();
  ws.setFile('schema.sql', sql);
  const model = ws.model();
  const history = model.histories[0];
  const reach = computeReach(history, history.tables[0].id, 'DELETE');
  const lines = reachLines(model, reach, { markdown: false, maxShown: 100 });
  assert.equal(lines[0], 'DELETE FROM orgs: 3 tables deleted · 0 columns set to NULL · blocked by 1 FK · depth 2 · 1 conflict');
  const tree = lines.slice(2);
  assert.equal(tree.filter((l) => /^\s*- blocked by /.test(l)).length, reach.blockedBy.length);
  assert.equal(tree.filter((l) => /^\s*- sets NULL /.test(l)).length, reach.setsNull.length);
  assert.ok(tree.some((l) => /^\s*- blocked by audit\.member_id, NO ACTION: checked at the end of the statement/.test(l)), tree.join('\n'));
  // tasks.org_id SET NULL runs at level 1, when the tasks rows are still there (they go at level 2).
  assert.ok(tree.some((l) => /^- SET NULL tasks\.org_id .* — at level 1, before the cascade deletes the tasks rows \(level 2\): rewritten, then deleted$/.test(l)), tree.join('\n'));
  const conflict = tree.filter((l) => l.includes('conflict'));
  assert.equal(conflict.length, 1);
  assert.match(conflict[0], /^\s*- checks tasks\.assignee_id, RESTRICT: .* — conflict: tasks_project_id_fkey deletes the same tasks rows at this level \(2\)/);
  assert.ok(!tree.some((l) => /deletes .* conflict/.test(l)));
  // Lines come from a flat list: any depth prints without recursion.
  assert.equal(shownLines(cutTree(reach.children, 100)).length, tree.length);
});
