/**
 * Prisma corpus projects: each schema.prisma read alone (the schema-only model) against the truth
 * PostgreSQL built from the migration SQL Prisma generated for it, FK for FK (name, columns, target,
 * actions, index usability, FK column types); and the drift FK Lens reports between schema and migrations.
 *
 * Measured (and pinned here, so a change shows): hoppscotch 22 = 22 and langfuse 108 = 108 FKs, no drift.
 * trigger.dev: the schema gives 165 FKs (157 relations with `fields:` + 4 implicit many-to-many join
 * tables x 2); its migrations leave 135, all 135 equal to the schema's; the other 30 (28 relation FKs and
 * 2 join-table `_B_fkey`s) were dropped by hand-written "run-ops split" migrations, and one table
 * (triggerdotdev_events.run_executions) is created by raw SQL and mapped by no model.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prismaFindings } from '../../server/src/analysis/prisma';
import { modelJson, type ForeignKeyJson } from '../../server/src/model/json';
import { openWorkspace } from '../../server/src/workspace/open';
import { Workspace } from '../../server/src/workspace/workspace';
import { CORPUS, corpusSkip, postgresSources, type PgTruth, type TruthForeignKey } from '../support/corpus';
import { stopTruthServer, truthOf as sourceTruth } from '../support/pgTruth';

interface Case {
  id: string;
  schema: string;
  fks: number;
  /** FKs the schema declares that the migrated database does not have. */
  notMigrated: number;
  tablesOnlyMigrated: string[];
}

const CASES: Case[] = [
  { id: 'hoppscotch-prisma', schema: 'packages/hoppscotch-backend/prisma/schema.prisma', fks: 22, notMigrated: 0, tablesOnlyMigrated: [] },
  { id: 'langfuse-prisma', schema: 'packages/shared/prisma/schema.prisma', fks: 108, notMigrated: 0, tablesOnlyMigrated: [] },
  { id: 'triggerdev-prisma', schema: 'internal-packages/database/prisma/schema.prisma', fks: 165, notMigrated: 30, tablesOnlyMigrated: ['triggerdotdev_events.run_executions'] },
];

const keyOf = (table: string, columns: string[], refTable: string, refColumns: string[]) => `${table}(${columns.join(',')}) -> ${refTable}(${refColumns.join(',')})`;
const truthKey = (t: TruthForeignKey) => keyOf(`${t.schema}.${t.child_table}`, t.child_columns, `${t.parent_schema ?? t.schema}.${t.parent_table}`, t.parent_columns);
const modelKey = (f: ForeignKeyJson) => keyOf(`${f.schema}.${f.table}`, f.columns, `${f.refSchema}.${f.refTable}`, f.refColumns);

/** The PostgreSQL truth its migrations built (stored in the corpus, or computed). */
function truthOf(id: string): Promise<PgTruth> {
  return sourceTruth(postgresSources().find((s) => s.id === id)!);
}

function schemaOnly(c: Case) {
  const ws = new Workspace();
  ws.setFile('schema.prisma', readFileSync(join(CORPUS, c.id, 'files', c.schema), 'utf8'));
  return { ws, model: ws.model() };
}

describe('Prisma corpus: the schema-only model against the database its migrations built', { skip: corpusSkip(...CASES.map((c) => c.id)) }, () => {
  after(stopTruthServer);
  for (const c of CASES) {
    test(`${c.id}: every migrated FK is the schema's, with the same name, actions and index; the rest is drift`, async () => {
      const { model } = schemaOnly(c);
      const problems = [...[...model.sources.values()].flatMap((s) => s.problems), ...model.histories.flatMap((h) => h.problems)];
      assert.deepEqual(problems.map((p) => p.message), [], 'the schema reads without problems');
      const json = modelJson(model);
      assert.equal(json.foreignKeys.length, c.fks);
      const truth = await truthOf(c.id);
      const ours = new Map(json.foreignKeys.map((f) => [modelKey(f), f]));
      const differences: string[] = [];
      for (const t of truth.foreign_keys) {
        const f = ours.get(truthKey(t));
        if (!f) {
          differences.push(`${truthKey(t)}: migrated, not in the schema`);
          continue;
        }
        const expect = { name: t.name, onDelete: t.on_delete, onUpdate: t.on_update, deferrable: t.deferrable, validated: t.validated, indexed: t.indexed_usable };
        const actual = { name: f.name, onDelete: f.onDelete, onUpdate: f.onUpdate, deferrable: f.deferrable, validated: f.validated, indexed: f.indexed };
        for (const field of Object.keys(expect) as (keyof typeof expect)[]) {
          if (expect[field] !== actual[field]) differences.push(`${truthKey(t)}: ${field} is ${actual[field]}, PostgreSQL says ${expect[field]}`);
        }
      }
      assert.deepEqual(differences, []);
      assert.equal(json.foreignKeys.length - truth.foreign_keys.length, c.notMigrated);
    });

    test(`${c.id}: FK columns of the schema-only model have PostgreSQL's type, NOT NULL and default`, async () => {
      const json = modelJson(schemaOnly(c).model);
      const tables = new Map(json.tables.map((t) => [`${t.schema}.${t.name}`, t]));
      const differences: string[] = [];
      let compared = 0;
      for (const [table, columns] of Object.entries((await truthOf(c.id)).fk_columns)) {
        for (const [name, truth] of Object.entries(columns)) {
          const column = tables.get(table)?.columns.find((x) => x.name === name);
          if (!column) {
            differences.push(`${table}.${name}: missing`);
            continue;
          }
          compared++;
          if (column.type !== truth.type) differences.push(`${table}.${name}: type ${column.type}, PostgreSQL says ${truth.type}`);
          if (column.notNull !== truth.not_null) differences.push(`${table}.${name}: notNull ${column.notNull}, PostgreSQL says ${truth.not_null}`);
          if ((column.default != null) !== (truth.default !== null)) differences.push(`${table}.${name}: default ${column.default}, PostgreSQL says ${truth.default}`);
        }
      }
      assert.deepEqual(differences, []);
      assert.ok(compared > 0);
    });

    test(`${c.id}: prisma-drift reports exactly the FKs the migrations do not have, and prisma-missing-index every unindexed schema FK`, async () => {
      const ws = await openWorkspace(join(CORPUS, c.id, 'files'));
      const model = ws.model();
      const findings = prismaFindings(model);
      const driftFindings = findings.filter((f) => f.rule === 'prisma-drift');
      const notMigrated = driftFindings.filter((f) => /the database has no foreign key/.test(f.message));
      const onlyMigratedTables = driftFindings.filter((f) => /which no model of the schema maps to/.test(f.message));
      assert.equal(notMigrated.length, c.notMigrated);
      assert.deepEqual(onlyMigratedTables.map((f) => /create table ([\w.]+)/.exec(f.message)![1]), c.tablesOnlyMigrated);
      assert.equal(driftFindings.length, notMigrated.length + onlyMigratedTables.length, driftFindings.map((f) => f.message).join('\n'));
      // Each not-migrated FK lands on the @relation (or the join table's list field) in schema.prisma.
      const schemaText = readFileSync(join(CORPUS, c.id, 'files', c.schema), 'utf8');
      for (const f of notMigrated) {
        assert.ok(f.file.endsWith('schema.prisma'));
        assert.match(schemaText.slice(f.span.start, f.span.end), /^(@relation\(|\w+\s+\w+\[\])/);
      }
      // The companion schema's unindexed real FKs, minus the join tables' (indexed by Prisma), are the missing-index
      // findings; of those, only the ones the migrated database has (an FK the migrations dropped scans nothing: drift).
      const companion = model.companions!.find((h) => h.history.tool === 'prisma-schema')!;
      const schemaJson = modelJson({ histories: [companion], sources: model.sources });
      const migrated = new Set(modelJson(model).foreignKeys.map((f) => `${f.schema}.${f.table}(${f.columns.join(',')})`));
      const unindexed = schemaJson.foreignKeys.filter((f) => !f.indexed);
      const missingIndex = findings.filter((f) => f.rule === 'prisma-missing-index');
      assert.equal(missingIndex.length, unindexed.filter((f) => migrated.has(`${f.schema}.${f.table}(${f.columns.join(',')})`)).length);
      assert.ok(missingIndex.every((f) => f.fk && migrated.has(`${f.fk.schema}.${f.fk.table}(${f.fk.columns.join(',')})`)));
      // The model stays the migrations': the corpus conformance test holds with the schema present.
      assert.equal(modelJson(model).foreignKeys.length, (await truthOf(c.id)).foreign_keys.length);
    });
  }
});
