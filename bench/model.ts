/**
 * Benchmark of the model (prints figures; not a test). Targets: cold <= 1.5 s, one edit <= 30 ms, RSS <= 400 MB.
 *   npm run bench          (generates bench/workspace on first run)
 */
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { modelJson } from '../server/src/model/json';
import { openWorkspace } from '../server/src/workspace/open';
import { generateBenchWorkspace } from './workspace';

async function main(): Promise<void> {
  const root = resolve(__dirname, '../../bench/workspace');
  const generated = generateBenchWorkspace(root, Number(process.env.FKLENS_BENCH_COPIES ?? 25));
  const t0 = performance.now();
  const workspace = await openWorkspace(root);
  const model = workspace.model();
  const json = modelJson(model);
  const cold = performance.now() - t0;
  const statements = [...model.sources.values()].reduce((n, s) => n + s.statementCount, 0);

  // One-statement edits: flip an ON DELETE action in a file, then change it back, re-analysing each time.
  // In the middle of the history (every later step is replayed again) and in the newest file (the usual edit).
  const files = workspace.filePaths().sort();
  const measureEdits = (file: string): number[] => {
    const original = workspace.text(file)!;
    const at = original.indexOf('ON DELETE RESTRICT');
    const edits: number[] = [];
    for (let i = 0; i < 20; i++) {
      const text = i % 2 === 0 ? original.slice(0, at) + 'ON DELETE SET NULL' + original.slice(at + 'ON DELETE RESTRICT'.length) : original;
      const t = performance.now();
      workspace.setFile(file, text);
      workspace.model();
      edits.push(performance.now() - t);
    }
    return edits.sort((a, b) => a - b);
  };
  const middle = files[Math.floor(files.length / 2)];
  const newest = files[files.length - 1];
  const middleEdits = measureEdits(middle);
  const newestEdits = measureEdits(newest);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
  console.log(`workspace: ${generated.files} files, ${(generated.bytes / 1e6).toFixed(2)} MB of SQL, ${statements} statements, ${json.foreignKeys.length} foreign keys, ${json.tables.length} tables (${join('bench', 'workspace')})`);
  console.log(`cold (parser load + read + parse + replay + model JSON): ${fmt(cold)}   target <= 1500 ms`);
  for (const [label, file, edits] of [['middle of the history', middle, middleEdits], ['newest migration', newest, newestEdits]] as const) {
    console.log(`one-statement edit (${label}, ${file}), parse + re-analysis: median ${fmt(edits[edits.length >> 1])}, worst ${fmt(edits[edits.length - 1])}   target <= 30 ms`);
  }
  console.log(`peak RSS: ${rssMb.toFixed(0)} MB   target <= 400 MB`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
