/**
 * Where the tests find the real-project corpus and the DDL cases: one setting each, never a hard-coded path.
 *
 *   FKLENS_CORPUS     the corpus folder (one folder per source, as `npm run corpus` writes it). Default:
 *                     ../shared/corpus beside the checkout (where CI has it), else ../fklens-corpus (where
 *                     `npm run corpus` puts it).
 *   FKLENS_DDL_CASES  the DDL cases folder. Default: ../shared/ddl-cases beside the checkout.
 *
 * When a folder is absent, the suites that need it are skipped with one line saying what and how to get it:
 * pass `corpusSkip(...)` / `ddlCasesSkip` as node:test's `skip` option of the suite.
 *
 * The sources themselves are described by test/corpus/sources.json (repository, commit, files, license, and
 * how PostgreSQL applies them); the PostgreSQL truth is the source's truth.json when the corpus has one,
 * else computed by applying the files to a throw-away PostgreSQL (./pgTruth.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../../..');

function setting(variable: string, defaults: string[]): string {
  const value = process.env[variable];
  if (value) return resolve(value);
  return defaults.find((d) => existsSync(d)) ?? defaults[0];
}

export const CORPUS = setting('FKLENS_CORPUS', [resolve(REPO, '../shared/corpus'), resolve(REPO, '../fklens-corpus')]);
export const DDL_CASES = setting('FKLENS_DDL_CASES', [resolve(REPO, '../shared/ddl-cases')]);
/** @deprecated the folder holding the DDL cases; use CORPUS and DDL_CASES. */
export const SHARED = dirname(DDL_CASES);

const HOW_CORPUS = 'run `npm run corpus` to fetch it (into ../fklens-corpus) or set FKLENS_CORPUS';

/**
 * node:test's `skip` for a suite that reads the corpus (or the given sources of it): false when present, else
 * the reason, one line.
 */
export function corpusSkip(...ids: string[]): false | string {
  if (!existsSync(CORPUS)) return `the real-project corpus is not at ${CORPUS}: ${HOW_CORPUS}`;
  const missing = ids.filter((id) => !existsSync(join(CORPUS, id)));
  return missing.length ? `corpus source(s) ${missing.join(', ')} not in ${CORPUS}: ${HOW_CORPUS}` : false;
}

/** node:test's `skip` for a suite that reads the DDL cases. */
export const ddlCasesSkip: false | string = existsSync(join(DDL_CASES, 'expected.json'))
  ? false
  : `the DDL cases are not at ${DDL_CASES}: they come with the shared evaluation folder (../shared/ddl-cases); set FKLENS_DDL_CASES to their folder`;

// ---------------------------------------------------------------------------------------------------------
// The sources (test/corpus/sources.json)

export interface CorpusSource {
  id: string;
  repository: string;
  commit: string;
  license: { spdx: string; file: string };
  kind: string;
  dialect: string;
  /** Folder in the repository -> file paths under it. They are at `<id>/files/<folder>/<path>`. */
  files: Record<string, string[]>;
  variants?: Record<string, Record<string, string[]>>;
  /** How PostgreSQL builds the truth: `<id>/`-relative globs applied in path order, after `prelude`. */
  postgres?: { apply: string[]; prelude?: string };
  /** A Rails app whose truth Active Record made by loading this `schema.rb` into PostgreSQL (its truth.json; not computed). */
  activerecord?: { schema: string };
  sha256: string;
}

export const SOURCES_FILE = join(REPO, 'test/corpus/sources.json');

export function corpusSources(): CorpusSource[] {
  return (JSON.parse(readFileSync(SOURCES_FILE, 'utf8')) as { sources: CorpusSource[] }).sources;
}

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

export interface PgTruth {
  foreign_keys: TruthForeignKey[];
  fk_columns: Record<string, Record<string, { type: string; not_null: boolean; default: string | null }>>;
}

export interface PostgresSource {
  id: string;
  /** Its files folder (what the model is read from). */
  dir: string;
  source: CorpusSource;
  /** The corpus's truth.json, when it has one (else the truth is computed: pgTruth.ts). */
  storedTruth?: PgTruth;
}

/**
 * The corpus sources whose truth comes from PostgreSQL and that are present in CORPUS. A Rails source counts when
 * the corpus holds its truth.json (Active Record made it; the tests do not compute it).
 */
export function postgresSources(): PostgresSource[] {
  return corpusSources()
    .filter((s) => (s.postgres || (s.activerecord && existsSync(join(CORPUS, s.id, 'truth.json')))) && existsSync(join(CORPUS, s.id, 'files')))
    .map((s) => {
      const truthFile = join(CORPUS, s.id, 'truth.json');
      return {
        id: s.id,
        dir: join(CORPUS, s.id, 'files'),
        source: s,
        storedTruth: existsSync(truthFile) ? (JSON.parse(readFileSync(truthFile, 'utf8')) as PgTruth) : undefined,
      };
    });
}

/** A stored engine truth (MariaDB, SQLite, or a Prisma source's PostgreSQL truth) of the corpus, or why it is not there. */
export function storedTruth<T>(path: string): { truth: T; skip: false } | { truth: undefined; skip: string } {
  const file = join(CORPUS, path);
  if (existsSync(file)) return { truth: JSON.parse(readFileSync(file, 'utf8')) as T, skip: false };
  return {
    truth: undefined,
    skip: corpusSkip() || `${path} is not in ${CORPUS}: this truth comes from an engine the tests do not start (the shared corpus has it)`,
  };
}
