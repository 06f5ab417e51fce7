/**
 * What a migration file is before it is read: the tool that applies it (which decides which part runs going
 * up) and the up section itself. Below the readers and discovery alike, so neither imports the other.
 */

export type MigrationTool =
  | 'golang-migrate'
  | 'prisma'
  | 'diesel'
  | 'flyway'
  | 'dbmate'
  | 'goose'
  | 'popx'
  | 'sql-migrations'
  | 'schema'
  | 'prisma-schema'
  // JS / TS migrations (workspace/jsMigrations.ts)
  | 'knex'
  | 'typeorm'
  | 'db-migrate'
  | 'sequelize'
  | 'node-pg-migrate'
  | 'js-migrations'
  // Rails (workspace/railsApps.ts): db/schema.rb with its Ruby migrations beside it (not read), db/schema.rb
  // alone, Ruby migrations without a schema (not read: a gap)
  | 'rails'
  | 'rails-schema'
  | 'rails-migrations';

/**
 * Histories that are one schema loaded into an empty database (a schema file, a pg_dump, schema.prisma alone,
 * Rails' db/schema.rb), not migrations run against tables in use: what a statement locks does not matter there.
 */
export function loadsIntoEmptyDatabase(tool: MigrationTool): boolean {
  return tool === 'schema' || tool === 'prisma-schema' || tool === 'rails' || tool === 'rails-schema';
}

const GOOSE_MARKER = /^[ \t]*--[ \t]*\+goose[ \t]+(up|down)\b/i;
const DBMATE_MARKER = /^[ \t]*--[ \t]*migrate:(up|down)\b/i;
const GOOSE_MARKER_IN_TEXT = new RegExp(GOOSE_MARKER.source, 'im');
const DBMATE_MARKER_IN_TEXT = new RegExp(DBMATE_MARKER.source, 'im');

/** goose and dbmate keep both directions in one file; their markers say which one this is. */
export function markerTool(text: string): 'goose' | 'dbmate' | undefined {
  if (GOOSE_MARKER_IN_TEXT.test(text)) return 'goose';
  if (DBMATE_MARKER_IN_TEXT.test(text)) return 'dbmate';
  return undefined;
}

/** Tools that run the whole file: a marker-looking comment in them is just a comment. */
const WHOLE_FILE_TOOLS: ReadonlySet<MigrationTool> = new Set(['golang-migrate', 'prisma', 'diesel', 'flyway', 'popx']);

/**
 * The part of a migration file the tool runs going up. Down sections (goose `-- +goose Down`, dbmate
 * `-- migrate:down`, up to the next up marker or the end) are blanked with spaces, newlines kept, so offsets
 * and line numbers stay valid. The markers are read from the text, whatever the path suggested; marker lines
 * themselves are comments and stay.
 */
export function upSection(text: string, tool?: MigrationTool): string {
  if (tool === 'node-pg-migrate') return nodePgMigrateUp(text);
  if ((tool && WHOLE_FILE_TOOLS.has(tool)) || !markerTool(text)) return text;
  const lines = text.split(/(?<=\n)/);
  let down = false;
  return lines
    .map((line) => {
      const marker = GOOSE_MARKER.exec(line) ?? DBMATE_MARKER.exec(line);
      if (marker) {
        down = marker[1].toLowerCase() === 'down';
        return line;
      }
      return down ? line.replace(/[^\r\n]/g, ' ') : line;
    })
    .join('');
}

/**
 * A node-pg-migrate SQL migration's up part (its sqlMigration.ts): from the `-- Up Migration` comment to the
 * `-- Down Migration` one when that comes later, else to the end; the whole file when it has no up comment (even
 * with a down comment: node-pg-migrate runs all of it). The rest is blanked, offsets kept.
 */
function nodePgMigrateUp(text: string): string {
  const up = text.search(/^\s*--[\s-]*up\s+migration/im);
  const down = text.search(/^\s*--[\s-]*down\s+migration/im);
  if (up < 0) return text;
  const end = down < up ? text.length : down;
  const blank = (s: string) => s.replace(/[^\r\n]/g, ' ');
  return blank(text.slice(0, up)) + text.slice(up, end) + blank(text.slice(end));
}
