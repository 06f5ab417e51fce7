/**
 * What the migration planner and quick-fixes need to know about JS / TS files, read statically: a knexfile's
 * migration folders and client, a TypeORM migration's class-name timestamp, and where a statement can go first
 * in a migration's `up`.
 */
import type { Dialect } from '../events';
import { flattenChain, parseJs, Scope, unwrap, type t } from './parse';
import { evaluate, stringOf } from './values';
import { pgmContext, UNREADABLE_SHORTHANDS } from './nodePgMigrate';
import { upFunctions } from './walk';

export interface KnexfileSettings {
  /** Migration folders, relative to the knexfile's folder, without `./` and trailing `/`. */
  directories: string[];
  dialect?: Dialect;
}

const CLIENTS: Record<string, Dialect> = {
  pg: 'postgres', postgres: 'postgres', postgresql: 'postgres', 'pg-native': 'postgres', pgnative: 'postgres',
  cockroachdb: 'cockroach', mysql: 'mysql', mysql2: 'mysql', sqlite3: 'sqlite', sqlite: 'sqlite', 'better-sqlite3': 'sqlite',
};

/** Every `migrations.directory` in the knexfile (all environments) and its first `client`. */
export function knexfileSettings(path: string, text: string): KnexfileSettings {
  const parsed = parseJs(path, text);
  if (!parsed.ok) return { directories: [] };
  const scope = Scope.of(parsed.program);
  const directories: string[] = [];
  let client: string | undefined;
  const visit = (node: t.Node | null | undefined, depth: number): void => {
    if (!node || depth > 12) return;
    const n = unwrap(node);
    if (n.type === 'Identifier') {
      const init = scope.constant(n.name);
      return init ? visit(init, depth + 1) : undefined;
    }
    if (n.type === 'ObjectExpression') {
      for (const p of n.properties) {
        if (p.type === 'SpreadElement') visit(p.argument, depth + 1);
        if (p.type !== 'ObjectProperty') continue;
        const key = p.key.type === 'Identifier' ? p.key.name : p.key.type === 'StringLiteral' ? p.key.value : '';
        if (key === 'client') client ??= stringOf(evaluate(p.value, scope));
        if (key === 'directory') for (const d of directoryValues(p.value, scope)) directories.push(d);
        else visit(p.value, depth + 1);
      }
    }
  };
  for (const statement of parsed.program.body) {
    if (statement.type === 'ExpressionStatement' && statement.expression.type === 'AssignmentExpression') visit(statement.expression.right, 0);
    if (statement.type === 'ExportDefaultDeclaration') visit(statement.declaration, 0);
    if (statement.type === 'ExportNamedDeclaration' && statement.declaration?.type === 'VariableDeclaration') {
      for (const d of statement.declaration.declarations) visit(d.init, 0);
    }
  }
  return { directories: [...new Set(directories.map(normalizeFolder))], dialect: client ? CLIENTS[client.toLowerCase()] : undefined };
}

/** `'./db/migrations'`, `['a', 'b']`, `path.join(__dirname, 'db', 'migrations')`. */
function directoryValues(node: t.Node, scope: Scope): string[] {
  const n = unwrap(node);
  if (n.type === 'ArrayExpression') return n.elements.flatMap((e) => (e && e.type !== 'SpreadElement' ? directoryValues(e, scope) : []));
  if (n.type === 'CallExpression') {
    const { links } = flattenChain(n);
    const name = links[links.length - 1]?.name;
    if (name === 'join' || name === 'resolve') {
      const parts = n.arguments.map((a) => (a.type === 'Identifier' && a.name === '__dirname' ? '.' : stringOf(evaluate(a, scope))));
      return parts.every((p): p is string => p !== undefined) ? [parts.join('/')] : [];
    }
  }
  const value = stringOf(evaluate(n, scope));
  return value ? [value] : [];
}

function normalizeFolder(folder: string): string {
  const parts: string[] = [];
  for (const part of folder.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/** The 13-digit timestamp TypeORM reads from the end of a migration class's name (`AddUsers1700000000000`). */
export function typeormTimestamp(path: string, text: string): string | undefined {
  const parsed = parseJs(path, text);
  return parsed.ok ? stampOf(parsed.program) : undefined;
}

/** What the migration planner needs to know about one JS / TS file. */
export interface JsMigrationFacts {
  /** The file parses as JavaScript / TypeScript. */
  parses: boolean;
  /** It has an `up` (exported function, class method). */
  hasUp: boolean;
  typeormStamp?: string;
  /** The tool the code is written for, by what it uses (`knex.schema`, `queryRunner`, `db.createTable`, `queryInterface`, `pgm`). */
  tool?: 'knex' | 'typeorm' | 'db-migrate' | 'sequelize' | 'node-pg-migrate';
  /** db-migrate's SQL file loader: the name of the `sqls/` file its up runs (`20200101000000-users-up.sql`). */
  sqlFile?: string;
  /** node-pg-migrate: the text of the file's `shorthands` object literal (later migrations use them too). */
  shorthands?: string;
}

const factsCache = new Map<string, { text: string; facts: JsMigrationFacts }>();

export function jsMigrationFacts(path: string, text: string): JsMigrationFacts {
  const hit = factsCache.get(path);
  if (hit && hit.text === text) return hit.facts;
  const parsed = parseJs(path, text);
  const facts: JsMigrationFacts = { parses: parsed.ok, hasUp: false };
  let pgm = false;
  if (parsed.ok) {
    const scope = Scope.of(parsed.program);
    const ups = upFunctions(parsed.program, scope);
    facts.hasUp = ups.length > 0;
    facts.typeormStamp = stampOf(parsed.program);
    const context = facts.hasUp ? pgmContext(parsed.program, scope, ups) : undefined;
    pgm = context !== undefined;
    if (context?.own) facts.shorthands = text.slice(context.own.start ?? 0, context.own.end ?? 0);
    else if (context?.unreadable) facts.shorthands = UNREADABLE_SHORTHANDS;
  }
  const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ');
  if (facts.typeormStamp || /\b(MigrationInterface|QueryRunner|queryRunner)\b/.test(code)) facts.tool = 'typeorm';
  else if (pgm) facts.tool = 'node-pg-migrate';
  else if (/\bexports\.setup\s*=|\bdbm\b|\bdb\.(createTable|addColumn|addForeignKey|addIndex|removeColumn|changeColumn|runSql)\s*\(/.test(code)) facts.tool = 'db-migrate';
  else if (/\bqueryInterface\b|\b(Sequelize|DataTypes)\.[A-Z]/.test(code)) facts.tool = 'sequelize';
  else if (/\bknex\b|\bKnex\b|\.schema\s*\.\s*(createTable|alterTable|table|raw)\s*\(/.test(code)) facts.tool = 'knex';
  const loader = /['"`]sqls['"`]\s*,\s*['"`]([^'"`/\\]+-up\.sql)['"`]|\/sqls\/([^'"`/\\]+-up\.sql)['"`]/.exec(text);
  if (loader) facts.sqlFile = loader[1] ?? loader[2];
  if (factsCache.size > 10_000) factsCache.clear();
  factsCache.set(path, { text, facts });
  return facts;
}

function stampOf(program: t.Program): string | undefined {
  for (const statement of program.body) {
    const node = statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration' ? statement.declaration : statement;
    const classes: (t.ClassDeclaration | t.ClassExpression)[] = [];
    if (node?.type === 'ClassDeclaration') classes.push(node);
    if (node?.type === 'ExpressionStatement' && node.expression.type === 'AssignmentExpression' && node.expression.right.type === 'ClassExpression') classes.push(node.expression.right);
    for (const c of classes) {
      const name = c.id?.name;
      const hasUp = c.body.body.some((m) => m.type === 'ClassMethod' && m.key.type === 'Identifier' && m.key.name === 'up');
      const stamp = name && /(\d{13})$/.exec(name);
      if (hasUp && stamp) return stamp[1];
    }
  }
  return undefined;
}


/** Where a new first statement of a migration's `up` goes (a quick-fix inserts `await knex.raw(...)` there). */
export interface UpBodyStart {
  /** Just after the `{` of up's body. */
  offset: number;
  /** The indentation of the body's statements. */
  indent: string;
  /** up's first parameter (`knex`, `queryRunner`). */
  param: string;
  async: boolean;
}

/** The start of the body of the migration's `up`, when it is a function with a block body and a named first parameter. */
export function upBodyStart(path: string, text: string): UpBodyStart | undefined {
  const parsed = parseJs(path, text);
  if (!parsed.ok) return undefined;
  const [fn] = upFunctions(parsed.program, Scope.of(parsed.program));
  const param = fn?.params[0];
  if (!fn || fn.body.type !== 'BlockStatement' || fn.body.start == null || param?.type !== 'Identifier') return undefined;
  const lineIndent = (offset: number) => /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', offset - 1) + 1))![0];
  const first = fn.body.body[0];
  const indent = first?.start != null ? lineIndent(first.start) : `${lineIndent(fn.body.start)}  `;
  return { offset: fn.body.start + 1, indent, param: param.name, async: !!fn.async };
}
