/**
 * A throw-away PostgreSQL server for tests.
 *
 * `startPostgres()` runs initdb in a fresh temporary directory and starts a server that listens only on a
 * unix socket inside that directory (no TCP), with fsync off. When the test process is root, the server
 * runs as the system user `fklens-pg` (created with useradd when missing), since PostgreSQL refuses to run
 * as root. `stop()` shuts it down and removes the directory.
 *
 * Binaries are looked up in $FKLENS_PG_BINDIR, then `pg_config --bindir`, then /usr/lib/postgresql/<n>/bin
 * (highest n). When none is found, startPostgres() throws: tests that need a database fail, they do not skip.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG_SYSTEM_USER = 'fklens-pg';
const SUPERUSER = 'postgres';

export interface ExecOptions {
  /** Stop at the first error and reject (psql ON_ERROR_STOP=1). Default true. */
  onErrorStop?: boolean;
  /** Run the whole script in one transaction (psql --single-transaction). Default false. */
  singleTransaction?: boolean;
  /** psql variables given on the command line (`psql -v name=value`). */
  variables?: Record<string, string>;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** psql's exit code: 0 unless onErrorStop stopped the script (which rejects instead) or psql itself failed. */
  code: number;
}

export interface PgServer {
  /** Directory of the server's data and socket; removed by stop(). */
  readonly baseDir: string;
  /** The unix socket directory (what `psql -h` takes). */
  readonly socketDir: string;
  readonly binDir: string;
  /** Server version as a number, e.g. 150018. */
  readonly versionNum: number;
  /** Creates an empty database (from template0) and returns its name. */
  createDatabase(name: string): Promise<string>;
  /** Runs SQL text with psql -X. Rejects with psql's messages when a statement fails and onErrorStop is on. */
  exec(db: string, sql: string, options?: ExecOptions): Promise<ExecResult>;
  /** Runs a SQL file with psql -X -f (messages name the file and line). */
  execFile(db: string, path: string, options?: ExecOptions): Promise<ExecResult>;
  /** Runs one SELECT (no trailing semicolon needed) and returns its rows as objects, via json_agg. */
  query<T = Record<string, unknown>>(db: string, sql: string): Promise<T[]>;
  /** Stops the server (immediate shutdown) and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

export type FkActionName = 'NO ACTION' | 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'SET DEFAULT';

export interface PgForeignKey {
  name: string;
  schema: string;
  table: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
  onDelete: FkActionName;
  onUpdate: FkActionName;
  match: 'SIMPLE' | 'FULL' | 'PARTIAL';
  deferrable: boolean;
  initiallyDeferred: boolean;
  validated: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Finding the binaries

/** The directory holding initdb, pg_ctl and psql, or a thrown Error saying how to install PostgreSQL. */
export function findPgBinDir(): string {
  const has = (dir: string) => ['initdb', 'pg_ctl', 'psql'].every((b) => existsSync(join(dir, b)));
  const tried: string[] = [];
  const fromEnv = process.env.FKLENS_PG_BINDIR;
  if (fromEnv) {
    if (has(fromEnv)) return fromEnv;
    tried.push(`$FKLENS_PG_BINDIR=${fromEnv}`);
  }
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) {
    const dir = pgConfig.stdout.trim();
    if (has(dir)) return dir;
    tried.push(`pg_config --bindir (${dir})`);
  } else {
    tried.push('pg_config (not found)');
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => parseFloat(b) - parseFloat(a));
    for (const v of versions) {
      const dir = join(root, v, 'bin');
      if (has(dir)) return dir;
      tried.push(dir);
    }
  }
  tried.push(`${root}/*/bin`);
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl, psql) not found; these tests need a real PostgreSQL. ' +
      'Install it with `apt-get install -y postgresql` (or set FKLENS_PG_BINDIR). Looked in: ' +
      tried.join(', '),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Running processes

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal ? `\n(killed by ${signal})` : ''),
      }),
    );
    child.stdin.on('error', () => {
      /* the child may exit before reading all input; its exit code tells */
    });
    child.stdin.end(opts.input ?? '');
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The environment for PostgreSQL tools: the caller's, less PG* variables that could point them elsewhere. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^PG/.test(k)) env[k] = v;
  env.LC_ALL = 'C';
  delete env.LANG;
  return { ...env, ...extra };
}

function userExists(user: string): boolean {
  return spawnSync('id', ['-u', user], { stdio: 'ignore' }).status === 0;
}

/** Creates the system user the server runs as when we are root. Tolerates a concurrent creation. */
function ensureSystemUser(user: string): void {
  if (userExists(user)) return;
  let last = '';
  for (let attempt = 0; attempt < 10; attempt++) {
    const r = spawnSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', user], {
      encoding: 'utf8',
    });
    if (r.status === 0 || userExists(user)) return;
    last = (r.stderr || r.error?.message || '').trim();
    // Another process may hold /etc/passwd's lock (e.g. a parallel test file creating the same user).
    spawnSync('sleep', ['0.2']);
  }
  throw new Error(`could not create system user ${user} to run PostgreSQL as (running as root): ${last}`);
}

// ---------------------------------------------------------------------------------------------------------
// The server

function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export async function startPostgres(): Promise<PgServer> {
  const binDir = findPgBinDir();
  const bin = (name: string) => join(binDir, name);
  const asUser = isRoot() ? PG_SYSTEM_USER : undefined;
  if (asUser) ensureSystemUser(asUser);

  const baseDir = mkdtempSync(join(tmpdir(), 'fklens-pg-'));
  const dataDir = join(baseDir, 'data');
  const socketDir = join(baseDir, 'sock');
  const logFile = join(baseDir, 'server.log');
  let removed = false;
  const removeBase = () => {
    if (removed) return;
    removed = true;
    rmSync(baseDir, { recursive: true, force: true });
  };

  /** Runs a server-side tool (initdb, pg_ctl) as the unprivileged user when we are root. */
  const runServerTool = (tool: string, args: string[]) =>
    asUser
      ? run('runuser', ['-u', asUser, '--', bin(tool), ...args], { cwd: baseDir, env: cleanEnv() })
      : run(bin(tool), args, { cwd: baseDir, env: cleanEnv() });

  let started = false;
  const stopSync = () => {
    if (!started) return;
    started = false;
    const args = ['stop', '-D', dataDir, '-m', 'immediate', '-w'];
    if (asUser) spawnSync('runuser', ['-u', asUser, '--', bin('pg_ctl'), ...args], { cwd: baseDir, env: cleanEnv(), stdio: 'ignore' });
    else spawnSync(bin('pg_ctl'), args, { cwd: baseDir, env: cleanEnv(), stdio: 'ignore' });
  };
  // A test that forgets stop() (or dies on an assertion) must not leave a server behind.
  const onExit = () => {
    stopSync();
    removeBase();
  };
  process.on('exit', onExit);

  try {
    mkdirSync(socketDir, { mode: 0o700 });
    if (asUser) {
      const chown = spawnSync('chown', ['-R', `${asUser}:`, baseDir], { encoding: 'utf8' });
      if (chown.status !== 0) throw new Error(`chown of ${baseDir} to ${asUser} failed: ${chown.stderr}`);
    }

    const init = await runServerTool('initdb', [
      '-D', dataDir, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync',
    ]);
    if (init.code !== 0) throw new Error(`initdb failed (exit ${init.code}):\n${tail(init.stderr || init.stdout)}`);

    // Appended as root keeps the file's owner; settings later in the file win.
    appendFileSync(
      join(dataDir, 'postgresql.conf'),
      [
        '',
        '# fklens test server',
        "listen_addresses = ''",
        `unix_socket_directories = '${socketDir.replace(/'/g, "''")}'`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        'shared_buffers = 32MB',
        'max_connections = 20',
        'max_wal_senders = 0',
        "wal_level = 'minimal'",
        'autovacuum = off',
        "log_min_messages = 'warning'",
        "timezone = 'UTC'",
        '',
      ].join('\n'),
    );

    const start = await runServerTool('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60']);
    if (start.code !== 0) {
      let log = '';
      try {
        log = readFileSync(logFile, 'utf8');
      } catch {
        /* no log */
      }
      throw new Error(`pg_ctl start failed (exit ${start.code}):\n${tail(start.stderr + start.stdout)}\n${tail(log)}`);
    }
    started = true;
  } catch (e) {
    stopSync();
    removeBase();
    process.off('exit', onExit);
    throw e;
  }

  const psqlEnv = cleanEnv({ PGHOST: socketDir, PGUSER: SUPERUSER, PGAPPNAME: 'fklens-tests', PGCONNECT_TIMEOUT: '10' });
  const psql = (db: string, args: string[], input?: string) =>
    run(bin('psql'), ['-X', '-q', '-h', socketDir, '-U', SUPERUSER, '-d', db, ...args], { cwd: baseDir, env: psqlEnv, input });

  const execWith = async (db: string, fileArg: string, input: string | undefined, options: ExecOptions, what: string) => {
    const onErrorStop = options.onErrorStop ?? true;
    const args = ['-v', `ON_ERROR_STOP=${onErrorStop ? 1 : 0}`, '-f', fileArg];
    if (options.singleTransaction) args.push('--single-transaction');
    for (const [name, value] of Object.entries(options.variables ?? {})) args.push('-v', `${name}=${value}`);
    const r = await psql(db, args, input);
    if (r.code !== 0) throw new Error(`psql on database ${db} failed (exit ${r.code}) running ${what}:\n${r.stderr.trim()}`);
    return r;
  };

  const server: PgServer = {
    baseDir,
    socketDir,
    binDir,
    versionNum: 0,
    async createDatabase(name: string) {
      await execWith('postgres', '-', `CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8';\n`, {}, 'CREATE DATABASE');
      return name;
    },
    exec(db, sql, options = {}) {
      return execWith(db, '-', sql, options, 'SQL text');
    },
    execFile(db, path, options = {}) {
      return execWith(db, path, undefined, options, path);
    },
    async query<T>(db: string, sql: string): Promise<T[]> {
      const body = sql.trim().replace(/;\s*$/, '');
      const wrapped = `SELECT coalesce(json_agg(fklens_q), '[]'::json) FROM (\n${body}\n) AS fklens_q;\n`;
      const r = await psql(db, ['-v', 'ON_ERROR_STOP=1', '-At', '-f', '-'], wrapped);
      if (r.code !== 0) throw new Error(`query on database ${db} failed (exit ${r.code}):\n${r.stderr.trim()}\nquery:\n${body}`);
      return JSON.parse(r.stdout) as T[];
    },
    async stop() {
      process.off('exit', onExit);
      if (started) {
        started = false;
        const r = await runServerTool('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '60']);
        if (r.code !== 0) {
          removeBase();
          throw new Error(`pg_ctl stop failed (exit ${r.code}):\n${tail(r.stderr + r.stdout)}`);
        }
      }
      removeBase();
    },
  };
  const [{ v }] = await server.query<{ v: string }>('postgres', "SELECT current_setting('server_version_num') AS v");
  (server as { versionNum: number }).versionNum = Number(v);
  return server;
}

// ---------------------------------------------------------------------------------------------------------
// Reading foreign keys back

const ACTIONS: Record<string, FkActionName> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};
const MATCHES: Record<string, PgForeignKey['match']> = { s: 'SIMPLE', f: 'FULL', p: 'PARTIAL' };

/**
 * Every foreign key of user schemas in `db`, as pg_constraint has them, sorted by schema, table, name.
 * The clones PostgreSQL makes per partition (conparentid <> 0) are left out: only declared keys remain.
 */
export async function foreignKeysOf(pg: PgServer, db: string): Promise<PgForeignKey[]> {
  interface Row {
    name: string;
    schema: string;
    table: string;
    columns: string[];
    refSchema: string;
    refTable: string;
    refColumns: string[];
    deltype: string;
    updtype: string;
    matchtype: string;
    deferrable: boolean;
    initiallyDeferred: boolean;
    validated: boolean;
  }
  const rows = await pg.query<Row>(
    db,
    `SELECT c.conname AS name,
            n.nspname AS schema,
            t.relname AS "table",
            ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
                  ORDER BY k.ord) AS columns,
            rn.nspname AS "refSchema",
            rt.relname AS "refTable",
            ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
                  ORDER BY k.ord) AS "refColumns",
            c.confdeltype AS deltype,
            c.confupdtype AS updtype,
            c.confmatchtype AS matchtype,
            c.condeferrable AS deferrable,
            c.condeferred AS "initiallyDeferred",
            c.convalidated AS validated
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_class rt ON rt.oid = c.confrelid
       JOIN pg_namespace rn ON rn.oid = rt.relnamespace
      WHERE c.contype = 'f'
        AND c.conparentid = 0
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%'
      ORDER BY n.nspname, t.relname, c.conname`,
  );
  const action = (code: string, fk: string) => {
    const a = ACTIONS[code];
    if (!a) throw new Error(`unknown FK action code ${JSON.stringify(code)} on ${fk}`);
    return a;
  };
  return rows.map((r) => ({
    name: r.name,
    schema: r.schema,
    table: r.table,
    columns: r.columns,
    refSchema: r.refSchema,
    refTable: r.refTable,
    refColumns: r.refColumns,
    onDelete: action(r.deltype, r.name),
    onUpdate: action(r.updtype, r.name),
    match: MATCHES[r.matchtype] ?? 'SIMPLE',
    deferrable: r.deferrable,
    initiallyDeferred: r.initiallyDeferred,
    validated: r.validated,
  }));
}
