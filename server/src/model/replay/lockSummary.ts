/**
 * A statement in a few words for the lock records (`ALTER TABLE items DROP CONSTRAINT items_order_id_fkey`), from
 * its event alone, names quoted as SQL; built only for the statements that are recorded.
 */
import type { AlterTableCommand, ConstraintDefinition, SchemaEvent } from '../../sources/events';
import { quoteIdent } from '../schema';

export function sqlName(name: { schema?: string; name: string }): string {
  return name.schema ? `${quoteIdent(name.schema)}.${quoteIdent(name.name)}` : quoteIdent(name.name);
}

const list = (names: { schema?: string; name: string }[]) => names.map(sqlName).join(', ');

export function statementSummary(event: SchemaEvent): string {
  switch (event.kind) {
    case 'create_table':
      return `CREATE TABLE ${sqlName(event.table)}${event.partitionOf ? ` PARTITION OF ${sqlName(event.partitionOf)}` : ''}`;
    case 'alter_table': {
      const words = event.commands.map(commandWords).filter(Boolean);
      // Long ALTER TABLEs (Prisma writes one per table) are named by their first changes.
      const shown = words.length > 3 ? [...words.slice(0, 2), `… (${words.length - 2} more)`] : words;
      return `ALTER TABLE ${event.only ? 'ONLY ' : ''}${sqlName(event.table)} ${shown.join(', ')}`;
    }
    case 'create_index': {
      const columns = event.elements.map((e) => (e.column ? quoteIdent(e.column) : (e.expression ?? 'expr'))).join(', ');
      return `CREATE ${event.unique ? 'UNIQUE ' : ''}INDEX ${event.concurrently ? 'CONCURRENTLY ' : ''}${event.name ? quoteIdent(event.name) + ' ' : ''}ON ${sqlName(event.table)} (${columns})`;
    }
    case 'drop_index':
      return `DROP INDEX ${event.concurrently ? 'CONCURRENTLY ' : ''}${list(event.names)}${event.cascade ? ' CASCADE' : ''}`;
    case 'drop_table':
      return `DROP TABLE ${list(event.names)}${event.cascade ? ' CASCADE' : ''}`;
    case 'drop_schema':
      return `DROP SCHEMA ${event.names.map((n) => quoteIdent(n.name)).join(', ')}${event.cascade ? ' CASCADE' : ''}`;
    case 'truncate':
      return `TRUNCATE ${list(event.names)}${event.cascade ? ' CASCADE' : ''}`;
    case 'lock_table':
      return `LOCK TABLE ${list(event.names)} IN ${event.mode} MODE`;
    case 'rename_table':
      return `ALTER TABLE ${sqlName(event.target)} RENAME TO ${quoteIdent(event.to)}`;
    case 'rename_column':
    case 'rename_constraint':
      return `ALTER TABLE ${sqlName(event.target)} RENAME ${event.kind === 'rename_column' ? 'COLUMN' : 'CONSTRAINT'} ${quoteIdent(event.from)} TO ${quoteIdent(event.to)}`;
    case 'set_schema':
      return `ALTER TABLE ${sqlName(event.target)} SET SCHEMA ${quoteIdent(event.newSchema)}`;
    default:
      return event.kind;
  }
}

function commandWords(command: AlterTableCommand): string {
  const col = quoteIdent;
  switch (command.kind) {
    case 'add_column': {
      const fks = command.column.constraints.filter((c) => c.kind === 'foreign' && c.foreign);
      return `ADD COLUMN ${col(command.column.name)}${fks.map((c) => ` REFERENCES ${sqlName(c.foreign!.refTable)}`).join('')}`;
    }
    case 'drop_column':
      return `DROP COLUMN ${col(command.column)}${command.cascade ? ' CASCADE' : ''}`;
    case 'alter_type':
      return `ALTER COLUMN ${col(command.column)} TYPE ${command.type}`;
    case 'set_not_null':
      return `ALTER COLUMN ${col(command.column)} SET NOT NULL`;
    case 'drop_not_null':
      return `ALTER COLUMN ${col(command.column)} DROP NOT NULL`;
    case 'set_default':
    case 'drop_default':
      return `ALTER COLUMN ${col(command.column)} ${command.kind === 'set_default' ? 'SET' : 'DROP'} DEFAULT`;
    case 'add_identity':
    case 'drop_identity':
      return `ALTER COLUMN ${col(command.column)} ${command.kind === 'add_identity' ? 'ADD' : 'DROP'} IDENTITY`;
    case 'add_constraint':
      return constraintWords(command.constraint);
    case 'drop_constraint':
      return `DROP CONSTRAINT ${col(command.name)}${command.cascade ? ' CASCADE' : ''}`;
    case 'validate_constraint':
      return `VALIDATE CONSTRAINT ${col(command.name)}`;
    case 'alter_constraint':
      return `ALTER CONSTRAINT ${col(command.name)}`;
    case 'attach_partition':
      return `ATTACH PARTITION ${sqlName(command.partition)}`;
    case 'detach_partition':
      return `DETACH PARTITION ${sqlName(command.partition)}`;
    case 'inherit':
    case 'no_inherit':
      return `${command.kind === 'inherit' ? 'INHERIT' : 'NO INHERIT'} ${sqlName(command.parent)}`;
    case 'redefine_column':
      return '';
  }
}

function constraintWords(c: ConstraintDefinition): string {
  const name = c.name ? `CONSTRAINT ${quoteIdent(c.name)} ` : '';
  const cols = c.columns.map(quoteIdent).join(', ');
  switch (c.kind) {
    case 'foreign':
      return `ADD ${name}FOREIGN KEY (${cols}) REFERENCES ${sqlName(c.foreign!.refTable)}${c.notValid ? ' NOT VALID' : ''}`;
    case 'check':
      return `ADD ${name}CHECK${c.notValid ? ' NOT VALID' : ''}`;
    default: {
      const what = c.kind === 'primary' ? 'PRIMARY KEY' : c.kind === 'unique' ? 'UNIQUE' : 'EXCLUDE';
      return `ADD ${name}${what}${cols ? ` (${cols})` : ''}`;
    }
  }
}
