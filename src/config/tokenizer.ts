// Tokenizer for ExaBGP's configuration grammar (facts from ExaBGP 4.2's behaviour, own code).
// Words are separated by blanks; `{ } ; [ ] ( ) ,` are tokens by themselves; `"..."` and `'...'` make one
// word that may hold blanks and punctuation; `#` starts a comment up to the end of the line; a `\` at the end
// of a line joins it with the next one. One pass over the text, no backtracking: linear in the input size.

/** Where something was written, for `file:line:col:` messages (line and column start at 1). */
export interface Location {
  file: string;
  line: number;
  col: number;
}

export class Token implements Location {
  constructor(
    /** The word, without quotes for a quoted string. */
    public text: string,
    /** True for `{ } ; [ ] ( ) ,` outside quotes. */
    public punct: boolean,
    /** True when written between quotes (so `"{"` is a word, not a brace). */
    public quoted: boolean,
    public file: string,
    public line: number,
    public col: number,
    /** Offsets in the source text: [start, end). */
    public start: number,
    public end: number,
  ) {}
}

/** What every configuration error looks like: `file:line:col: message`. */
export class ConfigError extends Error {
  constructor(
    public readonly file: string,
    public readonly line: number,
    public readonly col: number,
    public readonly detail: string,
  ) {
    super(`${file}:${line}:${col}: ${detail}`);
    this.name = 'ConfigError';
  }
}

export const errorAt = (where: Location, detail: string): ConfigError =>
  new ConfigError(where.file, where.line, where.col, detail);

/** `found 'X', expected Y` at the token (or at the end of input). */
export const expected = (tok: Token | undefined, what: string, end?: Location): ConfigError => {
  if (tok) return errorAt(tok, `found '${tok.text}', expected ${what}`);
  const at = end ?? { file: '<input>', line: 1, col: 1 };
  return errorAt(at, `found end of input, expected ${what}`);
};

// Character classes by code unit, for a branch-light inner loop.
const C_SPACE = 1;
const C_PUNCT = 2;
const C_QUOTE = 3;
const C_COMMENT = 4;
const C_NEWLINE = 5;
const C_BACKSLASH = 6;
const CLASS = new Uint8Array(128);
for (const c of ' \t\r\f\v') CLASS[c.charCodeAt(0)] = C_SPACE;
for (const c of '{};[](),') CLASS[c.charCodeAt(0)] = C_PUNCT;
CLASS['"'.charCodeAt(0)] = C_QUOTE;
CLASS["'".charCodeAt(0)] = C_QUOTE;
CLASS['#'.charCodeAt(0)] = C_COMMENT;
CLASS['\n'.charCodeAt(0)] = C_NEWLINE;
CLASS['\\'.charCodeAt(0)] = C_BACKSLASH;

const PUNCT_TEXT: string[] = [];
for (const c of '{};[](),') PUNCT_TEXT[c.charCodeAt(0)] = c;

/**
 * Pull tokenizer: `next()` returns the next token or undefined at the end. Throws ConfigError on an
 * unterminated quoted string.
 */
export class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private peeked: Token | undefined;
  private hasPeek = false;

  constructor(
    private readonly src: string,
    readonly file: string = '<input>',
  ) {}

  /** Position just after the last character, for "found end of input" messages. */
  endLocation(): Location {
    return { file: this.file, line: this.line, col: this.pos - this.lineStart + 1 };
  }

  /** Saved position, to back out of a look-ahead. */
  snapshot(): [number, number, number, boolean, Token | undefined] {
    return [this.pos, this.line, this.lineStart, this.hasPeek, this.peeked];
  }

  restore(s: [number, number, number, boolean, Token | undefined]): void {
    [this.pos, this.line, this.lineStart, this.hasPeek, this.peeked] = s;
  }

  peek(): Token | undefined {
    if (!this.hasPeek) {
      this.peeked = this.scan();
      this.hasPeek = true;
    }
    return this.peeked;
  }

  next(): Token | undefined {
    if (this.hasPeek) {
      this.hasPeek = false;
      const t = this.peeked;
      this.peeked = undefined;
      return t;
    }
    return this.scan();
  }

  // Where routeLine() found the parts of a `route PREFIX TAIL;` statement (offsets in the source).
  /** Prefix text: [routePrefixStart, routePrefixEnd). */
  routePrefixStart = 0;
  routePrefixEnd = 0;
  /** Tail text, without the `;`: [routeTailStart, routeTailEnd). */
  routeTailStart = 0;
  routeTailEnd = 0;
  /** Line of the prefix, the offset where that line starts, and the line after the `;`. */
  routeLine = 0;
  routeLineStart = 0;
  /** FNV-1a hash of the tail text, so that a memo of tails can be searched without cutting the text out. */
  routeTailHash = 0;

  /**
   * Recognises the common one-line form `route PREFIX WORDS... ;` without making tokens: true (statement
   * consumed, parts in the route* fields) when the prefix is a plain word and the tail holds only plain words,
   * blanks, line ends and `[ ] ( ) ,`. Anything else (quotes, braces, comments, continuations, the end of the
   * input, another keyword) returns false with nothing consumed but the blanks and comments before it, which
   * scan() would skip the same way; the caller then uses the general path.
   */
  routeStatement(): boolean {
    if (this.hasPeek) return false;
    const src = this.src;
    const n = src.length;
    // Blanks, line ends and comments before the statement.
    const i = this.skipBlanks(this.pos);
    this.pos = i;
    if (i >= n) return false;
    // `route` then blanks.
    if (
      i + 6 > n ||
      src.charCodeAt(i) !== 114 ||
      src.charCodeAt(i + 1) !== 111 ||
      src.charCodeAt(i + 2) !== 117 ||
      src.charCodeAt(i + 3) !== 116 ||
      src.charCodeAt(i + 4) !== 101
    )
      return false;
    let j = i + 5;
    let c = src.charCodeAt(j);
    if (c !== 32 && c !== 9) return false;
    while (j < n && ((c = src.charCodeAt(j)) === 32 || c === 9)) j++;
    // The prefix: a plain word followed by a blank.
    const ps = j;
    while (j < n && ((c = src.charCodeAt(j)) >= 128 || CLASS[c] === 0)) j++;
    if (j === ps || j >= n || (c !== 32 && c !== 9)) return false;
    const pe = j;
    let lines = 0;
    let lastNl = -1;
    let h = 0x811c9dc5 | 0;
    for (; j < n; j++) {
      c = src.charCodeAt(j);
      h = Math.imul(h ^ c, 0x01000193);
      if (c >= 128) continue;
      const k = CLASS[c];
      if (k === 0 || k === C_SPACE) continue;
      if (k === C_NEWLINE) {
        lines++;
        lastNl = j;
        continue;
      }
      if (k !== C_PUNCT || c === 123 || c === 125) return false;
      if (c === 59 /* ; */) break;
    }
    if (j >= n) return false;
    this.routePrefixStart = ps;
    this.routePrefixEnd = pe;
    this.routeTailStart = pe;
    this.routeTailEnd = j;
    this.routeLine = this.line;
    this.routeLineStart = this.lineStart;
    // The hash covers the final `;` too, the same way for every statement.
    this.routeTailHash = h;
    this.pos = j + 1;
    if (lines) {
      this.line += lines;
      this.lineStart = lastNl + 1;
    }
    return true;
  }

  /** Tokens handed out by routeTailTokens, recycled by the next call. */
  private readonly tailTokens: Token[] = [];

  /**
   * The tokens of the tail routeStatement() last found (positions as the general path gives them), in an
   * array of `count` that the next call overwrites: a route parser keeps the words' text, never the tokens,
   * so a million distinct tails do not make a million sets of token objects.
   */
  routeTailTokens(): { toks: Token[]; count: number } {
    const pos = this.pos;
    const line = this.line;
    const lineStart = this.lineStart;
    this.pos = this.routeTailStart;
    this.line = this.routeLine;
    this.lineStart = this.routeLineStart;
    const out = this.tailTokens;
    let count = 0;
    while (this.pos < this.routeTailEnd) {
      const t = this.scan(out[count]);
      if (t === undefined || t.start >= this.routeTailEnd) break;
      if (count === out.length) out.push(t);
      count++;
    }
    this.pos = pos;
    this.line = line;
    this.lineStart = lineStart;
    return { toks: out, count };
  }

  /** Token of the prefix routeStatement() last found. */
  routePrefixToken(): Token {
    const s = this.routePrefixStart;
    return new Token(
      this.src.slice(s, this.routePrefixEnd),
      false,
      false,
      this.file,
      this.routeLine,
      s - this.routeLineStart + 1,
      s,
      this.routePrefixEnd,
    );
  }

  /** The source text s[from, to). */
  text(from: number, to: number): string {
    return this.src.slice(from, to);
  }

  /** True when the source at `from` reads `s`. */
  textIs(from: number, s: string): boolean {
    return this.src.startsWith(s, from);
  }

  /** A new token, or `reuse` filled in (routeTailTokens recycles its tokens). */
  private token(
    reuse: Token | undefined,
    text: string,
    punct: boolean,
    col: number,
    start: number,
    end: number,
  ): Token {
    if (reuse === undefined) return new Token(text, punct, false, this.file, this.line, col, start, end);
    reuse.text = text;
    reuse.punct = punct;
    reuse.quoted = false;
    reuse.line = this.line;
    reuse.col = col;
    reuse.start = start;
    reuse.end = end;
    return reuse;
  }

  private scan(reuse?: Token): Token | undefined {
    const src = this.src;
    const n = src.length;
    let i = this.pos;
    for (;;) {
      i = this.skipBlanks(i);
      if (i >= n) {
        this.pos = i;
        return undefined;
      }
      const c = src.charCodeAt(i);
      const k = c < 128 ? CLASS[c] : 0;
      if (k === C_BACKSLASH && this.isLineContinuation(i)) {
        // `\` then optional blanks then end of line: the statement goes on on the next line.
        i++;
      } else if (k === C_PUNCT) {
        this.pos = i + 1;
        return this.token(reuse, PUNCT_TEXT[c]!, true, i - this.lineStart + 1, i, i + 1);
      } else if (k === C_QUOTE) {
        return this.quoted(i, c);
      } else {
        const start = i;
        i++;
        while (i < n) {
          const d = src.charCodeAt(i);
          if (d < 128 && CLASS[d] !== 0) break;
          i++;
        }
        this.pos = i;
        return this.token(reuse, src.slice(start, i), false, start - this.lineStart + 1, start, i);
      }
    }
  }

  /** The first position from `i` that is not a blank, a line end or a comment (line count kept up to date). */
  private skipBlanks(i: number): number {
    const src = this.src;
    const n = src.length;
    while (i < n) {
      const c = src.charCodeAt(i);
      const k = c < 128 ? CLASS[c] : 0;
      if (k === C_SPACE) i++;
      else if (k === C_NEWLINE) {
        i++;
        this.line++;
        this.lineStart = i;
      } else if (k === C_COMMENT) {
        while (i < n && src.charCodeAt(i) !== 10) i++;
      } else break;
    }
    return i;
  }

  private isLineContinuation(i: number): boolean {
    const src = this.src;
    let j = i + 1;
    while (j < src.length) {
      const c = src.charCodeAt(j);
      if (c === 10) return true;
      if (c !== 32 && c !== 9 && c !== 13) return false;
      j++;
    }
    return true;
  }

  private quoted(at: number, q: number): Token {
    const src = this.src;
    const line = this.line;
    const col = at - this.lineStart + 1;
    let i = at + 1;
    let text = '';
    let chunk = i;
    for (;;) {
      if (i >= src.length)
        throw new ConfigError(this.file, line, col, 'found unterminated quoted string, expected a closing quote');
      const c = src.charCodeAt(i);
      if (c === q) break;
      if (c === 10) {
        this.line++;
        this.lineStart = i + 1;
      }
      if (c === 92 /* \ */ && i + 1 < src.length) {
        // ExaBGP unescapes \n \t \r \b \f, anything else stands for itself (\" \' \\).
        text += src.slice(chunk, i);
        const e = src[i + 1];
        text += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === 'b' ? '\b' : e === 'f' ? '\f' : e;
        i += 2;
        chunk = i;
        continue;
      }
      i++;
    }
    text += src.slice(chunk, i);
    this.pos = i + 1;
    return new Token(text, false, true, this.file, line, col, at, i + 1);
  }
}

/** All tokens of a text at once (API lines, tests). */
export function tokenize(src: string, file = '<input>'): Token[] {
  const lx = new Lexer(src, file);
  const out: Token[] = [];
  for (let t = lx.next(); t !== undefined; t = lx.next()) out.push(t);
  return out;
}

/** True when `t` is the unquoted punctuation `p`. */
export const isPunct = (t: Token | undefined, p: string): boolean => t?.punct === true && t.text === p;

/** `x` or `[ x y z ]` (commas allowed) from index `from`. */
export function listWords(s: Token[], from: number, what: string): Token[] {
  const first = s[from];
  if (first === undefined)
    throw expected(undefined, what, { file: s[0].file, line: s[0].line, col: s[0].col + s[0].text.length });
  if (!(first.punct && first.text === '[')) {
    if (first.punct) throw expected(first, `${what} or '['`);
    if (s.length > from + 1) throw expected(s[from + 1], "';'");
    return [first];
  }
  const out: Token[] = [];
  for (let i = from + 1; i < s.length; i++) {
    const t = s[i];
    if (t.punct && t.text === ']') {
      if (i !== s.length - 1) throw expected(s[i + 1], "';'");
      return out;
    }
    if (t.punct && t.text === ',') continue;
    if (t.punct) throw expected(t, `${what} or ']'`);
    out.push(t);
  }
  throw expected(undefined, "']'", { file: first.file, line: s[s.length - 1].line, col: s[s.length - 1].col + 1 });
}
