/**
 * File text quoted in a problem message (`syntax error at or near "…"`) is kept short and printable: a file
 * reached by mistake (a symlink to a token file, a data dump) must not have its content copied into
 * diagnostics, annotations or SARIF, and an unterminated string must not echo the rest of the file.
 */

/** At most this many characters of a file's text are quoted in a message. */
export const EXCERPT_CHARS = 16;
/** A problem message is never longer than this. */
export const MESSAGE_CHARS = 300;

/** `text` cut to `max` characters (with `…`), control characters written as `\n`, `\u001b` …. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  const chars = [...text];
  const cut = chars.length > max ? chars.slice(0, max).join('') + '…' : text;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * A reader's problem message with the file text it quotes shortened: PostgreSQL's `at or near "…"` (which
 * runs to the end of the message, quotes included), then every other double-quoted part; at most
 * MESSAGE_CHARS in all.
 */
export function shortenQuotedText(message: string): string {
  let out = message.replace(/( at or near )"([^]*)"$/, (_, lead: string, quoted: string) => `${lead}"${excerpt(quoted)}"`);
  if (out === message) out = message.replace(/"([^"]*)"/g, (_, quoted: string) => `"${excerpt(quoted)}"`);
  out = excerpt(out, MESSAGE_CHARS);
  return out;
}
