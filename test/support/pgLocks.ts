/**
 * What a statement locks in a real PostgreSQL, read from `pg_locks`:
 * - `observeInTransaction`: the statement runs inside BEGIN ... ROLLBACK after its setup; the session's relation
 *   locks are read before the ROLLBACK, with whether the statement read the table sequentially
 *   (`pg_stat_xact_user_tables.seq_tup_read`, which counts this transaction only) and whether the table got a
 *   new file (`pg_class.relfilenode`: a rewrite). Hash and merge joins are off in that session, so the query that
 *   checks an FK looks the referenced table's keys up through its index instead of reading it whole (a choice
 *   the planner makes by table sizes; the model's `scan` is about the tables a statement reads row by row).
 * - `observeWhileWaiting`: for statements that cannot run in a transaction (CREATE / DROP INDEX CONCURRENTLY):
 *   another session holds a lock the statement must wait for, and the locks the statement holds meanwhile
 *   are read from pg_locks by its pid. The blocker must read no rows itself (LOCK TABLE does not): reads are
 *   judged from pg_stat_user_tables, which counts every session's.
 * - `holdLock`: a background session that holds locks until released (the rule tests use it to show what
 *   queues behind a waiting statement).
 * Tables are named as they were before the statement (schema.name); tables the statement creates by their new name.
 */
import type { LockMode } from '../../server/src/sources/events';
import type { PgServer } from './postgres';

export interface ObservedLock {
  /** schema.table */
  table: string;
  /** The strongest mode the session holds on the table. */
  mode: LockMode;
  /** Every mode it holds. */
  modes: LockMode[];
  /** rewrite: a new relfilenode, its rows read into it; scan: its rows read sequentially; none otherwise. */
  scan: 'none' | 'scan' | 'rewrite';
}

interface TableRow {
  oid: number;
  name: string;
  node: number;
  /** Rows read by sequential scans. */
  read: number;
}

const READ = `coalesce(s.seq_tup_read, 0)`;
const TABLES = (stats: string) => `FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN ${stats} s ON s.relid = c.oid
 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`;

const SNAPSHOT = `SELECT coalesce(json_agg(json_build_object('oid', c.oid::bigint, 'name', n.nspname || '.' || c.relname, 'node', c.relfilenode::bigint,
    'read', ${READ})), '[]') ${TABLES('pg_stat_xact_user_tables')}`;

const LOCKS_OF = (pid: string) =>
  `SELECT coalesce(json_agg(json_build_object('oid', relation::bigint, 'mode', mode)), '[]') FROM pg_locks WHERE pid = ${pid} AND locktype = 'relation' AND granted`;

/** `AccessExclusiveLock` -> `ACCESS EXCLUSIVE`. */
export function lockModeName(pgMode: string): LockMode {
  return pgMode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase() as LockMode;
}

const RANK: LockMode[] = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'];

function summarize(before: TableRow[], after: TableRow[], locks: { oid: number; mode: string }[]): Map<string, ObservedLock> {
  const byOid = new Map<number, { before?: TableRow; after?: TableRow }>();
  for (const t of before) byOid.set(t.oid, { before: t });
  for (const t of after) byOid.set(t.oid, { ...byOid.get(t.oid), after: t });
  const out = new Map<string, ObservedLock>();
  for (const lock of locks) {
    const t = byOid.get(lock.oid);
    if (!t) continue; // an index, a sequence, a catalog
    const name = (t.before ?? t.after)!.name;
    const mode = lockModeName(lock.mode);
    let entry = out.get(name);
    if (!entry) {
      // Rows read while the statement ran; TRUNCATE's new, empty file is no rewrite (nothing is read into it).
      const scanned = !!t.before && !!t.after && t.after.read > t.before.read;
      const rewritten = scanned && t.after!.node !== t.before!.node;
      entry = { table: name, mode, modes: [], scan: rewritten ? 'rewrite' : scanned ? 'scan' : 'none' };
      out.set(name, entry);
    }
    entry.modes.push(mode);
    if (RANK.indexOf(mode) > RANK.indexOf(entry.mode)) entry.mode = mode;
  }
  return out;
}

/** Prefixed lines of psql's unaligned tuples-only output. */
function tagged(stdout: string, tag: string): unknown {
  const line = stdout.split('\n').find((l) => l.startsWith(`${tag}:`));
  if (!line) throw new Error(`no ${tag} line in:\n${stdout}`);
  return JSON.parse(line.slice(tag.length + 1));
}

/** The statement inside BEGIN ... ROLLBACK on `db` (its setup committed before): what its session holds at the end. */
export async function observeInTransaction(pg: PgServer, db: string, statement: string): Promise<Map<string, ObservedLock>> {
  const script = [
    '\\t on',
    '\\a',
    'SET enable_hashjoin = off;',
    'SET enable_mergejoin = off;',
    'BEGIN;',
    `SELECT 'before:' || (${SNAPSHOT});`,
    `${statement.trim().replace(/;\s*$/, '')};`,
    `SELECT 'after:' || (${SNAPSHOT});`,
    `SELECT 'locks:' || (${LOCKS_OF('pg_backend_pid()')});`,
    'ROLLBACK;',
    '',
  ].join('\n');
  const r = await pg.exec(db, script);
  return summarize(tagged(r.stdout, 'before') as TableRow[], tagged(r.stdout, 'after') as TableRow[], tagged(r.stdout, 'locks') as { oid: number; mode: string }[]);
}

export interface HeldLock {
  pid: number;
  /** Ends the holding session's transaction (its locks go) and waits for it. */
  release(): Promise<void>;
}

let sessions = 0;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs `sql` in a background session that then sleeps inside its transaction: the locks it took stay held
 * until `release()`. `sql` must open the transaction (BEGIN; ...).
 */
export async function holdLock(pg: PgServer, db: string, sql: string): Promise<HeldLock> {
  const name = `fklens_hold_${process.pid}_${++sessions}`;
  const running = pg.exec(db, `SET application_name = '${name}';\n${sql}\nSELECT pg_sleep(120);\nCOMMIT;\n`).catch(() => undefined);
  const pid = await waitFor(`session ${name} to sleep`, async () => {
    const rows = await pg.query<{ pid: number }>(db, `SELECT pid FROM pg_stat_activity WHERE application_name = '${name}' AND query LIKE '%pg_sleep%' AND state = 'active'`);
    return rows[0]?.pid;
  });
  return {
    pid,
    async release() {
      await pg.query(db, `SELECT pg_cancel_backend(${pid})`);
      await running;
    },
  };
}

/**
 * A statement that cannot run inside a transaction block: while `blocker` (a transaction a background session
 * keeps open) makes it wait, the locks it holds are read by its pid; then the blocker ends and the statement
 * finishes. Its reads are judged from the table statistics after it ends.
 */
export async function observeWhileWaiting(pg: PgServer, db: string, blocker: string, statement: string): Promise<Map<string, ObservedLock>> {
  const readCounts = async () =>
    pg.query<TableRow>(db, `SELECT c.oid::bigint AS oid, n.nspname || '.' || c.relname AS name, c.relfilenode::bigint AS node, ${READ} AS read ${TABLES('pg_stat_user_tables')}`);
  const before = await readCounts();
  const held = await holdLock(pg, db, blocker);
  const name = `fklens_target_${process.pid}_${++sessions}`;
  let failed: unknown;
  const running = pg.exec(db, `SET application_name = '${name}';\n${statement.trim().replace(/;\s*$/, '')};\n`).catch((e) => (failed = e));
  let locks: { oid: number; mode: string }[];
  try {
    const pid = await waitFor(`${statement} to wait for a lock`, async () => {
      if (failed) throw failed;
      const rows = await pg.query<{ pid: number }>(db, `SELECT pid FROM pg_stat_activity WHERE application_name = '${name}' AND wait_event_type = 'Lock'`);
      return rows[0]?.pid;
    });
    locks = (await pg.query<{ oid: number; mode: string }>(db, `SELECT relation::bigint AS oid, mode FROM pg_locks WHERE pid = ${pid} AND locktype = 'relation' AND granted`)).map((l) => ({ oid: Number(l.oid), mode: l.mode }));
  } finally {
    await held.release();
    await running;
  }
  if (failed) throw failed;
  // The statement's session has ended: its statistics reach pg_stat_user_tables shortly after.
  const after = await waitFor('the statistics of the finished statement', async () => {
    const now = await readCounts();
    return now.some((t) => before.some((b) => b.oid === t.oid && t.read > b.read)) && now;
  }, 5000).catch(readCounts);
  const norm = (rows: TableRow[]) => rows.map((r) => ({ ...r, oid: Number(r.oid), node: Number(r.node) }));
  return summarize(norm(before), norm(after), locks);
}

export interface BackgroundSession {
  /** Resolves once the session waits for a lock (rejects if it finished or failed first). */
  waiting(): Promise<void>;
  /** psql's messages when it ended (an error does not reject: a lock timeout is an expected outcome). */
  done: Promise<{ stderr: string; ms: number }>;
}

/** Runs `sql` in a session of its own, without waiting for it. */
export function inBackground(pg: PgServer, db: string, sql: string): BackgroundSession {
  const name = `fklens_bg_${process.pid}_${++sessions}`;
  const started = Date.now();
  let finished = false;
  const done = pg
    .exec(db, `SET application_name = '${name}';\n${sql}\n`, { onErrorStop: false })
    .then((r) => ({ stderr: r.stderr, ms: Date.now() - started }))
    .finally(() => (finished = true));
  return {
    done,
    waiting: async () => {
      await waitFor(`${name} to wait for a lock`, async () => {
        if (finished) throw new Error(`the session ended before it waited: ${(await done).stderr}`);
        const rows = await pg.query(db, `SELECT 1 FROM pg_stat_activity WHERE application_name = '${name}' AND wait_event_type = 'Lock'`);
        return rows.length > 0;
      });
    },
  };
}

/** Does `sql` (in a fresh session with a short lock_timeout) have to wait for a lock? */
export async function waitsForLock(pg: PgServer, db: string, sql: string, timeout = '300ms'): Promise<boolean> {
  const r = await pg.exec(db, `SET lock_timeout = '${timeout}';\nBEGIN;\n${sql};\nROLLBACK;\n`, { onErrorStop: false });
  if (r.stderr && !/lock timeout/.test(r.stderr) && /ERROR/.test(r.stderr)) throw new Error(r.stderr);
  return /lock timeout/.test(r.stderr);
}
