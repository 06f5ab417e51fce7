/**
 * Findings that come from what one engine does with DDL another accepts differently. Their ids are stable:
 * they are the diagnostics' codes and name the pages under docs/rules/.
 */
import type { FkAction } from '../sources/events';

export type DialectRuleId = 'mysql-set-default-ignored' | 'mysql-inline-references' | 'sqlite-foreign-keys-off';

interface DialectRule<A> {
  id: DialectRuleId;
  severity: 'error' | 'warning' | 'info';
  message(arg: A): string;
}

export const DIALECT_RULES: {
  'mysql-set-default-ignored': DialectRule<FkAction>;
  'mysql-inline-references': DialectRule<boolean>;
  'sqlite-foreign-keys-off': DialectRule<number>;
} = {
  'mysql-set-default-ignored': {
    id: 'mysql-set-default-ignored',
    severity: 'warning',
    message: (stored) =>
      `InnoDB accepts SET DEFAULT without an error but does not store it: this action behaves as ${stored}, so deleting or updating a referenced row is refused instead of setting the default. Write RESTRICT (or the action you mean) so the schema says what happens.`,
  },
  'mysql-inline-references': {
    id: 'mysql-inline-references',
    severity: 'warning',
    message: (createsKey) =>
      `A column-level REFERENCES creates a foreign key on MariaDB 10.5 and later, but MySQL parses and ignores it (no key, no index, no error). ` +
      (createsKey ? 'FK Lens models it as a foreign key (fklens.mysql.server is "mariadb").' : 'FK Lens leaves it out of the model (fklens.mysql.server is "mysql").') +
      ' Write it as a table-level FOREIGN KEY (col) REFERENCES ... to get the same key on both.',
  },
  'sqlite-foreign-keys-off': {
    id: 'sqlite-foreign-keys-off',
    severity: 'warning',
    message: (count) =>
      `${count} foreign key${count === 1 ? ' is' : 's are'} declared, but no file of this database runs PRAGMA foreign_keys = ON: SQLite enforces none of them (no checks, no cascades) unless each connection turns them on.`,
  },
};
