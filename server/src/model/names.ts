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
  const stem = objectNameStem(name1, name2, label ? byteLength(label) : 0);
  return label ? `${stem}_${label}` : stem;
}

/** `name1_name2` as makeObjectName cuts it to leave room for `_label` (labelBytes long; 0: no label). */
function objectNameStem(name1: string, name2: string | undefined, labelBytes: number): string {
  const overhead = (labelBytes ? labelBytes + 1 : 0) + (name2 ? 1 : 0);
  const available = MAX_IDENTIFIER_BYTES - overhead;
  let n1 = byteLength(name1);
  let n2 = name2 ? byteLength(name2) : 0;
  while (n1 + n2 > available) {
    if (n1 > n2) n1--;
    else n2--;
  }
  let name = clipBytes(name1, n1);
  if (name2) name += '_' + clipBytes(name2, n2);
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

/**
 * What decides the names chooseName tries for (name1, name2, label): the stem for each label length it reaches
 * (passes below 10^7). Two choices of the same family try the same names in the same order, so what one learnt
 * about taken candidates holds for the other (FK columns whose names differ only past the cut are one family).
 */
export function nameFamily(name1: string, name2: string | undefined, label: string): string {
  const bytes = byteLength(label);
  let family = label;
  for (let digits = 0; digits <= 7; digits++) family += '\0' + objectNameStem(name1, name2, bytes + digits);
  return family;
}

/**
 * Picks `name1_name2_label`, then `..._label1`, `..._label2`... until `isUsed` says the name is free. `from`
 * (optional) is a pass every earlier one of which the caller knows to be taken: the search starts there, and
 * `from.pass` is set to the pass chosen.
 */
export function chooseName(
  name1: string,
  name2: string | undefined,
  label: string,
  isUsed: (name: string) => boolean,
  from?: { pass: number },
): string {
  // The stem changes only when the label gets longer (`_fkey9` -> `_fkey10`): cut it once per label length.
  let stem = '';
  let stemFor = -1;
  for (let pass = from?.pass ?? 0; ; pass++) {
    const suffix = pass === 0 ? label : `${label}${pass}`;
    const bytes = byteLength(suffix);
    if (bytes !== stemFor) (stem = objectNameStem(name1, name2, bytes)), (stemFor = bytes);
    const candidate = `${stem}_${suffix}`;
    if (!isUsed(candidate)) {
      if (from) from.pass = pass;
      return candidate;
    }
  }
}
