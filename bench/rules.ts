/**
 * Benchmark of the rules and of the whole per-edit path of the language server (prints figures; not a test).
 *   npm run compile-tests && node out/bench/rules.js      (FKLENS_BENCH_EDITS=n for more edits, default 40)
 *
 * 1. Every rule alone over the cold model (the per-rule split), then all rules on that model.
 * 2. One-statement edits (an ON DELETE RESTRICT flipped to SET NULL and back) in the newest migration and in the
 *    middle of the history, each edit measured three ways, every time on a new model:
 *    - model: Workspace.setFile + model() (parse of the edited file, replay from the edited step);
 *    - analysis: analyze() with every rule on that model, nothing else;
 *    - edit to diagnostics: what server.ts does per edit, in process: setFile, model(), computeDiagnostics
 *      (analysis + offsets to line/character) and the LSP conversion and hash of publish() (toLspDiagnostic +
 *      JSON.stringify per file); only the socket write is left out.
 *    The analysis-only runs and the edit-to-diagnostics runs are separate edits, so that neither sees the
 *    other's results for the same model. Wall-clock times on a busy machine swing widely; the CPU time of the
 *    process is printed too (with `node --single-threaded-gc` it is the main thread's work alone).
 */
import { resolve } from 'node:path';
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import { analyze, type AnalysisConfig } from '../server/src/analysis/analyze';
import { RULES } from '../server/src/analysis/rules/index';
import { computeDiagnostics } from '../server/src/features/diagnostics';
import { toLspDiagnostic } from '../server/src/lsp/diagnostics';
import { openWorkspace } from '../server/src/workspace/open';
import type { Workspace } from '../server/src/workspace/workspace';
import { generateBenchWorkspace } from './workspace';

const CONFIG: AnalysisConfig = { rules: {}, protectedTables: ['orders', 'payment', 'rental'] };
const EDITS = Math.max(30, Number(process.env.FKLENS_BENCH_EDITS ?? 40));

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const stats = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  return `median ${fmt(sorted[sorted.length >> 1]).padStart(9)}, worst ${fmt(sorted[sorted.length - 1]).padStart(9)}`;
};

/** The edited text for edit number i: even edits flip one ON DELETE action, odd ones restore the file. */
function editor(workspace: Workspace, file: string): (i: number) => string {
  const original = workspace.text(file)!;
  const at = original.indexOf('ON DELETE RESTRICT');
  if (at < 0) throw new Error(`${file} has no ON DELETE RESTRICT to edit`);
  const edited = original.slice(0, at) + 'ON DELETE SET NULL' + original.slice(at + 'ON DELETE RESTRICT'.length);
  return (i) => (i % 2 === 0 ? edited : original);
}

/** publish() of server.ts without the socket: LSP diagnostics per file and the hash that decides whether to send. */
function lspPayload(diagnostics: ReturnType<typeof computeDiagnostics>): number {
  let size = 0;
  const context = { docsBaseUrl: '', uriOf: (file: string) => `file:///bench/${file}`, relatedInformation: true };
  for (const list of diagnostics.values()) size += JSON.stringify(list.map((d) => toLspDiagnostic(d, context))).length;
  return size;
}

/** Garbage-collection pauses, to tell how much of an interval was GC (the model's fresh objects are copied by scavenges). */
const gcPauses: PerformanceEntry[] = [];
const gcObserver = new PerformanceObserver((list) => gcPauses.push(...list.getEntries()));
gcObserver.observe({ entryTypes: ['gc'] });
const gcWithin = (from: number, to: number) =>
  gcPauses.reduce((sum, e) => (e.startTime >= from && e.startTime < to ? sum + Math.min(e.duration, to - e.startTime) : sum), 0);
const flushGcEntries = () => new Promise<void>((r) => setTimeout(r, 100));

async function main(): Promise<void> {
  const root = resolve(__dirname, '../../bench/workspace');
  generateBenchWorkspace(root, Number(process.env.FKLENS_BENCH_COPIES ?? 25));
  const workspace = await openWorkspace(root);
  const model = workspace.model();
  const fks = model.histories.reduce((n, h) => n + h.foreignKeys.length, 0);

  const perRule: [string, number, number][] = [];
  for (const rule of RULES) {
    const t = performance.now();
    const { findings } = analyze(model, CONFIG, [rule]);
    perRule.push([rule.id, performance.now() - t, findings.length]);
  }
  const t0 = performance.now();
  const all = analyze(model, CONFIG);
  const coldAll = performance.now() - t0;
  console.log(`workspace: ${model.histories.length} histories, ${fks} foreign keys, ${all.findings.length} findings`);
  console.log('each rule alone on the cold model (first run of its code):');
  for (const [id, ms, n] of perRule.sort((a, b) => b[1] - a[1]).filter(([, ms]) => ms >= 0.05)) console.log(`  ${id.padEnd(36)} ${fmt(ms).padStart(9)}  ${n} findings`);
  console.log(`all rules on the cold model: ${fmt(coldAll)}`);

  const files = workspace.filePaths().sort();
  const targets: [string, string][] = [
    ['newest migration', files[files.length - 1]],
    ['middle of the history', files[Math.floor(files.length / 2)]],
  ];
  console.log(`one-statement edits (ON DELETE RESTRICT <-> SET NULL), ${EDITS} of each kind per file:`);
  for (const [label, file] of targets) {
    const textFor = editor(workspace, file);
    // Warm up the edit path once (the first edit leaves the replay checkpoint at this file).
    workspace.setFile(file, textFor(0));
    computeDiagnostics(workspace.model(), (p) => workspace.text(p), { config: CONFIG });
    workspace.setFile(file, textFor(1));
    computeDiagnostics(workspace.model(), (p) => workspace.text(p), { config: CONFIG });

    const modelTimes: number[] = [];
    const analysisTimes: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const a = performance.now();
      workspace.setFile(file, textFor(i));
      const m = workspace.model();
      const b = performance.now();
      analyze(m, CONFIG);
      const c = performance.now();
      modelTimes.push(b - a);
      analysisTimes.push(c - b);
    }
    const diagnosticsTimes: number[] = [];
    const totals: number[] = [];
    const cpuTotals: number[] = [];
    const intervals: [number, number][] = [];
    let published = 0;
    for (let i = 0; i < EDITS; i++) {
      const cpu = process.cpuUsage();
      const a = performance.now();
      workspace.setFile(file, textFor(i));
      const m = workspace.model();
      const b = performance.now();
      const diagnostics = computeDiagnostics(m, (p) => workspace.text(p), { config: CONFIG });
      published = lspPayload(diagnostics);
      const c = performance.now();
      diagnosticsTimes.push(c - b);
      totals.push(c - a);
      const used = process.cpuUsage(cpu);
      cpuTotals.push((used.user + used.system) / 1000);
      intervals.push([a, c]);
    }
    await flushGcEntries();
    const gc = intervals.map(([a, c]) => gcWithin(a, c));
    console.log(`  ${label} (${file}):`);
    console.log(`    model (setFile + model())                          ${stats(modelTimes)}`);
    console.log(`    analysis (all rules)                               ${stats(analysisTimes)}`);
    console.log(`    diagnostics after the model (analysis + ranges + LSP) ${stats(diagnosticsTimes)}`);
    console.log(`    edit to diagnostics (total, as the server)         ${stats(totals)}   (${(published / 1e6).toFixed(2)} MB of LSP diagnostics)`);
    console.log(`      of which garbage collection                      ${stats(gc)}`);
    console.log(`      CPU time of the process (all threads)            ${stats(cpuTotals)}`);
  }
  gcObserver.disconnect();
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
