/**
 * fk-missing-index against PostgreSQL's truth: on every PostgreSQL source of the corpus, the rule fires on exactly
 * the foreign keys whose truth says no index is usable (indexed_usable: false), none missed, none extra. In a
 * Prisma project the schema's prisma-missing-index reports the FKs its relations declare (the migrations' finding
 * is left out for those); together they cover the same set, once each.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import { prismaFindings } from '../../server/src/analysis/prisma';
import { openWorkspace } from '../../server/src/workspace/open';
import { corpusSkip, postgresSources, type TruthForeignKey } from '../support/corpus';
import { stopTruthServer, truthOf } from '../support/pgTruth';

const keyOf = (schema: string, table: string, columns: string[]) => `${schema}.${table}(${columns.join(',')})`;

describe('fk-missing-index against PostgreSQL on the corpus', { skip: corpusSkip() }, () => {
  after(stopTruthServer);

  for (const source of postgresSources()) {
    test(`corpus ${source.id}: fk-missing-index fires on exactly the FKs PostgreSQL has no usable index for`, async () => {
      const workspace = await openWorkspace(source.dir);
      const { findings } = analyze(workspace.model(), { rules: {}, protectedTables: [] });
      const migrationsOnly = analyze(workspace.model(), { rules: { 'prisma-missing-index': { severity: 'off' } }, protectedTables: [] }).findings;
      const model = workspace.model();
      const fired = findings.filter((f) => f.rule === 'fk-missing-index');
      assert.ok(fired.every((f) => f.fk), 'every finding names its foreign key');
      const inSchema = findings.filter((f) => f.rule === 'prisma-missing-index');
      assert.ok(inSchema.every((f) => f.fk), 'every Prisma finding names its foreign key too');
      // The fk field of a Prisma finding is the FK its relation declares: the same as the relation says.
      const relations = prismaFindings(model).filter((p) => p.rule === 'prisma-missing-index' && p.migratedHistory !== undefined);
      for (const f of inSchema) {
        const p = relations.find((r) => r.file === f.file && r.span.start === f.span.start && r.span.end === f.span.end);
        if (p?.relation) assert.deepEqual([f.fk!.table, f.fk!.columns, f.fk!.refTable], [p.relation.model.table, p.relation.columns, p.relation.target.table]);
      }
      const schemaKeys = inSchema.map((f) => `${keyOf(f.fk!.schema, f.fk!.table, f.fk!.columns)} -> ${f.fk!.refTable}`);
      const ours = [...fired.map((f) => `${keyOf(f.fk!.schema, f.fk!.table, f.fk!.columns)} -> ${f.fk!.refTable}`), ...schemaKeys].sort();
      const truth = (await truthOf(source)).foreign_keys
        .filter((t: TruthForeignKey) => !t.indexed_usable)
        .map((t) => `${keyOf(t.schema, t.child_table, t.child_columns)} -> ${t.parent_table}`)
        .sort();
      // Every unindexed FK is reported once, by the schema or by the migrations, and nothing else: a relation whose
      // FK the migrations dropped scans nothing (prisma-drift reports it).
      assert.deepEqual(truth.filter((t) => !ours.includes(t)), [], 'unindexed FKs nobody reports');
      assert.deepEqual(ours.filter((k) => !truth.includes(k)), [], 'missing-index findings on FKs PostgreSQL has an index for, or does not have');
      assert.deepEqual(ours, truth);
      assert.equal(new Set(ours).size, ours.length, 'one finding per foreign key');
      // With the Prisma rule off, the migrations report every one of them themselves.
      const alone = migrationsOnly.filter((f) => f.rule === 'fk-missing-index').map((f) => `${keyOf(f.fk!.schema, f.fk!.table, f.fk!.columns)} -> ${f.fk!.refTable}`).sort();
      assert.deepEqual(alone, truth);
    });
  }
});
