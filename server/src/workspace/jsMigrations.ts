/**
 * JS / TS migration sets (knex, TypeORM, db-migrate, Sequelize, node scripts that run SQL strings): which
 * files count, how they group into histories and in which order each tool runs them.
 *
 * - A JS / TS file is a candidate when it is a knexfile, sits in a folder named `migration(s)` (at any depth),
 *   or its name starts with a timestamp of 12 or more digits (`20230101120000_users.js`, `1700000000000-Users.ts`).
 *   Other code in the workspace is never read.
 * - A knexfile's `migrations.directory` (default `migrations`) names a knex set: the files directly in those
 *   folders, sorted by file name as knex does; its `client` gives the dialect.
 * - A folder whose files declare TypeORM migration classes is a TypeORM set, ordered by the 13-digit timestamp
 *   at the end of each class name.
 * - Any other folder of JS migrations: semantic-version names (`2.1.9.js` before `2.1.85.js`) compare part by
 *   part; otherwise the leading number compares numerically, then the name.
 */
import { knexfileSettings, typeormTimestamp, type KnexfileSettings } from '../sources/js/facts';
import { isJsSource } from '../sources/js/read';
import { compareDigits, type History } from './discovery';

const KNEXFILE = /^knexfile\.[cm]?[jt]s$/i;
const MIGRATION_FOLDER = /^migrations?$/i;
const TIMESTAMPED = /^\d{12,}(?:[-_.]|$)/;
const SEMVER_NAME = /^(\d+(?:\.\d+)+)\.[cm]?[jt]s$/i;

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const folderOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('/')));
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** File-watcher globs covering the candidates (a superset: isJsMigrationCandidate decides). */
export const JS_MIGRATION_GLOBS = [
  '**/{migration,migrations,Migration,Migrations}/**/*.{js,cjs,mjs,ts,cts,mts}',
  '**/knexfile.{js,cjs,mjs,ts,cts,mts}',
  '**/[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*.{js,cjs,mjs,ts,cts,mts}',
];

export function isKnexfile(path: string): boolean {
  return KNEXFILE.test(baseName(path));
}

/** Does this path look like a JS / TS migration (or a knexfile)? Path only: used by file watchers too. */
export function isJsMigrationCandidate(path: string): boolean {
  if (!isJsSource(path)) return false;
  const segments = path.split('/');
  const base = segments.pop()!;
  return KNEXFILE.test(base) || TIMESTAMPED.test(base) || segments.some((s) => MIGRATION_FOLDER.test(s));
}

/** Histories of the JS / TS migration files among `paths` (knexfiles themselves are never steps). */
export function planJsHistories(paths: string[], textOf?: (path: string) => string | undefined): History[] {
  const migrations = paths.filter((p) => isJsSource(p) && !isKnexfile(p));
  const byFolder = new Map<string, string[]>();
  for (const p of migrations) {
    const folder = folderOf(p);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), p]);
  }
  const histories: History[] = [];
  const claimed = new Set<string>();
  for (const knexfile of paths.filter(isKnexfile).sort(compareText)) {
    const text = textOf?.(knexfile);
    const settings: KnexfileSettings = text === undefined ? { directories: [] } : knexfileSettings(knexfile, text);
    const base = folderOf(knexfile);
    const folders = (settings.directories.length ? settings.directories : ['migrations']).map((d) => (base ? `${base}/${d}` : d));
    const files = folders.flatMap((f) => (claimed.has(f) ? [] : byFolder.get(f) ?? []));
    folders.forEach((f) => claimed.add(f));
    if (!files.length) continue;
    // knex sorts all its folders' files together by file name.
    files.sort((a, b) => compareText(baseName(a), baseName(b)) || compareText(a, b));
    histories.push({ id: folders[0], tool: 'knex', files, dialect: settings.dialect });
  }
  for (const [folder, files] of byFolder) {
    if (claimed.has(folder)) continue;
    const stamps = new Map(files.map((f) => [f, textOf ? typeormStamp(f, textOf(f)) : undefined]));
    if ([...stamps.values()].some((s) => s !== undefined)) {
      const ordered = [...files].sort((a, b) => compareStamps(stamps.get(a), stamps.get(b)) || compareText(a, b));
      histories.push({ id: folder, tool: 'typeorm', files: ordered });
      continue;
    }
    histories.push({ id: folder, tool: 'js-migrations', files: orderGeneric(files) });
  }
  return histories;
}

function typeormStamp(path: string, text: string | undefined): string | undefined {
  return text === undefined ? undefined : typeormTimestamp(path, text);
}

function compareStamps(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return (a === undefined ? 1 : 0) - (b === undefined ? 1 : 0);
  return Number(a) - Number(b);
}

function orderGeneric(files: string[]): string[] {
  // Semantic versions when every numbered file is named like one; files without a number come last.
  const numbered = files.filter((f) => /^\d/.test(baseName(f)));
  if (numbered.length && numbered.every((f) => SEMVER_NAME.test(baseName(f)))) {
    const version = (f: string) => SEMVER_NAME.exec(baseName(f))?.[1].split('.').map(Number);
    return [...files].sort((a, b) => {
      const [x, y] = [version(a), version(b)];
      if (!x || !y) return (x ? 0 : 1) - (y ? 0 : 1) || compareText(a, b);
      return compareParts(x, y) || compareText(a, b);
    });
  }
  const lead = (f: string) => /^\d+/.exec(baseName(f))?.[0];
  return [...files].sort((a, b) => {
    const [x, y] = [lead(a), lead(b)];
    if (x === undefined || y === undefined) return (x === undefined ? 1 : 0) - (y === undefined ? 1 : 0) || compareText(a, b);
    return compareDigits(x, y) || compareText(baseName(a), baseName(b));
  });
}

function compareParts(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
