// StayRTR, an RPKI-to-Router cache (RFC 6810 / RFC 8210), serving a VRP file the test writes (rpki-client's JSON
// format) on a loopback address; it re-reads the file every `refresh` seconds and sends Serial Notify on change.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allocAddress, freePort, ManagedProcess, PeerDaemonBase } from './common';

export interface VrpSpec {
  prefix: string;
  maxLength: number;
  asn: number;
}

export class StayRtr extends PeerDaemonBase {
  address = '';
  port = 0;
  private generated = 1796600000;
  private starts = 0;
  private log = 'stayrtr.log';

  constructor() {
    super('stayrtr');
  }

  get file(): string {
    return path.join(this.dir, 'vrps.json');
  }

  /** Writes the VRP file; StayRTR notices within its refresh interval. Written whole then renamed, never half. */
  writeVrps(vrps: VrpSpec[]): void {
    const roas = vrps.map((v) => ({ prefix: v.prefix, maxLength: v.maxLength, asn: `AS${v.asn}`, ta: 'lab' }));
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ metadata: { generated: this.generated++ }, roas }));
    fs.renameSync(tmp, this.file);
  }

  /**
   * `protocol` 0 = RFC 6810 only, 1 = RFC 8210, 2 = StayRTR's default (8210bis draft). `timers`: what End of Data
   * tells routers (RFC 8210 §6; StayRTR's defaults 3600/600/7200). A second start() after stop() serves on the
   * same address and port: a cache restarted (with a new session id, RFC 8210 §5.1).
   */
  async start(
    vrps: VrpSpec[],
    opts: {
      protocol?: number;
      refresh?: number;
      startMs?: number;
      timers?: { refresh: number; retry: number; expire: number };
    } = {},
  ): Promise<void> {
    if (this.address === '') {
      this.address = allocAddress();
      this.port = await freePort(this.address);
    }
    const metrics = await freePort(this.address);
    this.writeVrps(vrps);
    const t = opts.timers;
    const args = [
      '-bind',
      `${this.address}:${this.port}`,
      '-cache',
      this.file,
      '-checktime=false',
      '-metrics.addr',
      `${this.address}:${metrics}`,
      '-refresh',
      String(opts.refresh ?? 1),
      '-protocol',
      String(opts.protocol ?? 1),
      ...(t ? ['-rtr.refresh', String(t.refresh), '-rtr.retry', String(t.retry), '-rtr.expire', String(t.expire)] : []),
    ];
    const log = `stayrtr${this.starts++ === 0 ? '' : this.starts}.log`;
    this.log = log;
    this.proc = new ManagedProcess('stayrtr', 'stayrtr', args, path.join(this.dir, log));
    await this.waitStarted(
      () => /Updated added, new serial/.test(this.logText()),
      opts.startMs ?? 10_000,
      'stayrtr loading its file',
    );
  }

  logText(): string {
    return this.readLogs(this.log);
  }
}
