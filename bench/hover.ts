/**
 * Benchmark of hovers and code lenses on the large generated workspace (prints figures; not a test).
 * Goal: a hover in <= 10 ms.
 *   - in process: the features the server calls (hoverAt, codeLenses), on a warm model;
 *   - over stdio: the bundled server (dist/server.js), request to answer, as an editor sees it.
 * 100 hovers on the most referenced tables (the largest trees) and on REFERENCES targets; 100 code-lens
 * requests over the workspace's files.
 *   npm run bench
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { referencingForeignKeys } from '../server/src/analysis/reach';
import { codeLenses } from '../server/src/features/codeLens';
import { hoverAt } from '../server/src/features/hover';
import { prepareTargets } from '../server/src/features/target';
import { openWorkspace } from '../server/src/workspace/open';
import { startServer } from './server';
import { generateBenchWorkspace } from './workspace';

interface Probe {
  file: string;
  offset: number;
  line: number;
  character: number;
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const stats = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  return `median ${fmt(sorted[sorted.length >> 1])}, p95 ${fmt(sorted[Math.floor(sorted.length * 0.95)])}, worst ${fmt(sorted[sorted.length - 1])}`;
};

async function main(): Promise<void> {
  const root = resolve(__dirname, '../../bench/workspace');
  if (!existsSync(join(root, 'db'))) generateBenchWorkspace(root, Number(process.env.FKLENS_BENCH_COPIES ?? 25));
  const workspace = await openWorkspace(root);
  const model = workspace.model();
  const history = model.histories.reduce((a, b) => (b.tables.length > a.tables.length ? b : a));

  // 50 hovers on the CREATE TABLE of the most referenced tables, 50 on REFERENCES targets spread over the files.
  const lines = (file: string) => model.sources.get(file)!.lines;
  const probe = (file: string, offset: number): Probe => ({ file, offset, ...lines(file).position(offset) });
  const byIncoming = [...history.tables].sort((a, b) => referencingForeignKeys(history, b.id).length - referencingForeignKeys(history, a.id).length);
  const probes: Probe[] = byIncoming.slice(0, 50).map((t) => probe(t.location.file, t.location.span.start + 1));
  const fks = history.foreignKeys.filter((fk) => fk.location.refTableSpan);
  for (let i = 0; i < 50; i++) {
    const fk = fks[Math.floor((i * fks.length) / 50)];
    probes.push(probe(fk.location.file, fk.location.refTableSpan!.start + 1));
  }
  const link = (file: string, p: { line: number; character: number }) => `file:///bench/${file}#L${p.line + 1},${p.character + 1}`;
  const erdLink = (name: string) => `command:fklens.showErdFor?${encodeURIComponent(JSON.stringify([name]))}`;

  // Let the garbage collector finish with what building the model left behind, as a server would while idle.
  await new Promise((r) => setTimeout(r, 1000));
  // The server builds the position index when idle after each analysis (lsp/features.ts modelChanged).
  const t0 = performance.now();
  prepareTargets(model);
  const indexMs = performance.now() - t0;

  const hoverTimes: number[] = [];
  let biggest = 0;
  for (const p of probes) {
    const t = performance.now();
    const hover = hoverAt(model, p.file, p.offset, { link, erdLink });
    hoverTimes.push(performance.now() - t);
    if (!hover) throw new Error(`no hover at ${p.file}:${p.line + 1}`);
    biggest = Math.max(biggest, hover.markdown.length);
  }
  const files = history.sources.map((s) => s.path);
  const lensTimes: number[] = [];
  let lensCount = 0;
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    lensCount += codeLenses(model, files[i % files.length]).length;
    lensTimes.push(performance.now() - t);
  }
  const top = byIncoming[0];
  console.log(
    `workspace: ${history.tables.length} tables, ${history.foreignKeys.length} foreign keys in ${files.length} files; most referenced table ${top.schema}.${top.name} (${referencingForeignKeys(history, top.id).length} FKs)`,
  );
  console.log(`position index (built once per model change, while idle): ${fmt(indexMs)}`);
  console.log(`hover, in process (100: 50 most referenced tables, 50 REFERENCES targets; largest ${biggest} chars): ${stats(hoverTimes)}   goal <= 10 ms`);
  console.log(`code lens, in process (100 requests, ${Math.round(lensCount / 100)} lenses per file on average): ${stats(lensTimes)}`);

  await overStdio(root, probes, files);
}

/** The same requests to the bundled server over stdio, once it has indexed the workspace. */
async function overStdio(root: string, probes: Probe[], files: string[]): Promise<void> {
  if (!existsSync(resolve(__dirname, '../../dist/server.js'))) {
    console.log('over stdio: skipped (dist/server.js missing: run `npm run build`)');
    return;
  }
  const server = await startServer(root);
  const { connection, uri } = server;
  try {
    // Let the server finish what follows indexing (publishing, the position index, a major GC) first.
    await new Promise((r) => setTimeout(r, 1000));
    const hoverTimes: number[] = [];
    for (const p of probes) {
      const t = performance.now();
      const hover = await connection.sendRequest('textDocument/hover', { textDocument: { uri: uri(p.file) }, position: { line: p.line, character: p.character } });
      hoverTimes.push(performance.now() - t);
      if (!hover) throw new Error(`no hover over stdio at ${p.file}:${p.line + 1}`);
    }
    const lensTimes: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      await connection.sendRequest('textDocument/codeLens', { textDocument: { uri: uri(files[i % files.length]) } });
      lensTimes.push(performance.now() - t);
    }
    console.log(`hover, over stdio (same 100 positions): ${stats(hoverTimes)}   goal <= 10 ms`);
    console.log(`code lens, over stdio (100 requests): ${stats(lensTimes)}`);
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
