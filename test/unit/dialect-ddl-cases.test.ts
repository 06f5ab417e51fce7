/** Every MySQL and SQLite case of shared/ddl-cases yields the facts listed for it in expected.json. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSqlFile } from '../../server/src/sources/sql/read';
import { DDL_CASES, ddlCasesSkip } from '../support/corpus';
import { factsOf, matches, type Fact } from '../support/facts';

const dir = DDL_CASES;
const expected = ddlCasesSkip ? {} : (JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, Fact[]>);

describe('MySQL and SQLite DDL cases (ddl-cases)', { skip: ddlCasesSkip }, () => {
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
});
