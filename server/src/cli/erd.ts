/**
 * `fklens erd [DIR] --format svg|mermaid|html [--out FILE]`: the ERD for CI. SVG is laid out by elkjs and
 * drawn by the webview's renderer; html is the webview page itself with the graph inlined.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type ElkConstructor from 'elkjs/lib/elk.bundled.js';
import { buildErdGraph, findTable, type ErdGraph } from '../features/erd/graph';
import { layoutScene } from '../features/erd/layout';
import { erdMermaid } from '../features/erd/mermaid';
import { erdPageHtml } from '../features/erd/page';
import { buildScene, defaultView, type ErdView } from '../features/erd/scene';
import { ERD_SVG_CSS } from '../features/erd/style';
import { renderScene, serializeSvg } from '../features/erd/svg';
import { defineCommand, InputError, UsageError } from './command';
import { openSingleProject, PROJECT_OPTIONS } from './project';
import { displayPath, escapeTerminal, processIo, quotePath } from './terminal';

/** The static SVG of a view of the graph. */
export async function erdSvg(graph: ErdGraph, view: ErdView): Promise<string> {
  // elkjs (3 MB) is loaded only when a diagram is laid out, so other commands start without it (see scripts/build.mjs).
  const ELK = require('elkjs/lib/elk.bundled.js') as typeof ElkConstructor;
  const placed = await layoutScene(new ELK(), buildScene(graph, view));
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + serializeSvg(renderScene(placed, { css: ERD_SVG_CSS, graph })) + '\n';
}

/** The bundled webview files (dist/webview), next to the CLI bundle. */
function webviewAsset(name: string): string {
  const candidates = [join(__dirname, 'webview', name), resolve(__dirname, '../../../dist/webview', name)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`${name} not found next to the CLI (run npm run build)`);
  return readFileSync(found, 'utf8');
}

export function erdHtml(graph: ErdGraph, view: ErdView): string {
  return erdPageHtml({
    kind: 'standalone',
    nonce: randomBytes(16).toString('base64'),
    script: webviewAsset('erd.js'),
    style: webviewAsset('erd.css'),
    workerSource: webviewAsset('elk-worker.min.js'),
    graph,
    view,
  });
}

export const erdCommand = defineCommand({
  name: 'erd',
  summary: 'draw the ERD as SVG, Mermaid or a standalone HTML page',
  usage: 'erd [DIR] [--format svg|mermaid|html] [--out FILE] [options]',
  description: 'Draws the foreign-key diagram of the schema and migration files under DIR (default: .).',
  arguments: [['DIR', 'the project folder (default .)']],
  positionals: { min: 0, max: 1 },
  options: {
    format: { type: 'string', short: 'f', choices: ['svg', 'mermaid', 'html'], help: 'svg (default): a static diagram; mermaid: erDiagram text; html: the interactive ERD page as one file' },
    out: { type: 'string', short: 'o', value: 'FILE', help: 'write to FILE instead of standard output' },
    focus: { type: 'string', value: 'TABLE', help: 'only TABLE ([schema.]name) and the tables --hops FK steps around it' },
    hops: { type: 'string', value: 'N', help: 'with --focus (default 2)' },
    schema: { type: 'string', multiple: true, value: 'NAME', help: 'only tables of this schema' },
    group: { type: 'string', choices: ['auto', 'on', 'off'], help: 'fold each schema into one box (auto: above 150 tables; svg and html)' },
    columns: { type: 'string', choices: ['auto', 'all', 'keys'], help: 'columns drawn: all, or the key columns (primary key, FK, unique) with the rest counted (auto: keys above 12 tables; svg and html)' },
    ...PROJECT_OPTIONS,
  },
  examples: [
    ['fklens erd --format mermaid > erd.mmd', 'Mermaid text of the whole project'],
    ['fklens erd db --focus orders --hops 1 --out orders.svg', 'orders and its neighbours as SVG'],
  ],
  exitCodes: [
    [0, 'drawn'],
    [2, 'usage error, no such --focus table, missing DIR, no schema or migration files, cannot write --out'],
    [3, 'internal error'],
  ],
  async run(args, io) {
    const v = args.values;
    if (v.hops !== undefined && !/^\d+$/.test(v.hops as string)) throw new UsageError(`--hops must be a whole number, not '${escapeTerminal(v.hops as string)}'`);
    const cwd = process.cwd();
    const project = await openSingleProject(args.positionals, v, (text) => io.err(text), cwd);
    const graph = buildErdGraph([{ name: '', model: project.workspace.model() }]);
    const view: ErdView = {
      ...defaultView(),
      hops: v.hops === undefined ? 2 : Number(v.hops),
      schemas: (v.schema as string[] | undefined) ?? [],
      group: (v.group as ErdView['group'] | undefined) ?? 'auto',
      columns: (v.columns as ErdView['columns'] | undefined) ?? 'auto',
    };
    if (v.focus !== undefined) {
      const table = findTable(graph, v.focus as string);
      if (!table) throw new InputError(`no table '${escapeTerminal(v.focus as string)}' in ${quotePath(displayPath(project.root, cwd))}`);
      view.focus = table.key;
    }
    const format = (v.format as string | undefined) ?? 'svg';
    let text: string;
    if (format === 'mermaid') {
      const shown = new Set(buildScene(graph, { ...view, group: 'off' }).nodes.map((n) => (n.kind === 'table' ? n.table.key : '')));
      text = erdMermaid(graph, graph.tables.filter((t) => shown.has(t.key)));
    } else if (format === 'svg') text = await erdSvg(graph, view);
    else text = erdHtml(graph, view);
    if (v.out === undefined) {
      io.out(text);
      return 0;
    }
    const out = v.out as string;
    try {
      writeFileSync(out, text);
    } catch (e) {
      throw new InputError(`cannot write ${quotePath(out)}: ${escapeTerminal((e as Error).message)}`);
    }
    io.err(`fklens erd: wrote ${quotePath(displayPath(resolve(cwd, out), cwd))} (${graph.tables.length} tables, ${graph.edges.length} foreign keys)\n`);
    return 0;
  },
});

/** `fklens erd ...` (the arguments after `erd`). */
export const erdMain = (argv: string[], io = processIo()) => erdCommand.main(argv, io);
