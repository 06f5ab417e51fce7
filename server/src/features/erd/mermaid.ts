/**
 * The ERD as Mermaid `erDiagram` text: every table as an entity with its columns, one relationship line per
 * foreign key with crow's-foot cardinalities (parent on the left) and the FK columns as the label.
 *
 * Workspace names can hold anything; Mermaid's ER grammar is narrow and its pre-processing scans the whole
 * text (`%%{...}%%` directives anywhere, `%%` comment lines). So:
 * - entity and attribute names are identifiers reduced to [A-Za-z0-9_], starting with a letter, kept off the
 *   grammar's key words (`style`, `end`, `classDef`, `one`, `to`, `PK` ...) and made unique;
 * - the exact name goes into a quoted alias (tables) or the attribute's comment (columns), where every
 *   character other than letters, digits and plain punctuation is written as a Mermaid entity code (`#37;`
 *   for `%`, `#34;` for `"`, `#10;` for a line break): Mermaid shows the exact name, and no quote, `%`,
 *   backslash, line break, `:` or markup character is left in the text to end a string, start a directive
 *   or a comment.
 */
import type { ErdEdge, ErdGraph, ErdTable } from './graph';

export function erdMermaid(graph: ErdGraph, tables: ErdTable[] = graph.tables): string {
  const qualify = new Set(tables.map((t) => t.schema)).size > 1 || tables.some((t) => t.schema !== 'public');
  const multiSource = new Set(tables.map((t) => t.source)).size > 1;
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const t of tables) {
    const wanted = (multiSource ? `${sourceLabel(graph, t.source)}__` : '') + (qualify ? `${t.schema}__${t.name}` : t.name);
    const base = mermaidIdent(wanted);
    let id = base;
    for (let n = 2; used.has(id.toLowerCase()); n++) id = `${base}_${n}`;
    used.add(id.toLowerCase());
    ids.set(t.key, id);
  }
  const lines = ['erDiagram'];
  for (const t of tables) {
    const id = ids.get(t.key)!;
    const label = (multiSource ? `${sourceLabel(graph, t.source)}: ` : '') + (qualify ? `${t.schema}.${t.name}` : t.name);
    const head = label !== id ? `    ${id}["${mermaidText(label)}"]` : `    ${id}`;
    if (!t.columns.length) {
      // Mermaid wants at least one attribute inside braces.
      lines.push(head);
      continue;
    }
    lines.push(`${head} {`);
    const names = new Set<string>();
    for (const c of t.columns) {
      const base = attributeIdent(c.name);
      let name = base;
      for (let n = 2; names.has(name.toLowerCase()); n++) name = `${base}_${n}`;
      names.add(name.toLowerCase());
      const keys = [c.pk ? 'PK' : '', c.fk ? 'FK' : '', c.unique ? 'UK' : ''].filter(Boolean).join(', ');
      const notes = [name !== c.name ? c.name : '', c.notNull && !c.pk ? 'NOT NULL' : ''].filter(Boolean);
      const comment = notes.length ? ` "${mermaidText(notes.join(', '))}"` : '';
      lines.push(`        ${mermaidType(c.type)} ${name}${keys ? ' ' + keys : ''}${comment}`);
    }
    lines.push('    }');
  }
  for (const e of graph.edges) {
    const parent = ids.get(e.to);
    const child = ids.get(e.from);
    if (!parent || !child) continue;
    lines.push(`    ${parent} ${relationship(e)} ${child} : "${mermaidText(e.fromColumns.join(', ')) || 'FK'}"`);
  }
  return lines.join('\n') + '\n';
}

/** Crow's foot: the parent's end (left) and the child's end (right); `--` identifying, `..` not. */
export function relationship(e: ErdEdge): string {
  const left = e.parentEnd === 'one' ? '||' : '|o';
  const right = e.childEnd === 'many' ? 'o{' : 'o|';
  return `${left}${e.identifying ? '--' : '..'}${right}`;
}

function sourceLabel(graph: ErdGraph, source: string): string {
  const s = graph.sources.find((x) => x.id === source);
  return s ? s.label.replace(/ \(.*\)$/, '') : source;
}

/**
 * Words Mermaid's ER lexer reads as key words where an entity name stands (case-insensitive), or that start
 * a statement of their own; an identifier equal to one of them gets a trailing '_'.
 */
const ENTITY_KEYWORDS = new Set([
  'erdiagram', 'style', 'classdef', 'class', 'subgraph', 'end', 'one', 'many', 'to', 'only', 'optionally', 'zero',
  'acctitle', 'accdescr', 'direction', 'u', 'pk', 'fk', 'uk',
]);
/** Inside an entity's braces, only the key markers are key words. */
const ATTRIBUTE_KEYWORDS = new Set(['pk', 'fk', 'uk']);

/** A Mermaid entity name: letters, digits and '_', starting with a letter, never a key word. */
export function mermaidIdent(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[A-Za-z]/.test(id)) id = 'x_' + id;
  if (id === 'x_') return 'x_unnamed';
  return ENTITY_KEYWORDS.has(id.toLowerCase()) ? id + '_' : id;
}

/** A Mermaid attribute name: as an entity name, minus the key markers PK / FK / UK. */
export function attributeIdent(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[A-Za-z]/.test(id)) id = 'x_' + id;
  if (id === 'x_') return 'x_unnamed';
  return ATTRIBUTE_KEYWORDS.has(id.toLowerCase()) ? id + '_' : id;
}

/** An attribute type: Mermaid allows letters, digits, '_', '-', '(', ')', '[' and ']'; never a key marker. */
export function mermaidType(type: string): string {
  const t = type.replace(/\s+/g, '_').replace(/[^A-Za-z0-9_()[\]-]/g, '_');
  return /^[A-Za-z]/.test(t) && !ATTRIBUTE_KEYWORDS.has(t.toLowerCase()) ? t : 'type_' + t;
}

/**
 * Text inside a quoted alias, comment or label: letters, digits, spaces and plain punctuation stay; every
 * other character becomes a Mermaid entity code (`#<code point>;`), which Mermaid shows as the character.
 */
export function mermaidText(text: string): string {
  return text.replace(/[^\p{L}\p{M}\p{N} _.,()$@!?*+=/'-]/gu, (c) => `#${c.codePointAt(0)};`);
}
