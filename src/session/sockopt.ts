// TCP MD5 signatures (RFC 2385) and TTL security (GTSM, RFC 5082) on Linux sockets. Node.js has no API for
// TCP_MD5SIG, IP_MINTTL or IP_TTL on a TCP socket, so these few libc calls go through src/sys/libc.ts (koffi,
// loaded on first use: a configuration without these settings never loads it).

import * as os from 'node:os';
import { type Libc, loadLibc, SOCK_CLOEXEC, SOCK_NONBLOCK } from '../sys/libc';

/** A socket option could not be set: the message says which, on what, and the kernel's reason. */
export class SockoptError extends Error {}

// Linux values (include/uapi/linux/in.h, in6.h, tcp.h, socket.h; the same on x86-64, arm64 and riscv64).
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const IPPROTO_IP = 0;
const IPPROTO_TCP = 6;
const IPPROTO_IPV6 = 41;
const IP_TTL = 2;
const IP_MINTTL = 21;
const IPV6_UNICAST_HOPS = 16;
const IPV6_MINHOPCOUNT = 73;
const TCP_MD5SIG = 14;
const TCP_MD5SIG_EXT = 32;
const TCP_MD5SIG_FLAG_PREFIX = 1;
/** struct tcp_md5sig: sockaddr_storage (128), flags, prefixlen, keylen (u16), ifindex (i32), key[80]. */
const MD5SIG_SIZE = 216;
const MD5SIG_MAXKEYLEN = 80;

/** Structures handed to the kernel are in host byte order, except ports and addresses. */
const LE = os.endianness() === 'LE';

const errnoNames = new Map<number, string>(Object.entries(os.constants.errno).map(([k, v]) => [v, k]));

function load(): Libc {
  try {
    return loadLibc();
  } catch (e) {
    throw new SockoptError(`TCP MD5 and TTL security: ${(e as Error).message}`);
  }
}

function fail(c: Libc, what: string): never {
  const e = c.errno();
  const name = errnoNames.get(e) ?? `errno ${e}`;
  throw new SockoptError(
    `${what}: ${name}${e === os.constants.errno.ENOPROTOOPT ? ' (not supported by this kernel)' : ''}`,
  );
}

function setInt(fd: number, level: number, name: number, value: number, what: string): void {
  const c = load();
  const b = Buffer.alloc(4);
  if (LE) b.writeInt32LE(value);
  else b.writeInt32BE(value);
  if (c.setsockopt(fd, level, name, b, 4) !== 0) fail(c, what);
}

/**
 * struct sockaddr_in or sockaddr_in6 for `ip` (4 or 16 bytes), in `v6` form when the socket is IPv6 (an IPv4
 * address then becomes ::ffff:a.b.c.d, as the kernel sees IPv4 peers of a dual-stack socket).
 */
function sockaddr(ip: Uint8Array, port: number, v6: boolean, into?: Buffer): Buffer {
  const b = into ?? Buffer.alloc(v6 ? 28 : 16);
  // sa_family is in host order, the port in network order.
  if (LE) b.writeUInt16LE(v6 ? AF_INET6 : AF_INET, 0);
  else b.writeUInt16BE(v6 ? AF_INET6 : AF_INET, 0);
  b.writeUInt16BE(port, 2);
  if (!v6) b.set(ip, 4);
  else if (ip.length === 16) b.set(ip, 8);
  else {
    b.writeUInt16BE(0xffff, 18);
    b.set(ip, 20);
  }
  return b;
}

/** Whether this system can use TCP MD5 and TTL security: undefined when it can, else why not. */
export function unsupported(): string | undefined {
  let fd = -1;
  try {
    fd = openTcpSocket(false);
    setMd5Key(fd, false, new Uint8Array([127, 0, 0, 1]), 32, new Uint8Array([1]));
    setMinTtl(fd, false, 1);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    if (fd >= 0) closeFd(fd);
  }
}

/** A new non-blocking, close-on-exec TCP socket (IPv6 when `v6`), for `new net.Socket({ fd })` or a server. */
export function openTcpSocket(v6: boolean): number {
  const c = load();
  const fd = c.socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) fail(c, 'socket()');
  return fd;
}

/** Bind a socket of ours (SO_REUSEADDR on, as libuv does for servers) before listen(). */
export function bindSocket(fd: number, v6: boolean, ip: Uint8Array, port: number): void {
  const c = load();
  setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1, 'SO_REUSEADDR');
  const a = sockaddr(ip, port, v6);
  if (c.bind(fd, a, a.length) !== 0) fail(c, `bind to port ${port}`);
}

export function closeFd(fd: number): void {
  load().close(fd);
}

/**
 * RFC 2385: sign and check every segment exchanged with `peer` (or, with `prefixLength` below the address
 * length, with any address of that prefix) with `key`; an empty key removes the key for that address. On a
 * listening socket the key is checked on incoming SYNs and copied to the connections it accepts. `v6` tells the
 * socket's family (an IPv4 peer of an IPv6 socket is written as ::ffff:a.b.c.d).
 */
export function setMd5Key(fd: number, v6: boolean, peer: Uint8Array, prefixLength: number, key: Uint8Array): void {
  const c = load();
  if (key.length > MD5SIG_MAXKEYLEN) throw new SockoptError(`TCP MD5 key longer than ${MD5SIG_MAXKEYLEN} bytes`);
  if (!v6 && peer.length === 16) throw new SockoptError('TCP MD5 key for an IPv6 peer on an IPv4 socket');
  const b = Buffer.alloc(MD5SIG_SIZE);
  sockaddr(peer, 0, v6, b);
  const whole = prefixLength >= peer.length * 8;
  if (!whole) {
    b[128] = TCP_MD5SIG_FLAG_PREFIX;
    b[129] = prefixLength;
  }
  if (LE) b.writeUInt16LE(key.length, 130);
  else b.writeUInt16BE(key.length, 130);
  b.set(key, 136);
  const opt = whole ? TCP_MD5SIG : TCP_MD5SIG_EXT;
  if (c.setsockopt(fd, IPPROTO_TCP, opt, b, MD5SIG_SIZE) === 0) return;
  // Removing a key that is not there is not an error.
  if (key.length === 0 && c.errno() === os.constants.errno.ENOENT) return;
  fail(c, `TCP_MD5SIG${whole ? '' : '_EXT'} (RFC 2385)`);
}

/**
 * RFC 5082: the TTL (IPv4) and hop limit (IPv6) of what the socket sends; -1 = the system's default. An IPv6
 * socket gets both, since its IPv4 peers (::ffff:a.b.c.d) are reached over IPv4.
 */
export function setTtl(fd: number, v6: boolean, ttl: number): void {
  setInt(fd, IPPROTO_IP, IP_TTL, ttl, 'IP_TTL');
  if (v6) setInt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl, 'IPV6_UNICAST_HOPS');
}

/** RFC 5082: drop what arrives with a lower TTL / hop limit (0 = accept any). Both families on an IPv6 socket. */
export function setMinTtl(fd: number, v6: boolean, ttl: number): void {
  setInt(fd, IPPROTO_IP, IP_MINTTL, ttl, 'IP_MINTTL');
  if (v6) setInt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, ttl, 'IPV6_MINHOPCOUNT');
}
