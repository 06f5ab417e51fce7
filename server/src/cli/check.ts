/**
 * `fklens check [DIR] [--format text|json|sarif|github] [--fail-on error|warning|info|never] [--config FILE]`:
 * the editor's findings for a whole directory, for CI.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { analyze } from '../analysis/analyze';
import { SEVERITY_RANK, type Severity } from '../analysis/rule';
import { RULES } from '../analysis/rules/index';
import { resolveConfig, type ConfigLayer } from '../config/config';
import { loadConfigFile } from '../config/load';
import { openWorkspace } from '../workspace/open';
import { skipReason, type SkippedFile } from '../workspace/disk';
import { checkFindings } from './findings';
import { partialJson, partialSummary } from '../model/json';
import { formatGithub, formatJson, formatSarif, formatText, type CheckFormat, type FormatContext } from './formats';

export type FailOn = Severity | 'never';

export interface CheckRequest {
  dir: string;
  format: CheckFormat;
  failOn: FailOn;
  /** `--config FILE` (default DIR/.fklens.json). */
  configFile?: string;
  /** --include / --exclude / --order given on the command line (they win over the file). */
  flags: ConfigLayer;
  version: string;
}

export interface CheckOutput {
  stdout: string;
  /** Configuration problems, notes, the summary of the text format. */
  stderr: string[];
  exitCode: number;
}

export async function runCheck(request: CheckRequest): Promise<CheckOutput> {
  const root = resolve(request.dir);
  const stderr: string[] = [];
  const file = await loadConfigFile(root, request.configFile ? resolve(request.configFile) : undefined);
  stderr.push(...file.problems);
  const config = resolveConfig(file.layer, request.flags);
  const skipped: SkippedFile[] = [];
  const workspace = await openWorkspace(root, config.migrations, skipped);
  for (const s of skipped) stderr.push(`Skipped ${s.path}: ${skipReason(s.reason)}.`);
  const model = workspace.model();
  const analysis = analyze(model, config.analysis);
  stderr.push(...analysis.notes);
  const findings = checkFindings(model, analysis.findings);

  const cwd = process.cwd();
  const display = (f: string) => {
    const abs = join(root, ...f.split('/'));
    const rel = relative(cwd, abs);
    return (rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs).split(sep).join('/');
  };
  const partial = partialJson(model);
  const ctx: FormatContext = { root, display, rules: RULES, docsBaseUrl: config.docsBaseUrl, version: request.version, partial };
  const format = { text: formatText, json: formatJson, sarif: formatSarif, github: formatGithub }[request.format];
  const stdout = format(findings, ctx);
  if (request.format === 'text') {
    const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
    stderr.push(`${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info in ${model.histories.reduce((n, h) => n + h.steps.length, 0)} file(s).`);
    stderr.push(...partialSummary(partialJson(model, display)));
  }
  const failing = request.failOn !== 'never' && findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[request.failOn as Severity]);
  return { stdout, stderr, exitCode: failing ? 1 : 0 };
}
