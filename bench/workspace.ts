/**
 * Generates the large benchmark workspace: the corpus's PostgreSQL schema dumps copied into many
 * PostgreSQL schemas (`copy_01`, `copy_02`, ...), one numbered migration file per copy, in one history.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS } from '../test/support/corpus';

const DUMPS = ['pagila/files/pagila-schema.sql', 'danbooru-structure/files/db/structure.sql'];

export function generateBenchWorkspace(dir: string, copies = 25): { files: number; bytes: number } {
  rmSync(dir, { recursive: true, force: true });
  const folder = join(dir, 'db', 'schema');
  mkdirSync(folder, { recursive: true });
  const dumps = DUMPS.map((d) => readFileSync(join(CORPUS, d), 'utf8'));
  let bytes = 0;
  for (let i = 1; i <= copies; i++) {
    const schema = `copy_${String(i).padStart(2, '0')}`;
    const body = dumps.map((d) => d.replace(/\bpublic\./g, `${schema}.`).replace(/SCHEMA public\b/g, `SCHEMA ${schema}`)).join('\n');
    const text = `CREATE SCHEMA ${schema};\n${body}`;
    writeFileSync(join(folder, `${String(i).padStart(3, '0')}_${schema}.sql`), text);
    bytes += Buffer.byteLength(text);
  }
  return { files: copies, bytes };
}
