/**
 * Which database engine each history is for. A file says so by a `fklens.dialects` glob (strongest), by its
 * name (popx's `.mysql.` / `.sqlite3.` / `.postgres.` variants, `schema.mysql.sql`), by a folder named after
 * an engine (`mysql/`, `sqlite-sakila-db/`), or by its content (what PostgreSQL would never accept). One
 * history is one database, so all its files are read in one dialect: the strongest evidence of any of them
 * (the earliest file on a tie). Loose schema files whose evidence disagrees are different databases: their
 * folder's history is split per dialect.
 */
import { parsePrisma } from '../sources/prisma/parser';
import { resolvePrismaSchema } from '../sources/prisma/resolve';
import { Minimatch } from 'minimatch';
import { looksLikePostgres, looksLikeText, sniffDialect } from '../sources/sql/read';
import type { DiscoveryOptions, History } from './discovery';
import type { Dialect } from '../sources/events';

const STRENGTH = { override: 4, fileName: 3, folder: 2, content: 1 } as const;

/** A file whose content is evidence holds SQL statements (printable noise may contain `ENGINE=` by chance). */
const STATEMENT = /(?:^|;)\s*(?:CREATE|ALTER|DROP|INSERT|SET|USE|PRAGMA|BEGIN|START|DELIMITER)\b/im;

interface Evidence {
  dialect: Dialect;
  strength: number;
}

const ENGINE_WORDS: Record<string, Dialect> = {
  mysql: 'mysql',
  mariadb: 'mysql',
  // PlanetScale is MySQL (Vitess): TypeORM and Prisma projects keep its migrations in a folder of that name.
  planetscale: 'mysql',
  sqlite: 'sqlite',
  sqlite3: 'sqlite',
  postgres: 'postgres',
  postgresql: 'postgres',
  cockroach: 'cockroach',
  cockroachdb: 'cockroach',
  // Engines FK Lens does not read, recognised so that their SQL is left out rather than read as PostgreSQL's.
  clickhouse: 'clickhouse',
  mssql: 'mssql',
  sqlserver: 'mssql',
};

const overrideCache = new WeakMap<Record<string, Dialect>, { glob: Minimatch; dialect: Dialect }[]>();

function overrides(options: DiscoveryOptions): { glob: Minimatch; dialect: Dialect }[] {
  const map = options.dialects;
  if (!map) return [];
  let compiled = overrideCache.get(map);
  if (!compiled) {
    compiled = Object.entries(map)
      .filter(([glob, dialect]) => glob && isDialect(dialect))
      .map(([glob, dialect]) => ({ glob: new Minimatch(glob, { dot: true, matchBase: !glob.includes('/') }), dialect }));
    overrideCache.set(map, compiled);
  }
  return compiled;
}

export function isDialect(value: unknown): value is Dialect {
  return value === 'postgres' || value === 'mysql' || value === 'sqlite' || value === 'cockroach';
}

/** What one file says about its engine, strongest first; undefined when nothing does. */
export function fileDialectEvidence(path: string, text: string | undefined, options: DiscoveryOptions = {}): Evidence | undefined {
  const override = overrides(options).find((o) => o.glob.match(path));
  if (override) return { dialect: override.dialect, strength: STRENGTH.override };
  const segments = path.split('/');
  const base = segments[segments.length - 1].toLowerCase();
  for (const part of base.split('.').slice(1, -1)) {
    const dialect = ENGINE_WORDS[part];
    if (dialect) return { dialect, strength: STRENGTH.fileName };
  }
  for (const folder of segments.slice(0, -1).reverse()) {
    for (const word of folder.toLowerCase().split(/[-_. ]+/)) {
      const dialect = ENGINE_WORDS[word];
      if (dialect) return { dialect, strength: STRENGTH.folder };
    }
  }
  // Only a file of SQL text is evidence: bytes that are not text, or program code, say nothing about the engine.
  if (text !== undefined && /\.sql$/i.test(path) && looksLikeText(text) && STATEMENT.test(text)) {
    const sniffed = sniffDialect(text);
    if (sniffed !== 'postgres') return { dialect: sniffed, strength: STRENGTH.content };
    if (looksLikePostgres(text)) return { dialect: 'postgres', strength: STRENGTH.content };
  }
  return undefined;
}

/** Sets each history's dialect (and the MySQL server setting); splits loose folders holding several engines. */
export function assignDialects(histories: History[], options: DiscoveryOptions, textOf?: (path: string) => string | undefined): History[] {
  const out: History[] = [];
  for (const history of histories) {
    if (history.tool === 'prisma-schema') {
      // A Prisma schema names its database in the datasource block; SQL content sniffing does not apply
      // (`@default(autoincrement())` is not SQLite's AUTOINCREMENT).
      const dialect = prismaDialect(history.files.map((f) => ({ path: f, text: textOf?.(f) ?? '' })));
      out.push(withServer(dialect ? { ...history, dialect } : history, options));
      continue;
    }
    // popx (and a Prisma migration_lock.toml) already chose the dialect; only an explicit override beats that,
    // and without one no file's content needs sniffing.
    if (history.dialect && !history.files.some((f) => overrides(options).some((o) => o.glob.match(f)))) {
      out.push(withServer(history, options));
      continue;
    }
    // JS / TS migrations are program text: SQL content sniffing does not apply to them (a knexfile's client does).
    const evidence = history.files.map((f) => fileDialectEvidence(f, textOf?.(f), options));
    // (A history whose tool fixed the dialect gets here only with an override, the strongest evidence.)
    const overall = strongest(evidence);
    const dialects = new Set(evidence.filter((e): e is Evidence => !!e).map((e) => e.dialect));
    if (history.tool === 'schema' && dialects.size > 1 && overall) {
      // Loose files of different engines are different databases.
      const groups = new Map<Dialect, string[]>();
      history.files.forEach((f, i) => {
        const d = evidence[i]?.dialect ?? overall.dialect;
        groups.set(d, [...(groups.get(d) ?? []), f]);
      });
      for (const [dialect, files] of groups) {
        out.push(withServer({ ...history, id: dialect === overall.dialect ? history.id : `${history.id}#${dialect}`, files, dialect }, options));
      }
      continue;
    }
    out.push(withServer(overall ? { ...history, dialect: overall.dialect } : history, options));
  }
  return out;
}

/**
 * The strongest evidence (the earliest file on a tie); among content evidence only, the dialect most files
 * show, so one odd file does not turn a whole history into another engine's.
 */
function strongest(list: (Evidence | undefined)[]): Evidence | undefined {
  const top = list.reduce<Evidence | undefined>((best, e) => (e && (!best || e.strength > best.strength) ? e : best), undefined);
  if (!top || top.strength !== STRENGTH.content) return top;
  const counts = new Map<Dialect, number>();
  for (const e of list) if (e) counts.set(e.dialect, (counts.get(e.dialect) ?? 0) + 1);
  const [dialect] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));
  return { dialect, strength: STRENGTH.content };
}

function withServer(history: History, options: DiscoveryOptions): History {
  return history.dialect === 'mysql' && options.mysqlServer ? { ...history, mysqlServer: options.mysqlServer } : history;
}

/** The dialect a Prisma schema's `datasource { provider = ... }` names, read with the Prisma parser. */
function prismaDialect(files: { path: string; text: string }[]): Dialect | undefined {
  const schema = resolvePrismaSchema(files.map((f) => parsePrisma(f.path, f.text)));
  switch (schema.provider) {
    case 'postgresql':
      return 'postgres';
    case 'cockroachdb':
      return 'cockroach';
    case 'mysql':
      return 'mysql';
    case 'sqlite':
      return 'sqlite';
    default:
      return undefined;
  }
}
