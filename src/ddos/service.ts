// The DDoS detector as the daemon runs it: the collector's sockets, the host table, the detector ticking once a
// second, the mitigator issuing API commands through the daemon, and the attack events going to the log and, as
// JSON lines, to API processes. `show ddos` reads its state. A reload hands it the new section (reconfigure):
// listeners, thresholds, groups and responses change in place, the sessions and the attacks that still call for
// their rules are left alone.

import * as os from 'node:os';
import { FlowCollector } from './collector';
import type { DdosConfig } from './config';
import { type AttackEvent, Detector, topHosts } from './detector';
import { HostTable } from './hosts';
import { Mitigator, type RunCommand } from './mitigator';

export interface DdosHooks {
  /** Carry out an API command (announce/withdraw flow or route); null or the reason it was refused. */
  run: RunCommand;
  /** One JSON line for the API processes that hear attack events. */
  event: (line: string) => void;
  log: (level: 'info' | 'warning' | 'error', message: string) => void;
}

const TICK = 1000;

export class DdosService {
  readonly hosts: HostTable;
  readonly collector: FlowCollector;
  readonly detector: Detector;
  readonly mitigator: Mitigator;
  private timer: NodeJS.Timeout | undefined;
  /** The last events of attacks that ended, newest last (for `show ddos`). */
  readonly ended: AttackEvent[] = [];

  constructor(
    public cfg: DdosConfig,
    private readonly hooks: DdosHooks,
    now = Date.now(),
  ) {
    this.hosts = new HostTable(cfg.groups.flatMap((g) => g.networks));
    this.collector = new FlowCollector(this.hosts, this.collectorOptions(cfg));
    this.mitigator = new Mitigator(cfg, hooks.run);
    this.detector = new Detector(cfg, this.hosts, this.mitigator, (e) => this.onEvent(e), now);
  }

  async start(): Promise<void> {
    await this.collector.listen(this.cfg.listen);
    const where = this.cfg.listen.map((l, i) => `${l.address}:${this.collector.ports()[i]}`).join(', ');
    this.hooks.log(
      'info',
      `ddos: collecting flows on ${where}${this.cfg.dryRun ? ' (dry-run: nothing is announced)' : ''}`,
    );
    this.timer = setInterval(() => this.detector.tick(Date.now()), TICK);
    this.timer.unref();
  }

  private collectorOptions(cfg: DdosConfig) {
    return {
      templateTimeoutMs: cfg.templateTimeout * 1000,
      sampling: cfg.sampling,
      log: (m: string) => this.hooks.log('warning', m),
    };
  }

  /**
   * A reload changed the section: the new listeners are bound first (when one cannot be, this throws and
   * nothing has changed), then sampling, timeouts, groups, thresholds and responses apply at once. Returns what
   * was done, for the log.
   */
  async reconfigure(next: DdosConfig, now = Date.now()): Promise<string> {
    const l = await this.collector.rebind(next.listen);
    this.cfg = next;
    this.collector.configure(this.collectorOptions(next));
    this.mitigator.configure(next);
    const r = this.detector.configure(next, now);
    const listen = [...l.added.map((a) => `+${a}`), ...l.removed.map((a) => `-${a}`)];
    return (
      `ddos: section reloaded${listen.length > 0 ? `, listeners ${listen.join(' ')}` : ''}: ` +
      `${this.detector.attacks().length} attack(s) go on, ${r.ended} ended, rules ${r.kept} kept, ` +
      `${r.withdrawn} withdrawn, ${r.sent} sent${next.dryRun ? ' (dry-run: nothing is announced)' : ''}`
    );
  }

  /** Stop collecting; the rules in force stay until they expire or the sessions go. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.collector.close();
  }

  /** The section went away (a reload): every attack ends, its rules withdrawn, and collecting stops. */
  end(now = Date.now()): number {
    const n = this.detector.endAll(now);
    this.stop();
    return n;
  }

  private onEvent(e: AttackEvent): void {
    const m = e.mitigation;
    const sent = m.rules.length > 0 ? `${m.rules.length} rule(s) in force` : 'nothing announced';
    const notSent = m.notSent.map((n) => `${n.rule} not sent: ${n.reason}`);
    const sig = e.signature;
    const ports = sig.sourcePorts.length > 0 ? ` source-ports ${sig.sourcePorts.join(',')}` : '';
    const text =
      `ddos attack ${e.event}: id ${e.id} host ${e.host} group ${e.group} ${sig.kind}${ports} ` +
      `${e.rates.pps} pps ${e.rates.bps} bps (peak ${e.peak.pps} pps ${e.peak.bps} bps) duration ${e.duration}s, ${sent}`;
    this.hooks.log(e.event === 'start' ? 'warning' : 'info', text);
    if (e.event === 'start') for (const l of notSent) this.hooks.log(m.dryRun ? 'info' : 'warning', `ddos: ${l}`);
    if (e.event === 'end') {
      this.ended.push(e);
      if (this.ended.length > 20) this.ended.shift();
    }
    this.hooks.event(eventJson(e));
  }

  /** `show ddos`: attacks in force, the busiest hosts, the collector's counters. */
  show(json: boolean, now = Date.now()): string[] {
    const d = this.detector;
    const f = d.fraction(now);
    const attacks = d.attacks().map((s) => {
      const row = [...d.suspects.entries()].find(([, v]) => v === s)![0];
      return {
        id: s.id,
        host: s.host,
        group: s.group.name,
        duration: Math.round((now - s.started) / 1000),
        rates: d.rates(row, f),
        signature: { ...s.attack!.signature, topSources: s.capture.top(this.cfg.topTalkers) },
        rules: s.attack!.mitigation.rules,
        notSent: s.attack!.mitigation.notSent,
      };
    });
    const top = topHosts(d, this.cfg.topTalkers, now);
    const st = this.collector.stats;
    const collector = {
      datagrams: st.datagrams,
      records: st.records,
      malformed: st.malformed,
      unknownTemplate: st.unknownTemplate,
      templates: this.collector.templates.size,
      counterSamples: st.counterSamples,
      protocols: { ...this.collector.byProtocol },
      hosts: this.hosts.size,
      rulesInForce: this.mitigator.inForce,
      dryRun: this.cfg.dryRun,
    };
    if (json) return [JSON.stringify({ attacks, top, collector })];
    const out: string[] = [];
    out.push(
      `collector: ${st.datagrams} datagrams, ${st.records} records, ${st.malformed} malformed, ${st.unknownTemplate} unknown-template sets, ${collector.templates} templates, ${this.hosts.size} hosts tracked, ${this.mitigator.inForce} rules in force${this.cfg.dryRun ? ' (dry-run)' : ''}`,
    );
    if (attacks.length === 0) out.push('attacks: none');
    for (const a of attacks) {
      out.push(
        `attack ${a.id} host ${a.host} group ${a.group} ${a.signature.kind} for ${a.duration}s: ${a.rates.pps} pps ${a.rates.bps} bps, source-ports ${a.signature.sourcePorts.join(',') || '-'}, packet size ${a.signature.packetSize.average} (${a.signature.packetSize.min}-${a.signature.packetSize.max})`,
      );
      for (const r of a.rules) out.push(`  rule ${r}`);
      for (const n of a.notSent) out.push(`  not sent ${n.rule}: ${n.reason}`);
      for (const t of a.signature.topSources) out.push(`  source ${t.address} ${t.packets} packets`);
    }
    out.push('top talkers (destination, pps, bps):');
    for (const t of top) out.push(`  ${t.host} ${t.pps} pps ${t.bps} bps`);
    return out;
  }
}

/** The JSON line of an attack event: ExaBGP's envelope with type "ddos" (docs/DDOS.md). */
export function eventJson(e: AttackEvent, now = Date.now()): string {
  return JSON.stringify({
    exabgp: '4.0.1',
    time: now / 1000,
    host: os.hostname(),
    pid: process.pid,
    ppid: process.ppid,
    type: 'ddos',
    ddos: {
      event: e.event,
      id: e.id,
      victim: e.host,
      group: e.group,
      started: e.started / 1000,
      duration: e.duration,
      rates: e.rates,
      peak: e.peak,
      exceeded: e.exceeded,
      signature: e.signature,
      mitigation: {
        method: e.mitigation.method,
        'dry-run': e.mitigation.dryRun,
        rules: e.mitigation.rules,
        'not-sent': e.mitigation.notSent,
      },
    },
  });
}
