/**
 * FK Lens configuration: `.fklens.json` at the workspace root (the one source of truth for the editor and the
 * CLI), overridden in the editor by the VS Code settings `fklens.*`. Pure: text / objects in, a checked
 * configuration and a list of problems out (load.ts reads the file).
 *
 * ```json
 * {
 *   "rules": { "fk-missing-index": "error", "cascade-depth": { "severity": "warning", "options": { "maxDepth": 4 } } },
 *   "protectedTables": ["orders", "billing.payments"],
 *   "migrations": { "include": ["db/**"], "exclude": [], "order": "auto" },
 *   "checkFrom": "0005",
 *   "docsBaseUrl": "https://example.com/fklens/rules/",
 *   "files": { "maxBytes": 20971520, "symlinksOutsideRoot": false }
 * }
 * ```
 */
import type { AnalysisConfig, RuleSettings } from '../analysis/analyze';
import type { SeveritySetting } from '../analysis/rule';
import { RULES, ruleById } from '../analysis/rules/index';
import type { DiscoveryOptions } from '../workspace/discovery';
import { dialectSettings } from '../workspace/settings';
import { jsonErrorOffset } from './locate';
import { DEFAULT_FILE_LIMITS, type FileLimits } from '../workspace/disk';

export const CONFIG_FILE = '.fklens.json';

/** Where rule pages live when nothing else is configured: `<base><rule-id>.md`. */
export const DEFAULT_DOCS_BASE_URL = 'https://github.com/fklens/fklens/blob/main/docs/rules/';

/** One layer of configuration (the file, or the editor settings): only what it sets. */
export interface ConfigLayer {
  rules?: Record<string, RuleSettings>;
  protectedTables?: string[];
  migrations?: DiscoveryOptions;
  checkFrom?: string;
  docsBaseUrl?: string;
  /** Which files are read at all: the size limit, symlinks that point out of the root. */
  files?: Partial<FileLimits>;
}

export interface FkLensConfig {
  analysis: AnalysisConfig;
  migrations: DiscoveryOptions;
  docsBaseUrl: string;
  files: FileLimits;
}

/** One problem of a configuration layer, with the JSON path it is about (to point at it in the file). */
export interface ConfigIssue {
  message: string;
  /** Object keys from the top (`["rules", "fk-missing-index"]`); empty for the whole file. */
  path: string[];
  /** The text is not a JSON object: nothing of it applies. */
  fatal?: boolean;
  /** A JSON syntax error: its offset in the text. */
  offset?: number;
}

export interface Checked {
  layer: ConfigLayer;
  /** The messages of `issues`. */
  problems: string[];
  issues: ConfigIssue[];
}

const SEVERITIES: SeveritySetting[] = ['off', 'info', 'warning', 'error'];
const ORDERS = ['auto', 'name', 'version'] as const;

/** Parses the text of `.fklens.json`. Bad JSON or bad values give problems, never a throw. */
export function parseConfigText(text: string, where = CONFIG_FILE): Checked {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const message = `${where}: not valid JSON (${reason}); using the defaults.`;
    return { layer: {}, problems: [message], issues: [{ message, path: [], fatal: true, offset: jsonErrorOffset(text, reason) }] };
  }
  return checkLayer(value, where, false);
}

/**
 * The VS Code settings section `fklens`. Settings left at their defaults (empty lists, `auto`, empty strings,
 * null) do not override the file.
 */
export function settingsLayer(section: unknown): Checked {
  return checkLayer(section ?? {}, 'settings fklens', true);
}

function checkLayer(value: unknown, where: string, editor: boolean): Checked {
  const issues: ConfigIssue[] = [];
  // Problems are written `where: <message>`; `at` is the JSON path the message is about.
  const problems = {
    at: [] as string[],
    push(message: string) {
      issues.push({ message, path: this.at });
    },
  };
  const at = (...path: string[]) => {
    problems.at = path;
    return problems;
  };
  const layer: ConfigLayer = {};
  const done = (): Checked => ({ layer, problems: issues.map((i) => i.message), issues });
  if (!isObject(value)) {
    issues.push({ message: `${where}: expected an object.`, path: [], fatal: true });
    return done();
  }
  const known = new Set(['$schema', 'rules', 'protectedTables', 'migrations', 'checkFrom', 'docsBaseUrl', 'files', 'trace', 'dialects', 'mysql', 'codeLens', 'fixes']);
  for (const key of Object.keys(value)) {
    if (!known.has(key) && !/^(migrations|files|trace|mysql|codeLens|fixes)\./.test(key)) at(key).push(`${where}: unknown setting "${key}".`);
  }

  if (value.rules !== undefined && value.rules !== null) {
    if (!isObject(value.rules)) at('rules').push(`${where}: "rules" must be an object of rule id -> severity.`);
    else {
      const rules: Record<string, RuleSettings> = {};
      for (const [id, setting] of Object.entries(value.rules)) {
        const checked = checkRule(id, setting, `${where}: rules.${id}`, at('rules', id));
        if (checked) rules[id] = checked;
      }
      if (Object.keys(rules).length) layer.rules = rules;
    }
  }

  if (value.protectedTables !== undefined && value.protectedTables !== null) {
    const list = stringList(value.protectedTables);
    if (!list) at('protectedTables').push(`${where}: "protectedTables" must be a list of table names.`);
    else if (list.length || !editor) layer.protectedTables = list;
  }

  const migrations = isObject(value.migrations) ? value.migrations : {};
  const flat = (key: string) => migrations[key] ?? value[`migrations.${key}`];
  const discovery: DiscoveryOptions = {};
  for (const key of ['include', 'exclude'] as const) {
    const raw = flat(key);
    if (raw === undefined || raw === null) continue;
    const list = stringList(raw);
    if (!list) at('migrations', key).push(`${where}: "migrations.${key}" must be a list of globs.`);
    else if (list.length || !editor) discovery[key] = list.filter((g) => g.trim() !== '');
  }
  const order = flat('order');
  if (order !== undefined && order !== null) {
    if (!ORDERS.includes(order as (typeof ORDERS)[number])) at('migrations', 'order').push(`${where}: "migrations.order" must be auto, name or version.`);
    else if (order !== 'auto' || !editor) discovery.order = order as DiscoveryOptions['order'];
  }
  // Which database engine files are for (`dialects`: glob -> dialect) and which MySQL server (`mysql.server`).
  Object.assign(discovery, dialectSettings(value));
  if (Object.keys(discovery).length) layer.migrations = discovery;
  if (value.migrations !== undefined && value.migrations !== null && !isObject(value.migrations)) at('migrations').push(`${where}: "migrations" must be an object.`);

  const files = isObject(value.files) ? value.files : {};
  const limits: Partial<FileLimits> = {};
  const maxBytes = files.maxBytes ?? value['files.maxBytes'];
  if (maxBytes !== undefined && maxBytes !== null && maxBytes !== 0) {
    if (!Number.isInteger(maxBytes) || (maxBytes as number) < 1) at('files', 'maxBytes').push(`${where}: "files.maxBytes" must be a whole number of bytes.`);
    else limits.maxBytes = maxBytes as number;
  }
  const outside = files.symlinksOutsideRoot ?? value['files.symlinksOutsideRoot'];
  if (outside !== undefined && outside !== null) {
    if (typeof outside !== 'boolean') at('files', 'symlinksOutsideRoot').push(`${where}: "files.symlinksOutsideRoot" must be true or false.`);
    else if (outside || !editor) limits.symlinksOutsideRoot = outside;
  }
  if (Object.keys(limits).length) layer.files = limits;
  if (value.files !== undefined && value.files !== null && !isObject(value.files)) at('files').push(`${where}: "files" must be an object.`);

  for (const key of ['checkFrom', 'docsBaseUrl'] as const) {
    const raw = value[key];
    if (raw === undefined || raw === null || raw === '') continue;
    if (typeof raw !== 'string') at(key).push(`${where}: "${key}" must be a string.`);
    else layer[key] = raw.trim();
  }
  return done();
}

function checkRule(id: string, setting: unknown, where: string, problems: { push(message: string): void }): RuleSettings | undefined {
  const rule = ruleById(id);
  if (!rule) {
    problems.push(`${where}: unknown rule (known rules: ${RULES.map((r) => r.id).join(', ')}).`);
    return undefined;
  }
  if (typeof setting === 'string') {
    if (!SEVERITIES.includes(setting as SeveritySetting)) {
      problems.push(`${where}: severity must be off, info, warning or error.`);
      return undefined;
    }
    return { severity: setting as SeveritySetting };
  }
  if (!isObject(setting)) {
    problems.push(`${where}: expected "off" | "info" | "warning" | "error" or { "severity", "options" }.`);
    return undefined;
  }
  const out: RuleSettings = {};
  if (setting.severity !== undefined) {
    if (!SEVERITIES.includes(setting.severity as SeveritySetting)) problems.push(`${where}.severity: must be off, info, warning or error.`);
    else out.severity = setting.severity as SeveritySetting;
  }
  if (setting.options !== undefined) {
    if (!isObject(setting.options)) problems.push(`${where}.options: must be an object.`);
    else {
      const options: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(setting.options)) {
        const spec = rule.options?.[name];
        if (!spec) {
          problems.push(`${where}.options.${name}: unknown option${rule.options ? ` (options: ${Object.keys(rule.options).join(', ')})` : ''}.`);
          continue;
        }
        const ok =
          spec.type === 'integer'
            ? Number.isInteger(v) && (spec.minimum === undefined || (v as number) >= spec.minimum)
            : spec.type === 'string[]'
              ? !!stringList(v)
              : typeof v === spec.type;
        if (!ok) problems.push(`${where}.options.${name}: expected ${spec.type}${spec.minimum !== undefined ? ` >= ${spec.minimum}` : ''}.`);
        else options[name] = v;
      }
      if (Object.keys(options).length) out.options = options;
    }
  }
  for (const key of Object.keys(setting)) if (key !== 'severity' && key !== 'options') problems.push(`${where}: unknown key "${key}".`);
  return out;
}

/** Later layers win; per rule, a later severity or option replaces the earlier one. */
export function resolveConfig(...layers: ConfigLayer[]): FkLensConfig {
  const rules: Record<string, RuleSettings> = {};
  let protectedTables: string[] = [];
  const migrations: DiscoveryOptions = { include: [], exclude: [], order: 'auto' };
  let checkFrom: string | undefined;
  let docsBaseUrl = DEFAULT_DOCS_BASE_URL;
  const files: FileLimits = { ...DEFAULT_FILE_LIMITS };
  for (const layer of layers) {
    Object.assign(files, layer.files);
    for (const [id, setting] of Object.entries(layer.rules ?? {})) {
      const previous = rules[id] ?? {};
      rules[id] = {
        severity: setting.severity ?? previous.severity,
        options: setting.options || previous.options ? { ...previous.options, ...setting.options } : undefined,
      };
    }
    if (layer.protectedTables) protectedTables = layer.protectedTables;
    if (layer.migrations?.include) migrations.include = layer.migrations.include;
    if (layer.migrations?.exclude) migrations.exclude = layer.migrations.exclude;
    if (layer.migrations?.order) migrations.order = layer.migrations.order;
    if (layer.migrations?.dialects) migrations.dialects = { ...migrations.dialects, ...layer.migrations.dialects };
    if (layer.migrations?.mysqlServer) migrations.mysqlServer = layer.migrations.mysqlServer;
    if (layer.checkFrom !== undefined) checkFrom = layer.checkFrom;
    if (layer.docsBaseUrl) docsBaseUrl = layer.docsBaseUrl;
  }
  return { analysis: { rules, protectedTables, checkFrom }, migrations, docsBaseUrl, files };
}

/** The page of a rule: `<base><id>.md`. */
export function ruleDocsUrl(base: string, ruleId: string): string {
  return `${base.endsWith('/') ? base : base + '/'}${ruleId}.md`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}
