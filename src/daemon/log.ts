// Structured logs: one line per event, a level, a time, and key=value context (peer, process) so that
// `grep peer=192.0.2.1` gives one session's story. Written to stderr unless told otherwise.

import * as fs from 'node:fs';
import { syslogSink } from './syslog';

export type Level = 'debug' | 'info' | 'warning' | 'error';
const RANK: Record<Level, number> = { debug: 10, info: 20, warning: 30, error: 40 };

/** ExaBGP's syslog level names (exabgp.log.level) mapped onto ours. */
export function levelFromSyslog(name: string): Level {
  switch (name.toUpperCase()) {
    case 'DEBUG':
      return 'debug';
    case 'INFO':
    case 'NOTICE':
      return 'info';
    case 'WARNING':
      return 'warning';
    default:
      return 'error';
  }
}

/**
 * Longest log line, in characters after the time and level: what a peer or a program sends can end up in a
 * message (a 10 MB garbage line from a program, an attribute's text), and one event must stay one readable line.
 */
export const MAX_LOG_LINE = 8192;

/** Bytes no terminal or log reader should get raw: C0 controls (line breaks included), DEL, C1, U+2028/U+2029. */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/;

const escaped = (code: number): string =>
  code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;

/**
 * One log line made safe: control bytes written as \xHH (\uHHHH for the Unicode line separators) so that
 * nothing reaches a terminal raw and an event never spans lines, and the whole bounded to `max` characters,
 * saying so: "... (N bytes cut)" with N counted in UTF-8 bytes of the original.
 */
export function boundLine(s: string, max: number = MAX_LOG_LINE): string {
  if (s.length <= max && !UNSAFE.test(s)) return s;
  let out = '';
  let i = 0;
  for (; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const piece =
      code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 ? escaped(code) : s[i];
    // A surrogate pair is kept whole or cut whole.
    const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < s.length ? s[i + 1] : '';
    if (out.length + piece.length + pair.length > max) break;
    out += piece + pair;
    if (pair !== '') i++;
  }
  if (i >= s.length) return out;
  return `${out}... (${Buffer.byteLength(s.slice(i))} bytes cut)`;
}

/** One event as a structured record: the fields are the logger's context (peer, process, ...) and the call's. */
export interface LogEntry {
  time: Date;
  level: Level;
  /** Bounded and made safe as boundLine() does. */
  message: string;
  fields: Record<string, string | number>;
}

export interface LogSink {
  write(line: string): void;
  /** A sink that stamps lines itself (syslog) takes the level and the text after it instead of a whole line. */
  record?(level: Level, text: string): void;
  /** A sink that keeps the fields apart (the library's log callback) takes the record instead. */
  entry?(e: LogEntry): void;
}

export class Logger {
  constructor(
    private readonly sink: LogSink,
    private readonly min: Level = 'info',
    private readonly context: Record<string, string> = {},
  ) {}

  /** A logger whose lines also carry these fields (`peer`, `process`, ...). */
  with(fields: Record<string, string>): Logger {
    return new Logger(this.sink, this.min, { ...this.context, ...fields });
  }

  enabled(level: Level): boolean {
    return RANK[level] >= RANK[this.min];
  }

  log(level: Level, message: string, fields?: Record<string, string | number>): void {
    if (RANK[level] < RANK[this.min]) return;
    if (this.sink.entry)
      return this.sink.entry({
        time: new Date(),
        level,
        message: boundLine(message),
        fields: { ...this.context, ...fields },
      });
    let line = '';
    for (const [k, v] of Object.entries(this.context)) line += ` ${k}=${v}`;
    if (fields) for (const [k, v] of Object.entries(fields)) line += ` ${k}=${v}`;
    line += ` ${message}`;
    if (this.sink.record) return this.sink.record(level, boundLine(line));
    this.sink.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(7)}${boundLine(line)}\n`);
  }

  debug(m: string, f?: Record<string, string | number>): void {
    this.log('debug', m, f);
  }
  info(m: string, f?: Record<string, string | number>): void {
    this.log('info', m, f);
  }
  warning(m: string, f?: Record<string, string | number>): void {
    this.log('warning', m, f);
  }
  error(m: string, f?: Record<string, string | number>): void {
    this.log('error', m, f);
  }
}

/**
 * One record as one line of JSON (tsbgp.log.format=json): time, level and message first, then the context; the
 * text format's `peer` is `neighbor` here. The message is bounded and escaped as boundLine() does.
 */
export function jsonLine(e: LogEntry): string {
  const o: Record<string, string | number> = { time: e.time.toISOString(), level: e.level, message: e.message };
  for (const [k, v] of Object.entries(e.fields)) {
    const key = k === 'peer' ? 'neighbor' : k;
    if (!(key in o)) o[key] = v;
  }
  return `${JSON.stringify(o)}\n`;
}

/**
 * exabgp.log.destination: stdout, stderr, syslog (or empty), host:ADDRESS (syslog over UDP, see syslog.ts), or
 * a file name. `format` (tsbgp.log.format) is for stdout, stderr and files; syslog lines stay as they are.
 */
export function sinkFor(destination: string, format: 'text' | 'json' = 'text'): LogSink {
  const syslog = syslogSink(destination);
  if (syslog) {
    const record = (level: Level, text: string) => syslog.send(level, `${level.toUpperCase()}${text}`);
    return { write: (l) => record('info', ` ${l.trimEnd()}`), record };
  }
  let write: (l: string) => void;
  if (destination === 'stdout') write = (l) => void process.stdout.write(l);
  else if (destination === 'stderr') write = (l) => void process.stderr.write(l);
  else {
    const fd = fs.openSync(destination, 'a');
    write = (l) => void fs.writeSync(fd, l);
  }
  return format === 'json' ? { write, entry: (e) => write(jsonLine(e)) } : { write };
}
