// One TCP listener (on one or more addresses) for all configured peers: an incoming connection is handed to the
// Peer whose address matches the remote end (and, when the peer names one, the local end); others are closed.

import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { socketAddressText as normalize, type Peer } from './peer';

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

  constructor(opts: ListenerOptions = {}) {
    super();
    this.opts = opts;
  }

  add(peer: Peer): void {
    this.peers.add(peer);
  }

  remove(peer: Peer): void {
    this.peers.delete(peer);
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
      const srv = net.createServer({ pauseOnConnect: false }, (s) => this.incoming(s));
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen({ host: address, port }, () => {
          srv.off('error', reject);
          resolve();
        });
      });
      srv.on('error', (e) => this.emit('error', e));
      this.servers.push(srv);
      this.emit('listening', address, (srv.address() as net.AddressInfo).port);
    }
  }

  private incoming(s: net.Socket): void {
    const peer = this.match(s.remoteAddress ?? '', s.localAddress ?? '');
    if (!peer) {
      this.emit('rejected', normalize(s.remoteAddress), s.remotePort ?? 0, normalize(s.localAddress));
      s.destroy();
      return;
    }
    this.emit('connection', peer, peer.accept(s));
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.servers.length = 0;
  }
}
