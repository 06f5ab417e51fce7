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
 */
import type { HistoryModel } from '../../model/replay';
import type { MigrationTool } from '../../workspace/discovery';

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
  return tool !== 'prisma' && tool !== 'popx' && tool !== 'schema';
}

const dirOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
const baseOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

/** Hands out successive versions for new migrations of one history. */
export class MigrationPlanner {
  private readonly tool: MigrationTool;
  private readonly folder: string;
  private readonly lastVersion: string;
  private readonly style: 'timestamp' | 'diesel' | 'sequence' | 'flyway-timestamp';
  private readonly separator: string;
  private readonly popxSuffix: string;
  private readonly taken: Set<string>;
  private issued: bigint | undefined;

  constructor(
    private readonly history: HistoryModel,
    files: string[],
    private readonly now: Date,
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
    } else {
      candidate = BigInt(timestamp(this.now, 14));
      if (candidate <= last) candidate = last + 1n;
    }
    if (this.issued !== undefined && candidate <= this.issued) candidate = this.issued + 1n;
    this.issued = candidate;
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
      case 'schema':
        throw new Error('plain schema files get their fixes in place');
      default:
        throw new Error(`no migration layout for ${this.tool} files`);
    }
  }
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
