/**
 * Hostile names (issue 13): a table, column or constraint name is data, never markup or code.
 * - Hover Markdown: rendered by a real Markdown renderer (marked, the family VS Code uses), a hover over
 *   hostile names has exactly the structure of the same hover over plain names, no image, no HTML, and only the
 *   links FK Lens builds (declarations, ERD and peek of the hovered table).
 * - Quick-fixes: every migration a fix writes (SQL in each tool's layout, knex and TypeORM JS / TS) is parsed
 *   with libpg-query (JS with Babel first) and holds exactly the intended statements, on the hostile names.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseJsFile } from '@babel/parser';
import { parseSync } from 'libpg-query';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace, type WorkspaceModel } from '../../server/src/workspace/workspace';
import { hoverAt } from '../../server/src/features/hover';
import { targetAt } from '../../server/src/features/target';
import { commandUri, mdCode, mdText } from '../../server/src/features/markdown';
import { completionsAt } from '../../server/src/features/completion';
import { analyze } from '../../server/src/analysis/analyze';
import { applyFix, fixesFor, type FixPlan, type FkFixTarget } from '../../server/src/features/fixes';
import { quoteIdent } from '../../server/src/model/schema';

/** marked is an ES module: loaded once, before the tests. */
let marked: { parse(md: string, o: { async: false }): string; parseInline(md: string, o: { async: false }): string };

before(async () => {
  await initPostgresParser();
  marked = (await import('marked')).marked as unknown as typeof marked;
});

/** Names that try to be Markdown, HTML, links, images, statements, comments and tool annotations. */
const HOSTILE = {
  parent: 'p\nDROP TABLE users CASCADE;\n--',
  child: '[x](command:workbench.action.terminal.new)',
  image: '![t](https://evil.example/t.png)',
  forged: '[y](command:fklens.showErdFor?%5B%22public.victim%22%5D)',
  tick: 'a`b``c <img src=x onerror=alert(1)>',
  column: "c'); DROP TABLE users; --",
  goose: 'g\n-- +goose Down\nDROP TABLE users;',
  dbmate: 'd\n-- migrate:down\nDROP TABLE users;',
  misc: 'https://evil.example/x www.evil.example */ \u2028 \u202e \\ "',
};

/**
 * For the hovers: a `-- +goose Down` / `-- migrate:down` line makes the reader (as goose and dbmate themselves)
 * end the up section there, whatever quotes it is in; these names keep their line breaks without it.
 */
const READABLE: typeof HOSTILE = { ...HOSTILE, goose: 'g\nDROP TABLE users;', dbmate: 'd\r\nDROP TABLE users;\r\n--' };

/** Quoted as a hostile file would write them: raw line breaks inside the quotes. */
const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A schema over the given names: every fixable rule fires once, every hover kind has something to show. */
function schemaStatements(n: typeof HOSTILE): string[] {
  return [
    `CREATE TABLE ${q(n.parent)} (id int PRIMARY KEY, ${q(n.misc)} int);`,
    `CREATE TABLE ${q(n.child)} (id int PRIMARY KEY, ${q(n.column)} int NOT NULL REFERENCES ${q(n.parent)} ON DELETE CASCADE);`,
    `CREATE TABLE ${q(n.image)} (id int PRIMARY KEY, ${q(n.tick)} int NOT NULL REFERENCES ${q(n.child)} ON DELETE SET NULL);`,
    `CREATE TABLE ${q(n.forged)} (id int PRIMARY KEY, ${q(n.goose)} int REFERENCES ${q(n.parent)} ON DELETE SET DEFAULT);`,
    `CREATE TABLE ${q(n.dbmate)} (id int PRIMARY KEY, r int REFERENCES ${q(n.parent)} (${q(n.misc)}));`,
    `CREATE INDEX ${q(n.tick + '_idx')} ON ${q(n.image)} (${q(n.tick)});`,
  ];
}

const schemaSql = (n: typeof HOSTILE) => schemaStatements(n).join('\n');

/** The same names made plain: t0, t1, ... (same structure, nothing to escape). */
const PLAIN = Object.fromEntries(Object.keys(HOSTILE).map((k, i) => [k, `t${i}`])) as typeof HOSTILE;

function load(files: Record<string, string>): { workspace: Workspace; model: WorkspaceModel } {
  const workspace = new Workspace();
  for (const [f, text] of Object.entries(files)) workspace.setFile(f, text);
  return { workspace, model: workspace.model() };
}

// ---------------------------------------------------------------------------------------------------------
// Markdown

/**
 * The rendered HTML's tags in order, without attributes; code spans left out (a name with backticks is escaped
 * text rather than code inside a link).
 */
const skeleton = (html: string) =>
  [...html.matchAll(/<\/?([a-z0-9]+)/gi)]
    .map((m) => m[0])
    .filter((t) => !/^<\/?code$/.test(t))
    .join('');

function hovers(n: typeof HOSTILE) {
  const text = schemaSql(n);
  const { model } = load({ 'schema.sql': text });
  const options = {
    link: (file: string, p: { line: number }) => `file:///ws/${file}#L${p.line + 1}`,
    erdLink: (name: string) => commandUri('fklens.showErdFor', [name]),
    peekLink: (name: string) => commandUri('fklens.peekTable', [{ uri: 'file:///ws/schema.sql', table: name }]),
  };
  // A name as the key it stands for in `n` (other names: themselves), so that the hovers of two schemas pair up.
  const byName = new Map(Object.entries(n).map(([k, v]) => [v, k]));
  const key = (name: string) => byName.get(name) ?? name;
  // Every position of the file that has a hover (table names, columns, FKs, the index), first one per target.
  const out = new Map<string, { md: string; table?: string }>();
  for (let at = 0; at < text.length; at++) {
    const target = targetAt(model, 'schema.sql', at);
    if (!target) continue;
    let id: string;
    switch (target.kind) {
      case 'table':
        id = `table ${key(target.table.name)} ${target.context}`;
        break;
      case 'column':
        id = `column ${key(target.table.name)}.${key(target.column.name)} ${target.role}`;
        break;
      case 'foreign-key':
        id = `fk ${key(target.history.tableById.get(target.fk.tableId)!.name)} ${target.fk.columns.map(key)}`;
        break;
      case 'index':
        id = `index ${key(target.table.name)}`;
        break;
    }
    if (out.has(id)) continue;
    const table = target.kind === 'foreign-key' ? undefined : `${target.table.schema}.${target.table.name}`;
    out.set(id, { md: hoverAt(model, 'schema.sql', at, options)!.markdown, table });
  }
  return { model, out };
}

test('hover Markdown over hostile names: the structure of plain names, no image or HTML, only FK Lens links', () => {
  const hostile = hovers(READABLE);
  const plain = hovers(PLAIN);
  assert.ok(hostile.out.size >= 12, `${hostile.out.size} hovers`);
  assert.deepEqual([...hostile.out.keys()].sort(), [...plain.out.keys()].sort());
  const tables = new Set(hostile.model.histories[0].tables.map((t) => `${t.schema}.${t.name}`));
  for (const [id, { md, table }] of hostile.out) {
    const html = marked.parse(md, { async: false });
    assert.equal(skeleton(html), skeleton(marked.parse(plain.out.get(id)!.md, { async: false })), `${id}: same structure as with plain names:\n${md}`);
    assert.doesNotMatch(html, /<img|<script|<[^>]*onerror/i, md);
    // Rules only where FK Lens puts them (between the lock section and the table hover): as many as with plain names.
    const rules = (h: string) => (h.match(/<hr/gi) ?? []).length;
    assert.equal(rules(html), rules(marked.parse(plain.out.get(id)!.md, { async: false })), md);
    for (const [, href] of html.matchAll(/<a href="([^"]*)"/g)) {
      const decoded = href.replace(/&amp;/g, '&');
      if (decoded.startsWith('file:///ws/schema.sql#L')) continue;
      const m = /^command:(fklens\.showErdFor|fklens\.peekTable)\?(.*)$/.exec(decoded);
      assert.ok(m, `only FK Lens links: ${href}\n${md}`);
      const args = JSON.parse(decodeURIComponent(m[2])) as unknown[];
      const name = m[1] === 'fklens.showErdFor' ? args[0] : (args[0] as { table: string }).table;
      assert.ok(tables.has(name as string), `a link to a real table: ${String(name)}`);
      if (table && m[1] === 'fklens.peekTable') assert.equal(name, table, 'the peek of the hovered table');
    }
  }
  const parentHover = [...hostile.out.values()].find((h) => h.md.startsWith('**DELETE FROM p'))!.md;
  // The names are shown, as text: a newline as \n, the image and the links as their characters.
  const rendered = marked.parse(parentHover, { async: false }).replace(/<[^>]+>/g, '');
  assert.match(rendered, /DELETE FROM p\\nDROP TABLE users CASCADE;\\n--/);
});

test('mdText and mdCode keep any string literal', () => {
  for (const s of Object.values(HOSTILE)) {
    const text = marked.parseInline(mdText(s), { async: false }) as string;
    assert.doesNotMatch(text, /<(?!\/?(code)>)/, s);
    const code = marked.parseInline(mdCode(s), { async: false }) as string;
    assert.match(code, /^<code>[^<]*<\/code>$/, `${s} -> ${code}`);
  }
  assert.equal(mdCode('a`b'), '``a`b``');
  assert.equal(mdCode('`x'), '`` `x ``');
});

test('completion documentation names columns as code', () => {
  const { model } = load({ 'schema.sql': `${schemaSql(READABLE)}\nCREATE TABLE w (id int REFERENCES ` });
  const text = model.sources.get('schema.sql')!.lines.text;
  const entries = completionsAt(model, 'schema.sql', text, text.length);
  assert.ok(entries.length >= 5);
  for (const e of entries) {
    if (!e.documentation) continue;
    const html = marked.parse(e.documentation, { async: false });
    assert.doesNotMatch(html, /<a |<img|<script/i, e.documentation);
  }
});

// ---------------------------------------------------------------------------------------------------------
// Generated migrations

interface Shape {
  kind: string;
  table?: string;
  detail: string[];
}

/** What each statement does, on which table, with names as PostgreSQL reads them. */
function shapes(sql: string): Shape[] {
  const tree = parseSync(sql) as { stmts?: { stmt: Record<string, any> }[] };
  return (tree.stmts ?? []).map(({ stmt }) => {
    const [kind, node] = Object.entries(stmt)[0];
    switch (kind) {
      case 'IndexStmt':
        return { kind, table: node.relation.relname, detail: [node.idxname, ...node.indexParams.map((p: any) => p.IndexElem.name)] };
      case 'AlterTableStmt':
        return { kind, table: node.relation.relname, detail: node.cmds.map((c: any) => `${c.AlterTableCmd.subtype} ${c.AlterTableCmd.name ?? c.AlterTableCmd.def?.Constraint?.conname ?? ''}`.trim()) };
      case 'DropStmt':
        return { kind, detail: [node.removeType, ...node.objects.map((o: any) => (o.List?.items ?? [o]).map((i: any) => i.String?.sval).join('.'))] };
      default:
        return { kind, detail: [] };
    }
  });
}

/** The SQL strings a knex / TypeORM migration passes to `knex.raw` / `queryRunner.query`, and the calls it makes. */
function jsSql(file: string, text: string): { sql: string[]; calls: number } {
  const ast = parseJsFile(text, { sourceType: 'unambiguous', plugins: file.endsWith('.ts') ? ['typescript'] : [] });
  const sql: string[] = [];
  let calls = 0;
  const visit = (node: any) => {
    if (!node || typeof node.type !== 'string') return;
    if (node.type === 'CallExpression') {
      calls++;
      const name = node.callee.property?.name;
      assert.ok(name === 'raw' || name === 'query', `only knex.raw / queryRunner.query calls: ${name}`);
      assert.equal(node.arguments.length, 1);
      assert.equal(node.arguments[0].type, 'StringLiteral');
      sql.push(node.arguments[0].value);
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'loc' || key.endsWith('Comments')) continue;
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object') visit(value);
    }
  };
  visit(ast.program);
  return { sql, calls };
}

interface TargetedFix {
  fix: FixPlan;
  child: string;
  parent: string;
  fkName: string;
  columns: string[];
}

/** Each fix of each finding of a fixable rule, with the names of its FK. */
function allFixes(workspace: Workspace, model: WorkspaceModel): TargetedFix[] {
  const input = { model, files: workspace.filePaths(), textOf: (f: string) => workspace.text(f), options: { now: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) } };
  const out: TargetedFix[] = [];
  for (const f of analyze(model).findings) {
    if (!f.fk) continue;
    const history = model.histories.find((h) => h.history.id === f.fk!.historyId)!;
    const fk = history.foreignKeys.find((k) => k.tableId === f.fk!.tableId && k.name === f.fk!.name)!;
    const names = { child: history.tableById.get(fk.tableId)!.name, parent: history.tableById.get(fk.refTableId)!.name, fkName: fk.name, columns: fk.columns };
    for (const fix of fixesFor(input, { rule: f.rule, history, fk } satisfies FkFixTarget)) out.push({ fix, ...names });
  }
  return out;
}

/** The statements a fix should write, on the names of its FK. `*` stands for the index name FK Lens chose. */
function intended({ fix, child, parent, fkName, columns }: TargetedFix): Shape[] {
  const title = fix.title;
  if (title.startsWith('Create index')) return [{ kind: 'IndexStmt', table: child, detail: ['*', ...columns] }, { kind: 'DropStmt', detail: ['OBJECT_INDEX', '*'] }];
  if (title.startsWith('Make ')) return [{ kind: 'AlterTableStmt', table: child, detail: columns.map((c) => `AT_DropNotNull ${c}`) }, { kind: 'AlterTableStmt', table: child, detail: columns.map((c) => `AT_SetNotNull ${c}`) }];
  if (title.startsWith('Add a DEFAULT')) return [{ kind: 'AlterTableStmt', table: child, detail: columns.map((c) => `AT_ColumnDefault ${c}`) }, { kind: 'AlterTableStmt', table: child, detail: columns.map((c) => `AT_ColumnDefault ${c}`) }];
  if (title.startsWith('Change ON DELETE')) {
    const replace = { kind: 'AlterTableStmt', table: child, detail: [`AT_DropConstraint ${fkName}`, `AT_AddConstraint ${fkName}`] };
    return [replace, replace, { kind: 'AlterTableStmt', table: child, detail: [`AT_ValidateConstraint ${fkName}`] }];
  }
  if (title.startsWith('Add UNIQUE')) return [{ kind: 'AlterTableStmt', table: parent, detail: ['AT_AddConstraint'] }];
  throw new Error(`no expectation for ${title}`);
}

/** `*` in the expectation: the index name, the same in the CREATE and the DROP. */
function matchIndexName(actual: Shape[], expected: Shape[]): Shape[] {
  const name = actual.find((s) => s.kind === 'IndexStmt')?.detail[0];
  return expected.map((s) => ({ ...s, detail: s.detail.map((d) => (d === '*' && name ? name : d)) }));
}

const SQL_LAYOUTS: Record<string, (sql: string) => Record<string, string>> = {
  'golang-migrate': (sql) => ({ 'db/migrations/0001_init.up.sql': sql, 'db/migrations/0001_init.down.sql': '' }),
  goose: (sql) => ({ 'db/migrations/00001_init.sql': `-- +goose Up\n${sql}\n-- +goose Down\n` }),
  dbmate: (sql) => ({ 'db/migrations/20240101000000_init.sql': `-- migrate:up\n${sql}\n-- migrate:down\n` }),
  diesel: (sql) => ({ 'migrations/2024-01-01-000000_init/up.sql': sql, 'migrations/2024-01-01-000000_init/down.sql': '' }),
  flyway: (sql) => ({ 'db/migration/V1__init.sql': sql }),
};

const JS_LAYOUTS: Record<string, (statements: string[]) => Record<string, string>> = {
  knex: (statements) => ({
    'knexfile.js': "module.exports = { client: 'pg', migrations: { directory: './db/migrations' } };\n",
    'db/migrations/20240101000000_init.js': `exports.up = async (knex) => {\n${statements.map((s) => `  await knex.raw(${JSON.stringify(s)});`).join('\n')}\n};\nexports.down = async () => {};\n`,
  }),
  typeorm: (statements) => ({
    'src/migrations/1700000000000-Init.ts': `import { MigrationInterface, QueryRunner } from 'typeorm';\nexport class Init1700000000000 implements MigrationInterface {\n  public async up(queryRunner: QueryRunner): Promise<void> {\n${statements.map((s) => `    await queryRunner.query(${JSON.stringify(s)});`).join('\n')}\n  }\n  public async down(): Promise<void> {}\n}\n`,
  }),
};

/** Statements of the SQL (or JS) files a fix creates, in order. */
function createdShapes(fix: FixPlan): Shape[] {
  const out: Shape[] = [];
  for (const c of fix.creates) {
    if (/\.(toml|conf)$/.test(c.file)) continue;
    if (/\.[cm]?[jt]s$/.test(c.file)) {
      const { sql, calls } = jsSql(c.file, c.text);
      assert.equal(calls, sql.length);
      for (const s of sql) {
        const one = shapes(s);
        assert.equal(one.length, 1, `one statement per call: ${s}`);
        out.push(...one);
      }
    } else out.push(...shapes(c.text));
  }
  return out;
}

/** A migration history in one layout: every migration-writing fix writes exactly its statements. */
function checkLayout(files: Record<string, string>, label: string, down = true): number {
  const { workspace, model } = load(files);
  const fixes = allFixes(workspace, model).filter((f) => f.fix.creates.length);
  // Every kind of migration-writing fix (goose and dbmate end the up section at the annotation line a name holds,
  // as the tools do: fewer FKs there).
  const kinds = new Set(fixes.map((f) => f.fix.title.split(' ')[0]));
  assert.ok(kinds.size >= (label === 'goose' || label === 'dbmate' ? 3 : 4), `${label}: ${fixes.map((f) => f.fix.title).join(' | ')}`);
  for (const t of fixes) {
    const actual = createdShapes(t.fix);
    // Without down migrations (Flyway): the up statements only, i.e. every other one but the VALIDATE migration.
    const expected = down ? intended(t) : intended(t).filter((_, i, all) => i % 2 === 0 || (i === all.length - 1 && all.length % 2 === 1));
    assert.deepEqual(actual, matchIndexName(actual, expected), `${label}: ${t.fix.title}\n${t.fix.creates.map((c) => `${c.file}:\n${c.text}`).join('\n')}`);
    // No line of a new file is a tool annotation FK Lens did not write, nor starts a statement of a name.
    for (const c of t.fix.creates) {
      for (const line of c.text.split('\n')) assert.doesNotMatch(line, /^\s*(DROP TABLE|--\s*\+goose Down|--\s*migrate:down).*users/i, `${label}: ${c.file}: ${line}`);
    }
  }
  return fixes.length;
}

test('every migration a fix writes holds exactly the intended statements on hostile names (SQL layouts)', () => {
  const sql = schemaSql(HOSTILE);
  for (const [tool, layout] of Object.entries(SQL_LAYOUTS)) checkLayout(layout(sql), tool, tool !== 'flyway');
});

test('every migration a fix writes holds exactly the intended statements on hostile names (knex, TypeORM)', () => {
  for (const [tool, layout] of Object.entries(JS_LAYOUTS)) {
    const files = layout(schemaStatements(HOSTILE));
    const { model } = load(files);
    assert.equal(model.histories[0]?.history.tool, tool, `read as a ${tool} history`);
    checkLayout(files, tool);
  }
});

test('fixes in plain schema files add exactly the intended statements, on hostile names', () => {
  const sql = schemaSql(READABLE);
  const { workspace, model } = load({ 'schema.sql': sql });
  const fixes = allFixes(workspace, model).map((t) => t.fix);
  assert.ok(fixes.length >= 5, fixes.map((f) => f.title).join(' | '));
  const before = shapes(sql);
  for (const fix of fixes) {
    const after = shapes(applyFix(new Map([['schema.sql', sql]]), fix).get('schema.sql')!);
    // What the fix added: the statements of `after` not in `before` (as a multiset), in order.
    const left = [...before.map((s) => JSON.stringify(s))];
    const added = after.filter((s) => {
      const i = left.indexOf(JSON.stringify(s));
      if (i < 0) return true;
      left.splice(i, 1);
      return false;
    });
    assert.ok(added.every((s) => s.kind === 'AlterTableStmt' || s.kind === 'IndexStmt'), `${fix.title}: ${JSON.stringify(added)}`);
    assert.ok(added.every((s) => Object.values(READABLE).includes(s.table!)), `${fix.title}: on the hostile tables themselves: ${JSON.stringify(added)}`);
    assert.ok(added.length <= 2, `${fix.title}: ${JSON.stringify(added)}`);
  }
});

test('quoteIdent writes invisible characters as Unicode escapes that PostgreSQL reads back', () => {
  for (const name of Object.values(HOSTILE)) {
    const quoted = quoteIdent(name);
    assert.doesNotMatch(quoted, /[\n\r\u2028\u2029]/);
    const [shape] = shapes(`ALTER TABLE ${quoted} VALIDATE CONSTRAINT x;`);
    assert.equal(shape.table, name);
  }
  assert.equal(quoteIdent('a\nb'), 'U&"a\\000ab"');
  assert.equal(quoteIdent('a\\"\nb'), 'U&"a\\\\""\\000ab"');
  assert.equal(quoteIdent('orders'), 'orders');
  assert.equal(quoteIdent('Order'), '"Order"');
});
