/**
 * Runs the JS fixture projects (test/fixtures/js) with their real tools against a test PostgreSQL: knex's
 * migrator, TypeORM's DataSource, and a tiny runner for the plain project (requires each versioned module and
 * calls up(db) with a db whose runSql / sequelize.query execute on pg), db-migrate, and sequelize-cli's way of
 * running Sequelize migrations. Only tests do this: FK Lens never runs migration code. TypeScript files are
 * transpiled into a copy of the project under out/, so the tools load plain JS and resolve their packages from
 * this repository's node_modules.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { Client } from 'pg';
import type { PgServer } from './postgres';

export function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'test', 'fixtures', 'js'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

export const JS_FIXTURES = join(repoRoot(), 'test', 'fixtures', 'js');

/**
 * A copy of a fixture project under out/ with every .ts file replaced by its CommonJS transpilation; `from`
 * copies another folder (a fixture changed by a test) under that name.
 */
export function runnableCopy(name: string, from: string = join(JS_FIXTURES, name)): string {
  const target = join(repoRoot(), 'out', 'js-fixture-runs', `${name}-${process.pid}`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  cpSync(from, target, { recursive: true });
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.ts')) {
        const output = ts.transpileModule(readFileSync(path, 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, experimentalDecorators: true },
        }).outputText;
        writeFileSync(path.replace(/\.ts$/, '.js'), output);
        rmSync(path);
      }
    }
  };
  walk(target);
  return target;
}

const connection = (pg: PgServer, database: string) => ({ host: pg.socketDir, user: 'postgres', database });

/** knex's own migrator with the project's knexfile (its `development` environment). */
export async function runKnex(pg: PgServer, database: string, project: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const knexfile = require(join(project, 'knexfile.js')) as { development: Record<string, unknown> };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const knex = (require('knex') as (config: unknown) => { migrate: { latest(): Promise<unknown> }; destroy(): Promise<void> })({
    ...knexfile.development,
    connection: connection(pg, database),
  });
  try {
    await knex.migrate.latest();
  } finally {
    await knex.destroy();
  }
}

/** TypeORM's DataSource running the project's migrations (a glob, as TypeORM projects configure it), in one of its transaction modes. */
export async function runTypeorm(pg: PgServer, database: string, project: string, transaction: 'each' | 'all' | 'none' = 'each'): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DataSource } = require('typeorm') as typeof import('typeorm');
  const source = new DataSource({
    type: 'postgres',
    ...connection(pg, database),
    username: 'postgres',
    uuidExtension: 'pgcrypto',
    migrations: [join(project, 'src', 'migrations', '*.js')],
    logging: false,
  });
  await source.initialize();
  try {
    const ran = await source.runMigrations({ transaction });
    return ran.map((m) => m.name);
  } finally {
    await source.destroy();
  }
}

/** The plain tool: versioned modules (`2.1.9.js`) in version order, each `up(db)` or `up(db, callback)`. */
export async function runPlain(pg: PgServer, database: string, project: string): Promise<string[]> {
  const folder = join(project, 'migrations');
  const version = (f: string) => f.replace(/\.js$/, '').split('.').map(Number);
  const files = readdirSync(folder)
    .filter((f) => /^\d+(\.\d+)+\.js$/.test(f))
    .sort((a, b) => {
      const [x, y] = [version(a), version(b)];
      for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
      return 0;
    });
  const client = new Client(connection(pg, database));
  await client.connect();
  try {
    const runSql = (sql: string, callback?: (err: Error | null) => void) => {
      const done = client.query(sql).then(() => undefined);
      if (callback) done.then(() => callback(null), (err: Error) => callback(err));
      return done;
    };
    const db = { runSql, sequelize: { query: (sql: string) => runSql(sql) } };
    for (const file of files) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const migration = require(join(folder, file)) as { up: (db: unknown, callback?: (err?: Error | null) => void) => Promise<void> | void };
      if (migration.up.length >= 2) {
        await new Promise<void>((resolve, reject) => migration.up(db, (err) => (err ? reject(err) : resolve())));
      } else await migration.up(db);
    }
  } finally {
    await client.end();
  }
  return files;
}

/** knex's migrator over one folder with its default settings (no knexfile: default sort, default extensions). */
export async function runKnexFolder(pg: PgServer, database: string, directory: string): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const knex = (require('knex') as (config: unknown) => { migrate: { latest(): Promise<[number, string[]]> }; destroy(): Promise<void> })({
    client: 'pg',
    connection: connection(pg, database),
    migrations: { directory },
  });
  try {
    const [, ran] = await knex.migrate.latest();
    return ran.map((f) => f.split('/').pop()!);
  } finally {
    await knex.destroy();
  }
}

/** db-migrate (with db-migrate-pg) running a migrations folder `up`, as `db-migrate up` would. Returns the SQL it sent. */
export async function runDbMigrate(pg: PgServer, database: string, directory: string): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const DBMigrate = require('db-migrate') as { getInstance(isModule: boolean, options: unknown): { silence(on: boolean): void; up(): Promise<void> } };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const log = require('db-migrate-shared').log as { sql: (...args: unknown[]) => void };
  const sent: string[] = [];
  const original = log.sql;
  log.sql = (sql: unknown) => void sent.push(String(sql));
  try {
    const dbm = DBMigrate.getInstance(true, {
      cwd: dirname(directory),
      env: 'test',
      config: { test: { driver: 'pg', ...connection(pg, database) } },
      cmdOptions: { 'migrations-dir': directory },
    });
    dbm.silence(true);
    await dbm.up();
  } finally {
    log.sql = original;
  }
  return sent;
}

/**
 * sequelize-cli's way of running a migrations folder: every migration file in name order, each module's
 * `up(queryInterface, Sequelize)` called with the query interface of a real Sequelize connected to the server.
 * Returns the files run and the SQL Sequelize sent.
 */
export async function runSequelize(pg: PgServer, database: string, directory: string): Promise<{ files: string[]; sent: string[] }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Sequelize } = require('sequelize') as typeof import('sequelize');
  const sent: string[] = [];
  const sequelize = new Sequelize({
    dialect: 'postgres',
    host: pg.socketDir,
    username: 'postgres',
    database,
    logging: (sql: string) => void sent.push(sql.replace(/^Executing \([^)]*\): /, '')),
  });
  const files = readdirSync(directory).filter((f) => /\.(c?js)$/.test(f)).sort();
  try {
    const queryInterface = sequelize.getQueryInterface();
    for (const file of files) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const migration = require(join(directory, file)) as { up: (qi: unknown, s: unknown) => Promise<void> };
      await migration.up(queryInterface, Sequelize);
    }
  } finally {
    await sequelize.close();
  }
  return { files, sent };
}

/**
 * node-pg-migrate's own runner (its programmatic API) running a migrations folder `up`, as `node-pg-migrate up`
 * would (migrations table `pgmigrations`, decamelize off). Returns the migrations it ran and the SQL it sent.
 */
export async function runNodePgMigrate(pg: PgServer, database: string, dir: string): Promise<{ ran: string[]; sql: string[] }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runner } = require('node-pg-migrate') as typeof import('node-pg-migrate', { with: { 'resolution-mode': 'import' } });
  const sql: string[] = [];
  const client = new Client(connection(pg, database));
  await client.connect();
  try {
    const query = client.query.bind(client) as (text: string) => Promise<unknown>;
    // Every statement the runner sends goes through the client it is given.
    (client as unknown as { query: (text: string) => Promise<unknown> }).query = (text: string) => {
      sql.push(text);
      return query(text);
    };
    const ran = await runner({
      dbClient: client,
      dir,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      count: Infinity,
      log: () => undefined,
    });
    return { ran: ran.map((m) => m.name), sql };
  } finally {
    await client.end();
  }
}
