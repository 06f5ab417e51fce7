/**
 * `fklens check [TARGET...]`: the editor's findings for directories, files or globs, for CI. Besides the rules'
 * findings it reports what the rules cannot see: files it did not read (`file-skipped`) and problems of the
 * project's `.fklens.json` (`config-error`).
 */
import { join } from 'node:path';
import { analyze } from '../analysis/analyze';
import { SEVERITY_RANK, type Severity } from '../analysis/rule';
import { RULES } from '../analysis/rules/index';
import { locateConfigIssues } from '../config/locate';
import { partialJson, partialSummary, type PartialHistoryJson } from '../model/json';
import { displayed } from './partial';
import { LineIndex } from '../sources/text';
import { skipHidesContent, skipReason } from '../workspace/disk';
import { defineCommand, InputError, type OptionValues } from './command';
import { checkFindings, type CheckFinding } from './findings';
import { formatGithub, formatJson, formatSarif, formatText, type CheckFormat, type FormatContext, type RuleInfo } from './formats';
import { openProjects, PROJECT_OPTIONS } from './project';
import { displayPath, escapeTerminal } from './terminal';

export type FailOn = Severity | 'never';

/** What `check` reports besides the rules, described for `--help`, SARIF and the README. */
export const CHECK_TOOL_RULES: RuleInfo[] = [
  {
    id: 'file-skipped',
    title: 'File not read',
    description:
      'A schema or migration file was found but not read: larger than the size limit (files.maxBytes, --max-file-bytes), not text, unreadable, or a symbolic link to a file outside the project (files.symlinksOutsideRoot). What it declares is missing from the model, so findings may be missing too.',
    defaultSeverity: 'warning',
  },
  {
    id: 'config-error',
    title: 'Invalid .fklens.json',
    description: 'The project\'s .fklens.json is not valid JSON (nothing of it applies: error) or has a value FK Lens does not understand (that value is ignored: warning).',
    defaultSeverity: 'error',
  },
];

export interface CheckOutput {
  stdout: string;
  /** Notes, the summary of the text format; escaped for the terminal. */
  stderr: string[];
  exitCode: number;
}

export async function runCheck(targets: string[], values: OptionValues, version: string, cwd = process.cwd()): Promise<CheckOutput> {
  const format = (values.json ? 'json' : ((values.format as CheckFormat | undefined) ?? 'text')) as CheckFormat;
  if (values.json && values.format && values.format !== 'json') throw new InputError(`--json is --format json; it cannot be combined with --format ${values.format}`);
  const failOn = (values['fail-on'] as FailOn | undefined) ?? 'error';
  const { projects, notes } = await openProjects(targets, values, cwd);
  const stderr = [...notes];
  const findings: CheckFinding[] = [];
  const partial: PartialHistoryJson[] = [];
  let files = 0;
  let docsBaseUrl: string | undefined;
  // What all targets together select (a file and its folder, which may be projects of their own: the folder).
  const selectedFiles = new Set(projects.flatMap((p) => [...p.selected].map((rel) => join(p.root, ...rel.split('/')))));
  for (const project of projects) {
    const abs = (rel: string) => join(project.root, ...rel.split('/'));
    const model = project.workspace.model();
    partial.push(...partialJson(model, abs));
    // Files named among others (not the whole project) are under review: the lock rules judge each of them.
    const all = model.histories.flatMap((h) => h.history.files);
    const reviewed = all.some((f) => !selectedFiles.has(abs(f))) ? all.filter((f) => selectedFiles.has(abs(f))) : [];
    const analysis = analyze(model, reviewed.length ? { ...project.config.analysis, reviewed } : project.config.analysis);
    stderr.push(...analysis.notes.map(escapeTerminal));
    docsBaseUrl ??= project.config.docsBaseUrl;
    const inHistories = new Set(model.histories.flatMap((h) => h.history.files));
    files += [...project.selected].filter((f) => inHistories.has(f)).length;
    for (const f of checkFindings(model, analysis.findings)) {
      if (!project.selected.has(f.file)) continue;
      findings.push({ ...f, file: abs(f.file), related: f.related.map((r) => ({ ...r, file: abs(r.file) })) });
    }
    for (const s of project.skipped) {
      if (!skipHidesContent(s.reason)) continue;
      findings.push({
        rule: 'file-skipped',
        severity: 'warning',
        message: `Not read: ${skipReason(s.reason, s)}. What it declares is missing from the model.`,
        file: abs(s.path),
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
        related: [],
      });
    }
    const config = project.configFile;
    if (config?.path && config.issues.length) {
      const lines = new LineIndex(config.text ?? '');
      for (const issue of locateConfigIssues(config.text ?? '', config.issues, config.path)) {
        const start = lines.position(issue.span.start);
        const end = lines.position(issue.span.end);
        findings.push({
          rule: 'config-error',
          severity: issue.severity,
          message: issue.message,
          file: config.path,
          line: start.line + 1,
          column: start.character + 1,
          endLine: end.line + 1,
          endColumn: end.character + 1,
          related: [],
        });
      }
    }
  }
  // One finding per place and message, in path order, also across projects (a file and its folder as targets).
  const seen = new Set<string>();
  const unique = findings
    .filter((f) => {
      const key = `${f.file}\0${f.line}:${f.column}:${f.rule}:${f.message}`;
      return !seen.has(key) && !!seen.add(key);
    })
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));

  const ctx: FormatContext = {
    cwd,
    display: (file) => displayPath(file, cwd),
    rules: [...RULES, ...CHECK_TOOL_RULES],
    docsBaseUrl: docsBaseUrl ?? projects[0]?.config.docsBaseUrl ?? '',
    version,
    partial,
  };
  const stdout = { text: formatText, json: formatJson, sarif: formatSarif, github: formatGithub }[format](unique, ctx);
  if (format === 'text') {
    const count = (s: Severity) => unique.filter((f) => f.severity === s).length;
    stderr.push(`${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info in ${files} file(s).`);
    stderr.push(...partialSummary(displayed(partial, ctx.display)).map(escapeTerminal));
  }
  const failing = failOn !== 'never' && unique.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]);
  return { stdout, stderr, exitCode: failing ? 1 : 0 };
}

export const checkCommand = defineCommand({
  name: 'check',
  summary: 'report the foreign-key problems the editor shows, for CI',
  usage: 'check [TARGET...] [options]',
  description: `Reports the findings of every rule on the schema and migration files of each TARGET (default: .).
A single migration is judged against the schema the migrations before it built: the whole project around it
(the folder with .fklens.json, else the version-control root) is read, and only the targeted files are
reported. Besides the rules: file-skipped (a file found but not read: too large, not text, a symlink out of
the project) and config-error (an invalid .fklens.json; a missing or invalid --config is exit 2).`,
  arguments: [['TARGET', 'a directory, a file or a glob (quote it: \'db/migrations/00*.sql\'); repeatable']],
  positionals: { min: 0, max: Infinity },
  options: {
    format: { type: 'string', short: 'f', choices: ['text', 'json', 'sarif', 'github'], help: 'text: file:line:col severity rule message (default); sarif 2.1.0; github: workflow annotations' },
    json: { type: 'boolean', help: 'the same as --format json' },
    'fail-on': { type: 'string', choices: ['error', 'warning', 'info', 'never'], help: 'exit 1 when a finding at or above this severity exists (default error)' },
    ...PROJECT_OPTIONS,
  },
  examples: [
    ['fklens check', 'every history under the current directory'],
    ['fklens check db/migrations/0042_add_orders.up.sql', 'one new migration, after the 41 before it'],
    ['fklens check . --format sarif > fklens.sarif', 'SARIF for GitHub code scanning'],
  ],
  exitCodes: [
    [0, 'no finding at or above --fail-on'],
    [1, 'a finding at or above --fail-on (default error)'],
    [2, 'usage error, missing target, a target with no schema or migration files, missing or invalid --config'],
    [3, 'internal error'],
  ],
  async run(args, io) {
    const result = await runCheck(args.positionals, args.values, process.env.FKLENS_VERSION ?? 'dev');
    io.out(result.stdout);
    for (const line of result.stderr) io.err(`fklens: ${line}\n`);
    return result.exitCode;
  },
});
