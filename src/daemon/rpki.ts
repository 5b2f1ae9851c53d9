// The daemon's RPKI service: the RTR client of the `rpki` section (src/rpki/), started with the daemon, restarted
// by a reload only when the section changed, and the place consumers subscribe to VRP changes.
import type { RpkiConfig } from '../config/rpki';
import { type RpkiStatus, RtrClient } from '../rpki/rtr-client';
import { NOT_FOUND, type OriginState, type VrpTable } from '../rpki/vrp-table';
import type { Logger } from './log';

export class RpkiService {
  private client: RtrClient | undefined;
  private key = '';
  private readonly listeners: ((changed: VrpTable) => void)[] = [];

  constructor(private readonly log: Logger) {}

  /** Starts, restarts or stops the client as the configuration says. */
  configure(cfg: RpkiConfig | undefined): void {
    const key = cfg
      ? JSON.stringify({ ...cfg, pos: undefined, caches: cfg.caches.map((c) => ({ ...c, pos: 0 })) })
      : '';
    if (key === this.key) return;
    this.key = key;
    const old = this.client;
    this.client = undefined;
    old?.stop();
    if (old && old.table.size > 0) {
      // The old caches' VRPs are gone: every route they covered is not-found now, until the new caches answer.
      old.table.clear();
      const changed = old.table.takeChanges();
      if (changed) this.changed(changed);
    }
    if (!cfg) return;
    const log = this.log.with({ component: 'rpki' });
    this.client = new RtrClient(
      cfg.caches,
      { refresh: cfg.refresh, retry: cfg.retry, expire: cfg.expire },
      (changed) => this.changed(changed),
      (msg) => log.info(msg),
    );
    this.client.start();
  }

  stop(): void {
    this.client?.stop();
    this.client = undefined;
    this.key = '';
  }

  get enabled(): boolean {
    return this.client !== undefined;
  }

  /** RFC 6811 state of a route; NOT_FOUND without RPKI. */
  validate(v6: boolean, addr: Uint8Array, off: number, len: number, origin: number): OriginState {
    return this.client ? this.client.table.validate(v6, addr, off, len, origin) : NOT_FOUND;
  }

  status(): RpkiStatus | undefined {
    return this.client?.status();
  }

  /** `fn` hears of every VRP change, with the changed VRP prefixes (see VrpTable.takeChanges). */
  onChange(fn: (changed: VrpTable) => void): void {
    this.listeners.push(fn);
  }

  private changed(c: VrpTable): void {
    for (const fn of this.listeners) fn(c);
  }
}
