// TCP MD5 (RFC 2385) and GTSM (RFC 5082) applied to Node sockets: outgoing connections get their key and TTLs
// on a socket created here before the SYN; a listener gets the keys of every peer it serves.

import * as net from 'node:net';
import { parseIp } from '../wire/ip';
import { closeFd, openTcpSocket, setMd5Key, setMinTtl, setTtl } from './sockopt';

/** What a peer asks of its TCP connections; absent fields (or 0) leave the system's behaviour. */
export interface TcpSecurity {
  /** RFC 2385 key, 1 to 80 bytes. */
  md5Key?: Uint8Array;
  /** TTL / hop limit of what we send (1..255). */
  outgoingTtl?: number;
  /** Lowest TTL / hop limit accepted (1..255). */
  incomingTtl?: number;
}

export const hasSecurity = (s: TcpSecurity | undefined): s is TcpSecurity =>
  !!s && (!!s.md5Key?.length || !!s.outgoingTtl || !!s.incomingTtl);

/** Address bytes and prefix length of `10.0.0.1` or `10.0.0.0/24`; null when not an address. */
export function addressPrefix(text: string): { ip: Uint8Array; len: number } | null {
  const [a, l] = text.split('/');
  const ip = parseIp(a);
  if (!ip) return null;
  return { ip, len: l === undefined ? ip.length * 8 : Number(l) };
}

/** The socket's file descriptor (Node keeps it on the handle on Unix); -1 when it has none. */
export function socketFd(s: net.Socket | net.Server): number {
  const h = (s as unknown as { _handle?: { fd?: number } })._handle;
  return typeof h?.fd === 'number' ? h.fd : -1;
}

/**
 * A socket not yet connected, carrying the key for `peer` and the TTLs, to be connected with `.connect()`: the
 * options are on it before the SYN leaves. Throws SockoptError.
 */
export function secureSocket(peer: string, sec: TcpSecurity): net.Socket {
  const p = addressPrefix(peer);
  if (!p) throw new Error(`not an IP address: ${peer}`);
  const v6 = p.ip.length === 16;
  const fd = openTcpSocket(v6);
  try {
    if (sec.md5Key?.length) setMd5Key(fd, v6, p.ip, p.len, sec.md5Key);
    if (sec.outgoingTtl) setTtl(fd, v6, sec.outgoingTtl);
    if (sec.incomingTtl) setMinTtl(fd, v6, sec.incomingTtl);
    // libuv takes the open descriptor over and connects it (and binds it first when given a local address).
    return new net.Socket({ fd });
  } catch (e) {
    closeFd(fd);
    throw e;
  }
}

/**
 * TTLs of an accepted connection: its own peer's values replace the listener's shared ones (the key came with
 * the connection from the listener). Throws SockoptError.
 */
export function secureAccepted(s: net.Socket, sec: TcpSecurity | undefined, listener: ListenerTtls): void {
  const fd = socketFd(s);
  if (fd < 0) return;
  const v6 = s.localFamily === 'IPv6' || (s.localAddress ?? '').includes(':');
  const out = sec?.outgoingTtl || -1;
  const min = sec?.incomingTtl || 0;
  if (out !== listener.ttl) setTtl(fd, v6, out);
  if (min !== listener.minTtl) setMinTtl(fd, v6, min);
}

/** TTL (-1 = system default) and minimum TTL (0 = any) set on a listening socket. */
export interface ListenerTtls {
  ttl: number;
  minTtl: number;
}

/**
 * The keys and TTLs the listening socket on `server` (an address, possibly the wildcard) must carry for `peers`:
 * those of the peers that can arrive there (no local address, or this one; an IPv4 socket cannot hold IPv6
 * keys), so that two sessions to one router from two local addresses may have two keys. The highest outgoing
 * TTL, so that SYN-ACKs reach every peer that checks ours; the lowest incoming TTL, 0 when any peer has none,
 * so that no peer's SYN is dropped. Each accepted connection then gets its own peer's TTLs.
 */
export function listenerWants(
  peers: Iterable<{ address: string; local?: string; sec?: TcpSecurity }>,
  server: string,
): { keys: Map<string, Uint8Array>; ttls: ListenerTtls } {
  const keys = new Map<string, Uint8Array>();
  const at = parseIp(server);
  const v6 = at?.length === 16;
  const wildcard = !at || at.every((b) => b === 0);
  let ttl = -1;
  let minTtl = 256;
  for (const { address, local, sec } of peers) {
    const p = addressPrefix(address);
    if (!p || (!v6 && p.ip.length === 16)) continue;
    if (!wildcard && local !== undefined && Buffer.compare(parseIp(local) ?? new Uint8Array(0), at) !== 0) continue;
    if (sec?.md5Key?.length) keys.set(`${address.includes('/') ? address : `${address}/${p.len}`}`, sec.md5Key);
    if (sec?.outgoingTtl) ttl = Math.max(ttl, sec.outgoingTtl);
    minTtl = Math.min(minTtl, sec?.incomingTtl ?? 0);
  }
  return { keys, ttls: { ttl, minTtl: minTtl === 256 ? 0 : minTtl } };
}

export const wantsNothing = (w: ReturnType<typeof listenerWants>): boolean =>
  w.keys.size === 0 && w.ttls.ttl === -1 && w.ttls.minTtl === 0;

/** The installed state of one listening socket, brought to what `listenerWants` asks. Throws SockoptError. */
export class ListenerSecurity {
  private keys = new Map<string, Uint8Array>();
  ttls: ListenerTtls = { ttl: -1, minTtl: 0 };

  constructor(
    private readonly fd: number,
    private readonly v6: boolean,
  ) {}

  apply(want: { keys: Map<string, Uint8Array>; ttls: ListenerTtls }): void {
    for (const addr of [...this.keys.keys()]) {
      if (want.keys.has(addr)) continue;
      const p = addressPrefix(addr)!;
      setMd5Key(this.fd, this.v6, p.ip, p.len, new Uint8Array(0));
      this.keys.delete(addr);
    }
    for (const [addr, key] of want.keys) {
      if (Buffer.compare(this.keys.get(addr) ?? new Uint8Array(0), key) === 0) continue;
      const p = addressPrefix(addr)!;
      setMd5Key(this.fd, this.v6, p.ip, p.len, key);
      this.keys.set(addr, key);
    }
    if (want.ttls.ttl !== this.ttls.ttl) {
      setTtl(this.fd, this.v6, want.ttls.ttl);
      this.ttls.ttl = want.ttls.ttl;
    }
    if (want.ttls.minTtl !== this.ttls.minTtl) {
      setMinTtl(this.fd, this.v6, want.ttls.minTtl);
      this.ttls.minTtl = want.ttls.minTtl;
    }
  }
}
