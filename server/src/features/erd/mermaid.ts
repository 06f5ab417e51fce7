/**
 * The ERD as Mermaid `erDiagram` text: every table as an entity with its columns, one relationship line per
 * foreign key with crow's-foot cardinalities (parent on the left) and the FK columns as the label.
 * Workspace names can hold anything, Mermaid identifiers cannot: names are reduced to [A-Za-z0-9_] and made
 * unique; the exact name goes into the entity's alias label when it differs.
 */
import type { ErdEdge, ErdGraph, ErdTable } from './graph';

export function erdMermaid(graph: ErdGraph, tables: ErdTable[] = graph.tables): string {
  const qualify = new Set(tables.map((t) => t.schema)).size > 1 || tables.some((t) => t.schema !== 'public');
  const multiSource = new Set(tables.map((t) => t.source)).size > 1;
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const t of tables) {
    const wanted = (multiSource ? `${sourceLabel(graph, t.source)}__` : '') + (qualify ? `${t.schema}__${t.name}` : t.name);
    let id = mermaidIdent(wanted);
    for (let n = 2; used.has(id.toLowerCase()); n++) id = `${mermaidIdent(wanted)}_${n}`;
    used.add(id.toLowerCase());
    ids.set(t.key, id);
  }
  const lines = ['erDiagram'];
  for (const t of tables) {
    const id = ids.get(t.key)!;
    const label = qualify ? `${t.schema}.${t.name}` : t.name;
    const alias = mermaidLabel(label);
    const head = alias !== id ? `    ${id}["${alias}"]` : `    ${id}`;
    if (!t.columns.length) {
      // Mermaid wants at least one attribute inside braces.
      lines.push(head);
      continue;
    }
    lines.push(`${head} {`);
    const names = new Set<string>();
    for (const c of t.columns) {
      // PK / FK / UK are key words where an attribute name may also stand.
      const base = /^(pk|fk|uk)$/i.test(mermaidIdent(c.name)) ? mermaidIdent(c.name) + '_' : mermaidIdent(c.name);
      let name = base;
      for (let n = 2; names.has(name); n++) name = `${base}_${n}`;
      names.add(name);
      const keys = [c.pk ? 'PK' : '', c.fk ? 'FK' : '', c.unique ? 'UK' : ''].filter(Boolean).join(', ');
      const comment = c.notNull && !c.pk ? ' "NOT NULL"' : '';
      lines.push(`        ${mermaidType(c.type)} ${name}${keys ? ' ' + keys : ''}${comment}`);
    }
    lines.push('    }');
  }
  for (const e of graph.edges) {
    const parent = ids.get(e.to);
    const child = ids.get(e.from);
    if (!parent || !child) continue;
    lines.push(`    ${parent} ${relationship(e)} ${child} : "${mermaidLabel(e.fromColumns.join(', '))}"`);
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

/** A Mermaid entity / attribute name: letters, digits and '_', starting with a letter. */
export function mermaidIdent(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[A-Za-z]/.test(id)) id = 'x_' + id;
  return id === 'x_' ? 'x_unnamed' : id;
}

/** An attribute type: Mermaid allows letters, digits, '_', '-', '(', ')', '[' and ']'. */
export function mermaidType(type: string): string {
  const t = type.replace(/\s+/g, '_').replace(/[^A-Za-z0-9_()[\]-]/g, '_');
  return /^[A-Za-z]/.test(t) ? t : 'type_' + t;
}

/** Text inside double quotes: no quotes, no line breaks, no markup. */
export function mermaidLabel(text: string): string {
  return text.replace(/["<>\r\n\\`#;{}]/g, '_');
}
