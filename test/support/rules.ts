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
  dialect: 'postgres' | 'mysql' | 'sqlite' | 'prisma' | 'rails';
  /** DML run after the bad example that must fail (run-time rules). */
  runtime?: string;
  config: Partial<AnalysisConfig>;
}

/** The text of the section under `## heading` (undefined when the page has no such section). */
function section(text: string, heading: string): string | undefined {
  const at = text.indexOf(`\n## ${heading}\n`);
  if (at < 0) return undefined;
  const next = text.indexOf('\n## ', at + 4);
  return text.slice(at, next < 0 ? text.length : next);
}

function sqlBlockAfter(text: string, heading: string): string | undefined {
  const m = /```sql\n([\s\S]*?)```/.exec(section(text, heading) ?? '');
  return m?.[1];
}

/**
 * The example of a section: every ```sql / ```prisma / ```ruby block in it. A block (or part of one) that starts
 * with `-- file: NAME` / `// file: NAME` / `# file: NAME` is that file: NAME with a '/' is a workspace path, a bare
 * NAME a migration in db/migrations/. Without such a line a block is `schemaFile` (schema.prisma for prisma
 * blocks, db/schema.rb for ruby blocks).
 */
function example(text: string, heading: string, schemaFile: string): DocExample | undefined {
  const body = section(text, heading);
  if (body === undefined) return undefined;
  const files: [string, string][] = [];
  for (const m of body.matchAll(/```(sql|prisma|ruby)\n([\s\S]*?)```/g)) {
    const [, lang, code] = m;
    const parts = code.split(/^(?:--|\/\/|#) file: (.+)$/m);
    if (parts.length === 1) files.push([lang === 'prisma' ? 'schema.prisma' : lang === 'ruby' ? 'db/schema.rb' : schemaFile, code]);
    for (let i = 1; i < parts.length; i += 2) {
      const name = parts[i].trim();
      files.push([name.includes('/') ? name : `db/migrations/${name}`, parts[i + 1].replace(/^\n/, '')]);
    }
  }
  return files.length ? { files } : undefined;
}

export function ruleDocs(): RuleDoc[] {
  return readdirSync(DOCS)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort()
    .map((f) => {
      const text = readFileSync(join(DOCS, f), 'utf8');
      const config = /<!-- fklens-config: (.*?) -->/.exec(text);
      const engine = /\*\*Dialect:\*\* *(\w+)/.exec(text)?.[1].toLowerCase();
      const dialect: RuleDoc['dialect'] = /```prisma\n/.test(text)
        ? 'prisma'
        : /```ruby\n/.test(text)
          ? 'rails'
        : engine === 'mysql' || engine === 'mariadb'
          ? 'mysql'
          : engine === 'sqlite'
            ? 'sqlite'
            : 'postgres';
      // The file name tells FK Lens the engine, as `.mysql.` / `.sqlite3.` variants do in popx projects.
      const schemaFile = dialect === 'mysql' ? 'schema.mysql.sql' : dialect === 'sqlite' ? 'schema.sqlite3.sql' : 'schema.sql';
      const bad = example(text, 'Bad example', schemaFile);
      const good = example(text, 'Good example', schemaFile);
      if (!bad || !good) throw new Error(`${f}: needs a sql or prisma block under "## Bad example" and "## Good example"`);
      return {
        id: f.replace(/\.md$/, ''),
        text,
        dialect,
        bad,
        good,
        runtime: sqlBlockAfter(text, 'What happens at run time'),
        config: config ? (JSON.parse(config[1]) as Partial<AnalysisConfig>) : {},
      };
    });
}
