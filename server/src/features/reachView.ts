/**
 * A cascade reach in words: the summary line and the tree, as Markdown (hovers, with links to each FK's
 * declaration) or as plain text (the CLI). Large trees are cut breadth first with "and N more".
 */
import { cutTree, type Reach, type ReachNode, type ShownNode } from '../analysis/reach';
import type { ForeignKey } from '../model/schema';
import type { LineCol } from '../sources/text';
import type { WorkspaceModel } from '../workspace/workspace';
import { checkedAtText, columnsLabel, fileLine, plural, positionOf, tableLabel } from './describe';

export interface ReachViewOptions {
  markdown: boolean;
  /** Most tree nodes shown (default 40). */
  maxShown?: number;
  /** A link that opens a declaration; without it, file:line is printed as text. */
  link?: (file: string, position: LineCol) => string | undefined;
  /** Text: how a file is shown (the CLI: relative to the current directory); default its workspace path. */
  path?: (file: string) => string;
}

export const DEFAULT_MAX_SHOWN = 40;

/** `3 tables deleted · 2 columns set to NULL · blocked by 1 FK · depth 2` */
export function reachSummary(reach: Reach): string {
  const parts: string[] = [];
  const columns = (list: Reach['setsNull']) => list.reduce((n, e) => n + e.columns.length, 0);
  if (reach.operation === 'DELETE') parts.push(`${plural(reach.deletes.length, 'table')} deleted`);
  else parts.push(`${plural(reach.updates.length, 'table')} updated`);
  parts.push(`${plural(columns(reach.setsNull), 'column')} set to NULL`);
  if (reach.setsDefault.length) parts.push(`${plural(columns(reach.setsDefault), 'column')} set to DEFAULT`);
  parts.push(`blocked by ${plural(reach.blockedBy.length, 'FK')}`);
  parts.push(`depth ${reach.depth}`);
  if (reach.conflicts.length) parts.push(plural(reach.conflicts.length, 'conflict'));
  if (reach.cycles.length) parts.push(plural(reach.cycles.length, 'cycle'));
  return parts.join(' · ');
}

export function reachTitle(reach: Reach): string {
  const name = tableLabel(reach.root);
  return reach.operation === 'DELETE' ? `DELETE FROM ${name}` : `UPDATE of the key of ${name}`;
}

/** The summary line, then the tree (cut), then notes; one string per line. */
export function reachLines(model: WorkspaceModel, reach: Reach, options: ReachViewOptions): string[] {
  const md = options.markdown;
  const bold = (s: string) => (md ? `**${s}**` : s);
  const code = (s: string) => (md ? `\`${s}\`` : s);
  const lines: string[] = [];
  lines.push(`${bold(reachTitle(reach))}: ${reachSummary(reach)}`);
  if (!reach.children.length) {
    lines.push('');
    lines.push(`No foreign key points at ${code(tableLabel(reach.root))}${reach.operation === 'UPDATE' ? ' columns whose values change' : ''}: the statement touches no other table.`);
    return lines;
  }
  lines.push('');
  const where = (fk: ForeignKey) => {
    const text = fileLine(model, fk.location);
    if (!md) return options.path ? options.path(fk.location.file) + text.slice(fk.location.file.length) : text;
    const position = positionOf(model, fk.location);
    const target = position && options.link?.(fk.location.file, position);
    const shown = text.slice(text.lastIndexOf('/') + 1);
    return target ? `[${shown}](${target})` : code(shown);
  };
  const describe = (node: ReachNode): string => {
    const table = tableLabel(node.table);
    const via = `${tableLabel(node.table)}.${node.via.columns.length === 1 ? node.via.columns[0] : `(${columnsLabel(node.via.columns)})`}`;
    const cols = node.columns.length === 1 ? node.columns[0] : `(${columnsLabel(node.columns)})`;
    let text: string;
    switch (node.effect) {
      case 'delete':
        text = `${bold('deletes')} ${code(table)} via ${via} (${where(node.via)})`;
        break;
      case 'update':
        text = `${bold('updates')} ${code(`${table}.${cols}`)} (${where(node.via)})`;
        break;
      case 'set-null':
        text = `${bold('sets NULL')} ${code(`${table}.${cols}`)} (${where(node.via)})`;
        break;
      case 'set-default':
        text = `${bold('sets DEFAULT')} ${code(`${table}.${cols}`)} (${where(node.via)})`;
        break;
      case 'blocked': {
        const action = reach.operation === 'DELETE' ? node.via.onDelete : node.via.onUpdate;
        text = `${bold('blocked by')} ${code(via)}, ${checkedAtText(node.via, action)} (${where(node.via)})`;
        break;
      }
    }
    if (node.conflict) text += ` — ${md ? '⚠ ' : ''}conflict: ${table} is also reached by a cascade; the outcome depends on the order PostgreSQL fires its triggers`;
    if (node.cycle) text += ` — ${md ? '↻ ' : ''}cycle: ${table} is already on this path`;
    else if (node.repeated) text += ' — expanded above';
    return text;
  };
  const { shown, hidden } = cutTree(reach.children, options.maxShown ?? DEFAULT_MAX_SHOWN);
  const more = (n: number, depth: number) => `${'  '.repeat(depth)}- … and ${n} more`;
  const walk = (nodes: ShownNode[], depth: number) => {
    for (const s of nodes) {
      lines.push(`${'  '.repeat(depth)}- ${describe(s.node)}`);
      walk(s.children, depth + 1);
      if (s.hidden) lines.push(more(s.hidden, depth + 1));
    }
  };
  walk(shown, 0);
  if (hidden) lines.push(more(hidden, 0));
  if (reach.truncated) {
    lines.push('');
    lines.push(`The walk stopped after ${reach.deletes.length + reach.setsNull.length + reach.blockedBy.length}+ entries: the counts are lower bounds.`);
  }
  return lines;
}
