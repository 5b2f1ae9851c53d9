// Mitigation through the paths tsbgp already has, as API commands run by the daemon like any other (so every
// FlowSpec rule goes through the FlowSpec guard, src/flowspec/guard.ts): a FlowSpec rule built from the attack's
// signature (discard or rate-limit) and/or an RTBH route (the victim /32 or /128 with the blackhole community,
// RFC 7999, and the configured next hop). Both are sent with `expires` (the daemon's flow table and timed routes,
// src/daemon/flow-table.ts, withdraw them by themselves), refreshed while the attack lasts and withdrawn when it
// ends, so neither outlives a stopped detector by more than twice the calm period and a window. Limits: at most
// max-rules rules in force, nothing for a victim in never-mitigate, nothing sent in dry-run.

import type { DdosConfig, Method } from './config';
import { inPrefix } from './hosts';
import type { Signature } from './signature';

/** The daemon's command path: null when the command was carried out, else the reason it was refused. */
export type RunCommand = (line: string) => string | null;

export interface Mitigation {
  method: Method;
  /** The commands in force (announce lines, without `expires`), FlowSpec then RTBH. */
  rules: string[];
  /** Rules not sent and why (the guard's refusal, max-rules, never-mitigate, dry-run). */
  notSent: { rule: string; reason: string }[];
  dryRun: boolean;
  /** When the rules were last announced with a fresh expiry (ms). */
  refreshedAt: number;
}

export class Mitigator {
  /** Rules in force over every attack. */
  inForce = 0;

  constructor(
    private cfg: DdosConfig,
    private readonly run: RunCommand,
  ) {}

  /** The ddos section in force from now on (a reload); reconcile() then brings each attack's rules in line. */
  configure(cfg: DdosConfig): void {
    this.cfg = cfg;
  }

  /**
   * Seconds a rule (FlowSpec or RTBH) lives without a refresh: twice the calm period plus a window. Refreshed once half of
   * it is gone while the attack lasts, so at the last sight of the attack at least calm + window is left: the rule
   * stays until the end withdraws it, and goes by itself within that time if the detector stops.
   */
  get lifetime(): number {
    return 2 * (this.cfg.calm + this.cfg.window);
  }

  /** Build and send the rules for a new attack on `host` (address text, `words` as the host table keeps it). */
  start(host: string, words: Uint32Array, v6: boolean, method: Method, sig: Signature, now: number): Mitigation {
    const m: Mitigation = { method, rules: [], notSent: [], dryRun: this.cfg.dryRun, refreshedAt: now };
    this.send(m, host, words, this.wanted(host, v6, method, sig));
    return m;
  }

  /**
   * The configuration changed under an attack in force (a reload): the rules it still calls for stay (announced
   * again with the lifetime now in force, nothing changes on the wire), those it no longer calls for (another
   * action, next hop or method, never-mitigate, dry-run) are withdrawn, new ones are sent. Returns how many of
   * each.
   */
  reconcile(
    m: Mitigation,
    host: string,
    words: Uint32Array,
    v6: boolean,
    method: Method,
    sig: Signature,
    now: number,
  ): { kept: number; withdrawn: number; sent: number } {
    const wanted = this.wanted(host, v6, method, sig);
    const blocked = this.blocked(host, words) !== null;
    const kept = blocked ? [] : m.rules.filter((r) => wanted.includes(r));
    const gone = m.rules.filter((r) => !kept.includes(r));
    for (const rule of gone) this.withdraw(rule);
    for (const rule of kept) this.run(this.withExpiry(rule));
    m.method = method;
    m.dryRun = this.cfg.dryRun;
    m.refreshedAt = now;
    m.rules = [...kept];
    m.notSent = [];
    this.send(
      m,
      host,
      words,
      wanted.filter((r) => !kept.includes(r)),
    );
    m.rules.sort((a, b) => wanted.indexOf(a) - wanted.indexOf(b));
    return { kept: kept.length, withdrawn: gone.length, sent: m.rules.length - kept.length };
  }

  /** The rules an attack calls for under the configuration in force: FlowSpec, then RTBH. */
  private wanted(host: string, v6: boolean, method: Method, sig: Signature): string[] {
    const wanted: string[] = [];
    if (method === 'flowspec' || method === 'both') wanted.push(flowRule(host, v6, sig, this.cfg));
    if (method === 'rtbh' || method === 'both') {
      const c = this.cfg.communities.join(' ');
      wanted.push(`announce route ${host}/${v6 ? 128 : 32} next-hop ${this.cfg.nextHop} community [ ${c} ]`);
    }
    return wanted;
  }

  /** Why nothing may be sent for `host` at all (never-mitigate, dry-run), or null. */
  private blocked(host: string, words: Uint32Array): string | null {
    const never = this.cfg.neverMitigate.find((p) => inPrefix(p, words));
    if (never) return `${host} is in never-mitigate ${never.text}`;
    return this.cfg.dryRun ? 'dry-run' : null;
  }

  /** Send `rules` for an attack, each unless blocked, over max-rules or refused; in force or not sent, and why. */
  private send(m: Mitigation, host: string, words: Uint32Array, rules: string[]): void {
    const blocked = this.blocked(host, words);
    for (const rule of rules) {
      let reason: string | null = blocked;
      if (reason === null && this.inForce >= this.cfg.maxRules) reason = `max-rules ${this.cfg.maxRules} in force`;
      if (reason === null) reason = this.run(this.withExpiry(rule));
      if (reason === null) {
        m.rules.push(rule);
        this.inForce++;
      } else {
        m.notSent.push({ rule, reason });
      }
    }
  }

  /** While the attack lasts: announce the rules again with a fresh expiry once half of it is gone. */
  extend(m: Mitigation, now: number): void {
    if (now - m.refreshedAt < (this.lifetime * 1000) / 2) return;
    m.refreshedAt = now;
    for (const rule of m.rules) this.run(this.withExpiry(rule));
  }

  /** The attack is over: withdraw what was sent. */
  end(m: Mitigation): void {
    for (const rule of m.rules) this.withdraw(rule);
  }

  private withdraw(rule: string): void {
    this.run(rule.startsWith('announce flow') ? withdrawFlow(rule) : withdrawRoute(rule));
    this.inForce--;
  }

  private withExpiry(rule: string): string {
    return `${rule} expires ${this.lifetime}`;
  }
}

/**
 * Packet lengths spread over at most this share of the largest make a narrow attack: its rule matches them.
 * A reflection answer or a flood tool's packet has one size; ordinary traffic spreads from 40 bytes to the MTU.
 */
const NARROW = 0.1;

/**
 * The FlowSpec rule for a signature: the victim as destination, narrowed to the attack's traffic class and, for
 * IPv4 when the lengths the capture saw are narrow and packet-length-match is on, to those lengths (RFC 8955
 * §4.2.2.10 type 10, the IP packet's length without layer 2). IPv6 rules go without it for now: what the
 * component counts for IPv6 (RFC 8956) was not checked against what exporters report for IPv6 yet.
 */
export function flowRule(
  host: string,
  v6: boolean,
  sig: Signature,
  cfg: Pick<DdosConfig, 'action' | 'packetLengthMatch'>,
): string {
  const proto = v6 ? 'next-header' : 'protocol';
  const parts = [`destination ${host}/${v6 ? 128 : 32}`];
  switch (sig.kind) {
    case 'amplification':
      parts.push(`${proto} udp`, `source-port [ ${sig.sourcePorts.map((p) => `=${p}`).join(' ')} ]`);
      break;
    case 'syn':
      // SYN without ACK (RFC 8955 §4.2.2.9 bitmask: syn set, ack not set).
      parts.push(`${proto} tcp`, 'tcp-flags [ syn&!ack ]');
      break;
    case 'udp':
      parts.push(`${proto} udp`);
      break;
    case 'tcp':
      parts.push(`${proto} tcp`);
      break;
    case 'icmp':
      parts.push(`${proto} ${v6 ? 58 : 'icmp'}`);
      break;
    case 'fragment':
      parts.push('fragment [ is-fragment ]');
      break;
    case 'mixed':
      break;
  }
  if (sig.destinationPorts.length > 0 && (sig.kind === 'syn' || sig.kind === 'udp' || sig.kind === 'tcp'))
    parts.push(`destination-port [ ${sig.destinationPorts.map((p) => `=${p}`).join(' ')} ]`);
  const len = sig.packetLength;
  if (cfg.packetLengthMatch && !v6 && len !== undefined && len.max - len.min <= NARROW * len.max)
    parts.push(`packet-length [ ${len.min === len.max ? `=${len.min}` : `>=${len.min}&<=${len.max}`} ]`);
  parts.push(cfg.action.kind === 'discard' ? 'discard' : `rate-limit ${cfg.action.rate}`);
  return `announce flow route ${parts.join(' ')}`;
}

/** The withdrawal of an announced flow rule: the same match, no action. */
function withdrawFlow(rule: string): string {
  return rule.replace(/^announce/, 'withdraw').replace(/ (discard|rate-limit \d+)$/, '');
}

function withdrawRoute(rule: string): string {
  return rule.replace(/^announce/, 'withdraw').replace(/ community \[[^\]]*\]$/, '');
}
