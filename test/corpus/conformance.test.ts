/**
 * The model agrees with PostgreSQL's own catalog: for every PostgreSQL source of the corpus, the FKs
 * FK Lens reads from the files alone (no flags) are exactly the FKs pg_constraint held after applying them.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { modelJson, type ForeignKeyJson } from '../../server/src/model/json';
import { openWorkspace } from '../../server/src/workspace/open';
import { corpusSkip, postgresSources, type TruthForeignKey } from '../support/corpus';
import { stopTruthServer, truthOf } from '../support/pgTruth';

const keyOf = (schema: string, table: string, columns: string[], refSchema: string, refTable: string, refColumns: string[]) =>
  `${schema}.${table}(${columns.join(',')}) -> ${refSchema}.${refTable}(${refColumns.join(',')})`;
const truthKey = (t: TruthForeignKey) => keyOf(t.schema, t.child_table, t.child_columns, t.parent_schema ?? t.schema, t.parent_table, t.parent_columns);
const modelKey = (f: ForeignKeyJson) => keyOf(f.schema, f.table, f.columns, f.refSchema, f.refTable, f.refColumns);

describe('corpus conformance with PostgreSQL', { skip: corpusSkip() }, () => {
  after(stopTruthServer);

  for (const source of postgresSources()) {
    test(`corpus ${source.id}: the model's foreign keys equal PostgreSQL's`, async () => {
      const workspace = await openWorkspace(source.dir);
      const model = modelJson(workspace.model());
      const sourceTruth = await truthOf(source);
      const truth = new Map(sourceTruth.foreign_keys.map((t) => [truthKey(t), t]));
      const ours = new Map(model.foreignKeys.map((f) => [modelKey(f), f]));
      const missing = [...truth.keys()].filter((k) => !ours.has(k));
      const extra = [...ours.keys()].filter((k) => !truth.has(k));
      assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, 'same set of foreign keys');
      const differences: string[] = [];
      for (const [key, t] of truth) {
        const f = ours.get(key)!;
        const expect = { onDelete: t.on_delete, onUpdate: t.on_update, deferrable: t.deferrable, initiallyDeferred: t.initially_deferred, validated: t.validated, indexed: t.indexed_usable };
        const actual = { onDelete: f.onDelete, onUpdate: f.onUpdate, deferrable: f.deferrable, initiallyDeferred: f.initiallyDeferred, validated: f.validated, indexed: f.indexed };
        for (const field of Object.keys(expect) as (keyof typeof expect)[]) {
          if (expect[field] !== actual[field]) differences.push(`${key}: ${field} is ${actual[field]}, PostgreSQL says ${expect[field]}`);
        }
      }
      assert.deepEqual(differences, []);
      assert.equal(model.foreignKeys.length, sourceTruth.foreign_keys.length);
    });
  }

  for (const source of postgresSources()) {
    test(`corpus ${source.id}: FK columns have PostgreSQL's type, NOT NULL and default`, async () => {
      const workspace = await openWorkspace(source.dir);
      const model = modelJson(workspace.model());
      const tables = new Map(model.tables.map((t) => [`${t.schema}.${t.name}`, t]));
      const differences: string[] = [];
      let compared = 0;
      for (const [table, columns] of Object.entries((await truthOf(source)).fk_columns)) {
        for (const [name, truth] of Object.entries(columns)) {
          const column = tables.get(table)?.columns.find((c) => c.name === name);
          if (!column) {
            differences.push(`${table}.${name}: missing`);
            continue;
          }
          compared++;
          if (column.type !== truth.type) differences.push(`${table}.${name}: type ${column.type}, PostgreSQL says ${truth.type}`);
          if (column.notNull !== truth.not_null) differences.push(`${table}.${name}: notNull ${column.notNull}, PostgreSQL says ${truth.not_null}`);
          if ((column.default !== null) !== (truth.default !== null)) differences.push(`${table}.${name}: default ${column.default}, PostgreSQL says ${truth.default}`);
        }
      }
      assert.deepEqual(differences, []);
      assert.ok(compared > 0);
    });
  }
});
