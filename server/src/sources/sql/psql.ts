/**
 * psql scripts: PostgreSQL files written to be run by psql (`psql -f`, `psql -v schema=app -f`), holding psql's
 * own syntax around the SQL: meta-commands (`\set`, `\echo`, `\i`, `\connect`, `\if ... \endif`, COPY data ended
 * by `\.`) and variable interpolation (`:name`, `:'name'`, `:"name"`, `:{?name}`). The server never sees these;
 * FK Lens reads the SQL psql would send.
 *
 * The scan follows psql's lexer: nothing is interpolated or taken for a meta-command inside string literals,
 * quoted names, comments or dollar-quoted bodies (so not in DO or function bodies); `::type` and `:=` are no
 * variables; an unknown `:name` inside brackets is an array slice (`a[1:n]`) and psql leaves it alone.
 *
 * A variable set by `\set` earlier in the file is replaced by its value. One with no value FK Lens can see (given
 * with `psql -v`, or by the environment) is replaced by a placeholder name, the same for every use (`":schema"`),
 * so `:schema.orders` and `:schema.users` still name one schema and the FKs between them resolve; each such
 * variable is an `unsupported` info (a gap: the history is partial). An `\if` FK Lens cannot decide is read as
 * psql reads it when the variable is not given (false), also a gap. Includes (`\i`), shell commands (`\!`) and
 * `\gexec` run SQL FK Lens cannot see: gaps too.
 *
 * A SQL file that is a template (`grant ... to role_${database};`, filled in by the code that runs it: JavaScript's
 * `${name}` outside quotes, which is never SQL) is read the same way: each placeholder, with the name characters
 * around it, becomes one placeholder name (`"role_${database}"`), and is a gap.
 *
 * A file is read this way only on evidence: a meta-command, an interpolated variable, or COPY data (plain SQL has
 * none of them outside quotes). An ordinary file gives `undefined` and is read exactly as before.
 */
import type { SourceProblem } from '../events';
import type { Span } from '../text';
import { MappedSql } from '../js/mappedSql';
import { skipBlockComment, skipQuoted, skipString } from './lexer';

export interface PsqlScript {
  /** The SQL psql sends, same length as the file when nothing was replaced by a text of another length. */
  text: string;
  /** Set when some replacement changed lengths: the SQL with its map back to the file's offsets. */
  mapped?: MappedSql;
  /** What FK Lens could not follow (unsupported, info): the gaps the script leaves in the model. */
  problems: SourceProblem[];
}

/** A psql variable: a value, one FK Lens cannot know (backquotes, \prompt, \getenv), or explicitly unset. */
type Variable = { kind: 'value'; value: string } | { kind: 'unknown' } | { kind: 'unset' };

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** A branch of `\if`: is it read, and was a branch of this `\if` taken already. */
interface Branch {
  /** The enclosing branch is read. */
  outer: boolean;
  active: boolean;
  taken: boolean;
}

/** Quick test: can the text hold anything psql-specific at all? (A backslash, a `:name`, COPY's stdin.) */
const HINT = /\\|(?:^|[^:]):[A-Za-z_'"{\u0080-\uffff]|\bstdin\b|\$\{/i;

/** Meta-commands that change nothing FK Lens reads. */
const HARMLESS = new Set(
  (
    'a C cd conninfo copy copyright crosstabview echo encoding errverbose f g gx gdesc gset h help H html l list lo_export lo_import lo_list lo_unlink ' +
    'o out p print password pset qecho r reset restrict unrestrict s setenv t T timing w write warn watch x z bind bind_named parse close close_prepared ' +
    'startpipeline endpipeline syncpipeline flushrequest flush getresults sendpipeline ef ev sf sv dconfig ? .'
  ).split(' '),
);
/** Meta-commands whose arguments are the rest of the line, taken as they are. */
const WHOLE_LINE = new Set(['copy', 'ef', 'ev', 'sf', 'sv', 'help', 'h', '!']);
/** Meta-commands that send the query buffer (like `;`). */
const SENDS = new Set(['g', 'gx', 'gset', 'gdesc', 'gexec', 'crosstabview', 'watch', ';']);

const isVarChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c >= 128;
const isWordChar = (c: number) => isVarChar(c) || c === 36;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12;

/** The SQL psql sends for `text`, or undefined when the text holds nothing psql-specific (an ordinary file). */
export function psqlScript(text: string): PsqlScript | undefined {
  if (!HINT.test(text)) return undefined;
  const scan = new Scan(text);
  scan.run();
  if (!scan.edits.length) return undefined;
  const edits = scan.edits;
  const sameLength = edits.every((e) => e.text.length === e.end - e.start);
  const parts: string[] = [];
  let at = 0;
  for (const e of edits) {
    parts.push(text.slice(at, e.start), e.text);
    at = e.end;
  }
  parts.push(text.slice(at));
  const sql = parts.join('');
  return {
    text: sql,
    mapped: sameLength ? undefined : new MappedSql().exact(text, 0).replaced(edits),
    problems: scan.problems,
  };
}

class Scan {
  readonly edits: Edit[] = [];
  readonly problems: SourceProblem[] = [];
  private readonly vars = new Map<string, Variable>();
  private readonly branches: Branch[] = [];
  /** Where the text not read (a false `\if` branch) began. */
  private skipFrom = -1;
  private brackets = 0;
  /** Offset of the first token of the statement being built (-1: none yet). */
  private statementStart = -1;
  private sentStatements = 0;
  private connected = false;
  /** Where the last meta-command's arguments ended. */
  private metaEnd = -1;
  private readonly reported = new Set<string>();
  private i = 0;

  constructor(private readonly text: string) {}

  private get active(): boolean {
    return this.branches.length === 0 || this.branches[this.branches.length - 1].active;
  }

  run(): void {
    const text = this.text;
    const n = text.length;
    while (this.i < n) {
      const i = this.i;
      const c = text.charCodeAt(i);
      if (isSpace(c)) {
        this.i++;
        continue;
      }
      const next = text.charCodeAt(i + 1);
      if (c === 45 && next === 45) {
        const nl = text.indexOf('\n', i);
        this.i = nl < 0 ? n : nl + 1;
        continue;
      }
      if (c === 47 && next === 42) {
        this.i = skipBlockComment(text, i, n);
        continue;
      }
      if (c === 92) {
        this.meta();
        continue;
      }
      if (this.statementStart < 0) this.statementStart = i;
      if (c === 39) {
        const escapes = i > 0 && (text.charCodeAt(i - 1) === 69 || text.charCodeAt(i - 1) === 101) && !(i > 1 && isWordChar(text.charCodeAt(i - 2)));
        this.i = skipString(text, i, n, escapes);
        continue;
      }
      if (c === 34) {
        this.i = skipQuoted(text, i, n);
        continue;
      }
      if (c === 36) {
        if (next === 123 && this.active && this.template(i, i)) continue;
        this.i = skipDollar(text, i);
        continue;
      }
      if (isWordChar(c)) {
        let j = i + 1;
        while (j < n && isWordChar(text.charCodeAt(j))) j++;
        if (text.charCodeAt(j - 1) === 36 && text.charCodeAt(j) === 123 && this.active && this.template(i, j - 1)) continue;
        this.i = j;
        continue;
      }
      this.i++;
      if (c === 91) this.brackets++;
      else if (c === 93) this.brackets = Math.max(0, this.brackets - 1);
      else if (c === 59) this.endStatement(i + 1);
      else if (c === 58) {
        if (next === 58) this.i++;
        else if (this.active) this.variable(i);
      }
    }
    if (this.skipFrom >= 0) this.blank(this.skipFrom, n);
  }

  // ---- Statements ----------------------------------------------------------------------------------------

  /** A statement was sent (`;`, `\g`) ending at `end`: COPY ... FROM STDIN then reads the lines after it up to `\.`. */
  private endStatement(end: number): void {
    const start = this.statementStart;
    this.statementStart = -1;
    this.brackets = 0;
    if (start < 0 || !this.active) return;
    this.sentStatements++;
    if (!/^copy\b/i.test(this.text.slice(start, start + 5))) return;
    if (!/\bfrom\s+stdin\b/i.test(this.text.slice(start, end))) return;
    const text = this.text;
    let line = text.indexOf('\n', end);
    if (line < 0) return;
    const from = line + 1;
    // Data lines up to a line `\.` (or the end of the file).
    let to = text.length;
    for (let at = from; at < text.length; ) {
      const nl = text.indexOf('\n', at);
      const lineEnd = nl < 0 ? text.length : nl;
      if (text.startsWith('\\.', at) && text.slice(at + 2, lineEnd).trim() === '') {
        to = lineEnd;
        break;
      }
      at = lineEnd + 1;
    }
    line = to;
    this.blank(from, to);
    this.i = to;
  }

  // ---- Variables -----------------------------------------------------------------------------------------

  /** `:name`, `:'name'`, `:"name"`, `:{?name}` at `at` (the colon), outside quotes and comments. */
  private variable(at: number): void {
    const text = this.text;
    const form = text[at + 1];
    if (form === "'" || form === '"') {
      const end = varEnd(text, at + 2);
      if (end === at + 2 || text[end] !== form) return;
      const name = text.slice(at + 2, end);
      this.i = end + 1;
      this.interpolate(at, end + 1, name, form === "'" ? 'literal' : 'identifier');
      return;
    }
    if (form === '{' && text[at + 2] === '?') {
      const end = varEnd(text, at + 3);
      if (end === at + 3 || text[end] !== '}') return;
      const name = text.slice(at + 3, end);
      this.i = end + 1;
      const v = this.vars.get(name);
      if (v && v.kind !== 'unset') this.replace(at, end + 1, 'TRUE');
      else if (v) this.replace(at, end + 1, 'FALSE');
      else {
        this.unknownVariable(name, { start: at, end: end + 1 });
        this.replace(at, end + 1, 'FALSE');
      }
      return;
    }
    const end = varEnd(text, at + 1);
    if (end === at + 1) return;
    const name = text.slice(at + 1, end);
    this.i = end;
    this.interpolate(at, end, name, 'raw');
  }

  private interpolate(start: number, end: number, name: string, form: 'raw' | 'literal' | 'identifier'): void {
    const v = this.vars.get(name);
    if (v?.kind === 'unset') return; // psql leaves it as written
    if (v?.kind === 'value') {
      this.replace(start, end, form === 'literal' ? quoteLiteral(v.value) : form === 'identifier' ? quoteIdentifier(v.value) : v.value);
      return;
    }
    // Unknown: an array slice `a[1:n]` (or `:1`) is the SQL's own; anything else is a variable psql gets from outside.
    if (form === 'raw' && (this.brackets > 0 || /^[0-9]/.test(name))) return;
    this.unknownVariable(name, { start, end });
    const literal = form === 'literal' || (form === 'raw' && /\bis\s*$/i.test(this.text.slice(Math.max(0, start - 8), start)));
    this.replace(start, end, literal ? quoteLiteral(`:${name}`) : quoteIdentifier(`:${name}`));
  }

  /**
   * A template placeholder `${name}` at `dollar`, in a name that starts at `start`: the whole name, placeholders and
   * the name characters around them, becomes one quoted placeholder name. False when it is no placeholder.
   */
  private template(start: number, dollar: number): boolean {
    const text = this.text;
    let end = dollar;
    const names: { name: string; span: Span }[] = [];
    for (;;) {
      const close = text.indexOf('}', end + 2);
      const name = close < 0 ? '' : text.slice(end + 2, close);
      if (!/^\s*[A-Za-z_][\w.]*(?:\(\s*['"]?[\w.]*['"]?\s*\))?\s*$/.test(name)) return names.length > 0 && this.templateName(start, end, names);
      names.push({ name: name.trim(), span: { start: end, end: close + 1 } });
      end = close + 1;
      while (end < text.length && isVarChar(text.charCodeAt(end))) end++;
      if (!(text.charCodeAt(end) === 36 && text.charCodeAt(end + 1) === 123)) return this.templateName(start, end, names);
    }
  }

  private templateName(start: number, end: number, names: { name: string; span: Span }[]): boolean {
    for (const { name, span } of names) {
      if (this.reported.has(`\${${name}}`)) continue;
      this.reported.add(`\${${name}}`);
      this.problem(span, `\${${name}} is a template placeholder, filled in by the code that runs this file; the statements using it are read with a placeholder name.`);
    }
    this.replace(start, end, quoteIdentifier(this.text.slice(start, end)));
    this.i = end;
    return true;
  }

  private unknownVariable(name: string, span: Span): void {
    if (this.reported.has(name)) return;
    this.reported.add(name);
    this.problem(
      span,
      `psql variable :${name} has no value FK Lens can see (it is given to psql from outside this file, e.g. psql -v ${name}=...); the statements using it are read with a placeholder name.`,
    );
  }

  // ---- Meta-commands -------------------------------------------------------------------------------------

  /** The meta-command starting at this.i (a backslash): psql runs it, the server never sees it. */
  private meta(): void {
    const text = this.text;
    const start = this.i;
    let j = start + 1;
    let name: string;
    if (j < text.length && /[A-Za-z]/.test(text[j])) {
      while (j < text.length && /[A-Za-z0-9_+]/.test(text[j])) j++;
      name = text.slice(start + 1, j);
    } else {
      name = text[j] ?? '';
      j = Math.min(text.length, j + 1);
    }
    const base = name.replace(/\+$/, '');
    const lineEnd = endOfLine(text, j);
    let end: number;
    let args: Arg[] = [];
    // `\\` after a meta-command's arguments ends them (SQL goes on); anywhere else psql drops the rest of the line.
    if (name === '\\' && start === this.metaEnd) end = j;
    else if (name === '\\' || WHOLE_LINE.has(base) || ((base === 'g' || base === 'gx' || base === 'o' || base === 'w') && /^\s*\|/.test(text.slice(j, lineEnd)))) end = lineEnd;
    else {
      const parsed = this.args(j, lineEnd);
      args = parsed.args;
      end = parsed.end;
    }
    this.i = end;
    this.metaEnd = end;

    // Branching is followed in any branch; the rest only where the script is read.
    if (base === 'if' || base === 'elif' || base === 'else' || base === 'endif') {
      this.branch(base, args, { start, end });
      return;
    }
    if (!this.active) return;
    const sends = SENDS.has(base);
    this.replace(start, end, sends ? ';' + ' '.repeat(end - start - 1) : ' '.repeat(end - start));
    if (sends) this.endStatement(end);
    const span = { start, end: Math.min(end, lineEnd) };
    switch (base) {
      case 'set': {
        if (!args.length) return;
        const key = args[0].value;
        if (key === undefined) return;
        const rest = args.slice(1);
        this.vars.set(key, rest.some((a) => a.value === undefined) ? { kind: 'unknown' } : { kind: 'value', value: rest.map((a) => a.value).join('') });
        return;
      }
      case 'unset':
        if (args[0]?.value !== undefined) this.vars.set(args[0].value, { kind: 'unset' });
        return;
      case 'prompt':
        if (args.length && args[args.length - 1].value !== undefined) this.vars.set(args[args.length - 1].value!, { kind: 'unknown' });
        return;
      case 'getenv':
        if (args[0]?.value !== undefined) this.vars.set(args[0].value, { kind: 'unknown' });
        return;
      case 'q':
      case 'quit':
        // Nothing after \q runs.
        if (end < text.length) this.replace(end, text.length, ' '.repeat(text.length - end));
        this.i = text.length;
        return;
      case 'i':
      case 'ir':
      case 'include':
      case 'include_relative': {
        const file = args[0]?.value;
        this.problem(span, `psql reads the file ${file === undefined ? '(named at run time)' : JSON.stringify(file)} here (\\${name}); FK Lens does not follow includes, so what that file does is missing from this model unless FK Lens reads that file in the same history.`);
        return;
      }
      case 'c':
      case 'connect': {
        const db = args[0]?.value;
        if (this.connected && this.sentStatements > 0 && db !== '-' && db !== '') {
          this.problem(span, `psql connects to ${db === undefined ? 'another database' : `the database ${JSON.stringify(db)}`} here (\\${name}); FK Lens reads the statements after it into the same model.`);
        }
        this.connected = true;
        return;
      }
      case 'gexec':
        this.problem(span, 'psql runs each value the query returns as a statement here (\\gexec); FK Lens cannot know those statements, so what they do is missing from this model.');
        return;
      case '!':
        this.problem(span, 'psql runs a shell command here (\\!); what it does to the database is missing from this model.');
        return;
      default:
        if (HARMLESS.has(base) || /^d/.test(base) || base === '\\' || base === ';') return;
        this.problem(span, `FK Lens does not know what the psql meta-command \\${name} does; it skipped it.`);
    }
  }

  private branch(kind: 'if' | 'elif' | 'else' | 'endif', args: Arg[], span: Span): void {
    const wasActive = this.active;
    const top = this.branches[this.branches.length - 1];
    if (kind === 'if') {
      const outer = wasActive;
      const value = outer ? this.condition(args, span) : false;
      this.branches.push({ outer, active: value, taken: value });
    } else if (!top) {
      // A stray \elif / \else / \endif: psql reports it and goes on.
    } else if (kind === 'endif') this.branches.pop();
    else if (kind === 'else') {
      top.active = top.outer && !top.taken;
      top.taken = true;
    } else {
      const value = top.outer && !top.taken ? this.condition(args, span) : false;
      top.active = value;
      top.taken ||= value;
    }
    const nowActive = this.active;
    if (wasActive && !nowActive) {
      this.replace(span.start, span.end, ' '.repeat(span.end - span.start));
      this.skipFrom = span.end;
    } else if (!wasActive && nowActive) {
      this.blank(this.skipFrom, span.start);
      this.skipFrom = -1;
      this.replace(span.start, span.end, ' '.repeat(span.end - span.start));
    } else if (wasActive) this.replace(span.start, span.end, ' '.repeat(span.end - span.start));
  }

  /** The value of an `\if` / `\elif` expression as psql takes it (not a boolean: false, as psql does after its error). */
  private condition(args: Arg[], span: Span): boolean {
    if (!args.length) return false;
    if (args.some((a) => a.value === undefined)) {
      const unknown = args.flatMap((a) => a.unknown);
      const why = unknown.length ? `psql variable${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `:${u}`).join(', ')}, which FK Lens cannot see` : 'the output of a shell command (backquotes)';
      this.problem(
        { start: span.start, end: Math.min(span.end, endOfLine(this.text, span.start)) },
        `This \\if depends on ${why}; FK Lens reads the script as psql does when the condition is not true (so what the branch does may be missing from this model).`,
      );
      return false;
    }
    return psqlBool(args.map((a) => a.value).join(' ')) ?? false;
  }

  /** The arguments of a meta-command from `from` up to the end of the line or the next unquoted backslash. */
  private args(from: number, lineEnd: number): { args: Arg[]; end: number } {
    const text = this.text;
    const args: Arg[] = [];
    let j = from;
    for (;;) {
      while (j < lineEnd && isSpace(text.charCodeAt(j))) j++;
      if (j >= lineEnd || text[j] === '\\') break;
      let value: string | undefined = '';
      const unknown: string[] = [];
      while (j < lineEnd && !isSpace(text.charCodeAt(j)) && text[j] !== '\\') {
        const c = text[j];
        if (c === "'") {
          const r = psqlQuoted(text, j, lineEnd);
          if (value !== undefined) value += r.value;
          j = r.end;
        } else if (c === '"') {
          let k = j + 1;
          while (k < lineEnd && !(text[k] === '"' && text[k + 1] !== '"')) k += text[k] === '"' ? 2 : 1;
          k = Math.min(lineEnd, k + 1);
          if (value !== undefined) value += text.slice(j, k);
          j = k;
        } else if (c === '`') {
          const close = text.indexOf('`', j + 1);
          j = close < 0 || close >= lineEnd ? lineEnd : close + 1;
          value = undefined;
        } else if (c === ':' && this.active) {
          const r = this.argVariable(j);
          if (r) {
            if (r.value === undefined) {
              value = undefined;
              unknown.push(r.name);
            } else if (value !== undefined) value += r.value;
            j = r.end;
          } else {
            if (value !== undefined) value += c;
            j++;
          }
        } else {
          if (value !== undefined) value += c;
          j++;
        }
      }
      args.push({ value, unknown });
    }
    return { args, end: j };
  }

  /** A variable in a meta-command's argument: its text, undefined when unknown; null when `:` is no variable here. */
  private argVariable(at: number): { name: string; value: string | undefined; end: number } | undefined {
    const text = this.text;
    const form = text[at + 1];
    let name: string;
    let end: number;
    let kind: 'raw' | 'literal' | 'identifier' | 'defined' = 'raw';
    if (form === "'" || form === '"') {
      end = varEnd(text, at + 2);
      if (end === at + 2 || text[end] !== form) return undefined;
      name = text.slice(at + 2, end);
      end++;
      kind = form === "'" ? 'literal' : 'identifier';
    } else if (form === '{' && text[at + 2] === '?') {
      end = varEnd(text, at + 3);
      if (end === at + 3 || text[end] !== '}') return undefined;
      name = text.slice(at + 3, end);
      end++;
      kind = 'defined';
    } else {
      end = varEnd(text, at + 1);
      if (end === at + 1) return undefined;
      name = text.slice(at + 1, end);
    }
    const v = this.vars.get(name);
    if (kind === 'defined') return { name, value: v ? (v.kind === 'unset' ? 'FALSE' : 'TRUE') : undefined, end };
    if (v?.kind === 'unset') return { name, value: text.slice(at, end), end };
    if (v?.kind !== 'value') return { name, value: undefined, end };
    return { name, value: kind === 'literal' ? quoteLiteral(v.value) : kind === 'identifier' ? quoteIdentifier(v.value) : v.value, end };
  }

  // ---- Output ----------------------------------------------------------------------------------------------

  private replace(start: number, end: number, text: string): void {
    if (end > start || text) this.edits.push({ start, end, text });
  }

  /** Text psql does not send (a false branch, COPY data): blanked, line breaks kept. */
  private blank(start: number, end: number): void {
    if (end > start) this.replace(start, end, this.text.slice(start, end).replace(/[^\n]/g, ' '));
  }

  private problem(span: Span, message: string): void {
    this.problems.push({ severity: 'info', code: 'unsupported', message, span });
  }
}

interface Arg {
  /** The argument's text after interpolation; undefined when FK Lens cannot know it. */
  value: string | undefined;
  /** Variables with no value FK Lens can see. */
  unknown: string[];
}

function quoteLiteral(value: string): string {
  const body = value.replace(/'/g, "''");
  return value.includes('\\') ? ` E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

function quoteIdentifier(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

/** psql's boolean values: unique prefixes of true / false / yes / no, on / off, 1 / 0. */
function psqlBool(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (!v) return undefined;
  if ('true'.startsWith(v) || 'yes'.startsWith(v) || v === 'on' || v === '1') return true;
  if ('false'.startsWith(v) || 'no'.startsWith(v) || v === 'off' || v === 'of' || v === '0') return false;
  return undefined;
}

/** A single-quoted meta-command argument: `''` is a quote, backslash escapes as in C. */
function psqlQuoted(text: string, at: number, lineEnd: number): { value: string; end: number } {
  let value = '';
  let j = at + 1;
  while (j < lineEnd) {
    const c = text[j];
    if (c === "'") {
      if (text[j + 1] === "'") {
        value += "'";
        j += 2;
        continue;
      }
      return { value, end: j + 1 };
    }
    if (c === '\\' && j + 1 < lineEnd) {
      const e = text[j + 1];
      value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === 'b' ? '\b' : e === 'f' ? '\f' : e;
      j += 2;
      continue;
    }
    value += c;
    j++;
  }
  return { value, end: lineEnd };
}

function varEnd(text: string, from: number): number {
  let j = from;
  while (j < text.length && isVarChar(text.charCodeAt(j))) j++;
  return j;
}

function endOfLine(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}

/** A dollar-quoted body from `i` (a `$`): its end; `$1` and a lone `$` are one character. */
function skipDollar(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && isVarChar(text.charCodeAt(j)) && !(j === i + 1 && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57)) j++;
  if (text.charCodeAt(j) !== 36) {
    while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    return Math.max(i + 1, j);
  }
  const tag = text.slice(i, j + 1);
  const close = text.indexOf(tag, j + 1);
  return close < 0 ? text.length : close + tag.length;
}
