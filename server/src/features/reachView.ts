/**
 * A cascade reach in words. Two views of the same data:
 * - `reachLines`: the summary line and the whole tree (cut breadth first with "and N more"), as plain text for
 *   the CLI and the peek document, or as Markdown;
 * - `reachHoverLines`: the hover, a summary with its links first, then only the first levels, at most ~15
 *   lines whatever the size of the graph; the whole tree is one click away (ERD, peek).
 * Conflicts are said once, after the tree; a node only carries a mark. Files are named by their shortest unique
 * path suffix (labels.ts); every name reaching Markdown is escaped (markdown.ts).
 */
import { cutTree, shownLines, type Reach, type ReachNode } from '../analysis/reach';
import type { ForeignKey, Table } from '../model/schema';
import type { LineCol } from '../sources/text';
import type { WorkspaceModel } from '../workspace/workspace';
import { checkedAtText, columnsLabel, plural, positionOf, tableLabel } from './describe';
import { locationLabel } from './labels';
import { mdCode, mdCodeInLink, mdLink, mdText } from './markdown';

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

const sum = (list: Reach['setsNull']) => list.reduce((n, e) => n + e.columns.length, 0);

/** Every node of the tree, parents before children; iterative (a chain may be thousands deep). */
function eachNode(reach: Reach, visit: (n: ReachNode) => void): void {
  const stack = [...reach.children].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    visit(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
}

/** Blocked nodes whose table the same statement also deletes at the same level: they block or not depending on trigger order. */
function conflictingBlocks(reach: Reach): ReachNode[] {
  const out: ReachNode[] = [];
  eachNode(reach, (n) => {
    if (n.effect === 'blocked' && n.conflict) out.push(n);
  });
  return out;
}

/** `3 tables deleted · 2 columns set to NULL · blocked by 1 FK · depth 2` */
export function reachSummary(reach: Reach): string {
  const parts: string[] = [];
  if (reach.operation === 'DELETE') parts.push(`${plural(reach.deletes.length, 'table')} deleted`);
  else parts.push(`${plural(reach.updates.length, 'table')} updated`);
  parts.push(`${plural(sum(reach.setsNull), 'column')} set to NULL`);
  if (reach.setsDefault.length) parts.push(`${plural(sum(reach.setsDefault), 'column')} set to DEFAULT`);
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

/** Every table the statement touches besides the root (deleted, updated, rewritten or blocking), counted once. */
export function reachedTables(reach: Reach): Table[] {
  const seen = new Map<number, Table>();
  eachNode(reach, (n) => {
    if (n.table.id !== reach.root.id && !seen.has(n.table.id)) seen.set(n.table.id, n.table);
  });
  return [...seen.values()];
}

/**
 * The verb of a node. A check blocks only when the rows it finds are still there (timing 'applies' or
 * 'before-delete'); when the cascade deleted them first it merely checks. A rewrite "sets NULL" in rows that
 * remain; on rows the cascade deletes anyway it is the action, named as such. A same-level conflict "may" block.
 */
function effectWord(node: ReachNode): string {
  // No timing: a node on a table the cascade does not delete, or a MySQL / SQLite history (counted only when not deleted).
  const applies = node.timing === 'applies' || (node.timing === undefined && node.deletedAt === undefined);
  switch (node.effect) {
    case 'blocked':
      if (node.conflict) return 'may be blocked by';
      return applies || node.timing === 'before-delete' ? 'blocked by' : 'checks';
    case 'set-null':
      return applies ? 'sets NULL' : 'SET NULL';
    case 'set-default':
      return applies ? 'sets DEFAULT' : 'SET DEFAULT';
    default:
      return node.effect === 'delete' ? 'deletes' : 'updates';
  }
}

const columnText = (columns: string[]) => (columns.length === 1 ? columns[0] : `(${columnsLabel(columns)})`);

/** The conflicts, said once: which tables, and why it matters. */
function conflictText(reach: Reach, name: (t: Table) => string, limit: number): string | undefined {
  if (!reach.conflicts.length) return undefined;
  const names = reach.conflicts.slice(0, limit).map((c) => name(c.table));
  const rest = reach.conflicts.length - names.length;
  const list = rest > 0 ? `${names.join(', ')} and ${rest} more` : names.join(', ');
  const are = reach.conflicts.length === 1 ? 'is' : 'are';
  return `${plural(reach.conflicts.length, 'conflict')}: ${list} ${are} deleted by one cascade and, at the same level, checked or rewritten through another FK; which runs first depends on the order PostgreSQL fires the triggers.`;
}

function cycleText(reach: Reach, name: (t: Table) => string, limit: number): string | undefined {
  if (!reach.cycles.length) return undefined;
  const byId = new Map<number, Table>([[reach.root.id, reach.root], ...reachedTables(reach).map((t): [number, Table] => [t.id, t])]);
  const shown = reach.cycles.slice(0, limit).map((cycle) => {
    // A cycle in path order: each FK's parent, then the child of the last one (the first table again).
    const ids = [...cycle.map((fk) => fk.refTableId), cycle[cycle.length - 1].tableId];
    const names = ids.map((id) => byId.get(id)).filter((t): t is Table => !!t).map(name);
    return names.length > 8 ? `${names.slice(0, 4).join(' → ')} → … (${names.length - 6} more) → ${names.slice(-2).join(' → ')}` : names.join(' → ');
  });
  const rest = reach.cycleCount - shown.length;
  return `${plural(reach.cycleCount, 'cascade cycle')}: ${shown.join('; ')}${rest > 0 ? `; and ${rest} more` : ''}`;
}

/** The summary line, then the tree (cut), then notes; one string per line. */
export function reachLines(model: WorkspaceModel, reach: Reach, options: ReachViewOptions): string[] {
  const md = options.markdown;
  const bold = (s: string) => (md ? `**${s}**` : s);
  const code = (s: string) => (md ? mdCode(s) : s);
  const text = (s: string) => (md ? mdText(s) : s);
  const lines: string[] = [];
  lines.push(`${bold(text(reachTitle(reach)))}: ${reachSummary(reach)}`);
  if (!reach.children.length) {
    lines.push('');
    lines.push(`No foreign key points at ${code(tableLabel(reach.root))}${reach.operation === 'UPDATE' ? ' columns whose values change' : ''}: the statement touches no other table.`);
    return lines;
  }
  lines.push('');
  const where = (fk: ForeignKey) => {
    const label = locationLabel(model, fk.location);
    // The CLI prints a path it can open (relative to the current directory): the label's line number after it.
    if (!md && options.path) {
      const p = positionOf(model, fk.location);
      return `${options.path(fk.location.file)}${p ? `:${p.line + 1}` : ''}`;
    }
    if (!md) return label;
    const position = positionOf(model, fk.location);
    const target = position && options.link?.(fk.location.file, position);
    return target ? mdLink(mdText(label), target) : mdCode(label);
  };
  const describe = (node: ReachNode): string => {
    const table = tableLabel(node.table);
    const column = `${table}.${columnText(node.via.columns)}`;
    let line: string;
    switch (node.effect) {
      case 'delete':
        line = `${bold('deletes')} ${code(table)} via ${code(column)}`;
        break;
      case 'update':
        line = `${bold('updates')} ${code(`${table}.${columnText(node.columns)}`)}`;
        break;
      // "sets NULL" only for rows that remain (what the summary counts); else the action, with when it runs.
      case 'set-null':
        line = `${bold(effectWord(node))} ${code(`${table}.${columnText(node.columns)}`)}`;
        break;
      case 'set-default':
        line = `${bold(effectWord(node))} ${code(`${table}.${columnText(node.columns)}`)}`;
        break;
      case 'blocked': {
        const action = reach.operation === 'DELETE' ? node.via.onDelete : node.via.onUpdate;
        line = `${bold(node.conflict ? 'checks' : effectWord(node))} ${code(column)}, ${checkedAtText(node, action)}`;
        break;
      }
    }
    line += ` (${where(node.via)})`;
    // Blocked / set-null / set-default nodes on a table the same DELETE also deletes: when, and what it comes to.
    if (node.deletedAt !== undefined && node.effect !== 'delete' && !node.conflict) {
      const rewrite = node.effect !== 'blocked';
      if (node.timing === 'after-delete') line += ` — ${rewrite ? 'nothing to rewrite' : 'passes'}: the cascade deleted the ${text(table)} rows at level ${node.deletedAt}, before this`;
      else if (node.timing === 'before-delete') line += ` — at level ${node.depth}, before the cascade deletes the ${text(table)} rows (level ${node.deletedAt})${rewrite ? ': rewritten, then deleted' : ''}`;
      else if (node.timing === 'same-level') line += ` — at level ${node.depth}, the level at which the cascade deletes the ${text(table)} rows: they end up deleted either way`;
      else if (node.timing === undefined) line += ` — the cascade also deletes ${text(table)} rows (level ${node.deletedAt})`;
    }
    // The whole tree says on the checking / rewriting line which cascade it races with (the hover only marks it).
    if (node.conflict) {
      const c = reach.conflicts.find((k) => k.other === node.via);
      line += ` — ${md ? '⚠ ' : ''}conflict: ${c ? text(c.cascade.name) : 'a cascade'} deletes the same ${text(table)} rows at this level (${node.depth}); which runs first depends on the order PostgreSQL fires the triggers`;
    }
    if (node.cycle) line += ` — ${md ? '↻ ' : ''}cycle`;
    else if (node.repeated) line += ' — expanded above';
    return line;
  };
  for (const line of shownLines(cutTree(reach.children, options.maxShown ?? DEFAULT_MAX_SHOWN))) {
    lines.push(`${'  '.repeat(line.indent)}- ${line.kind === 'node' ? describe(line.node) : `… and ${line.count} more`}`);
  }
  const name = (t: Table) => code(tableLabel(t));
  const cycles = cycleText(reach, name, 10);
  if (cycles) lines.push('', cycles);
  if (reach.truncated) {
    lines.push('');
    lines.push('The tree was cut (too many foreign keys to show them all); the counts above are complete.');
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------------
// The hover: short whatever the graph

export interface ReachHoverOptions {
  /** Opens a declaration (file, 0-based position). */
  link?: (file: string, position: LineCol) => string | undefined;
  /** Opens the ERD on the root table. */
  erdLink?: string;
  /** Opens the whole tree (peek). */
  peekLink?: string;
  /** Most lines of tree (default 8). */
  treeLines?: number;
  /** Markdown ending the links line, e.g. `declared at [file:line](...)`. */
  declaration?: string;
}

export const DEFAULT_TREE_LINES = 6;

/**
 * The summary line (what the statement does, how deep, what blocks it), the links (ERD, peek), then the first
 * levels of the tree that fit in `treeLines`, then the conflicts and cycles once. Markdown, one string per line.
 */
export function reachHoverLines(model: WorkspaceModel, reach: Reach, options: ReachHoverOptions): string[] {
  const lines: string[] = [];
  const title = reach.operation === 'DELETE' ? `DELETE FROM ${tableLabel(reach.root)}` : `UPDATE of the key of ${tableLabel(reach.root)}`;
  const tables = reachedTables(reach).length;
  const links: string[] = [];
  if (options.erdLink) links.push(mdLink(tables ? `Show all ${tables} in ERD` : 'Show in ERD', options.erdLink));
  if (options.peekLink && tables) links.push(mdLink(`Peek ${plural(tables, 'table')}`, options.peekLink));
  if (options.declaration) links.push(options.declaration);
  // One paragraph, two lines: the summary, then the links (a hard line break, no paragraph gap).
  lines.push(`**${mdText(title)}**: ${hoverSummary(reach)}${links.length ? '\\' : ''}`);
  if (links.length) lines.push(links.join(' · '));
  if (!reach.children.length) {
    lines.push('');
    lines.push(`No foreign key points at ${mdCode(tableLabel(reach.root))}${reach.operation === 'UPDATE' ? ' columns whose values change' : ''}: the statement touches no other table.`);
    return lines;
  }
  lines.push('');
  lines.push(...hoverTree(model, reach, options));
  const name = (t: Table) => mdCode(tableLabel(t));
  const notes = [conflictText(reach, name, 3), cycleText(reach, name, 1)].filter((s): s is string => !!s);
  if (notes.length) {
    lines.push('');
    lines.push(notes.map((n, i) => `${i === 0 && reach.conflicts.length ? '⚠ ' : '↻ '}${n}`).join('\\\n'));
  }
  return lines;
}

/** `37 tables deleted · 8 columns set to NULL · not blocked · depth 3 · ⚠ 6 conflicts · ↻ 1 cycle` (Markdown) */
export function hoverSummary(reach: Reach): string {
  const parts: string[] = [];
  if (reach.operation === 'DELETE') parts.push(`${plural(reach.deletes.length, 'table')} deleted`);
  else parts.push(`${plural(reach.updates.length, 'table')} updated`);
  if (reach.setsNull.length) parts.push(`${plural(sum(reach.setsNull), 'column')} set to NULL`);
  if (reach.setsDefault.length) parts.push(`${plural(sum(reach.setsDefault), 'column')} set to DEFAULT`);
  const blocked = reach.blockedBy;
  const mayBlock = conflictingBlocks(reach).length;
  if (blocked.length && blocked.length <= 2) parts.push(`blocked by ${blocked.map((b) => `${mdCode(`${tableLabel(b.table)}.${columnText(b.via.columns)}`)} (${b.action})`).join(', ')}`);
  else if (blocked.length) parts.push(`blocked by ${plural(blocked.length, 'FK')}`);
  if (mayBlock) parts.push(`${plural(mayBlock, 'FK')} may block`);
  else if (!blocked.length) parts.push('not blocked');
  parts.push(`depth ${reach.depth}`);
  if (reach.conflicts.length) parts.push(`⚠ ${plural(reach.conflicts.length, 'conflict')}`);
  if (reach.cycleCount) parts.push(`↻ ${plural(reach.cycleCount, 'cycle')}`);
  return parts.join(' · ');
}

const EFFECT_ORDER: Record<ReachNode['effect'], number> = { blocked: 0, delete: 1, update: 2, 'set-null': 3, 'set-default': 4 };

const belowCache = new WeakMap<ReachNode, number>();

/** Distinct tables below a node (its own excluded), for "N below". */
function tablesBelow(node: ReachNode): number {
  let count = belowCache.get(node);
  if (count === undefined) {
    const seen = new Set<number>();
    const stack = [...node.children];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.table.id !== node.table.id) seen.add(n.table.id);
      for (const c of n.children) stack.push(c);
    }
    count = seen.size;
    belowCache.set(node, count);
  }
  return count;
}

/**
 * The first levels of the tree within the budget: the first level (what blocks first, then the largest
 * cascades), then, breadth first, the children of a node when all of them still fit. A first level too long for
 * the budget is cut with "and N more"; a shown node whose children are not shown says how many tables lie below.
 */
function hoverTree(model: WorkspaceModel, reach: Reach, options: ReachHoverOptions): string[] {
  const budget = Math.max(2, options.treeLines ?? DEFAULT_TREE_LINES);
  const order = (nodes: ReachNode[]) =>
    [...nodes].sort((a, b) => EFFECT_ORDER[a.effect] - EFFECT_ORDER[b.effect] || tablesBelow(b) - tablesBelow(a));
  const first = order(reach.children);
  if (first.length > budget) {
    const kept = first.slice(0, budget - 1);
    const lines = kept.map((n) => `- ${hoverNode(model, reach, n, tablesBelow(n), options)}`);
    const rest = first.length - kept.length;
    lines.push(`- … and ${rest} more ${rest === 1 ? 'FK' : 'FKs'} pointing at ${mdCode(tableLabel(reach.root))}`);
    return lines;
  }
  // Which nodes have their children shown: breadth first, while whole families fit.
  const expanded = new Set<ReachNode>();
  let used = first.length;
  const queue = [...first];
  for (let head = 0; head < queue.length; head++) {
    const n = queue[head];
    if (n.cycle || n.repeated || !n.children.length) continue;
    if (used + n.children.length > budget) continue;
    used += n.children.length;
    expanded.add(n);
    queue.push(...order(n.children));
  }
  const lines: string[] = [];
  const walk = (nodes: ReachNode[], depth: number) => {
    for (const n of nodes) {
      const open = expanded.has(n);
      lines.push(`${'  '.repeat(depth)}- ${hoverNode(model, reach, n, open ? 0 : tablesBelow(n), options)}`);
      if (open) walk(order(n.children), depth + 1);
    }
  };
  walk(first, 0);
  return lines;
}

function hoverNode(model: WorkspaceModel, reach: Reach, node: ReachNode, below: number, options: ReachHoverOptions): string {
  const table = tableLabel(node.table);
  const at = (shown: string) => {
    const position = positionOf(model, node.via.location);
    const target = position && options.link?.(node.via.location.file, position);
    return target ? mdLink(mdCodeInLink(shown), target, `declared at ${locationLabel(model, node.via.location)}`) : mdCode(shown);
  };
  let text: string;
  switch (node.effect) {
    case 'delete':
      text = `**deletes** ${at(table)} via ${mdCode(columnText(node.via.columns))}`;
      break;
    case 'update':
      text = `**updates** ${at(`${table}.${columnText(node.columns)}`)}`;
      break;
    case 'set-null':
    case 'set-default':
      text = `**${effectWord(node)}** ${at(`${table}.${columnText(node.columns)}`)}`;
      break;
    case 'blocked': {
      const action = reach.operation === 'DELETE' ? node.via.onDelete : node.via.onUpdate;
      text = `**${effectWord(node)}** ${at(`${table}.${columnText(node.via.columns)}`)} (${action === 'RESTRICT' ? 'RESTRICT' : 'NO ACTION'})`;
      break;
    }
  }
  // A check or rewrite of rows the cascade deleted before: it comes to nothing.
  if (node.timing === 'after-delete') text += ` · ${node.effect === 'blocked' ? 'passes' : 'nothing left'}: rows deleted at level ${node.deletedAt}`;
  const marks = [node.conflict ? '⚠' : '', node.cycle ? '↻' : ''].filter(Boolean).join(' ');
  if (marks) text = `${marks} ${text}`;
  if (below) text += ` · ${below} below`;
  return text;
}
