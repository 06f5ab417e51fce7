/**
 * Runs the rules over a workspace model with a configuration: severities and options per rule, `checkFrom`
 * (only migrations from a given one on), suppression comments. The one place that decides what is reported;
 * the editor (features/diagnostics.ts) and the CLI (cli/check.ts) both show exactly this.
 */
import type { HistoryModel } from '../model/replay';
import type { WorkspaceModel } from '../workspace/workspace';
import type { AnalysisSettings, Finding, Rule, RuleContext, Severity, SeveritySetting } from './rule';
import { RULES, ruleById } from './rules/index';
import { UNUSED_SUPPRESSION } from './rules/unusedSuppression';
import { findSuppressions, type Suppression } from './suppressions';
import { prismaFindings } from './prisma';

export interface RuleSettings {
  severity?: SeveritySetting;
  options?: Record<string, unknown>;
}

export interface AnalysisConfig extends AnalysisSettings {
  /** Per rule id. A severity set here replaces the grade of every finding of the rule. */
  rules: Record<string, RuleSettings>;
  /** Report only findings in this migration and later ones of its history (file path, file name or version prefix). */
  checkFrom?: string;
}

export const DEFAULT_ANALYSIS_CONFIG: AnalysisConfig = { rules: {}, protectedTables: [] };

export interface ReportedFinding extends Finding {
  severity: Severity;
}

export interface AnalysisResult {
  findings: ReportedFinding[];
  /** Things the user should know about the run itself (a rule that crashed, a checkFrom that matched nothing). */
  notes: string[];
}

export function ruleOptions(rule: Rule, settings: RuleSettings | undefined): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(rule.options ?? {})) options[name] = settings?.options?.[name] ?? option.default;
  return options;
}

export function effectiveSeverity(rule: Rule, config: AnalysisConfig): SeveritySetting | undefined {
  return config.rules[rule.id]?.severity;
}

/** Rules with a Prisma counterpart that reports the same fact in Prisma's terms (see spelledInPrisma). */
const PRISMA_SPELLING: Record<string, string> = {
  'fk-missing-index': 'prisma-missing-index',
  'set-null-on-not-null': 'prisma-set-null-required',
  'set-default-without-default': 'prisma-set-default-without-default',
};

/**
 * Generic findings a Prisma rule reports in Prisma's terms (PRISMA_SPELLING), where the Prisma one is the finding
 * to act on (its quick-fix edits the schema), unless that Prisma rule is off:
 * - in a `.prisma` file (a schema without migrations is the model);
 * - on a Prisma migration whose schema.prisma reports the same fact about the same FK: an index written only into
 *   a migration would be dropped again by the next `prisma migrate dev`. An FK the schema does not declare
 *   (drift) keeps the migration's finding.
 */
function spelledInPrisma(model: WorkspaceModel, config: AnalysisConfig): (f: Finding) => boolean {
  const inSchemaFile = (f: Finding) =>
    f.file.endsWith('.prisma') && !!PRISMA_SPELLING[f.rule] && config.rules[PRISMA_SPELLING[f.rule]]?.severity !== 'off';
  if (!model.companions?.length) return inSchemaFile;
  const keys = new Set<string>();
  const key = (rule: string, history: string, table: string, columns: readonly string[]) => `${rule}\0${history}\0${table}\0${columns.join(',')}`;
  for (const p of prismaFindings(model)) {
    if (p.migratedHistory === undefined || !p.relation || config.rules[p.rule]?.severity === 'off') continue;
    keys.add(key(p.rule, p.migratedHistory, p.relation.model.table, p.relation.columns));
  }
  if (!keys.size) return inSchemaFile;
  const historyOf = new Map<string, string>();
  for (const h of model.histories) for (const file of h.history.files) historyOf.set(file, h.history.id);
  const onMigration = (f: Finding) => {
    const counterpart = PRISMA_SPELLING[f.rule];
    const history = historyOf.get(f.file);
    return !!counterpart && !!f.fk && history !== undefined && keys.has(key(counterpart, history, f.fk.table, f.fk.columns));
  };
  return (f) => inSchemaFile(f) || onMigration(f);
}

export function analyze(model: WorkspaceModel, config: AnalysisConfig = DEFAULT_ANALYSIS_CONFIG, rules: readonly Rule[] = RULES): AnalysisResult {
  const notes: string[] = [];
  const skipped = filesBeforeCheckFrom(model, config.checkFrom, notes);
  // Under review: the files asked for, and with checkFrom the migrations from it on.
  const reviewed = new Set(config.reviewed ?? []);
  if (skipped.size) for (const h of model.histories) for (const f of h.history.files) if (!skipped.has(f)) reviewed.add(f);
  const settings = { protectedTables: config.protectedTables, ...(reviewed.size ? { reviewed: [...reviewed].sort() } : {}) };
  const findings: ReportedFinding[] = [];
  const histories = model.histories;
  const ran = new Set<string>();
  for (const rule of rules) {
    const configured = config.rules[rule.id]?.severity;
    if (configured === 'off') continue;
    ran.add(rule.id);
    let raw: Finding[];
    try {
      const judged = rule.dialects ? histories.filter((h) => rule.dialects!.includes(h.history.dialect ?? 'postgres')) : histories;
      const context = { workspace: model, histories: judged, options: ruleOptions(rule, config.rules[rule.id]), settings };
      raw = rule.perHistory ? checkPerHistory(rule, context) : rule.check(context);
    } catch (err) {
      notes.push(`Rule ${rule.id} failed: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    for (const f of raw) {
      const tags = f.tags ?? rule.tags;
      const severity = configured ?? f.severity ?? rule.defaultSeverity;
      // A finding that may rest on what FK Lens skipped is never an error, even when configured so.
      findings.push({ ...f, ...(tags ? { tags } : {}), severity: f.unsure && severity === 'error' ? 'warning' : severity });
    }
  }

  const spelledByPrisma = spelledInPrisma(model, config);
  const kept = findings.filter((f) => !skipped.has(f.file) && !spelledByPrisma(f));

  // Suppressions.
  const suppressions: Suppression[] = [];
  for (const [path, source] of model.sources) {
    if (skipped.has(path)) continue;
    suppressions.push(...findSuppressions(source));
  }
  let result = kept;
  if (suppressions.length) {
    const byFile = new Map<string, Suppression[]>();
    for (const s of suppressions) {
      let list = byFile.get(s.file);
      if (!list) byFile.set(s.file, (list = []));
      list.push(s);
    }
    result = kept.filter((f) => {
      let suppressed = false;
      for (const s of byFile.get(f.file) ?? []) {
        if (s.rule !== f.rule || f.span.start < s.covers.start || f.span.start > s.covers.end) continue;
        s.used = true;
        suppressed = true;
      }
      return !suppressed;
    });
    const unused = ruleById(UNUSED_SUPPRESSION);
    const unusedSeverity = config.rules[UNUSED_SUPPRESSION]?.severity;
    if (unused && unusedSeverity !== 'off' && rules.includes(unused)) {
      for (const s of suppressions) {
        if (s.used) continue;
        const known = rules.some((r) => r.id === s.rule);
        if (known && !ran.has(s.rule)) continue; // the rule is off: the comment may matter again when it is on
        result.push({
          rule: UNUSED_SUPPRESSION,
          file: s.file,
          span: s.span,
          message: known
            ? `This fklens-ignore${s.scope === 'file' ? '-file' : ''} comment suppresses no ${s.rule} finding; remove it.`
            : `Unknown rule id ${s.rule} in fklens-ignore${s.scope === 'file' ? '-file' : ''}: it suppresses nothing.`,
          severity: unusedSeverity ?? unused.defaultSeverity,
          tags: unused.tags,
        });
      }
    }
  }
  return { findings: result, notes };
}

/**
 * The findings of a `perHistory` rule about each history model, for the options and settings they were made
 * with (the last ones only). Models are immutable, and the Workspace keeps the model object of every history
 * it did not replay again, so after an edit only the edited histories are checked again.
 */
const perHistoryFindings = new WeakMap<HistoryModel, Map<Rule, { key: string; findings: Finding[] }>>();

function checkPerHistory(rule: Rule, context: RuleContext): Finding[] {
  const key = JSON.stringify([context.options, context.settings]);
  const all: Finding[] = [];
  for (const history of context.histories) {
    let byRule = perHistoryFindings.get(history);
    if (!byRule) perHistoryFindings.set(history, (byRule = new Map()));
    let hit = byRule.get(rule);
    if (!hit || hit.key !== key) {
      hit = { key, findings: rule.check({ ...context, histories: [history] }) };
      byRule.set(rule, hit);
    }
    for (const f of hit.findings) all.push(f);
  }
  return all;
}

/** Files of migrations older than `checkFrom`, per history whose files it matches. */
function filesBeforeCheckFrom(model: WorkspaceModel, checkFrom: string | undefined, notes: string[]): Set<string> {
  const skipped = new Set<string>();
  const wanted = checkFrom?.trim();
  if (!wanted) return skipped;
  let matched = false;
  for (const history of model.histories) {
    const files = history.history.files;
    const first = files.findIndex((f) => matchesMigration(f, wanted));
    if (first < 0) continue;
    matched = true;
    for (const f of files.slice(0, first)) skipped.add(f);
  }
  if (!matched) notes.push(`checkFrom "${wanted}" matches no migration file; every migration is checked.`);
  return skipped;
}

/** A path, a path's tail, or the start of one of its segments (a version such as `0005` or `20230101000000`). */
export function matchesMigration(path: string, wanted: string): boolean {
  const w = wanted.replace(/\\/g, '/').replace(/^\.\//, '');
  if (path === w || path.endsWith('/' + w)) return true;
  // The file name, or the migration's folder (Prisma, diesel).
  return path.split('/').slice(-2).some((segment) => segment.startsWith(w));
}
