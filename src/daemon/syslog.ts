// exabgp.log.destination `syslog` (or empty) and `host:ADDRESS`, as ExaBGP 4.2 reaches syslog (logger.py with
// Python's SysLogHandler): a datagram per line to the local socket /dev/log (UDP to localhost:514 when there is
// none), or UDP to ADDRESS port 514. Each datagram is an RFC 3164 message without the time and host, which the
// syslog daemon adds: `<PRI>IDENT[PID]: text`; the daemon's are `tsbgp[PID]: LEVEL text`, facility user. Unlike
// ExaBGP, which logs every line at severity debug, the severity is the line's own, so that syslog filters by
// level work. The health check uses the same sink with its own facility and ident, as ExaBGP's does.
//
// Node.js has no Unix datagram sockets: the local one is a libc socket through src/sys/libc.ts (koffi),
// loaded only when syslog is the destination. A line the socket will not take now (syslog daemon gone or
// busy) is dropped rather than held: logging never holds the daemon up, as with syslog(3) in non-blocking use.

import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { loadLibc, SOCK_CLOEXEC, SOCK_NONBLOCK } from '../sys/libc';
import type { Level } from './log';

/** RFC 5424 §6.2.1 severities of our levels. */
const SEVERITY: Record<Level, number> = { error: 3, warning: 4, info: 6, debug: 7 };

/** RFC 5424 §6.2.1 facilities by the names Python's SysLogHandler knows (`--syslog-facility NAME`). */
export const FACILITIES: ReadonlyMap<string, number> = new Map([
  ...(
    [
      'kern',
      'user',
      'mail',
      'daemon',
      'auth',
      'syslog',
      'lpr',
      'news',
      'uucp',
      'cron',
      'authpriv',
      'ftp',
      'ntp',
      'security',
      'console',
      'solcron',
    ] as const
  ).map((n, i) => [n, i] as [string, number]),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => [`local${i}`, 16 + i] as [string, number]),
]);

/** Who the messages are from: the facility number and the tag before `[PID]:`. */
export interface SyslogFormat {
  facility: number;
  ident: string;
}

/** The daemon's: facility user, tag tsbgp. */
const DAEMON_FORMAT: SyslogFormat = { facility: 1, ident: 'tsbgp' };

/** Where ExaBGP sends syslog on Linux; its fallback when the socket is missing is UDP to localhost. */
export const LOCAL_SYSLOG = '/dev/log';
const SYSLOG_PORT = 514;

export interface SyslogSink {
  /** Sends one message at the level's severity. */
  send(level: Level, text: string): void;
  close(): void;
}

/** The datagram payload for one message. */
export function syslogMessage(level: Level, text: string, format = DAEMON_FORMAT, pid = process.pid): Buffer {
  return Buffer.from(`<${format.facility * 8 + SEVERITY[level]}>${format.ident}[${pid}]: ${text}`);
}

/**
 * The sink for a syslog destination: `syslog` or '' (the local socket), `host:ADDRESS` (UDP port 514), or
 * tsbgp's `host:ADDRESS:PORT` / `host:[IPV6]:PORT` for a collector on another port. The local socket is
 * $TSBGP_SYSLOG_SOCKET when set (a container with the host's socket mounted elsewhere), else /dev/log.
 * Returns null when the destination is not a syslog one.
 */
export function syslogSink(
  destination: string,
  format = DAEMON_FORMAT,
  socketPath = process.env.TSBGP_SYSLOG_SOCKET || LOCAL_SYSLOG,
): SyslogSink | null {
  if (destination === '' || destination === 'syslog') {
    if (fs.existsSync(socketPath)) return unixSink(socketPath, format);
    return udpSink('127.0.0.1', SYSLOG_PORT, format);
  }
  if (!destination.startsWith('host:')) return null;
  const { host, port } = hostPort(destination.slice(5).trim());
  return udpSink(host, port, format);
}

function hostPort(s: string): { host: string; port: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) return { host: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : SYSLOG_PORT };
  const colon = s.lastIndexOf(':');
  // One colon and digits after it: ADDRESS:PORT. More colons: a bare IPv6 address.
  if (colon > 0 && s.indexOf(':') === colon && /^\d+$/.test(s.slice(colon + 1)))
    return { host: s.slice(0, colon), port: Number(s.slice(colon + 1)) };
  return { host: s, port: SYSLOG_PORT };
}

function udpSink(host: string, port: number, format: SyslogFormat): SyslogSink {
  const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  // A send error (no route, a resolver failure) must not become an uncaught 'error' event.
  sock.on('error', () => undefined);
  sock.unref();
  return {
    send: (level, text) => sock.send(syslogMessage(level, text, format), port, host, () => undefined),
    close: () => sock.close(),
  };
}

// Linux values (include/linux/socket.h): AF_UNIX, SOCK_DGRAM, MSG_DONTWAIT.
const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const MSG_DONTWAIT = 0x40;
/** struct sockaddr_un: sa_family (u16) and sun_path[108]. */
const SOCKADDR_UN_SIZE = 110;

function unixSink(socketPath: string, format: SyslogFormat): SyslogSink {
  let c: ReturnType<typeof loadLibc>;
  try {
    c = loadLibc();
  } catch (e) {
    throw new Error(`log destination syslog: ${(e as Error).message}`);
  }
  const path = Buffer.from(socketPath);
  if (path.length >= SOCKADDR_UN_SIZE - 2) throw new Error(`log destination syslog: socket path too long`);
  const addr = Buffer.alloc(SOCKADDR_UN_SIZE);
  // sa_family is in host byte order.
  if (os.endianness() === 'LE') addr.writeUInt16LE(AF_UNIX, 0);
  else addr.writeUInt16BE(AF_UNIX, 0);
  path.copy(addr, 2);
  const fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error('log destination syslog: cannot open a Unix datagram socket');
  return {
    send: (level, text) => {
      const m = syslogMessage(level, text, format);
      c.sendto(fd, m, m.length, MSG_DONTWAIT, addr, 2 + path.length + 1);
    },
    close: () => void c.close(fd),
  };
}
