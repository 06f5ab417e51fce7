/** "Did you mean …?" for commands, options and table names typed on the command line. */

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions: `chekc` -> `check` is 1). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidates closest to `word` (case-insensitive), when close enough to be a typo: at most a third of the
 * word's length (at least 1, at most 3) edits away, or `word` is a prefix of exactly one candidate. Best first.
 */
export function closest(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const w = word.toLowerCase();
  const max = Math.min(3, Math.max(1, Math.floor(w.length / 3)));
  const scored: { c: string; d: number }[] = [];
  const prefixed: string[] = [];
  for (const c of new Set(candidates)) {
    const lc = c.toLowerCase();
    // Long names cost a lot to compare; a name far longer or shorter cannot be within `max` edits.
    if (Math.abs(lc.length - w.length) <= max) {
      const d = editDistance(w, lc);
      if (d <= max) scored.push({ c, d });
    }
    if (w.length >= 2 && lc.startsWith(w) && lc !== w) prefixed.push(c);
  }
  scored.sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : a.c > b.c ? 1 : 0));
  const out = scored.map((s) => s.c);
  if (!out.length && prefixed.length === 1) out.push(prefixed[0]);
  return out.slice(0, limit);
}

/** ` (did you mean 'check'?)`, or '' when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>, quote = (s: string) => `'${s}'`): string {
  const found = closest(word, candidates);
  return found.length ? ` (did you mean ${found.map(quote).join(' or ')}?)` : '';
}
