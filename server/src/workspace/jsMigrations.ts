/**
 * JS / TS migration sets (knex, TypeORM, db-migrate, node-pg-migrate, Sequelize, node scripts that run SQL strings): which
 * files count, how they group into histories and in which order each tool runs them.
 *
 * - A JS / TS file is a candidate when it is a knexfile, sits in a folder named `migration(s)` (at any depth),
 *   its name starts with a timestamp of 12 or more digits (`20230101120000_users.js`, `1700000000000-Users.ts`),
 *   or, read by what it holds: its name is a version (`2.1.85.js`) or it sits in the folder that was opened
 *   (the CLI's target, VS Code's workspace folder). The last two count only when they parse and have an `up`.
 *   Other code in the workspace is never read.
 * - A knexfile's `migrations.directory` (default `migrations`) names a knex set: the files directly in those
 *   folders, sorted by file name as knex does; its `client` gives the dialect.
 * - Any other folder is a set of the tool its code is written for (jsMigrationFacts): TypeORM orders by the
 *   13-digit timestamp at the end of each class name; knex (by default), db-migrate and Sequelize sort file
 *   names as strings; node-pg-migrate by the numeric prefix of the name (nodePgMigrateOrder). A db-migrate
 *   file that loads `sqls/<name>-up.sql` (db-migrate's SQL template) stands
 *   for that SQL file, which is what the history reads; `sqls/` files are never a set of their own.
 * - Plain node scripts running SQL strings: semantic-version names (`2.1.9.js` before `2.1.85.js`) compare
 *   part by part; otherwise the leading number compares numerically, then the name.
 */
import { jsMigrationFacts, knexfileSettings, type JsMigrationFacts, type KnexfileSettings } from '../sources/js/facts';
import { isJsSource } from '../sources/js/read';
import type { MigrationTool } from '../sources/migrationFile';
import { compareDigits, type History } from './discovery';

const KNEXFILE = /^knexfile\.[cm]?[jt]s$/i;
const MIGRATION_FOLDER = /^migrations?$/i;
const TIMESTAMPED = /^\d{12,}(?:[-_.]|$)/;
const SEMVER_NAME = /^(\d+(?:\.\d+)+)\.[cm]?[jt]s$/i;
/** A version as a file name, pre-releases included (`2.0.0-rc.17.js`). */
const VERSION_NAME = /^\d+(?:\.\d+)+(?:-[\w.]+)?\.[cm]?[jt]s$/i;
/** db-migrate only runs files named `<14-digit timestamp>-<title>` (it parses the date from the name). */
const DB_MIGRATE_NAME = /^\d{14}-[^.]+\.[cm]?[jt]s$/;
/** db-migrate's SQL template files: `<folder>/sqls/<migration>-up.sql` / `-down.sql`. */
const DB_MIGRATE_SQL = /^(.*?)\/?sqls\/([^/]+)-(up|down)\.sql$/i;

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const folderOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('/')));
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** File-watcher globs covering the candidates (a superset: isJsMigrationCandidate decides). */
export const JS_MIGRATION_GLOBS = [
  '**/{migration,migrations,Migration,Migrations}/**/*.{js,cjs,mjs,ts,cts,mts}',
  '**/knexfile.{js,cjs,mjs,ts,cts,mts}',
  '**/[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*.{js,cjs,mjs,ts,cts,mts}',
  '**/[0-9]*.[0-9]*.{js,cjs,mjs,ts,cts,mts}',
  '*.{js,cjs,mjs,ts,cts,mts}',
];

export function isKnexfile(path: string): boolean {
  return KNEXFILE.test(baseName(path));
}

/** Does this path look like a JS / TS migration (or a knexfile)? Path only: used by file watchers too. */
export function isJsMigrationCandidate(path: string): boolean {
  if (!isJsSource(path)) return false;
  const segments = path.split('/');
  const base = segments.pop()!;
  return KNEXFILE.test(base) || TIMESTAMPED.test(base) || segments.some((s) => MIGRATION_FOLDER.test(s)) || isWeakCandidate(path);
}

/** Candidates by a weaker sign (a version as name, a file of the opened folder): they count when they have an `up`. */
function isWeakCandidate(path: string): boolean {
  return !path.includes('/') || VERSION_NAME.test(baseName(path));
}

function isStrongCandidate(path: string): boolean {
  const segments = path.split('/');
  const base = segments.pop()!;
  return KNEXFILE.test(base) || TIMESTAMPED.test(base) || segments.some((s) => MIGRATION_FOLDER.test(s));
}

/**
 * db-migrate's `sqls/` files among `paths` whose migration file is there too: `up` maps each `-up.sql` file to
 * its migration's path; `all` holds every such file (down files included), which no SQL history takes.
 */
export function dbMigrateSqlFiles(paths: Iterable<string>): { up: Map<string, string>; all: Set<string> } {
  const list = [...paths];
  const js = new Set(list.filter(isJsSource));
  const up = new Map<string, string>();
  const all = new Set<string>();
  for (const p of list) {
    const m = DB_MIGRATE_SQL.exec(p);
    if (!m) continue;
    const folder = m[1];
    const migration = [...['js', 'ts', 'cjs', 'mjs']].map((ext) => `${folder ? folder + '/' : ''}${m[2]}.${ext}`).find((f) => js.has(f));
    if (!migration) continue;
    all.add(p);
    if (m[3].toLowerCase() === 'up') up.set(migration, p);
  }
  return { up, all };
}

/**
 * Histories of the JS / TS migration files among `paths` (knexfiles themselves are never steps). `sqlOf`:
 * db-migrate migrations whose step is a `sqls/` file (see dbMigrateSqlFiles).
 */
export function planJsHistories(paths: string[], textOf?: (path: string) => string | undefined, sqlOf: Map<string, string> = new Map()): History[] {
  const factsOf = (p: string): JsMigrationFacts | undefined => {
    const text = textOf?.(p);
    return text === undefined ? undefined : jsMigrationFacts(p, text);
  };
  const knexfiles = paths.filter(isKnexfile).sort(compareText);
  const knexSettings = new Map(knexfiles.map((k) => {
    const text = textOf?.(k);
    return [k, text === undefined ? { directories: [] } : knexfileSettings(k, text)] as const;
  }));
  const knexFolders = new Map(knexfiles.map((k) => {
    const base = folderOf(k);
    const directories = knexSettings.get(k)!.directories;
    return [k, (directories.length ? directories : ['migrations']).map((d) => (base ? `${base}/${d}` : d))] as const;
  }));
  const inKnexFolder = new Set([...knexFolders.values()].flat());
  const migrations = paths.filter((p) => {
    if (!isJsSource(p) || isKnexfile(p)) return false;
    if (isStrongCandidate(p) || inKnexFolder.has(folderOf(p)) || !isWeakCandidate(p)) return true;
    // A file taken by a weak sign only (a version as name, a file of the opened folder) counts when it reads as a migration.
    const facts = factsOf(p);
    return !!facts && facts.parses && facts.hasUp;
  });
  const byFolder = new Map<string, string[]>();
  for (const p of migrations) {
    const folder = folderOf(p);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), p]);
  }
  const histories: History[] = [];
  const claimed = new Set<string>();
  for (const knexfile of knexfiles) {
    const settings: KnexfileSettings = knexSettings.get(knexfile)!;
    const folders = knexFolders.get(knexfile)!;
    const files = folders.flatMap((f) => (claimed.has(f) ? [] : byFolder.get(f) ?? []));
    folders.forEach((f) => claimed.add(f));
    if (!files.length) continue;
    histories.push({ id: folders[0], tool: 'knex', files: knexOrder(files), dialect: settings.dialect });
  }
  for (const [folder, files] of byFolder) {
    if (claimed.has(folder)) continue;
    const facts = new Map(files.map((f) => [f, factsOf(f)]));
    const tool = folderTool([...facts.values()]);
    if (tool === 'typeorm') {
      const stamps = new Map(files.map((f) => [f, facts.get(f)?.typeormStamp]));
      const ordered = [...files].sort((a, b) => compareStamps(stamps.get(a), stamps.get(b)) || compareText(a, b));
      histories.push({ id: folder, tool: 'typeorm', files: ordered });
    } else if (tool === 'db-migrate' && files.every((f) => DB_MIGRATE_NAME.test(baseName(f)))) {
      // db-migrate runs `*.js` files sorted by name; a SQL-template file stands for the SQL file it loads.
      const steps = knexOrder(files).map((f) => {
        const sql = sqlOf.get(f);
        const loads = facts.get(f)?.sqlFile;
        return sql && (loads === undefined || sql.endsWith('/' + loads) || sql === loads) ? sql : f;
      });
      histories.push({ id: folder, tool: 'db-migrate', files: steps });
    } else if (tool === 'node-pg-migrate') {
      histories.push({ id: folder, tool: 'node-pg-migrate', files: nodePgMigrateOrder(files) });
    } else if (tool === 'knex' || tool === 'sequelize') {
      histories.push({ id: folder, tool, files: knexOrder(files) });
    } else histories.push({ id: folder, tool: 'js-migrations', files: orderGeneric(files) });
  }
  return histories;
}

/**
 * node-pg-migrate runs the `.sql` files of its folder among the JS ones (the part from `-- Up Migration` to
 * `-- Down Migration`, migrationFile.ts upSection): the SQL files directly in the folder of a node-pg-migrate
 * history join it, in its order, and leave the SQL history they were planned in (which goes when emptied).
 */
export function joinNodePgMigrateSql(histories: History[]): History[] {
  const pgm = histories.filter((h) => h.tool === 'node-pg-migrate');
  if (!pgm.length) return histories;
  const moved = new Set<string>();
  for (const h of pgm) {
    const folder = h.id.replace(/#js$/, '');
    const sql = histories.flatMap((o) => (o.tool === 'node-pg-migrate' ? [] : o.files.filter((f) => /\.sql$/i.test(f) && folderOf(f) === folder && !moved.has(f))));
    if (!sql.length) continue;
    for (const f of sql) moved.add(f);
    h.files = nodePgMigrateOrder([...h.files, ...sql]);
  }
  if (!moved.size) return histories;
  const out: History[] = [];
  for (const h of histories) {
    if (h.tool !== 'node-pg-migrate') {
      const files = h.files.filter((f) => !moved.has(f));
      if (files.length) out.push(files.length === h.files.length ? h : { ...h, files });
      continue;
    }
    out.push(h);
  }
  // A node-pg-migrate history that took every file of its folder's SQL history takes its id back.
  const ids = new Set(out.map((h) => h.id));
  return out.map((h) => (h.tool === 'node-pg-migrate' && h.id.endsWith('#js') && !ids.has(h.id.slice(0, -3)) ? { ...h, id: h.id.slice(0, -3) } : h));
}

/**
 * What the earlier files of a history pass on to reading `path` (readJsMigration's `context`): for
 * node-pg-migrate, the shorthands of the migrations before it, oldest first (its runner merges them in order).
 * Undefined when nothing is passed on; a change of it means the file must be read again.
 */
export function readContext(history: History, path: string, textOf: (path: string) => string | undefined): string | undefined {
  if (history.tool !== 'node-pg-migrate') return undefined;
  const parts: string[] = [];
  for (const file of history.files) {
    if (file === path) break;
    const text = textOf(file);
    const shorthands = text === undefined || !isJsSource(file) ? undefined : jsMigrationFacts(file, text).shorthands;
    if (shorthands) parts.push(`(${shorthands})`);
  }
  return parts.length ? parts.join(',\n') : undefined;
}

/** knex (lodash sortBy on the file name: code-unit order, stable), db-migrate (`files.sort()`), sequelize-cli. */
function knexOrder(files: string[]): string[] {
  return [...files].sort((a, b) => compareText(baseName(a), baseName(b)) || compareText(a, b));
}

/**
 * node-pg-migrate (migration.ts getMigrationFilePaths, utils/comparators.ts): by the numeric prefix of the file
 * name, a 17-digit one read as a UTC time (`20240101120000000` = `Date.UTC(...)` in milliseconds, so it sorts
 * among 13-digit `Date.now()` prefixes), then the names compared as its localeCompare does (numeric, punctuation
 * ignored).
 */
function nodePgMigrateOrder(files: string[]): string[] {
  const prefix = (f: string): number => {
    const digits = /^\d+/.exec(baseName(f))?.[0];
    if (digits === undefined) return Number.POSITIVE_INFINITY;
    if (digits.length === 17) {
      const [y, mo, d, h, mi, s, ms] = [0, 4, 6, 8, 10, 12, 14].map((at, i, all) => Number(digits.slice(at, all[i + 1] ?? 17)));
      return Date.UTC(y, mo - 1, d, h, mi, s, ms);
    }
    return Number(digits);
  };
  const collator = new Intl.Collator(undefined, { usage: 'sort', numeric: true, sensitivity: 'variant', ignorePunctuation: true });
  return [...files].sort((a, b) => prefix(a) - prefix(b) || collator.compare(baseName(a), baseName(b)) || compareText(a, b));
}

/** The tool most of a folder's files are written for (TypeORM as soon as one file declares a migration class). */
function folderTool(facts: (JsMigrationFacts | undefined)[]): MigrationTool | undefined {
  if (facts.some((f) => f?.typeormStamp !== undefined)) return 'typeorm';
  const counts = new Map<string, number>();
  for (const f of facts) if (f?.tool) counts.set(f.tool, (counts.get(f.tool) ?? 0) + 1);
  if (!counts.size) return undefined;
  const [tool] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));
  return tool as MigrationTool;
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
