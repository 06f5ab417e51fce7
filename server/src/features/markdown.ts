/**
 * Markdown built from user data (table, column, constraint names; file paths). Every name and path that goes
 * into hover or completion Markdown passes through `mdText` or `mdCode`: it is shown as the characters it is,
 * never as a link, image, HTML, heading or list. Links are made only here, from FK Lens's own targets, with
 * destinations that cannot end early (`mdLink`, `commandUri`). Pure.
 */

/**
 * Control characters, line and paragraph separators and bidirectional overrides, shown as escapes: a name can
 * neither break a line nor reorder the text around it.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `s` with every invisible or line-breaking character written as an escape (`\n`, `\u202e`). */
export function visible(s: string): string {
  return s.replace(INVISIBLE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Every ASCII punctuation character, which CommonMark lets a backslash make literal. */
const PUNCTUATION = /[!-/:-@[-`{-~]/g;

/** Literal text in Markdown: no markup, link, autolink, image, entity or HTML can come out of it. */
export function mdText(s: string): string {
  return visible(s).replace(PUNCTUATION, '\\$&');
}

/** An inline code span showing `s` literally, whatever backticks it holds. */
export function mdCode(s: string): string {
  const text = visible(s);
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  // A space on both sides keeps a leading / trailing backtick out of the fence (CommonMark strips one each).
  const pad = /^[` ]|[` ]$/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * A name as the text of a link: a code span, unless the name holds a backtick (a fenced code span inside link
 * text is not parsed as a link by every renderer, VS Code's included): then escaped text.
 */
export function mdCodeInLink(s: string): string {
  return s.includes('`') ? mdText(s) : mdCode(s);
}

/** A link destination that cannot end early or start a new line: parentheses, spaces, quotes, `<>` encoded. */
export function linkTarget(target: string): string {
  return target.replace(/[\u0000-\u0020()<>"'`\\\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x80 ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : encodeURIComponent(c);
  });
}

/**
 * `[text](target "title")`: `label` is Markdown already built by the caller (escaped names, code spans); the
 * title is shown on mouse hover, as text.
 */
export function mdLink(label: string, target: string, title?: string): string {
  const t = title === undefined ? '' : ` "${visible(title).replace(/["\\]/g, '\\$&')}"`;
  return `[${label}](${linkTarget(target)}${t})`;
}

/** `command:<id>?<args>`: the arguments as JSON, percent-encoded so that no character of them is Markdown. */
export function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** A plain-text label (code action titles, code lens titles): one line, escapes for what is invisible. */
export function plainLabel(s: string): string {
  return visible(s);
}
