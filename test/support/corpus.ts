/** Where the shared evaluation corpus lives, and its truth files (read-only). */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SHARED = [resolve(__dirname, '../../../../shared'), resolve(__dirname, '../../../shared'), resolve(process.cwd(), '../shared')].find(
  (p) => existsSync(join(p, 'corpus')),
) ?? resolve(process.cwd(), '../shared');
export const CORPUS = join(SHARED, 'corpus');

export interface TruthForeignKey {
  schema: string;
  name: string;
  child_table: string;
  child_columns: string[];
  parent_schema?: string;
  parent_table: string;
  parent_columns: string[];
  on_delete: string;
  on_update: string;
  deferrable: boolean;
  initially_deferred: boolean;
  validated: boolean;
  indexed_usable: boolean;
  indexed_usable_by: string[];
}

export interface PostgresSource {
  id: string;
  dir: string;
  truth: { foreign_keys: TruthForeignKey[]; fk_columns: Record<string, Record<string, { type: string; not_null: boolean; default: string | null }>> };
}

/** Every corpus source whose truth comes from PostgreSQL. */
export function postgresSources(): PostgresSource[] {
  const index = JSON.parse(readFileSync(join(CORPUS, 'INDEX.json'), 'utf8')) as { sources: { id: string; pg_truth: { status: string } | null }[] };
  return index.sources
    .filter((s) => s.pg_truth?.status === 'ok')
    .map((s) => ({ id: s.id, dir: join(CORPUS, s.id, 'files'), truth: JSON.parse(readFileSync(join(CORPUS, s.id, 'truth.json'), 'utf8')) }));
}
