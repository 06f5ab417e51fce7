/**
 * What a diagnostic rule is and what it reports. A rule is plain data (id, default severity, title, docs
 * text, options) plus a pure `check` over the replayed histories; it never parses, reads files or knows LSP.
 * Adding a rule: one file under `rules/` exporting a `Rule`, and one line in `rules/index.ts`.
 */
import type { ForeignKeyDeclaration, HistoryModel, NamesAtStep } from '../model/replay';
import type { ForeignKey } from '../model/schema';
import type { Span } from '../sources/text';
import type { WorkspaceModel } from '../workspace/workspace';
import type { Dialect } from '../sources/events';

export type Severity = 'error' | 'warning' | 'info';
export type SeveritySetting = Severity | 'off';

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Where a finding points besides its own range: the NOT NULL of a column, the referenced table ... */
export interface RelatedLocation {
  file: string;
  span: Span;
  message: string;
}

/**
 * The foreign key a finding is about, enough to find it again in the model (quick-fixes do):
 * `historyId` + `tableId` select the table in `HistoryModel.tableById`, `name` the FK in its `foreignKeys`.
 * The names are for people and for the CLI's JSON output.
 */
export interface ForeignKeyRef extends NamesAtStep {
  historyId: string;
  tableId: number;
  name: string;
}

export type FindingTag = 'unnecessary';

export interface Finding {
  rule: string;
  file: string;
  /** UTF-16 offsets into the file: the exact clause (column list, ON DELETE clause, REFERENCES target). */
  span: Span;
  message: string;
  /** A grade chosen by the rule for this finding (e.g. uuid vs text: error, int vs bigint: warning); the rule's default otherwise. A configured severity replaces both. */
  severity?: Severity;
  related?: RelatedLocation[];
  fk?: ForeignKeyRef;
  tags?: FindingTag[];
  /** The premise may rest on something FK Lens skipped (a partial history): never reported as an error, whatever the configuration. */
  unsure?: boolean;
}

export type RuleOptionType = 'integer' | 'string' | 'boolean' | 'string[]';

export interface RuleOption {
  type: RuleOptionType;
  default: number | string | boolean | string[];
  description: string;
  minimum?: number;
}

/** Settings every rule may read (not per rule). */
export interface AnalysisSettings {
  /** Tables a cascade must not reach: `name` (any schema) or `schema.name`. */
  protectedTables: string[];
  /**
   * Migration files under review (not run yet, presumably): the files `fklens check` was given when they are not the
   * whole project, and those from `checkFrom` on. The rules about migration practice (lock_timeout, NOT VALID)
   * judge them even where they would report only the newest migration of a history (rules/practice.ts).
   */
  reviewed?: string[];
}

export interface RuleContext {
  workspace: WorkspaceModel;
  histories: HistoryModel[];
  /** The rule's options, defaults filled in. */
  options: Record<string, unknown>;
  settings: AnalysisSettings;
}

/** PostgreSQL and the engines that speak its DDL. */
export const POSTGRES_FAMILY: readonly Dialect[] = ['postgres', 'cockroach'];

export interface Rule {
  id: string;
  defaultSeverity: Severity;
  title: string;
  /** One paragraph: what the rule finds and what happens at run time. Shown as the SARIF rule's full description. */
  description: string;
  options?: Record<string, RuleOption>;
  /**
   * The engines whose histories the rule judges (default: all). Rules that state PostgreSQL's behaviour
   * (NOT VALID, its type and uniqueness checks) would be wrong about MySQL or SQLite histories.
   */
  dialects?: readonly Dialect[];
  /** Tags every finding of the rule carries (e.g. an unused suppression is `unnecessary`). */
  tags?: FindingTag[];
  /**
   * What `check` reports about a history depends on that history's model alone (and the options and
   * settings), not on other histories or on `workspace`. `analyze` then runs the rule one history at a time
   * and keeps the findings of a history whose model did not change since the last run (the Workspace
   * replays only the histories whose files changed, the others keep their model object).
   */
  perHistory?: boolean;
  check(context: RuleContext): Finding[];
}

/** The reference a finding carries for the FK it is about. */
export function foreignKeyRef(history: HistoryModel, fk: ForeignKey): ForeignKeyRef {
  const table = history.tableById.get(fk.tableId);
  const parent = history.tableById.get(fk.refTableId);
  return {
    historyId: history.history.id,
    tableId: fk.tableId,
    name: fk.name,
    schema: table?.schema ?? '',
    table: table?.name ?? '',
    columns: [...fk.columns],
    refSchema: parent?.schema ?? '',
    refTable: parent?.name ?? '',
    refColumns: [...fk.refColumns],
  };
}

/**
 * The reference a step finding carries for the FK one declaration made: the FK as the model has it now when it
 * is still there, else (a later migration dropped or replaced it) the names of that step.
 */
export function declarationRef(history: HistoryModel, d: ForeignKeyDeclaration): ForeignKeyRef {
  if (history.tableById.get(d.fk.tableId)?.foreignKeys.includes(d.fk)) return foreignKeyRef(history, d.fk);
  return { historyId: history.history.id, tableId: d.fk.tableId, name: d.fk.name, ...d.names, columns: [...d.names.columns], refColumns: [...d.names.refColumns] };
}

/** `orders` for tables in public, `billing.orders` otherwise: how messages name a table. */
export function tableLabel(table: { schema: string; name: string } | undefined): string {
  if (!table) return '?';
  return table.schema === 'public' ? table.name : `${table.schema}.${table.name}`;
}

/** `a users row`, `an address row`: the article for a name read aloud (u as in "user" takes `a`). */
export function withArticle(label: string): string {
  return `${/^[aeio]/i.test(label) ? 'an' : 'a'} ${label}`;
}

/** `orders(user_id)`, `billing.lines(order_id, line_no)`. */
export function columnsLabel(table: { schema: string; name: string } | undefined, columns: string[]): string {
  return `${tableLabel(table)}(${columns.join(', ')})`;
}
