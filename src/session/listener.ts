// One TCP listener (on one or more addresses) for all configured peers: an incoming connection is handed to the
// Peer whose address matches the remote end (and, when the peer names one, the local end); others are closed.
// The listening sockets carry the TCP MD5 keys and TTLs of the peers that can reach them (tcp-security.ts).

import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { parseIp } from '../wire/ip';
import { socketAddressText as normalize, type Peer } from './peer';
import { bindSocket, closeFd, openTcpSocket } from './sockopt';
import {
  ListenerSecurity,
  type ListenerTtls,
  listenerWants,
  secureAccepted,
  socketFd,
  wantsNothing,
} from './tcp-security';

export interface ListenerOptions {
  /** Addresses to listen on (default ['0.0.0.0']). */
  addresses?: string[];
  /** Default 179; 0 picks a free port (see ports). */
  port?: number;
}

export interface ListenerEvents {
  /** A connection matched a peer and was handed to it (accepted false: the peer refused it). */
  connection: [peer: Peer, accepted: boolean];
  /** A connection from an address no configured peer has. */
  rejected: [remoteAddress: string, remotePort: number, localAddress: string];
  listening: [address: string, port: number];
  error: [err: Error];
}

export class Listener extends EventEmitter<ListenerEvents> {
  private readonly servers: net.Server[] = [];
  private readonly peers = new Set<Peer>();
  private readonly opts: ListenerOptions;
  /** RFC 2385 keys and RFC 5082 TTLs installed on each server's socket (only those that needed some). */
  private readonly security = new Map<net.Server, ListenerSecurity>();

  constructor(opts: ListenerOptions = {}) {
    super();
    this.opts = opts;
  }

  add(peer: Peer): void {
    this.peers.add(peer);
    this.secure();
  }

  remove(peer: Peer): void {
    this.peers.delete(peer);
    this.secure();
  }

  private wants(server: string): ReturnType<typeof listenerWants> {
    const peers = [...this.peers].map((p) => ({
      address: p.opts.peerAddress,
      local: p.opts.localAddress,
      sec: p.opts.security,
    }));
    return listenerWants(peers, server);
  }

  /** Keys and TTLs of the listening sockets brought to the current peers (after add and remove: a reload). */
  private secure(): void {
    for (const srv of this.servers) {
      const a = srv.address() as net.AddressInfo;
      const v6 = a.family === 'IPv6';
      const want = this.wants(a.address);
      let sec = this.security.get(srv);
      if (!sec) {
        if (wantsNothing(want)) continue;
        sec = new ListenerSecurity(socketFd(srv), v6);
        this.security.set(srv, sec);
      }
      try {
        sec.apply(want);
      } catch (e) {
        this.emit('error', new Error(`TCP MD5 / TTL security on the listening socket: ${(e as Error).message}`));
      }
    }
  }

  /** Bound ports, one per address (useful with port 0). */
  get ports(): number[] {
    return this.servers.map((s) => (s.address() as net.AddressInfo).port);
  }

  /** The peer a connection belongs to, or undefined. */
  match(remote: string, local: string): Peer | undefined {
    const r = normalize(remote);
    const l = normalize(local);
    let loose: Peer | undefined;
    for (const p of this.peers) {
      if (normalize(p.opts.peerAddress) !== r) continue;
      if (p.opts.localAddress) {
        if (normalize(p.opts.localAddress) === l) return p;
      } else loose ??= p;
    }
    return loose;
  }

  async listen(): Promise<void> {
    const addrs = this.opts.addresses ?? ['0.0.0.0'];
    const port = this.opts.port ?? 179;
    for (const address of addrs) {
      const srv = net.createServer({ pauseOnConnect: false }, (s) => this.incoming(srv, s));
      const own = this.secureSocket(address, port);
      if (own) this.security.set(srv, own.sec);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(own ? { fd: own.fd } : { host: address, port }, () => {
          srv.off('error', reject);
          resolve();
        });
      });
      srv.on('error', (e) => this.emit('error', e));
      this.servers.push(srv);
      this.emit('listening', address, (srv.address() as net.AddressInfo).port);
    }
  }

  /**
   * When a peer needs keys or TTLs, the listening socket is made here with them set before it is bound, so that
   * not one SYN is answered without them; Node then listens on it. Undefined: Node makes its own.
   */
  private secureSocket(address: string, port: number): { fd: number; sec: ListenerSecurity } | undefined {
    const ip = parseIp(address);
    if (!ip) return undefined;
    const v6 = ip.length === 16;
    const want = this.wants(address);
    if (wantsNothing(want)) return undefined;
    const fd = openTcpSocket(v6);
    try {
      const sec = new ListenerSecurity(fd, v6);
      sec.apply(want);
      bindSocket(fd, v6, ip, port);
      return { fd, sec };
    } catch (e) {
      closeFd(fd);
      throw e;
    }
  }

  private incoming(srv: net.Server, s: net.Socket): void {
    const peer = this.match(s.remoteAddress ?? '', s.localAddress ?? '');
    if (!peer) {
      this.emit('rejected', normalize(s.remoteAddress), s.remotePort ?? 0, normalize(s.localAddress));
      s.destroy();
      return;
    }
    const ttls: ListenerTtls | undefined = this.security.get(srv)?.ttls;
    if (ttls || peer.opts.security) {
      try {
        secureAccepted(s, peer.opts.security, ttls ?? { ttl: -1, minTtl: 0 });
      } catch (e) {
        this.emit('error', new Error(`TTL security on a connection from ${s.remoteAddress}: ${(e as Error).message}`));
        s.destroy();
        return;
      }
    }
    this.emit('connection', peer, peer.accept(s));
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.servers.length = 0;
  }
}
