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
  private readonly sockets: dgram.Socket[] = [];
  /** Per protocol: datagrams taken. */
  readonly byProtocol = { netflow5: 0, netflow9: 0, ipfix: 0, sflow: 0 };

  constructor(
    private readonly sink: FlowSink,
    private readonly opts: CollectorOptions = {},
  ) {
    this.templates = new TemplateCache({ timeoutMs: opts.templateTimeoutMs ?? 1_800_000 }, this.stats);
  }

  /** Decode one datagram from exporter `address`:`port`; returns the records passed to the sink. */
  datagram(buf: Uint8Array, address: string, port: number, now = Date.now()): number {
    const s = this.stats;
    s.datagrams++;
    const sampling = this.opts.sampling?.get(address) ?? 0;
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
    for (const e of endpoints) {
      const sock = dgram.createSocket({ type: e.address.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 8 << 20 });
      sock.on('message', (msg, rinfo) => this.datagram(msg, rinfo.address, rinfo.port));
      sock.on('error', (err) => this.opts.log?.(`flow collector ${e.address}:${e.port}: ${err.message}`));
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(e.port, e.address, () => {
          sock.off('error', reject);
          resolve();
        });
      });
      this.sockets.push(sock);
    }
  }

  /** The ports bound, in the order of the endpoints (port 0 asks for any). */
  ports(): number[] {
    return this.sockets.map((s) => s.address().port);
  }

  close(): void {
    for (const s of this.sockets) s.close();
    this.sockets.length = 0;
  }
}
