/**
 * The truth the tests compute by applying a source's files to PostgreSQL (support/pgTruth.ts, used when the
 * corpus was fetched with `npm run corpus` and has no truth files) equals the truth stored in the shared
 * corpus, field for field: so the conformance tests judge the model the same way with either corpus.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusSkip, postgresSources, type PgTruth, type TruthForeignKey } from '../support/corpus';
import { computePgTruth, stopTruthServer } from '../support/pgTruth';

// A Rails source's truth comes from Active Record (test/pg/rails-schema.test.ts loads it for real), not from SQL files.
const withStored = postgresSources().filter((s) => s.storedTruth && s.source.postgres);
const skip = corpusSkip() || (withStored.length ? false : 'the corpus has no stored truth.json to compare the computed truth with (a fetched corpus: the conformance tests use the computed truth)');

const fkKey = (t: TruthForeignKey) => `${t.schema}.${t.child_table}(${t.child_columns}) -> ${t.parent_schema ?? t.schema}.${t.parent_table}(${t.parent_columns})`;
const fkFacts = (t: TruthForeignKey) => ({
  name: t.name,
  on_delete: t.on_delete,
  on_update: t.on_update,
  deferrable: t.deferrable,
  initially_deferred: t.initially_deferred,
  validated: t.validated,
  indexed_usable: t.indexed_usable,
  indexed_usable_by: [...t.indexed_usable_by].sort(),
});
const columnFacts = (truth: PgTruth) =>
  Object.fromEntries(
    Object.entries(truth.fk_columns).flatMap(([table, columns]) =>
      Object.entries(columns).map(([name, c]) => [`${table}.${name}`, { type: c.type, not_null: c.not_null, default: c.default }]),
    ),
  );

describe('the computed PostgreSQL truth equals the stored one', { skip }, () => {
  after(stopTruthServer);
  for (const source of withStored) {
    test(`corpus ${source.id}: foreign keys, index usability and FK columns as stored in truth.json`, async () => {
      const computed = await computePgTruth(source);
      const stored = source.storedTruth!;
      const mine = new Map(computed.foreign_keys.map((t) => [fkKey(t), fkFacts(t)]));
      const theirs = new Map(stored.foreign_keys.map((t) => [fkKey(t), fkFacts(t)]));
      assert.deepEqual([...mine.keys()].sort(), [...theirs.keys()].sort(), 'the same foreign keys');
      for (const [key, facts] of theirs) assert.deepEqual(mine.get(key), facts, key);
      assert.deepEqual(columnFacts(computed), columnFacts(stored));
      assert.ok(computed.foreign_keys.length > 0);
    });
  }
});
