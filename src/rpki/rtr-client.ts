// The RPKI-to-Router client: one VRP table fed by the most preferred cache that answers (RFC 8210 §10), kept fresh
// by Serial Queries on the Refresh timer and on Serial Notify, retried on the Retry timer, dropped when older than
// the Expire interval (RFC 8210 §6). Every applied answer reports the VRP prefixes it changed.
import { type RtrAnswer, RtrConnection, type RtrState } from './rtr-connection';
import { VrpTable } from './vrp-table';

export interface RpkiCache {
  host: string;
  port: number;
  /** Lower is preferred (RFC 8210 §10); caches of equal preference are tried in configuration order. */
  preference: number;
}

/** Timer values in seconds; a version 1 cache sends its own in End of Data, which then win (RFC 8210 §6). */
export interface RpkiTimers {
  refresh: number;
  retry: number;
  expire: number;
}

/** RFC 8210 §6 defaults. */
export const RPKI_TIMER_DEFAULTS: RpkiTimers = { refresh: 3600, retry: 600, expire: 7200 };

/** RFC 8210 §6: the values a cache may send, in seconds. */
const TIMER_RANGES: Record<keyof RpkiTimers, [number, number]> = {
  refresh: [1, 86400],
  retry: [1, 7200],
  expire: [600, 172800],
};

export interface RpkiStatus {
  cache?: string;
  version?: number;
  session?: number;
  serial?: number;
  vrps: number;
  /** Milliseconds since the last End of Data, undefined before the first. */
  age?: number;
  timers: RpkiTimers;
  duplicates: number;
  unknownWithdrawals: number;
}

const CONNECT_TIMEOUT_MS = 5000;

export class RtrClient {
  readonly table = new VrpTable();
  private readonly caches: RpkiCache[];
  private readonly versions: number[];
  private idx = 0;
  /** Caches tried since the last success: after a full round, wait Retry seconds. */
  private tried = 0;
  private conn: RtrConnection | undefined;
  private state: (RtrState & { cache: number; version: number }) | undefined;
  private timers: RpkiTimers;
  private refreshTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private expireTimer: NodeJS.Timeout | undefined;
  private lastData: number | undefined;
  private stopped = false;
  private duplicates = 0;
  private unknownWithdrawals = 0;

  constructor(
    caches: RpkiCache[],
    timers: Partial<RpkiTimers>,
    /** Called after an answer or an expiry changed VRPs, with the changed VRP prefixes. */
    private readonly onChange: (changed: VrpTable) => void,
    private readonly log: (msg: string) => void,
  ) {
    if (caches.length === 0) throw new Error('rpki: no cache configured');
    // A stable sort keeps configuration order among equal preferences.
    this.caches = caches
      .map((c, i) => ({ c, i }))
      .sort((a, b) => a.c.preference - b.c.preference || a.i - b.i)
      .map((x) => x.c);
    this.versions = this.caches.map(() => 1);
    this.timers = { ...RPKI_TIMER_DEFAULTS, ...timers };
  }

  start(): void {
    this.connect(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.refreshTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.expireTimer);
    this.conn?.close('stopped');
    this.conn = undefined;
  }

  status(): RpkiStatus {
    const c = this.state ? this.caches[this.state.cache] : undefined;
    return {
      cache: c ? `${c.host}:${c.port}` : undefined,
      version: this.state?.version,
      session: this.state?.session,
      serial: this.state?.serial,
      vrps: this.table.size,
      age: this.lastData === undefined ? undefined : Date.now() - this.lastData,
      timers: { ...this.timers },
      duplicates: this.duplicates,
      unknownWithdrawals: this.unknownWithdrawals,
    };
  }

  private connect(i: number): void {
    if (this.stopped) return;
    this.idx = i;
    const cache = this.caches[i]!;
    const conn: RtrConnection = new RtrConnection(cache.host, cache.port, this.versions[i]!, {
      answer: (a) => conn === this.conn && this.apply(a),
      cacheReset: () => conn === this.conn && conn.query(undefined),
      notify: (session) => {
        if (conn !== this.conn) return;
        // A notify for another session means the cache restarted: only a Reset Query can resynchronise.
        conn.query(this.stateFor(i)?.session === session ? this.stateFor(i) : undefined);
      },
      closed: (why, fallback, desync) => conn === this.conn && this.closed(i, why, fallback, desync),
    });
    this.conn = conn;
    conn.open(this.stateFor(i), CONNECT_TIMEOUT_MS);
  }

  /** Session and serial are a cache's own (RFC 8210 §5.1): another cache must be asked for everything. */
  private stateFor(i: number): RtrState | undefined {
    return this.state?.cache === i && this.state.version === this.versions[i] ? this.state : undefined;
  }

  private closed(i: number, why: string, fallback?: number, desync?: boolean): void {
    const c = this.caches[i]!;
    this.conn = undefined;
    clearTimeout(this.refreshTimer);
    if (this.stopped) return;
    if (fallback !== undefined) {
      this.log(`rpki: cache ${c.host}:${c.port}: ${why}; speaking version ${fallback} (RFC 6810)`);
      this.versions[i] = fallback;
      this.connect(i);
      return;
    }
    if (desync && this.state?.cache === i) {
      // RFC 8210 §5.1: the cache restarted with another session; its serials mean nothing to us now. Ask it at
      // once for the whole set (a Reset Query, which names no session, so this cannot repeat): the answer
      // replaces the VRPs held by difference, so routes the new set still covers do not flap meanwhile.
      this.log(`rpki: cache ${c.host}:${c.port}: ${why}; asking for the whole set again`);
      this.state = undefined;
      this.connect(i);
      return;
    }
    this.log(`rpki: cache ${c.host}:${c.port}: ${why}`);
    this.tried++;
    const next = (i + 1) % this.caches.length;
    if (this.tried < this.caches.length) {
      this.connect(next);
      return;
    }
    // Every cache failed once: wait Retry seconds (RFC 8210 §6) before the next round, from the most preferred.
    this.tried = 0;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(0), this.timers.retry * 1000);
  }

  private apply(a: RtrAnswer): void {
    const t = this.table;
    const p = a.prefixes;
    if (a.reset) t.beginReset();
    for (let off = 0; off < p.length; ) {
      const v6 = p[off + 1] === 6;
      const len = v6 ? 32 : 20;
      const announce = (p[off + 8]! & 1) === 1;
      const plen = p[off + 9]!;
      const maxLen = p[off + 10]!;
      const asOff = off + 12 + (v6 ? 16 : 4);
      const asn = ((p[asOff]! << 24) | (p[asOff + 1]! << 16) | (p[asOff + 2]! << 8) | p[asOff + 3]!) >>> 0;
      if (announce) {
        if (!t.add(v6, p, off + 12, plen, maxLen, asn)) this.duplicates++;
      } else if (!a.reset && !t.remove(v6, p, off + 12, plen, maxLen, asn)) this.unknownWithdrawals++;
      off += len;
    }
    if (a.reset) t.endReset();
    this.state = { cache: this.idx, session: a.session, serial: a.serial, version: a.version };
    this.tried = 0;
    if (a.refresh !== undefined) this.timers = this.cacheTimers(a.refresh, a.retry!, a.expire!);
    this.lastData = Date.now();
    clearTimeout(this.expireTimer);
    this.expireTimer = setTimeout(() => this.expired(), this.timers.expire * 1000);
    clearTimeout(this.refreshTimer);
    const conn = this.conn;
    this.refreshTimer = setTimeout(
      () => {
        // Back on the most preferred cache when a lesser one serves us (RFC 8210 §10); else a Serial Query.
        if (this.idx !== 0) {
          this.conn = undefined;
          conn?.close('leaving for a more preferred cache');
          this.tried = 0;
          this.connect(0);
        } else conn?.query(this.stateFor(this.idx));
      },
      (this.idx === 0 ? this.timers.refresh : Math.min(this.timers.refresh, this.timers.retry)) * 1000,
    );
    const c = this.caches[this.idx]!;
    this.log(
      `rpki: cache ${c.host}:${c.port} v${a.version} session ${a.session} serial ${a.serial}: ${t.size} VRPs` +
        (a.reset ? ' (full)' : ''),
    );
    const changed = t.takeChanges();
    if (changed) this.onChange(changed);
  }

  /**
   * The timers of a version 1 End of Data, each brought within RFC 8210 §6's range: a refresh of 0 would ask
   * without pause, and an expire past 2^31 ms is taken by setTimeout as 1 ms (the VRPs dropped at once).
   */
  private cacheTimers(refresh: number, retry: number, expire: number): RpkiTimers {
    const sent: RpkiTimers = { refresh, retry, expire };
    const c = this.caches[this.idx]!;
    for (const k of ['refresh', 'retry', 'expire'] as const) {
      const [lo, hi] = TIMER_RANGES[k];
      const v = Math.min(hi, Math.max(lo, sent[k]));
      if (v !== sent[k] && this.timers[k] !== v)
        this.log(
          `rpki: cache ${c.host}:${c.port} sent ${k} ${sent[k]} s, outside RFC 8210 §6 (${lo}-${hi}): using ${v}`,
        );
      sent[k] = v;
    }
    return sent;
  }

  /** RFC 8210 §6: no fresh data for Expire seconds; the VRPs must no longer be used. */
  private expired(): void {
    this.log(`rpki: no data for ${this.timers.expire} s: ${this.table.size} VRPs dropped`);
    this.table.clear();
    this.state = undefined;
    this.lastData = undefined;
    const changed = this.table.takeChanges();
    if (changed) this.onChange(changed);
  }
}
