/** FK Lens diagnostics as LSP diagnostics: severity, code + link to the rule's page, related locations, tags, data. */
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from 'vscode-languageserver/node';
import type { FileDiagnostic } from '../features/diagnostics';
import { ruleDocsUrl } from '../config/config';
import { ruleById } from '../analysis/rules/index';

export interface LspDiagnosticContext {
  docsBaseUrl: string;
  /** The URI of a workspace-relative file (for related locations). */
  uriOf: (file: string) => string;
  /** The client shows relatedInformation; when it does not, the related messages go into the message. */
  relatedInformation: boolean;
}

export function toLspDiagnostic(d: FileDiagnostic, context: LspDiagnosticContext): Diagnostic {
  const diagnostic: Diagnostic = {
    range: d.range,
    severity: lspSeverity(d.severity),
    source: 'fklens',
    code: d.code,
    message: d.message,
  };
  if (ruleById(d.code)) diagnostic.codeDescription = { href: ruleDocsUrl(context.docsBaseUrl, d.code) };
  if (d.related?.length) {
    if (context.relatedInformation) {
      // The editor names a related location by its file name alone: where that name is not unique (every diesel
      // migration is an up.sql), the message says which file.
      const ambiguous = (r: { label: string }) => r.label.includes('/');
      diagnostic.relatedInformation = d.related.map((r) => ({ location: { uri: context.uriOf(r.file), range: r.range }, message: ambiguous(r) ? `${r.message} (in ${r.label})` : r.message }));
    } else {
      diagnostic.message += '\n' + d.related.map((r) => `${r.label}:${r.range.start.line + 1}:${r.range.start.character + 1}: ${r.message}`).join('\n');
    }
  }
  if (d.tags?.includes('unnecessary')) diagnostic.tags = [DiagnosticTag.Unnecessary];
  if (d.data) diagnostic.data = d.data;
  return diagnostic;
}

export function lspSeverity(severity: FileDiagnostic['severity']): DiagnosticSeverity {
  switch (severity) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'info':
      return DiagnosticSeverity.Information;
    default:
      return DiagnosticSeverity.Hint;
  }
}
