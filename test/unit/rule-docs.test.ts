/** Every rule has a page; every page's bad example makes its rule fire and its good example does not; the config schema is current. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { RULES } from '../../server/src/analysis/rules/index';
import { configSchema } from '../../server/src/config/schema';
import { check, ruleDocs, rulesOf } from '../support/rules';

before(async () => {
  await initPostgresParser();
});

test('every registered rule has exactly one page, and every page is a registered rule', () => {
  const pages = ruleDocs().map((d) => d.id).sort();
  assert.deepEqual(pages, RULES.map((r) => r.id).sort());
  const index = readFileSync(resolve(__dirname, '../../../docs/rules/README.md'), 'utf8');
  for (const rule of RULES) assert.match(index, new RegExp(`\\[${rule.id}\\]\\(${rule.id}\\.md\\)`), `README lists ${rule.id}`);
});

for (const doc of ruleDocs()) {
  test(`docs/rules/${doc.id}.md: the bad example fires ${doc.id}, the good one does not`, () => {
    for (const section of ['## Why it matters', '## Bad example', '## Good example', '## How to fix', '## When to turn it off']) {
      assert.ok(doc.text.includes(section), `${doc.id}.md has "${section}"`);
    }
    const bad = check(Object.fromEntries(doc.bad.files), doc.config);
    assert.ok(rulesOf(bad).includes(doc.id), `bad example: ${JSON.stringify(bad.map((f) => [f.rule, f.message]))}`);
    const good = check(Object.fromEntries(doc.good.files), doc.config);
    assert.ok(!rulesOf(good).includes(doc.id), `good example: ${JSON.stringify(good.filter((f) => f.rule === doc.id).map((f) => f.message))}`);
  });
}

test('schemas/fklens.schema.json is what the registry generates (run npm run config-schema)', () => {
  const file = JSON.parse(readFileSync(resolve(__dirname, '../../../schemas/fklens.schema.json'), 'utf8'));
  assert.deepEqual(file, configSchema());
});

test('package.json contributes the schema for .fklens.json and the fklens.* settings the server reads', () => {
  const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../../package.json'), 'utf8'));
  assert.deepEqual(pkg.contributes.jsonValidation, [{ fileMatch: '.fklens.json', url: './schemas/fklens.schema.json' }]);
  for (const key of ['fklens.rules', 'fklens.protectedTables', 'fklens.checkFrom', 'fklens.docsBaseUrl', 'fklens.migrations.include']) {
    assert.ok(pkg.contributes.configuration.properties[key], key);
  }
});
