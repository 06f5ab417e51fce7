/**
 * Every figure of issue 15's table, in one run (prints figures; not a test):
 *   1. `fklens check` of a 5.5 MB dump (danbooru's structure.sql in 28 schemas, one file, generated here) and
 *      squawk on the same file, runs interleaved;
 *   2. `fklens check` of danbooru's 200 KB structure.sql and a bare `node -e 0`, interleaved;
 *   3. `fklens check` of trigger.dev (820 Prisma migrations);
 *   4. the server (dist/server.js over stdio): edit -> publishDiagnostics of that version, on trigger.dev's newest and
 *      middle migration (an FK statement added and removed again, so each version's diagnostics differ);
 *   5. the server's peak RSS on the bench workspace (bench/workspace.ts), its RSS after indexing and after 50 edits.
 * Each command runs FKLENS_BENCH_RUNS times (default 5); printed: median wall time [min-max], median CPU time
 * (user + system, from /usr/bin/time: what the process itself used, steadier than wall time on a busy machine)
 * and median peak RSS. FKLENS_BENCH_DIST=DIR runs another build's cli.js / server.js; FKLENS_BENCH_BEFORE=DIR
 * also runs an older build's cli.js in the same rounds (before / after, interleaved) and its server after this one's.
 *   npm run bench          (npm run bench:squawk first installs squawk into bench/tools/)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CORPUS } from '../test/support/corpus';
import { startServer } from './server';
import { findSquawk } from './squawk';
import { generateBenchWorkspace } from './workspace';

const ROOT = resolve(__dirname, '../..');
const DIST = resolve(process.env.FKLENS_BENCH_DIST ?? join(ROOT, 'dist'));
const CLI = join(DIST, 'cli.js');
const BEFORE = process.env.FKLENS_BENCH_BEFORE ? resolve(process.env.FKLENS_BENCH_BEFORE) : undefined;
const RUNS = Math.max(1, Number(process.env.FKLENS_BENCH_RUNS ?? 5));
const EDITS = Math.max(10, Number(process.env.FKLENS_BENCH_EDITS ?? 40));
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const DANBOORU = join(CORPUS, 'danbooru-structure/files');
const TRIGGER = join(CORPUS, 'triggerdev-prisma/files');

interface Run {
  wallMs: number;
  cpuMs?: number;
  rssMiB?: number;
}

/** One run of a command: wall time, and CPU time and peak RSS when GNU time is there. */
function run(command: string, args: string[]): Run {
  const t = performance.now();
  const r = GNU_TIME
    ? spawnSync(GNU_TIME, ['-f', '\n@@time %U %S %M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wallMs = performance.now() - t;
  if (r.error) throw r.error;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}: ${r.stderr.slice(-500)}`);
  const m = /@@time ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr ?? '');
  return m ? { wallMs, cpuMs: (Number(m[1]) + Number(m[2])) * 1000, rssMiB: Number(m[3]) / 1024 } : { wallMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

function summary(runs: Run[]): { wall: number; cpu?: number; rss?: number; text: string } {
  const walls = runs.map((r) => r.wallMs);
  const cpus = runs.flatMap((r) => (r.cpuMs === undefined ? [] : [r.cpuMs]));
  const rss = runs.flatMap((r) => (r.rssMiB === undefined ? [] : [r.rssMiB]));
  const cpu = cpus.length ? median(cpus) : undefined;
  const peak = rss.length ? median(rss) : undefined;
  const text =
    `wall ${median(walls).toFixed(0)} ms [${Math.min(...walls).toFixed(0)}-${Math.max(...walls).toFixed(0)}]` +
    (cpu !== undefined ? `, CPU ${cpu.toFixed(0)} ms [${Math.min(...cpus).toFixed(0)}-${Math.max(...cpus).toFixed(0)}]` : '') +
    (peak !== undefined ? `, ${peak.toFixed(0)} MiB` : '');
  return { wall: median(walls), cpu, rss: peak, text };
}

/**
 * Runs the commands in turn, RUNS rounds (interleaved, so that a busy moment of the machine hits all of them); with
 * FKLENS_BENCH_BEFORE, the older build's run of each fklens command too (label 'before').
 */
function interleaved(commands: [string, string, string[]][]): Map<string, Run[]> {
  if (BEFORE) {
    const own = commands.find(([label]) => label === 'fklens');
    if (own) commands = [...commands, ['before', own[1], own[2].map((a) => (a === CLI ? join(BEFORE, 'cli.js') : a))]];
  }
  const out = new Map<string, Run[]>(commands.map(([label]) => [label, []]));
  for (let i = 0; i < RUNS; i++) for (const [label, command, args] of commands) out.get(label)!.push(run(command, args));
  return out;
}

/** The 5.5 MB dump of issue 15: danbooru's structure.sql once per schema copy_01 .. copy_28, in one file. */
function generateDump(dir: string): number {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const dump = readFileSync(join(DANBOORU, 'db/structure.sql'), 'utf8');
  let text = '';
  for (let i = 1; i <= 28; i++) {
    const schema = `copy_${String(i).padStart(2, '0')}`;
    text += `CREATE SCHEMA ${schema};\n` + dump.replace(/\bpublic\./g, `${schema}.`).replace(/SCHEMA public\b/g, `SCHEMA ${schema}`) + '\n';
  }
  writeFileSync(join(dir, 'structure.sql'), text);
  return Buffer.byteLength(text);
}

/** The older build's figures of the same rounds, when FKLENS_BENCH_BEFORE is set. */
function before(runs: Map<string, Run[]>, own: { wall: number; cpu?: number }): void {
  const old = runs.get('before');
  if (!old) return;
  const b = summary(old);
  console.log(`  before (${BEFORE}): ${b.text}; now / before: wall ${ratio(own.wall, b.wall)}, CPU ${ratio(own.cpu, b.cpu)}`);
}

const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? `${(a / b).toFixed(2)} x` : 'n/a');

async function serverEdits(dist: string): Promise<void> {
  const server = await startServer(TRIGGER, dist);
  try {
    const migrations = 'internal-packages/database/prisma/migrations';
    const folders = readdirSorted(join(TRIGGER, migrations));
    for (const [label, folder] of [['newest', folders[folders.length - 1]], ['middle', folders[folders.length >> 1]]] as const) {
      const file = `${migrations}/${folder}/migration.sql`;
      const uri = server.uri(file);
      const original = readFileSync(join(TRIGGER, file), 'utf8');
      // A statement with a finding (its referenced table does not exist), typed in and removed again.
      const edited = original + '\nALTER TABLE "fklens_bench" ADD CONSTRAINT "fklens_bench_fkey" FOREIGN KEY ("x") REFERENCES "fklens_missing"("id");\n';
      const times = await server.timedEdits(uri, original, edited, EDITS);
      console.log(`  ${label} migration (${folder}): p50 ${quantile(times, 0.5).toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms, worst ${Math.max(...times).toFixed(1)} ms (${EDITS} edits)   goal p95 <= 50 ms`);
    }
  } finally {
    await server.stop();
  }
}

function readdirSorted(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

async function serverMemory(dist: string): Promise<void> {
  const root = resolve(ROOT, 'bench/workspace');
  const generated = generateBenchWorkspace(root, Number(process.env.FKLENS_BENCH_COPIES ?? 25));
  const t = performance.now();
  const server = await startServer(root, dist);
  try {
    const files = readdirSync(join(root, 'db/schema')).sort();
    const file = `db/schema/${files[files.length - 1]}`;
    const uri = server.uri(file);
    const original = readFileSync(join(root, file), 'utf8');
    // The server logs 'Indexed' once the diagnostics that follow indexing are out; let it settle a little.
    await new Promise((r) => setTimeout(r, 500));
    const indexedMs = performance.now() - t;
    const afterIndex = server.memory();
    const at = original.indexOf('ON DELETE RESTRICT');
    const edited = original.slice(0, at) + 'ON DELETE SET NULL' + original.slice(at + 'ON DELETE RESTRICT'.length) + '\nCREATE TABLE fklens_bench (id int REFERENCES fklens_missing (id));\n';
    const times = await server.timedEdits(uri, original, edited, 50);
    const afterEdits = server.memory();
    const mib = (m: number | undefined) => (m === undefined ? 'n/a' : `${m.toFixed(0)} MiB`);
    console.log(`server on the bench workspace (${generated.files} files, ${(generated.bytes / 1e6).toFixed(1)} MB): indexed in ${indexedMs.toFixed(0)} ms`);
    console.log(`  RSS after indexing ${mib(afterIndex?.rssMiB)}; after 50 edits of the newest file ${mib(afterEdits?.rssMiB)} (edit -> diagnostics p50 ${quantile(times, 0.5).toFixed(0)} ms, p95 ${quantile(times, 0.95).toFixed(0)} ms)`);
    console.log(`  peak RSS ${mib(afterEdits?.peakMiB)}   goal <= 250 MiB`);
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  console.log(`build: ${DIST}; ${RUNS} runs of each command, interleaved; ${GNU_TIME ? 'CPU time and peak RSS from /usr/bin/time' : 'no /usr/bin/time: wall time only'}`);
  const dumpDir = resolve(ROOT, 'bench/dump28');
  const bytes = generateDump(dumpDir);
  const squawk = findSquawk();
  const big = interleaved([
    ['fklens', process.execPath, [CLI, 'check', dumpDir, '--format', 'json', '--fail-on', 'never']],
    ...(squawk ? [['squawk', squawk, ['--reporter', 'json', join(dumpDir, 'structure.sql')]] as [string, string, string[]]] : []),
  ]);
  const f = summary(big.get('fklens')!);
  console.log(`fklens check, ${(bytes / 1e6).toFixed(1)} MB dump (danbooru x 28 schemas): ${f.text}`);
  before(big, f);
  if (squawk) {
    const s = summary(big.get('squawk')!);
    console.log(`squawk ${squawk.includes('/') ? '' : '(PATH) '}on the same file: ${s.text}`);
    console.log(`  fklens / squawk: wall ${ratio(f.wall, s.wall)}, CPU ${ratio(f.cpu, s.cpu)}, memory ${ratio(f.rss, s.rss)}   goal time <= 0.5 x, memory <= 2 x`);
  } else {
    console.log('squawk not found (npm run bench:squawk installs it into bench/tools/, or set FKLENS_SQUAWK)');
  }

  const small = interleaved([
    ['fklens', process.execPath, [CLI, 'check', DANBOORU, '--fail-on', 'never']],
    ['node', process.execPath, ['-e', '0']],
  ]);
  const d = summary(small.get('fklens')!);
  const n = summary(small.get('node')!);
  console.log(`fklens check, danbooru structure.sql (200 KB): ${d.text}`);
  before(small, d);
  console.log(`node -e 0: ${n.text}`);
  console.log(`  fklens / node start: wall ${ratio(d.wall, n.wall)}, CPU ${ratio(d.cpu, n.cpu)}   goal <= 3 x`);

  const triggerRuns = interleaved([['fklens', process.execPath, [CLI, 'check', TRIGGER, '--fail-on', 'never']]]);
  const trigger = summary(triggerRuns.get('fklens')!);
  console.log(`fklens check, trigger.dev (820 migrations): ${trigger.text}   goal <= 300 ms`);
  before(triggerRuns, trigger);

  for (const dist of BEFORE ? [DIST, BEFORE] : [DIST]) {
    console.log(`server (${join(dist, 'server.js')}): edit -> publishDiagnostics of that version, trigger.dev, over stdio:`);
    await serverEdits(dist);
    await serverMemory(dist);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
