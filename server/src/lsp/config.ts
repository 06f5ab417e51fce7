/** Problems of a folder's `.fklens.json` as diagnostics on that file (a bad file is never a silent fallback). */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { locateConfigIssues } from '../config/locate';
import type { LoadedConfigFile } from '../config/load';
import { LineIndex } from '../sources/text';

export function configDiagnostics(file: LoadedConfigFile): Diagnostic[] {
  const lines = new LineIndex(file.text ?? '');
  return locateConfigIssues(file.text ?? '', file.issues, file.path).map((issue) => ({
    range: { start: lines.position(issue.span.start), end: lines.position(issue.span.end) },
    severity: issue.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: 'fklens',
    code: 'config-error',
    message: issue.message,
  }));
}
