/**
 * What the CLI writes to a terminal: names from the user's files made harmless, paths as the user sees them,
 * and standard output that ends quietly when the reader goes away (`fklens model | head -1`).
 */
import { isAbsolute, relative, sep } from 'node:path';

/**
 * Control characters shown as visible escapes: C0 (but tab), DEL, C1 (ESC / CSI / OSC in their 8-bit forms),
 * the line and paragraph separators, and the bidirectional overrides and isolates (which reorder what the
 * terminal shows). A name can then neither move the cursor, erase a line, set the window title or the
 * clipboard (OSC 52), nor start a new line that looks like a finding.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\x1b': '\\e' };

/** The one function every text output of the CLI goes through: `\e`, `\r`, `\n`, `\x07`, `\u202e` ... */
export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, '0');

/**
 * A path as every command prints it: relative to the current directory when it is inside it, absolute
 * otherwise, '/'-separated. Text output quotes it when it holds a space or a quote (`quote`).
 */
export function displayPath(absolute: string, cwd = process.cwd()): string {
  const rel = relative(cwd, absolute);
  const shown = rel === '' ? '.' : !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
  return shown.split(sep).join('/');
}

/** A path for text output: escaped, and in double quotes when it contains a space or a quote. */
export function quotePath(path: string): string {
  if (!/[\s"']/.test(path)) return escapeTerminal(path);
  return `"${escapeTerminal(path.replace(/["\\]/g, '\\$&'))}"`;
}

/** Where a command writes. `out` is standard output; `err` standard error (notes, usage errors). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True once standard output is closed (the reader went away): commands may stop producing output. */
  readonly closed: boolean;
}

let stdoutClosed = false;
let guarded = false;

/**
 * Standard output and error of the process. A closed pipe (EPIPE) ends output quietly: nothing more is written,
 * no stack trace, and the command's exit code stands.
 */
export function processIo(): CliIo {
  if (!guarded) {
    guarded = true;
    const quiet = (stream: NodeJS.WriteStream, onClose: () => void) =>
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') onClose();
        else throw e;
      });
    quiet(process.stdout, () => (stdoutClosed = true));
    quiet(process.stderr, () => undefined);
  }
  return {
    out(text) {
      if (!stdoutClosed && text) process.stdout.write(text);
    },
    err(text) {
      if (text && !process.stderr.destroyed) process.stderr.write(text);
    },
    get closed() {
      return stdoutClosed;
    },
  };
}

/** An in-memory CliIo (tests, and callers that want the text). */
export function bufferIo(): CliIo & { stdout: string; stderr: string } {
  return {
    stdout: '',
    stderr: '',
    closed: false,
    out(text) {
      this.stdout += text;
    },
    err(text) {
      this.stderr += text;
    },
  };
}
