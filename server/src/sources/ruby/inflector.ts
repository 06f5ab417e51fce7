/**
 * Active Support's English inflections (`"users".singularize`, `"user".pluralize`), as Active Record uses them
 * for default names: `add_foreign_key "posts", "people"` means column `person_id`; `t.references :person,
 * foreign_key: true` references `people`. Active Support keeps its default rule set frozen; a rule added
 * later takes precedence (the list is tried from its end), irregular words match at the end of a name, and an
 * uncountable word counts only as a whole last word. An application's own `config/initializers/inflections.rb`
 * is not read.
 */

type Rule = [RegExp, string];

const plurals: Rule[] = [];
const singulars: Rule[] = [];
const uncountables: string[] = [];

const plural = (re: RegExp, to: string) => plurals.push([re, to]);
const singular = (re: RegExp, to: string) => singulars.push([re, to]);

plural(/$/, 's');
plural(/s$/i, 's');
plural(/^(ax|test)is$/i, '$1es');
plural(/(octop|vir)us$/i, '$1i');
plural(/(octop|vir)i$/i, '$1i');
plural(/(alias|status)$/i, '$1es');
plural(/(bu)s$/i, '$1ses');
plural(/(buffal|tomat)o$/i, '$1oes');
plural(/([ti])um$/i, '$1a');
plural(/([ti])a$/i, '$1a');
plural(/sis$/i, 'ses');
plural(/(?:([^f])fe|([lr])f)$/i, '$1$2ves');
plural(/(hive)$/i, '$1s');
plural(/([^aeiouy]|qu)y$/i, '$1ies');
plural(/(x|ch|ss|sh)$/i, '$1es');
plural(/(matr|vert|ind)(?:ix|ex)$/i, '$1ices');
plural(/^(m|l)ouse$/i, '$1ice');
plural(/^(m|l)ice$/i, '$1ice');
plural(/^(ox)$/i, '$1en');
plural(/^(oxen)$/i, '$1');
plural(/(quiz)$/i, '$1zes');

singular(/s$/i, '');
singular(/(ss)$/i, '$1');
singular(/(n)ews$/i, '$1ews');
singular(/([ti])a$/i, '$1um');
singular(/((a)naly|(b)a|(d)iagno|(p)arenthe|(p)rogno|(s)ynop|(t)he)(sis|ses)$/i, '$1sis');
singular(/(^analy)(sis|ses)$/i, '$1sis');
singular(/([^f])ves$/i, '$1fe');
singular(/(hive)s$/i, '$1');
singular(/(tive)s$/i, '$1');
singular(/([lr])ves$/i, '$1f');
singular(/([^aeiouy]|qu)ies$/i, '$1y');
singular(/(s)eries$/i, '$1eries');
singular(/(m)ovies$/i, '$1ovie');
singular(/(x|ch|ss|sh)es$/i, '$1');
singular(/^(m|l)ice$/i, '$1ouse');
singular(/(bus)(es)?$/i, '$1');
singular(/(o)es$/i, '$1');
singular(/(shoe)s$/i, '$1');
singular(/(cris|test)(is|es)$/i, '$1is');
singular(/^(a)x[ie]s$/i, '$1xis');
singular(/(octop|vir)(us|i)$/i, '$1us');
singular(/(alias|status)(es)?$/i, '$1');
singular(/^(ox)en/i, '$1');
singular(/(vert|ind)ices$/i, '$1ex');
singular(/(matr)ices$/i, '$1ix');
singular(/(quiz)zes$/i, '$1');
singular(/(database)s$/i, '$1');

/** An irregular pair adds four rules: either form pluralizes to the plural and singularizes to the singular. */
function irregular(one: string, many: string): void {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const [s0, sRest, p0, pRest] = [one[0], one.slice(1), many[0], many.slice(1)];
  // Every pair Active Support ships starts both forms with the same letter (its other branch is not needed).
  plural(new RegExp(`(${esc(s0)})${esc(sRest)}$`, 'i'), `$1${pRest}`);
  plural(new RegExp(`(${esc(p0)})${esc(pRest)}$`, 'i'), `$1${pRest}`);
  singular(new RegExp(`(${esc(s0)})${esc(sRest)}$`, 'i'), `$1${sRest}`);
  singular(new RegExp(`(${esc(p0)})${esc(pRest)}$`, 'i'), `$1${sRest}`);
}
irregular('person', 'people');
irregular('man', 'men');
irregular('child', 'children');
irregular('sex', 'sexes');
irregular('move', 'moves');
irregular('zombie', 'zombies');

uncountables.push('equipment', 'information', 'rice', 'money', 'species', 'series', 'fish', 'sheep', 'jeans', 'police');
const UNCOUNTABLE = uncountables.map((w) => new RegExp(`(?:^|[^A-Za-z0-9_])${w}$`, 'i'));

function apply(word: string, rules: Rule[]): string {
  if (!word || UNCOUNTABLE.some((re) => re.test(word))) return word;
  for (let i = rules.length - 1; i >= 0; i--) {
    const [re, to] = rules[i];
    if (re.test(word)) return word.replace(re, to);
  }
  return word;
}

export function singularize(word: string): string {
  return apply(word, singulars);
}

export function pluralize(word: string): string {
  return apply(word, plurals);
}
