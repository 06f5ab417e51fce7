/**
 * PostgreSQL's rules for the names it gives constraints and indexes written without one
 * (makeObjectName, ChooseConstraintName, ChooseRelationName in PostgreSQL's source, re-implemented):
 * `orders_user_id_fkey`, `orders_pkey`, `users_email_key`, `orders_created_at_idx`, truncated to 63 bytes.
 */

/** NAMEDATALEN - 1: the longest identifier PostgreSQL keeps, in bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

/** Cuts s to at most n bytes without splitting a character. */
export function clipBytes(s: string, n: number): string {
  if (byteLength(s) <= n) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const b = byteLength(ch);
    if (used + b > n) break;
    out += ch;
    used += b;
  }
  return out;
}

/** makeObjectName(name1, name2, label): `name1_name2_label`, shortening the longer of name1/name2 first. */
export function makeObjectName(name1: string, name2: string | undefined, label: string | undefined): string {
  const overhead = (label ? byteLength(label) + 1 : 0) + (name2 ? 1 : 0);
  const available = MAX_IDENTIFIER_BYTES - overhead;
  let n1 = byteLength(name1);
  let n2 = name2 ? byteLength(name2) : 0;
  while (n1 + n2 > available) {
    if (n1 > n2) n1--;
    else n2--;
  }
  let name = clipBytes(name1, n1);
  if (name2) name += '_' + clipBytes(name2, n2);
  if (label) name += '_' + label;
  return name;
}

/** Column names joined by `_`, as PostgreSQL builds the middle part of a default name (stops past 63 bytes). */
export function columnsAddition(columns: string[]): string {
  let out = '';
  for (const c of columns) {
    if (out) out += '_';
    out += c;
    if (byteLength(out) >= MAX_IDENTIFIER_BYTES) break;
  }
  return out;
}

/** Picks `name1_name2_label`, then `..._label1`, `..._label2`... until `isUsed` says the name is free. */
export function chooseName(
  name1: string,
  name2: string | undefined,
  label: string,
  isUsed: (name: string) => boolean,
): string {
  for (let pass = 0; ; pass++) {
    const candidate = makeObjectName(name1, name2, pass === 0 ? label : `${label}${pass}`);
    if (!isUsed(candidate)) return candidate;
  }
}
