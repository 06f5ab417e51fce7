/** Running the rule engine on SQL given as strings, and reading the examples of the rule pages (docs/rules). */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze, type AnalysisConfig, type ReportedFinding } from '../../server/src/analysis/analyze';
import { Workspace } from '../../server/src/workspace/workspace';

export const DOCS = resolve(__dirname, '../../../docs/rules');

/** Findings for a workspace made of `files` (path -> text). */
export function check(files: Record<string, string>, config: Partial<AnalysisConfig> = {}): ReportedFinding[] {
  const ws = new Workspace({});
  for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
  return analyze(ws.model(), { rules: {}, protectedTables: [], ...config }).findings;
}

export function checkSql(sql: string, config: Partial<AnalysisConfig> = {}): ReportedFinding[] {
  return check({ 'schema.sql': sql }, config);
}

export const rulesOf = (findings: ReportedFinding[]) => findings.map((f) => f.rule);

export interface DocExample {
  /** Workspace-relative path -> text, in apply order. */
  files: [string, string][];
}

export interface RuleDoc {
  id: string;
  text: string;
  bad: DocExample;
  good: DocExample;
  /** The engine the examples are for (a `**Dialect:**` line on the page; PostgreSQL when absent). */
  dialect: 'postgres' | 'mysql' | 'sqlite';
  /** DML run after the bad example that must fail (run-time rules). */
  runtime?: string;
  config: Partial<AnalysisConfig>;
}

function sqlBlockAfter(text: string, heading: string): string | undefined {
  const at = text.indexOf(`\n## ${heading}\n`);
  if (at < 0) return undefined;
  const next = text.indexOf('\n## ', at + 4);
  const section = text.slice(at, next < 0 ? text.length : next);
  const m = /```sql\n([\s\S]*?)```/.exec(section);
  return m?.[1];
}

/** `-- file: NAME` lines split an example into migration files (db/migrations/NAME); otherwise one schema.sql. */
function example(sql: string, schemaFile = 'schema.sql'): DocExample {
  const parts = sql.split(/^-- file: (.+)$/m);
  if (parts.length === 1) return { files: [[schemaFile, sql]] };
  const files: [string, string][] = [];
  for (let i = 1; i < parts.length; i += 2) files.push([`db/migrations/${parts[i].trim()}`, parts[i + 1].replace(/^\n/, '')]);
  return { files };
}

export function ruleDocs(): RuleDoc[] {
  return readdirSync(DOCS)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort()
    .map((f) => {
      const text = readFileSync(join(DOCS, f), 'utf8');
      const bad = sqlBlockAfter(text, 'Bad example');
      const good = sqlBlockAfter(text, 'Good example');
      if (!bad || !good) throw new Error(`${f}: needs a sql block under "## Bad example" and "## Good example"`);
      const config = /<!-- fklens-config: (.*?) -->/.exec(text);
      const engine = /\*\*Dialect:\*\* *(\w+)/.exec(text)?.[1].toLowerCase();
      const dialect = engine === 'mysql' || engine === 'mariadb' ? 'mysql' : engine === 'sqlite' ? 'sqlite' : 'postgres';
      // The file name tells FK Lens the engine, as `.mysql.` / `.sqlite3.` variants do in popx projects.
      const schemaFile = dialect === 'mysql' ? 'schema.mysql.sql' : dialect === 'sqlite' ? 'schema.sqlite3.sql' : 'schema.sql';
      return {
        id: f.replace(/\.md$/, ''),
        text,
        dialect,
        bad: example(bad, schemaFile),
        good: example(good, schemaFile),
        runtime: sqlBlockAfter(text, 'What happens at run time'),
        config: config ? (JSON.parse(config[1]) as Partial<AnalysisConfig>) : {},
      };
    });
}
