/**
 * New migration files in the project's own convention: the folder, version style (sequence number or
 * timestamp, its width) and file layout of the history's tool, and how each tool lets a file run outside a
 * transaction (which CREATE INDEX CONCURRENTLY needs).
 *
 * | tool            | new file(s)                                            | outside a transaction                       |
 * | golang-migrate  | NNN_name.up.sql + NNN_name.down.sql                     | a file with one statement already is        |
 * | popx            | NNN_name.up.sql + .down.sql                             | no (plain CREATE INDEX)                     |
 * | prisma          | <ts>_name/migration.sql                                 | no (plain CREATE INDEX)                     |
 * | diesel          | <YYYY-MM-DD-HHMMSS>_name/up.sql + down.sql              | metadata.toml `run_in_transaction = false`  |
 * | flyway          | V<n>__name.sql                                          | V<n>__name.sql.conf `executeInTransaction=false` |
 * | goose           | NNN_name.sql with Up / Down sections                    | `-- +goose NO TRANSACTION`                  |
 * | dbmate          | <ts>_name.sql with migrate:up / migrate:down            | `-- migrate:up transaction:false`           |
 * | sql-migrations  | NNN_name.sql                                            | a file with one statement already is        |
 * | knex            | <YYYYMMDDHHMMSS>_name.js (.ts, ESM or CJS like the last)| `exports.config = { transaction: false }`   |
 * | typeorm         | <epoch ms>-Name.ts (.js) with class Name<epoch ms>      | no (see below)                              |
 *
 * knex: `knex.raw(sql)` per statement; knex reads a migration module's `config.transaction` (Migrator
 * `_useTransaction`). TypeORM (>= 0.3.18) has a per-migration `transaction` flag, but with its default
 * `migrationsTransactionMode: 'all'` a migration that sets it makes the whole run fail
 * (ForbiddenTransactionModeOverrideError), and the mode lives in the DataSource options FK Lens does not read:
 * TypeORM migrations get a plain CREATE INDEX, which works in every mode.
 */
import type { HistoryModel } from '../../model/replay';
import { typeormTimestamp } from '../../sources/js/facts';
import type { MigrationTool } from '../../sources/migrationFile';
import { tokenize } from '../../sources/sql/lexer';
import { visible } from '../markdown';

export interface NewMigration {
  /** Words of the name, e.g. `add_index_orders_user_id`. */
  slug: string;
  up: string;
  down?: string;
  /** The statements must not run inside a transaction (CONCURRENTLY). */
  noTransaction?: boolean;
}

/** Can the tool run a file outside a transaction (so CREATE INDEX CONCURRENTLY works there)? */
export function allowsNoTransaction(tool: MigrationTool): boolean {
  return tool !== 'prisma' && tool !== 'popx' && tool !== 'schema' && tool !== 'typeorm';
}

const dirOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
const baseOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

/** Hands out successive versions for new migrations of one history. */
export class MigrationPlanner {
  private readonly tool: MigrationTool;
  private readonly folder: string;
  private readonly lastVersion: string;
  private readonly style: 'timestamp' | 'diesel' | 'sequence' | 'flyway-timestamp' | 'epoch-ms';
  private readonly separator: string;
  private readonly popxSuffix: string;
  private readonly taken: Set<string>;
  private issued: bigint | undefined;
  /** JS / TS migrations: the extension and module syntax of the newest file. */
  private readonly js: { ext: string; esm: boolean };

  constructor(
    private readonly history: HistoryModel,
    files: string[],
    private readonly now: Date,
    textOf: (file: string) => string | undefined = () => undefined,
  ) {
    this.tool = history.history.tool;
    this.taken = new Set(files);
    const ups = history.history.files;
    const last = ups[ups.length - 1] ?? '';
    const nested = this.tool === 'prisma' || this.tool === 'diesel';
    const versionSource = nested ? baseOf(dirOf(last)) : baseOf(last);
    this.folder = nested ? dirOf(dirOf(last)) : last ? dirOf(last) : history.history.id.replace(/#schema$/, '');
    const flyway = /^[VB](\d+(?:[._]\d+)*)__/.exec(versionSource);
    const digits = flyway ? flyway[1] : (/^(\d[\d-]*)/.exec(versionSource)?.[1] ?? '');
    this.separator = /^\d[\d-]*([_.-])/.exec(versionSource)?.[1] ?? '_';
    this.popxSuffix = this.tool === 'popx' ? (/(\.(?:postgres|cockroach))\.up\.sql$/i.exec(last)?.[1] ?? '') : '';
    const ext = /\.([cm]?[jt]s)$/i.exec(last)?.[1] ?? 'js';
    const lastText = textOf(last) ?? '';
    this.js = { ext, esm: /^m/i.test(ext) || (!/^c/i.test(ext) && /^\s*export\s/m.test(lastText) && !/\b(module\.)?exports\.\w+\s*=/.test(lastText)) };
    if (this.tool === 'typeorm') {
      // TypeORM orders by the 13-digit epoch milliseconds that end each class name, not by file name.
      let max = 0n;
      for (const f of ups) {
        const stamp = typeormTimestamp(f, textOf(f) ?? '');
        if (stamp && BigInt(stamp) > max) max = BigInt(stamp);
      }
      this.style = 'epoch-ms';
      this.separator = '-';
      this.lastVersion = max.toString();
      return;
    }
    if (this.tool === 'diesel' || /^\d{4}-\d{2}-\d{2}-\d{6}$/.test(digits)) this.style = 'diesel';
    else if (digits.replace(/\D/g, '').length >= 12) this.style = flyway ? 'flyway-timestamp' : 'timestamp';
    else this.style = 'sequence';
    // The highest version of the whole set (not only the last file: Flyway sorts numerically, others may pad).
    let max = digits;
    for (const f of ups) {
      const v = nested ? /^(\d[\d-]*)/.exec(baseOf(dirOf(f)))?.[1] : (/^[VB]?(\d+(?:[._]\d+)*)/.exec(baseOf(f))?.[1] ?? undefined);
      if (v && numeric(v) > numeric(max)) max = v;
    }
    this.lastVersion = max;
  }

  get migrationTool(): MigrationTool {
    return this.tool;
  }

  /** The next version string after the last one (and after every version handed out before). */
  private nextVersion(): string {
    const last = numeric(this.lastVersion);
    let candidate: bigint;
    if (this.style === 'sequence') {
      // Flyway dotted versions: the next major version.
      const major = BigInt(this.lastVersion.split(/[._]/)[0] || '0');
      candidate = (/[._]/.test(this.lastVersion) ? major : last) + 1n;
    } else if (this.style === 'epoch-ms') {
      candidate = BigInt(this.now.getTime());
      if (candidate <= last) candidate = last + 1n;
    } else {
      candidate = BigInt(timestamp(this.now, 14));
      if (candidate <= last) candidate = last + 1n;
    }
    if (this.issued !== undefined && candidate <= this.issued) candidate = this.issued + 1n;
    this.issued = candidate;
    if (this.style === 'epoch-ms') return candidate.toString();
    if (this.style === 'sequence') {
      const width = /[._]/.test(this.lastVersion) ? 0 : this.lastVersion.length;
      return candidate.toString().padStart(width, '0');
    }
    const digits = candidate.toString().padStart(14, '0');
    if (this.style === 'diesel') return `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}-${digits.slice(8)}`;
    return digits;
  }

  /** The files of one new migration. Throws for plain schema files (they are edited in place). */
  files(migration: NewMigration): { file: string; text: string }[] {
    const { slug } = migration;
    for (let attempt = 0; attempt < 100; attempt++) {
      const planned = this.layout(this.nextVersion(), migration);
      if (planned.every((p) => !this.taken.has(p.file))) {
        for (const p of planned) this.taken.add(p.file);
        return planned;
      }
    }
    throw new Error(`no free migration name for ${slug}`);
  }

  private layout(version: string, m: NewMigration): { file: string; text: string }[] {
    const folder = this.folder;
    const up = ensureNewline(m.up);
    const down = ensureNewline(m.down ?? '-- nothing to undo\n');
    const name = `${version}${this.separator}${m.slug}`;
    switch (this.tool) {
      case 'golang-migrate':
        return [
          { file: join(folder, `${version}_${m.slug}.up.sql`), text: up },
          { file: join(folder, `${version}_${m.slug}.down.sql`), text: down },
        ];
      case 'popx':
        return [
          { file: join(folder, `${version}_${m.slug}${this.popxSuffix}.up.sql`), text: up },
          { file: join(folder, `${version}_${m.slug}${this.popxSuffix}.down.sql`), text: down },
        ];
      case 'prisma':
        return [{ file: join(folder, `${version}_${m.slug}/migration.sql`), text: up }];
      case 'diesel': {
        const dir = join(folder, `${version}_${m.slug}`);
        const files = [
          { file: `${dir}/up.sql`, text: up },
          { file: `${dir}/down.sql`, text: down },
        ];
        if (m.noTransaction) files.push({ file: `${dir}/metadata.toml`, text: 'run_in_transaction = false\n' });
        return files;
      }
      case 'flyway': {
        const file = join(folder, `V${version}__${m.slug}.sql`);
        const files = [{ file, text: up }];
        if (m.noTransaction) files.push({ file: `${file}.conf`, text: 'executeInTransaction=false\n' });
        return files;
      }
      case 'goose': {
        const head = m.noTransaction ? '-- +goose NO TRANSACTION\n' : '';
        return [{ file: join(folder, `${name}.sql`), text: `${head}-- +goose Up\n${up}\n-- +goose Down\n${down}` }];
      }
      case 'dbmate': {
        const flag = m.noTransaction ? ' transaction:false' : '';
        return [{ file: join(folder, `${name}.sql`), text: `-- migrate:up${flag}\n${up}\n-- migrate:down${flag}\n${down}` }];
      }
      case 'sql-migrations':
        return [{ file: join(folder, `${name}.sql`), text: up }];
      case 'knex':
        return [{ file: join(folder, `${version}_${m.slug}.${this.js.ext}`), text: knexMigration(m, this.js.esm, /ts$/i.test(this.js.ext)) }];
      case 'typeorm': {
        const className = `${pascalCase(m.slug)}${version}`;
        return [{ file: join(folder, `${version}-${pascalCase(m.slug)}.${this.js.ext}`), text: typeormMigration(className, m, this.js.esm, /ts$/i.test(this.js.ext)) }];
      }
      case 'schema':
        throw new Error('plain schema files get their fixes in place');
      default:
        throw new Error(`no migration layout for ${this.tool} files`);
    }
  }
}

/**
 * SQL of a new migration as JS statements: one call per statement line, `--` comment lines as `//` comments.
 * Generated SQL keeps every statement and comment on a line of its own (names with line breaks are written
 * U&"..."); a token that spans lines would be cut into two calls, so it is refused rather than written.
 */
function jsBody(sql: string, call: (literal: string) => string, indent: string): string {
  for (const token of tokenize(sql)) {
    if (/[\r\n\u2028\u2029]/.test(sql.slice(token.start, token.end))) throw new Error('a generated statement spans lines');
  }
  const lines: string[] = [];
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    if (trimmed.startsWith('--')) lines.push(`${indent}// ${visible(trimmed.replace(/^--\s?/, ''))}`);
    else lines.push(`${indent}${call(jsString(trimmed))}`);
  }
  return lines.join('\n');
}

/** A single-quoted JS string literal (line terminators and every other invisible character escaped). */
function jsString(s: string): string {
  const escaped = s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `'${escaped}'`;
}

/** A class name from a slug: ASCII letters and digits only, starting with a letter. */
function pascalCase(slug: string): string {
  const name = slug
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
  return /^[A-Za-z]/.test(name) ? name : `Migration${name}`;
}

function knexMigration(m: NewMigration, esm: boolean, ts: boolean): string {
  const raw = (literal: string) => `await knex.raw(${literal});`;
  const up = jsBody(m.up, raw, '  ');
  const down = jsBody(m.down ?? '', raw, '  ');
  const param = ts ? 'knex: Knex' : 'knex';
  const returns = ts ? ': Promise<void>' : '';
  const parts: string[] = [];
  if (esm) {
    if (ts) parts.push("import type { Knex } from 'knex';\n");
    // knex reads `config.transaction` of the migration module: CREATE INDEX CONCURRENTLY cannot run in one.
    if (m.noTransaction) parts.push('export const config = { transaction: false };\n');
    parts.push(`export async function up(${param})${returns} {\n${up}\n}\n`);
    parts.push(`export async function down(${param})${returns} {\n${down}\n}\n`);
  } else {
    if (m.noTransaction) parts.push('exports.config = { transaction: false };\n');
    parts.push(`exports.up = async (${param})${returns} => {\n${up}\n};\n`);
    parts.push(`exports.down = async (${param})${returns} => {\n${down}\n};\n`);
  }
  return parts.join('\n');
}

function typeormMigration(className: string, m: NewMigration, esm: boolean, ts: boolean): string {
  const query = (literal: string) => `await queryRunner.query(${literal});`;
  const up = jsBody(m.up, query, '    ');
  const down = jsBody(m.down ?? '', query, '    ');
  if (ts) {
    return [
      "import { MigrationInterface, QueryRunner } from 'typeorm';",
      '',
      `export class ${className} implements MigrationInterface {`,
      `  name = '${className}';`,
      '',
      '  public async up(queryRunner: QueryRunner): Promise<void> {',
      up,
      '  }',
      '',
      '  public async down(queryRunner: QueryRunner): Promise<void> {',
      down,
      '  }',
      '}',
      '',
    ].join('\n');
  }
  const head = esm ? `export class ${className} {` : `module.exports = class ${className} {`;
  return [head, `  name = '${className}';`, '', '  async up(queryRunner) {', up, '  }', '', '  async down(queryRunner) {', down, '  }', esm ? '}' : '};', ''].join('\n');
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : s + '\n';
}

function numeric(version: string): bigint {
  const digits = version.split(/[._]/)[0].replace(/\D/g, '');
  return digits ? BigInt(digits) : 0n;
}

/** YYYYMMDDHHMMSS in UTC (what golang-migrate -format, goose, dbmate, Prisma and diesel use). */
function timestamp(d: Date, length: number): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`.slice(0, length);
}
