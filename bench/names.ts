/**
 * Default constraint / index names at scale (issue 13; prints figures, not a test): `fklens model` and
 * `fklens check` of generated workspaces whose replay chooses many default names:
 *   - many:  8,000 tables, each with an unnamed PRIMARY KEY, UNIQUE, CHECK, FK and CREATE INDEX;
 *   - wide:  one table with 1,599 FK columns (PostgreSQL's most with a key) whose default names collide after
 *            63 bytes (`_fkey`, `_fkey1`, ... `_fkey1598`);
 *   - wider: the same with 3,200 FK columns (more than PostgreSQL allows; FK Lens must not blow up on it).
 *   - steps: `many` in 40 migration files (a replay that crosses files, as the editor's checkpoints see it).
 * CPU time (user + system) and peak RSS of the child process, as the CLI reports them through a preload.
 * FKLENS_BENCH_DIST=DIR runs another build's cli.js; FKLENS_BENCH_BEFORE=DIR also runs an older build's cli.js in
 * the same rounds (interleaved, so a busy moment of the machine hits both). FKLENS_BENCH_RUNS (default 3).
 *   npm run build && npm run compile-tests && node out/bench/names.js
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const DIST = resolve(process.env.FKLENS_BENCH_DIST ?? join(ROOT, 'dist'));
const BEFORE = process.env.FKLENS_BENCH_BEFORE ? resolve(process.env.FKLENS_BENCH_BEFORE) : undefined;
const RUNS = Math.max(1, Number(process.env.FKLENS_BENCH_RUNS ?? 3));
const work = mkdtempSync(join(tmpdir(), 'fklens-bench-names-'));

const probe = join(work, 'probe.js');
writeFileSync(
  probe,
  "const fs = require('fs'); process.on('exit', () => { const u = process.resourceUsage(); try { fs.writeSync(3, JSON.stringify({ cpu: (u.userCPUTime + u.systemCPUTime) / 1e6, rss: u.maxRSS / 1024 })); } catch {} });\n",
);

/** 8,000 tables, every key, CHECK, FK and index of them unnamed. */
export function manyTablesSql(n: number): string {
  let sql = 'CREATE TABLE t0 (id int PRIMARY KEY);\n';
  for (let i = 1; i < n; i++) sql += `CREATE TABLE t${i} (id int PRIMARY KEY, p int REFERENCES t${i - 1}, u int UNIQUE CHECK (u > 0));\nCREATE INDEX ON t${i} (p);\n`;
  return sql;
}

/** One table with n FK columns whose default names cut to the same 63 bytes. */
export function wideTableSql(n: number): string {
  const prefix = 'a_rather_long_column_name_sharing_its_first_bytes_';
  return 'CREATE TABLE p (id int PRIMARY KEY);\n' + `CREATE TABLE wide_table_with_a_long_name (id int PRIMARY KEY${Array.from({ length: n }, (_, i) => `,\n  ${prefix}${i} int REFERENCES p`).join('')});\n`;
}

function workspace(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

function inSteps(sql: string, steps: number): Record<string, string> {
  const lines = sql.split('\n');
  const per = Math.ceil(lines.length / steps);
  const out: Record<string, string> = {};
  for (let i = 0; i < steps; i++) out[`${String(i + 1).padStart(3, '0')}_step.up.sql`] = lines.slice(i * per, (i + 1) * per).join('\n') + '\n';
  return out;
}

interface Run {
  cpu: number;
  rss: number;
  status: number | null;
}

function run(cli: string, args: string[]): Run {
  const r = spawnSync(process.execPath, ['--require', probe, cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  const usage = JSON.parse((r.output?.[3] as string | undefined) || '{"cpu":-1,"rss":-1}') as { cpu: number; rss: number };
  return { ...usage, status: r.status };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function main(): void {
  const workloads: [string, string][] = [
    ['many (8,000 tables)', workspace('many', { 'schema.sql': manyTablesSql(8000) })],
    ['steps (8,000 tables in 40 files)', workspace('steps', inSteps(manyTablesSql(8000), 40))],
    ['wide (1,599 FK columns)', workspace('wide', { 'schema.sql': wideTableSql(1599) })],
    ['wider (3,200 FK columns)', workspace('wider', { 'schema.sql': wideTableSql(3200) })],
  ];
  const builds: [string, string][] = [['after', join(DIST, 'cli.js')], ...(BEFORE ? [['before', join(BEFORE, 'cli.js')] as [string, string]] : [])];
  console.log(`CPU seconds (user + system) and peak RSS, median of ${RUNS} runs [min-max]; builds: ${builds.map(([l, c]) => `${l} = ${c}`).join(', ')}`);
  for (const [label, dir] of workloads) {
    for (const command of ['model', 'check']) {
      const args = command === 'check' ? ['check', dir, '--format', 'json', '--fail-on', 'never'] : ['model', dir];
      const runs = new Map<string, Run[]>(builds.map(([b]) => [b, []]));
      for (let i = 0; i < RUNS; i++) for (const [b, cli] of builds) runs.get(b)!.push(run(cli, args));
      const cells = builds.map(([b]) => {
        const rs = runs.get(b)!;
        const cpus = rs.map((r) => r.cpu);
        const bad = rs.find((r) => r.status !== 0);
        return `${b} ${median(cpus).toFixed(2)} s [${Math.min(...cpus).toFixed(2)}-${Math.max(...cpus).toFixed(2)}], ${median(rs.map((r) => r.rss)).toFixed(0)} MB${bad ? ` (exit ${bad.status})` : ''}`;
      });
      console.log(`${label.padEnd(34)} ${command.padEnd(6)} ${cells.join('   ')}`);
    }
  }
}

try {
  main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
