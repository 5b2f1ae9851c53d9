// Structured logs: one line per event, a level, a time, and key=value context (peer, process) so that
// `grep peer=192.0.2.1` gives one session's story. Written to stderr unless told otherwise.

import * as fs from 'node:fs';

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

export interface LogSink {
  write(line: string): void;
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
    let line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(7)}`;
    for (const [k, v] of Object.entries(this.context)) line += ` ${k}=${v}`;
    if (fields) for (const [k, v] of Object.entries(fields)) line += ` ${k}=${v}`;
    this.sink.write(`${line} ${message}\n`);
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

/** exabgp.log.destination: stdout, stderr, or a file name (syslog is not reachable from Node: stderr). */
export function sinkFor(destination: string): LogSink {
  if (destination === 'stdout') return { write: (l) => void process.stdout.write(l) };
  if (destination === '' || destination === 'stderr' || destination === 'syslog' || destination.startsWith('host:'))
    return { write: (l) => void process.stderr.write(l) };
  const fd = fs.openSync(destination, 'a');
  return { write: (l) => void fs.writeSync(fd, l) };
}
