/** Offsets in this project are UTF-16 code units into a file's text (what JavaScript strings and LSP use). */
export interface Span {
  start: number;
  end: number;
}

export interface LineCol {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 column. */
  character: number;
}

/** Maps between UTF-16 offsets and line/column, and from the parser's UTF-8 byte offsets to UTF-16. */
export class LineIndex {
  private readonly lineStarts: number[];
  /** Set only when the text holds non-ASCII characters: byte offset -> UTF-16 offset, sampled per code point. */
  private byteToUnit: Int32Array | undefined;
  /** undefined until the first byte-offset conversion looks at the text. */
  private ascii: boolean | undefined;

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) starts.push(i + 1);
    }
    this.lineStarts = starts;
  }

  position(offset: number): LineCol {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - starts[lo] };
  }

  offset(pos: LineCol): number {
    if (pos.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[Math.max(0, pos.line)];
    const lineEnd = pos.line + 1 < this.lineStarts.length ? this.lineStarts[pos.line + 1] : this.text.length;
    return Math.min(start + Math.max(0, pos.character), lineEnd);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** UTF-8 byte offset (as libpg_query reports node locations) to a UTF-16 offset. */
  fromUtf8(byteOffset: number): number {
    const table = this.utf8Table();
    if (!table) return byteOffset;
    if (byteOffset >= table.length) return this.text.length;
    return table[byteOffset];
  }

  private utf8Table(): Int32Array | undefined {
    if (this.byteToUnit || this.ascii) return this.byteToUnit;
    // eslint-disable-next-line no-control-regex
    this.ascii = !/[^\x00-\x7f]/.test(this.text);
    if (this.ascii) return undefined;
    const text = this.text;
    const table = new Int32Array(Buffer.byteLength(text, 'utf8') + 1);
    let b = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let bytes: number;
      let units = 1;
      if (c < 0x80) bytes = 1;
      else if (c < 0x800) bytes = 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        bytes = 4;
        units = 2;
      } else bytes = 3;
      for (let k = 0; k < bytes; k++) table[b + k] = i;
      b += bytes;
      i += units - 1;
    }
    table[b] = text.length;
    this.byteToUnit = table;
    return table;
  }
}

/** Code-point offset (libpg_query's error cursor is 1-based in characters) to UTF-16 offset. */
export function codePointToUnit(text: string, codePoints: number): number {
  let cp = 0;
  let i = 0;
  while (i < text.length && cp < codePoints) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    cp++;
  }
  return i;
}
