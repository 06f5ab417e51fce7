/** Every PostgreSQL case of shared/ddl-cases yields the facts listed for it in expected.json. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initPostgresParser, readPostgres } from '../../server/src/sources/sql/postgres';
import { upSection } from '../../server/src/sources/migrationFile';
import { DDL_CASES, ddlCasesSkip } from '../support/corpus';
import { factsOf, matches, type Fact } from '../support/facts';

const dir = DDL_CASES;
const expected = ddlCasesSkip ? {} : (JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, Fact[]>);

describe('PostgreSQL DDL cases (ddl-cases)', { skip: ddlCasesSkip }, () => {
  for (const [name, facts] of Object.entries(expected).filter(([n]) => n.startsWith('pg'))) {
    test(`ddl case ${name}`, async () => {
      await initPostgresParser();
      const text = readFileSync(join(dir, `${name}.sql`), 'utf8');
      const source = readPostgres(`${name}.sql`, upSection(text));
      const actual = factsOf(source);
      const missing = facts.filter((f) => !actual.some((a) => matches(f, a)));
      assert.deepEqual(missing, [], `facts not extracted from ${name}.sql`);
    });
  }
});
