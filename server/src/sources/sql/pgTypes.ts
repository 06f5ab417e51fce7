/**
 * Column types as PostgreSQL's format_type() prints them, from libpg_query TypeName nodes,
 * so the model's types compare equal to the catalog's (and to each other, for type checks).
 */
import { quoteIdent } from '../../model/schema';

const CANONICAL: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  smallserial: 'smallint',
  serial2: 'smallint',
  serial: 'integer',
  serial4: 'integer',
  bigserial: 'bigint',
  serial8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  varchar: 'character varying',
  bpchar: 'character',
  varbit: 'bit varying',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  time: 'time without time zone',
  timetz: 'time with time zone',
  decimal: 'numeric',
};

export const SERIAL_TYPES = new Set(['smallserial', 'serial2', 'serial', 'serial4', 'bigserial', 'serial8']);

export interface TypeNameNode {
  names?: { String: { sval: string } }[];
  typmods?: unknown[];
  arrayBounds?: unknown[];
  setof?: boolean;
  pct_type?: boolean;
}

export interface FormattedType {
  /** format_type spelling, e.g. `character varying(20)`, `timestamp(3) with time zone`, `integer[]`. */
  type: string;
  /** The type's own name as written (lower case), e.g. `bigserial`, `varchar`. */
  declared: string;
  serial: boolean;
}

export function formatType(node: TypeNameNode | undefined): FormattedType {
  const names = (node?.names ?? []).map((n) => n.String?.sval ?? '');
  const qualified = names.length > 1 && names[0] === 'pg_catalog';
  const base = names[names.length - 1] ?? 'unknown';
  const mods = (node?.typmods ?? []).map(typmodText).filter((m): m is string => m !== undefined);
  const arrays = '[]'.repeat(node?.arrayBounds?.length ?? 0);
  const serial = !qualified && names.length === 1 && SERIAL_TYPES.has(base);
  let type: string;
  const canonical = qualified || names.length === 1 ? CANONICAL[base] : undefined;
  if (base === 'interval' && (qualified || names.length === 1)) {
    type = 'interval'; // field restrictions (YEAR TO MONTH) do not change the type
  } else if (canonical && /^(timestamp|time) /.test(canonical)) {
    const [head, ...rest] = canonical.split(' ');
    type = mods.length ? `${head}(${mods.join(',')}) ${rest.join(' ')}` : canonical;
  } else if (canonical === 'character' && !mods.length && qualified) {
    type = 'character(1)';
  } else if (canonical) {
    type = mods.length ? `${canonical}(${mods.join(',')})` : canonical;
  } else if (qualified) {
    type = mods.length ? `${base}(${mods.join(',')})` : base;
  } else {
    const name = names.length > 1 && names[0] !== 'public' ? names.map(quoteIdent).join('.') : quoteIdent(base);
    type = mods.length ? `${name}(${mods.join(',')})` : name;
  }
  return { type: type + arrays, declared: names.length ? names.join('.') : 'unknown', serial };
}

function typmodText(m: unknown): string | undefined {
  const c = (m as { A_Const?: { ival?: { ival?: number }; sval?: { sval: string } } }).A_Const;
  if (c?.ival) return String(c.ival.ival ?? 0);
  if (c?.sval) return c.sval.sval;
  const col = (m as { ColumnRef?: { fields?: { String?: { sval: string } }[] } }).ColumnRef;
  if (col?.fields?.[0]?.String) return col.fields[0].String.sval;
  return undefined;
}
