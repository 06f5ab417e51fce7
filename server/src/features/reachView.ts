/**
 * A cascade reach in words: the summary line and the tree, as Markdown (hovers, with links to each FK's
 * declaration) or as plain text (the CLI). Large trees are cut breadth first with "and N more".
 */
import { cutTree, shownLines, type Reach, type ReachNode } from '../analysis/reach';
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
  if (reach.cycleCount) parts.push(plural(reach.cycleCount, 'cycle'));
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
      // "sets NULL" only for rows that remain (what the summary counts); else the action, with when it runs.
      case 'set-null':
        text = `${bold(node.timing === 'applies' ? 'sets NULL' : 'SET NULL')} ${code(`${table}.${cols}`)} (${where(node.via)})`;
        break;
      case 'set-default':
        text = `${bold(node.timing === 'applies' ? 'sets DEFAULT' : 'SET DEFAULT')} ${code(`${table}.${cols}`)} (${where(node.via)})`;
        break;
      case 'blocked': {
        const action = reach.operation === 'DELETE' ? node.via.onDelete : node.via.onUpdate;
        const blocks = node.timing === 'applies' || node.timing === 'before-delete';
        text = `${bold(blocks ? 'blocked by' : 'checks')} ${code(via)}, ${checkedAtText(node, action)} (${where(node.via)})`;
        break;
      }
    }
    // Blocked / set-null / set-default nodes on a table the same DELETE also deletes: when, and what it comes to.
    if (node.deletedAt !== undefined && node.effect !== 'delete') {
      const rewrite = node.effect !== 'blocked';
      if (node.timing === 'after-delete') text += ` — ${rewrite ? 'nothing to rewrite' : 'passes'}: the cascade deleted the ${table} rows at level ${node.deletedAt}, before this`;
      else if (node.timing === 'before-delete') text += ` — at level ${node.depth}, before the cascade deletes the ${table} rows (level ${node.deletedAt})${rewrite ? ': rewritten, then deleted' : ''}`;
      else if (node.timing === 'same-level' && !node.conflict) text += ` — at level ${node.depth}, the level at which the cascade deletes the ${table} rows: they end up deleted either way`;
      else if (node.timing === undefined) text += ` — the cascade also deletes ${table} rows (level ${node.deletedAt})`;
    }
    if (node.conflict) {
      const c = reach.conflicts.find((k) => k.other === node.via);
      text += ` — ${md ? '⚠ ' : ''}conflict: ${c ? c.cascade.name : 'a cascade'} deletes the same ${table} rows at this level (${node.depth}); which runs first depends on the order PostgreSQL fires the triggers`;
    }
    if (node.cycle) text += ` — ${md ? '↻ ' : ''}cycle: ${table} is already on this path`;
    else if (node.repeated) text += ' — expanded above';
    return text;
  };
  for (const line of shownLines(cutTree(reach.children, options.maxShown ?? DEFAULT_MAX_SHOWN))) {
    lines.push(`${'  '.repeat(line.indent)}- ${line.kind === 'node' ? describe(line.node) : `… and ${line.count} more`}`);
  }
  if (reach.truncated) {
    lines.push('');
    lines.push('The tree was cut (too many foreign keys to show them all); the counts above are complete.');
  }
  return lines;
}
