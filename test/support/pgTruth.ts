/**
 * The PostgreSQL truth of a corpus source, computed: its files applied to a fresh database of a throw-away
 * PostgreSQL in the order the manifest gives, then the catalog read back. The same facts the corpus's
 * truth.json holds (foreign keys with actions, deferrability, validation; which index PostgreSQL can use for
 * each; the FK columns' type, NOT NULL and default), so a corpus fetched with `npm run corpus` needs no truth
 * files. test/corpus/truth.test.ts checks this computation against the stored truth where the corpus has it.
 *
 * Index usability follows PostgreSQL itself: an index is a candidate when it is valid and its leading key
 * columns are exactly the FK's columns (in any order); a non-partial candidate is usable; a partial one only
 * when the planner uses it for the query the referential-integrity trigger runs on the child
 * (`SELECT 1 FROM ONLY child x WHERE $1 = fkcol ... FOR KEY SHARE OF x`, generic plan, sequential scans off),
 * with every other index of the table hidden (pg_index.indisvalid set false in a rolled-back subtransaction).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Minimatch } from 'minimatch';
import { CORPUS, type PgTruth, type PostgresSource, type TruthForeignKey } from './corpus';
import { startPostgres, type PgServer } from './postgres';

let server: Promise<PgServer> | undefined;
const computed = new Map<string, Promise<PgTruth>>();

/** The source's truth: the stored truth.json when the corpus has one, else computed (once per process). */
export function truthOf(source: PostgresSource): Promise<PgTruth> {
  return source.storedTruth ? Promise.resolve(source.storedTruth) : computePgTruth(source);
}

/** Computes the truth in PostgreSQL (cached per source for the process). */
export function computePgTruth(source: PostgresSource): Promise<PgTruth> {
  let truth = computed.get(source.id);
  if (!truth) computed.set(source.id, (truth = compute(source)));
  return truth;
}

/** Stops the server computePgTruth started, if any (an `after` hook). */
export async function stopTruthServer(): Promise<void> {
  const s = server;
  server = undefined;
  if (s) await (await s).stop();
}

/** The files a source applies, in order: each glob of the manifest, its matches in path order. */
export function applyOrder(source: PostgresSource): string[] {
  const base = join(CORPUS, source.id);
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else all.push(relative(base, join(dir, e.name)).split('\\').join('/'));
    }
  };
  walk(join(base, 'files'));
  const out: string[] = [];
  for (const pattern of source.source.postgres!.apply) {
    const glob = new Minimatch(pattern, { dot: true });
    out.push(...all.filter((p) => glob.match(p)).sort());
  }
  return out;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function compute(source: PostgresSource): Promise<PgTruth> {
  const pg = await (server ??= startPostgres());
  const db = await pg.createDatabase(`truth_${source.id.replace(/[^a-z0-9]/g, '_')}`);
  const base = join(CORPUS, source.id);
  const script = [
    '\\set ON_ERROR_STOP 1',
    source.source.postgres!.prelude ?? '',
    ...applyOrder(source).map((f) => `\\i '${join(base, f).replace(/'/g, "''")}'`),
    // Reads a plan with every index of the table but one hidden; the subtransaction rolls the hiding back.
    `CREATE SCHEMA fklens_truth;
CREATE FUNCTION fklens_truth.plan(tbl oid, keep oid, types text, stmt text, args text) RETURNS json LANGUAGE plpgsql AS $f$
DECLARE plan json; detail text;
BEGIN
  BEGIN
    UPDATE pg_index SET indisvalid = false WHERE indrelid = tbl AND indexrelid <> keep;
    PERFORM set_config('plan_cache_mode', 'force_generic_plan', true);
    PERFORM set_config('enable_seqscan', 'off', true);
    PERFORM set_config('enable_partition_pruning', 'off', true);
    EXECUTE format('PREPARE fklens_ri(%s) AS %s', types, stmt);
    EXECUTE format('EXPLAIN (FORMAT JSON) EXECUTE fklens_ri(%s)', args) INTO plan;
    DEALLOCATE fklens_ri;
    RAISE EXCEPTION 'fklens rollback' USING DETAIL = plan::text;
  EXCEPTION WHEN raise_exception THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN detail::json;
  END;
END $f$;`,
  ].join('\n');
  const file = join(pg.baseDir, `${db}.sql`);
  writeFileSync(file, script + '\n');
  await pg.execFile(db, file);

  interface FkRow {
    schema: string;
    name: string;
    child_table: string;
    child_columns: string[];
    parent_schema: string;
    parent_table: string;
    parent_columns: string[];
    on_delete: string;
    on_update: string;
    deferrable: boolean;
    initially_deferred: boolean;
    validated: boolean;
    conrelid: number;
    conkey: number[];
    parent_types: string[];
    operators: string[];
  }
  const ACTION: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
  const fks = await pg.query<FkRow & { deltype: string; updtype: string }>(
    db,
    `SELECT n.nspname AS schema, c.conname AS name, t.relname AS child_table,
            ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS child_columns,
            rn.nspname AS parent_schema, rt.relname AS parent_table,
            ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS parent_columns,
            ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS parent_types,
            ARRAY(SELECT format('OPERATOR(%I.%s)', opn.nspname, op.oprname) FROM unnest(c.conpfeqop) WITH ORDINALITY k(op, o) JOIN pg_operator op ON op.oid = k.op JOIN pg_namespace opn ON opn.oid = op.oprnamespace ORDER BY k.o) AS operators,
            c.confdeltype AS deltype, c.confupdtype AS updtype, c.condeferrable AS deferrable, c.condeferred AS initially_deferred,
            c.convalidated AS validated, c.conrelid::int AS conrelid, c.conkey::int[] AS conkey
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_class rt ON rt.oid = c.confrelid JOIN pg_namespace rn ON rn.oid = rt.relnamespace
      WHERE c.contype = 'f' AND c.conparentid = 0
      ORDER BY n.nspname, t.relname, c.conname`,
  );
  interface IndexRow {
    oid: number;
    name: string;
    table: number;
    keys: number[];
    partial: boolean;
  }
  const indexes = await pg.query<IndexRow>(
    db,
    `SELECT i.indexrelid::int AS oid, ic.relname AS name, i.indrelid::int AS "table",
            (string_to_array(i.indkey::text, ' ')::int[])[1:i.indnkeyatts] AS keys, i.indpred IS NOT NULL AS partial
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE i.indisvalid AND i.indrelid IN (SELECT conrelid FROM pg_constraint WHERE contype = 'f')`,
  );

  const foreignKeys: TruthForeignKey[] = [];
  for (const fk of fks) {
    const n = fk.conkey.length;
    const wanted = [...fk.conkey].sort((a, b) => a - b).join(',');
    const candidates = indexes.filter((i) => i.table === fk.conrelid && i.keys.length >= n && [...i.keys.slice(0, n)].sort((a, b) => a - b).join(',') === wanted);
    const usable: string[] = [];
    for (const index of candidates) {
      if (!index.partial) {
        usable.push(index.name);
        continue;
      }
      const where = fk.child_columns.map((c, k) => `$${k + 1} ${fk.operators[k]} ${quote(c)}`).join(' AND ');
      const stmt = `SELECT 1 FROM ONLY ${quote(fk.schema)}.${quote(fk.child_table)} x WHERE ${where} FOR KEY SHARE OF x`;
      const [{ plan }] = await pg.query<{ plan: unknown }>(
        db,
        `SELECT fklens_truth.plan(${fk.conrelid}, ${index.oid}, ${lit(fk.parent_types.join(', '))}, ${lit(stmt)}, ${lit(fk.parent_types.map(() => 'NULL').join(', '))}) AS plan`,
      );
      if (planUses(plan, index.name, n)) usable.push(index.name);
    }
    foreignKeys.push({
      schema: fk.schema,
      name: fk.name,
      child_table: fk.child_table,
      child_columns: fk.child_columns,
      parent_schema: fk.parent_schema,
      parent_table: fk.parent_table,
      parent_columns: fk.parent_columns,
      on_delete: ACTION[fk.deltype],
      on_update: ACTION[fk.updtype],
      deferrable: fk.deferrable,
      initially_deferred: fk.initially_deferred,
      validated: fk.validated,
      indexed_usable: usable.length > 0,
      indexed_usable_by: usable.sort(),
    });
  }

  const columns = await pg.query<{ tbl: string; name: string; type: string; not_null: boolean; default: string | null }>(
    db,
    `SELECT DISTINCT n.nspname || '.' || t.relname AS tbl, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS "default"
       FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey) k(attnum)
       JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.contype = 'f' AND c.conparentid = 0`,
  );
  const fkColumns: PgTruth['fk_columns'] = {};
  for (const c of columns) (fkColumns[c.tbl] ??= {})[c.name] = { type: c.type, not_null: c.not_null, default: c.default };
  return { foreign_keys: foreignKeys, fk_columns: fkColumns };
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Does the plan scan `index` with all `n` parameters in its Index Cond, and no table sequentially? */
function planUses(plan: unknown, index: string, n: number): boolean {
  let uses = false;
  let seq = false;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const type = o['Node Type'];
    if (type === 'Seq Scan') seq = true;
    if ((type === 'Index Scan' || type === 'Index Only Scan' || type === 'Bitmap Index Scan') && o['Index Name'] === index) {
      const cond = String(o['Index Cond'] ?? '');
      if (Array.from({ length: n }, (_, k) => `$${k + 1}`).every((p) => new RegExp(`\\${p}(?!\\d)`).test(cond))) uses = true;
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit(plan);
  return uses && !seq;
}
