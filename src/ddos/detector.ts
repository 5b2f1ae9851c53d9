// Detection: once a second, every tracked host's rates over the sliding window (hosts.ts) are compared with its
// group's thresholds. A host over any threshold becomes a suspect: its flow records are captured from then on
// (signature.ts). A suspect over a threshold for min-duration seconds is under attack: the mitigator acts and a
// `start` event goes out; `update` events follow every UPDATE_EVERY seconds while it lasts, with the rules'
// expiry extended; once the host has been under every threshold for the calm period, the rules are withdrawn and
// an `end` event goes out. A suspect that falls back under the thresholds before min-duration is forgotten.

import type { DdosConfig, DdosGroup, Method } from './config';
import type { HostTable } from './hosts';
import { METRICS } from './metrics';
import type { Mitigation, Mitigator } from './mitigator';
import { addressText, type FlowRecord } from './record';
import { Capture, type Signature, signatureOf } from './signature';

const UPDATE_EVERY = 5_000;

export interface AttackEvent {
  event: 'start' | 'update' | 'end';
  id: number;
  host: string;
  group: string;
  /** ms since the epoch. */
  started: number;
  /** Seconds since the start. */
  duration: number;
  /** Rates now (start, update) or at the peak (end), per metric, packets/s, bits/s or flows/s. */
  rates: Record<string, number>;
  peak: { pps: number; bps: number };
  /** The metrics over their threshold when the attack started. */
  exceeded: string[];
  signature: Signature;
  mitigation: Mitigation;
}

export interface Attack {
  id: number;
  host: string;
  words: Uint32Array;
  v6: boolean;
  group: DdosGroup;
  since: number;
  lastOver: number;
  started: number;
  capture: Capture;
  exceeded: string[];
  attack?: { signature: Signature; mitigation: Mitigation; peak: { pps: number; bps: number }; lastUpdate: number };
}

export class Detector {
  /** Suspects and attacks by host table row. */
  readonly suspects = new Map<number, Attack>();
  private windowStart: number;
  private nextId = 1;
  /** Attacks seen since start (ended ones included). */
  attacksStarted = 0;

  constructor(
    private cfg: DdosConfig,
    readonly hosts: HostTable,
    private readonly mitigator: Mitigator,
    private readonly emit: (e: AttackEvent) => void,
    now: number,
  ) {
    this.windowStart = now;
    hosts.onWatched = (row: number, r: FlowRecord) => this.suspects.get(row)?.capture.add(r);
  }

  /**
   * The ddos section changed (a reload; the mitigator has the new one already): hosts take their group under
   * the new networks and thresholds, with their rates; an attack on a host no longer in any network ends (its
   * rules withdrawn, an `end` event); every other attack keeps its signature and has its rules brought in line
   * with the new responses (Mitigator.reconcile). A new window length applies from the next window on.
   */
  configure(cfg: DdosConfig, now: number): { ended: number; kept: number; withdrawn: number; sent: number } {
    const out = { ended: 0, kept: 0, withdrawn: 0, sent: 0 };
    this.cfg = cfg;
    const f = this.fraction(now);
    this.hosts.setNetworks(
      cfg.groups.flatMap((g) => g.networks),
      (row) => {
        const s = this.suspects.get(row);
        if (s?.attack !== undefined) {
          out.withdrawn += s.attack.mitigation.rules.length;
          out.ended++;
          this.end(row, s, f, now);
        } else if (s !== undefined) this.forget(row);
      },
      (from, to) => this.follow(from, to),
    );
    for (const [row, s] of this.suspects) {
      s.group = cfg.groups[this.hosts.groups[row]!]!;
      const a = s.attack;
      if (a === undefined) continue;
      const r = this.mitigator.reconcile(
        a.mitigation,
        s.host,
        s.words,
        s.v6,
        s.group.mitigation ?? cfg.mitigation,
        a.signature,
        now,
      );
      out.kept += r.kept;
      out.withdrawn += r.withdrawn;
      out.sent += r.sent;
    }
    return out;
  }

  /** Every attack ends now (the ddos section went away): rules withdrawn, `end` events. */
  endAll(now: number): number {
    const f = this.fraction(now);
    let n = 0;
    for (const [row, s] of [...this.suspects]) {
      if (s.attack === undefined) continue;
      n += s.attack.mitigation.rules.length;
      this.end(row, s, f, now);
    }
    return n;
  }

  /** Hosts under attack now. */
  attacks(): Attack[] {
    return [...this.suspects.values()].filter((s) => s.attack !== undefined);
  }

  /** Fraction of the current window gone at `now`. */
  fraction(now: number): number {
    return Math.min(1, (now - this.windowStart) / (this.cfg.window * 1000));
  }

  /** The rate of a metric for a row now (its unit: packets/s, bits/s, flows/s). */
  rate(row: number, metric: string, f: number): number {
    const m = METRICS[metric]!;
    return (this.hosts.windowCount(row, m.col, f) / this.cfg.window) * m.factor;
  }

  tick(now: number): void {
    const span = this.cfg.window * 1000;
    if (now - this.windowStart >= span) {
      const windows = Math.floor((now - this.windowStart) / span);
      this.windowStart += windows * span;
      this.hosts.rotate(windows, (from, to) => this.follow(from, to));
    }
    const f = this.fraction(now);
    const groups = this.cfg.groups;
    const hosts = this.hosts;
    for (let row = 0; row < hosts.size; row++) {
      const g = groups[hosts.groups[row]!]!;
      let over = false;
      for (const t of g.thresholds) {
        if (this.rate(row, t.metric, f) >= t.value) {
          over = true;
          break;
        }
      }
      const s = this.suspects.get(row);
      if (over) {
        if (s === undefined) this.suspect(row, g, now);
        else this.stillOver(row, s, f, now);
      } else if (s !== undefined) {
        this.under(row, s, f, now);
      }
    }
  }

  private suspect(row: number, g: DdosGroup, now: number): void {
    const words = Uint32Array.from(this.hosts.key(row));
    const v6 = this.hosts.family[row] === 6;
    this.suspects.set(row, {
      id: 0,
      host: addressText(words, v6 ? 6 : 4),
      words,
      v6,
      group: g,
      since: now,
      lastOver: now,
      started: 0,
      capture: new Capture(),
      exceeded: [],
    });
    this.hosts.watched[row] = 1;
    // min-duration 0: act on the first sight.
    if (this.cfg.minDuration === 0) this.stillOver(row, this.suspects.get(row)!, this.fraction(now), now);
  }

  private stillOver(row: number, s: Attack, f: number, now: number): void {
    s.lastOver = now;
    const a = s.attack;
    if (a === undefined) {
      if (now - s.since < this.cfg.minDuration * 1000) return;
      s.id = this.nextId++;
      s.started = now;
      s.exceeded = s.group.thresholds.filter((t) => this.rate(row, t.metric, f) >= t.value).map((t) => t.metric);
      const signature = signatureOf(this.hosts, row, f, s.capture, this.cfg.topTalkers);
      const method: Method = s.group.mitigation ?? this.cfg.mitigation;
      const mitigation = this.mitigator.start(s.host, s.words, s.v6, method, signature, now);
      s.attack = { signature, mitigation, peak: this.peakOf(row, f), lastUpdate: now };
      this.attacksStarted++;
      this.emit(this.event('start', row, s, f, now));
      return;
    }
    const p = this.peakOf(row, f);
    if (p.pps > a.peak.pps) a.peak.pps = p.pps;
    if (p.bps > a.peak.bps) a.peak.bps = p.bps;
    this.mitigator.extend(a.mitigation, now);
    if (now - a.lastUpdate >= UPDATE_EVERY) {
      a.lastUpdate = now;
      a.signature.topSources = s.capture.top(this.cfg.topTalkers);
      this.emit(this.event('update', row, s, f, now));
    }
  }

  private under(row: number, s: Attack, f: number, now: number): void {
    if (s.attack === undefined) {
      this.forget(row);
      return;
    }
    if (now - s.lastOver < this.cfg.calm * 1000) return;
    this.end(row, s, f, now);
  }

  /** The attack on `row` is over: rules withdrawn, the `end` event, the host no longer watched. */
  private end(row: number, s: Attack, f: number, now: number): void {
    this.mitigator.end(s.attack!.mitigation);
    s.attack!.signature.topSources = s.capture.top(this.cfg.topTalkers);
    this.emit(this.event('end', row, s, f, now));
    this.forget(row);
  }

  /** A host's row moved (the host table compacted): its suspect follows. */
  private follow(from: number, to: number): void {
    const s = this.suspects.get(from);
    if (s === undefined) return;
    this.suspects.delete(from);
    this.suspects.set(to, s);
  }

  private forget(row: number): void {
    this.suspects.delete(row);
    this.hosts.watched[row] = 0;
  }

  private peakOf(row: number, f: number): { pps: number; bps: number } {
    return { pps: Math.round(this.rate(row, 'pps', f)), bps: Math.round(this.rate(row, 'bps', f)) };
  }

  /** The rates of a row now, per metric, rounded. */
  rates(row: number, f: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of Object.keys(METRICS)) out[name] = Math.round(this.rate(row, name, f));
    return out;
  }

  private event(kind: AttackEvent['event'], row: number, s: Attack, f: number, now: number): AttackEvent {
    const a = s.attack!;
    return {
      event: kind,
      id: s.id,
      host: s.host,
      group: s.group.name,
      started: s.started,
      duration: Math.round((now - s.started) / 1000),
      rates: this.rates(row, f),
      peak: { ...a.peak },
      exceeded: s.exceeded,
      signature: a.signature,
      mitigation: a.mitigation,
    };
  }
}

/** Rows of the hosts with the most packets/s now, for `show ddos` (top talkers by destination). */
export function topHosts(d: Detector, n: number, now: number): { host: string; pps: number; bps: number }[] {
  const f = d.fraction(now);
  const rows: { row: number; pps: number }[] = [];
  for (let row = 0; row < d.hosts.size; row++) rows.push({ row, pps: d.rate(row, 'pps', f) });
  rows.sort((a, b) => b.pps - a.pps);
  return rows.slice(0, n).map(({ row, pps }) => ({
    host: addressText(d.hosts.key(row), d.hosts.family[row] === 6 ? 6 : 4),
    pps: Math.round(pps),
    bps: Math.round(d.rate(row, 'bps', f)),
  }));
}
