// The flow collector: UDP sockets (node:dgram) that take NetFlow v5, v9, IPFIX and sFlow v5 on any port, told
// apart by their first bytes (a 16-bit version 5, 9 or 10 for NetFlow/IPFIX; a 32-bit 5 for sFlow), decoded
// into one reused FlowRecord per record and handed to the sink. A datagram that cannot be decoded is counted
// and dropped: nothing an exporter sends stops the collector.

import * as dgram from 'node:dgram';
import { decodeIpfix } from './ipfix';
import { decodeNetflow5 } from './netflow5';
import { decodeNetflow9 } from './netflow9';
import { CollectorStats, FlowRecord, type FlowSink, half, word } from './record';
import { decodeSflow } from './sflow';
import { TemplateCache } from './templates';

export interface CollectorOptions {
  /** Templates not refreshed for this long are forgotten (RFC 7011 §8.4). Default 1800 s. */
  templateTimeoutMs?: number;
  /** Sampling rates that override what an exporter says, by exporter address. */
  sampling?: ReadonlyMap<string, number>;
  /** Log for socket errors (a datagram error is counted, not logged). */
  log?: (message: string) => void;
}

export interface Endpoint {
  address: string;
  port: number;
}

export class FlowCollector {
  readonly stats = new CollectorStats();
  readonly templates: TemplateCache;
  private readonly rec = new FlowRecord();
  /** Bound sockets with the endpoint each was asked for (port 0 as written). */
  private sockets: { at: string; sock: dgram.Socket }[] = [];
  /** The template cache's options, changed in place by configure(). */
  private readonly templateOpts: { timeoutMs: number };
  /** Per protocol: datagrams taken. */
  readonly byProtocol = { netflow5: 0, netflow9: 0, ipfix: 0, sflow: 0 };

  constructor(
    private readonly sink: FlowSink,
    private opts: CollectorOptions = {},
  ) {
    this.templateOpts = { timeoutMs: opts.templateTimeoutMs ?? 1_800_000 };
    this.templates = new TemplateCache(this.templateOpts, this.stats);
  }

  /** New options (a reload): sampling overrides and the template timeout apply from the next datagram. */
  configure(opts: CollectorOptions): void {
    this.opts = opts;
    this.templateOpts.timeoutMs = opts.templateTimeoutMs ?? 1_800_000;
  }

  /** Decode one datagram from exporter `address`:`port`; returns the records passed to the sink. */
  datagram(buf: Uint8Array, address: string, port: number, now = Date.now()): number {
    const s = this.stats;
    s.datagrams++;
    const sampling = this.opts.sampling?.get(address) ?? 0;
    // Only sFlow sets it, per sample: a NetFlow record must not inherit the last sFlow sample's.
    this.rec.ipLength = 0;
    let n = 0;
    try {
      if (buf.length >= 4 && word(buf, 0) === 5) {
        this.byProtocol.sflow++;
        n = decodeSflow(buf, s, this.rec, this.sink, sampling);
      } else if (buf.length >= 2 && half(buf, 0) === 5) {
        this.byProtocol.netflow5++;
        n = decodeNetflow5(buf, this.rec, this.sink, sampling);
      } else if (buf.length >= 2 && half(buf, 0) === 9) {
        this.byProtocol.netflow9++;
        n = decodeNetflow9(buf, `${address}:${port}`, this.templates, s, this.rec, this.sink, now, sampling);
      } else if (buf.length >= 2 && half(buf, 0) === 10) {
        this.byProtocol.ipfix++;
        n = decodeIpfix(buf, `${address}:${port}`, this.templates, s, this.rec, this.sink, now, sampling);
      } else {
        s.wrongVersion++;
        return 0;
      }
    } catch (err) {
      // Malformed, or anything a hostile datagram could provoke: counted, dropped, never thrown.
      s.malformed++;
      s.lastError = (err as Error).message;
      return 0;
    }
    s.records += n;
    return n;
  }

  /** Bind a UDP socket on every endpoint. */
  async listen(endpoints: readonly Endpoint[]): Promise<void> {
    for (const e of endpoints) this.sockets.push({ at: endpointText(e), sock: await this.bind(e) });
  }

  /**
   * Listen on `endpoints` instead (a reload): sockets on endpoints still wanted stay as they are (exporters see
   * no gap, templates stay), new ones are bound, the others closed. Every new endpoint is bound before anything
   * is closed: if one cannot be, those just bound are closed again and the error thrown, nothing changed.
   * Returns the endpoints added and removed.
   */
  async rebind(endpoints: readonly Endpoint[]): Promise<{ added: string[]; removed: string[] }> {
    const held = new Map(this.sockets.map((s) => [s.at, s]));
    const fresh = new Map<string, { at: string; sock: dgram.Socket }>();
    try {
      for (const e of endpoints) {
        const at = endpointText(e);
        if (!held.has(at) && !fresh.has(at)) fresh.set(at, { at, sock: await this.bind(e) });
      }
    } catch (err) {
      for (const f of fresh.values()) f.sock.close();
      throw err;
    }
    const next = endpoints.map((e) => held.get(endpointText(e)) ?? fresh.get(endpointText(e))!);
    const removed = this.sockets.filter((s) => !next.includes(s));
    for (const s of removed) s.sock.close();
    this.sockets = next;
    return { added: [...fresh.keys()], removed: removed.map((s) => s.at) };
  }

  private async bind(e: Endpoint): Promise<dgram.Socket> {
    const sock = dgram.createSocket({ type: e.address.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 8 << 20 });
    sock.on('message', (msg, rinfo) => this.datagram(msg, rinfo.address, rinfo.port));
    sock.on('error', (err) => this.opts.log?.(`flow collector ${e.address}:${e.port}: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error) => {
        sock.close();
        reject(err);
      };
      sock.once('error', failed);
      sock.bind(e.port, e.address, () => {
        sock.off('error', failed);
        resolve();
      });
    });
    return sock;
  }

  /** The ports bound, in the order of the endpoints (port 0 asks for any). */
  ports(): number[] {
    return this.sockets.map((s) => s.sock.address().port);
  }

  close(): void {
    for (const s of this.sockets) s.sock.close();
    this.sockets.length = 0;
  }
}

/** An endpoint as the configuration writes it (`[::1]:6343` for IPv6). */
function endpointText(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}
