/**
 * The dialect settings, read from the `fklens` configuration section as VS Code sends it (nested objects or
 * dotted keys): `fklens.dialects` (glob -> dialect) and `fklens.mysql.server`. Bad values are ignored.
 */
import { isDialect } from './dialects';
import type { DiscoveryOptions } from './discovery';
import type { Dialect } from '../sources/events';

export function dialectSettings(section: Record<string, unknown>): Pick<DiscoveryOptions, 'dialects' | 'mysqlServer'> {
  const out: Pick<DiscoveryOptions, 'dialects' | 'mysqlServer'> = {};
  const map = section.dialects;
  if (map && typeof map === 'object' && !Array.isArray(map)) {
    const dialects: Record<string, Dialect> = {};
    for (const [glob, dialect] of Object.entries(map)) if (glob.trim() && isDialect(dialect)) dialects[glob] = dialect;
    if (Object.keys(dialects).length) out.dialects = dialects;
  }
  const mysql = section.mysql && typeof section.mysql === 'object' ? (section.mysql as Record<string, unknown>) : {};
  const server = mysql.server ?? section['mysql.server'];
  if (server === 'mysql' || server === 'mariadb') out.mysqlServer = server;
  return out;
}
