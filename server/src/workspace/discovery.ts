/**
 * Which files of a workspace hold schema DDL, which migration tool wrote them, and in which order the tool
 * applies them. Pure: works on workspace-relative paths ('/'-separated) and, for section markers, on text.
 *
 * Grouping rule (one history = one database):
 * - A migration set is keyed by the folder the tool is pointed at: the parent of the `<ts>_<name>/` folders
 *   for Prisma and diesel, the folder of the files for golang-migrate, popx, Flyway and numbered `.sql` files.
 *   Flyway scans its location recursively, so Flyway files in sub-folders join the top-most folder above
 *   them that holds Flyway files too.
 * - A folder holds at most one migration set; if files of several tools share it, the most specific tool wins
 *   (Prisma, diesel, golang-migrate/popx, Flyway, numbered) and the rest count as loose files.
 * - Loose `.sql` files (no tool's naming) form one 'schema' history per folder, ordered by name. Loose files
 *   next to a migration set are not merged into it (the tool would not run them): their history's id is the
 *   folder plus `#schema`, so ids stay unique.
 * - Down / undo files (`.down.sql`, diesel `down.sql`, Flyway `U…`) are never part of a history, but they do
 *   mark their folder as a migration set.
 */
import { Minimatch } from 'minimatch';
import { assignDialects } from './dialects';
import { isPrismaSchemaPath, planPrismaSchemas } from './prismaSchemas';
import { isJsSource } from '../sources/js/read';
import { dbMigrateSqlFiles, isJsMigrationCandidate, joinNodePgMigrateSql, planJsHistories } from './jsMigrations';
import { isRubySource, planRailsHistories } from './railsApps';
import type { Dialect } from '../sources/events';
import { markerTool, type MigrationTool } from '../sources/migrationFile';

export interface DiscoveryOptions {
  /** Globs of files to read; empty = every `.sql` file. A glob without '/' matches the file name anywhere. */
  include?: string[];
  /** Globs of files to skip (in addition to node_modules, .git, build folders). */
  exclude?: string[];
  /** `auto` follows the tool; `name` sorts by path; `version` by the leading number of the file name. */
  order?: 'auto' | 'name' | 'version';
  /** Glob -> dialect: files matching the glob are read as that database's SQL (setting `fklens.dialects`). */
  dialects?: Record<string, Dialect>;
  /** The server a MySQL-dialect project targets (setting `fklens.mysql.server`): decides column-level REFERENCES. */
  mysqlServer?: 'mysql' | 'mariadb';
}

/** One database's history: the files the tool applies, in order. */
export interface History {
  /** Folder that holds the history (workspace-relative, '' for the root; `<folder>#schema` for loose files next to a migration set). */
  id: string;
  tool: MigrationTool;
  /** Files in apply order. */
  files: string[];
  /** The database the history is for, when its files say (popx names, folders, content, `fklens.dialects`); else PostgreSQL. */
  dialect?: Dialect;
  /** For a MySQL history: the server the project targets (`fklens.mysql.server`). */
  mysqlServer?: 'mysql' | 'mariadb';
  /**
   * A Prisma schema whose database is the Prisma migration set with this id: the migrations are the model,
   * the schema is compared with them (see prismaSchemas.ts).
   */
  companionOf?: string;
}

/** Folders of dependencies, VCS data and build output: their SQL is a copy or someone else's. */
export const IGNORED_FOLDERS: ReadonlySet<string> = new Set([
  'node_modules', '.git', 'dist', 'out', 'build', 'target', '.next', 'vendor',
]);

/** Decides which paths are read; shared by the planner and the disk walk so both see the same files. */
export interface PathFilter {
  acceptsFile(path: string): boolean;
  /** May a file under this folder be accepted? Lets the disk walk prune. */
  entersFolder(path: string): boolean;
}

/** What is read when no include globs are set: SQL files and Prisma schemas (and JS / Rails files, below). */
const DEFAULT_FILES = /\.(sql|prisma)$/i;

/** Compiled once per options object: file watchers ask for every path. */
const filters = new WeakMap<DiscoveryOptions, PathFilter>();
const NO_OPTIONS: DiscoveryOptions = {};

export function pathFilter(options: DiscoveryOptions = NO_OPTIONS): PathFilter {
  let filter = filters.get(options);
  if (!filter) filters.set(options, (filter = buildFilter(options)));
  return filter;
}

interface CompiledGlob {
  glob: Minimatch;
  /** No '/' in the pattern: it matches a file name in any folder. */
  anywhere: boolean;
  /** Path segments the glob spells out; an ignored folder is read only when a glob names it this way. */
  literalSegments: Set<string>;
}

function compileGlob(pattern: string): CompiledGlob {
  const anywhere = !pattern.includes('/');
  const glob = new Minimatch(pattern, { dot: true, matchBase: anywhere });
  const literalSegments = new Set<string>();
  for (const alternative of glob.set) for (const part of alternative) if (typeof part === 'string') literalSegments.add(part);
  return { glob, anywhere, literalSegments };
}

function buildFilter(options: DiscoveryOptions): PathFilter {
  const include = (options.include ?? []).filter(Boolean).map(compileGlob);
  const exclude = (options.exclude ?? []).filter(Boolean).map(compileGlob);
  const excluded = (path: string) => exclude.some((g) => g.glob.match(path));
  const ignoredSegments = (folders: string[]) => folders.filter((s) => IGNORED_FOLDERS.has(s));
  const namesAll = (g: CompiledGlob, segments: string[]) => segments.every((s) => g.literalSegments.has(s));
  return {
    acceptsFile(path) {
      if (excluded(path)) return false;
      const ignored = ignoredSegments(path.split('/').slice(0, -1));
      if (!include.length) return (DEFAULT_FILES.test(path) || isJsMigrationCandidate(path) || isRubySource(path)) && !ignored.length;
      return include.some((g) => g.glob.match(path) && namesAll(g, ignored));
    },
    entersFolder(path) {
      if (path === '') return true;
      if (excluded(path) || excluded(path + '/')) return false;
      const ignored = ignoredSegments(path.split('/'));
      if (!include.length) return !ignored.length;
      return include.some((g) => (g.anywhere || g.glob.match(path, true)) && namesAll(g, ignored));
    },
  };
}

/** Is this path a candidate at all (cheap check used by file watchers)? */
export function isCandidate(path: string, options: DiscoveryOptions = NO_OPTIONS): boolean {
  return pathFilter(options).acceptsFile(path);
}

// ---- Classifying one path -------------------------------------------------------------------------------

type Family = 'prisma' | 'diesel' | 'up-down' | 'flyway' | 'numbered';

/** Specific tools first: they win a folder that files of several tools share. */
const FAMILY_PRIORITY: Family[] = ['prisma', 'diesel', 'up-down', 'flyway', 'numbered'];

interface Member {
  path: string;
  family: Family;
  /** Folder of the migration set. */
  root: string;
  /** False for down / undo files: they mark the set but are never applied going up. */
  up: boolean;
  /** What the tool orders by (digits, or a folder name for Prisma). */
  version: string;
  /** Tie-break, and the order of Flyway repeatables. */
  name: string;
  /** popx: `.postgres` etc.; undefined = generic file. */
  dialect?: Dialect;
  /** popx-only suffixes seen (dialect or `.autocommit`): tell popx from golang-migrate. */
  popxSuffix?: boolean;
  flyway?: 'V' | 'R' | 'U' | 'B';
}

/** popx's dialect suffixes; `.sqlite` too, as some copies of popx sets rename `.sqlite3` to it. */
const POPX_SUFFIX = /(?:\.(postgres|mysql|sqlite3?|cockroach))?(\.autocommit)?\.(?:up|down)\.sql$/i;

function classify(path: string): Member | 'loose' | 'down' {
  const segments = path.split('/');
  const base = segments[segments.length - 1];
  const parent = segments.length >= 2 ? segments[segments.length - 2] : undefined;
  const folder = segments.slice(0, -1).join('/');
  const grandparent = segments.slice(0, -2).join('/');
  const member = (fields: Omit<Member, 'path'>): Member => ({ path, ...fields });

  if (parent !== undefined && /^migration\.sql$/i.test(base) && /^\d+_/.test(parent))
    return member({ family: 'prisma', root: grandparent, up: true, version: parent, name: parent });
  const diesel = parent !== undefined && /^(up|down)\.sql$/i.exec(base) && /^(\d[\d-]*)_/.exec(parent);
  if (diesel && parent !== undefined) {
    const up = /^up\.sql$/i.test(base);
    return member({ family: 'diesel', root: grandparent, up, version: diesel[1].replace(/-/g, ''), name: parent });
  }
  const upDown = /^(\d+)_.*\.(up|down)\.sql$/i.exec(base);
  if (upDown) {
    const suffix = POPX_SUFFIX.exec(base)!;
    const dialect = suffix[1] ? toDialect(suffix[1]) : undefined;
    const up = upDown[2].toLowerCase() === 'up';
    return member({ family: 'up-down', root: folder, up, version: upDown[1], name: base, dialect, popxSuffix: !!(suffix[1] || suffix[2]) });
  }
  const flyway = /^([VUB])(\d+(?:[._]\d+)*)__.*\.sql$/.exec(base);
  if (flyway) {
    const kind = flyway[1] as 'V' | 'U' | 'B';
    return member({ family: 'flyway', root: folder, up: kind !== 'U', version: flyway[2], name: base, flyway: kind });
  }
  const repeatable = /^R__(.*)\.sql$/.exec(base);
  if (repeatable) return member({ family: 'flyway', root: folder, up: true, version: '', name: repeatable[1], flyway: 'R' });
  if (/(^|\.)down\.sql$/i.test(base)) return 'down';
  const numbered = /^(\d+)(?:[_.-].*)?\.sql$/i.exec(base);
  if (numbered) return member({ family: 'numbered', root: folder, up: true, version: numbered[1], name: base });
  return 'loose';
}

function toDialect(suffix: string): Dialect {
  const lower = suffix.toLowerCase();
  return lower.startsWith('sqlite') ? 'sqlite' : (lower as Dialect);
}

// ---- Comparing versions -----------------------------------------------------------------------------------

/** Numeric order of digit strings of any length (popx versions have 20 digits, past a double's precision). */
export function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  return x.length - y.length || compareText(x, y);
}

/** Flyway versions (`1`, `1.2`, `1_2_3`) compare part by part, numerically; missing parts count as 0. */
export function compareFlywayVersions(a: string, b: string): number {
  const x = a.split(/[._]/);
  const y = b.split(/[._]/);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const order = compareDigits(x[i] ?? '0', y[i] ?? '0');
    if (order) return order;
  }
  return 0;
}

/** Code-unit order, independent of locale, like the tools' own string sorts. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const byVersion = (a: Member, b: Member) => compareDigits(a.version, b.version) || compareText(a.name, b.name) || compareText(a.path, b.path);
const byName = (a: Member, b: Member) => compareText(a.name, b.name) || compareText(a.path, b.path);

// ---- Planning -----------------------------------------------------------------------------------------------

/**
 * Groups candidate files into histories and orders each as its tool would. `textOf`, when given, lets the
 * planner name goose / dbmate sets from their section markers (their file names look like any numbered set).
 */
export function planHistories(
  paths: string[],
  options: DiscoveryOptions = NO_OPTIONS,
  textOf?: (path: string) => string | undefined,
): History[] {
  const accepts = pathFilter(options);
  const sets = new Map<string, Member[]>();
  const loose = new Map<string, string[]>();
  const addLoose = (path: string) => pushTo(loose, path.slice(0, Math.max(0, path.lastIndexOf('/'))), path);
  const prismaSchemaFiles: string[] = [];
  const jsPaths: string[] = [];
  const rubyPaths: string[] = [];
  const accepted = [...new Set(paths)].filter((p) => accepts.acceptsFile(p));
  // db-migrate's `sqls/` files are steps of its JS set (their down files of nothing), never SQL sets of their own.
  const dbMigrate = dbMigrateSqlFiles(accepted);
  for (const path of accepted) {
    if (dbMigrate.all.has(path)) continue;
    if (isPrismaSchemaPath(path)) {
      prismaSchemaFiles.push(path);
      continue;
    }
    if (isJsSource(path)) {
      jsPaths.push(path);
      continue;
    }
    if (isRubySource(path)) {
      rubyPaths.push(path);
      continue;
    }
    const found = classify(path);
    if (found === 'loose') addLoose(path);
    else if (found !== 'down') pushTo(sets, found.root, found);
  }
  joinNestedFlyway(sets);

  let histories: History[] = [];
  for (const [root, members] of sets) {
    const family = FAMILY_PRIORITY.find((f) => members.some((m) => m.family === f))!;
    for (const m of members) if (m.family !== family && m.up) addLoose(m.path);
    const history = orderSet(root, family, members.filter((m) => m.family === family), textOf);
    if (history.files.length) histories.push(history);
  }
  for (const [folder, files] of loose) {
    const id = sets.has(folder) ? `${folder}#schema` : folder;
    histories.push({ id, tool: 'schema', files: files.sort(compareText) });
  }
  const prismaRoots = new Set(histories.filter((h) => h.tool === 'prisma').map((h) => h.id));
  histories.push(...planPrismaSchemas(prismaSchemaFiles, prismaRoots));
  const sqlIds = new Set(histories.map((h) => h.id));
  for (const history of planJsHistories(jsPaths, textOf, dbMigrate.up)) histories.push(sqlIds.has(history.id) ? { ...history, id: `${history.id}#js` } : history);
  histories = joinNodePgMigrateSql(histories);
  const ids = new Set(histories.map((h) => h.id));
  for (const history of planRailsHistories(rubyPaths)) histories.push(ids.has(history.id) ? { ...history, id: `${history.id}#rails` } : history);
  for (const history of histories) history.files = reorder(history, options.order ?? 'auto');
  return assignDialects(histories, options, textOf).sort((a, b) => compareText(a.id, b.id));
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Flyway reads its location recursively: a set in a sub-folder belongs to the Flyway set above it. */
function joinNestedFlyway(sets: Map<string, Member[]>): void {
  const flywayRoots = [...sets].filter(([, ms]) => ms.some((m) => m.family === 'flyway')).map(([root]) => root);
  for (const root of flywayRoots) {
    const top = flywayRoots.filter((r) => r !== root && (r === '' || root.startsWith(r + '/'))).sort((a, b) => a.length - b.length)[0];
    if (top === undefined) continue;
    const members = sets.get(root)!;
    const moving = members.filter((m) => m.family === 'flyway');
    for (const m of moving) m.root = top;
    sets.get(top)!.push(...moving);
    const staying = members.filter((m) => m.family !== 'flyway');
    if (staying.length) sets.set(root, staying);
    else sets.delete(root);
  }
}

function orderSet(root: string, family: Family, members: Member[], textOf?: (path: string) => string | undefined): History {
  const ups = members.filter((m) => m.up);
  const files = (list: Member[]) => list.map((m) => m.path);
  switch (family) {
    case 'prisma':
      // Prisma applies migration folders in the order of their names.
      return { id: root, tool: 'prisma', files: files(ups.sort(byName)) };
    case 'diesel':
      return { id: root, tool: 'diesel', files: files(ups.sort((a, b) => compareText(a.version, b.version) || byName(a, b))) };
    case 'up-down':
      if (!members.some((m) => m.popxSuffix)) return { id: root, tool: 'golang-migrate', files: files(ups.sort(byVersion)) };
      return popxHistory(root, members, ups);
    case 'flyway':
      return { id: root, tool: 'flyway', files: files(flywayOrder(ups)) };
    case 'numbered':
      return { id: root, tool: markedTool(ups, textOf) ?? 'sql-migrations', files: files(ups.sort(byVersion)) };
  }
}

/**
 * popx keeps, per version, the file for the database it runs against, else the generic file. The database is
 * PostgreSQL unless the folder only has files for one other dialect (a per-dialect copy of the set).
 */
function popxHistory(root: string, members: Member[], ups: Member[]): History {
  const dialects = new Set(members.map((m) => m.dialect).filter((d): d is Dialect => d !== undefined));
  const others = [...dialects].filter((d) => d !== 'postgres');
  const dialect: Dialect = dialects.has('postgres') || others.length !== 1 ? 'postgres' : others[0];
  const perVersion = new Map<string, Member[]>();
  for (const m of ups) {
    if (m.dialect !== undefined && m.dialect !== dialect) continue;
    const key = m.version.replace(/^0+(?=\d)/, '');
    pushTo(perVersion, key, m);
  }
  const chosen: Member[] = [];
  for (const candidates of perVersion.values()) {
    const specific = candidates.filter((m) => m.dialect === dialect);
    chosen.push(...(specific.length ? specific : candidates));
  }
  return { id: root, tool: 'popx', dialect, files: chosen.sort(byVersion).map((m) => m.path) };
}

/**
 * Versioned migrations by version, then repeatables by description. With baseline (`B`) migrations, a fresh
 * database starts from the latest baseline and only takes versions above it.
 */
function flywayOrder(ups: Member[]): Member[] {
  const versioned = (kind: 'V' | 'B') => ups.filter((m) => m.flyway === kind).sort((a, b) => compareFlywayVersions(a.version, b.version) || byName(a, b));
  const baseline = versioned('B').pop();
  const after = versioned('V').filter((m) => !baseline || compareFlywayVersions(m.version, baseline.version) > 0);
  const repeatables = ups.filter((m) => m.flyway === 'R').sort(byName);
  return [...(baseline ? [baseline] : []), ...after, ...repeatables];
}

function markedTool(members: Member[], textOf?: (path: string) => string | undefined): MigrationTool | undefined {
  if (!textOf) return undefined;
  for (const m of members) {
    const text = textOf(m.path);
    const tool = text === undefined ? undefined : markerTool(text);
    if (tool) return tool;
  }
  return undefined;
}

/** `order` overrides the tool's order, never which files count. */
function reorder(history: History, order: 'auto' | 'name' | 'version'): string[] {
  const files = [...history.files];
  if (order === 'name') return files.sort(compareText);
  if (order !== 'version') return files;
  const prefix = history.id.replace(/#schema$/, '');
  const versionOf = (path: string) => {
    const relative = prefix && path.startsWith(prefix + '/') ? path.slice(prefix.length + 1) : path;
    return /^(?:[VB](?=\d))?(\d+)/.exec(relative)?.[1];
  };
  return files.sort((a, b) => {
    const va = versionOf(a);
    const vb = versionOf(b);
    if (va === undefined || vb === undefined) return (va === undefined ? 1 : 0) - (vb === undefined ? 1 : 0) || compareText(a, b);
    return compareDigits(va, vb) || compareText(a, b);
  });
}

// ---- Up and down sections -----------------------------------------------------------------------------------
