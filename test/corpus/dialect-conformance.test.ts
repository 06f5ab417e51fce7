/**
 * The model agrees with MariaDB (InnoDB) and SQLite themselves: for the MySQL and SQLite sources of the corpus,
 * the FKs FK Lens reads from the files alone (no flags: the dialect is found from names, folders and content)
 * are exactly the FKs the engine reported after loading them, with the same actions and index coverage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { modelJson, type ForeignKeyJson } from '../../server/src/model/json';
import { dialectPolicy } from '../../server/src/model/dialect';
import { openWorkspace } from '../../server/src/workspace/open';
import { CORPUS, storedTruth } from '../support/corpus';

interface EngineTruthForeignKey {
  schema: string;
  name: string | null;
  child_schema?: string;
  child_table: string;
  child_columns: string[];
  parent_schema?: string;
  parent_table: string;
  parent_columns: string[];
  on_delete: string;
  on_update: string;
  indexed: boolean;
}

const SOURCES: { id: string; dir: string; truth: string; dialect: 'mysql' | 'sqlite' }[] = [
  { id: 'sakila-mysql', dir: 'sakila-mysql/files', truth: 'sakila-mysql/truth.json', dialect: 'mysql' },
  { id: 'sakila-sqlite', dir: 'sakila-sqlite/files', truth: 'sakila-sqlite/truth.json', dialect: 'sqlite' },
  { id: 'hydra-migrations mysql', dir: 'hydra-migrations/variants/mysql', truth: 'hydra-migrations/variants/mysql/truth.mysql.json', dialect: 'mysql' },
  { id: 'hydra-migrations sqlite', dir: 'hydra-migrations/variants/sqlite', truth: 'hydra-migrations/variants/sqlite/truth.sqlite.json', dialect: 'sqlite' },
];

const keyOf = (schema: string, table: string, columns: string[], refSchema: string, refTable: string, refColumns: string[]) =>
  `${schema}.${table}(${columns.join(',')}) -> ${refSchema}.${refTable}(${refColumns.join(',')})`;

for (const source of SOURCES) {
  // MariaDB is not started by the tests; the truth files of the shared corpus hold what it reported.
  const stored = storedTruth<{ foreign_keys: EngineTruthForeignKey[] }>(source.truth);
  test(`corpus ${source.id}: the model's foreign keys equal ${source.dialect === 'mysql' ? 'MariaDB' : 'SQLite'}'s`, { skip: stored.skip }, async () => {
    const truth = stored.truth!;
    const workspace = await openWorkspace(join(CORPUS, source.dir));
    const model = workspace.model();
    assert.deepEqual(model.histories.map((h) => h.history.dialect), [source.dialect], 'one history, dialect found from the files');
    const json = modelJson(model);
    // The truth's scratch database (`truth_<id>`) is the connection's default database: the model's default schema.
    const defaultSchema = dialectPolicy(source.dialect).defaultSchema;
    const schemaOf = (s: string | undefined) => (!s || s.startsWith('truth_') ? defaultSchema : s);
    const truthKey = (t: EngineTruthForeignKey) => keyOf(schemaOf(t.child_schema ?? t.schema), t.child_table, t.child_columns, schemaOf(t.parent_schema ?? t.child_schema ?? t.schema), t.parent_table, t.parent_columns);
    const modelKey = (f: ForeignKeyJson) => keyOf(f.schema, f.table, f.columns, f.refSchema, f.refTable, f.refColumns);
    const expected = new Map(truth.foreign_keys.map((t) => [truthKey(t), t]));
    const ours = new Map(json.foreignKeys.map((f) => [modelKey(f), f]));
    const missing = [...expected.keys()].filter((k) => !ours.has(k));
    const extra = [...ours.keys()].filter((k) => !expected.has(k));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, 'same set of foreign keys');
    const differences: string[] = [];
    for (const [key, t] of expected) {
      const f = ours.get(key)!;
      const want = { onDelete: t.on_delete, onUpdate: t.on_update, indexed: t.indexed, ...(t.name ? { name: t.name } : {}) };
      const got = { onDelete: f.onDelete, onUpdate: f.onUpdate, indexed: f.indexed, ...(t.name ? { name: f.name } : {}) };
      for (const field of Object.keys(want) as (keyof typeof want)[]) {
        if (want[field] !== got[field]) differences.push(`${key}: ${field} is ${got[field]}, the engine says ${want[field]}`);
      }
    }
    assert.deepEqual(differences, []);
    assert.equal(json.foreignKeys.length, truth.foreign_keys.length);
    const syntaxErrors = [...model.sources.values()].flatMap((s) => s.problems.filter((p) => p.code === 'syntax-error').map((p) => `${s.path}: ${p.message}`));
    assert.deepEqual(syntaxErrors, [], 'the corpus is valid SQL for its engine');
  });
}
