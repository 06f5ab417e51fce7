/** Findings as the CLI reports them: 1-based lines and columns (UTF-16), paths as the user sees them. */
import type { ReportedFinding } from '../analysis/analyze';
import type { Severity } from '../analysis/rule';
import { LineIndex, type Span } from '../sources/text';
import type { WorkspaceModel } from '../workspace/workspace';

export interface CheckLocation {
  /** Relative to the checked directory, '/'-separated. */
  file: string;
  line: number;
  column: number;
  endLine: number;
  /** The column just after the last character (as in SARIF). */
  endColumn: number;
}

export interface CheckFinding extends CheckLocation {
  rule: string;
  severity: Severity;
  message: string;
  related: (CheckLocation & { message: string })[];
  fk?: { schema: string; table: string; columns: string[]; refSchema: string; refTable: string; refColumns: string[] };
}

export function checkFindings(model: WorkspaceModel, findings: ReportedFinding[]): CheckFinding[] {
  const indexes = new Map<string, LineIndex>();
  const locate = (file: string, span: Span): CheckLocation => {
    let index = indexes.get(file);
    if (!index) indexes.set(file, (index = model.sources.get(file)?.lines ?? new LineIndex('')));
    const clamp = (n: number) => Math.min(Math.max(0, n), index!.text.length);
    const start = index.position(clamp(span.start));
    const end = index.position(clamp(Math.max(span.start, span.end)));
    return { file, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
  };
  const out = findings.map((f): CheckFinding => {
    const entry: CheckFinding = {
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      ...locate(f.file, f.span),
      related: (f.related ?? []).map((r) => ({ ...locate(r.file, r.span), message: r.message })),
    };
    if (f.fk) {
      const { schema, table, columns, refSchema, refTable, refColumns } = f.fk;
      entry.fk = { schema, table, columns, refSchema, refTable, refColumns };
    }
    return entry;
  });
  out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  // One finding per place and message (an FK seen by two rules' passes, or twice through two histories, once).
  const seen = new Set<string>();
  return out.filter((f) => {
    const key = `${f.file}:${f.line}:${f.column}:${f.rule}:${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
