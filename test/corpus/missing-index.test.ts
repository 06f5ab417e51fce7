/**
 * fk-missing-index against PostgreSQL's truth: on every PostgreSQL source of the corpus, the rule fires on exactly
 * the foreign keys whose truth says no index is usable (indexed_usable: false), none missed, none extra.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import { openWorkspace } from '../../server/src/workspace/open';
import { postgresSources, type TruthForeignKey } from '../support/corpus';

const keyOf = (schema: string, table: string, columns: string[]) => `${schema}.${table}(${columns.join(',')})`;

for (const source of postgresSources()) {
  test(`corpus ${source.id}: fk-missing-index fires on exactly the FKs PostgreSQL has no usable index for`, async () => {
    const workspace = await openWorkspace(source.dir);
    const { findings } = analyze(workspace.model(), { rules: {}, protectedTables: [] });
    const fired = findings.filter((f) => f.rule === 'fk-missing-index');
    assert.ok(fired.every((f) => f.fk), 'every finding names its foreign key');
    const ours = fired.map((f) => `${keyOf(f.fk!.schema, f.fk!.table, f.fk!.columns)} -> ${f.fk!.refTable}`).sort();
    const truth = source.truth.foreign_keys
      .filter((t: TruthForeignKey) => !t.indexed_usable)
      .map((t) => `${keyOf(t.schema, t.child_table, t.child_columns)} -> ${t.parent_table}`)
      .sort();
    assert.deepEqual(ours, truth);
    assert.equal(new Set(ours).size, ours.length, 'one finding per foreign key');
  });
}
