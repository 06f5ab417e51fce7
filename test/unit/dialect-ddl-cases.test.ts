/** Every MySQL and SQLite case of shared/ddl-cases yields the facts listed for it in expected.json. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSqlFile } from '../../server/src/sources/sql/read';
import { SHARED } from '../support/corpus';
import { factsOf, matches, type Fact } from '../support/facts';

const dir = join(SHARED, 'ddl-cases');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, Fact[]>;

for (const [name, facts] of Object.entries(expected).filter(([n]) => n.startsWith('my') || n.startsWith('sq'))) {
  test(`ddl case ${name}`, () => {
    const text = readFileSync(join(dir, `${name}.sql`), 'utf8');
    const source = readSqlFile(`${name}.sql`, text, 'schema', name.startsWith('my') ? 'mysql' : 'sqlite');
    assert.equal(source.dialect, name.startsWith('my') ? 'mysql' : 'sqlite');
    assert.deepEqual(source.problems, [], `no problems in ${name}.sql`);
    const actual = factsOf(source);
    const missing = facts.filter((f) => !actual.some((a) => matches(f, a)));
    assert.deepEqual(missing, [], `facts not extracted from ${name}.sql`);
  });
}
