/**
 * Benchmark of the rules (prints figures; not a test): every rule over the bench workspace, cold (cascade
 * reaches computed) and after a one-statement edit in the newest migration (only that history is replayed;
 * its reaches are computed again), and the per-rule split of the cold run.
 *   npm run compile-tests && node out/bench/rules.js
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyze } from '../server/src/analysis/analyze';
import { RULES } from '../server/src/analysis/rules/index';
import { openWorkspace } from '../server/src/workspace/open';
import { generateBenchWorkspace } from './workspace';

async function main(): Promise<void> {
  const root = resolve(__dirname, '../../bench/workspace');
  generateBenchWorkspace(root, Number(process.env.FKLENS_BENCH_COPIES ?? 25));
  const workspace = await openWorkspace(root);
  const model = workspace.model();
  const fks = model.histories.reduce((n, h) => n + h.foreignKeys.length, 0);

  const perRule: [string, number, number][] = [];
  for (const rule of RULES) {
    const t = performance.now();
    const { findings } = analyze(model, { rules: {}, protectedTables: ['orders', 'payment', 'rental'] }, [rule]);
    perRule.push([rule.id, performance.now() - t, findings.length]);
  }
  const t0 = performance.now();
  const all = analyze(workspace.model(), { rules: {}, protectedTables: ['orders', 'payment', 'rental'] });
  const warm = performance.now() - t0;

  const files = workspace.filePaths().sort();
  const newest = files[files.length - 1];
  const original = workspace.text(newest)!;
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    workspace.setFile(newest, i % 2 === 0 ? original + '\n-- edit\n' : original);
    const m = workspace.model();
    const t = performance.now();
    analyze(m, { rules: {}, protectedTables: ['orders', 'payment', 'rental'] });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(`workspace: ${model.histories.length} histories, ${fks} foreign keys, ${all.findings.length} findings`);
  for (const [id, ms, n] of perRule.sort((a, b) => b[1] - a[1])) console.log(`  ${id.padEnd(30)} ${ms.toFixed(1).padStart(7)} ms  ${n} findings`);
  console.log(`all rules, cascade reaches cached: ${warm.toFixed(1)} ms`);
  console.log(`all rules after an edit of the newest migration: median ${times[times.length >> 1].toFixed(1)} ms, worst ${times[times.length - 1].toFixed(1)} ms`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
