/**
 * Where a problem of `.fklens.json` is in its text: the offset of a JSON syntax error, or the range of the key
 * a value problem is about (`rules` -> `fk-missing-index`), so the CLI can print file:line:col and the editor
 * can underline it. Pure; a path that cannot be found gives undefined.
 */
import type { Span } from '../sources/text';
import type { ConfigIssue } from './config';

/** The offset JSON.parse's message names (`... in JSON at position 12`), or the end of the text. */
export function jsonErrorOffset(text: string, message: string): number {
  const m = /at position (\d+)/.exec(message);
  return m ? Math.min(Number(m[1]), text.length) : text.length;
}

/**
 * The span of the property name at `path` (each step an object key), the deepest one found. Strings, numbers,
 * literals, arrays and objects are skipped with a small scanner; a malformed text ends the search.
 */
export function locateJsonPath(text: string, path: readonly string[]): Span | undefined {
  let i = 0;
  let best: Span | undefined;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const string = (): string | undefined => {
    if (text[i] !== '"') return undefined;
    let out = '';
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        const next = text[i + 1];
        if (next === 'u') {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          out += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[next] ?? next;
          i += 2;
        }
      } else out += text[i++];
    }
    i++;
    return out;
  };
  // Skips one value; when `depth` < path.length and the value is an object, looks for path[depth] in it.
  const value = (depth: number): boolean => {
    ws();
    const c = text[i];
    if (c === '"') return string() !== undefined;
    if (c === '{') {
      i++;
      for (;;) {
        ws();
        if (text[i] === '}') {
          i++;
          return true;
        }
        const keyStart = i;
        const key = string();
        if (key === undefined) return false;
        const keyEnd = i;
        ws();
        if (text[i++] !== ':') return false;
        const wanted = depth < path.length && key === path[depth];
        if (wanted) best = { start: keyStart, end: keyEnd };
        if (!value(wanted ? depth + 1 : path.length)) return false;
        if (wanted && depth + 1 >= path.length) return true;
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return true;
        } else return false;
      }
    }
    if (c === '[') {
      i++;
      for (;;) {
        ws();
        if (text[i] === ']') {
          i++;
          return true;
        }
        if (!value(path.length)) return false;
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return true;
        } else return false;
      }
    }
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) return false;
    i += m[0].length;
    return true;
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  value(0);
  return best;
}

/** A configuration problem as a finding: where in the file, and how bad (nothing applies: error; one value: warning). */
export interface LocatedConfigIssue {
  message: string;
  span: Span;
  severity: 'error' | 'warning';
}

/** `issues` of a configuration file's text, located; messages without the `<file>: ` prefix the loader adds. */
export function locateConfigIssues(text: string, issues: readonly ConfigIssue[], where?: string): LocatedConfigIssue[] {
  return issues.map((issue) => {
    const start = issue.offset ?? (issue.path.length ? locateJsonPath(text, issue.path)?.start : undefined);
    const span =
      issue.offset !== undefined
        ? { start: Math.min(issue.offset, text.length), end: Math.min(issue.offset + 1, text.length) }
        : start !== undefined
          ? locateJsonPath(text, issue.path)!
          : { start: 0, end: 0 };
    const message = where && issue.message.startsWith(`${where}: `) ? issue.message.slice(where.length + 2) : issue.message;
    return { message, span, severity: issue.fatal ? 'error' : 'warning' };
  });
}
