/**
 * Editor features as pure functions of the model: the SQL in, what the user would see out.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import { openWorkspace } from '../../server/src/workspace/open';
import { targetAt } from '../../server/src/features/target';
import { hoverAt } from '../../server/src/features/hover';
import { definitionAt, referencesAt } from '../../server/src/features/navigation';
import { documentSymbols, workspaceSymbols } from '../../server/src/features/symbols';
import { codeLenses } from '../../server/src/features/codeLens';
import { completionsAt } from '../../server/src/features/completion';
import { cutTree, computeReach } from '../../server/src/analysis/reach';
import { reachLines } from '../../server/src/features/reachView';
import { commandUri } from '../../server/src/features/markdown';
import { tableDocument } from '../../server/src/features/peek';

before(async () => {
  await initPostgresParser();
});

function load(files: Record<string, string>) {
  const workspace = new Workspace();
  for (const [file, text] of Object.entries(files)) workspace.setFile(file, text);
  return { workspace, model: workspace.model() };
}

/** Offset of the `nth` occurrence of `needle` in `text`, plus `delta`. */
function at(text: string, needle: string, delta = 1, nth = 1): number {
  let offset = -1;
  for (let i = 0; i < nth; i++) offset = text.indexOf(needle, offset + 1);
  assert.ok(offset >= 0, `${needle} not in text`);
  return offset + delta;
}

const MIGRATIONS = {
  'db/1_users.up.sql': `CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE);
CREATE TABLE orgs (id int PRIMARY KEY);
`,
  'db/2_orders.up.sql': `CREATE TABLE orders (
  id bigint PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  org_id int REFERENCES orgs ON DELETE SET NULL
);
CREATE TABLE order_items (id int PRIMARY KEY, order_id bigint REFERENCES orders ON DELETE CASCADE);
CREATE TABLE payments (id int PRIMARY KEY, order_id bigint);
ALTER TABLE payments ADD CONSTRAINT payments_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX order_items_order_id_idx ON order_items (order_id);
`,
  'db/3_rename.up.sql': `ALTER TABLE orgs RENAME TO organisations;
`,
  'scripts/cleanup.sql': `SET search_path TO archive, public;
DELETE FROM users WHERE id = 1;
UPDATE orders SET id = 2 WHERE id = 1;
`,
};

test('what is under a position: model ranges, names found by the lexer, renames followed', () => {
  const { model } = load(MIGRATIONS);
  const orders = MIGRATIONS['db/2_orders.up.sql'];
  const t = (file: string, offset: number) => targetAt(model, file, offset);
  const name = (x: ReturnType<typeof t>) => (x?.kind === 'table' ? `${x.table.name}:${x.context}` : x?.kind === 'column' ? `${x.table.name}.${x.column.name}:${x.role}` : x?.kind === 'foreign-key' ? `fk ${x.fk.name}` : x?.kind);
  assert.equal(name(t('db/2_orders.up.sql', at(orders, 'orders ('))), 'orders:create');
  assert.equal(name(t('db/2_orders.up.sql', at(orders, 'users (id)'))), 'users:references');
  assert.equal(name(t('db/2_orders.up.sql', at(orders, '(id) ON DELETE CASCADE'))), 'users.id:ref-columns');
  assert.equal(name(t('db/2_orders.up.sql', at(orders, 'user_id bigint'))), 'orders.user_id:fk-columns');
  assert.equal(name(t('db/2_orders.up.sql', at(orders, 'ON DELETE CASCADE', 4))), 'fk orders_user_id_fkey');
  // REFERENCES orgs: the table was renamed later; the FK's range still leads to it.
  assert.equal(name(t('db/2_orders.up.sql', at(orders, 'orgs ON'))), 'organisations:references');
  // Names the model keeps no range of.
  assert.equal(name(t('db/2_orders.up.sql', at(orders, 'payments ADD'))), 'payments:alter');
  assert.equal(name(t('db/2_orders.up.sql', at(orders, 'ON order_items', 4))), 'order_items:index');
  assert.equal(name(t('db/3_rename.up.sql', 13)), 'organisations:alter');
  const script = MIGRATIONS['scripts/cleanup.sql'];
  assert.equal(name(t('scripts/cleanup.sql', at(script, 'users'))), 'users:delete');
  assert.equal(name(t('scripts/cleanup.sql', at(script, 'orders'))), 'orders:update');
  // Not a table name: a column in a WHERE clause, a keyword.
  assert.equal(t('scripts/cleanup.sql', at(script, 'id = 1')), undefined);
  assert.equal(t('scripts/cleanup.sql', at(script, 'DELETE')), undefined);
});

test('a name resolves through the search_path of its statement', () => {
  const { model } = load({
    'schema.sql': `CREATE SCHEMA app;\nCREATE TABLE app.users (id int PRIMARY KEY);\nCREATE TABLE users (id int PRIMARY KEY);\nSET search_path TO app;\nDROP TABLE users;\n`,
  });
  const text = model.sources.get('schema.sql')!.lines.text;
  const target = targetAt(model, 'schema.sql', at(text, 'users;'));
  assert.equal(target, undefined, 'app.users is dropped there: no table of the final model');
  const { model: m2 } = load({
    'schema.sql': `CREATE SCHEMA app;\nCREATE TABLE app.users (id int PRIMARY KEY);\nCREATE TABLE users (id int PRIMARY KEY);\nSET search_path TO app;\nALTER TABLE users ADD COLUMN x int;\n`,
  });
  const t2 = targetAt(m2, 'schema.sql', at(m2.sources.get('schema.sql')!.lines.text, 'users ADD'));
  assert.equal(t2?.kind === 'table' && `${t2.table.schema}.${t2.table.name}`, 'app.users');
});

test('hover on a table: the summary and its links first, then the tree with links and blocks, the key UPDATE in one line', () => {
  const { model } = load(MIGRATIONS);
  const text = MIGRATIONS['db/1_users.up.sql'];
  const hover = hoverAt(model, 'db/1_users.up.sql', at(text, 'users'), {
    link: (file, p) => `file:///ws/${file}#L${p.line + 1}`,
    erdLink: (name) => commandUri('fklens.showErdFor', [name]),
    peekLink: (name) => commandUri('fklens.peekTable', [{ uri: 'file:///ws/db/1_users.up.sql', table: name }]),
  })!;
  const lines = hover.markdown.split('\n');
  assert.equal(lines[0], '**DELETE FROM users**: 2 tables deleted · blocked by `payments.order_id` (NO ACTION) · depth 2\\');
  assert.equal(
    lines[1],
    '[Show all 3 in ERD](command:fklens.showErdFor?%5B%22public.users%22%5D) · [Peek 3 tables](command:fklens.peekTable?%5B%7B%22uri%22%3A%22file%3A%2F%2F%2Fws%2Fdb%2F1_users.up.sql%22%2C%22table%22%3A%22public.users%22%7D%5D)',
  );
  // Elsewhere than on its own CREATE TABLE, the hover also links the declaration.
  const elsewhere = hoverAt(model, 'db/2_orders.up.sql', at(MIGRATIONS['db/2_orders.up.sql'], 'users (id)'), { link: (file, p) => `file:///ws/${file}#L${p.line + 1}` })!;
  assert.equal(elsewhere.markdown.split('\n')[1], 'declared at [1\\_users\\.up\\.sql\\:1](file:///ws/db/1_users.up.sql#L1)');
  assert.ok(lines.includes('- **deletes** [`orders`](file:///ws/db/2_orders.up.sql#L3 "declared at 2_orders.up.sql:3") via `user_id`'), hover.markdown);
  assert.ok(lines.includes('  - **deletes** [`order_items`](file:///ws/db/2_orders.up.sql#L6 "declared at 2_orders.up.sql:6") via `order_id`'), hover.markdown);
  assert.ok(lines.includes('  - **blocked by** [`payments.order_id`](file:///ws/db/2_orders.up.sql#L8 "declared at 2_orders.up.sql:8") (NO ACTION)'), hover.markdown);
  // Blocks first, then the cascades.
  assert.ok(lines.findIndex((l) => l.includes('blocked by** [`payments')) < lines.findIndex((l) => l.includes('[`order_items`]')));
  // The key UPDATE: one line.
  assert.equal(lines[lines.length - 1], '**UPDATE of the key**: 0 tables updated · blocked by `orders.user_id` (NO ACTION) · depth 0');
  assert.deepEqual(hover.span, { start: at(text, 'users', 0), end: at(text, 'users', 5) });

  // UPDATE statement: the key-update reach comes first.
  const script = MIGRATIONS['scripts/cleanup.sql'];
  const update = hoverAt(model, 'scripts/cleanup.sql', at(script, 'orders'))!;
  assert.match(update.markdown.split('\n')[0], /^\*\*UPDATE of the key of orders\*\*: 0 tables updated · blocked by `order_items.order_id` \(NO ACTION\), `payments.order_id` \(NO ACTION\)/);
});

test('hover on an FK: target, both actions, serving index, deferrable, validated', () => {
  const { model } = load(MIGRATIONS);
  const text = MIGRATIONS['db/2_orders.up.sql'];
  const fk = hoverAt(model, 'db/2_orders.up.sql', at(text, 'REFERENCES users'))!.markdown;
  assert.match(fk, /^\*\*FOREIGN KEY orders\\_user\\_id\\_fkey\*\*: `orders\(user_id\) → users\(id\)`\\\ndeclared at `2_orders\.up\.sql:3`\n/);
  assert.match(fk, /- \*\*ON DELETE CASCADE\*\*: child rows are deleted with the parent row/);
  assert.match(fk, /- \*\*ON UPDATE NO ACTION\*\*: the statement fails if child rows still point at the parent when it is checked, at the end of the statement \(at commit if deferred\)/);
  assert.match(fk, /- \*\*No index\*\* serves orders\\\(user\\_id\\\): every DELETE or key UPDATE of a users row scans orders/);
  assert.match(fk, /- \*\*Deferrable\*\*: no/);
  assert.match(fk, /- \*\*Validated\*\*: yes/);
  const items = hoverAt(model, 'db/2_orders.up.sql', at(text, 'REFERENCES orders ON'))!.markdown;
  assert.match(items, /- \*\*Index\*\*: `order_items_order_id_idx` \(`2_orders\.up\.sql:9`\) serves it/);
  const payments = hoverAt(model, 'db/2_orders.up.sql', at(text, 'payments_order_fk'))!.markdown;
  assert.match(payments, /DEFERRABLE INITIALLY DEFERRED \(checked at commit\)/);
});

test('hover on a referenced column: who references it, with which actions', () => {
  const { model } = load(MIGRATIONS);
  const text = MIGRATIONS['db/1_users.up.sql'];
  const md = hoverAt(model, 'db/1_users.up.sql', at(text, 'id bigint'))!.markdown;
  assert.match(md, /^\*\*users\\\.id\*\* `bigint NOT NULL`\\\ndeclared at `1_users\.up\.sql:1`/);
  assert.match(md, /\*\*users\\\.id\*\* is referenced by 1 foreign key:\n- `orders\(user_id\)`: ON DELETE CASCADE, ON UPDATE NO ACTION \(`2_orders\.up\.sql:3`\)/);
  // A column nobody references: just its type and where it is declared.
  assert.equal(hoverAt(model, 'db/1_users.up.sql', at(text, 'email'))!.markdown, '**users\\.email** `text`\\\ndeclared at `1_users.up.sql:1`');
});

test('a column referenced by many FKs lists a few, then "and N more" with the peek link', () => {
  const children = Array.from({ length: 12 }, (_, i) => `CREATE TABLE c${i} (id int PRIMARY KEY, p int REFERENCES p ON DELETE CASCADE);`);
  const { model } = load({ 'schema.sql': `CREATE TABLE p (id int PRIMARY KEY);\n${children.join('\n')}\n` });
  const md = hoverAt(model, 'schema.sql', 17, { peekLink: (name) => commandUri('fklens.peekTable', [{ uri: 'file:///ws/schema.sql', table: name }]) })!.markdown;
  assert.match(md, /is referenced by 12 foreign keys:/);
  assert.equal(md.split('\n').filter((l) => l.startsWith('- `c')).length, 5);
  assert.match(md, /- … and 7 more · \[Peek all 12\]\(command:fklens\.peekTable\?/);
});

test('large trees: the hover shows whole first levels in at most ~15 lines; the peek document holds the whole tree', () => {
  const children = Array.from({ length: 30 }, (_, i) => `CREATE TABLE c${i} (id int PRIMARY KEY, p int REFERENCES p ON DELETE CASCADE);\nCREATE TABLE g${i} (id int, c int REFERENCES c${i} ON DELETE CASCADE);`);
  const { model } = load({ 'schema.sql': `CREATE TABLE p (id int PRIMARY KEY);\n${children.join('\n')}\n` });
  const history = model.histories[0];
  const reach = computeReach(history, history.tables.find((t) => t.name === 'p')!.id, 'DELETE');
  assert.equal(reach.deletes.length, 60);
  const { shown, hidden } = cutTree(reach.children, 40);
  // 30 children first (breadth first), then 10 grandchildren under the first 10 children.
  assert.equal(shown.length, 30);
  assert.equal(shown.filter((s) => s.children.length).length, 10);
  assert.equal(shown.reduce((n, s) => n + s.hidden, 0) + hidden, 20);
  const md = hoverAt(model, 'schema.sql', 14, { erdLink: () => 'command:x', peekLink: () => 'command:y' })!.markdown;
  const lines = md.split('\n').filter((l) => l.trim());
  assert.ok(lines.length <= 15, `${lines.length} lines:\n${md}`);
  assert.match(lines[0], /^\*\*DELETE FROM p\*\*: 60 tables deleted · not blocked · depth 2/);
  assert.match(lines[1], /^\[Show all 60 in ERD\]\(command:x\) · \[Peek 60 tables\]\(command:y\)/);
  assert.equal(lines.filter((l) => /^- \*\*deletes\*\* `c\d+` via `p` · 1 below$/.test(l)).length, 5);
  assert.match(md, /- … and 25 more FKs pointing at `p`/);
  // The peek: every table, whole.
  const doc = tableDocument(model, 'schema.sql', 'public.p')!;
  for (let i = 0; i < 30; i++) {
    assert.match(doc, new RegExp(`- deletes c${i} via c${i}\\.p \\(schema\\.sql:\\d+\\)`));
    assert.match(doc, new RegExp(`  - deletes g${i} via g${i}\\.c \\(schema\\.sql:\\d+\\)`));
  }
  assert.match(doc, /Referenced by 30 foreign keys:/);
});

test('definition: REFERENCES target to the table and column declarations, in another file', () => {
  const { model } = load(MIGRATIONS);
  const text = MIGRATIONS['db/2_orders.up.sql'];
  const users = MIGRATIONS['db/1_users.up.sql'];
  assert.deepEqual(definitionAt(model, 'db/2_orders.up.sql', at(text, 'users (id)')), [{ file: 'db/1_users.up.sql', span: { start: 13, end: 18 } }]);
  assert.deepEqual(definitionAt(model, 'db/2_orders.up.sql', at(text, '(id) ON DELETE CASCADE')), [
    { file: 'db/1_users.up.sql', span: { start: at(users, 'id', 0), end: at(users, 'id', 2) } },
  ]);
  // The latest declaration: a table dropped and created again leads to the second CREATE TABLE.
  const { model: m2 } = load({ 'a/1.sql': 'CREATE TABLE t (id int PRIMARY KEY);\n', 'a/2.sql': 'DROP TABLE t;\nCREATE TABLE t (id int PRIMARY KEY);\n', 'a/3.sql': 'CREATE TABLE c (t_id int REFERENCES t);\n' });
  assert.deepEqual(definitionAt(m2, 'a/3.sql', 29), [{ file: 'a/2.sql', span: { start: 27, end: 28 } }]);
});

test('references: every FK pointing at a table or column and every index on it', () => {
  const { model } = load(MIGRATIONS);
  const text = MIGRATIONS['db/2_orders.up.sql'];
  const refs = referencesAt(model, 'db/2_orders.up.sql', at(text, 'orders ('), false).map((l) => `${l.file}:${text.slice(l.span.start, l.span.end)}`);
  assert.deepEqual(refs, ['db/2_orders.up.sql:orders', 'db/2_orders.up.sql:orders', 'db/2_orders.up.sql:PRIMARY KEY']);
  const items = referencesAt(model, 'db/2_orders.up.sql', at(text, 'order_items ('), true).map((l) => text.slice(l.span.start, l.span.end));
  assert.deepEqual(items, ['order_items', 'PRIMARY KEY', 'order_items_order_id_idx']);
  const orderId = referencesAt(model, 'db/2_orders.up.sql', at(text, 'order_id bigint REF'), false).map((l) => text.slice(l.span.start, l.span.end));
  assert.deepEqual(orderId, ['order_id', 'order_items_order_id_idx']);
});

test('document and workspace symbols', () => {
  const { model } = load(MIGRATIONS);
  const symbols = documentSymbols(model, 'db/2_orders.up.sql');
  assert.deepEqual(
    symbols.map((s) => `${s.name} [${s.children.map((c) => `${c.kind}:${c.name}`).join(', ')}]`),
    [
      'orders [column:id, primary-key:orders_pkey, column:user_id, foreign-key:orders_user_id_fkey, column:org_id, foreign-key:orders_org_id_fkey]',
      'order_items [column:id, primary-key:order_items_pkey, column:order_id, foreign-key:order_items_order_id_fkey, index:order_items_order_id_idx]',
      'payments [column:id, primary-key:payments_pkey, column:order_id, foreign-key:payments_order_fk]',
    ],
  );
  for (const s of symbols) for (const c of s.children) assert.ok(s.span.start <= c.span.start && c.span.end <= s.span.end, `${c.name} inside ${s.name}`);
  // A file that only alters a table declared elsewhere still lists it, holding what it adds.
  const { model: altered } = load({ 'm/1.sql': 'CREATE TABLE t (id int PRIMARY KEY);\n', 'm/2.sql': 'ALTER TABLE t ADD COLUMN x int;\nCREATE INDEX t_x_idx ON t (x);\n' });
  assert.deepEqual(
    documentSymbols(altered, 'm/2.sql').map((s) => `${s.name} ${s.detail} [${s.children.map((c) => c.name).join(', ')}]`),
    ['t altered here [x, t_x_idx]'],
  );
  assert.deepEqual(workspaceSymbols(model, 'ordit').map((s) => s.name), ['order_items']);
  assert.deepEqual(workspaceSymbols(model, 'ORG').map((s) => s.name), ['organisations']);
});

test('code lens over CREATE TABLE', () => {
  const { model } = load(MIGRATIONS);
  assert.deepEqual(
    codeLenses(model, 'db/1_users.up.sql').map((l) => [l.table.name, l.title, l.references.length]),
    [
      ['users', 'referenced by 1 FK · DELETE cascades to 2 tables · blocked by 1', 1],
      ['organisations', 'referenced by 1 FK · sets NULL / DEFAULT via 1 FK', 1],
    ],
  );
  // Tables nothing references get no lens unless asked for (fklens.codeLens.unreferenced).
  assert.deepEqual(codeLenses(model, 'db/2_orders.up.sql').map((l) => l.title), ['referenced by 2 FKs · DELETE cascades to 1 table · blocked by 1']);
  assert.deepEqual(codeLenses(model, 'db/2_orders.up.sql', { unreferenced: true }).map((l) => `${l.table.name}: ${l.title}`), [
    'orders: referenced by 2 FKs · DELETE cascades to 1 table · blocked by 1',
    'order_items: not referenced by any FK',
    'payments: not referenced by any FK',
  ]);
});

test('completion: tables after REFERENCES, then columns primary key first, then the five actions', () => {
  const { model } = load(MIGRATIONS);
  const typing = (text: string) => {
    const file = 'db/4_new.up.sql';
    const { workspace } = load({ ...MIGRATIONS, [file]: text });
    return completionsAt(workspace.model(), file, text, text.length);
  };
  const tables = typing('CREATE TABLE x (id int, u bigint REFERENCES ');
  // The table being typed does not parse yet, so it is not offered.
  assert.deepEqual(tables.map((c) => c.label).sort(), ['order_items', 'orders', 'organisations', 'payments', 'users']);
  const partial = typing('CREATE TABLE x (id int, u bigint REFERENCES us');
  assert.deepEqual(partial[0].replace, { start: 44, end: 46 });
  const columns = typing('CREATE TABLE x (id int, u bigint REFERENCES users (');
  assert.deepEqual(columns.sort((a, b) => a.sortText.localeCompare(b.sortText)).map((c) => `${c.label} ${c.detail}`), ['id bigint · NOT NULL · primary key', 'email text · unique']);
  const actions = typing('CREATE TABLE x (id int, u bigint REFERENCES users (id) ON DELETE ');
  assert.deepEqual(actions.sort((a, b) => a.sortText.localeCompare(b.sortText)).map((c) => c.label), ['CASCADE', 'SET NULL', 'SET DEFAULT', 'RESTRICT', 'NO ACTION']);
  assert.ok(actions.every((a) => a.documentation && a.documentation.length > 20));
  const onUpdate = typing('ALTER TABLE orders ADD FOREIGN KEY (org_id) REFERENCES organisations ON UPDATE SET');
  assert.equal(onUpdate.length, 5);
  assert.deepEqual(typing("CREATE TABLE x (u int REFERENCES users (id)) -- REFERENCES "), []);
  assert.deepEqual(typing("SELECT 'REFERENCES "), []);
  void model;
});

test('examples/shop: hover and code lens on the real example', async () => {
  const workspace = await openWorkspace(resolve(__dirname, '../../../examples/shop'));
  const model = workspace.model();
  const file = 'db/migrations/0001_users_and_catalog.up.sql';
  const text = workspace.text(file)!;
  const hover = hoverAt(model, file, at(text, 'users ('))!.markdown;
  assert.match(hover.split('\n')[0], /^\*\*DELETE FROM users\*\*: 3 tables deleted · 1 column set to NULL · blocked by `payments.order_id` \(RESTRICT\) · depth 2$/);
  assert.match(hover, /\*\*blocked by\*\* `payments.order_id` \(RESTRICT\)/);
  assert.match(hover, /\*\*sets NULL\*\* `reviews.user_id`/);
  // orders.shipping_address_id is SET NULL at level 2, after the cascade deleted the orders rows at level 1: no conflict.
  assert.match(hover, /- \*\*deletes\*\* `addresses` via `user_id`\n  - \*\*SET NULL\*\* `orders.shipping_address_id` · nothing left: rows deleted at level 1\n/);
  assert.doesNotMatch(hover, /conflict/);
  // The whole tree (peek, CLI) says what the SET NULL comes to.
  const tree = reachLines(model, computeReach(model.histories[0], model.histories[0].tables.find((t) => t.name === 'users')!.id, 'DELETE'), { markdown: false }).join('\n');
  assert.match(tree, /SET NULL orders\.shipping_address_id .* — nothing to rewrite: the cascade deleted the orders rows at level 1, before this/);
  const lenses = codeLenses(model, file);
  assert.deepEqual(lenses.map((l) => l.title), [
    'referenced by 3 FKs · DELETE cascades to 3 tables · sets NULL / DEFAULT via 1 FK · blocked by 1',
    'referenced by 2 FKs · sets NULL / DEFAULT via 2 FKs',
    'referenced by 2 FKs · DELETE cascades to 1 table · blocked by 1',
  ]);
});
