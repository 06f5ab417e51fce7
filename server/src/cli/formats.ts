/**
 * The output formats of `fklens check`: text, json, sarif (2.1.0) and github (workflow commands). Findings
 * carry absolute paths; every format shows them relative to the current directory (SARIF: relative to
 * %SRCROOT%, which is the current directory).
 */
import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ruleDocsUrl } from '../config/config';
import type { Rule, Severity } from '../analysis/rule';
import type { CheckFinding } from './findings';
import type { PartialHistoryJson } from '../model/json';
import { displayed, sarifInvocation } from './partial';
import { escapeTerminal, quotePath } from './terminal';

export type CheckFormat = 'text' | 'json' | 'sarif' | 'github';

/** What SARIF says about a rule (the rules of the registry, and what `check` reports besides them). */
export type RuleInfo = Pick<Rule, 'id' | 'title' | 'description' | 'defaultSeverity'>;

export interface FormatContext {
  /** The current directory: SARIF's %SRCROOT%. */
  cwd: string;
  /** How an absolute path is shown (text, json, github): relative to the current directory. */
  display: (file: string) => string;
  rules: readonly RuleInfo[];
  docsBaseUrl: string;
  version: string;
  /** The histories FK Lens could not read whole (absolute paths, like findings). */
  partial?: PartialHistoryJson[];
}

/**
 * `file:line:col severity rule-id message`, one line per finding, like a compiler. Control characters in
 * paths and messages are shown escaped, so a name can neither rewrite the terminal nor start a line of its own.
 */
export function formatText(findings: CheckFinding[], ctx: FormatContext): string {
  return findings.map((f) => `${quotePath(ctx.display(f.file))}:${f.line}:${f.column} ${f.severity} ${f.rule} ${escapeTerminal(oneLine(f.message))}\n`).join('');
}

export function formatJson(findings: CheckFinding[], ctx: FormatContext): string {
  const diagnostics = findings.map((f) => ({
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    file: ctx.display(f.file),
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    ...(f.fk ? { fk: f.fk } : {}),
  }));
  return JSON.stringify({ diagnostics, partial: displayed(ctx.partial ?? [], ctx.display) }, null, 2) + '\n';
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export function formatSarif(findings: CheckFinding[], ctx: FormatContext): string {
  const ruleIndex = new Map(ctx.rules.map((r, i) => [r.id, i]));
  const srcRoot = pathToFileURL(ctx.cwd.endsWith(sep) ? ctx.cwd : ctx.cwd + sep).href;
  const artifact = (file: string) => {
    const rel = relative(ctx.cwd, file);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return { uri: rel.split(sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
    return { uri: pathToFileURL(file).href };
  };
  const physical = (l: { file: string; line: number; column: number; endLine: number; endColumn: number }) => ({
    artifactLocation: artifact(l.file),
    region: { startLine: l.line, startColumn: l.column, endLine: l.endLine, endColumn: l.endColumn },
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'FK Lens',
            version: ctx.version,
            informationUri: ctx.docsBaseUrl,
            rules: ctx.rules.map((r) => ({
              id: r.id,
              name: pascal(r.id),
              shortDescription: { text: r.title },
              fullDescription: { text: r.description },
              help: { text: `${r.description}\nSee ${ruleDocsUrl(ctx.docsBaseUrl, r.id)}`, markdown: `${r.description}\n\n[${r.id}](${ruleDocsUrl(ctx.docsBaseUrl, r.id)})` },
              helpUri: ruleDocsUrl(ctx.docsBaseUrl, r.id),
              defaultConfiguration: { level: SARIF_LEVEL[r.defaultSeverity] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: srcRoot } },
        invocations: [sarifInvocation(ctx.partial ?? [], artifact)],
        results: findings.map((f) => ({
          ruleId: f.rule,
          ...(ruleIndex.has(f.rule) ? { ruleIndex: ruleIndex.get(f.rule) } : {}),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [{ physicalLocation: physical(f) }],
          ...(f.related.length ? { relatedLocations: f.related.map((r, i) => ({ id: i + 1, physicalLocation: physical(r), message: { text: r.message } })) } : {}),
          ...(f.fk ? { properties: { foreignKey: f.fk } } : {}),
        })),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

/**
 * GitHub Actions workflow commands: `::error file=F,line=L,col=C,endLine=..,endColumn=..,title=rule::message`.
 * The runner's own escaping (actions/toolkit `command.ts`): data escapes % CR LF; properties also : and ,.
 * Other control characters are shown escaped, as in the text format: the log is a terminal too.
 */
export function formatGithub(findings: CheckFinding[], ctx: FormatContext): string {
  const command: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };
  return findings
    .map((f) => {
      const props = [
        `file=${escapeProperty(ctx.display(f.file))}`,
        `line=${f.line}`,
        `col=${f.column}`,
        `endLine=${f.endLine}`,
        `endColumn=${f.endColumn}`,
        `title=${escapeProperty(`fklens ${f.rule}`)}`,
      ];
      return `::${command[f.severity]} ${props.join(',')}::${escapeData(f.message)}\n`;
    })
    .join('');
}

function escapeData(s: string): string {
  return escapeTerminal(s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

function pascal(id: string): string {
  return id.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
