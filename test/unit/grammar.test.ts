// The injection grammar (syntaxes/sql-in-js.tmLanguage.json) tokenized with vscode-textmate and Oniguruma, on
// top of the real JavaScript, TypeScript and SQL grammars VS Code uses (from tm-grammars): SQL scopes appear inside
// migration strings and `sql` templates, and nowhere else.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/jsTools';

/* eslint-disable @typescript-eslint/no-require-imports */
interface Token {
  startIndex: number;
  endIndex: number;
  scopes: string[];
}
interface Grammar {
  tokenizeLine(line: string, state: unknown): { tokens: Token[]; ruleStack: unknown };
}
const textmate = require('vscode-textmate') as {
  Registry: new (options: unknown) => { loadGrammar(scope: string): Promise<Grammar | null> };
  INITIAL: unknown;
};
const oniguruma = require('vscode-oniguruma') as {
  loadWASM(data: ArrayBuffer | Uint8Array): Promise<void>;
  OnigScanner: new (patterns: string[]) => unknown;
  OnigString: new (s: string) => unknown;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const root = repoRoot();
const HOSTS: Record<string, string> = {
  'source.js': 'javascript.json',
  'source.ts': 'typescript.json',
  'source.sql': 'sql.json',
};
const INJECTION = 'inline.fklens.sql';
let registry: InstanceType<typeof textmate.Registry>;

before(async () => {
  const wasm = readFileSync(join(root, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { grammars: { scopeName: string; path: string; injectTo: string[] }[] } };
  const contributed = manifest.contributes.grammars.find((g) => g.scopeName === INJECTION)!;
  registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope: string) => {
      if (scope === INJECTION) return JSON.parse(readFileSync(join(root, contributed.path), 'utf8'));
      const file = HOSTS[scope];
      return file ? JSON.parse(readFileSync(join(root, 'node_modules', 'tm-grammars', 'grammars', file), 'utf8')) : null;
    },
    getInjections: (scope: string) => (contributed.injectTo.includes(scope) ? [INJECTION] : undefined),
  });
});

/** Each token's text with whether it is SQL (embedded SQL scope and a scope from the SQL grammar). */
async function tokens(scope: string, source: string): Promise<{ text: string; sql: boolean; embedded: boolean }[]> {
  const grammar = await registry.loadGrammar(scope);
  assert.ok(grammar, scope);
  let state = textmate.INITIAL;
  const out: { text: string; sql: boolean; embedded: boolean }[] = [];
  for (const line of source.split('\n')) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      const embedded = t.scopes.includes('meta.embedded.block.sql') && !t.scopes.some((s) => s.startsWith('meta.template.expression'));
      out.push({ text: line.slice(t.startIndex, t.endIndex), embedded, sql: embedded && t.scopes.some((s) => s.endsWith('.sql') && s !== 'meta.embedded.block.sql') });
    }
    state = r.ruleStack;
  }
  return out;
}

const sqlWords = (list: { text: string; sql: boolean }[]) => list.filter((t) => t.sql).map((t) => t.text.trim()).filter(Boolean);
const embeddedText = (list: { text: string; embedded: boolean }[]) => list.filter((t) => t.embedded).map((t) => t.text).join('');

test('grammar: knex.raw, db.runSql and sql templates in JS hold SQL; other strings and code do not', async () => {
  const source = [
    "const label = 'CREATE TABLE not_sql';",
    'exports.up = async (knex) => {',
    "  await knex.raw('CREATE TABLE users (id int PRIMARY KEY)');",
    '  await db.runSql("ALTER TABLE users ADD COLUMN team_id int");',
    '  await sql`DROP INDEX ${name}`;',
    "  await knex.schema.createTable('select', (t) => t.integer('from'));",
    '};',
  ].join('\n');
  const list = await tokens('source.js', source);
  // Keywords as the SQL grammar scopes them (it leaves some, like PRIMARY KEY, unscoped).
  assert.deepEqual(sqlWords(list).filter((w) => /^[A-Z]+$/.test(w)), ['CREATE', 'TABLE', 'ALTER', 'TABLE', 'ADD', 'DROP', 'INDEX']);
  assert.equal(embeddedText(list), 'CREATE TABLE users (id int PRIMARY KEY)ALTER TABLE users ADD COLUMN team_id intDROP INDEX ');
  assert.ok(!list.some((t) => t.embedded && /not_sql|label|createTable|select|from|name/.test(t.text)), 'nothing outside the SQL strings (or inside ${}) is SQL');
});

test('grammar: TypeORM queryRunner.query templates in TypeScript hold SQL, ${} parts stay TypeScript', async () => {
  const source = [
    'export class AddUsers1700000000000 implements MigrationInterface {',
    '  public async up(queryRunner: QueryRunner): Promise<void> {',
    '    await queryRunner.query(`CREATE TABLE "user" ("id" SERIAL NOT NULL, "team" integer REFERENCES ${TEAM} (id))`);',
    '  }',
    '}',
  ].join('\n');
  const list = await tokens('source.ts', source);
  assert.deepEqual(sqlWords(list).filter((w) => /^[A-Z]+$/.test(w)), ['CREATE', 'TABLE', 'SERIAL', 'REFERENCES']);
  assert.equal(embeddedText(list), 'CREATE TABLE "user" ("id" SERIAL NOT NULL, "team" integer REFERENCES  (id))');
});
