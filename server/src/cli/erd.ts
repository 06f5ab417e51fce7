/**
 * `fklens erd [DIR] --format svg|mermaid|html [--out FILE]`: the ERD for CI. SVG is laid out by elkjs and
 * drawn by the webview's renderer; html is the webview page itself with the graph inlined.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ELK from 'elkjs/lib/elk.bundled.js';
import { buildErdGraph, findTable, type ErdGraph } from '../features/erd/graph';
import { layoutScene } from '../features/erd/layout';
import { erdMermaid } from '../features/erd/mermaid';
import { erdPageHtml } from '../features/erd/page';
import { buildScene, defaultView, type ErdView } from '../features/erd/scene';
import { ERD_SVG_CSS } from '../features/erd/style';
import { renderScene, serializeSvg } from '../features/erd/svg';
import type { DiscoveryOptions } from '../workspace/discovery';
import { openWorkspace } from '../workspace/open';

export const ERD_USAGE = `Usage: fklens erd [DIR] [--format svg|mermaid|html] [--out FILE] [options]

Draws the foreign-key diagram of the schema and migration files under DIR (default: .).
  --format svg|mermaid|html   svg (default): a static diagram; mermaid: erDiagram text; html: the
                              interactive ERD page as one self-contained file
  --out FILE                  write to FILE instead of standard output
  --focus TABLE               only TABLE ([schema.]name) and the tables --hops FK steps around it
  --hops N                    with --focus (default 2)
  --schema NAME               only tables of this schema (repeatable)
  --group auto|on|off         fold each schema into one box (auto: above 150 tables; svg and html)
  --columns auto|all|keys     columns drawn: all, or the key columns (primary key, FK, unique) with the
                              rest counted (auto: keys above 12 tables; svg and html)
  --include GLOB, --exclude GLOB, --order auto|name|version   as for 'fklens model'
`;

class ErdUsageError extends Error {}

interface ErdArgs {
  dir: string;
  format: 'svg' | 'mermaid' | 'html';
  out?: string;
  focus?: string;
  hops: number;
  schemas: string[];
  group: ErdView['group'];
  columns: ErdView['columns'];
  options: DiscoveryOptions;
}

export function parseErdArgs(argv: string[]): ErdArgs {
  const args: ErdArgs = { dir: '.', format: 'svg', hops: 2, schemas: [], group: 'auto', columns: 'auto', options: { include: [], exclude: [] } };
  let dirSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ErdUsageError(`${a} needs a value`);
      return v;
    };
    const oneOf = <T extends string>(v: string, allowed: readonly T[]): T => {
      if (!(allowed as readonly string[]).includes(v)) throw new ErdUsageError(`${a} must be ${allowed.join(', ')}, not '${v}'`);
      return v as T;
    };
    if (a === '--format') args.format = oneOf(value(), ['svg', 'mermaid', 'html'] as const);
    else if (a === '--out' || a === '-o') args.out = value();
    else if (a === '--focus') args.focus = value();
    else if (a === '--hops') {
      const v = value();
      if (!/^\d+$/.test(v)) throw new ErdUsageError(`--hops must be a whole number, not '${v}'`);
      args.hops = Number(v);
    } else if (a === '--schema') args.schemas.push(value());
    else if (a === '--group') args.group = oneOf(value(), ['auto', 'on', 'off'] as const);
    else if (a === '--columns') args.columns = oneOf(value(), ['auto', 'all', 'keys'] as const);
    else if (a === '--include') args.options.include!.push(value());
    else if (a === '--exclude') args.options.exclude!.push(value());
    else if (a === '--order') args.options.order = oneOf(value(), ['auto', 'name', 'version'] as const);
    else if (a === '-h' || a === '--help') throw new ErdUsageError('');
    else if (a.startsWith('-')) throw new ErdUsageError(`unknown option '${a}'`);
    else if (dirSeen) throw new ErdUsageError(`unexpected argument '${a}'`);
    else {
      args.dir = a;
      dirSeen = true;
    }
  }
  return args;
}

/** The static SVG of a view of the graph. */
export async function erdSvg(graph: ErdGraph, view: ErdView): Promise<string> {
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

export async function erdMain(argv: string[]): Promise<number> {
  let args: ErdArgs;
  try {
    args = parseErdArgs(argv);
  } catch (e) {
    if (!(e instanceof ErdUsageError)) throw e;
    if (!e.message) {
      process.stdout.write(ERD_USAGE);
      return 0;
    }
    process.stderr.write(`fklens erd: ${e.message} (see fklens erd --help)\n`);
    return 2;
  }
  const dir = resolve(args.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    process.stderr.write(`fklens: ${args.dir}: no such directory\n`);
    return 2;
  }
  const workspace = await openWorkspace(dir, args.options);
  const graph = buildErdGraph([{ name: '', model: workspace.model() }]);
  const view: ErdView = { ...defaultView(), hops: args.hops, schemas: args.schemas, group: args.group, columns: args.columns };
  if (args.focus !== undefined) {
    const table = findTable(graph, args.focus);
    if (!table) {
      process.stderr.write(`fklens erd: no table '${args.focus}' in ${args.dir}\n`);
      return 2;
    }
    view.focus = table.key;
  }
  let text: string;
  if (args.format === 'mermaid') {
    const shown = new Set(buildScene(graph, { ...view, group: 'off' }).nodes.map((n) => (n.kind === 'table' ? n.table.key : '')));
    text = erdMermaid(graph, graph.tables.filter((t) => shown.has(t.key)));
  } else if (args.format === 'svg') text = await erdSvg(graph, view);
  else text = erdHtml(graph, view);
  if (args.out) {
    try {
      writeFileSync(args.out, text);
    } catch (e) {
      process.stderr.write(`fklens erd: cannot write ${args.out}: ${(e as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`fklens erd: wrote ${args.out} (${graph.tables.length} tables, ${graph.edges.length} foreign keys)\n`);
  } else process.stdout.write(text);
  return 0;
}
